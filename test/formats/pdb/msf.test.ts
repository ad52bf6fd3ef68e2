import t from 'tap';
import type { Test } from 'tap';
import { BufferSource, FormatError } from '../../../src/bytes/index.js';
import type { ByteSource } from '../../../src/bytes/index.js';
import { MsfFile } from '../../../src/formats/pdb/index.js';
import { MSF_MAGIC_TEXT, patternBytes, writeMsf } from '../../fixtures/synth/msf-writer.js';

const open = (buf: Buffer) => new MsfFile(new BufferSource(buf, 'synthetic.pdb'));

function expectFormatError(t: Test, fn: () => unknown, kind: string, what: string): void {
  try {
    fn();
    t.fail(`${what}: expected FormatError(${kind})`);
  } catch (e) {
    t.ok(e instanceof FormatError, `${what}: FormatError`);
    t.equal((e as FormatError).kind, kind, `${what}: kind ${kind}`);
  }
}

t.test('streams round-trip through scattered, non-contiguous blocks', (t) => {
  const streams = [Buffer.alloc(0), patternBytes(100, 1), patternBytes(512 * 7 + 13, 2), null, patternBytes(512, 3), patternBytes(5000, 4)];
  const img = writeMsf(streams, { blockSize: 512, scatter: true });
  // The writer really scattered stream 2: at least one neighbour pair is not adjacent.
  const b2 = img.streamBlocks[2]!;
  t.ok(b2.some((b, i) => i > 0 && b !== b2[i - 1]! + 1), 'stream 2 blocks are non-contiguous');
  const msf = open(img.bytes);
  t.equal(msf.blockSize, 512);
  t.equal(msf.numBlocks, img.numBlocks);
  t.equal(msf.streamCount, streams.length);
  streams.forEach((s, i) => {
    const st = msf.stream(i);
    t.equal(st.size, s ? s.length : 0, `stream ${i} size`);
    t.equal(st.isNil, s === null, `stream ${i} nil flag`);
    if (s) t.ok(st.readAll().equals(s), `stream ${i} content`);
  });
  // Reads straddling block boundaries, at several offsets.
  const s2 = streams[2]!;
  for (const [off, len] of [[509, 10], [511, 1], [512, 512], [100, 2000], [512 * 7, 13]] as const) {
    t.ok(msf.stream(2).read(off, len).equals(s2.subarray(off, off + len)), `stream 2 read(${off}, ${len})`);
  }
  t.equal(msf.streamSize(3), 0, 'nil stream has size 0');
  t.equal(msf.hasStream(3), false);
  t.equal(msf.hasStream(2), true);
  t.equal(msf.streamSize(99), undefined);
  expectFormatError(t, () => msf.stream(2).read(s2.length - 4, 8), 'Truncated', 'read past stream end');
  expectFormatError(t, () => msf.stream(99), 'StreamNotFound', 'missing stream');
  t.end();
});

t.test('stream directory spanning many blocks', (t) => {
  // 300 streams with 512-byte blocks: the directory needs several blocks.
  const streams = Array.from({ length: 300 }, (_, i) => patternBytes(i % 7 === 0 ? 1500 : 40 + i, 100 + i));
  const img = writeMsf(streams, { blockSize: 512, scatter: true });
  t.ok(img.directoryBlocks.length > 2, `directory uses ${img.directoryBlocks.length} blocks`);
  const msf = open(img.bytes);
  t.equal(msf.streamCount, 300);
  let same = 0;
  streams.forEach((s, i) => { if (msf.stream(i).readAll().equals(s!)) same++; });
  t.equal(same, 300, 'all 300 streams read back');
  t.end();
});

t.test('directory block list spanning several block-map blocks (big MSF)', (t) => {
  // 9 MiB in 512-byte blocks = 18432 block numbers: the directory is ~72 KiB,
  // so its own block list needs 576 bytes = 2 block-map blocks.
  const big = patternBytes(9 * 1024 * 1024, 7);
  const img = writeMsf([Buffer.alloc(0), big, patternBytes(77, 8)], { blockSize: 512, scatter: true });
  t.equal(img.blockMapBlocks.length, 2, 'two block-map blocks');
  const msf = open(img.bytes);
  t.ok(msf.stream(1).readAll().equals(big), 'big stream content');
  t.ok(msf.stream(2).readAll().equals(patternBytes(77, 8)), 'small stream after it');
  t.end();
});

t.test('typed errors for bad containers', (t) => {
  const good = writeMsf([Buffer.alloc(0), patternBytes(3000, 9)], { blockSize: 1024 });

  const badMagic = Buffer.from(good.bytes);
  badMagic.write('Microsoft C/C++ MSF 6.00', 0, 'latin1');
  expectFormatError(t, () => open(badMagic), 'BadValue', 'bad magic');

  const old = Buffer.alloc(2048);
  old.write('Microsoft C/C++ program database 2.00\r\n\x1aJG\0\0', 0, 'latin1');
  expectFormatError(t, () => open(old), 'UnsupportedVersion', 'PDB 2.00 container');

  const badBs = Buffer.from(good.bytes);
  badBs.writeUInt32LE(1000, 32);
  expectFormatError(t, () => open(badBs), 'BadValue', 'block size 1000');

  const hugeDir = Buffer.from(good.bytes);
  hugeDir.writeUInt32LE(0x7fffffff, 44);
  expectFormatError(t, () => open(hugeDir), 'BadValue', 'huge directory size');

  const badMap = Buffer.from(good.bytes);
  badMap.writeUInt32LE(good.numBlocks + 5, 52);
  expectFormatError(t, () => open(badMap), 'OutOfBounds', 'block map block out of range');

  // A directory block number out of range (patched inside the block map).
  const badDir = Buffer.from(good.bytes);
  badDir.writeUInt32LE(0xfffffff0, good.blockMapBlocks[0]! * 1024);
  expectFormatError(t, () => open(badDir), 'OutOfBounds', 'directory block out of range');

  // A stream block number out of range: the container opens, the stream does not.
  const badStream = Buffer.from(good.bytes);
  const dirOff = good.directoryBlocks[0]! * 1024;
  // Directory: count(4) sizes(2*4) then stream 1's first block number.
  badStream.writeUInt32LE(123456, dirOff + 4 + 8);
  const msf = open(badStream);
  expectFormatError(t, () => msf.stream(1), 'OutOfBounds', 'stream block out of range');
  t.ok(msf.stream(0), 'other streams still open');

  // Directory claiming more streams than it can hold.
  const manyStreams = Buffer.from(good.bytes);
  manyStreams.writeUInt32LE(0x10000000, dirOff);
  expectFormatError(t, () => open(manyStreams), 'BadValue', 'stream count larger than the directory');

  // Block list running past the directory (stream size inflated).
  const bigSize = Buffer.from(good.bytes);
  bigSize.writeUInt32LE(0x40000000, dirOff + 8);
  expectFormatError(t, () => open(bigSize), 'Truncated', 'block list past directory end');

  // Truncated file: the superblock claims 10 more blocks than the file holds,
  // and stream 1's last block is one of them.
  const short = Buffer.from(good.bytes);
  short.writeUInt32LE(good.numBlocks + 10, 40);
  short.writeUInt32LE(good.numBlocks + 5, dirOff + 4 + 8 + 8);
  const msfShort = open(short);
  t.ok(msfShort.stream(1).read(0, 100).equals(patternBytes(3000, 9).subarray(0, 100)), 'first block still readable');
  expectFormatError(t, () => msfShort.stream(1).readAll(), 'Truncated', 'block past the end of the file');
  expectFormatError(t, () => open(Buffer.alloc(10)), 'BadValue', 'tiny file');
  t.end();
});

/**
 * A 1 GiB "file" that exists only as a sparse map of blocks: reading it whole
 * would be impossible here, so the test proves the reader only touches the
 * superblock, the directory and the requested stream's blocks.
 */
class SparseSource implements ByteSource {
  readonly name = 'sparse-1GiB.pdb';
  readonly size = 1024 * 1024 * 1024;
  bytesRead = 0;
  constructor(private readonly blocks: Map<number, Buffer>, private readonly bs: number) {}
  read(offset: number, length: number): Buffer {
    const end = Math.min(this.size, offset + length);
    const out = Buffer.alloc(Math.max(0, end - offset));
    for (let pos = offset; pos < end;) {
      const b = Math.floor(pos / this.bs);
      const inB = pos - b * this.bs;
      const n = Math.min(end - pos, this.bs - inB);
      this.blocks.get(b)?.copy(out, pos - offset, inB, inB + n);
      pos += n;
    }
    this.bytesRead += out.length;
    return out;
  }
  close(): void {}
}

t.test('a 1 GiB PDB is read only where needed', (t) => {
  const bs = 4096;
  const numBlocks = (1024 * 1024 * 1024) / bs;
  const blocks = new Map<number, Buffer>();
  const sb = Buffer.alloc(bs);
  sb.write(MSF_MAGIC_TEXT, 0, 'latin1');
  sb.writeUInt32LE(bs, 32);
  sb.writeUInt32LE(1, 36);
  sb.writeUInt32LE(numBlocks, 40);
  // Streams: 0 empty, 1 = three far-apart blocks, 2 = 200 MiB declared (never read).
  const s1Blocks = [250001, 7, 180003];
  const bigBlocks = Array.from({ length: (200 * 1024 * 1024) / bs }, (_, i) => 1000 + i * 1);
  const dir = Buffer.alloc(4 + 3 * 4 + 4 * (s1Blocks.length + bigBlocks.length));
  let p = 0;
  dir.writeUInt32LE(3, p); p += 4;
  dir.writeUInt32LE(0, p); p += 4;
  dir.writeUInt32LE(3 * bs - 100, p); p += 4;
  dir.writeUInt32LE(200 * 1024 * 1024, p); p += 4;
  for (const b of [...s1Blocks, ...bigBlocks]) { dir.writeUInt32LE(b, p); p += 4; }
  sb.writeUInt32LE(dir.length, 44);
  // Directory blocks from 100000 on; block map at 99999.
  const dirBlocks = Math.ceil(dir.length / bs);
  const map = Buffer.alloc(bs);
  for (let i = 0; i < dirBlocks; i++) {
    map.writeUInt32LE(100000 + i, 4 * i);
    blocks.set(100000 + i, dir.subarray(i * bs, (i + 1) * bs));
  }
  blocks.set(99999, map);
  sb.writeUInt32LE(99999, 52);
  blocks.set(0, sb);
  const content = patternBytes(3 * bs, 42);
  s1Blocks.forEach((b, i) => blocks.set(b, content.subarray(i * bs, (i + 1) * bs)));

  const src = new SparseSource(blocks, bs);
  const msf = new MsfFile(src);
  t.equal(msf.streamSize(2), 200 * 1024 * 1024, 'huge stream known by size only');
  const afterOpen = src.bytesRead;
  const got = msf.stream(1).readAll();
  t.ok(got.equals(content.subarray(0, 3 * bs - 100)), 'stream 1 content across far-apart blocks');
  const read = src.bytesRead;
  t.ok(read - afterOpen === 3 * bs - 100, `stream read touched only its own bytes (${read - afterOpen})`);
  t.ok(read < 2 * 1024 * 1024, `total bytes read ${read} of a ${src.size}-byte file`);
  // A small read from the middle of the 200 MiB stream reads one block's worth.
  const before = src.bytesRead;
  msf.stream(2).read(150 * 1024 * 1024 + 10, 16);
  t.equal(src.bytesRead - before, 16, 'middle-of-stream read is 16 bytes');
  t.end();
});
