import { FormatError } from '../../bytes/errors.js';
import { GSI_HASH_HEADER_SIZE, GsiHashHeaderLayout } from './layouts.js';
import type { PdbStream } from './msf.js';
import { readSymbolAt } from './symbols.js';
import type { SymRecord } from './symbols.js';

/** GSIHashHeader.VerSignature / VerHdr (F.6). */
export const GSI_HASH_SIGNATURE = 0xffffffff;
export const GSI_HASH_V70 = (0xeffe0000 + 19990810) >>> 0;
/** Number of hash buckets of the globals/publics name hash (IPHR_HASH). */
export const IPHR_HASH = 4096;
/** Size of one serialized hash record {Off u32, CRef u32}. */
const HASH_RECORD_SIZE = 8;
/** Bucket offsets count records of the 12-byte in-memory HRFile of the original 32-bit writer. */
const IN_MEMORY_RECORD_SIZE = 12;
/** Bitmap of IPHR_HASH + 1 bits, rounded up to 32-bit words: 516 bytes. */
const BITMAP_BYTES = (Math.ceil((IPHR_HASH + 1) / 32) * 32) / 8;

/**
 * The PDB's name hash ("lhashPbCb", LLVM hashStringV1): XOR of the name's
 * little-endian u32 words, then a u16 and a byte for the tail, a lower-case
 * mask, and two shift-XORs. Case-insensitive by construction for ASCII.
 */
export function hashStringV1(name: string | Buffer): number {
  const b = typeof name === 'string' ? Buffer.from(name, 'utf8') : name;
  let h = 0;
  const words = b.length >>> 2;
  for (let i = 0; i < words; i++) h = (h ^ b.readUInt32LE(i * 4)) >>> 0;
  let p = words * 4;
  let rest = b.length & 3;
  if (rest >= 2) {
    h = (h ^ b.readUInt16LE(p)) >>> 0;
    p += 2;
    rest -= 2;
  }
  if (rest === 1) h = (h ^ b[p]!) >>> 0;
  h = (h | 0x20202020) >>> 0;
  h = (h ^ (h >>> 11)) >>> 0;
  return (h ^ (h >>> 16)) >>> 0;
}

/**
 * A GSI name hash table (globals stream, or the head of the publics stream),
 * queried lazily: one lookup reads the bucket bitmap, two bucket offsets, the
 * bucket's hash records, and the candidate symbol records.
 */
export class GsiHashTable {
  readonly stream: PdbStream;
  readonly symRecords: PdbStream;
  /** Number of hash records. */
  readonly count: number;
  private readonly recordsAt: number;
  private readonly bitmapAt: number;
  private readonly bucketsAt: number;
  private readonly bucketCount: number;
  private bitmap: Buffer | undefined;

  /** `offset`/`size`: where the hash lives in `stream` (0/whole stream for globals; after the 28-byte header for publics). */
  constructor(stream: PdbStream, symRecords: PdbStream, offset = 0, size = stream.size - offset) {
    const ctx = `reading GSI hash in stream ${stream.index}`;
    if (size < GSI_HASH_HEADER_SIZE || offset + size > stream.size) throw new FormatError('Truncated', `GSI hash of ${size} bytes`, ctx, offset);
    const h = GsiHashHeaderLayout.decode(stream.read(offset, GSI_HASH_HEADER_SIZE), 0, ctx);
    if (h.verSignature !== GSI_HASH_SIGNATURE || h.verHdr !== GSI_HASH_V70) {
      throw new FormatError('UnsupportedVersion', `GSI hash header 0x${h.verSignature.toString(16)}/0x${h.verHdr.toString(16)}`, ctx, offset);
    }
    if (GSI_HASH_HEADER_SIZE + h.hrSize + h.numBuckets > size) {
      throw new FormatError('Truncated', `GSI hash records (${h.hrSize}) and buckets (${h.numBuckets}) exceed ${size} bytes`, ctx, offset);
    }
    this.stream = stream;
    this.symRecords = symRecords;
    this.count = Math.floor(h.hrSize / HASH_RECORD_SIZE);
    this.recordsAt = offset + GSI_HASH_HEADER_SIZE;
    this.bitmapAt = this.recordsAt + h.hrSize;
    this.bucketsAt = this.bitmapAt + BITMAP_BYTES;
    this.bucketCount = h.numBuckets >= BITMAP_BYTES ? Math.floor((h.numBuckets - BITMAP_BYTES) / 4) : 0;
  }

  /** False when the table holds no records (a writer that skipped the hash): callers should scan instead. */
  get usable(): boolean {
    return this.count > 0 && this.bucketCount > 0;
  }

  /** Symbol records whose name hashes like `name` (callers compare names exactly). */
  candidates(name: string): SymRecord[] {
    if (!this.usable) return [];
    this.bitmap ??= this.stream.read(this.bitmapAt, BITMAP_BYTES);
    const bucket = hashStringV1(name) % IPHR_HASH;
    if (((this.bitmap[bucket >>> 3]! >>> (bucket & 7)) & 1) === 0) return [];
    // Compressed index = number of non-empty buckets before this one.
    let compressed = 0;
    for (let i = 0; i < bucket; i++) if ((this.bitmap[i >>> 3]! >>> (i & 7)) & 1) compressed++;
    if (compressed >= this.bucketCount) return [];
    const startOff = this.stream.read(this.bucketsAt + compressed * 4, 4).readUInt32LE(0);
    const endOff = compressed + 1 < this.bucketCount
      ? this.stream.read(this.bucketsAt + (compressed + 1) * 4, 4).readUInt32LE(0)
      : this.count * IN_MEMORY_RECORD_SIZE;
    const start = Math.floor(startOff / IN_MEMORY_RECORD_SIZE);
    const end = Math.min(this.count, Math.floor(endOff / IN_MEMORY_RECORD_SIZE));
    if (end <= start) return [];
    const recs = this.stream.read(this.recordsAt + start * HASH_RECORD_SIZE, (end - start) * HASH_RECORD_SIZE);
    const out: SymRecord[] = [];
    for (let i = 0; i < end - start; i++) {
      // Off is the symbol's offset in the record stream plus one.
      const off = recs.readUInt32LE(i * HASH_RECORD_SIZE) - 1;
      try {
        out.push(readSymbolAt(this.symRecords, off));
      } catch (e) {
        if (!(e instanceof FormatError)) throw e;
      }
    }
    return out;
  }
}
