import { FormatError } from '../../bytes/errors.js';
import { STRING_TABLE_HEADER_SIZE, STRING_TABLE_SIGNATURE, StringTableHeaderLayout } from './layouts.js';
import type { PdbStream } from './msf.js';

/** Longest string we return from the table (file paths, FPO program strings). */
const MAX_STRING = 64 * 1024;
const CHUNK = 256;

/**
 * The `/names` string table (F.5). Offsets (from FILECHKSMS, FRAMEDATA.frameFunc...)
 * are relative to the string buffer after the 12-byte header. Strings are read
 * on demand from the stream and cached.
 */
export class PdbStringTable {
  readonly stream: PdbStream;
  readonly hashVersion: number;
  readonly byteSize: number;
  private readonly cache = new Map<number, string | undefined>();

  constructor(stream: PdbStream) {
    const ctx = `reading /names string table (stream ${stream.index})`;
    const h = StringTableHeaderLayout.decode(stream.read(0, Math.min(stream.size, STRING_TABLE_HEADER_SIZE)), 0, ctx);
    if (h.signature !== STRING_TABLE_SIGNATURE) {
      throw new FormatError('BadValue', `bad string table signature 0x${h.signature.toString(16)}`, ctx, 0);
    }
    this.stream = stream;
    this.hashVersion = h.hashVersion;
    this.byteSize = Math.min(h.byteSize, stream.size - STRING_TABLE_HEADER_SIZE);
  }

  /** The NUL-terminated UTF-8 string at `offset`, or undefined when the offset is outside the buffer. */
  get(offset: number): string | undefined {
    if (this.cache.has(offset)) return this.cache.get(offset);
    const s = this.readAt(offset);
    this.cache.set(offset, s);
    return s;
  }

  private readAt(offset: number): string | undefined {
    if (!Number.isInteger(offset) || offset < 0 || offset >= this.byteSize) return undefined;
    const parts: Buffer[] = [];
    let pos = offset;
    let total = 0;
    while (pos < this.byteSize && total < MAX_STRING) {
      const n = Math.min(CHUNK, this.byteSize - pos);
      const chunk = this.stream.read(STRING_TABLE_HEADER_SIZE + pos, n);
      const nul = chunk.indexOf(0);
      if (nul >= 0) {
        parts.push(chunk.subarray(0, nul));
        break;
      }
      parts.push(chunk);
      total += n;
      pos += n;
    }
    return Buffer.concat(parts).toString('utf8');
  }
}
