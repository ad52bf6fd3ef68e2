/**
 * `!analyze -hang` with several dumps open (issue "Dump intake as users
 * receive dumps", "Several dumps in one session"): the blocked threads of
 * every open dump of one process, compared in dump time order.
 */
import t from 'tap';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { AcrossResult } from '../../src/analysis/analyze/across.js';
import { dumpTimeText } from '../../src/analysis/analyze/across.js';
import { CORPUS, REPO, sessionFromFile } from '../fixtures/session.js';

const EXAMPLES = path.join(REPO, 'examples', 'dumps');
const IMAGES = path.join(CORPUS, 'images', 'wine-8.0-x64');
const HAVE_IMAGES = existsSync(IMAGES);
const open = (file: string) => sessionFromFile(file, { symbolPath: EXAMPLES, imagePath: HAVE_IMAGES ? IMAGES : '' });

/** MINIDUMP_HEADER: Signature, Version, NumberOfStreams, StreamDirectoryRva, CheckSum, then TimeDateStamp at offset 20. */
const HEADER_TIME_OFFSET = 20;

const section = (lines: string[]) => {
  const i = lines.findIndex((l) => l.startsWith('HANG_ACROSS_DUMPS:'));
  const end = lines.indexOf('', i);
  return i < 0 ? [] : lines.slice(i, end < 0 ? undefined : end);
};

t.test('deadlock.dmp twice and a copy written 10 minutes later: both deadlocked threads never moved', async (t) => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'dumpdbg-across-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const original = readFileSync(path.join(EXAMPLES, 'deadlock.dmp'));
  const time = original.readUInt32LE(HEADER_TIME_OFFSET);
  t.equal(original.toString('latin1', 0, 4), 'MDMP');
  const later = Buffer.from(original);
  later.writeUInt32LE(time + 600, HEADER_TIME_OFFSET);
  const copy = path.join(dir, 'deadlock-later.dmp');
  writeFileSync(copy, later);

  // Opened later dump first: the comparison must still run in dump time order.
  const s = open(copy);
  s.session.open(path.join(EXAMPLES, 'deadlock.dmp'));
  s.session.open(path.join(EXAMPLES, 'deadlock.dmp'));
  t.equal(s.session.targets.length, 3);
  t.equal(s.session.current, 2);
  const r = await s.result('!analyze -hang');
  const across = r.data!['acrossDumps'] as AcrossResult;
  t.same(across.compared.map((d) => d.dumpIndex), [1, 2, 0], 'time order: the two originals, then the later copy');
  t.same(across.compared.map((d) => d.time), [time, time, time + 600]);
  t.same(across.excluded, []);
  t.match(across.sameProcessReason, /^same process: process id 0x20, crashlab\.exe with TimeDateStamp 0x7f1bb814/);
  t.equal(across.notes.filter((n) => /^\|\|1 and \|\|2 carry the same time stamp/.test(n)).length, 1);
  if (HAVE_IMAGES) t.equal(across.notes.length, 1, 'the thread start functions are named: no caveat about them');

  // PROVENANCE.md: order-writer (TID 0x110) and inventory-sync (TID 0x114) each wait for the other's mutex.
  const row = (tid: number) => across.rows.find((x) => x.threadId === tid);
  for (const tid of [0x110, 0x114]) {
    t.equal(row(tid)?.status, 'never-moved', `thread id ${tid.toString(16)} never moved`);
    t.same(row(tid)?.states.map((x) => x.state), ['blocked', 'blocked', 'blocked']);
  }
  t.equal(row(0x24), undefined, 'the thread that wrote the dump has no stack: not a blocked thread');

  const lines = (await s.run('!analyze -hang'));
  const sec = section(lines);
  t.equal(sec[0], `HANG_ACROSS_DUMPS:  3 dumps of the same process over 10 min 0 s, in time order: ||1 deadlock.dmp (${dumpTimeText(time)}), ||2 deadlock.dmp (${dumpTimeText(time)}), ||0 deadlock-later.dmp (${dumpTimeText(time + 600)})`);
  t.equal(dumpTimeText(time), '2026-11-21 08:37:49 UTC', 'PROVENANCE: the dumps were made on 2026-11-21');
  t.ok(lines.indexOf(sec[0]!) > lines.indexOf('Followup:     MachineOwner'), 'after the per-dump output');

  if (!HAVE_IMAGES) {
    t.comment('Wine images (corpus) absent: wait functions unnamed, their assertions skipped');
    return;
  }
  t.same(across.rows.filter((x) => x.hang).map((x) => x.threadId), [0x110, 0x114], 'exactly the deadlocked pair is the hang');
  t.equal(row(0x110)?.text, 'Thread id 110: never moved: in crashlab!take_both_mutexes+0x3a waits in kernelbase!WaitForSingleObject on handle 0x48, timeout INFINITE in all 3 dumps, same stack: this is the hang');
  t.equal(row(0x114)?.text, 'Thread id 114: never moved: in crashlab!take_both_mutexes+0x3a waits in kernelbase!WaitForSingleObject on handle 0x44, timeout INFINITE in all 3 dumps, same stack: this is the hang');
  // The pool workers share event 0x30 and the heartbeat sleeps 1000 ms: same place, but not called the hang.
  for (const tid of [0x104, 0x108, 0x10c]) {
    t.equal(row(tid)?.status, 'never-moved');
    t.equal(row(tid)?.hang, false, `thread id ${tid.toString(16)} is idle or timed`);
  }
  t.match(row(0x10c)?.detail, /sleep of 1000 ms/);
  t.ok(sec.includes(`    ${row(0x110)!.text}`));
  const explained = (r.data!['explain'] as string[]);
  t.ok(explained.includes('Across dumps: thread ids 110 and 114 stayed on the same wait with the same stack in all 3 dumps, 10 min 0 s apart: a wait that never moves while time passes is the hang.'));
});

t.test('deadlock.dmp and deadlock-cs.dmp: the same process id, but different runs; nothing compared', async (t) => {
  const s = open(path.join(EXAMPLES, 'deadlock.dmp'));
  await s.run(`.opendump "${path.join(EXAMPLES, 'deadlock-cs.dmp')}"`);
  t.equal(s.session.targets.length, 2, '.opendump added the second dump');
  await s.run('||1 s');
  t.equal(s.session.current, 1, '||1 s made deadlock-cs.dmp current');
  // Independently of the analysis: both dumps record process id 0x20 (Wine starts every fresh prefix there).
  t.equal(s.session.targets[0]!.dump.miscInfo()?.processId, 0x20);
  t.equal(s.session.targets[1]!.dump.miscInfo()?.processId, 0x20);
  t.equal(s.session.targets[0]!.dump.modules()[0]?.moduleName, s.session.targets[1]!.dump.modules()[0]?.moduleName);
  const r = await s.result('!analyze -hang');
  const across = r.data!['acrossDumps'] as AcrossResult;
  // Whatever the evidence, the two deadlocks (mutexes in ||0, critical sections in ||1) are not one wait that never moved.
  t.notOk(across.rows.some((x) => x.hang && (x.threadId === 0x110 || x.threadId === 0x114)), 'no never-moved hang across two different programs runs');
  if (!HAVE_IMAGES) {
    t.ok(across.notes.some((n) => n.startsWith('||0: the threads\' start functions have no names')), 'says the match rests on ids alone');
    t.comment('Wine images (corpus) absent: the thread-start thunks are unnamed, so the runs cannot be told apart; their assertions skipped');
    return;
  }
  // PROVENANCE: the ids and module bases repeat (Wine is deterministic), but thread 0x110 is order-writer in
  // deadlock.dmp and supervisor in deadlock-cs.dmp, 0x114 inventory-sync then packer.
  t.same(across.rows, [], 'nothing compared');
  t.same(across.compared.map((d) => d.dumpIndex), [1]);
  t.same(across.excluded.map((e) => e.dumpIndex), [0]);
  t.equal(across.excluded[0]!.reason, 'different runs of crashlab.exe: process id 0x20, program and module bases match, but thread id 110 runs crashlab!supervisor_main in ||1 but crashlab!order_writer_main in ||0, and thread id 114 runs crashlab!packer_main in ||1 but crashlab!inventory_sync_main in ||0; a thread keeps its start function for life, so these ids name other threads, most likely of another run (process ids repeat)');
  const sec = section(await s.run('!analyze -hang'));
  t.equal(sec[0], 'HANG_ACROSS_DUMPS:  nothing compared: no other open dump is of the same process');
  t.equal(sec[1], `    ||0 (deadlock.dmp): ${across.excluded[0]!.reason}`);
  t.match((r.data!['explain'] as string[]).at(-1), /^Across dumps: nothing was compared, because \|\|0 is not of the same process \(different runs of crashlab\.exe: /);
});
