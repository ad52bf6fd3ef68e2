/**
 * Builds a valid several-hundred-MB PDB from a real small one, for the
 * benchmark only (written to a temp dir, never committed).
 *
 * Every stream of the source PDB is copied (same stream numbers, so the PDB
 * info, DBI, TPI, publics and module streams are unchanged), then `extraBytes`
 * of further streams are appended in `extraStreamSize` pieces. In a large real
 * PDB most bytes are in streams a single address lookup never needs (type
 * records, other modules' symbols and line tables): these extra streams play
 * that part. The MSF container is rewritten: superblock, free page maps at
 * blocks 1 and 2 of every interval, stream blocks, then the directory.
 */
import { closeSync, openSync, readFileSync, writeSync } from 'node:fs';

export interface BigPdbResult {
  path: string;
  size: number;
  streams: number;
}

const NIL = 0xffffffff;

function parseMsf(buf: Buffer): { blockSize: number; streams: (Buffer | undefined)[] } {
  const magic = buf.toString('latin1', 0, 24);
  if (magic !== 'Microsoft C/C++ MSF 7.00') throw new Error('not an MSF 7.00 PDB');
  const bs = buf.readUInt32LE(32);
  const dirBytes = buf.readUInt32LE(44);
  const mapAddr = buf.readUInt32LE(52);
  const nDirBlocks = Math.ceil(dirBytes / bs);
  const dir = Buffer.alloc(nDirBlocks * bs);
  for (let i = 0; i < nDirBlocks; i++) {
    const b = buf.readUInt32LE(mapAddr * bs + i * 4);
    buf.copy(dir, i * bs, b * bs, (b + 1) * bs);
  }
  const n = dir.readUInt32LE(0);
  const sizes: number[] = [];
  for (let i = 0; i < n; i++) sizes.push(dir.readUInt32LE(4 + i * 4));
  let p = 4 + n * 4;
  const streams: (Buffer | undefined)[] = [];
  for (const size of sizes) {
    if (size === NIL) {
      streams.push(undefined);
      continue;
    }
    const nb = Math.ceil(size / bs);
    const out = Buffer.alloc(nb * bs);
    for (let j = 0; j < nb; j++) {
      const b = dir.readUInt32LE(p + j * 4);
      buf.copy(out, j * bs, b * bs, (b + 1) * bs);
    }
    p += nb * 4;
    streams.push(out.subarray(0, size));
  }
  return { blockSize: bs, streams };
}

export function makeBigPdb(sourcePath: string, outPath: string, extraBytes: number, extraStreamSize = 64 << 20): BigPdbResult {
  const { blockSize: bs, streams } = parseMsf(readFileSync(sourcePath));
  const extraCount = Math.ceil(extraBytes / extraStreamSize);
  const sizes: number[] = streams.map((s) => (s ? s.length : NIL));
  for (let i = 0; i < extraCount; i++) sizes.push(Math.min(extraStreamSize, extraBytes - i * extraStreamSize));

  // Block allocation: 0 is the superblock; blocks 1 and 2 of every interval of `bs` blocks are free page maps.
  let nextBlock = 3;
  const alloc = (): number => {
    while (nextBlock % bs === 1 || nextBlock % bs === 2) nextBlock++;
    return nextBlock++;
  };
  const fd = openSync(outPath, 'w');
  const pattern = Buffer.alloc(16 << 20);
  for (let i = 0; i < pattern.length; i += 4) pattern.writeUInt32LE((Math.imul(i, 2654435761) ^ (i >>> 7)) >>> 0, i);
  try {
    const blockLists: number[][] = [];
    const writeStream = (data: Buffer | undefined, size: number, fill: boolean) => {
      const blocks: number[] = [];
      const nb = size === NIL ? 0 : Math.ceil(size / bs);
      // Runs of consecutive blocks are written in one call.
      let runStart = -1;
      let runLen = 0;
      let runFrom = 0;
      const flush = () => {
        if (runLen === 0) return;
        const bytes = runLen * bs;
        let chunk: Buffer;
        if (fill) chunk = pattern.subarray(0, bytes);
        else {
          chunk = Buffer.alloc(bytes);
          data!.copy(chunk, 0, runFrom, Math.min(data!.length, runFrom + bytes));
        }
        writeSync(fd, chunk, 0, bytes, runStart * bs);
        runFrom += bytes;
        runLen = 0;
      };
      for (let j = 0; j < nb; j++) {
        const b = alloc();
        blocks.push(b);
        if (runLen > 0 && b === runStart + runLen && runLen * bs < pattern.length) runLen++;
        else {
          flush();
          runStart = b;
          runLen = 1;
        }
      }
      flush();
      blockLists.push(blocks);
    };
    streams.forEach((s, i) => writeStream(s, sizes[i]!, false));
    for (let i = streams.length; i < sizes.length; i++) writeStream(undefined, sizes[i]!, true);

    // Directory: count, sizes, then each stream's block list.
    const dir = Buffer.alloc(4 + sizes.length * 4 + blockLists.reduce((n, l) => n + l.length * 4, 0));
    dir.writeUInt32LE(sizes.length, 0);
    sizes.forEach((s, i) => dir.writeUInt32LE(s, 4 + i * 4));
    let p = 4 + sizes.length * 4;
    for (const l of blockLists) for (const b of l) (dir.writeUInt32LE(b, p), (p += 4));
    const dirBlocks: number[] = [];
    for (let off = 0; off < dir.length; off += bs) {
      const b = alloc();
      dirBlocks.push(b);
      const chunk = Buffer.alloc(bs);
      dir.copy(chunk, 0, off, Math.min(dir.length, off + bs));
      writeSync(fd, chunk, 0, bs, b * bs);
    }
    if (dirBlocks.length * 4 > bs) throw new Error('directory too large for one block map block');
    const mapBlock = alloc();
    const map = Buffer.alloc(bs);
    dirBlocks.forEach((b, i) => map.writeUInt32LE(b, i * 4));
    writeSync(fd, map, 0, bs, mapBlock * bs);
    const numBlocks = nextBlock;

    // Free page maps: every block below numBlocks in use (bit clear), the rest free.
    for (let interval = 0; interval * bs < numBlocks; interval++) {
      const fpm = Buffer.alloc(bs);
      for (let bit = 0; bit < bs * 8; bit++) {
        const block = interval * bs * 8 + bit;
        if (block >= numBlocks) fpm[bit >>> 3]! |= 1 << (bit & 7);
      }
      for (const which of [1, 2]) {
        const at = interval * bs + which;
        if (at < numBlocks) writeSync(fd, fpm, 0, bs, at * bs);
      }
    }
    const sb = Buffer.alloc(bs);
    sb.write('Microsoft C/C++ MSF 7.00\r\n\x1aDS\0\0\0', 0, 'latin1');
    sb.writeUInt32LE(bs, 32);
    sb.writeUInt32LE(1, 36);
    sb.writeUInt32LE(numBlocks, 40);
    sb.writeUInt32LE(dir.length, 44);
    sb.writeUInt32LE(0, 48);
    sb.writeUInt32LE(mapBlock, 52);
    writeSync(fd, sb, 0, bs, 0);
    return { path: outPath, size: numBlocks * bs, streams: sizes.length };
  } finally {
    closeSync(fd);
  }
}
