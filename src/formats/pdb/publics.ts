import { FormatError } from '../../bytes/errors.js';
import { PUBLICS_HEADER_SIZE, PublicsStreamHeaderLayout } from './layouts.js';
import type { PdbStream } from './msf.js';
import { isPublicKind, parsePublicSym, readSymbolAt } from './symbols.js';
import type { PublicSym } from './symbols.js';

export interface PublicEntry extends PublicSym {
  /** Offset of the S_PUB32 record in the symbol record stream. */
  recordOffset: number;
}

/**
 * The publics stream's address map (F.6): u32 offsets into the symbol record
 * stream, sorted by (section, offset). Searched lazily: each probe reads one
 * map entry and one small record, so a lookup touches O(log n) blocks.
 */
export class PublicsIndex {
  readonly publics: PdbStream;
  readonly symRecords: PdbStream;
  readonly count: number;
  private readonly mapOffset: number;
  private readonly cache = new Map<number, PublicEntry | null>();

  constructor(publics: PdbStream, symRecords: PdbStream) {
    const ctx = `reading publics stream ${publics.index}`;
    if (publics.size < PUBLICS_HEADER_SIZE) throw new FormatError('Truncated', `publics stream holds ${publics.size} bytes`, ctx, 0);
    const h = PublicsStreamHeaderLayout.decode(publics.read(0, PUBLICS_HEADER_SIZE), 0, ctx);
    this.mapOffset = PUBLICS_HEADER_SIZE + h.symHash;
    if (this.mapOffset > publics.size) throw new FormatError('Truncated', `publics hash of ${h.symHash} bytes runs past the stream`, ctx, PUBLICS_HEADER_SIZE);
    this.count = Math.floor(Math.min(h.addrMap, publics.size - this.mapOffset) / 4);
    this.publics = publics;
    this.symRecords = symRecords;
  }

  /** The i-th public in address order; null when its record is not a readable S_PUB32. */
  at(i: number): PublicEntry | null {
    const hit = this.cache.get(i);
    if (hit !== undefined) return hit;
    let e: PublicEntry | null = null;
    try {
      const off = this.publics.read(this.mapOffset + i * 4, 4).readUInt32LE(0);
      const r = readSymbolAt(this.symRecords, off);
      if (isPublicKind(r.kind)) e = { ...parsePublicSym(r), recordOffset: off };
    } catch (err) {
      if (!(err instanceof FormatError)) throw err;
    }
    this.cache.set(i, e);
    return e;
  }

  /** The public with the greatest (section, offset) ≤ the key in the same section. */
  nearestAtOrBefore(segment: number, offset: number): PublicEntry | undefined {
    let lo = 0;
    let hi = this.count - 1;
    let best = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      const e = this.at(mid);
      // An unreadable entry sorts as "before" so the search still terminates.
      if (!e || e.segment < segment || (e.segment === segment && e.offset <= offset)) {
        best = mid;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    for (let i = best; i >= 0 && i > best - 16; i--) {
      const e = this.at(i);
      if (!e) continue;
      if (e.segment === segment && e.offset <= offset) return e;
      if (e.segment < segment) break;
    }
    return undefined;
  }

  /** All publics in address order (reads the whole map). */
  *all(): Generator<PublicEntry> {
    for (let i = 0; i < this.count; i++) {
      const e = this.at(i);
      if (e) yield e;
    }
  }
}
