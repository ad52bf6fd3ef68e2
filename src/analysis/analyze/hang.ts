/**
 * Hang analysis (`!analyze -hang`, `!locks`): which threads are blocked,
 * on what (handles, critical sections, sleeps, address waits), who owns
 * what can be proven from memory, and wait chains / deadlock cycles.
 *
 * What a user-mode dump can and cannot prove: critical-section owners are
 * in process memory (RTL_CRITICAL_SECTION.OwningThread); mutex owners are
 * kernel state, never in a minidump; handle types and names need the
 * handle stream (MiniDumpWithHandleData); stack memory may be missing.
 */
import { createDisassembler } from '../disasm/index.js';
import type { Disassembler } from '../disasm/index.js';
import type { EarlierCall, RecoveredArg } from './args.js';
import { earlierCalls, recoverArgument } from './args.js';
import { skipReason } from './blame.js';
import type { AnalysisFrame, AnalysisHandle, AnalysisTarget, AnalysisThread } from './target.js';
import { frameText, readExact, readRuntime } from './target.js';

export type WaitKind = 'handle' | 'handles' | 'critical-section' | 'srw-lock' | 'condition-variable' | 'address' | 'sleep' | 'io' | 'message' | 'idle-pool' | 'alert' | 'syscall';

interface WaitApi {
  /** Lower-case names (without module); `*` suffix = prefix. */
  names: string[];
  kind: WaitKind;
  /** Which argument holds the object (handle, CS address, …). */
  objectArg?: number;
  /** For WaitForMultipleObjects-style APIs: count and array arguments. */
  countArg?: number;
  arrayArg?: number;
  timeoutArg?: number;
}

/** Wait functions by name, matched case-insensitively with or without the module (`kernelbase!WaitForSingleObject`). */
const WAIT_APIS: WaitApi[] = [
  { names: ['waitforsingleobject', 'waitforsingleobjectex'], kind: 'handle', objectArg: 0, timeoutArg: 1 },
  { names: ['ntwaitforsingleobject', 'zwwaitforsingleobject'], kind: 'handle', objectArg: 0 },
  { names: ['signalobjectandwait'], kind: 'handle', objectArg: 1, timeoutArg: 2 },
  { names: ['waitformultipleobjects', 'waitformultipleobjectsex', 'msgwaitformultipleobjects'], kind: 'handles', countArg: 0, arrayArg: 1, timeoutArg: 3 },
  // MsgWaitForMultipleObjectsEx(count, handles, timeout, wakeMask, flags); NtWaitForMultipleObjects(count, handles, type, alertable, timeout*).
  { names: ['msgwaitformultipleobjectsex'], kind: 'handles', countArg: 0, arrayArg: 1, timeoutArg: 2 },
  { names: ['ntwaitformultipleobjects', 'zwwaitformultipleobjects'], kind: 'handles', countArg: 0, arrayArg: 1 },
  // CoWaitForMultipleHandles(flags, timeout, count, handles, index).
  { names: ['cowaitformultiplehandles'], kind: 'handles', countArg: 2, arrayArg: 3, timeoutArg: 1 },
  { names: ['entercriticalsection', 'rtlentercriticalsection', 'rtlpentercriticalsectioncontended', 'rtlpwaitforcriticalsection', 'rtlpwaitoncriticalsection'], kind: 'critical-section', objectArg: 0 },
  { names: ['acquiresrwlockexclusive', 'acquiresrwlockshared', 'rtlacquiresrwlockexclusive', 'rtlacquiresrwlockshared', 'rtlpwaitcouldnotacquiresrwlock'], kind: 'srw-lock', objectArg: 0 },
  { names: ['sleepconditionvariablecs', 'sleepconditionvariablesrw', 'rtlsleepconditionvariablecs', 'rtlsleepconditionvariablesrw'], kind: 'condition-variable', objectArg: 0 },
  { names: ['waitonaddress', 'rtlwaitonaddress', 'rtlpwaitonaddress*'], kind: 'address', objectArg: 0 },
  { names: ['sleep', 'sleepex'], kind: 'sleep', timeoutArg: 0 },
  { names: ['ntdelayexecution', 'zwdelayexecution'], kind: 'sleep' },
  { names: ['getqueuedcompletionstatus', 'getqueuedcompletionstatusex', 'ntremoveiocompletion', 'ntremoveiocompletionex', 'zwremoveiocompletion'], kind: 'io', objectArg: 0 },
  { names: ['readfile', 'writefile', 'connectnamedpipe', 'ntreadfile', 'ntwritefile', 'ntfscontrolfile', 'deviceiocontrol', 'ntdeviceiocontrolfile', 'recv', 'accept', 'select', 'wsarecv'], kind: 'io', objectArg: 0 },
  { names: ['getmessagew', 'getmessagea', 'waitmessage', 'ntusergetmessage', 'ntuserwaitmessage', 'ntusermsgwaitformultipleobjectsex'], kind: 'message' },
  { names: ['ntwaitforworkviaworkerfactory', 'tppworkerthread', 'tppworkerpwait'], kind: 'idle-pool' },
  { names: ['ntwaitforalertbythreadid', 'ntwaitforkeyedevent', 'zwwaitforkeyedevent'], kind: 'alert' },
];

/** How strongly a wait keeps the program from progressing (for ordering the report). */
const LOCK_KINDS = new Set<WaitKind>(['handle', 'handles', 'critical-section', 'srw-lock', 'condition-variable']);

function normalize(s: string): string {
  return s.toLowerCase().replace(/@\d+$/, '').replace(/^_+/, '');
}

/** The wait API a frame is in, matched on its function name. */
export function waitApiOf(f: AnalysisFrame): WaitApi | undefined {
  if (!f.symbol) return undefined;
  const n = normalize(f.symbol.includes('!') ? f.symbol.slice(f.symbol.indexOf('!') + 1) : f.symbol);
  return WAIT_APIS.find((w) => w.names.some((x) => (x.endsWith('*') ? n.startsWith(x.slice(0, -1)) : n === x)));
}

/** RTL_CRITICAL_SECTION read from memory (x64: 40 bytes, x86: 24 bytes). */
export interface CriticalSectionState {
  address: bigint;
  debugInfo: bigint;
  lockCount: number;
  recursionCount: number;
  /** OwningThread: the owner's thread id (a HANDLE-sized field holding a TID). */
  owningThread: bigint;
  lockSemaphore: bigint;
  spinCount: bigint;
  locked: boolean;
  /** Waiters implied by LockCount, when the encoding allows (pre-Vista/Wine: LockCount itself; Vista+: (-1 - LockCount) >> 2). */
  waiters?: number;
}

/** Reads an RTL_CRITICAL_SECTION; undefined when the memory is not in the dump. */
export function readCriticalSection(t: AnalysisTarget, addr: bigint): CriticalSectionState | undefined {
  const ps = t.pointerSize;
  const size = ps === 8 ? 40 : 24;
  const b = readRuntime(t, addr, size);
  if (!b) return undefined;
  const ptr = (o: number) => (ps === 8 ? b.readBigUInt64LE(o) : BigInt(b.readUInt32LE(o)));
  const lockCount = b.readInt32LE(ps);
  const recursionCount = b.readInt32LE(ps + 4);
  const owningThread = ptr(ps + 8);
  const cs: CriticalSectionState = {
    address: addr,
    debugInfo: ptr(0),
    lockCount,
    recursionCount,
    owningThread,
    lockSemaphore: ptr(2 * ps + 8),
    spinCount: ptr(3 * ps + 8),
    // Owned whenever an owner is recorded; LockCount encodings differ (Vista+ bit 0 clear = locked, older/Wine >= 0).
    locked: owningThread !== 0n || lockCount >= 0,
  };
  return cs;
}

/** A plausible RTL_CRITICAL_SECTION (for vetting recovered pointers). */
function plausibleCs(t: AnalysisTarget, addr: bigint): boolean {
  if (addr < 0x10000n || addr % 4n !== 0n) return false;
  const cs = readCriticalSection(t, addr);
  if (!cs) return false;
  return cs.recursionCount >= 0 && cs.recursionCount < 0x10000 && cs.owningThread < 0x100000000n;
}

/** Handle values are small multiples of 4 (pseudo-handles excepted). */
function plausibleHandle(v: bigint): boolean {
  return v !== 0n && v < 0x1000000n && v % 4n === 0n;
}

export interface WaitObject {
  kind: WaitKind;
  /** The handle(s) waited on. */
  handles?: bigint[];
  /** Address of the critical section / SRW lock / address waited on. */
  address?: bigint;
  timeoutMs?: number | 'INFINITE';
  /** How the value was recovered, or why it could not be. */
  recovered?: RecoveredArg;
  unrecoveredReason?: string;
  /** Handle stream entries for the handles, when the dump has one. */
  handleInfo?: (AnalysisHandle | undefined)[];
  criticalSection?: CriticalSectionState;
}

export interface BlockedThread {
  index: number;
  threadId: number;
  /** The outermost wait API frame (the call the program made). */
  waitFrame: AnalysisFrame;
  waitFrameIndex: number;
  /** The first frame of the program's own code below the wait, when any. */
  caller?: AnalysisFrame;
  wait: WaitObject;
  /** Other blocked threads with exactly the same stack (an idle pool waits like this). */
  sameStackAs?: number[];
  /** Waits the caller completed earlier in the same function (objects it probably holds if they are mutexes). */
  earlierWaits?: EarlierCall[];
}

export interface WaitEdge {
  from: number;
  /** Thread index of the owner, when proven. */
  to?: number;
  description: string;
  proven: boolean;
}

export interface HangAnalysis {
  blocked: BlockedThread[];
  /** Threads with no context or no stack. */
  unknown: AnalysisThread[];
  /** Threads not in a recognized wait (running, or waits we do not recognize). */
  running: AnalysisThread[];
  edges: WaitEdge[];
  /** Cycles of thread indexes; `proven` when every edge is. */
  cycles: { threads: number[]; proven: boolean }[];
  /** The thread WinDbg would point at (first thread in a cycle, else first lock waiter in own code). */
  primary?: BlockedThread;
  problemClass: string;
  /** Plain lines for the report (after the banner). */
  explain: string[];
  /** Limits: what the dump cannot tell, one sentence each. */
  limits: string[];
  /** A lock-order deadlock that fits the stacks but cannot be proven (handle waits). */
  suspicion?: string;
  data: Record<string, unknown>;
}

function hex(v: bigint): string {
  return `0x${v.toString(16)}`;
}

function timeoutOf(t: AnalysisTarget, frames: readonly AnalysisFrame[], k: number, api: WaitApi, d: Disassembler | undefined): number | 'INFINITE' | undefined {
  if (api.timeoutArg === undefined) return undefined;
  const r = recoverArgument(t, frames, k, api.timeoutArg, (v) => v <= 0xffffffffn, d);
  if (!r) return undefined;
  const v = Number(r.value & 0xffffffffn);
  return v === 0xffffffff ? 'INFINITE' : v;
}

/** Finds the wait a thread is blocked in, and recovers what it waits on. */
export function blockedThread(t: AnalysisTarget, th: AnalysisThread, d?: Disassembler): BlockedThread | undefined {
  const frames = th.frames;
  if (!frames?.length) return undefined;
  const firstOwn = frames.findIndex((f) => skipReason(f, t.modules) === undefined);
  const limit = firstOwn >= 0 ? firstOwn : frames.length;
  // The outermost wait API above the program's own code is the call the program made.
  const waits: { index: number; api: WaitApi }[] = [];
  for (let i = 0; i < limit; i++) {
    const api = waitApiOf(frames[i]!);
    if (api) waits.push({ index: i, api });
  }
  if (waits.length === 0) return unnamedSyscall(t, th, frames, firstOwn);
  const outer = waits[waits.length - 1]!;
  const wait: WaitObject = { kind: outer.api.kind };
  const bt: BlockedThread = { index: th.index, threadId: th.threadId, waitFrame: frames[outer.index]!, waitFrameIndex: outer.index, wait };
  if (firstOwn >= 0) bt.caller = frames[firstOwn]!;
  // Try the outer call first, then the inner wait frames (a wrapper passes the same object down).
  for (const w of [...waits].reverse()) {
    if (w.api.kind !== outer.api.kind && !(outer.api.kind === 'handle' && w.api.kind === 'handles')) continue;
    if (w.api.objectArg !== undefined && (w.api.kind === 'handle')) {
      const r = recoverArgument(t, frames, w.index, w.api.objectArg, plausibleHandle, d);
      if (r) {
        wait.kind = 'handle';
        wait.handles = [r.value];
        wait.recovered = r;
        break;
      }
    } else if (w.api.kind === 'handles' && w.api.arrayArg !== undefined && w.api.countArg !== undefined) {
      const c = recoverArgument(t, frames, w.index, w.api.countArg, (v) => v >= 1n && v <= 64n, d);
      const a = recoverArgument(t, frames, w.index, w.api.arrayArg, (v) => v >= 0x10000n, d);
      if (c && a) {
        const hs: bigint[] = [];
        for (let i = 0; i < Number(c.value); i++) {
          const b = readRuntime(t, a.value + BigInt(i * t.pointerSize), t.pointerSize);
          if (!b) break;
          hs.push(t.pointerSize === 8 ? b.readBigUInt64LE(0) : BigInt(b.readUInt32LE(0)));
        }
        if (hs.length === Number(c.value) && hs.every(plausibleHandle)) {
          wait.kind = outer.api.kind === 'handle' && hs.length === 1 ? 'handle' : 'handles';
          wait.handles = hs;
          wait.recovered = { value: a.value, source: a.source, detail: `handle array at ${hex(a.value)} (${a.detail}), count ${c.value}` };
          break;
        }
      }
    } else if (w.api.objectArg !== undefined) {
      const accept = w.api.kind === 'critical-section' ? (v: bigint) => plausibleCs(t, v) : (v: bigint) => v >= 0x10000n;
      const r = recoverArgument(t, frames, w.index, w.api.objectArg, accept, d);
      if (r) {
        wait.address = r.value;
        wait.recovered = r;
        if (w.api.kind === 'critical-section') {
          const cs = readCriticalSection(t, r.value);
          if (cs) wait.criticalSection = cs;
        }
        break;
      }
    }
  }
  if (!wait.recovered && (outer.api.objectArg !== undefined || outer.api.arrayArg !== undefined)) {
    wait.unrecoveredReason =
      t.arch === 'amd64'
        ? 'the argument was passed in a register that the wait overwrote, and neither the call site nor the home slots hold it in this dump'
        : 'the argument\'s stack slot is not in the dump';
  }
  if (bt.caller && (wait.kind === 'handle' || wait.kind === 'handles')) {
    const done = earlierCalls(t, bt.caller, plausibleHandle, d).filter((c) => c.firstArg && waitApiOf({ ...bt.caller!, symbol: c.callee })?.kind === 'handle');
    if (done.length) bt.earlierWaits = done;
  }
  const to = timeoutOf(t, frames, outer.index, outer.api, d);
  if (to !== undefined) wait.timeoutMs = to;
  if (wait.handles && t.handles) wait.handleInfo = wait.handles.map((h) => t.handles!.find((x) => x.handle === h));
  return bt;
}

/**
 * Without symbols for ntdll/win32u the wait function has no name, but a
 * thread stopped right after a `syscall` instruction (0F 05) there is in
 * a system call: almost always a wait. Reported as such, without an object.
 */
function unnamedSyscall(t: AnalysisTarget, th: AnalysisThread, frames: AnalysisFrame[], firstOwn: number): BlockedThread | undefined {
  const top = frames[0]!;
  if (t.arch !== 'amd64' || top.symbol || !top.module || !/^(ntdll|win32u)$/i.test(top.module)) return undefined;
  const before = readExact(t, top.pc - 2n, 2);
  if (!before || before[0] !== 0x0f || before[1] !== 0x05) return undefined;
  const bt: BlockedThread = { index: th.index, threadId: th.threadId, waitFrame: top, waitFrameIndex: 0, wait: { kind: 'syscall' } };
  if (firstOwn >= 0) bt.caller = frames[firstOwn]!;
  return bt;
}

/** One sentence: what the thread waits on. */
export function waitText(b: BlockedThread): string {
  const w = b.wait;
  const api = frameText({ ...b.waitFrame, displacement: 0n });
  const to = w.timeoutMs === undefined ? '' : w.timeoutMs === 'INFINITE' ? ', timeout INFINITE' : `, timeout ${w.timeoutMs} ms`;
  const handleText = (h: bigint, i: number) => {
    const info = w.handleInfo?.[i];
    if (!info) return `handle ${hex(h)}`;
    return `${info.typeName ? info.typeName.toLowerCase() : 'object'} handle ${hex(h)}${info.objectName ? ` "${info.objectName}"` : ''}`;
  };
  switch (w.kind) {
    case 'handle':
    case 'handles':
      if (w.handles?.length) return `waits in ${api} on ${w.handles.map(handleText).join(', ')}${to}`;
      return `waits in ${api} on a handle that cannot be recovered${to}`;
    case 'critical-section': {
      if (w.address === undefined) return `waits in ${api} for a critical section whose address cannot be recovered`;
      const cs = w.criticalSection;
      return `waits in ${api} for critical section ${hex(w.address)}${cs && cs.owningThread !== 0n ? ` owned by thread id ${hex(cs.owningThread)}` : ''}`;
    }
    case 'srw-lock':
      return `waits in ${api} for SRW lock ${w.address !== undefined ? hex(w.address) : '(address not recovered)'}`;
    case 'condition-variable':
      return `waits in ${api} on condition variable ${w.address !== undefined ? hex(w.address) : '(address not recovered)'}`;
    case 'address':
      return `waits in ${api} on address ${w.address !== undefined ? hex(w.address) : '(not recovered)'}`;
    case 'sleep':
      return `sleeps in ${api}${w.timeoutMs === undefined ? '' : w.timeoutMs === 'INFINITE' ? ' forever (INFINITE)' : ` for ${w.timeoutMs} ms`}`;
    case 'io':
      return `waits for I/O in ${api}`;
    case 'message':
      return `waits for window messages in ${api}`;
    case 'idle-pool':
      return `is an idle thread-pool worker (${api})`;
    case 'alert':
      return `waits in ${api}`;
    case 'syscall':
      return `is in a system call at ${frameText(b.waitFrame)} (no symbols name it; most likely a wait)`;
  }
}

/** Analyzes every thread's stack for blocking waits, owners and cycles. */
export function analyzeHang(t: AnalysisTarget): HangAnalysis {
  const d = t.arch === 'amd64' || t.arch === 'x86' ? createDisassembler(t.arch, undefined, (a) => `0x${a.toString(16)}`) : undefined;
  const blocked: BlockedThread[] = [];
  const unknown: AnalysisThread[] = [];
  const running: AnalysisThread[] = [];
  try {
    for (const th of t.threads) {
      if (!th.frames?.length) {
        unknown.push(th);
        continue;
      }
      const b = blockedThread(t, th, d);
      if (b) blocked.push(b);
      else running.push(th);
    }
  } finally {
    d?.free();
  }
  for (const b of blocked) {
    const same = sameStackThreads(t, b, blocked);
    if (same.length) b.sameStackAs = same;
  }
  const byTid = new Map(t.threads.map((th) => [th.threadId, th.index]));
  const edges: WaitEdge[] = [];
  const limits: string[] = [];
  for (const b of blocked) {
    const w = b.wait;
    if (w.kind === 'critical-section' && w.criticalSection) {
      const owner = w.criticalSection.owningThread;
      const idx = byTid.get(Number(owner));
      if (owner !== 0n) {
        const e: WaitEdge = {
          from: b.index,
          description: `thread ${b.index} waits for critical section ${hex(w.address!)} owned by ${idx !== undefined ? `thread ${idx} (id ${hex(owner)})` : `thread id ${hex(owner)}, which is not in the dump (it may have exited while holding the lock: an orphaned critical section)`}`,
          proven: true,
        };
        if (idx !== undefined) e.to = idx;
        edges.push(e);
      } else {
        edges.push({ from: b.index, description: `thread ${b.index} waits for critical section ${hex(w.address!)}, which records no owner (released just now, or corrupted)`, proven: true });
      }
    } else if ((w.kind === 'handle' || w.kind === 'handles') && w.handles?.length && !b.sameStackAs) {
      const types = w.handleInfo?.map((h) => h?.typeName.toLowerCase());
      const what = w.handles.map((h, i) => `${types?.[i] ?? 'object'} handle ${hex(h)}`).join(', ');
      edges.push({ from: b.index, description: `thread ${b.index} waits on ${what}; its owner/signaller cannot be proven from a user-mode dump`, proven: false });
    }
  }
  // Suspected holders: a blocked thread whose own frames still hold the handle another thread waits on.
  const suspected = suspectHolders(t, blocked);
  for (const s of suspected) {
    edges.push({ from: s.waiter, to: s.holder, description: `thread ${s.waiter} waits on handle ${hex(s.handle)}, which thread ${s.holder} probably holds (${s.where}); not proven: if it is a mutex, its owner is kernel state`, proven: false });
  }
  const cycles = findCycles(edges);
  const hasHandleStream = t.handles !== undefined;
  if (blocked.some((b) => b.wait.handles?.length)) {
    limits.push('Mutex owners (and who will signal an event) are kernel state: a user-mode dump does not record them, so the owner of a waited handle cannot be proven.');
    if (!hasHandleStream) limits.push('This dump has no handle stream (MiniDumpWithHandleData), so the handles\' object types and names (mutex, event, …) are unknown; procdump -ma or -mp records them.');
  }
  if (blocked.some((b) => b.wait.unrecoveredReason)) limits.push('Some wait arguments could not be recovered: they were passed in registers and the dump keeps neither the registers of that moment nor a stack copy (a full-memory dump does not change this; symbols with parameter info can).');
  if (blocked.some((b) => b.wait.kind === 'critical-section' && b.wait.address !== undefined && !b.wait.criticalSection)) limits.push('A critical section\'s memory is not in this mini dump, so its owner cannot be read; a dump with full memory (procdump -ma) has it.');
  if (blocked.some((b) => b.wait.kind === 'syscall')) limits.push('Some waits are in system calls that no symbol names (ntdll/win32u without symbols or image): give the image path (-i) or a symbol server (.symfix) to name the wait functions and recover what they wait on.');
  if (unknown.length) limits.push(`Threads ${unknown.map((u) => u.index).join(', ')} have no stack in this dump (${unknown[0]!.noFramesReason ?? 'no context'}).`);

  const inCycle = cycles[0]?.threads[0];
  const primary = inCycle !== undefined ? blocked.find((b) => b.index === inCycle)
    : blocked.find((b) => LOCK_KINDS.has(b.wait.kind) && b.caller && b.wait.kind === 'critical-section')
      ?? blocked.find((b) => LOCK_KINDS.has(b.wait.kind) && b.caller && !isSharedWait(b, blocked) && sameStackThreads(t, b, blocked).length === 0)
      ?? blocked.find((b) => LOCK_KINDS.has(b.wait.kind) && b.caller);
  const problemClass = cycles.some((c) => c.proven) ? 'APPLICATION_HANG_DEADLOCK' : cycles.length ? 'APPLICATION_HANG_SUSPECTED_DEADLOCK' : blocked.length ? 'APPLICATION_HANG_BLOCKED' : 'APPLICATION_HANG';
  const explain: string[] = [];
  explain.push(blocked.length
    ? `What happened: ${blocked.length} of ${t.threads.length} threads are blocked in waits; ${cycles.length ? `${cycles.some((c) => c.proven) ? 'a deadlock' : 'a suspected deadlock'} between threads ${cycles[0]!.threads.join(' and ')}` : 'no wait cycle was found'}.`
    : 'What happened: no thread is in a recognized wait function; the process may be busy (check !runaway) rather than blocked.');
  let suspicion: string | undefined;
  const lockWaiters = blocked.filter((b) => b.caller && b.wait.handles?.length === 1 && b.wait.timeoutMs === 'INFINITE' && !b.sameStackAs && !isSharedWait(b, blocked));
  if (!cycles.length && lockWaiters.length >= 2) {
    suspicion = `Threads ${lockWaiters.map((b) => b.index).join(' and ')} wait forever on different handles (${lockWaiters.map((b) => hex(b.wait.handles![0]!)).join(', ')}) from the program's own code: if these are mutexes and each thread holds the one the other waits for, this is a lock-order deadlock. The dump cannot prove it (mutex owners are kernel state).`;
    explain.push(suspicion);
  }
  explain.push('How: each thread\'s stack was searched for wait functions (WaitForSingleObject, WaitForMultipleObjects, EnterCriticalSection, Sleep, …) by name; the waited object was recovered from the caller\'s code and registers, or from the stack slots where the arguments were spilled.');
  if (primary) explain.push(`Blamed ${primary.caller ? frameText(primary.caller) : frameText(primary.waitFrame)} on thread ${primary.index}: the program's own code that made the blocking call${inCycle !== undefined ? ' in the wait cycle' : ''}.`);
  explain.push(...limits);
  explain.push('Next: `~*kb` for every stack; `!locks` for the critical sections found; with the handle stream, `!handle <h> f` names a waited object.');
  return {
    blocked,
    unknown,
    running,
    edges,
    cycles,
    ...(primary ? { primary } : {}),
    ...(suspicion ? { suspicion } : {}),
    problemClass,
    explain,
    limits,
    data: {
      problemClass,
      blockedThreads: blocked.map((b) => ({
        index: b.index,
        threadId: b.threadId,
        waitFunction: frameText({ ...b.waitFrame, displacement: 0n }),
        caller: b.caller ? frameText(b.caller) : undefined,
        kind: b.wait.kind,
        handles: b.wait.handles,
        address: b.wait.address,
        timeoutMs: b.wait.timeoutMs,
        handleInfo: b.wait.handleInfo,
        criticalSection: b.wait.criticalSection,
        recoveredFrom: b.wait.recovered ? { source: b.wait.recovered.source, detail: b.wait.recovered.detail } : undefined,
        unrecoveredReason: b.wait.unrecoveredReason,
        text: waitText(b),
        sameStackAs: b.sameStackAs,
        earlierWaits: b.earlierWaits?.map((e) => ({ callee: e.callee, address: e.address, handle: e.firstArg?.value })),
      })),
      threadsWithoutStack: unknown.map((u) => ({ index: u.index, threadId: u.threadId, reason: u.noFramesReason })),
      runningThreads: running.map((r) => ({ index: r.index, threadId: r.threadId })),
      waitChains: edges,
      cycles,
      primaryThread: primary?.index,
      suspicion,
      limits,
    },
  };
}

/** True when several threads wait on exactly the same handles (a pool waiting for work). */
function isSharedWait(b: BlockedThread, all: BlockedThread[]): boolean {
  const key = b.wait.handles?.join(',');
  if (!key) return false;
  return all.filter((x) => x.wait.handles?.join(',') === key).length > 1;
}

/** The functions of a thread's stack (`mod!fn` per frame), to spot identical stacks. */
function stackSignature(t: AnalysisTarget, index: number): string {
  return (t.threads[index]?.frames ?? []).map((f) => frameText({ ...f, displacement: f.symbol ? 0n : f.displacement })).join(' <- ');
}

/** Other blocked threads whose whole stack is the same function sequence (workers of one pool waiting for work). */
export function sameStackThreads(t: AnalysisTarget, b: BlockedThread, all: readonly BlockedThread[]): number[] {
  // Only whole stacks count: a stack cut short after the system frames says nothing about who waits.
  if (!b.caller) return [];
  const sig = stackSignature(t, b.index);
  return all.filter((x) => x !== b && stackSignature(t, x.index) === sig).map((x) => x.index);
}

/**
 * For each handle a thread waits on, a different blocked thread whose
 * own-code frames hold the same value in a recovered nonvolatile register or
 * in their stack slots (a held mutex's handle usually stays in a local).
 */
function suspectHolders(t: AnalysisTarget, blocked: BlockedThread[]): { waiter: number; holder: number; handle: bigint; where: string }[] {
  const out: { waiter: number; holder: number; handle: bigint; where: string }[] = [];
  for (const w of blocked) {
    if (!w.wait.handles?.length || w.wait.handles.length !== 1 || isSharedWait(w, blocked)) continue;
    const h = w.wait.handles[0]!;
    for (const o of blocked) {
      if (o === w || !o.caller || o.wait.handles?.some((x) => x === h)) continue;
      const done = o.earlierWaits?.find((e) => e.firstArg?.value === h);
      const where = done
        ? `it already returned from ${done.callee}(${hex(h)}) at ${hex(done.address)} in ${frameText({ ...o.caller, displacement: 0n })}`
        : holdsValue(t, o, h);
      if (where) {
        out.push({ waiter: w.index, holder: o.index, handle: h, where });
        break;
      }
    }
  }
  return out;
}

function holdsValue(t: AnalysisTarget, b: BlockedThread, value: bigint): string | undefined {
  const th = t.threads[b.index];
  const frames = th?.frames ?? [];
  const start = b.caller ? b.caller.index : frames.length;
  for (let i = start; i < frames.length; i++) {
    const f = frames[i]!;
    if (skipReason(f, t.modules) !== undefined) continue;
    const next = frames[i + 1];
    if (!next || next.sp <= f.sp || next.sp - f.sp > 0x1000n) continue;
    const len = Number(next.sp - f.sp);
    const mem = t.read(f.sp, len);
    for (let o = 0; o + t.pointerSize <= mem.length; o += t.pointerSize) {
      const v = t.pointerSize === 8 ? mem.readBigUInt64LE(o) : BigInt(mem.readUInt32LE(o));
      if (v === value) return `a stack slot of ${frameText(f)} at ${hex(f.sp + BigInt(o))}`;
    }
  }
  return undefined;
}

function sameStackText(others: number[]): string {
  if (others.length > 6) return `same stack as ${others.length} other threads: ${others.slice(0, 4).join(', ')}, …`;
  return `same stack as thread${others.length > 1 ? 's' : ''} ${others.join(', ')}`;
}

/** Cycles in the thread wait graph (edges with a known target thread). */
function findCycles(edges: WaitEdge[]): { threads: number[]; proven: boolean }[] {
  const next = new Map<number, WaitEdge>();
  for (const e of edges) if (e.to !== undefined && (!next.has(e.from) || e.proven)) next.set(e.from, e);
  const cycles: { threads: number[]; proven: boolean }[] = [];
  const seen = new Set<number>();
  for (const start of next.keys()) {
    const path: number[] = [];
    let cur: number | undefined = start;
    while (cur !== undefined && !path.includes(cur) && !seen.has(cur)) {
      path.push(cur);
      cur = next.get(cur)?.to;
    }
    for (const p of path) seen.add(p);
    if (cur !== undefined && path.includes(cur)) {
      const cyc = path.slice(path.indexOf(cur));
      cycles.push({ threads: cyc, proven: cyc.every((n) => next.get(n)?.proven) });
    }
  }
  return cycles;
}

/** The hang report body (after the banner): blocked threads, wait chains, cycles, limits. */
export function hangLines(h: HangAnalysis, o: { verbose: boolean; pointerSize: number }): string[] {
  const lines: string[] = [];
  lines.push('BLOCKED_THREADS:  ');
  if (h.blocked.length === 0) lines.push('    (none: no thread is in a recognized wait function)');
  for (const b of h.blocked) {
    lines.push(`    Thread ${b.index} (id ${b.threadId.toString(16)})${b.caller ? ` in ${frameText(b.caller)}` : ''} ${waitText(b)}${b.sameStackAs ? ` (${sameStackText(b.sameStackAs)}: likely idle workers of one pool)` : ''}`);
    if (b.wait.recovered && o.verbose) lines.push(`        (recovered from the ${b.wait.recovered.source}: ${b.wait.recovered.detail})`);
    for (const e of b.earlierWaits ?? []) lines.push(`        earlier in this function: ${e.callee}(${hex(e.firstArg!.value)}) at ${hex(e.address)} returned`);
    if (b.wait.unrecoveredReason) lines.push(`        (not recovered: ${b.wait.unrecoveredReason})`);
    const cs = b.wait.criticalSection;
    if (cs) {
      lines.push(`        CritSec ${hex(cs.address)}: LockCount ${cs.lockCount}, RecursionCount ${cs.recursionCount}, OwningThread ${hex(cs.owningThread)}, LockSemaphore ${hex(cs.lockSemaphore)}, DebugInfo ${hex(cs.debugInfo)}, SpinCount ${hex(cs.spinCount)}`);
    }
  }
  lines.push('');
  if (h.running.length) {
    const list = h.running.map((r) => r.index);
    lines.push(`RUNNING_THREADS:  ${list.length > 12 ? `${list.slice(0, 12).join(', ')}, … (${list.length})` : list.join(', ')}`);
    lines.push('    (not in a recognized wait: running, or blocked in a call this analysis does not know; !runaway shows CPU time)', '');
  }
  for (const u of h.unknown) lines.push(`    Thread ${u.index} (id ${u.threadId.toString(16)}): no stack (${u.noFramesReason ?? 'no context'})`);
  if (h.unknown.length) lines.push('');
  if (h.edges.length) {
    lines.push('WAIT_CHAINS:  ');
    for (const e of h.edges) lines.push(`    ${e.description}`);
    lines.push('');
  }
  if (h.cycles.length) {
    for (const c of h.cycles) {
      lines.push(`${c.proven ? 'DEADLOCK' : 'SUSPECTED_DEADLOCK'}:  threads ${[...c.threads, c.threads[0]].join(' -> ')}${c.proven ? ' (owners read from memory)' : ' (not proven: mutex owners are kernel state)'}`, '');
    }
  }
  if (h.suspicion) lines.push('POSSIBLE_DEADLOCK:  ', `    ${h.suspicion}`, '');
  if (h.limits.length) {
    lines.push('ANALYSIS_LIMITS:  ');
    for (const l of h.limits) lines.push(`    ${l}`);
    lines.push('');
  }
  return lines;
}
