import type { ByteSource } from '../../bytes/source.js';
import { MAX_READ } from '../../bytes/source.js';
import type { MemoryRange } from './types.js';

/** Ranges up to this size are read whole for view() (a mini dump's thread stacks are a few KiB to 1 MiB). */
const VIEW_MAX_RANGE = 1024 * 1024;
/** How many such ranges view() keeps (least recently used dropped first). */
const VIEW_CACHE_RANGES = 16;

/** One range's bytes, held for view(); `continued` when the next range starts where this one ends. */
interface HeldRange { start: bigint; end: bigint; bytes: Buffer; data: DataView; continued: boolean }

/** What a read of nothing returns (zero bytes: nothing to modify, so one is shared). */
const EMPTY = Buffer.alloc(0);

/**
 * All captured memory of a dump as one sorted, non-overlapping list of ranges
 * (MemoryList, Memory64List and thread stacks). Lookups are binary searches;
 * reads touch only the requested bytes of the file.
 */
export class MemoryIndex {
  /** Sorted by start, non-overlapping. */
  readonly ranges: readonly MemoryRange[];
  private readonly starts: bigint[];
  private readonly ends: bigint[];
  private readonly source: ByteSource;
  /** Range index → that range's bytes, for view(); insertion order = least recently used first. */
  private readonly held = new Map<number, HeldRange>();
  /** The range view() used last: stack walks read one stack many times in a row. */
  private lastView: HeldRange | undefined;

  /**
   * `ranges` in priority order: where two overlap, the earlier one's bytes
   * win and the later one is trimmed (or dropped when fully covered).
   */
  constructor(source: ByteSource, ranges: readonly MemoryRange[]) {
    this.source = source;
    // Array.prototype.sort is stable (ES2019): ties keep their priority order. It is also
    // adaptive (TimSort): a dump's lists are ascending runs already (MemoryList,
    // Memory64List, then the stacks), so 100k+ ranges sort in about linear time.
    const ordered = ranges.filter((r) => r.size > 0).sort((a, b) => (a.start < b.start ? -1 : a.start > b.start ? 1 : 0));
    // Sweep in address order; ties at one start keep the higher-priority (earlier) range first.
    // A later range overlapping the covered prefix is trimmed at its front; one that
    // starts inside and ends beyond keeps only its tail.
    // Arrays sized once and cut to what was kept (Wine's mini dumps list 7,000+ ranges).
    const n = ordered.length;
    const out = new Array<MemoryRange>(n);
    const starts = new Array<bigint>(n);
    const ends = new Array<bigint>(n);
    let kept = 0;
    let coveredEnd = -1n;
    for (let i = 0; i < n; i++) {
      const r = ordered[i] as MemoryRange;
      const end = r.start + BigInt(r.size);
      if (end <= coveredEnd) continue;
      if (r.start < coveredEnd) {
        const skip = Number(coveredEnd - r.start);
        out[kept] = { start: coveredEnd, size: r.size - skip, fileOffset: r.fileOffset + skip };
        starts[kept] = coveredEnd;
      } else {
        out[kept] = r;
        starts[kept] = r.start;
      }
      // Each kept range ends where it did before trimming: its end is computed once, here.
      ends[kept] = end;
      kept++;
      coveredEnd = end;
    }
    out.length = kept;
    starts.length = kept;
    ends.length = kept;
    this.ranges = out;
    this.starts = starts;
    this.ends = ends;
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
    return addr < (this.ends[hi] as bigint) ? hi : -1;
  }

  /** The range containing addr, if captured. */
  findRange(addr: bigint): MemoryRange | undefined {
    const i = this.indexOf(addr);
    return i < 0 ? undefined : this.ranges[i];
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
    return this.ranges[lo];
  }

  /** Total bytes captured. */
  get totalSize(): number {
    let n = 0;
    for (const r of this.ranges) n += r.size;
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
    while (want > 0 && i < this.ranges.length) {
      const r = this.ranges[i] as MemoryRange;
      if (cur < r.start || cur >= (this.ends[i] as bigint)) break;
      const inRange = Number(cur - r.start);
      const n = Math.min(want, r.size - inRange);
      const got = this.source.read(r.fileOffset + inRange, n);
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
      const r = this.ranges[i] as MemoryRange;
      if (r.size > VIEW_MAX_RANGE) return undefined;
      const bytes = this.source.read(r.fileOffset, r.size);
      if (bytes.length < r.size) return undefined;
      const end = this.ends[i] as bigint;
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
