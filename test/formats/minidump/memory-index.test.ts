import t from 'tap';
import type { ByteSource } from '../../../src/bytes/source.js';
import { MemoryIndex, MinidumpFile } from '../../../src/formats/minidump/index.js';
import { SynthDump } from '../../fixtures/synth/minidump-writer.js';

/** A ByteSource whose bytes at offset i are (i & 0xff), and which records every read. */
class CountingSource implements ByteSource {
  readonly name = 'counting';
  bytesRead = 0;
  reads: [number, number][] = [];
  constructor(readonly size: number) {}
  read(offset: number, length: number): Buffer {
    const n = Math.max(0, Math.min(length, this.size - offset));
    this.reads.push([offset, length]);
    this.bytesRead += n;
    const b = Buffer.alloc(n);
    for (let i = 0; i < n; i++) b[i] = (offset + i) & 0xff;
    return b;
  }
  close(): void {}
}

t.test('100k ranges: sorted index, binary search, bounded reads', async (t) => {
  const N = 100_000;
  const ranges = [];
  // Pages every 0x2000 with 0x1000 captured; given in reverse order to exercise the sort.
  for (let i = N - 1; i >= 0; i--) ranges.push({ start: 0x10000000n + BigInt(i) * 0x2000n, size: 0x1000, fileOffset: i * 0x1000 });
  const src = new CountingSource(N * 0x1000);
  const t0 = performance.now();
  const idx = new MemoryIndex(src, ranges);
  const built = performance.now() - t0;
  t.equal(idx.ranges.length, N);
  t.equal(idx.ranges[0]?.start, 0x10000000n);
  t.ok(built < 2000, `built in ${built.toFixed(0)} ms`);
  const t1 = performance.now();
  let hits = 0;
  let expected = 0;
  for (let k = 0; k < 100_000; k++) {
    const i = (k * 7919) % N;
    const off = k % 0x2000;
    if (off < 0x1000) expected++;
    const r = idx.findRange(0x10000000n + BigInt(i) * 0x2000n + BigInt(off));
    if (r) {
      hits++;
      if (r.fileOffset !== i * 0x1000) t.fail(`probe ${k} found the wrong range`);
    }
  }
  const looked = performance.now() - t1;
  t.equal(hits, expected, 'probes in captured halves hit, the others miss');
  t.ok(looked < 2000, `100k lookups in ${looked.toFixed(0)} ms`);
  t.equal(idx.findRange(0x0fffffffn), undefined);
  t.equal(idx.findRange(0x10000000n + BigInt(N) * 0x2000n), undefined);
  // Reads touch only the requested bytes.
  src.reads = [];
  src.bytesRead = 0;
  const b = idx.read(0x10000000n + 5n * 0x2000n + 0x10n, 8);
  t.equal(b.length, 8);
  t.same([...b], [0x10, 0x11, 0x12, 0x13, 0x14, 0x15, 0x16, 0x17]);
  t.same(src.reads, [[5 * 0x1000 + 0x10, 8]]);
  // Crossing into a hole: only the captured prefix, still no over-read.
  src.reads = [];
  const c = idx.read(0x10000000n + 0xff0n, 0x100);
  t.equal(c.length, 0x10);
  t.same(src.reads, [[0xff0, 0x10]]);
  t.equal(idx.nextRange(0x10000000n + 0x1001n)?.start, 0x10002000n);
});

t.test('Memory64 offsets beyond 4 GiB are kept exact', async (t) => {
  // Synthesize a Memory64List whose BaseRva is past 4 GiB (the file "is" 8 GiB): ranges keep exact offsets.
  const base = 0x1_0000_0000;
  const src = new CountingSource(base + 0x10000);
  const idx = new MemoryIndex(src, [{ start: 0x7000n, size: 0x1000, fileOffset: base + 0x1000 }]);
  const b = idx.read(0x7000n, 4);
  t.same(src.reads, [[base + 0x1000, 4]]);
  t.equal(b.length, 4);

  // And through the stream parser: a real synthetic dump with a Memory64List, BaseRva patched, file size faked.
  const { buf, streams } = new SynthDump().memory64(0x7000n, Buffer.alloc(0x100, 1)).memory64(0x8000n, Buffer.alloc(0x100, 2)).buildWithMap();
  const m64 = streams.find((s) => s.streamType === 9)!;
  const baseRva = buf.readBigUInt64LE(m64.rva + 8);
  const patched = Buffer.from(buf);
  patched.writeBigUInt64LE(0x1_8000_0000n, m64.rva + 8);
  const offsets: number[] = [];
  // An 8 GiB "file": the synthetic dump's bytes first, 0xee filler after.
  const big: ByteSource = {
    name: 'big',
    size: 0x2_0000_0000,
    bytesRead: 0,
    read(offset: number, length: number): Buffer {
      offsets.push(offset);
      if (offset < patched.length) return patched.subarray(offset, Math.min(patched.length, offset + length));
      return Buffer.alloc(Math.min(length, 0x2_0000_0000 - offset), 0xee);
    },
    close(): void {},
  };
  const f = MinidumpFile.fromSource(big);
  const r = f.memory.ranges;
  t.equal(r.length, 2);
  t.equal(r[0]?.fileOffset, 0x1_8000_0000);
  t.equal(r[1]?.fileOffset, 0x1_8000_0100, 'running sum of sizes');
  t.ok(baseRva > 0n);
  t.same([...f.memory.read(0x8010n, 4)], [0xee, 0xee, 0xee, 0xee]);
  t.equal(offsets.at(-1), 0x1_8000_0110);
});

t.test('view and viewPointer: the bytes read() gives, within one captured range only', async (t) => {
  // [0x1000, 0x1100) and [0x1100, 0x1180) adjacent; [0x3000, 0x3010) alone; one range too large to hold.
  const src = new CountingSource(0x300000);
  const big = 2 * 1024 * 1024;
  const idx = new MemoryIndex(src, [
    { start: 0x1000n, size: 0x100, fileOffset: 0x10 },
    { start: 0x1100n, size: 0x80, fileOffset: 0x500 },
    { start: 0x3000n, size: 0x10, fileOffset: 0x777 },
    { start: 0x100000n, size: big, fileOffset: 0x1000 },
  ]);
  for (const [addr, len] of [[0x1000n, 8], [0x10f8n, 8], [0x1100n, 0x80], [0x3008n, 8], [0x1042n, 3]] as const) {
    t.same(idx.view(addr, len), idx.read(addr, len), `view 0x${addr.toString(16)}+${len}`);
    if (len === 8) t.equal(idx.viewPointer(addr, 8), idx.readU64(addr), `viewPointer 0x${addr.toString(16)}`);
  }
  t.equal(idx.viewPointer(0x3004n, 4), BigInt(idx.readU32(0x3004n)!));
  // Across two ranges, past a range's end, outside all ranges, or in a range too large to hold: read() must answer.
  t.equal(idx.view(0x10fcn, 8), undefined);
  t.equal(idx.viewPointer(0x10fcn, 8), undefined);
  t.equal(idx.view(0x300cn, 8), undefined);
  t.equal(idx.view(0x2000n, 1), undefined);
  t.equal(idx.viewPointer(0x100008n, 8), undefined);
  t.equal(idx.read(0x100008n, 8).length, 8);
  // viewRead answers exactly as read() does, or leaves it to read().
  for (const [addr, len] of [[0x3008n, 0x20], [0x2000n, 8], [0x1000n, 0x10], [0x3000n, 0x10]] as const) {
    t.same(idx.viewRead(addr, len), idx.read(addr, len), `viewRead 0x${addr.toString(16)}+${len}`);
  }
  t.equal(idx.viewRead(0x3008n, 0x20)?.length, 8, 'the prefix up to a range not followed by another');
  t.equal(idx.viewRead(0x2000n, 8)?.length, 0, 'nothing captured');
  t.equal(idx.viewRead(0x10f0n, 0x20), undefined, 'continues into the adjacent range: read() joins them');
  t.equal(idx.read(0x10f0n, 0x20).length, 0x20);
  t.equal(idx.viewRead(0x100000n, 8), undefined, 'a range too large to hold');
  // Each held range is read from the file once.
  src.reads.length = 0;
  for (let i = 0; i < 10; i++) idx.view(0x1000n + BigInt(i * 8), 8);
  t.same(src.reads, []);
});

t.test('columns: the same index as range objects, sorted or not, and ranges past 2^64 cut', async (t) => {
  const { MemoryColumns } = await import('../../../src/formats/minidump/index.js');
  const src = new CountingSource(0x100000);
  // Priority order with overlaps, a zero-size range, a tie at one start, and out-of-order starts.
  const ranges = [
    { start: 0x5000n, size: 0x1000, fileOffset: 0x100 },
    { start: 0x1000n, size: 0x800, fileOffset: 0x2000 },
    { start: 0x5800n, size: 0x1000, fileOffset: 0x3000 },
    { start: 0x9000n, size: 0, fileOffset: 0x4000 },
    { start: 0x1000n, size: 0x900, fileOffset: 0x5000 },
    { start: 0x4000n, size: 0x1100, fileOffset: 0x6000 },
  ];
  const viaObjects = new MemoryIndex(src, ranges);
  const cols = new MemoryColumns(2);
  for (const r of ranges) cols.push(r.start, r.size, r.fileOffset);
  t.equal(cols.count, 6, 'columns grow past their first capacity');
  const viaColumns = new MemoryIndex(src, cols);
  t.same(viaColumns.ranges, viaObjects.ranges);
  t.same(viaObjects.ranges, [
    { start: 0x1000n, size: 0x800, fileOffset: 0x2000 },
    { start: 0x1800n, size: 0x100, fileOffset: 0x5800 },
    { start: 0x4000n, size: 0x1100, fileOffset: 0x6000 },
    { start: 0x5100n, size: 0xf00, fileOffset: 0x200 },
    { start: 0x6000n, size: 0x800, fileOffset: 0x3800 },
  ], 'ties keep the earlier range, overlaps are trimmed at their front, empty ranges dropped');
  t.equal(viaColumns.count, 5);
  t.same(viaColumns.findRange(0x5100n), { start: 0x5100n, size: 0xf00, fileOffset: 0x200 });
  t.same(viaColumns.nextRange(0x2000n), { start: 0x4000n, size: 0x1100, fileOffset: 0x6000 });
  t.equal(viaColumns.nextRange(0x7000n), undefined);
  t.equal(viaColumns.totalSize, 0x800 + 0x100 + 0x1100 + 0xf00 + 0x800);
  t.same([...viaColumns.read(0x17f0n, 0x20)], [...src.read(0x2000 + 0x7f0, 0x10), ...src.read(0x5800, 0x10)], 'a read continues into the adjacent trimmed range');

  const top = new MemoryIndex(src, [{ start: 0xffff_ffff_ffff_f000n, size: 0x2000, fileOffset: 0 }]);
  t.same(top.ranges, [{ start: 0xffff_ffff_ffff_f000n, size: 0xfff, fileOffset: 0 }], 'a range running past 2^64 ends at the last address');
  t.equal(top.read(0xffff_ffff_ffff_fffen, 4).length, 1);
});

/** Ranges as text for comparison (BigInt starts in hex). */
const showRanges = (v: unknown) => JSON.stringify(v, (_k, x) => (typeof x === 'bigint' ? x.toString(16) : x));

/**
 * The index as a plain BigInt model computes it: ranges in priority order, sorted by start
 * (ties keep the lower index), ends cut at 2^64 - 1, and each range trimmed to what the
 * ranges before it in address order leave uncovered. Independent of the word-pair code.
 */
function modelIndex(ranges: readonly { start: bigint; size: number; fileOffset: number }[]) {
  const MAX = (1n << 64n) - 1n;
  const order = ranges.map((r, i) => ({ ...r, i })).filter((r) => r.size > 0);
  order.sort((a, b) => (a.start < b.start ? -1 : a.start > b.start ? 1 : a.i - b.i));
  const out: { start: bigint; size: number; fileOffset: number }[] = [];
  let covered = -1n;
  for (const r of order) {
    let size = r.size;
    let end = r.start + BigInt(size);
    if (end > MAX) {
      size -= Number(end - MAX);
      end = MAX;
      if (size <= 0) continue;
    }
    if (end <= covered) continue;
    if (r.start < covered) {
      const skip = Number(covered - r.start);
      out.push({ start: covered, size: size - skip, fileOffset: r.fileOffset + skip });
    } else out.push({ start: r.start, size, fileOffset: r.fileOffset });
    covered = end;
  }
  return out;
}

t.test('columns: random lists of sorted runs give the model index (word-pair compare, merge of runs, carries)', async (t) => {
  const { MemoryColumns } = await import('../../../src/formats/minidump/index.js');
  const { rng } = await import('../../fixtures/robustness/mutate.js');
  const next = rng(0x5eed_1d);
  const word = () => Math.floor(next() * 0x1_0000_0000);
  // Bases near the places where word-pair arithmetic can go wrong: carries out of the low
  // word, addresses above 2^53 (not exact as numbers), kernel space and the top of 2^64.
  const bases = [0x1000n, 0xffff_f000n, 0x7ff0_0000_0000n, 0x0020_0000_0000_0000n, 0xffff_8000_0000_0000n, 0xffff_ffff_ffff_0000n];
  const src = new CountingSource(1 << 30);
  let cases = 0;
  let mismatches = 0;
  for (let c = 0; c < 300; c++) {
    const ranges: { start: bigint; size: number; fileOffset: number }[] = [];
    const runs = 1 + Math.floor(next() * 6);
    for (let r = 0; r < runs; r++) {
      let at = (bases[Math.floor(next() * bases.length)] as bigint) + BigInt(word() & 0xfff0);
      const n = Math.floor(next() * 40);
      for (let k = 0; k < n; k++) {
        // Mostly ascending (a sorted run) with gaps, overlaps, ties and empty ranges.
        const size = next() < 0.1 ? 0 : next() < 0.05 ? 0x1_0000_0000 + (word() & 0xffff) : 1 + (word() & 0x3fff);
        ranges.push({ start: at, size, fileOffset: word() & 0xfff_ffff });
        const step = next();
        at = step < 0.2 ? at : step < 0.4 ? at + BigInt(size >> 1) : at + BigInt(size) + BigInt(word() & 0xffff);
        if (at > (1n << 64n) - 1n) at = (1n << 64n) - 1n;
      }
    }
    const cols = new MemoryColumns(4);
    // Half the cases through pushWords, as the parsers do, half through push.
    for (const r of ranges) {
      if (c % 2 === 0) cols.push(r.start, r.size, r.fileOffset);
      else cols.pushWords(Number(r.start & 0xffff_ffffn), Number(r.start >> 32n), r.size, r.fileOffset);
    }
    const got = new MemoryIndex(src, cols).ranges;
    const want = modelIndex(ranges);
    cases++;
    if (showRanges(got) !== showRanges(want)) {
      mismatches++;
      if (mismatches <= 3) t.same(got, want, `case ${c}: ${ranges.length} ranges in ${runs} runs`);
    }
  }
  t.equal(cases, 300);
  t.equal(mismatches, 0, 'every case matches the model');
});

t.test('columns: dump-shaped lists (one ascending run, repeats inside it, a tail of stacks) give the model index', async (t) => {
  const { MemoryColumns } = await import('../../../src/formats/minidump/index.js');
  const { rng } = await import('../../fixtures/robustness/mutate.js');
  const next = rng(0xd0_5eed);
  const int = (n: number) => Math.floor(next() * n);
  const src = new CountingSource(1 << 30);
  let mismatches = 0;
  for (let c = 0; c < 400; c++) {
    // Wine-like (user space), a full dump's upper user space, kernel space (no fast path), and near 2^53.
    const base = [0x10000n, 0x7ff0_0000_0000n, 0xffff_8000_0000_0000n, (1n << 53n) - 0x100000n][c % 4] as bigint;
    const ranges: { start: bigint; size: number; fileOffset: number }[] = [];
    const kept: { start: bigint; size: number }[] = [];
    let at = base;
    const n = 1 + int(60);
    for (let i = 0; i < n; i++) {
      const size = 1 + int(0x3000);
      ranges.push({ start: at, size, fileOffset: int(1 << 28) });
      kept.push({ start: at, size });
      // Wine's dbghelp repeats bytes: the same range again, or a piece of it.
      const roll = next();
      if (roll < 0.15) ranges.push({ start: at, size, fileOffset: int(1 << 28) });
      else if (roll < 0.25) ranges.push({ start: at + BigInt(int(size)), size: 1 + int(16), fileOffset: int(1 << 28) });
      else if (roll < 0.3) ranges.push({ start: at + BigInt(int(size)), size: 0, fileOffset: int(1 << 28) });
      else if (roll < 0.33) ranges.push({ start: at + BigInt(int(size)), size: size, fileOffset: int(1 << 28) }); // runs past: not the fast path
      else if (roll < 0.36) ranges.push({ start: at + BigInt(size) - 4n, size: 8, fileOffset: int(1 << 28) }); // 4 bytes past the end
      else if (roll < 0.39) ranges.push({ start: at - 1n, size: 2, fileOffset: int(1 << 28) }); // 1 byte before the start
      at += BigInt(size + (next() < 0.3 ? 0 : int(0x10000)));
    }
    // The thread stacks, listed again after the memory lists: mostly inside one kept range.
    const tail = int(8);
    for (let i = 0; i < tail; i++) {
      const k = kept[int(kept.length)] as { start: bigint; size: number };
      const off = int(k.size);
      const roll = next();
      const size = roll < 0.8 ? 1 + int(k.size - off) : roll < 0.9 ? k.size + 0x100 : 0x40;
      ranges.push({ start: roll < 0.9 ? k.start + BigInt(off) : base - 0x1000n, size, fileOffset: int(1 << 28) });
    }
    const cols = new MemoryColumns(4);
    for (const r of ranges) cols.pushWords(Number(r.start & 0xffff_ffffn), Number(r.start >> 32n), r.size, r.fileOffset);
    const got = new MemoryIndex(src, cols);
    const want = modelIndex(ranges);
    if (showRanges(got.ranges) !== showRanges(want)) {
      mismatches++;
      if (mismatches <= 3) t.same(got.ranges, want, `case ${c}: ${ranges.length} ranges`);
    }
    // Lookups agree with the model at every range's first and last byte and just past it.
    for (const r of want) {
      for (const a of [r.start, r.start + BigInt(r.size) - 1n]) if (got.findRange(a)?.start !== r.start) mismatches++;
      const past = r.start + BigInt(r.size);
      const hit = got.findRange(past);
      if (hit !== undefined && hit.start !== past) mismatches++;
    }
  }
  t.equal(mismatches, 0, '400 lists match the model');
});

t.test('columns: unordered lists (Wine mini dumps) give the model index, also at the edge of the packed sort keys', async (t) => {
  const { MemoryColumns } = await import('../../../src/formats/minidump/index.js');
  const { rng } = await import('../../fixtures/robustness/mutate.js');
  const next = rng(0x50_27ed);
  const int = (n: number) => Math.floor(next() * n);
  const src = new CountingSource(1 << 30);
  let mismatches = 0;
  for (let c = 0; c < 400; c++) {
    const n = 1 + int(c % 3 === 0 ? 2000 : 200);
    // The sort packs (start, index) into 64 bits, leaving 64 - bits for the start: starts just
    // below and at 2^(64 - bits) (the comparator's side), user space, near 2^53, and kernel space.
    const bits = Math.max(1, 32 - Math.clz32(n - 1));
    const edge = 1n << BigInt(64 - bits);
    const base = [edge - 0x10_0000n, edge - 0x100n, 0x10000n, (1n << 53n) - 0x8000n, 0xffff_8000_0000_0000n][c % 5] as bigint;
    const ranges: { start: bigint; size: number; fileOffset: number }[] = [];
    for (let i = 0; i < n; i++) {
      const roll = next();
      // Repeats (ties keep the earlier range's bytes), overlaps, empty ranges.
      const prev = ranges[int(ranges.length)];
      const start = prev && roll < 0.2 ? prev.start : prev && roll < 0.35 ? prev.start + BigInt(int(prev.size + 1)) : base + BigInt(int(0x20_0000));
      ranges.push({ start, size: roll > 0.95 ? 0 : 1 + int(0x2000), fileOffset: int(1 << 28) });
    }
    const cols = new MemoryColumns(4);
    for (const r of ranges) cols.pushWords(Number(r.start & 0xffff_ffffn), Number(r.start >> 32n), r.size, r.fileOffset);
    const got = new MemoryIndex(src, cols).ranges;
    const want = modelIndex(ranges);
    if (showRanges(got) !== showRanges(want)) {
      mismatches++;
      if (mismatches <= 3) t.same(got, want, `case ${c}: ${ranges.length} ranges from 0x${base.toString(16)}`);
    }
  }
  t.equal(mismatches, 0, '400 unordered lists match the model');
});
