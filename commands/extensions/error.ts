/**
 * `!error` (decode a Win32 / NTSTATUS / HRESULT value, windbg-commands.md §2.7)
 * and `!gle` (the thread's last error and last status from its TEB, §2.6).
 */
import type { CommandSpec } from '../../src/interpreter/command.js';
import { CommandError, requireTarget } from '../../src/interpreter/command.js';
import type { Target } from '../../src/session/target.js';
import { ok } from '../../src/results/types.js';
import type { CommandResult } from '../../src/results/types.js';
import { evalPrefix } from '../common/expr.js';
import type { TebInfo } from './teb.js';
import { isWow64, missingMemorySentence, readTebAt, TEB32, TEB64, WOW64_TEB32_OFFSET } from './teb.js';

/** The code tables are large: loaded on first use (src/analysis/codes asks for a lazy import). */
const codes = () => import('../../src/analysis/codes/index.js');

export const errorCommand: CommandSpec = {
  name: '!error',
  group: 'extension',
  syntax: '!error Value [1]',
  summary: 'Decode an error value: Win32 error, NTSTATUS or HRESULT, with its message',
  help: 'The kind follows the value\'s shape: up to 0xFFFF Win32, 0xC0000000.. NTSTATUS, 0x80000000.. HRESULT.\nFlag 1 reads the value as an NTSTATUS.',
  examples: ['!error 2', '!error c0000005', '!error 80070005', '!error 0xc0000135 1'],
  noDump: true,
  async run(ctx, inv) {
    const { describeError, errorLine } = await codes();
    const text = inv.args.trim();
    if (!text) throw new CommandError(`Numeric expression missing from '<EOL>'`);
    const t = ctx.session.target;
    const first = evalPrefix(t, text, inv.raw);
    let ntstatus = false;
    if (first.rest) {
      const flag = evalPrefix(t, first.rest, inv.raw).value;
      ntstatus = (flag & 1n) !== 0n;
    }
    const value = Number(first.value & 0xffffffffn);
    const line = errorLine(value, { ntstatus });
    const d = describeError(value, { ntstatus })[0];
    return ok([line], { type: 'error', value, kind: d?.kind, name: d?.name, message: d?.message });
  },
};

/** The two `!gle` lines for one thread, or a sentence naming the TEB memory the dump lacks. */
async function gleFor(t: Target, index: number): Promise<{ lines: string[]; missing: boolean; data: Record<string, unknown> }> {
  const { lastErrorValueText, lastStatusValueText } = await codes();
  const th = t.thread(index);
  const p = t.pointerSize;
  const layout = p === 8 ? TEB64 : TEB32;
  if (!th || th.teb === 0n) return { lines: [`Thread ${index} has no TEB address in the dump's thread list.`], missing: true, data: { thread: index } };
  const teb = readTebAt(t, th.teb, layout);
  if (teb.lastErrorValue === undefined && teb.lastStatusValue === undefined) {
    return { lines: [missingMemorySentence('TEB', th.teb, layout.size, p)], missing: true, data: { thread: index, teb: th.teb } };
  }
  const pair = (v: TebInfo) => [
    `LastErrorValue: ${v.lastErrorValue === undefined ? '<not in the dump>' : lastErrorValueText(v.lastErrorValue)}`,
    `LastStatusValue: ${v.lastStatusValue === undefined ? '<not in the dump>' : lastStatusValueText(v.lastStatusValue)}`,
  ];
  const data: Record<string, unknown> = { thread: index, threadId: th.threadId, teb: th.teb, lastErrorValue: teb.lastErrorValue, lastStatusValue: teb.lastStatusValue };
  // WOW64: the 32-bit code's values come first, then the native TEB's under `Wow64 TEB status:` (WinDbg transcript).
  const t32 = isWow64(t) ? readTebAt(t, th.teb + WOW64_TEB32_OFFSET, TEB32) : undefined;
  if (t32 && (t32.lastErrorValue !== undefined || t32.lastStatusValue !== undefined)) {
    data['wow64LastErrorValue'] = t32.lastErrorValue;
    data['wow64LastStatusValue'] = t32.lastStatusValue;
    return { lines: [...pair(t32), 'Wow64 TEB status:', ...pair(teb)], missing: false, data };
  }
  return { lines: pair(teb), missing: false, data };
}

export const gleCommand: CommandSpec = {
  name: '!gle',
  group: 'extension',
  syntax: '!gle [-all]',
  summary: 'Last Win32 error and last NTSTATUS of the current thread (from its TEB)',
  help: 'Needs the thread\'s TEB in the dump (full-memory and Crashpad dumps have it). -all shows every thread.',
  examples: ['!gle', '!gle -all', '~*e !gle'],
  threadPrefix: true,
  async run(ctx, inv) {
    const t = requireTarget(ctx);
    const all = /(^|\s)-all\b/i.test(inv.args);
    if (!all) {
      const r = await gleFor(t, t.currentThread);
      const res: CommandResult = r.missing ? { blocks: [{ kind: 'error', lines: r.lines }], failed: true } : ok(r.lines);
      res.data = { type: 'gle', ...r.data };
      return res;
    }
    const lines: string[] = [];
    const threads: Record<string, unknown>[] = [];
    for (let i = 0; i < t.threads().length; i++) {
      if (i > 0) lines.push('');
      const r = await gleFor(t, i);
      lines.push(`Last error for thread ${i}:`, ...r.lines);
      threads.push(r.data);
    }
    return ok(lines, { type: 'gle', all: true, threads });
  },
};
