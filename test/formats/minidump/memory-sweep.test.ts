import t from 'tap';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { BufferSource } from '../../../src/bytes/source.js';
import { MemoryIndex, MinidumpFile } from '../../../src/formats/minidump/index.js';
import { cleanMemory64List, cleanMemoryList } from '../../../src/formats/minidump/memory-list.js';
import { sweepInWasm, type SweepInput } from '../../../src/formats/minidump/memory-sweep.js';
import { MEMORY_SWEEP_WASM } from '../../../src/formats/minidump/memory-sweep-wasm.js';
import type { MemoryRange } from '../../../src/formats/minidump/types.js';
import { rng } from '../../fixtures/robustness/mutate.js';
import { SynthDump } from '../../fixtures/synth/minidump-writer.js';

const repoRoot = resolve(fileURLToPath(new URL('../../..', import.meta.url)));
const WASM_DIR = join(repoRoot, 'src', 'formats', 'minidump', 'wasm');

const plain = (rs: readonly MemoryRange[]) => rs.map((r) => ({ start: r.start, size: r.size, fileOffset: r.fileOffset }));

t.test('the generated module belongs to memory-sweep.c', async (t) => {
  const generated = readFileSync(join(repoRoot, 'src', 'formats', 'minidump', 'memory-sweep-wasm.ts'), 'utf8');
  const { sourceHash, clangVersion, compile } = (await import(pathToFileURL(join(WASM_DIR, 'build-memory-sweep.mjs')).href)) as {
    sourceHash: () => string;
    clangVersion: () => string;
    compile: () => Buffer;
  };
  t.match(generated, `source sha256 ${sourceHash()}`, 'regenerate after editing the C file: node src/formats/minidump/wasm/build-memory-sweep.mjs');
  let version: string | undefined;
  try {
    execFileSync('wasm-ld', ['--version'], { stdio: 'ignore' });
    version = clangVersion();
  } catch {
    version = undefined;
  }
  // Another clang may emit other (equally valid) bytes: compared only with the recorded version.
  if (version === undefined || !generated.includes(`// ${version}\n`)) {
    t.comment(`skipping the byte comparison: ${version ?? 'no clang/wasm-ld'} is not the recorded compiler`);
    return;
  }
  t.equal(Buffer.from(MEMORY_SWEEP_WASM, 'base64').toString('hex'), compile().toString('hex'), 'the same bytes as clang builds now');
});

t.test('random range lists: the kernel keeps exactly what the JavaScript sweep keeps', async (t) => {
  const src = new BufferSource(Buffer.alloc(0), 'none');
  let compared = 0;
  for (let seed = 1; seed <= 300; seed++) {
    const r = rng(seed);
    const n = 1 + Math.floor(r() * (seed % 10 === 0 ? 3000 : 60));
    // Small address spaces make overlaps, ties and covered ranges common; some seeds use the
    // whole 64-bit space, ends past 2^64 included (clamped), and sizes of zero.
    const wide = seed % 3 === 0;
    const ranges: MemoryRange[] = [];
    for (let i = 0; i < n; i++) {
      const start = wide ? (BigInt(Math.floor(r() * 2 ** 32)) << 32n) | BigInt(Math.floor(r() * 2 ** 32)) : BigInt(Math.floor(r() * 0x4000));
      const size = r() < 0.05 ? 0 : Math.floor(r() * (wide ? 2 ** 40 : 0x400));
      ranges.push({ start, size, fileOffset: Math.floor(r() * 2 ** 40) });
    }
    if (seed % 7 === 0) ranges.sort((a, b) => (a.start < b.start ? -1 : a.start > b.start ? 1 : 0));
    const input: SweepInput = { fileSize: 2 ** 52, stacks: ranges.map((x) => ({ start: x.start, size: x.size, fileOffset: x.fileOffset })) };
    const fast = sweepInWasm(input);
    if (fast === undefined) {
      t.fail(`seed ${seed}: no WebAssembly build`);
      continue;
    }
    const a = plain(new MemoryIndex(src, fast).ranges);
    const b = plain(new MemoryIndex(src, ranges).ranges);
    if (JSON.stringify(a, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString(16) : v)) !== JSON.stringify(b, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString(16) : v))) {
      t.same(a, b, `seed ${seed}`);
    }
    compared++;
  }
  t.equal(compared, 300);
});

t.test('synthetic dumps: both builds give the same index, and lists the JavaScript would warn about stay with it', async (t) => {
  for (let seed = 1; seed <= 40; seed++) {
    const r = rng(seed * 7919);
    const d = new SynthDump();
    const n = 1 + Math.floor(r() * 40);
    for (let i = 0; i < n; i++) d.memory(0x10000 + Math.floor(r() * 0x800) * 16, Buffer.alloc(1 + Math.floor(r() * 0x100), i));
    if (seed % 2 === 0) for (let i = 0; i < 8; i++) d.memory64(0x20000 + Math.floor(r() * 0x400) * 16, Buffer.alloc(Math.floor(r() * 0x80), 0x80 + i));
    const dump = MinidumpFile.fromBuffer(d.build());
    const wasm = dump.memoryIndexInWasm();
    t.ok(wasm, `seed ${seed}: the WebAssembly build answers`);
    t.same(plain(wasm?.ranges ?? []), plain(dump.memoryIndexInJavaScript().ranges), `seed ${seed}`);
  }

  // A descriptor running past the end of the file: the kernel declines, the JavaScript clamps and warns.
  const desc = Buffer.alloc(16);
  desc.writeBigUInt64LE(0x1000n, 0);
  desc.writeUInt32LE(0x100, 8);
  desc.writeUInt32LE(0xf80, 12);
  t.equal(sweepInWasm({ fileSize: 0x1000, memoryList: { descriptors: desc, count: 1 }, stacks: [] }), undefined);
  desc.writeUInt32LE(0x80, 8);
  t.same(sweepInWasm({ fileSize: 0x1000, memoryList: { descriptors: desc, count: 1 }, stacks: [] })?.count, 1, 'the same range inside the file');

  // Headers the parsers warn about are not taken.
  const list = Buffer.alloc(4 + 16);
  list.writeUInt32LE(2, 0); // two claimed, one fits
  t.equal(cleanMemoryList(list, list.length, 0), undefined);
  list.writeUInt32LE(1, 0);
  t.equal(cleanMemoryList(list, list.length, 0)?.count, 1);
  const list64 = Buffer.alloc(16 + 16);
  list64.writeBigUInt64LE(5n, 0);
  t.equal(cleanMemory64List(list64, 0, 0x10000), undefined);
  list64.writeBigUInt64LE(1n, 0);
  list64.writeBigUInt64LE(0x20000n, 8); // BaseRva past the file: the parser starts at the file end, without a warning
  t.same(cleanMemory64List(list64, 0, 0x10000)?.fileOffset, 0x10000);
  // ...and then warns that the range lies past the end: the kernel declines that too.
  list64.writeBigUInt64LE(0x10n, 16 + 8);
  const c = cleanMemory64List(list64, 0, 0x10000)!;
  t.equal(sweepInWasm({ fileSize: 0x10000, memory64List: c, stacks: [] }), undefined);
});

t.test('project and corpus dumps: the WebAssembly build is taken and equals the JavaScript one', async (t) => {
  const dumps = readdirSync(join(repoRoot, 'examples', 'dumps')).filter((f) => f.endsWith('.dmp')).map((f) => join(repoRoot, 'examples', 'dumps', f));
  const corpus = resolve(repoRoot, '..', 'shared', 'corpus');
  if (existsSync(corpus)) {
    for (const sub of ['windows', 'wine-x64']) {
      const dir = join(corpus, sub);
      if (existsSync(dir)) dumps.push(...readdirSync(dir).filter((f) => f.endsWith('.dmp')).map((f) => join(dir, f)));
    }
  } else t.comment('corpus not present at ../shared/corpus: project dumps only');
  t.ok(dumps.length >= 9);
  for (const p of dumps) {
    const a = MinidumpFile.open(p);
    const b = MinidumpFile.open(p);
    try {
      const wasm = a.memoryIndexInWasm();
      const js = b.memoryIndexInJavaScript();
      if (js.count === 0) continue;
      t.ok(wasm, `${p}: WebAssembly build`);
      t.same(plain(wasm?.ranges ?? []), plain(js.ranges), p);
    } finally {
      a.close();
      b.close();
    }
  }
});
