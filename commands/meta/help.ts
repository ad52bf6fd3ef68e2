import type { CommandSpec } from '../../src/interpreter/command.js';
import { CommandError } from '../../src/interpreter/command.js';
import { ok } from '../../src/results/types.js';
import { KEY_TABLE, keyTableLines } from '../../src/results/keys.js';

const GROUP_TITLES: Record<CommandSpec['group'], string> = {
  standard: 'Standard commands',
  meta: 'Meta-commands (.)',
  extension: 'Extension commands (!)',
};

/** `.help` lines from the command table: one line per command, grouped as WinDbg's docs group them. */
export function helpIndex(commands: readonly CommandSpec[]): string[] {
  const lines: string[] = [];
  for (const group of ['standard', 'meta', 'extension'] as const) {
    lines.push(`${GROUP_TITLES[group]}:`);
    for (const c of [...commands].filter((x) => x.group === group).sort((a, b) => a.name.localeCompare(b.name))) {
      const names = [c.name, ...(c.aliases ?? [])].join(', ');
      lines.push(`  ${names.padEnd(22)} ${c.summary}`);
    }
    lines.push('');
  }
  lines.push('Thread prefixes: ~N cmd, ~* cmd, ~*e cmd, ~. cmd, ~# cmd, ~~[tid] cmd.  Type .help CMD for details.');
  return lines;
}

/** `.help CMD` lines. */
export function helpFor(c: CommandSpec): string[] {
  const lines = [`${c.name} - ${c.summary}`, '', `Syntax: ${c.syntax}`];
  if (c.aliases?.length) lines.push(`Aliases: ${c.aliases.join(', ')}`);
  if (c.help) lines.push('', ...c.help.split('\n'));
  if (c.examples?.length) lines.push('', 'Examples:', ...c.examples.map((e) => `  ${e}`));
  return lines;
}

/** `.help` needs the whole table; the table is passed in to avoid an import cycle. */
export function makeHelpCommand(table: () => readonly CommandSpec[]): CommandSpec {
  return {
    name: '.help',
    group: 'meta',
    syntax: '.help [Command]',
    summary: 'List the commands, or show one command\'s syntax and help',
    noDump: true,
    examples: ['.help', '.help k'],
    run(_ctx, inv) {
      const cmds = table();
      if (!inv.args) return ok(helpIndex(cmds), { type: 'help', commands: cmds.map((c) => ({ name: c.name, aliases: c.aliases ?? [], group: c.group, syntax: c.syntax, summary: c.summary })) });
      const want = inv.args.trim();
      // `.help keys`: the terminal UI's key table (the same data the UI binds).
      if (want === 'keys') return ok(keyTableLines(), { type: 'helpKeys', keys: KEY_TABLE.map((b) => ({ ...b, keys: [...b.keys] })) });
      const c = cmds.find((x) => x.name === want || x.aliases?.includes(want)) ?? cmds.find((x) => x.pattern?.exec(want)?.[0] === want);
      if (!c) throw new CommandError(`No help for '${want}': not a known command (type .help for the list)`);
      return ok(helpFor(c), { type: 'help', name: c.name, syntax: c.syntax, summary: c.summary, help: c.help ?? '', examples: [...(c.examples ?? [])] });
    },
  };
}
