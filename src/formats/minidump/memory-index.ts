import type { ByteSource } from '../../bytes/source.js';
import { MAX_READ } from '../../bytes/source.js';
import type { MemoryRange } from './types.js';

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
    const out: MemoryRange[] = [];
    const starts: bigint[] = [];
    const ends: bigint[] = [];
    let coveredEnd = -1n;
    for (const r of ordered) {
      const end = r.start + BigInt(r.size);
      if (end <= coveredEnd) continue;
      if (r.start < coveredEnd) {
        const skip = Number(coveredEnd - r.start);
        out.push({ start: coveredEnd, size: r.size - skip, fileOffset: r.fileOffset + skip });
        starts.push(coveredEnd);
      } else {
        out.push(r);
        starts.push(r.start);
      }
      // Each kept range ends where it did before trimming: its end is computed once, here.
      ends.push(end);
      coveredEnd = end;
    }
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
