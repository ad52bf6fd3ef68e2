import type { ByteSource } from '../../bytes/source.js';
import { LITTLE_ENDIAN_HOST } from '../../bytes/reader.js';
import { MAX_READ } from '../../bytes/source.js';
import type { MemoryRange } from './types.js';

/** Ranges up to this size are read whole for view() (a mini dump's thread stacks are a few KiB to 1 MiB). */
const VIEW_MAX_RANGE = 1024 * 1024;
/** How many such ranges view() keeps (least recently used dropped first). */
const VIEW_CACHE_RANGES = 16;

/** One range's bytes, held for view(); `continued` when the next range starts where this one ends. */
interface HeldRange { start: bigint; end: bigint; bytes: Buffer; data: DataView; continued: boolean }

/**
 * Which 32-bit word of a BigUint64Array element holds the low half: the typed arrays use the
 * host's byte order (Node also runs on big-endian s390x), so the word views follow it.
 */
const LO = LITTLE_ENDIAN_HOST ? 0 : 1;
const HI = 1 - LO;
const TWO_32 = 0x1_0000_0000;

/**
 * Memory ranges as columns, one typed array per field, in priority order. Full-memory
 * dumps list 100k+ ranges: an object and two BigInts per range made most of the time to
 * the first prompt garbage-collector work (a 2 GiB dump spent 30 ms of 97 in the GC).
 * Starts are also seen as 32-bit words (`startWords`, two per range), so that parsers and
 * the index can move and compare them without making a BigInt for each.
 */
export class MemoryColumns {
  count = 0;
  starts: BigUint64Array;
  /** `starts` as 32-bit words in the host's order (the same memory). */
  startWords: Uint32Array;
  sizes: Float64Array;
  fileOffsets: Float64Array;

  constructor(capacity = 16) {
    const n = Math.max(1, capacity);
    this.starts = new BigUint64Array(n);
    this.startWords = new Uint32Array(this.starts.buffer);
    this.sizes = new Float64Array(n);
    this.fileOffsets = new Float64Array(n);
  }

  static of(ranges: readonly MemoryRange[]): MemoryColumns {
    const c = new MemoryColumns(ranges.length);
    for (const r of ranges) c.push(r.start, r.size, r.fileOffset);
    return c;
  }

  push(start: bigint, size: number, fileOffset: number): void {
    if (this.count === this.starts.length) this.grow(this.count * 2);
    this.starts[this.count] = start;
    this.sizes[this.count] = size;
    this.fileOffsets[this.count] = fileOffset;
    this.count++;
  }

  /** push() with the start given as its low and high 32 bits (no BigInt made). */
  pushWords(startLo: number, startHi: number, size: number, fileOffset: number): void {
    if (this.count === this.starts.length) this.grow(this.count * 2);
    this.startWords[2 * this.count + LO] = startLo;
    this.startWords[2 * this.count + HI] = startHi;
    this.sizes[this.count] = size;
    this.fileOffsets[this.count] = fileOffset;
    this.count++;
  }

  /**
   * Room for `more` ranges beyond `count`: a parser that knows its count grows the columns once,
   * with an eighth to spare for the thread stacks that follow (a full dump's 100k+ ranges are
   * not copied again for them).
   */
  reserve(more: number): void {
    const need = this.count + more;
    if (need > this.starts.length) this.grow(need + (need >>> 3));
  }

  private grow(capacity: number): void {
    const n = Math.max(1, capacity);
    const starts = new BigUint64Array(n);
    starts.set(this.starts.subarray(0, this.count));
    const sizes = new Float64Array(n);
    sizes.set(this.sizes.subarray(0, this.count));
    const offsets = new Float64Array(n);
    offsets.set(this.fileOffsets.subarray(0, this.count));
    this.starts = starts;
    this.startWords = new Uint32Array(starts.buffer);
    this.sizes = sizes;
    this.fileOffsets = offsets;
  }
}

/** The index's columns: sorted by start, non-overlapping; a range ends at starts[i] + sizes[i] (what memory-sweep.ts builds too). */
export interface IndexColumns {
  count: number;
  starts: BigUint64Array;
  sizes: Float64Array;
  fileOffsets: Float64Array;
}

/** At most this many ranges may follow the sorted ones for sortedAsGiven() (each costs a binary search). */
const COVERED_TAIL_MAX = 4096;
/** Starts at or above 2^53 are not exact as numbers: sortedAsGiven() leaves those dumps (kernel space) to sweep(). */
const EXACT_HI = 0x20_0000;

/**
 * The fast path, one pass: when the ranges as given are ascending and disjoint, except for
 * ranges lying wholly inside the range kept before them (Wine's dbghelp lists some bytes two
 * or three times), empty ones, and a tail of ranges that each lie wholly inside one kept range
 * (a full dump's thread stacks, listed again after 100k+ Memory64List ranges), sweep() would
 * keep exactly the ranges kept here, unchanged: the index is those columns (the columns
 * themselves when nothing was dropped). Undefined otherwise; the columns are never modified.
 *
 * This loop runs 100k+ times before the first prompt, mostly in V8's interpreter: addresses
 * below 2^53 are compared as plain numbers, exactly, and nothing is stored per range.
 */
function sortedAsGiven(cols: MemoryColumns): IndexColumns | undefined {
  const { startWords: W, sizes: Z, fileOffsets: F, count: n } = cols;
  // Indices of the kept ranges, made at the first dropped one (until then range i is kept i).
  let keptAt: Uint32Array | undefined;
  let prevStart = -1;
  let prevEnd = 0;
  let kept = 0;
  let k = 0;
  for (; k < n; k++) {
    const size = Z[k] as number;
    const hi = W[2 * k + HI] as number;
    if (hi >= EXACT_HI) break;
    const start = hi * TWO_32 + (W[2 * k + LO] as number);
    const end = start + size;
    if (!(size > 0) || start < prevEnd) {
      // Empty, or inside the last kept range: dropped. Starting before it or running past its end: not this path.
      if (size > 0 && !(start >= prevStart && end <= prevEnd)) break;
      keptAt ??= identity(kept, n);
      continue;
    }
    if (end > Number.MAX_SAFE_INTEGER) break;
    if (keptAt !== undefined) keptAt[kept] = k;
    prevStart = start;
    prevEnd = end;
    kept++;
  }
  if (kept === 0 || n - k > COVERED_TAIL_MAX) return undefined;
  let starts = cols.starts.subarray(0, kept);
  let sizes = Z.subarray(0, kept);
  let fileOffsets = F.subarray(0, kept);
  if (keptAt !== undefined) {
    // Something was dropped: the kept ranges are gathered into arrays of their own.
    starts = new BigUint64Array(kept);
    const S = new Uint32Array(starts.buffer);
    sizes = new Float64Array(kept);
    fileOffsets = new Float64Array(kept);
    for (let j = 0; j < kept; j++) {
      const i = keptAt[j] as number;
      S[2 * j] = W[2 * i] as number;
      S[2 * j + 1] = W[2 * i + 1] as number;
      sizes[j] = Z[i] as number;
      fileOffsets[j] = F[i] as number;
    }
  }
  for (let j = k; j < n; j++) {
    const size = Z[j] as number;
    if (!(size > 0)) continue;
    const start = cols.starts[j] as bigint;
    const i = lastAtOrBefore(starts, start);
    if (i < 0 || start + BigInt(size) > (starts[i] as bigint) + BigInt(sizes[i] as number)) return undefined;
  }
  return { count: kept, starts, sizes, fileOffsets };
}

/** [0, 1, ..., count - 1] in an array of n. */
function identity(count: number, n: number): Uint32Array {
  const a = new Uint32Array(n);
  for (let i = 0; i < count; i++) a[i] = i;
  return a;
}

/** Index of the last start <= addr in ascending `starts`, or -1. */
function lastAtOrBefore(starts: BigUint64Array, addr: bigint): number {
  let lo = 0;
  let hi = starts.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    if ((starts[mid] as bigint) <= addr) lo = mid + 1;
    else hi = mid - 1;
  }
  return hi;
}

/** The largest address a BigUint64Array holds: range ends are clamped to it. */
const MAX_ADDRESS = 0xffff_ffff_ffff_ffffn;

/**
 * The general case: non-empty ranges sorted by start (ties in priority order), then swept in
 * address order. A later range overlapping the covered prefix is trimmed at its front; one that
 * starts inside and ends beyond keeps only its tail. Wine's mini dumps (7,000+ ranges, in no
 * address order) come here.
 */
function sweep(cols: MemoryColumns): IndexColumns {
  return sweepPacked(cols) ?? sweepBig(cols, comparatorOrder(cols));
}

/**
 * sweep() for starts below 2^53 (user-mode addresses), with V8's own numeric sort of a
 * BigUint64Array: each key is the start shifted left by as many bits as a range index needs,
 * with the index in those bits, so the keys sort exactly as (start, index). Undefined when a
 * start leaves no room for the index bits or some range ends past 2^53 (sweepBig() answers).
 *
 * This runs before the first prompt of every Wine mini dump (7,000+ ranges in no address
 * order), mostly in V8's interpreter, where each step of a loop costs: a comparator called by
 * the sort 100k times, BigInt arithmetic and separate passes took 8 ms of a 257-thread dump's
 * start; two passes over plain numbers around the native sort take 2 ms.
 */
function sweepPacked(cols: MemoryColumns): IndexColumns | undefined {
  const { startWords: W, sizes: Z, fileOffsets: F, count: n } = cols;
  const bits = Math.max(1, 32 - Math.clz32(n - 1));
  if (bits > 31) return undefined;
  const hiLimit = Math.min(2 ** (32 - bits), EXACT_HI);
  const keys = new BigUint64Array(n);
  const K = new Uint32Array(keys.buffer);
  let m = 0;
  for (let i = 0; i < n; i++) {
    if (!((Z[i] as number) > 0)) continue;
    const hi = W[2 * i + HI] as number;
    const lo = W[2 * i + LO] as number;
    if (hi >= hiLimit) return undefined;
    // (start << bits) | i, word by word.
    K[2 * m + HI] = ((hi << bits) | (lo >>> (32 - bits))) >>> 0;
    K[2 * m + LO] = ((lo << bits) | i) >>> 0;
    m++;
  }
  keys.subarray(0, m).sort();
  const mask = 2 ** bits - 1;
  const starts = new BigUint64Array(m);
  const SW = new Uint32Array(starts.buffer);
  const sizes = new Float64Array(m);
  const offsets = new Float64Array(m);
  let kept = 0;
  let coveredEnd = -1;
  for (let j = 0; j < m; j++) {
    const i = (K[2 * j + LO] as number) & mask;
    const hi = W[2 * i + HI] as number;
    const lo = W[2 * i + LO] as number;
    const start = hi * TWO_32 + lo;
    const size = Z[i] as number;
    const end = start + size;
    if (end > Number.MAX_SAFE_INTEGER) return undefined;
    if (end <= coveredEnd) continue;
    if (start >= coveredEnd) {
      SW[2 * kept + HI] = hi;
      SW[2 * kept + LO] = lo;
      sizes[kept] = size;
      offsets[kept] = F[i] as number;
    } else {
      const skip = coveredEnd - start;
      SW[2 * kept + HI] = Math.floor(coveredEnd / TWO_32);
      SW[2 * kept + LO] = coveredEnd % TWO_32;
      sizes[kept] = size - skip;
      offsets[kept] = (F[i] as number) + skip;
    }
    kept++;
    coveredEnd = end;
  }
  return { count: kept, starts: starts.subarray(0, kept), sizes: sizes.subarray(0, kept), fileOffsets: offsets.subarray(0, kept) };
}

/** The non-empty ranges' indices by start, ties in priority order (the lower index first), any addresses. */
function comparatorOrder(cols: MemoryColumns): number[] {
  const { starts: S, sizes: Z } = cols;
  const order: number[] = [];
  for (let i = 0; i < cols.count; i++) if ((Z[i] as number) > 0) order.push(i);
  return order.sort((x, y) => {
    const a = S[x] as bigint;
    const b = S[y] as bigint;
    return a < b ? -1 : a > b ? 1 : x - y;
  });
}

/** sweep() in BigInts: any addresses, ends clamped at 2^64 - 1. */
function sweepBig(cols: MemoryColumns, order: readonly number[]): IndexColumns {
  const { starts: S, sizes: Z, fileOffsets: F } = cols;
  const m = order.length;
  const starts = new BigUint64Array(m);
  const sizes = new Float64Array(m);
  const offsets = new Float64Array(m);
  let kept = 0;
  let coveredEnd = -1n;
  for (let j = 0; j < m; j++) {
    const i = order[j] as number;
    const start = S[i] as bigint;
    let size = Z[i] as number;
    let end = start + BigInt(size);
    // A range running past 2^64 (a damaged dump) is cut at the last address there is.
    if (end > MAX_ADDRESS) {
      size -= Number(end - MAX_ADDRESS);
      end = MAX_ADDRESS;
      if (size <= 0) continue;
    }
    if (end <= coveredEnd) continue;
    if (start < coveredEnd) {
      const skip = Number(coveredEnd - start);
      starts[kept] = coveredEnd;
      sizes[kept] = size - skip;
      offsets[kept] = (F[i] as number) + skip;
    } else {
      starts[kept] = start;
      sizes[kept] = size;
      offsets[kept] = F[i] as number;
    }
    // A trimmed range still ends where it did (start + size), a cut one at 2^64 - 1.
    kept++;
    coveredEnd = end;
  }
  return { count: kept, starts: starts.subarray(0, kept), sizes: sizes.subarray(0, kept), fileOffsets: offsets.subarray(0, kept) };
}

/** The index's columns for ranges in priority order. */
function indexColumns(cols: MemoryColumns): IndexColumns {
  return sortedAsGiven(cols) ?? sweep(cols);
}

/** What a read of nothing returns (zero bytes: nothing to modify, so one is shared). */
const EMPTY = Buffer.alloc(0);

/**
 * All captured memory of a dump as one sorted, non-overlapping list of ranges
 * (MemoryList, Memory64List and thread stacks). Lookups are binary searches;
 * reads touch only the requested bytes of the file.
 */
export class MemoryIndex {
  /** Sorted by start, non-overlapping: `count` ranges in columns. */
  readonly count: number;
  private readonly starts: BigUint64Array;
  private readonly sizes: Float64Array;
  private readonly fileOffsets: Float64Array;
  private list: MemoryRange[] | undefined;
  private readonly source: ByteSource;
  /** Range index → that range's bytes, for view(); insertion order = least recently used first. */
  private readonly held = new Map<number, HeldRange>();
  /** The range view() used last: stack walks read one stack many times in a row. */
  private lastView: HeldRange | undefined;

  /**
   * `input` in priority order: where two overlap, the earlier one's bytes
   * win and the later one is trimmed (or dropped when fully covered). Columns
   * given here belong to the index from then on (it may keep their arrays).
   */
  constructor(source: ByteSource, input: readonly MemoryRange[] | MemoryColumns | IndexColumns) {
    this.source = source;
    // Index columns (memory-sweep.ts builds them) are the index already.
    const c = Array.isArray(input) ? indexColumns(MemoryColumns.of(input)) : input instanceof MemoryColumns ? indexColumns(input) : (input as IndexColumns);
    this.count = c.count;
    this.starts = c.starts;
    this.sizes = c.sizes;
    this.fileOffsets = c.fileOffsets;
  }

  /** The ranges as objects, sorted by start and non-overlapping (made on first use). */
  get ranges(): readonly MemoryRange[] {
    if (!this.list) {
      const list = new Array<MemoryRange>(this.count);
      for (let i = 0; i < this.count; i++) list[i] = this.rangeAt(i);
      this.list = list;
    }
    return this.list;
  }

  private rangeAt(i: number): MemoryRange {
    return { start: this.starts[i] as bigint, size: this.sizes[i] as number, fileOffset: this.fileOffsets[i] as number };
  }

  /** Index of the range containing addr, or -1. */
  private indexOf(addr: bigint): number {
    let lo = 0;
    let hi = this.starts.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      if ((this.starts[mid] as bigint) <= addr) lo = mid + 1;
      else hi = mid - 1;
    }
    // hi = last range with start <= addr.
    if (hi < 0) return -1;
    return addr - (this.starts[hi] as bigint) < BigInt(this.sizes[hi] as number) ? hi : -1;
  }

  /** The range containing addr, if captured. */
  findRange(addr: bigint): MemoryRange | undefined {
    const i = this.indexOf(addr);
    return i < 0 ? undefined : this.rangeAt(i);
  }

  /** First range whose start is >= addr (for "next captured byte" searches). */
  nextRange(addr: bigint): MemoryRange | undefined {
    let lo = 0;
    let hi = this.starts.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((this.starts[mid] as bigint) < addr) lo = mid + 1;
      else hi = mid;
    }
    return lo < this.count ? this.rangeAt(lo) : undefined;
  }

  /** Total bytes captured. */
  get totalSize(): number {
    let n = 0;
    for (let i = 0; i < this.count; i++) n += this.sizes[i] as number;
    return n;
  }

  /**
   * The contiguous captured prefix of [addr, addr+len): continues across
   * adjacent ranges, stops at the first hole or at the end of the file.
   * Possibly empty.
   */
  read(addr: bigint, len: number): Buffer {
    if (len <= 0 || addr < 0n) return Buffer.alloc(0);
    let want = Math.min(len, MAX_READ);
    let i = this.indexOf(addr);
    if (i < 0) return Buffer.alloc(0);
    const parts: Buffer[] = [];
    let cur = addr;
    while (want > 0 && i < this.count) {
      const start = this.starts[i] as bigint;
      if (cur < start || cur - start >= BigInt(this.sizes[i] as number)) break;
      const inRange = Number(cur - start);
      const n = Math.min(want, (this.sizes[i] as number) - inRange);
      const got = this.source.read((this.fileOffsets[i] as number) + inRange, n);
      parts.push(got);
      if (got.length < n) break;
      want -= n;
      cur += BigInt(n);
      i++;
    }
    return parts.length === 1 ? (parts[0] as Buffer) : Buffer.concat(parts);
  }

  /**
   * Exactly len bytes at addr as a view into a held copy of their range, when they lie
   * in one range of at most VIEW_MAX_RANGE bytes; undefined otherwise (use read()).
   * For hot readers (the stack walker reads a stack a word at a time): no copy, no
   * allocation beyond the view. The view shares memory with the cache: never modify it.
   */
  view(addr: bigint, len: number): Buffer | undefined {
    if (len <= 0) return undefined;
    const v = this.heldRange(addr);
    if (!v) return undefined;
    const at = Number(addr - v.start);
    return at + len <= v.bytes.length ? v.bytes.subarray(at, at + len) : undefined;
  }

  /**
   * What read() returns, as a view into a held range when one can give all of it: empty
   * when addr is not captured; the bytes up to the range's end when the request runs past
   * it and no range follows at once. Undefined when read() must answer (the range is too
   * large to hold, or the bytes continue into the next range). Never modify the result.
   */
  viewRead(addr: bigint, len: number): Buffer | undefined {
    if (len <= 0 || addr < 0n) return EMPTY;
    const v = this.heldRange(addr);
    if (v === null) return EMPTY;
    if (v === undefined) return undefined;
    const at = Number(addr - v.start);
    const end = at + len;
    if (end <= v.bytes.length) return v.bytes.subarray(at, end);
    return v.continued ? undefined : v.bytes.subarray(at);
  }

  /**
   * All len bytes at addr as a DataView over their held range, from byte `offset` on, when they
   * lie in one range view() can hold; undefined otherwise. No Buffer made (the stack scanner).
   */
  dataView(addr: bigint, len: number): { data: DataView; offset: number } | undefined {
    if (len <= 0) return undefined;
    const v = this.heldRange(addr);
    if (!v) return undefined;
    const at = Number(addr - v.start);
    return at + len <= v.bytes.length ? { data: v.data, offset: at } : undefined;
  }

  /** A pointer of the dump's width at addr when view() can serve it (zero-extended), else undefined. */
  viewPointer(addr: bigint, ptrSize: 4 | 8): bigint | undefined {
    const v = this.heldRange(addr);
    if (!v) return undefined;
    const at = Number(addr - v.start);
    if (at + ptrSize > v.bytes.length) return undefined;
    // DataView, not Buffer.readBigUInt64LE (which builds the value from three BigInts).
    return ptrSize === 8 ? v.data.getBigUint64(at, true) : BigInt(v.data.getUint32(at, true));
  }

  /**
   * The held copy of the range containing addr, read on first use; null when no range
   * contains addr; undefined when its range is too large to hold (or cannot be read whole).
   */
  private heldRange(addr: bigint): HeldRange | null | undefined {
    const last = this.lastView;
    if (last !== undefined && addr >= last.start && addr < last.end) return last;
    const i = this.indexOf(addr);
    if (i < 0) return null;
    let v = this.held.get(i);
    if (v !== undefined) {
      this.held.delete(i);
    } else {
      const size = this.sizes[i] as number;
      if (size > VIEW_MAX_RANGE) return undefined;
      const bytes = this.source.read(this.fileOffsets[i] as number, size);
      if (bytes.length < size) return undefined;
      const end = (this.starts[i] as bigint) + BigInt(size);
      v = { start: this.starts[i] as bigint, end, bytes, data: new DataView(bytes.buffer, bytes.byteOffset, bytes.length), continued: this.starts[i + 1] === end };
      if (this.held.size >= VIEW_CACHE_RANGES) {
        const oldest = this.held.keys().next().value;
        if (oldest !== undefined) this.held.delete(oldest);
      }
    }
    this.held.set(i, v);
    this.lastView = v;
    return v;
  }

  /** Exactly len bytes at addr, or undefined when any of them is missing. */
  readExact(addr: bigint, len: number): Buffer | undefined {
    const b = this.read(addr, len);
    return b.length === len ? b : undefined;
  }

  readU8(addr: bigint): number | undefined {
    const b = this.readExact(addr, 1);
    return b ? b.readUInt8(0) : undefined;
  }

  readU16(addr: bigint): number | undefined {
    const b = this.readExact(addr, 2);
    return b ? b.readUInt16LE(0) : undefined;
  }

  readU32(addr: bigint): number | undefined {
    const b = this.readExact(addr, 4);
    return b ? b.readUInt32LE(0) : undefined;
  }

  readU64(addr: bigint): bigint | undefined {
    const b = this.readExact(addr, 8);
    return b ? b.readBigUInt64LE(0) : undefined;
  }

  /** A pointer of the dump's width (4 or 8 bytes), zero-extended. */
  readPointer(addr: bigint, ptrSize: 4 | 8): bigint | undefined {
    if (ptrSize === 4) {
      const v = this.readU32(addr);
      return v === undefined ? undefined : BigInt(v);
    }
    return this.readU64(addr);
  }
}
