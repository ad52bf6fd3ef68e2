/**
 * Builds a valid multi-GB full-memory minidump from a real small one, for the
 * benchmark only (never committed, written to a temp dir at benchmark time).
 *
 * The source dump's bytes are kept verbatim at the start of the output, so
 * every RVA inside its streams (module names, CodeView records, contexts,
 * thread stacks, the exception context) stays valid. After them come:
 * a new ThreadList (the original threads plus clones with fresh thread ids),
 * a Memory64List holding the source's MemoryList ranges plus `ranges` filler
 * ranges of `rangeSize` bytes, its data blob, and a new stream directory that
 * drops the old MemoryList and ThreadList. The header gets
 * MiniDumpWithFullMemory (a full dump has a Memory64List, no MemoryList).
 */
import { closeSync, openSync, readFileSync, writeSync } from 'node:fs';

const MEMORY_LIST = 5;
const THREAD_LIST = 3;
const MEMORY64_LIST = 9;
const MINIDUMP_WITH_FULL_MEMORY = 0x2n;
const THREAD_SIZE = 48;

export interface BigDumpOptions {
  /** Filler memory ranges added to the Memory64List. */
  ranges: number;
  /** Bytes per filler range (a multiple of 4096). */
  rangeSize: number;
  /** Total thread count wanted (clones of the source's threads); at least the source's count. */
  threads: number;
  /** Where the filler ranges start in the target's address space. */
  fillerBase?: bigint;
}

export interface BigDumpResult {
  path: string;
  size: number;
  ranges: number;
  threads: number;
}

interface Range64 {
  start: bigint;
  size: number;
  /** Where the bytes come from: the source file, or the filler pattern. */
  srcOffset: number | undefined;
}

/** Little-endian field writer over a growing list of chunks. */
class Chunks {
  readonly parts: Buffer[] = [];
  length = 0;
  push(b: Buffer): number {
    const at = this.length;
    this.parts.push(b);
    this.length += b.length;
    return at;
  }
}

export function makeBigDump(sourcePath: string, outPath: string, o: BigDumpOptions): BigDumpResult {
  const src = readFileSync(sourcePath);
  if (src.readUInt32LE(0) !== 0x504d444d) throw new Error(`${sourcePath} is not a minidump`);
  const nStreams = src.readUInt32LE(8);
  const dirRva = src.readUInt32LE(12);
  const dir: { type: number; size: number; rva: number }[] = [];
  for (let i = 0; i < nStreams; i++) {
    const p = dirRva + i * 12;
    dir.push({ type: src.readUInt32LE(p), size: src.readUInt32LE(p + 4), rva: src.readUInt32LE(p + 8) });
  }

  // Source memory ranges become Memory64List entries (their bytes are copied into the blob).
  const ranges: Range64[] = [];
  const mem = dir.find((d) => d.type === MEMORY_LIST);
  if (mem) {
    const n = src.readUInt32LE(mem.rva);
    for (let i = 0; i < n; i++) {
      const p = mem.rva + 4 + i * 16;
      ranges.push({ start: src.readBigUInt64LE(p), size: src.readUInt32LE(p + 8), srcOffset: src.readUInt32LE(p + 12) });
    }
  }
  // Filler ranges: one page of gap between them so each stays a separate range.
  const fillerBase = o.fillerBase ?? 0x7ff000000000n;
  const stride = BigInt(o.rangeSize + 4096);
  for (let i = 0; i < o.ranges; i++) ranges.push({ start: fillerBase + BigInt(i) * stride, size: o.rangeSize, srcOffset: undefined });
  ranges.sort((a, b) => (a.start < b.start ? -1 : a.start > b.start ? 1 : 0));

  // Threads: the originals, then clones (same context and stack, new ids).
  const tl = dir.find((d) => d.type === THREAD_LIST);
  if (!tl) throw new Error(`${sourcePath} has no thread list`);
  const nThreads = src.readUInt32LE(tl.rva);
  const originals: Buffer[] = [];
  for (let i = 0; i < nThreads; i++) originals.push(src.subarray(tl.rva + 4 + i * THREAD_SIZE, tl.rva + 4 + (i + 1) * THREAD_SIZE));
  const want = Math.max(nThreads, o.threads);
  const threadList = Buffer.alloc(4 + want * THREAD_SIZE);
  threadList.writeUInt32LE(want, 0);
  let nextId = 0x10000;
  for (let i = 0; i < want; i++) {
    const from = originals[i < nThreads ? i : 1 + ((i - nThreads) % Math.max(1, nThreads - 1))] ?? originals[0]!;
    from.copy(threadList, 4 + i * THREAD_SIZE);
    if (i >= nThreads) threadList.writeUInt32LE(nextId++, 4 + i * THREAD_SIZE);
  }

  // Layout after the source bytes: thread list, Memory64List, directory, then the blob (8-aligned).
  const out = new Chunks();
  out.push(src);
  const pad = () => {
    if (out.length % 8) out.push(Buffer.alloc(8 - (out.length % 8)));
  };
  pad();
  const threadRva = out.push(threadList);
  pad();
  const m64 = Buffer.alloc(16 + ranges.length * 16);
  const m64Rva = out.push(m64);
  const kept = dir.filter((d) => d.type !== MEMORY_LIST && d.type !== THREAD_LIST && d.type !== MEMORY64_LIST);
  const newDir = Buffer.alloc((kept.length + 2) * 12);
  kept.forEach((d, i) => {
    newDir.writeUInt32LE(d.type, i * 12);
    newDir.writeUInt32LE(d.size, i * 12 + 4);
    newDir.writeUInt32LE(d.rva, i * 12 + 8);
  });
  const k = kept.length * 12;
  newDir.writeUInt32LE(THREAD_LIST, k);
  newDir.writeUInt32LE(threadList.length, k + 4);
  newDir.writeUInt32LE(threadRva, k + 8);
  newDir.writeUInt32LE(MEMORY64_LIST, k + 12);
  newDir.writeUInt32LE(m64.length, k + 16);
  newDir.writeUInt32LE(m64Rva, k + 20);
  const dirOut = out.push(newDir);
  pad();
  const baseRva = out.length;
  m64.writeBigUInt64LE(BigInt(ranges.length), 0);
  m64.writeBigUInt64LE(BigInt(baseRva), 8);
  ranges.forEach((r, i) => {
    m64.writeBigUInt64LE(r.start, 16 + i * 16);
    m64.writeBigUInt64LE(BigInt(r.size), 24 + i * 16);
  });
  const header = Buffer.from(src.subarray(0, 32));
  header.writeUInt32LE(kept.length + 2, 8);
  header.writeUInt32LE(dirOut, 12);
  header.writeBigUInt64LE(header.readBigUInt64LE(24) | MINIDUMP_WITH_FULL_MEMORY, 24);
  out.parts[0] = Buffer.concat([header, src.subarray(32)]);

  const fd = openSync(outPath, 'w');
  let size = 0;
  try {
    for (const p of out.parts) size += writeSync(fd, p, 0, p.length, size);
    // Filler: a deterministic pseudo-random pattern (xorshift), written in large batches.
    const pattern = fillerPattern(Math.max(o.rangeSize, 1 << 20));
    const batch: Buffer[] = [];
    let batchBytes = 0;
    const flush = () => {
      if (!batch.length) return;
      const b = batch.length === 1 ? batch[0]! : Buffer.concat(batch, batchBytes);
      size += writeSync(fd, b, 0, b.length, size);
      batch.length = 0;
      batchBytes = 0;
    };
    let salt = 0;
    for (const r of ranges) {
      let b: Buffer;
      if (r.srcOffset !== undefined) b = src.subarray(r.srcOffset, r.srcOffset + r.size);
      else {
        // Vary the offset into the pattern so ranges differ without generating new bytes.
        const off = (salt++ * 4096) % Math.max(1, pattern.length - r.size + 1);
        b = pattern.subarray(off, off + r.size);
      }
      batch.push(b);
      batchBytes += b.length;
      if (batchBytes >= 64 << 20) flush();
    }
    flush();
  } finally {
    closeSync(fd);
  }
  return { path: outPath, size, ranges: ranges.length, threads: want };
}

function fillerPattern(bytes: number): Buffer {
  const b = Buffer.alloc(bytes * 2);
  let x = 0x2545f491;
  for (let i = 0; i + 4 <= b.length; i += 4) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    b.writeInt32LE(x | 0, i);
  }
  return b;
}
