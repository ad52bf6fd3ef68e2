import t from 'tap';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { MinidumpFile } from '../../src/formats/minidump/minidump-file.js';
import { PdbFile } from '../../src/formats/pdb/pdb-file.js';
import { makeBigDump } from '../bench/make-big-dump.js';
import { makeBigPdb } from '../bench/make-big-pdb.js';

// The benchmark's generators (test/bench/) must write inputs the parsers accept as they accept the originals.
const CORPUS = fileURLToPath(new URL('../../../shared/corpus', import.meta.url));
const SMALL = path.join(CORPUS, 'wine-x64', 'null-deref-mini.dmp');
const PDB = path.join(CORPUS, 'wine-x64', 'crashlab.pdb');

t.test('a generated full-memory dump keeps every stream and adds ranges and threads', async (t) => {
  if (!existsSync(SMALL)) {
    t.skip('corpus not present');
    return;
  }
  const dir = mkdtempSync(path.join(tmpdir(), 'dumpdbg-bench-inputs-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const out = path.join(dir, 'big.dmp');
  const base = 0x7ff000000000n;
  const r = makeBigDump(SMALL, out, { ranges: 3000, rangeSize: 8192, threads: 40, fillerBase: base });
  const orig = MinidumpFile.open(SMALL);
  const big = MinidumpFile.open(out);
  t.teardown(() => (orig.close(), big.close()));
  t.equal(big.source.size, r.size);
  t.equal(big.header.flags & 2n, 2n, 'MiniDumpWithFullMemory is set');
  t.equal(big.threads().length, 40);
  t.same(big.threads().slice(0, orig.threads().length).map((x) => x.threadId), orig.threads().map((x) => x.threadId), 'original threads first');
  t.equal(new Set(big.threads().map((x) => x.threadId)).size, 40, 'clones get fresh thread ids');
  t.same(big.modules().map((m) => m.moduleName), orig.modules().map((m) => m.moduleName));
  t.equal(big.exception()?.exceptionRecord.exceptionCode, orig.exception()?.exceptionRecord.exceptionCode);
  t.equal(big.warnings.length, 0, big.warnings.map((w) => w.message).join('; '));
  // Every original range reads back the same bytes through the Memory64List.
  const om = orig.memory;
  const bm = big.memory;
  t.equal(bm.ranges.length, om.ranges.length + 3000);
  for (const rg of om.ranges.filter((_, i) => i % 97 === 0)) t.same(bm.read(rg.start, rg.size), om.read(rg.start, rg.size));
  // Filler ranges sit where asked, one page apart, each separate.
  t.same(bm.findRange(base + 100n), { start: base, size: 8192, fileOffset: bm.findRange(base)!.fileOffset });
  t.equal(bm.findRange(base + 8192n), undefined, 'the gap after a filler range');
  t.equal(bm.findRange(base + 2999n * (8192n + 4096n) + 8191n)?.start, base + 2999n * (8192n + 4096n));
  // The last range's bytes end exactly at the end of the file.
  const last = bm.ranges[bm.ranges.length - 1]!;
  t.ok(last.fileOffset + last.size <= r.size);
  t.equal(bm.read(last.start, last.size).length, last.size);
  t.equal(readFileSync(out).length, r.size);
});

t.test('a generated big PDB answers lookups as the original, reading a small part of it', async (t) => {
  if (!existsSync(PDB)) {
    t.skip('corpus not present');
    return;
  }
  const dir = mkdtempSync(path.join(tmpdir(), 'dumpdbg-bench-inputs-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const out = path.join(dir, 'big.pdb');
  const r = makeBigPdb(PDB, out, 24 << 20, 8 << 20);
  t.ok(r.size > 24 << 20);
  const small = PdbFile.open(PDB);
  const procs = small.symbols().filter((s) => s.kind === 'proc');
  t.ok(procs.length > 5);
  for (const s of procs) {
    const big = PdbFile.open(out);
    t.equal(big.lookup(s.rva)?.name, s.name, `${s.name} at rva 0x${s.rva.toString(16)}`);
    t.ok(big.source.bytesRead < 1024 * 1024, 'well under the file size');
    big.close();
  }
  const big = PdbFile.open(out);
  t.same(big.info, small.info, 'same PDB info stream (GUID, age)');
  big.close();
  small.close();
});
