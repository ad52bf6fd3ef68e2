import { FormatError } from '../../bytes/errors.js';
import { Reader } from '../../bytes/reader.js';
import { FileSource, MAX_READ } from '../../bytes/source.js';
import type { ByteSource } from '../../bytes/source.js';
import {
  MSF_MAGIC,
  MSF_SUPERBLOCK_SIZE,
  MsfSuperBlockLayout,
  NIL_STREAM_SIZE,
  PDB20_MAGIC_PREFIX,
} from './layouts.js';

export type MsfSuperBlock = ReturnType<typeof MsfSuperBlockLayout.decode>;

/** Largest stream directory we accept (the directory of a 4 GB PDB is a few MiB). */
const MAX_DIRECTORY_BYTES = 64 * 1024 * 1024;

function isValidBlockSize(n: number): boolean {
  // MSF 7.00 uses 512..4096; PDBs above 4 GB (VS 2019+ /pdbpagesize) use 8K..32K.
  return n >= 512 && n <= 65536 && (n & (n - 1)) === 0;
}

/**
 * One stream of an MSF file, read block by block on demand through the
 * ByteSource. Nothing is loaded until `read` is called.
 */
export class PdbStream {
  readonly index: number;
  /** Stream size in bytes (0 for a nil stream). */
  readonly size: number;
  /** True when the directory marks the stream as nil/deleted (size 0xFFFFFFFF). */
  readonly isNil: boolean;
  private readonly msf: MsfFile;
  private readonly blocks: Uint32Array;

  constructor(msf: MsfFile, index: number, size: number, blocks: Uint32Array, isNil = false) {
    this.msf = msf;
    this.index = index;
    this.size = size;
    this.blocks = blocks;
    this.isNil = isNil;
  }

  /** Number of blocks backing the stream. */
  get blockCount(): number {
    return this.blocks.length;
  }

  /**
   * Reads `length` bytes at `offset` within the stream, copying across block
   * boundaries (blocks of a stream are arbitrary, non-contiguous file blocks).
   * Throws FormatError('Truncated') when the range is outside the stream or the file is short.
   */
  read(offset: number, length: number): Buffer {
    const context = `reading MSF stream ${this.index}`;
    if (!Number.isSafeInteger(offset) || !Number.isSafeInteger(length) || offset < 0 || length < 0 || offset + length > this.size) {
      throw new FormatError('Truncated', `range +0x${offset.toString(16)}..+0x${(offset + length).toString(16)} is outside the stream (size 0x${this.size.toString(16)})`, context, offset);
    }
    if (length > MAX_READ) throw new FormatError('TooLarge', `refusing to read ${length} bytes`, context, offset);
    const bs = this.msf.blockSize;
    const out = Buffer.allocUnsafe(length);
    let done = 0;
    while (done < length) {
      const pos = offset + done;
      const bi = Math.floor(pos / bs);
      const inBlock = pos - bi * bs;
      // Merge runs of file-contiguous blocks into one read.
      let n = Math.min(length - done, bs - inBlock);
      const first = this.blocks[bi] ?? 0;
      let next = bi + 1;
      while (done + n < length && this.blocks[next] === first + (next - bi)) {
        n = Math.min(length - done, n + bs);
        next++;
      }
      const fileOffset = first * bs + inBlock;
      const chunk = this.msf.source.read(fileOffset, n);
      if (chunk.length < n) {
        throw new FormatError('Truncated', `block ${first} of stream ${this.index} runs past the end of the file`, context, fileOffset);
      }
      chunk.copy(out, done);
      done += n;
    }
    return out;
  }

  /** Reads the whole stream (bounded by MAX_READ). */
  readAll(): Buffer {
    return this.read(0, this.size);
  }

  /** A bounds-checked Reader over [offset, offset+length) of the stream. */
  reader(offset = 0, length = this.size - offset, context = `MSF stream ${this.index}`): Reader {
    return new Reader(this.read(offset, length), offset, context);
  }
}

/**
 * The MSF 7.00 container (F.1): superblock, block map and stream directory.
 * The directory is read once; streams are opened lazily.
 */
export class MsfFile {
  readonly source: ByteSource;
  readonly blockSize: number;
  readonly numBlocks: number;
  readonly streamCount: number;
  private readonly directory: Buffer;
  /** Directory offset of each stream's block list. */
  private readonly blockListOffsets: Uint32Array;
  private readonly sizes: Uint32Array;
  private readonly streams = new Map<number, PdbStream>();
  private readonly ownsSource: boolean;

  static open(path: string): MsfFile {
    const src = new FileSource(path);
    try {
      return new MsfFile(src, true);
    } catch (e) {
      src.close();
      throw e;
    }
  }

  constructor(source: ByteSource, ownsSource = false) {
    this.source = source;
    this.ownsSource = ownsSource;
    const ctx = `reading MSF superblock of ${source.name}`;
    const head = source.read(0, MSF_SUPERBLOCK_SIZE);
    if (head.toString('latin1', 0, PDB20_MAGIC_PREFIX.length) === PDB20_MAGIC_PREFIX) {
      throw new FormatError('UnsupportedVersion', 'this is an old "program database 2.00" PDB; only MSF 7.00 PDBs are supported', ctx, 0);
    }
    if (head.length < MSF_SUPERBLOCK_SIZE || !head.subarray(0, MSF_MAGIC.length).equals(MSF_MAGIC)) {
      throw new FormatError('BadValue', 'not a PDB file (MSF 7.00 magic missing)', ctx, 0);
    }
    const sb = MsfSuperBlockLayout.decode(head, 0, ctx);
    if (!isValidBlockSize(sb.blockSize)) {
      throw new FormatError('BadValue', `invalid MSF block size ${sb.blockSize}`, ctx, MsfSuperBlockLayout.offsets.blockSize);
    }
    this.blockSize = sb.blockSize;
    this.numBlocks = sb.numBlocks;
    const bs = sb.blockSize;
    if (sb.numDirectoryBytes < 4 || sb.numDirectoryBytes > MAX_DIRECTORY_BYTES || sb.numDirectoryBytes > sb.numBlocks * bs) {
      throw new FormatError('BadValue', `invalid stream directory size ${sb.numDirectoryBytes}`, ctx, MsfSuperBlockLayout.offsets.numDirectoryBytes);
    }
    const dirBlocks = Math.ceil(sb.numDirectoryBytes / bs);
    // The directory's block numbers are stored in "block map" blocks. Their
    // numbers are an array starting at BlockMapAddr in the superblock
    // (Microsoft's "big MSF" layout); LLVM only ever writes one.
    const mapBlocks = Math.ceil((dirBlocks * 4) / bs);
    if (MSF_SUPERBLOCK_SIZE - 4 + mapBlocks * 4 > bs) {
      throw new FormatError('BadValue', `stream directory of ${sb.numDirectoryBytes} bytes needs too many block map blocks`, ctx);
    }
    const mapNums = mapBlocks === 1 ? Buffer.from(head.subarray(52, 56)) : this.readExact(52, mapBlocks * 4, ctx);
    const mapList = Buffer.allocUnsafe(mapBlocks * bs);
    for (let i = 0; i < mapBlocks; i++) {
      const b = mapNums.readUInt32LE(i * 4);
      this.checkBlock(b, 'block map', ctx);
      this.readExact(b * bs, bs, ctx).copy(mapList, i * bs);
    }
    const directory = Buffer.allocUnsafe(sb.numDirectoryBytes);
    for (let i = 0; i < dirBlocks; i++) {
      const b = mapList.readUInt32LE(i * 4);
      this.checkBlock(b, 'stream directory', ctx);
      const n = Math.min(bs, sb.numDirectoryBytes - i * bs);
      this.readExact(b * bs, n, ctx).copy(directory, i * bs);
    }
    this.directory = directory;

    const dctx = `reading MSF stream directory of ${source.name}`;
    const numStreams = directory.readUInt32LE(0);
    if (numStreams > (directory.length - 4) / 4) {
      throw new FormatError('BadValue', `stream directory claims ${numStreams} streams but holds ${directory.length} bytes`, dctx, 0);
    }
    this.streamCount = numStreams;
    this.sizes = new Uint32Array(numStreams);
    this.blockListOffsets = new Uint32Array(numStreams);
    let pos = 4 + numStreams * 4;
    for (let i = 0; i < numStreams; i++) {
      const size = directory.readUInt32LE(4 + i * 4);
      this.sizes[i] = size;
      this.blockListOffsets[i] = pos;
      pos += this.blocksFor(size) * 4;
      if (pos > directory.length) {
        throw new FormatError('Truncated', `block list of stream ${i} runs past the end of the stream directory`, dctx, pos);
      }
    }
  }

  private blocksFor(size: number): number {
    return size === NIL_STREAM_SIZE ? 0 : Math.ceil(size / this.blockSize);
  }

  private checkBlock(b: number, what: string, ctx: string): void {
    if (b >= this.numBlocks || b === 0) {
      throw new FormatError('OutOfBounds', `${what} block number ${b} is out of range (file has ${this.numBlocks} blocks)`, ctx);
    }
  }

  private readExact(offset: number, n: number, ctx: string): Buffer {
    const b = this.source.read(offset, n);
    if (b.length < n) throw new FormatError('Truncated', `file ends before offset 0x${(offset + n).toString(16)}`, ctx, offset);
    return b;
  }

  /** Size of stream `index` in bytes (0 for nil streams); undefined when it does not exist. */
  streamSize(index: number): number | undefined {
    if (!Number.isInteger(index) || index < 0 || index >= this.streamCount) return undefined;
    const s = this.sizes[index] ?? 0;
    return s === NIL_STREAM_SIZE ? 0 : s;
  }

  /** True when stream `index` exists and is not nil. */
  hasStream(index: number): boolean {
    return index >= 0 && index < this.streamCount && this.sizes[index] !== NIL_STREAM_SIZE;
  }

  /**
   * Opens stream `index`. Throws FormatError('StreamNotFound') when the index
   * is out of range, FormatError('OutOfBounds') when a block number is invalid.
   */
  stream(index: number): PdbStream {
    const hit = this.streams.get(index);
    if (hit) return hit;
    if (!Number.isInteger(index) || index < 0 || index >= this.streamCount) {
      throw new FormatError('StreamNotFound', `MSF stream ${index} does not exist (${this.streamCount} streams)`, `opening a stream of ${this.source.name}`);
    }
    const raw = this.sizes[index] ?? 0;
    const isNil = raw === NIL_STREAM_SIZE;
    const n = this.blocksFor(raw);
    const at = this.blockListOffsets[index] ?? 0;
    const blocks = new Uint32Array(n);
    const ctx = `opening MSF stream ${index} of ${this.source.name}`;
    for (let i = 0; i < n; i++) {
      const b = this.directory.readUInt32LE(at + i * 4);
      this.checkBlock(b, `stream ${index}`, ctx);
      blocks[i] = b;
    }
    const s = new PdbStream(this, index, isNil ? 0 : raw, blocks, isNil);
    this.streams.set(index, s);
    return s;
  }

  close(): void {
    if (this.ownsSource) this.source.close();
  }
}
