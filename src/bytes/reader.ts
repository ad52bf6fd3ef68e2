import { FormatError } from './errors.js';

/**
 * Whether typed arrays use little-endian order here. Dump fields are little-endian; the
 * typed-array fast paths (memory lists) check this, since Node also runs on big-endian s390x.
 */
export const LITTLE_ENDIAN_HOST = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/**
 * Bounds-checked little-endian reader over a Buffer. `base` is the file offset
 * (or address) of byte 0, used only in error messages.
 */
export class Reader {
  readonly buf: Buffer;
  readonly base: number | bigint;
  readonly context: string;
  pos = 0;

  constructor(buf: Buffer, base: number | bigint = 0, context = '') {
    this.buf = buf;
    this.base = base;
    this.context = context;
  }

  get length(): number {
    return this.buf.length;
  }

  get remaining(): number {
    return this.buf.length - this.pos;
  }

  private need(offset: number, n: number): void {
    if (offset < 0 || offset + n > this.buf.length) {
      const at = typeof this.base === 'bigint' ? this.base + BigInt(offset) : this.base + offset;
      throw new FormatError('Truncated', `needed ${n} bytes at +0x${offset.toString(16)} but only ${Math.max(0, this.buf.length - offset)} are there`, this.context, at);
    }
  }

  u8(offset = this.advance(1)): number { this.need(offset, 1); return this.buf.readUInt8(offset); }
  u16(offset = this.advance(2)): number { this.need(offset, 2); return this.buf.readUInt16LE(offset); }
  u32(offset = this.advance(4)): number { this.need(offset, 4); return this.buf.readUInt32LE(offset); }
  i32(offset = this.advance(4)): number { this.need(offset, 4); return this.buf.readInt32LE(offset); }
  u64(offset = this.advance(8)): bigint { this.need(offset, 8); return this.buf.readBigUInt64LE(offset); }
  bytes(n: number, offset = this.advance(n)): Buffer { this.need(offset, n); return this.buf.subarray(offset, offset + n); }

  /** Consumes n bytes and returns the offset they started at. */
  advance(n: number): number {
    const at = this.pos;
    this.pos += n;
    return at;
  }

  /** A sub-reader over [offset, offset+n). */
  sub(offset: number, n: number, context = this.context): Reader {
    this.need(offset, n);
    const base = typeof this.base === 'bigint' ? this.base + BigInt(offset) : this.base + offset;
    return new Reader(this.buf.subarray(offset, offset + n), base, context);
  }
}

/** Decodes a NUL-terminated (or length-bounded) UTF-16LE string. */
export function utf16z(buf: Buffer, offset = 0, maxBytes = buf.length - offset): string {
  const end = Math.min(buf.length, offset + maxBytes);
  let i = offset;
  while (i + 1 < end && (buf[i] !== 0 || buf[i + 1] !== 0)) i += 2;
  return buf.toString('utf16le', offset, i);
}

/** Decodes a NUL-terminated (or length-bounded) 8-bit string (latin1, as the dump stores bytes). */
export function asciiz(buf: Buffer, offset = 0, maxBytes = buf.length - offset): string {
  const end = Math.min(buf.length, offset + maxBytes);
  let i = offset;
  while (i < end && buf[i] !== 0) i++;
  return buf.toString('latin1', offset, i);
}
