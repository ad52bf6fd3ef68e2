/**
 * Malformed input, case by case: every kind of bad input the robustness issue
 * names gets one clear sentence naming the file (and the stream and offset
 * where the damage is), what is still readable stays usable, and nothing
 * crashes. Crashes the fuzzer finds are added here as fixed cases.
 */
import t from 'tap';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { FormatError } from '../../src/bytes/errors.js';
import { MinidumpFile } from '../../src/formats/minidump/minidump-file.js';
import { badInputs } from '../fixtures/robustness/bad-inputs.js';
import { crashLine, runCase } from '../fixtures/robustness/fuzz-case.js';
import { flipBytes, mutate, mutateFields, shapeOf, truncateAt } from '../fixtures/robustness/mutate.js';
import { BIN, REPO, sessionFromBuffer } from '../fixtures/session.js';

const EXAMPLE = path.join(REPO, 'examples', 'dumps', 'null-deref.dmp');

t.test('the crash detector itself', async (t) => {
  t.equal(crashLine(['fine', 'Internal error: x is undefined']), 'Internal error: x is undefined');
  t.match(crashLine(['    at Foo.bar (file:///work/main/src/x.ts:10:5)']), /stack trace/);
  t.equal(crashLine(['00000000`0011fc98 00000001`400022a1     crashlab+0x22e0', 'WARNING: at 0x10 the stream ends']), undefined);
});

t.test('mutations are deterministic and change the bytes', { skip: existsSync(EXAMPLE) ? false : 'no example dump' }, async (t) => {
  const buf = readFileSync(EXAMPLE);
  const shape = shapeOf(buf);
  t.ok(shape.streams.length >= 5, 'the walker finds the streams');
  t.ok(shape.fields.some((f) => f.name === 'ModuleList.numberOfModules'), 'and the list counts');
  t.ok(shape.stacks.length >= 1, 'and the thread stacks');
  for (const seed of [1, 2, 3, 99]) {
    const a = mutate(buf, shape, seed);
    t.same(a.bytes, mutate(buf, shape, seed).bytes, `seed ${seed} repeats`);
    t.notOk(a.bytes.equals(buf), `seed ${seed} changes something (${a.description})`);
  }
  t.equal(truncateAt(buf, 100).bytes.length, 100);
  t.notOk(flipBytes(buf, shape, 5).bytes.equals(buf));
  t.match(mutateFields(buf, shape, 5).description, /^fields: /);
});

t.test('every kind of bad input: one sentence, or a usable dump with warnings; never a crash', { skip: existsSync(EXAMPLE) ? false : 'no example dump' }, async (t) => {
  for (const b of badInputs(readFileSync(EXAMPLE))) {
    let dump: MinidumpFile | undefined;
    try {
      dump = MinidumpFile.fromBuffer(b.bytes, b.file);
    } catch (e) {
      t.ok(e instanceof FormatError, `${b.label}: a typed FormatError`);
      const msg = (e as Error).message;
      t.notOk(b.opens, `${b.label}: refused (${msg})`);
      t.ok(msg.includes(b.file), `${b.label}: the sentence names the file`);
      t.notOk(msg.includes('\n'), `${b.label}: one line`);
    }
    if (dump) {
      t.ok(b.opens, `${b.label}: opens`);
      for (const w of dump.warnings) {
        t.ok(w.stream && Number.isFinite(w.offset), `${b.label}: warning names stream and offset (${w.stream} @0x${w.offset.toString(16)}: ${w.message})`);
      }
      dump.close();
    }
    const outcome = await runCase(b.bytes, b.file);
    t.not(outcome.status, 'crash', `${b.label}: ${outcome.detail || outcome.status}`);
    t.ok(outcome.ms < 10_000, `${b.label}: bounded time (${outcome.ms.toFixed(0)} ms)`);
  }
});

t.test('a truncated dump still shows its threads and modules, with a warning naming the file', { skip: existsSync(EXAMPLE) ? false : 'no example dump' }, async (t) => {
  const buf = readFileSync(EXAMPLE);
  const whole = sessionFromBuffer(buf, 'whole.dmp');
  const threads = (await whole.run('~')).filter((l) => /Id: /.test(l)).length;
  const modules = (await whole.run('lm')).length - 1;
  // Cut after the thread and module lists but inside the memory list: a failed copy.
  const half = buf.subarray(0, buf.length >> 1);
  const s = sessionFromBuffer(Buffer.from(half), 'half.dmp');
  const dump = s.session.target!.dump;
  t.match(dump.warnings[0]?.message, /^half\.dmp is truncated or damaged: the file ends at 0x[0-9a-f]+ but \w+Stream \(0x[0-9a-f]+ bytes at 0x[0-9a-f]+\)/, 'first warning: one sentence with the file, a stream and offsets');
  t.equal((await s.run('~')).filter((l) => /Id: /.test(l)).length, threads, 'every thread');
  t.equal((await s.run('lm')).length - 1, modules, 'every module');
  t.ok((await s.run('kn')).some((l) => /crashlab/.test(l)), 'the current thread still unwinds from its stack');
  const { openBanner } = await import('../../commands/meta/open-banner.js');
  const banner = (await openBanner(s.session, s.session.target!)).blocks.flatMap((b) => b.lines);
  const warnings = banner.filter((l) => l.startsWith('WARNING:'));
  t.ok(warnings.length < 20, `the banner's warnings stay short (${warnings.length} lines for ${dump.warnings.length} warnings)`);
  t.ok(warnings.some((l) => /more warnings? like these about MemoryListStream/.test(l)), 'the rest are counted');
});

t.test('CLI exit codes and stderr for bad input', { skip: existsSync(BIN) && existsSync(EXAMPLE) ? false : 'dist not built or no example dump' }, async (t) => {
  const dir = mkdtempSync(path.join(tmpdir(), 'dumpdbg-bad-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const inputs = badInputs(readFileSync(EXAMPLE));
  // A handful: the refusals and two damaged-but-usable dumps (the in-process test covers the rest).
  const pick = inputs.filter((b) => !b.opens || b.file === 'half.dmp' || b.file === 'huge-count.dmp');
  for (const b of pick) {
    const f = path.join(dir, b.file);
    writeFileSync(f, b.bytes);
    const r = spawnSync(process.execPath, [BIN, '-z', f, '-c', '~;lm;kn;q'], { encoding: 'utf8', timeout: 120_000 });
    t.equal(r.status, b.opens ? 0 : 1, `${b.label}: exit ${b.opens ? 0 : 1}`);
    t.notMatch(r.stdout + r.stderr, /^\s+at .*:\d+:\d+\)?$/m, `${b.label}: no stack trace`);
    t.notMatch(r.stdout, /Internal error/, `${b.label}: no internal error`);
    if (!b.opens) {
      const lines = r.stderr.trim().split('\n');
      t.equal(lines.length, 1, `${b.label}: one line on stderr`);
      t.ok(lines[0]?.startsWith(`dumpdbg: ${f}`), `${b.label}: names the file (${lines[0]})`);
    } else {
      t.match(r.stdout, /Id: /, `${b.label}: threads listed`);
    }
  }
  const missing = spawnSync(process.execPath, [BIN, '-z', path.join(dir, 'nope.dmp'), '-c', 'q'], { encoding: 'utf8', timeout: 60_000 });
  t.equal(missing.status, 1, 'a missing file exits 1');
  t.match(missing.stderr, /nope\.dmp/);
  const isDir = spawnSync(process.execPath, [BIN, '-z', dir, '-c', 'q'], { encoding: 'utf8', timeout: 60_000 });
  t.equal(isDir.status, 1, 'a directory exits 1');
  t.equal(isDir.stderr.trim().split('\n').length, 1, 'in one line');
});

t.test('fuzzer finds: deeply nested expressions overflowed the JS stack (Internal error)', { skip: existsSync(EXAMPLE) ? false : 'no example dump' }, async (t) => {
  const s = sessionFromBuffer(readFileSync(EXAMPLE), 'null-deref.dmp');
  const deep = (open: string, close: string, n: number) => open.repeat(n) + '1' + close.repeat(n);
  for (const cmd of [`? ${deep('(', ')', 20000)}`, `? ${deep('poi(', ')', 8000)}`, `? ${'-'.repeat(30000)}1`, `dq ${deep('(', ')', 20000)}`, `?? ${deep('(', ')', 20000)}`, `?? ${'-'.repeat(30000)}1`]) {
    const lines = await s.run(cmd);
    t.equal(crashLine(lines), undefined, `${cmd.slice(0, 12)}… (${cmd.length} chars): ${lines[0]?.slice(0, 80)}`);
    t.ok(lines.length > 0 && lines.length < 5, 'a short error');
  }
  // Ordinary nesting still evaluates.
  t.match((await s.run(`? ${deep('(', ')', 100)}`)).join('\n'), /Evaluate expression: 1 = 00000000`00000001/);
  t.match((await s.run('? -(-(-(1)))')).join('\n'), /Evaluate expression: -1 = ffffffff`ffffffff/);
});
