/** Hang comparison across dumps (src/analysis/analyze/across.ts) on synthetic hang analyses. */
import t from 'tap';
import type { DumpHangState, ProcessIdentity } from '../../src/analysis/analyze/across.js';
import { acrossExplain, acrossLines, compareAcrossDumps, dumpTimeText, elapsedText, reusedThreadIds, sameProcess, threadStart } from '../../src/analysis/analyze/across.js';
import type { BlockedThread, HangAnalysis, WaitObject } from '../../src/analysis/analyze/hang.js';
import type { AnalysisFrame, AnalysisThread } from '../../src/analysis/analyze/target.js';

const frame = (index: number, pc: bigint, module: string, symbol?: string): AnalysisFrame => ({
  index, pc, sp: 0x1000n + BigInt(index * 0x40), fp: 0n, displacement: 0x10n, trust: 'context', regs: {}, module, ...(symbol ? { symbol } : {}),
});

interface Spec {
  tid: number;
  /** Return addresses, top first; frame 0 is the wait function, frame 1 the caller. */
  pcs: bigint[];
  wait?: WaitObject;
  api?: string;
  /** Not blocked: a running thread with these frames. */
  running?: boolean;
  sameStackAs?: number[];
}

function dump(dumpIndex: number, time: number, specs: Spec[], identity: Partial<ProcessIdentity> = {}): DumpHangState {
  const threads: AnalysisThread[] = specs.map((s, i) => ({
    index: i,
    threadId: s.tid,
    suspendCount: 0,
    frames: s.pcs.map((pc, k) => (k === 0 ? frame(0, pc, 'kernelbase', s.api ?? 'WaitForSingleObject') : frame(k, pc, 'app', `fn${k}`))),
  }));
  const blocked: BlockedThread[] = [];
  const running: AnalysisThread[] = [];
  specs.forEach((s, i) => {
    const th = threads[i]!;
    if (s.running) {
      running.push(th);
      return;
    }
    const b: BlockedThread = { index: i, threadId: s.tid, waitFrame: th.frames![0]!, waitFrameIndex: 0, caller: th.frames![1]!, wait: s.wait ?? { kind: 'handle', handles: [0x48n], timeoutMs: 'INFINITE' } };
    if (s.sameStackAs) b.sameStackAs = s.sameStackAs;
    blocked.push(b);
  });
  const hang: HangAnalysis = { blocked, unknown: [], running, edges: [], cycles: [], problemClass: 'APPLICATION_HANG_BLOCKED', explain: [], limits: [], data: {} };
  return {
    dumpIndex,
    name: `d${dumpIndex}.dmp`,
    time,
    identity: {
      processId: 0x20,
      mainModule: { path: 'C:\\svc\\app.exe', timeDateStamp: 0x5f000000 },
      modules: [{ path: 'C:\\svc\\app.exe', base: 0x140000000n }, { path: 'C:\\Windows\\System32\\plugin.dll', base: 0x7ff800000000n }],
      ...identity,
    },
    hang,
    threads,
  };
}

const STUCK: Spec = { tid: 0x110, pcs: [0x7b001000n, 0x140002000n, 0x140003000n] };

t.test('one wait that never moved, given out of time order; moved, finished, appeared, idle and timed threads', async (t) => {
  const later = [
    STUCK,
    { tid: 0x114, pcs: [0x7b001000n, 0x140002100n], wait: { kind: 'handle', handles: [0x4cn], timeoutMs: 'INFINITE' } },
    { tid: 0x118, pcs: [0x7b001000n, 0x140002200n], wait: { kind: 'handle', handles: [0x60n], timeoutMs: 'INFINITE' } },
    { tid: 0x120, pcs: [0x7b002000n, 0x140002400n], api: 'Sleep', wait: { kind: 'sleep', timeoutMs: 1000 } },
    { tid: 0x130, pcs: [0x7b001000n, 0x140002500n], wait: { kind: 'handle', handles: [0x30n], timeoutMs: 'INFINITE' } },
    { tid: 0x134, pcs: [0x7b001000n, 0x140002500n], wait: { kind: 'handle', handles: [0x30n], timeoutMs: 'INFINITE' } },
    { tid: 0x140, pcs: [0x7b001000n, 0x140002600n], running: true },
  ];
  const d0 = dump(0, 2000, later.filter((s) => s.tid !== 0x118)); // latest: 0x118 finished
  const d1 = dump(1, 1000, [
    STUCK,
    { tid: 0x114, pcs: [0x7b001000n, 0x140002100n], wait: { kind: 'handle', handles: [0x48n], timeoutMs: 'INFINITE' } },
    { tid: 0x118, pcs: [0x7b001000n, 0x140002200n], wait: { kind: 'handle', handles: [0x60n], timeoutMs: 'INFINITE' } },
    { tid: 0x120, pcs: [0x7b002000n, 0x140002400n], api: 'Sleep', wait: { kind: 'sleep', timeoutMs: 1000 } },
    { tid: 0x130, pcs: [0x7b001000n, 0x140002500n], wait: { kind: 'handle', handles: [0x30n], timeoutMs: 'INFINITE' } },
    { tid: 0x134, pcs: [0x7b001000n, 0x140002500n], wait: { kind: 'handle', handles: [0x30n], timeoutMs: 'INFINITE' } },
    { tid: 0x140, pcs: [0x7b001000n, 0x140002600n] }, // blocked at first, running later
  ]); // earliest
  const d2 = dump(2, 1500, [...later, { tid: 0x150, pcs: [0x7b001000n, 0x140002700n], wait: { kind: 'critical-section', address: 0x1a9fd88n } }]); // middle: 0x150 appears here and stays
  d0.hang.blocked.push({ ...d2.hang.blocked.find((b) => b.threadId === 0x150)!, index: 9 });
  d0.threads = [...d0.threads, { ...d2.threads.find((x) => x.threadId === 0x150)!, index: 9 }];

  const r = compareAcrossDumps([d0, d1, d2], 0);
  t.same(r.compared.map((d) => d.dumpIndex), [1, 2, 0], 'ordered by dump time');
  t.same(r.excluded, []);
  const row = (tid: number) => r.rows.find((x) => x.threadId === tid)!;
  t.equal(row(0x110).status, 'never-moved');
  t.equal(row(0x110).hang, true);
  t.equal(row(0x110).text, 'Thread id 110: never moved: in app!fn1+0x10 waits in kernelbase!WaitForSingleObject on handle 0x48, timeout INFINITE in all 3 dumps, same stack: this is the hang');
  t.equal(r.rows[0]!.threadId, 0x110, 'the hang comes first');
  t.equal(row(0x114).status, 'moved');
  t.match(row(0x114).detail, /different object/);
  t.match(row(0x114).text, /^Thread id 114: moved between \|\|1 and \|\|2: /);
  t.equal(row(0x118).status, 'finished');
  t.match(row(0x118).text, /last seen in \|\|2 .*gone by \|\|0$/);
  t.equal(row(0x120).status, 'never-moved');
  t.equal(row(0x120).hang, false, 'a 1000 ms sleep at the same place is a loop, not a hang');
  t.match(row(0x120).detail, /sleep of 1000 ms/);
  t.equal(row(0x130).hang, false, 'two threads on one handle: workers waiting for work');
  t.equal(row(0x134).hang, false);
  t.equal(row(0x140).status, 'moved');
  t.same(row(0x140).states.map((s) => s.state), ['blocked', 'running', 'running']);
  t.equal(row(0x150).status, 'appeared');
  t.same(row(0x150).states.map((s) => s.state), ['absent', 'blocked', 'blocked']);
  t.same(r.rows.filter((x) => x.hang).map((x) => x.threadId), [0x110]);
  const lines = acrossLines(r);
  t.equal(lines[0], `HANG_ACROSS_DUMPS:  3 dumps of the same process over 16 min 40 s, in time order: ||1 d1.dmp (${dumpTimeText(1000)}), ||2 d2.dmp (${dumpTimeText(1500)}), ||0 d0.dmp (${dumpTimeText(2000)})`);
  t.equal(dumpTimeText(1000), '1970-01-01 00:16:40 UTC');
  t.match(acrossExplain(r)[0], /^Across dumps: thread id 110 stayed on the same wait/);
});

t.test('same wait function and object through a different stack has moved', async (t) => {
  const a = dump(0, 100, [STUCK]);
  const b = dump(1, 200, [{ ...STUCK, pcs: [0x7b001000n, 0x140002000n, 0x140003800n] }]);
  const r = compareAcrossDumps([a, b], 1);
  t.equal(r.rows[0]!.status, 'moved');
  t.match(r.rows[0]!.detail, /through a different stack/);
  t.equal(r.rows[0]!.hang, false);
});

t.test('a wait function that changed has moved; same time stamps are noted', async (t) => {
  const a = dump(0, 100, [STUCK]);
  const b = dump(1, 100, [{ ...STUCK, api: 'WaitForMultipleObjectsEx' }]);
  const r = compareAcrossDumps([a, b], 0);
  t.match(r.rows[0]!.detail, /^waits in kernelbase!WaitForSingleObject, then in kernelbase!WaitForMultipleObjectsEx$/);
  t.equal(r.notes.filter((n) => /^\|\|0 and \|\|1 carry the same time stamp/.test(n)).length, 1);
});

t.test('dumps of other processes are not compared', async (t) => {
  const a = dump(0, 100, [STUCK]);
  const otherPid = dump(1, 200, [STUCK], { processId: 0x24 });
  const r = compareAcrossDumps([a, otherPid], 0);
  t.same(r.rows, [], 'nothing compared');
  t.same(r.compared.map((d) => d.dumpIndex), [0]);
  t.equal(r.excluded[0]!.reason, 'different processes of app.exe (process id 0x20 and 0x24)');
  const lines = acrossLines(r);
  t.equal(lines[0], 'HANG_ACROSS_DUMPS:  nothing compared: no other open dump is of the same process');
  t.equal(lines[1], '    ||1 (d1.dmp): different processes of app.exe (process id 0x20 and 0x24)');
  t.match(acrossExplain(r)[0], /nothing was compared/);
  // Only the dumps of the current one's process are compared; the third is listed as excluded.
  const c = dump(2, 300, [STUCK]);
  const r2 = compareAcrossDumps([a, otherPid, c], 2);
  t.same(r2.compared.map((d) => d.dumpIndex), [0, 2]);
  t.same(r2.excluded.map((e) => e.dumpIndex), [1]);
  t.equal(r2.rows[0]!.hang, true);
});

t.test('sameProcess: program, build, process id, creation time, module bases', async (t) => {
  const base: ProcessIdentity = {
    processId: 0x20,
    mainModule: { path: 'C:\\svc\\app.exe', timeDateStamp: 0x5f000000 },
    modules: [{ path: 'C:\\svc\\app.exe', base: 0x140000000n }, { path: 'C:\\Windows\\System32\\plugin.dll', base: 0x7ff800000000n }],
  };
  t.equal(sameProcess(base, { ...base }).same, true);
  t.equal(sameProcess(base, { ...base }).reason, 'same process: process id 0x20, app.exe with TimeDateStamp 0x5f000000, every shared module at the same base');
  t.equal(sameProcess(base, { ...base, mainModule: { path: 'C:\\svc\\other.exe', timeDateStamp: 0x5f000000 } }).reason, 'different programs (C:\\svc\\app.exe and C:\\svc\\other.exe)');
  t.equal(sameProcess(base, { ...base, mainModule: { path: 'c:\\SVC\\APP.EXE', timeDateStamp: 0x5f000000 } }).same, true, 'paths compare without case');
  t.match(sameProcess(base, { ...base, mainModule: { path: 'C:\\svc\\app.exe', timeDateStamp: 0x5f000001 } }).reason, /^different builds of app\.exe/);
  const noPid: ProcessIdentity = { mainModule: base.mainModule!, modules: base.modules };
  t.equal(sameProcess(base, noPid).same, true);
  t.match(sameProcess(base, noPid).reason, /no process id in one of the dumps/);
  t.match(sameProcess({ ...base, processCreateTime: 1000 }, { ...base, processCreateTime: 2000 }).reason, /^different runs of app\.exe: the same process id 0x20, but the processes were created at different times/);
  const moved = sameProcess(base, { ...base, modules: [base.modules[0]!, { path: 'C:\\Windows\\System32\\plugin.dll', base: 0x7ff900000000n }] });
  t.equal(moved.same, false);
  t.equal(moved.reason, 'different runs of app.exe: the same process id 0x20 (ids are reused), but plugin.dll is loaded at different bases (plugin.dll: 0x7ff800000000 and 0x7ff900000000), which one run keeps unless a DLL is unloaded and reloaded');
  t.equal(sameProcess(base, { modules: [] }).same, false);
});

t.test('a thread id whose start function changed: another run, not compared', async (t) => {
  /** A complete stack: wait, caller, start function, then the thunks. */
  const withStart = (d: DumpHangState, tid: number, start: string) => {
    const th = d.threads.find((x) => x.threadId === tid)!;
    const n = th.frames!.length;
    th.frames!.push(frame(n, 0x140004000n, 'app', start), frame(n + 1, 0x7b627e49n, 'kernel32', 'BaseThreadInitThunk'), frame(n + 2, 0x17005dca8n, 'ntdll', 'RtlUserThreadStart'));
  };
  const a = dump(0, 100, [STUCK, { tid: 0x114, pcs: [0x7b001000n, 0x140002100n], wait: { kind: 'handle', handles: [0x44n], timeoutMs: 'INFINITE' } }]);
  const b = dump(1, 200, [STUCK, { tid: 0x114, pcs: [0x7b001000n, 0x140002100n], wait: { kind: 'handle', handles: [0x44n], timeoutMs: 'INFINITE' } }]);
  // Without names for the thread-start frames nothing tells the runs apart: compared, with a caveat.
  const unnamed = compareAcrossDumps([a, b], 0);
  t.same(unnamed.compared.map((d) => d.dumpIndex), [0, 1]);
  t.match(unnamed.notes[0], /^\|\|1: the threads' start functions have no names/);
  withStart(a, 0x110, 'writer_main');
  withStart(b, 0x110, 'writer_main');
  withStart(a, 0x114, 'sync_main');
  withStart(b, 0x114, 'packer_main');
  t.equal(threadStart(a.threads[0]!), 'app!writer_main');
  t.same(reusedThreadIds(a.threads, b.threads), [{ threadId: 0x114, before: 'app!sync_main', after: 'app!packer_main' }]);
  const r = compareAcrossDumps([a, b], 1);
  t.same(r.rows, []);
  t.equal(r.excluded[0]!.reason, 'different runs of app.exe: process id 0x20, program and module bases match, but thread id 114 runs app!packer_main in ||1 but app!sync_main in ||0; a thread keeps its start function for life, so these ids name other threads, most likely of another run (process ids repeat)');
  // A walk that stops short of the thunks says nothing about the thread's identity.
  b.threads[1]!.frames!.splice(-2);
  t.equal(threadStart(b.threads[1]!), undefined);
  t.same(compareAcrossDumps([a, b], 1).excluded, []);
});

t.test('dumps with one time stamp prove nothing; elapsed time text', async (t) => {
  const r = compareAcrossDumps([dump(0, 500, [STUCK]), dump(1, 500, [STUCK])], 0);
  t.equal(r.rows[0]!.status, 'never-moved');
  t.equal(r.rows[0]!.hang, false, 'no time passed between them');
  t.match(r.rows[0]!.text, /^Thread id 110: same place in both dumps \(.*\), but the dumps carry the same time stamp/);
  t.match(acrossExplain(r)[0], /^Across dumps: no thread stayed blocked/);
  t.equal(elapsedText(0), '0 s');
  t.equal(elapsedText(600), '10 min 0 s');
  t.equal(elapsedText(7325), '2 h 2 min');
  t.equal(elapsedText(90000), '1 d 1 h');
});
