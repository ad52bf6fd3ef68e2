/**
 * Hang analysis across several dumps of one process (`!analyze -hang` with
 * more than one dump open): which blocked threads stayed on the same wait
 * in every dump, and which moved, finished or appeared. A wait that never
 * moved between dumps taken some time apart is the hang.
 *
 * Pure: the command layer runs analyzeHang on each dump and passes the
 * results here with each dump's time and process identity.
 */
import type { BlockedThread, HangAnalysis } from './hang.js';
import { waitText } from './hang.js';
import type { AnalysisThread } from './target.js';
import { frameText } from './target.js';

/** What identifies the process a dump was taken of. */
export interface ProcessIdentity {
  /** MiscInfo ProcessId (MINIDUMP_MISC1_PROCESS_ID), when the dump has it. */
  processId?: number;
  /** MiscInfo ProcessCreateTime (seconds since 1970), when the dump has it (MINIDUMP_MISC1_PROCESS_TIMES). */
  processCreateTime?: number;
  /** The first module of the module list: the program. */
  mainModule?: { path: string; timeDateStamp: number };
  /** Every module's path and base, to spot a module that moved (another run). */
  modules: readonly { path: string; base: bigint }[];
}

export interface IdentityVerdict {
  same: boolean;
  /** One sentence: why they are, or are not, the same process. */
  reason: string;
}

/** One open dump's hang analysis, its time and identity. */
export interface DumpHangState {
  /** The dump's number in the session (`||N`). */
  dumpIndex: number;
  /** File name for the report. */
  name: string;
  /** Header TimeDateStamp: when the dump was written (seconds since 1970, UTC). */
  time: number;
  identity: ProcessIdentity;
  hang: HangAnalysis;
  /** Every thread's stack as the analysis saw it (AnalysisTarget.threads), for the same-stack test. */
  threads: readonly AnalysisThread[];
}

export type ThreadStateKind = 'blocked' | 'running' | 'no-stack' | 'absent';

export interface ThreadStateInDump {
  dumpIndex: number;
  state: ThreadStateKind;
  /** Debugger thread number in that dump. */
  threadIndex?: number;
  /** The wait, for blocked threads (waitText). */
  wait?: string;
}

export type AcrossStatus = 'never-moved' | 'moved' | 'finished' | 'appeared';

export interface AcrossRow {
  threadId: number;
  status: AcrossStatus;
  /** A never-moved wait that holds the program: not idle, not timed. */
  hang: boolean;
  /** Why a never-moved wait is not called the hang, or what changed for a moved thread. */
  detail: string;
  /** The thread in each compared dump, in time order. */
  states: ThreadStateInDump[];
  /** One line for the report. */
  text: string;
}

export interface AcrossResult {
  /** The dumps compared (the current one and every dump of the same process), in time order. */
  compared: { dumpIndex: number; name: string; time: number }[];
  /** Open dumps left out, with why (another program, another process, another run). */
  excluded: { dumpIndex: number; name: string; reason: string }[];
  /** Why the compared dumps count as one process. */
  sameProcessReason?: string;
  /** Threads blocked in at least one compared dump. */
  rows: AcrossRow[];
  /** Caveats (dumps with the same time, nothing compared). */
  notes: string[];
}

function hex(v: number | bigint): string {
  return `0x${v.toString(16)}`;
}

function baseName(path: string): string {
  return path.split(/[\\/]/).pop() ?? path;
}

/** `10 min 5 s`, `2 h 0 min`, `0 s`. */
export function elapsedText(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min ${s % 60} s`;
  if (s < 86400) return `${Math.floor(s / 3600)} h ${Math.floor((s % 3600) / 60)} min`;
  return `${Math.floor(s / 86400)} d ${Math.floor((s % 86400) / 3600)} h`;
}

/** `2026-11-21 08:37:49 UTC` */
export function dumpTimeText(time: number): string {
  return `${new Date(time * 1000).toISOString().slice(0, 19).replace('T', ' ')} UTC`;
}

/**
 * Are two dumps of the same process? Program path and TimeDateStamp must
 * match, and the process id (when both dumps record it). Process ids are
 * reused (Wine starts every fresh prefix at 0x20; Windows recycles ids), so
 * a matching id is not proof: a different ProcessCreateTime, or a module
 * loaded at a different base, shows another run of the same program.
 */
export function sameProcess(a: ProcessIdentity, b: ProcessIdentity): IdentityVerdict {
  if (!a.mainModule || !b.mainModule) return { same: false, reason: 'a dump without a module list cannot be matched to a process' };
  const prog = baseName(a.mainModule.path);
  if (a.mainModule.path.toLowerCase() !== b.mainModule.path.toLowerCase()) {
    return { same: false, reason: `different programs (${a.mainModule.path} and ${b.mainModule.path})` };
  }
  if (a.mainModule.timeDateStamp !== b.mainModule.timeDateStamp) {
    return { same: false, reason: `different builds of ${prog} (TimeDateStamp ${hex(a.mainModule.timeDateStamp)} and ${hex(b.mainModule.timeDateStamp)})` };
  }
  if (a.processId !== undefined && b.processId !== undefined && a.processId !== b.processId) {
    return { same: false, reason: `different processes of ${prog} (process id ${hex(a.processId)} and ${hex(b.processId)})` };
  }
  const pid = a.processId !== undefined && a.processId === b.processId ? `process id ${hex(a.processId)}` : undefined;
  if (a.processCreateTime !== undefined && b.processCreateTime !== undefined && a.processCreateTime !== b.processCreateTime) {
    return { same: false, reason: `different runs of ${prog}: ${pid ? `the same ${pid}, but ` : ''}the processes were created at different times (${dumpTimeText(a.processCreateTime)} and ${dumpTimeText(b.processCreateTime)})` };
  }
  // A DLL keeps its base for the life of the process unless it is unloaded and reloaded.
  const bases = new Map(a.modules.map((m) => [m.path.toLowerCase(), m.base]));
  const moved = b.modules.filter((m) => {
    const base = bases.get(m.path.toLowerCase());
    return base !== undefined && base !== m.base;
  });
  if (moved.length) {
    const first = moved[0]!;
    const names = moved.slice(0, 3).map((m) => baseName(m.path)).join(', ');
    return {
      same: false,
      reason: `different runs of ${prog}: ${pid ? `the same ${pid} (ids are reused), but ` : ''}${names}${moved.length > 3 ? ` and ${moved.length - 3} more` : ''} ${moved.length > 1 ? 'are' : 'is'} loaded at different bases (${baseName(first.path)}: ${hex(bases.get(first.path.toLowerCase())!)} and ${hex(first.base)}), which one run keeps unless a DLL is unloaded and reloaded`,
    };
  }
  const how = [
    pid ?? 'no process id in one of the dumps',
    `${prog} with TimeDateStamp ${hex(a.mainModule.timeDateStamp)}`,
    a.processCreateTime !== undefined && b.processCreateTime !== undefined ? `the same process creation time` : undefined,
    'every shared module at the same base',
  ].filter(Boolean);
  return { same: true, reason: `same process: ${how.join(', ')}` };
}

/** Thread-start thunks: the frames below a thread's own start function on Windows and Wine. */
const THREAD_THUNKS = /^(basethreadinitthunk|rtluserthreadstart|rtlpuserthreadstart)$/i;

/**
 * A thread's start function (`crashlab!order_writer_main`): the frame just
 * above BaseThreadInitThunk/RtlUserThreadStart. Undefined when the walk did
 * not reach those thunks or the frame has no name (a truncated walk must not
 * look like another thread).
 */
export function threadStart(th: AnalysisThread): string | undefined {
  const frames = th.frames ?? [];
  const k = frames.findIndex((f) => f.symbol !== undefined && THREAD_THUNKS.test(f.symbol));
  const start = k > 0 ? frames[k - 1] : undefined;
  return start?.symbol ? frameText({ ...start, displacement: 0n }) : undefined;
}

/**
 * Thread ids present in both dumps whose start function differs: a thread
 * keeps its start function for life, so the id now names another thread
 * (reused in one process, or another run of the program).
 */
export function reusedThreadIds(a: readonly AnalysisThread[], b: readonly AnalysisThread[]): { threadId: number; before: string; after: string }[] {
  const out: { threadId: number; before: string; after: string }[] = [];
  for (const x of a) {
    const y = b.find((t) => t.threadId === x.threadId);
    const before = threadStart(x);
    const after = y ? threadStart(y) : undefined;
    if (before && after && before !== after) out.push({ threadId: x.threadId, before, after });
  }
  return out;
}

/** The wait's identity: function, object(s). */
function waitObjectKey(b: BlockedThread): string {
  const w = b.wait;
  const obj = w.handles?.length ? w.handles.map((h) => hex(h)).join(',') : w.address !== undefined ? hex(w.address) : '?';
  return `${w.kind} ${obj}`;
}

function waitApi(b: BlockedThread): string {
  return frameText({ ...b.waitFrame, displacement: 0n });
}

/** A blocked thread that idles rather than holds the program: pool workers sharing a stack or a handle, message loops. */
function idleReason(b: BlockedThread, all: readonly BlockedThread[]): string | undefined {
  if (b.wait.kind === 'idle-pool') return 'an idle thread-pool worker';
  if (b.wait.kind === 'message') return 'a message loop waiting for input';
  if (b.sameStackAs?.length) return 'an idle pool worker (same stack as other threads)';
  const key = b.wait.handles?.length ? b.wait.handles.join(',') : undefined;
  if (key && all.some((x) => x !== b && x.wait.handles?.join(',') === key)) return 'one of several threads waiting on the same handle (workers waiting for work)';
  return undefined;
}

/** A wait that returns by itself: the thread may have run and come back to the same call in between. */
function timedReason(b: BlockedThread): string | undefined {
  const to = b.wait.timeoutMs;
  if (b.wait.kind === 'sleep') return to === 'INFINITE' ? 'a Sleep(INFINITE): the thread parks itself on purpose' : `a sleep${typeof to === 'number' ? ` of ${to} ms` : ''}: a loop comes back to the same call, so it may have run in between`;
  if (typeof to === 'number') return `a timed wait (${to} ms): it may have timed out and waited again at the same place`;
  return undefined;
}

function stateOf(d: DumpHangState, threadId: number): { state: ThreadStateInDump; blocked?: BlockedThread; stack?: string } {
  const b = d.hang.blocked.find((x) => x.threadId === threadId);
  const th = d.threads.find((x) => x.threadId === threadId);
  const stack = th?.frames?.map((f) => hex(f.pc)).join(' ');
  if (b) return { state: { dumpIndex: d.dumpIndex, state: 'blocked', threadIndex: b.index, wait: waitText(b) }, blocked: b, ...(stack !== undefined ? { stack } : {}) };
  if (!th) return { state: { dumpIndex: d.dumpIndex, state: 'absent' } };
  const kind: ThreadStateKind = th.frames?.length ? 'running' : 'no-stack';
  return { state: { dumpIndex: d.dumpIndex, state: kind, threadIndex: th.index } };
}

/** What changed between two blocked states of a thread. */
function changeText(a: BlockedThread, sa: string | undefined, b: BlockedThread, sb: string | undefined): string | undefined {
  if (waitApi(a) !== waitApi(b)) return `waits in ${waitApi(a)}, then in ${waitApi(b)}`;
  if (waitObjectKey(a) !== waitObjectKey(b)) return `same wait function (${waitApi(a)}) on a different object (${waitText(a)}; then ${waitText(b)})`;
  if (sa !== sb) return `same wait (${waitText(a)}) reached through a different stack`;
  return undefined;
}

const STATUS_ORDER: Record<AcrossStatus, number> = { 'never-moved': 0, moved: 1, finished: 2, appeared: 3 };

function rowFor(threadId: number, dumps: readonly DumpHangState[]): AcrossRow {
  const per = dumps.map((d) => stateOf(d, threadId));
  const states = per.map((p) => p.state);
  const label = (i: number) => `||${dumps[i]!.dumpIndex}`;
  const n = dumps.length;
  const presentIdx = per.map((p, i) => (p.state.state === 'absent' ? -1 : i)).filter((i) => i >= 0);
  const firstPresent = presentIdx[0]!;
  const lastPresent = presentIdx[presentIdx.length - 1]!;
  const contiguous = presentIdx.length === lastPresent - firstPresent + 1;
  const blockedFirst = per.find((p) => p.blocked)!;
  const tid = threadId.toString(16);
  const all = n === 2 ? 'both dumps' : `all ${n} dumps`;
  // Dumps written in the same second: equal waits prove nothing (no time passed).
  const noTime = dumps[n - 1]!.time === dumps[0]!.time;
  const make = (status: AcrossStatus, hang: boolean, detail: string, text: string): AcrossRow => ({ threadId, status, hang, detail, states, text: `Thread id ${tid}: ${text}` });

  if (per.every((p) => p.blocked)) {
    let change: string | undefined;
    let at = 0;
    for (let i = 1; i < n && !change; i++) {
      change = changeText(per[i - 1]!.blocked!, per[i - 1]!.stack, per[i]!.blocked!, per[i]!.stack);
      at = i;
    }
    if (!change) {
      const b = per[n - 1]!.blocked!;
      const where = `${b.caller ? `in ${frameText(b.caller)} ` : ''}${waitText(b)}`;
      const idle = idleReason(b, dumps[n - 1]!.hang.blocked);
      const timed = timedReason(b);
      const why = idle ?? timed ?? (noTime ? 'the dumps carry the same time stamp: no time passed between them, so this proves nothing' : undefined);
      if (why) return make('never-moved', false, why, `same place in ${all} (${where}), but ${why}`);
      return make('never-moved', true, 'blocked on the same wait with the same stack in every dump', `never moved: ${where} in ${all}, same stack: this is the hang`);
    }
    return make('moved', false, change, `moved between ${label(at - 1)} and ${label(at)}: ${change}`);
  }
  if (contiguous && firstPresent > 0 && lastPresent === n - 1) {
    const first = per[firstPresent]!;
    return make('appeared', false, `not in ${label(0)}; first seen in ${label(firstPresent)}`, `appeared in ${label(firstPresent)}${first.blocked ? `: ${waitText(first.blocked)}` : ` (${first.state.state})`}${per.slice(firstPresent).some((p) => !p.blocked) ? '; not blocked in every later dump' : ''}`);
  }
  if (contiguous && firstPresent === 0 && lastPresent < n - 1) {
    const last = per[lastPresent]!;
    return make('finished', false, `gone by ${label(lastPresent + 1)}`, `finished: last seen in ${label(lastPresent)}${last.blocked ? ` (${waitText(last.blocked)})` : ` (${last.state.state})`}, gone by ${label(lastPresent + 1)}`);
  }
  if (!contiguous) {
    return make('moved', false, 'the thread id is missing from a dump in between (the id was reused by a new thread)', `moved: missing from a dump in between (${states.map((s, i) => `${label(i)} ${s.state}`).join(', ')}): the id was reused by a new thread`);
  }
  const notBlocked = per.findIndex((p) => !p.blocked);
  const what = states[notBlocked]!.state === 'running' ? 'running (not in a wait)' : 'without a stack';
  return make('moved', false, `${what} in ${label(notBlocked)}`, `moved: ${blockedFirst.blocked ? waitText(blockedFirst.blocked) : 'blocked'} in ${label(per.indexOf(blockedFirst))}, ${what} in ${label(notBlocked)}`);
}

/**
 * Compares the blocked threads of the current dump with every other open
 * dump of the same process, in dump time order. Dumps of other programs,
 * processes or runs are listed in `excluded` and not compared.
 */
export function compareAcrossDumps(dumps: readonly DumpHangState[], currentIndex: number): AcrossResult {
  const current = dumps.find((d) => d.dumpIndex === currentIndex) ?? dumps[0];
  const result: AcrossResult = { compared: [], excluded: [], rows: [], notes: [] };
  if (!current) return result;
  const same: DumpHangState[] = [current];
  const reasons: string[] = [];
  for (const d of dumps) {
    if (d === current) continue;
    const v = sameProcess(current.identity, d.identity);
    const reused = v.same ? reusedThreadIds(current.threads, d.threads) : [];
    if (v.same && reused.length) {
      // Matching ids prove little (process ids repeat across runs: Wine starts every fresh prefix at 0x20); threads that changed identity show another run.
      const prog = baseName(current.identity.mainModule?.path ?? '');
      const pid = current.identity.processId !== undefined && d.identity.processId !== undefined ? `process id ${hex(current.identity.processId)}, ` : '';
      const shown = reused.slice(0, 2).map((x) => `thread id ${x.threadId.toString(16)} runs ${x.before} in ||${current.dumpIndex} but ${x.after} in ||${d.dumpIndex}`);
      result.excluded.push({
        dumpIndex: d.dumpIndex,
        name: d.name,
        reason: `different runs of ${prog}: ${pid}program and module bases match, but ${shown.join(', and ')}${reused.length > 2 ? ` (and ${reused.length - 2} more)` : ''}; a thread keeps its start function for life, so these ids name other threads, most likely of another run (process ids repeat)`,
      });
    } else if (v.same) {
      same.push(d);
      reasons.push(v.reason);
      const shared = current.threads.filter((x) => d.threads.some((y) => y.threadId === x.threadId));
      if (shared.length && !shared.some((x) => threadStart(x) && threadStart(d.threads.find((y) => y.threadId === x.threadId)!))) {
        result.notes.push(`||${d.dumpIndex}: the threads' start functions have no names (no symbols or images for the thread-start frames), so only the process id and modules say it is the same process; another run of the program would look the same.`);
      }
    } else {
      result.excluded.push({ dumpIndex: d.dumpIndex, name: d.name, reason: v.reason });
    }
  }
  // Time order; dumps with the same time keep the session's order.
  const ordered = [...same].sort((a, b) => a.time - b.time || a.dumpIndex - b.dumpIndex);
  result.compared = ordered.map((d) => ({ dumpIndex: d.dumpIndex, name: d.name, time: d.time }));
  if (ordered.length < 2) {
    result.notes.push('No other open dump is of the same process: nothing to compare.');
    return result;
  }
  if (reasons[0]) result.sameProcessReason = reasons[0];
  for (let i = 1; i < ordered.length; i++) {
    if (ordered[i]!.time === ordered[i - 1]!.time) {
      result.notes.push(`||${ordered[i - 1]!.dumpIndex} and ||${ordered[i]!.dumpIndex} carry the same time stamp (the same moment, or the same dump opened twice): between them nothing could move.`);
    }
  }
  const ids = new Set<number>();
  for (const d of ordered) for (const b of d.hang.blocked) ids.add(b.threadId);
  result.rows = [...ids]
    .map((id) => rowFor(id, ordered))
    .sort((a, b) => Number(b.hang) - Number(a.hang) || STATUS_ORDER[a.status] - STATUS_ORDER[b.status] || a.threadId - b.threadId);
  return result;
}

/** The report section (after the per-dump output). */
export function acrossLines(r: AcrossResult): string[] {
  const lines: string[] = [];
  if (r.compared.length < 2) {
    lines.push('HANG_ACROSS_DUMPS:  nothing compared: no other open dump is of the same process');
    for (const e of r.excluded) lines.push(`    ||${e.dumpIndex} (${e.name}): ${e.reason}`);
    lines.push('');
    return lines;
  }
  lines.push(`HANG_ACROSS_DUMPS:  ${r.compared.length} dumps of the same process over ${elapsedText(r.compared[r.compared.length - 1]!.time - r.compared[0]!.time)}, in time order: ${r.compared.map((d) => `||${d.dumpIndex} ${d.name} (${dumpTimeText(d.time)})`).join(', ')}`);
  if (r.sameProcessReason) lines.push(`    (${r.sameProcessReason})`);
  for (const row of r.rows) lines.push(`    ${row.text}`);
  if (r.rows.length === 0) lines.push('    (no thread is blocked in any of them)');
  for (const n of r.notes) lines.push(`    ${n}`);
  for (const e of r.excluded) lines.push(`    Not compared: ||${e.dumpIndex} (${e.name}): ${e.reason}`);
  lines.push('');
  return lines;
}

/** Plain explanation lines for --explain. */
export function acrossExplain(r: AcrossResult): string[] {
  if (r.compared.length < 2) {
    return [`Across dumps: nothing was compared, because ${r.excluded.length ? r.excluded.map((e) => `||${e.dumpIndex} is not of the same process (${e.reason})`).join('; ') : 'only one dump is open'}. Only dumps of one process show whether a wait moved.`];
  }
  const hung = r.rows.filter((x) => x.hang);
  return [
    hung.length
      ? `Across dumps: thread id${hung.length > 1 ? 's' : ''} ${hung.map((x) => x.threadId.toString(16)).join(' and ')} stayed on the same wait with the same stack in all ${r.compared.length} dumps, ${elapsedText(r.compared[r.compared.length - 1]!.time - r.compared[0]!.time)} apart: a wait that never moves while time passes is the hang.`
      : `Across dumps: no thread stayed blocked on the same wait in all ${r.compared.length} dumps (idle workers and timed sleeps aside): the process was making progress between them.`,
    'How: the dumps were ordered by the time in their headers; each thread id\'s wait (function, object, return addresses) was compared from one dump to the next.',
  ];
}
