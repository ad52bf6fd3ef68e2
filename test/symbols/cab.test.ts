import t from 'tap';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, readdirSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BufferSource } from '../../src/bytes/source.js';
import { readCabDirectory, extractCabEntry, expandCabToFile, pickCabEntry } from '../../src/symbols/cab.js';
import { writeCab } from '../fixtures/cab-writer.js';

function extractAll(cab: Buffer, want?: string): Buffer {
  const src = new BufferSource(cab, 'test.cab');
  const dir = readCabDirectory(src);
  const e = pickCabEntry(dir, want);
  if (!e) throw new Error('no entry');
  const parts: Buffer[] = [];
  extractCabEntry(src, dir, e, (b) => parts.push(Buffer.from(b)));
  return Buffer.concat(parts);
}

t.test('MSZIP, several blocks referring back into the previous block', async (t) => {
  const chunk = randomBytes(30000);
  // blocks 2 and 3 repeat block 1: only compressible through the previous-block dictionary
  const data = Buffer.concat([chunk, chunk, chunk, Buffer.from('tail')]);
  const cab = writeCab([{ name: 'foo.pdb', data }], { blockSize: 30000 });
  t.ok(cab.length < data.length / 2, `compressed ${cab.length} < ${data.length / 2}: back-references crossed blocks`);
  const dir = readCabDirectory(new BufferSource(cab));
  t.same(dir.files, [{ name: 'foo.pdb', size: data.length, folder: 0, offsetInFolder: 0 }]);
  t.equal(dir.folders[0]?.compression, 'mszip');
  t.equal(dir.folders[0]?.dataBlocks, 4);
  t.ok(extractAll(cab).equals(data));
});

t.test('stored (no compression), reserve fields, two files', async (t) => {
  const a = Buffer.from('first file contents '.repeat(3000));
  const b = randomBytes(50000);
  const cab = writeCab([{ name: 'a.txt', data: a }, { name: 'b.bin', data: b }], { typeCompress: 0, reserve: { header: 6, folder: 3, data: 2 } });
  t.ok(extractAll(cab, 'b.bin').equals(b));
  t.ok(extractAll(cab, 'A.TXT').equals(a), 'names compare without case');
  t.equal(pickCabEntry(readCabDirectory(new BufferSource(cab))), undefined, 'two files and no name: ambiguous');
  const mz = writeCab([{ name: 'a.txt', data: a }, { name: 'b.bin', data: b }], { reserve: { header: 0, folder: 1, data: 4 } });
  t.ok(extractAll(mz, 'b.bin').equals(b), 'second file of an MSZIP folder');
});

t.test('errors', async (t) => {
  const data = Buffer.from('x'.repeat(1000));
  t.throws(() => extractAll(writeCab([{ name: 'f.dll', data }], { typeCompress: 3 })), { name: 'FormatError', message: /unsupported compression: LZX/ });
  t.throws(() => extractAll(writeCab([{ name: 'f.dll', data }], { typeCompress: 2 })), { message: /unsupported compression: QUANTUM/ });
  t.throws(() => readCabDirectory(new BufferSource(Buffer.from('MSCZ' + '\0'.repeat(40)))), { name: 'FormatError', kind: 'BadValue' });
  t.throws(() => readCabDirectory(new BufferSource(Buffer.from('MSCF'))), { name: 'FormatError', kind: 'Truncated' });
  const good = writeCab([{ name: 'f.dll', data: randomBytes(5000) }]);
  t.throws(() => extractAll(good.subarray(0, good.length - 100)), { name: 'FormatError' });
  const ck = good.indexOf('CK', 40, 'latin1');
  // cbUncomp (2 bytes before "CK") disagreeing with the inflated size
  const badSize = Buffer.from(good);
  badSize.writeUInt16LE(4999, ck - 2);
  t.throws(() => extractAll(badSize), { message: /expands to 5000 bytes, header says 4999/ });
  // a broken deflate stream (invalid block type 3 in the first header bits)
  const text = Buffer.from('compressible text '.repeat(500));
  const bad = writeCab([{ name: 'f.dll', data: text }]);
  const ck2 = bad.indexOf('CK', 40, 'latin1');
  bad[ck2 + 2] = 0x07;
  t.throws(() => extractAll(bad), { message: /MSZIP block 0 is corrupt/ });
  const noCk = Buffer.from(good);
  noCk[ck] = 0x41;
  t.throws(() => extractAll(noCk), { message: /CK/ });
});

t.test('expandCabToFile writes atomically', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'cab-'));
  const data = randomBytes(100000);
  const cabPath = join(dir, 'foo.pd_');
  writeFileSync(cabPath, writeCab([{ name: 'foo.pdb', data }]));
  const dest = join(dir, 'out', 'foo.pdb');
  t.same(expandCabToFile(cabPath, dest, 'foo.pdb'), { name: 'foo.pdb', size: data.length });
  t.ok(readFileSync(dest).equals(data));
  // a failing expansion leaves neither the destination nor a temp file
  writeFileSync(cabPath, writeCab([{ name: 'foo.pdb', data }], { typeCompress: 3 }));
  const dest2 = join(dir, 'out2', 'foo.pdb');
  t.throws(() => expandCabToFile(cabPath, dest2, 'foo.pdb'));
  t.notOk(existsSync(dest2));
  t.same(readdirSync(join(dir, 'out2')), []);
});
