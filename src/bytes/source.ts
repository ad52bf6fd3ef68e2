import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { FormatError } from './errors.js';

/**
 * Random-access, synchronous, bounded byte source. Dumps and PDBs are read
 * through this lazily: nothing reads a whole file.
 */
export interface ByteSource {
  /** Total size in bytes. */
  readonly size: number;
  /** Human-readable name (file path) for error messages. */
  readonly name: string;
  /**
   * Reads `length` bytes at `offset`. Returns fewer bytes only when the
   * range runs past the end (never throws for that); throws FormatError('Io') on I/O failure.
   */
  read(offset: number, length: number): Buffer;
  /** Bytes read from the underlying medium so far (for the benchmark). */
  readonly bytesRead: number;
  close(): void;
}

/** Largest single read a caller may request; larger requests are a bug or hostile input. */
export const MAX_READ = 256 * 1024 * 1024;

const PAGE = 64 * 1024;
const CACHE_PAGES = 256; // 16 MiB of cache at most

/** A file opened read-only and read at positions, with a small LRU page cache. */
export class FileSource implements ByteSource {
  readonly name: string;
  readonly size: number;
  bytesRead = 0;
  private fd: number | undefined;
  private readonly pages = new Map<number, Buffer>();

  constructor(path: string) {
    this.name = path;
    try {
      this.fd = openSync(path, 'r');
      this.size = fstatSync(this.fd).size;
    } catch (e) {
      throw new FormatError('Io', `cannot open ${path}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
    }
  }

  read(offset: number, length: number): Buffer {
    if (offset < 0 || length < 0 || !Number.isSafeInteger(offset)) return Buffer.alloc(0);
    if (length > MAX_READ) throw new FormatError('TooLarge', `refusing to read ${length} bytes`, `reading ${this.name}`, offset);
    const end = Math.min(this.size, offset + length);
    if (end <= offset) return Buffer.alloc(0);
    const want = end - offset;
    // Large reads bypass the page cache.
    if (want > PAGE * 4) return this.readRaw(offset, want);
    const out = Buffer.allocUnsafe(want);
    let done = 0;
    while (done < want) {
      const pos = offset + done;
      const pageNo = Math.floor(pos / PAGE);
      const page = this.page(pageNo);
      const inPage = pos - pageNo * PAGE;
      const n = Math.min(want - done, page.length - inPage);
      if (n <= 0) break;
      page.copy(out, done, inPage, inPage + n);
      done += n;
    }
    return done === want ? out : out.subarray(0, done);
  }

  private page(pageNo: number): Buffer {
    const hit = this.pages.get(pageNo);
    if (hit) {
      this.pages.delete(pageNo);
      this.pages.set(pageNo, hit);
      return hit;
    }
    const start = pageNo * PAGE;
    const buf = this.readRaw(start, Math.min(PAGE, this.size - start));
    this.pages.set(pageNo, buf);
    if (this.pages.size > CACHE_PAGES) {
      const oldest = this.pages.keys().next().value;
      if (oldest !== undefined) this.pages.delete(oldest);
    }
    return buf;
  }

  private readRaw(offset: number, length: number): Buffer {
    if (this.fd === undefined) throw new FormatError('Io', `${this.name} is closed`);
    const buf = Buffer.allocUnsafe(length);
    let done = 0;
    try {
      while (done < length) {
        const n = readSync(this.fd, buf, done, length - done, offset + done);
        if (n === 0) break;
        done += n;
      }
    } catch (e) {
      throw new FormatError('Io', `read failed: ${(e as NodeJS.ErrnoException).code ?? String(e)}`, `reading ${this.name}`, offset);
    }
    this.bytesRead += done;
    return done === length ? buf : buf.subarray(0, done);
  }

  close(): void {
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
    this.pages.clear();
  }
}

/** An in-memory source (synthetic dumps in tests, images carved from dump memory). */
export class BufferSource implements ByteSource {
  readonly name: string;
  readonly size: number;
  bytesRead = 0;
  private readonly buf: Buffer;

  constructor(buf: Buffer, name = '<buffer>') {
    this.buf = buf;
    this.size = buf.length;
    this.name = name;
  }

  read(offset: number, length: number): Buffer {
    if (offset < 0 || length < 0 || offset >= this.size) return Buffer.alloc(0);
    const out = this.buf.subarray(offset, Math.min(this.size, offset + length));
    this.bytesRead += out.length;
    return out;
  }

  close(): void {}
}
