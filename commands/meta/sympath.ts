import type { CommandSpec } from '../../src/interpreter/command.js';
import { CommandError, requireTarget } from '../../src/interpreter/command.js';
import { appendSymbolPath, expandSymbolPath, symfixPath } from '../../src/symbols/symbol-path.js';
import { moduleFileName } from '../../src/session/modules.js';
import { ok } from '../../src/results/types.js';
import { DEFAULT_KFRAMES } from '../standard/k.js';

/** The path-validation block cdb prints after a path changes. */
function validation(pathText: string): string[] {
  const lines = ['', '************* Path validation summary **************', 'Response                         Time (ms)     Location'];
  for (const el of pathText.split(';').map((s) => s.trim()).filter(Boolean)) {
    const deferred = /^(srv|symsrv|cache)\*/i.test(el);
    lines.push(`${(deferred ? 'Deferred' : 'OK').padEnd(47)}${el}`);
  }
  return lines;
}

function pathCommand(name: '.sympath' | '.exepath', key: 'symbolPath' | 'imagePath', label: string): CommandSpec {
  return {
    name,
    aliases: [`${name}+`],
    group: 'meta',
    syntax: `${name} [Path[;...]] | ${name}+ Path[;...]`,
    summary: `Show or set the ${label} (;-separated, _NT_SYMBOL_PATH syntax); ${name}+ appends`,
    noDump: true,
    examples: name === '.sympath' ? ['.sympath', '.sympath srv*c:\\symbols*https://msdl.microsoft.com/download/symbols', '.sympath+ C:\\build\\pdbs'] : ['.exepath', '.exepath+ C:\\images'],
    run(ctx, inv) {
      const s = ctx.session;
      const append = inv.token.endsWith('+');
      const arg = inv.args.trim();
      if (arg) {
        s.options[key] = append ? appendSymbolPath(s.options[key], arg) : arg;
        // New paths: modules load again on next use.
        for (const t of s.targets) t.resetSymbols();
      }
      const cur = s.options[key];
      const lines = [`${label[0]!.toUpperCase()}${label.slice(1)} is: ${cur || (key === 'symbolPath' ? '*** Invalid ***' : '')}`];
      if (key === 'symbolPath' && cur) lines.push(`Expanded Symbol search path is: ${expandSymbolPath(cur)}`);
      if (arg) lines.push(...validation(cur));
      return ok(lines, { type: 'path', which: key, path: cur }, arg ? { stateChanged: true } : {});
    },
  };
}

export const dotSympathCommand = pathCommand('.sympath', 'symbolPath', 'symbol search path');
export const dotExepathCommand = pathCommand('.exepath', 'imagePath', 'executable search path');

export const dotSymfixCommand: CommandSpec = {
  name: '.symfix',
  aliases: ['.symfix+'],
  group: 'meta',
  syntax: '.symfix[+] [LocalSymbolCache]',
  summary: 'Use the Microsoft public symbol server (with a local cache); .symfix+ appends it',
  noDump: true,
  examples: ['.symfix', '.symfix ~/symbols'],
  run(ctx, inv) {
    const s = ctx.session;
    const p = symfixPath(inv.args.trim() || undefined);
    s.options.symbolPath = inv.token.endsWith('+') ? appendSymbolPath(s.options.symbolPath, p) : p;
    for (const t of s.targets) t.resetSymbols();
    return ok([], { type: 'path', which: 'symbolPath', path: s.options.symbolPath }, { stateChanged: true });
  },
};

export const dotReloadCommand: CommandSpec = {
  name: '.reload',
  group: 'meta',
  syntax: '.reload [/f] [/u] [Module]',
  summary: 'Reload module symbols (deferred); /f loads now; /u unloads',
  examples: ['.reload', '.reload /f', '.reload /f ntdll.dll', '.reload /u ntdll'],
  async run(ctx, inv) {
    const t = requireTarget(ctx);
    const words = inv.args.split(/\s+/).filter(Boolean);
    const force = words.includes('/f');
    const unload = words.includes('/u');
    if (words.includes('/user')) throw new CommandError('.reload /user is kernel-only');
    const bad = words.find((w) => w.startsWith('/') && !['/f', '/u', '/s', '/v', '/n'].includes(w));
    if (bad) throw new CommandError(`Unknown option '${bad}'`);
    const name = words.find((w) => !w.startsWith('/'));
    const mod = name ? t.findModule(name.replace(/\.(dll|exe|sys)$/i, '')) ?? t.findModule(name) : undefined;
    if (name && !mod) throw new CommandError(`"${name}" was not found in the image list.\nDebugger will attempt to load "${name}" at given base 00000000\`00000000.\n\nPlease provide the full image name, including the extension (i.e. kernel32.dll)\nfor more reliable results.`);
    if (unload) {
      if (!mod) {
        t.resetSymbols();
        return ok(['Unloaded all modules'], { type: 'reload', unloaded: 'all' }, { stateChanged: true });
      }
      t.resetSymbols(mod.index);
      return ok([`Unloaded ${moduleFileName(mod.moduleName)}`], { type: 'reload', unloaded: t.moduleName(mod) }, { stateChanged: true });
    }
    const mods = mod ? [mod] : t.modules();
    for (const m of mods) t.resetSymbols(m.index);
    const lines: string[] = [];
    const loaded: Record<string, unknown>[] = [];
    if (!mod) lines.push('Reloading current modules');
    if (force) {
      for (const m of mods) {
        const r = await t.ensureModule(m);
        // Load warnings are printed by the dispatcher before this command's output (drainLoadMessages).
        loaded.push({ module: t.moduleName(m), symbols: r.symbols.kind, path: r.symbols.path, image: r.image?.path ?? r.image?.origin, message: r.symbolMessage ?? r.imageMessage });
      }
    }
    if (!mod) for (let i = 0; i < mods.length; i += 64) lines.push('.'.repeat(Math.min(64, mods.length - i)));
    return ok(lines, { type: 'reload', forced: force, modules: loaded }, { stateChanged: true });
  },
};

export const bangSymCommand: CommandSpec = {
  name: '!sym',
  group: 'extension',
  syntax: '!sym [noisy | quiet]',
  summary: 'Symbol loading diagnostics: noisy shows every place searched (per module load)',
  noDump: true,
  examples: ['!sym noisy', '!sym quiet'],
  run(ctx, inv) {
    const arg = inv.args.trim().toLowerCase();
    const s = ctx.session;
    if (arg === 'noisy') s.noisySymbols = true;
    else if (arg === 'quiet') s.noisySymbols = false;
    else if (arg) throw new CommandError(`!sym: unknown option '${inv.args}' (noisy | quiet)`);
    return ok([`${s.noisySymbols ? 'noisy' : 'quiet'} mode - symbol prompts on`], { type: 'symMode', noisy: s.noisySymbols });
  },
};

export const dotKframesCommand: CommandSpec = {
  name: '.kframes',
  group: 'meta',
  syntax: '.kframes [FrameCountDefault]',
  summary: 'Show the default stack depth of k',
  noDump: true,
  examples: ['.kframes'],
  run() {
    return ok([`Default stack trace depth is 0n${DEFAULT_KFRAMES} frames`], { type: 'kframes', frames: DEFAULT_KFRAMES });
  },
};
