import t from 'tap';
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { bucketOf, bucketTableLines, collectDumps, groupBuckets } from '../../src/cli/triage.js';
import type { TriageRecord } from '../../src/cli/triage.js';
import { BIN } from '../fixtures/session.js';

const CORPUS = fileURLToPath(new URL('../../../shared/corpus', import.meta.url));

t.test('records group by bucket: counts, first/last seen, the earliest dump as example', async (t) => {
  const recs: TriageRecord[] = [
    { dump: 'b.dmp', size: 1, crashTime: '2024-03-02T00:00:00.000Z', failureBucketId: 'NULL_POINTER_READ_c0000005_app.exe!f' },
    { dump: 'a.dmp', size: 1, crashTime: '2024-03-01T00:00:00.000Z', failureBucketId: 'NULL_POINTER_READ_c0000005_app.exe!f' },
    { dump: 'c.dmp', size: 1, fileTime: '2024-01-05T00:00:00.000Z', failureBucketId: 'BREAKPOINT_80000003_app.exe!g' },
    { dump: 'd.dmp', size: 1, error: 'not a dump' },
    { dump: 'e.dmp', size: 1, crashTime: '2024-03-09T00:00:00.000Z', failureBucketId: 'NULL_POINTER_READ_c0000005_app.exe!f' },
  ];
  const b = groupBuckets(recs);
  t.same(b.map((x) => [x.failureBucketId, x.count]), [
    ['NULL_POINTER_READ_c0000005_app.exe!f', 3],
    ['BREAKPOINT_80000003_app.exe!g', 1],
    ['(error)', 1],
  ]);
  t.equal(b[0]!.firstSeen, '2024-03-01T00:00:00.000Z');
  t.equal(b[0]!.lastSeen, '2024-03-09T00:00:00.000Z');
  t.equal(b[0]!.example, 'a.dmp', 'the earliest dump stands for its bucket');
  t.equal(b[1]!.firstSeen, '2024-01-05T00:00:00.000Z', 'the file time when the header has none');
  t.equal(bucketOf({ dump: 'x', size: 0 }), '(no bucket)');
  const lines = bucketTableLines(b, recs.length);
  t.equal(lines[0], '5 dumps, 3 buckets');
  t.match(lines[3]!, /^\s*3  2024-03-01 00:00:00Z  2024-03-09 00:00:00Z  NULL_POINTER_READ_c0000005_app\.exe!f\s+a\.dmp$/);
});

t.test('directories are walked for dump names; missing inputs are reported', async (t) => {
  const dir = mkdtempSync(path.join(tmpdir(), 'dumpdbg-triage-'));
  mkdirSync(path.join(dir, 'sub'));
  for (const n of ['a.dmp', 'notes.txt', 'sub/b.mdmp', 'sub/c.dmp.gz']) writeFileSync(path.join(dir, n), 'x');
  const r = collectDumps([dir, path.join(dir, 'nope.dmp')]);
  t.same(r.files.map((f) => path.relative(dir, f)), ['a.dmp', path.join('sub', 'b.mdmp'), path.join('sub', 'c.dmp.gz')]);
  t.same(r.missing, [path.join(dir, 'nope.dmp')]);
});

t.test('triage over corpus dumps on two workers: one JSON record per dump, buckets as !analyze names them', async (t) => {
  if (!existsSync(CORPUS)) {
    t.skip('corpus not present');
    return;
  }
  const dir = mkdtempSync(path.join(tmpdir(), 'dumpdbg-triage-'));
  const names = ['null-deref-mini.dmp', 'av-write-mini.dmp', 'deadlock-mini.dmp'];
  for (const n of names) copyFileSync(path.join(CORPUS, 'wine-x64', n), path.join(dir, n));
  copyFileSync(path.join(CORPUS, 'wine-x64', 'null-deref-mini.dmp'), path.join(dir, 'again.dmp'));
  writeFileSync(path.join(dir, 'broken.dmp'), 'not a minidump at all');
  const r = spawnSync(process.execPath, [BIN, 'triage', '--json', '--jobs', '2', dir], { encoding: 'utf8', timeout: 240000 });
  t.equal(r.status, 0, r.stderr);
  const recs = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as TriageRecord);
  t.equal(recs.length, 5, 'one record per dump');
  const by = new Map(recs.map((x) => [path.basename(x.dump), x]));
  t.equal(by.get('null-deref-mini.dmp')!.failureBucketId, 'NULL_POINTER_READ_c0000005_crashlab.exe!Unknown');
  t.equal(by.get('again.dmp')!.failureBucketId, by.get('null-deref-mini.dmp')!.failureBucketId);
  t.equal(by.get('null-deref-mini.dmp')!.exceptionCode, 'c0000005');
  t.equal(by.get('null-deref-mini.dmp')!.crashTime, '2026-11-21T08:09:44.000Z', 'the dump header time stamp');
  t.match(by.get('av-write-mini.dmp')!.failureBucketId, /^NULL_POINTER_WRITE_c0000005_/);
  t.equal(by.get('deadlock-mini.dmp')!.kind, 'hang');
  t.match(by.get('deadlock-mini.dmp')!.failureBucketId, /^APPLICATION_HANG_/);
  t.ok(by.get('broken.dmp')!.error, 'an unreadable dump becomes an error record');
  t.match(r.stderr, /\[5\/5\]/, 'progress streams to stderr');
  t.match(r.stderr, /^\s+2\s.*NULL_POINTER_READ_c0000005_crashlab\.exe!Unknown/m, 'the bucket table counts both copies');

  // Shards regrouped from their JSON records.
  const shard = path.join(dir, 'shard.jsonl');
  writeFileSync(shard, r.stdout);
  const g = spawnSync(process.execPath, [BIN, 'triage', '--from-json', shard, shard], { encoding: 'utf8', timeout: 60000 });
  t.equal(g.status, 0, g.stderr);
  t.match(g.stdout, /^10 dumps, 4 buckets/);
  t.match(g.stdout, /^\s+4\s.*NULL_POINTER_READ_c0000005_crashlab\.exe!Unknown/m);
});

t.test('bad arguments', async (t) => {
  const r = spawnSync(process.execPath, [BIN, 'triage', '--jobs', '0', '.'], { encoding: 'utf8', timeout: 60000 });
  t.equal(r.status, 2);
  t.match(r.stderr, /--jobs needs a whole number/);
  const n = spawnSync(process.execPath, [BIN, 'triage'], { encoding: 'utf8', timeout: 60000 });
  t.equal(n.status, 2);
  t.match(n.stderr, /no dumps given/);
});
