/**
 * `?` (evaluate a MASM expression, windbg-commands.md §9.1) and `.formats`
 * (one value in every number format, §9.3). The number layouts live in
 * src/interpreter/format.ts; these are the command-table entries.
 */
import type { CommandSpec } from '../../src/interpreter/command.js';
import { CommandError } from '../../src/interpreter/command.js';
import { formatEvaluate, formatFormats, signedDecimal } from '../../src/interpreter/format.js';
import { ok } from '../../src/results/types.js';
import { evalArg } from '../common/expr.js';

const MASK64 = (1n << 64n) - 1n;

export const evaluateCommand: CommandSpec = {
  name: '?',
  group: 'standard',
  syntax: '? Expression',
  summary: 'Evaluate a MASM expression: signed decimal and hex at pointer width',
  help: 'Numbers are hex by default (0n prefix: decimal). Registers (@rax), pseudo-registers (@$teb, @$csp), symbols (mod!name), poi(ADDR).\n`?` with no expression lists the commands (as .help). Works without a dump for constants.',
  examples: ['? @rip + 8', '? 0n100', '? poi(@rsp)', '? ntdll', '? 2*3-1'],
  noDump: true,
  threadPrefix: true,
  async run(ctx, inv) {
    const text = inv.args.trim();
    if (text === '') {
      const help = await ctx.dispatch('.help');
      return help[0] ?? ok([]);
    }
    if (text.startsWith('?')) throw new CommandError('C++ expressions (??) are not supported: use the MASM form `? expr`');
    const t = ctx.session.target;
    const v = evalArg(t, text, inv.raw) & MASK64;
    const ptrSize = t ? t.pointerSize : 8;
    return ok([formatEvaluate(v, ptrSize)], { type: 'evaluate', expression: text, value: v, decimal: signedDecimal(v, ptrSize) });
  },
};

export const dotFormatsCommand: CommandSpec = {
  name: '.formats',
  group: 'meta',
  syntax: '.formats Expression',
  summary: 'Show a value as hex, decimal, octal, binary, characters, time, float and double',
  help: 'The Time line uses this machine\'s time zone, as WinDbg uses the debugger host\'s.',
  examples: ['.formats 0xc0000005', '.formats @rax', '.formats 0n1700000000'],
  noDump: true,
  run(ctx, inv) {
    const text = inv.args.trim();
    if (text === '') throw new CommandError(`Numeric expression missing from '<EOL>'`);
    const t = ctx.session.target;
    const v = evalArg(t, text, inv.raw) & MASK64;
    const ptrSize = t ? t.pointerSize : 8;
    const lines = formatFormats(v, ptrSize);
    const fields: Record<string, string> = {};
    for (const l of lines.slice(1)) {
      const m = /^\s+([^:]+?)\s*:\s*(.*)$/.exec(l);
      if (m) fields[m[1] as string] = m[2] as string;
    }
    return ok(lines, { type: 'formats', expression: text, value: v, fields });
  },
};
