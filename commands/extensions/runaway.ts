/**
 * `!runaway [Flags]` (windbg-commands.md §3.6): per-thread user, kernel and
 * elapsed times from the dump's ThreadInfoList stream (A.12), longest first.
 * Without that stream there are no times to show, and the command says so.
 */
import type { CommandSpec } from '../../src/interpreter/command.js';
import { CommandError, requireTarget } from '../../src/interpreter/command.js';
import type { Target } from '../../src/session/target.js';
import { fail, ok } from '../../src/results/types.js';
import { evalArg } from '../common/expr.js';

const THREAD_INFO_LIST_STREAM = 17;
/** 100-ns ticks between 1601-01-01 (FILETIME) and 1970-01-01 (time_t). */
const FILETIME_UNIX_EPOCH = 116444736000000000n;

/** `D days H:MM:SS.mmm` for a duration in 100-ns ticks (milliseconds truncated). */
export function runawayTime(ticks: bigint): string {
  const totalMs = ticks < 0n ? 0n : ticks / 10000n;
  const ms = totalMs % 1000n;
  const totalS = totalMs / 1000n;
  const s = totalS % 60n;
  const m = (totalS / 60n) % 60n;
  const h = (totalS / 3600n) % 24n;
  const d = totalS / 86400n;
  return `${d} days ${h}:${String(m).padStart(2, '0')}:${String(s).padStart(2, '0')}.${String(ms).padStart(3, '0')}`;
}

export interface RunawayRow {
  index: number;
  threadId: number;
  ticks: bigint;
}

function section(title: string, rows: RunawayRow[]): string[] {
  const sorted = [...rows].sort((a, b) => (a.ticks === b.ticks ? a.index - b.index : a.ticks > b.ticks ? -1 : 1));
  // `   13:4e1c     0 days ...`: three spaces, index:tid, the time from column 15 (WinDbg transcripts).
  const row = (r: RunawayRow) => {
    const head = `   ${r.index}:${r.threadId.toString(16)}`;
    return `${head.length < 15 ? head.padEnd(15) : `${head} `}${runawayTime(r.ticks)}`;
  };
  return [` ${title}`, '  Thread       Time', ...sorted.map(row)];
}

/** The dump's own time as a FILETIME (the header's TimeDateStamp is a time_t). */
function dumpFiletime(t: Target): bigint {
  return BigInt(t.dump.header.timeDateStamp) * 10000000n + FILETIME_UNIX_EPOCH;
}

export function runRunaway(t: Target, flags: number) {
  if (!t.dump.streamEntry(THREAD_INFO_LIST_STREAM)) {
    return fail([`!runaway needs the ThreadInfoList stream (${THREAD_INFO_LIST_STREAM}), which this dump does not have (it was written without MiniDumpWithThreadInfo; procdump -ma and .dump /ma include it).`], { type: 'runaway', available: false });
  }
  const infos = t.dump.threadInfo();
  const now = dumpFiletime(t);
  const user: RunawayRow[] = [];
  const kernel: RunawayRow[] = [];
  const elapsed: RunawayRow[] = [];
  const rows: Record<string, unknown>[] = [];
  for (const info of infos) {
    const index = t.threadIndexByTid(info.threadId);
    if (index === undefined) continue;
    const end = info.exitTime !== 0n ? info.exitTime : now;
    const el = info.createTime !== 0n && end > info.createTime ? end - info.createTime : 0n;
    user.push({ index, threadId: info.threadId, ticks: info.userTime });
    kernel.push({ index, threadId: info.threadId, ticks: info.kernelTime });
    elapsed.push({ index, threadId: info.threadId, ticks: el });
    rows.push({ index, threadId: info.threadId, userTime: info.userTime, kernelTime: info.kernelTime, elapsedTime: el, createTime: info.createTime, exitTime: info.exitTime });
  }
  const lines: string[] = [];
  if (flags & 1) lines.push(...section('User Mode Time', user));
  if (flags & 2) lines.push(...section('Kernel Mode Time', kernel));
  if (flags & 4) lines.push(...section('Elapsed Time', elapsed));
  return ok(lines, { type: 'runaway', flags, units: '100ns', threads: rows });
}

export const runawayCommand: CommandSpec = {
  name: '!runaway',
  group: 'extension',
  syntax: '!runaway [Flags]',
  summary: 'CPU time per thread (1 user, 2 kernel, 4 elapsed; combine: 7), longest first',
  help: 'Needs the ThreadInfoList stream (procdump -ma, .dump /ma or /mt). Elapsed time runs from thread creation to its exit or to the time the dump was written.',
  examples: ['!runaway', '!runaway 7', '!runaway 2'],
  run(ctx, inv) {
    const t = requireTarget(ctx);
    const arg = inv.args.trim();
    const flags = arg ? Number(evalArg(t, arg, inv.raw) & 0xffn) : 1;
    if (flags === 0) throw new CommandError('!runaway flags: 1 user time, 2 kernel time, 4 elapsed time');
    return runRunaway(t, flags);
  },
};
