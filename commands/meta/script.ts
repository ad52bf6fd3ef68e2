/**
 * Script files (windbg-commands.md §10.3): `$<FILE`, `$><FILE`, `$$<FILE`,
 * `$$><FILE`, `$$>a<FILE ARGS`.
 *  - `$<`/`$$<` run the file line by line; `$><`, `$$><`, `$$>a<` collapse it
 *    into one command block first (line breaks become `;`, so a `*` comment
 *    swallows the rest of the file, as in WinDbg: use `$$` comments there).
 *  - All but `$$>a<` echo each script line (or the collapsed block) with the
 *    prompt before its output.
 *  - `$$>a<` replaces `${$arg0}` (the file), `${$arg1}`… and `${/d:$argN}`
 *    (1 when given, else 0); missing arguments stay literal.
 *  - The lexer gives `$<`/`$><` the rest of the line (file names may hold `;`).
 * Every command runs through the session's dispatcher (`ctx.dispatch`), so
 * prefixes, errors and teaching notes behave as when typed. A failing command
 * gets a `FILE:LINE: error in 'CMD'` line and the script goes on, as cdb does.
 */
import { readFileSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import type { CommandContext, CommandSpec, Invocation } from '../../src/interpreter/command.js';
import { CommandError } from '../../src/interpreter/command.js';
import { splitCommandLine } from '../../src/interpreter/lexer.js';
import type { Block, CommandResult } from '../../src/results/types.js';

type ScriptMode = 'lines' | 'block' | 'args';

/** Scripts being run, innermost last: relative file names are also looked up next to the running script. */
const running: string[] = [];

/** Splits `$$>a<` arguments: blanks separate them, double quotes group, `;` ends the list. */
export function parseScriptArgs(text: string): string[] {
  const out: string[] = [];
  let i = 0;
  while (i < text.length) {
    while (i < text.length && /\s/.test(text[i]!)) i++;
    if (i >= text.length || text[i] === ';') break;
    if (text[i] === '"') {
      const end = text.indexOf('"', i + 1);
      out.push(text.slice(i + 1, end < 0 ? text.length : end));
      i = end < 0 ? text.length : end + 1;
    } else {
      let j = i;
      while (j < text.length && !/[\s;]/.test(text[j]!)) j++;
      out.push(text.slice(i, j));
      i = j;
    }
  }
  return out;
}

/** `${$argN}` and `${/d:$argN}` replaced from `args` (args[0] is the file name); unknown ones stay. */
export function substituteArgs(text: string, args: readonly string[]): string {
  return text.replace(/\$\{(\/d:)?\$arg(\d+)\}/gi, (m, defined: string | undefined, n: string) => {
    const v = args[Number(n)];
    if (defined) return v !== undefined ? '1' : '0';
    return v ?? m;
  });
}

/** The file name and arguments of a script command's argument text. */
export function parseScriptInvocation(mode: ScriptMode, args: string): { file: string; args: string[] } {
  const text = args.trim();
  if (mode !== 'args') return { file: /^"(.*)"$/.exec(text)?.[1] ?? text, args: [] };
  const parts = parseScriptArgs(text);
  return { file: parts[0] ?? '', args: parts.slice(1) };
}

function readScript(file: string): { path: string; text: string } {
  const candidates = [file];
  const parent = running.at(-1);
  if (parent && !isAbsolute(file)) candidates.push(resolve(dirname(parent), file));
  for (const path of candidates) {
    try {
      return { path, text: readFileSync(path, 'utf8') };
    } catch {
      // try the next place
    }
  }
  throw new CommandError(`Couldn't open script file '${file}'`);
}

/** One command of a script: its text and the (1-based) file line it starts on. */
interface ScriptCommand {
  text: string;
  line: number;
  comment: boolean;
}

/** The commands of a script in run order, with their lines; `block` collapses the file first. */
export function scriptCommands(text: string, mode: ScriptMode): { echo: { text: string; line: number }[]; commands: ScriptCommand[][] } {
  const lines = text.replace(/\r\n?/g, '\n').split('\n');
  if (mode === 'lines') {
    const echo: { text: string; line: number }[] = [];
    const commands: ScriptCommand[][] = [];
    lines.forEach((l, i) => {
      if (l.trim() === '') return;
      echo.push({ text: l.trim(), line: i + 1 });
      commands.push(splitCommandLine(l).map((p) => ({ text: p.text, line: i + 1, comment: p.comment })));
    });
    return { echo, commands };
  }
  // Collapse: each line break becomes `;`; remember where each line starts to number commands.
  const starts: number[] = [];
  let joined = '';
  for (const l of lines) {
    if (l.trim() === '') {
      starts.push(-1);
      continue;
    }
    if (joined) joined += ';';
    starts.push(joined.length);
    joined += l.trim();
  }
  const lineAt = (offset: number): number => {
    let best = 1;
    starts.forEach((s, i) => {
      if (s >= 0 && s <= offset) best = i + 1;
    });
    return best;
  };
  const pieces = splitCommandLine(joined).map((p) => ({ text: p.text, line: lineAt(p.offset), comment: p.comment }));
  return { echo: joined ? [{ text: joined, line: 1 }] : [], commands: [pieces] };
}

async function runScript(ctx: CommandContext, inv: Invocation, mode: ScriptMode): Promise<CommandResult> {
  const { file, args } = parseScriptInvocation(mode, inv.args);
  if (!file) throw new CommandError(`       ^ Syntax error in '${inv.raw}'`);
  const script = readScript(file);
  const text = mode === 'args' ? substituteArgs(script.text, [file, ...args]) : script.text;
  const { echo, commands } = scriptCommands(text, mode === 'lines' ? 'lines' : 'block');
  const out: CommandResult = { blocks: [], data: { type: 'script', file: script.path, mode, commands: 0, failures: [] as { line: number; command: string }[] } };
  const failures = out.data!['failures'] as { line: number; command: string }[];
  let ran = 0;
  running.push(script.path);
  try {
    for (const [i, group] of commands.entries()) {
      const e = echo[i];
      if (e && mode !== 'args') out.blocks.push({ kind: 'text', lines: [`${ctx.session.prompt()} ${e.text}`] });
      for (const c of group) {
        if (c.comment) continue;
        const results = await ctx.dispatch(c.text);
        ran++;
        for (const r of results) {
          if (r.failed) {
            failures.push({ line: c.line, command: c.text });
            out.blocks.push({ kind: 'error', lines: [`${file}:${c.line}: error in '${c.text}'`] });
          }
          out.blocks.push(...(r.blocks as Block[]));
          if (r.stateChanged) out.stateChanged = true;
          if (r.clear) out.clear = true;
          if (r.quit) out.quit = true;
        }
        if (out.quit) return out;
      }
    }
  } finally {
    running.pop();
    out.data!['commands'] = ran;
  }
  return out;
}

function scriptCommand(name: string, mode: ScriptMode, syntax: string, summary: string, example: string): CommandSpec {
  return {
    name,
    group: 'meta',
    syntax,
    summary,
    noDump: true,
    examples: [example],
    run: (ctx, inv) => runScript(ctx, inv, mode),
  };
}

export const runScriptCommand = scriptCommand('$<', 'lines', '$<Filename', 'Run a script file line by line (the name takes the rest of the line)', '$<triage.txt');
export const runScriptBlockCommand = scriptCommand('$><', 'block', '$><Filename', 'Run a script file collapsed into one command block', '$><triage.txt');
export const runScript2Command = scriptCommand('$$<', 'lines', '$$<Filename', 'Run a script file line by line (the name ends at ;)', '$$<triage.txt; k');
export const runScriptBlock2Command = scriptCommand('$$><', 'block', '$$><Filename', 'Run a script file collapsed into one command block (the name ends at ;)', '$$><triage.txt');
export const runScriptArgsCommand = scriptCommand('$$>a<', 'args', '$$>a<Filename [Arg1 Arg2 ...]', 'Run a script file with arguments ${$arg1}, ${$arg2}... (no echo)', '$$>a<show-thread.txt 1');
