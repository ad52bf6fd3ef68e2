import t from 'tap';
import { defineLayout } from '../../src/formats/layout.js';
import { isFormatError } from '../../src/bytes/errors.js';

t.test('a layout: offsets and size from the field list, decode at an offset', async (t) => {
  // MINIDUMP_HEADER's shape (32 bytes), values written by hand below.
  const L = defineLayout('MINIDUMP_HEADER', { signature: 'u32', version: 'u32', numberOfStreams: 'u32', streamDirectoryRva: 'u32', checkSum: 'u32', timeDateStamp: 'u32', flags: 'u64' });
  t.equal(L.size, 32);
  t.same(L.offsets, { signature: 0, version: 4, numberOfStreams: 8, streamDirectoryRva: 12, checkSum: 16, timeDateStamp: 20, flags: 24 });
  const buf = Buffer.alloc(4 + 32);
  buf.write('MDMP', 4, 'latin1');
  buf.writeUInt32LE(0xa793, 8);
  buf.writeUInt32LE(13, 12);
  buf.writeUInt32LE(0x20, 16);
  buf.writeUInt32LE(0x5f000000, 24);
  buf.writeBigUInt64LE(0x1_0000_0021n, 28);
  t.same(L.decode(buf, 4), { signature: 0x504d444d, version: 0xa793, numberOfStreams: 13, streamDirectoryRva: 0x20, checkSum: 0, timeDateStamp: 0x5f000000, flags: 0x1_0000_0021n });
});

t.test('a layout: arrays, byte fields and a declared size with padding', async (t) => {
  const L = defineLayout('PADDED', { a: 'u16', b: { u32Array: 2 }, c: { bytes: 3 }, d: 'i32' }, 24);
  t.equal(L.size, 24, 'the declared size');
  t.same(L.offsets, { a: 0, b: 2, c: 10, d: 13 });
  const buf = Buffer.alloc(24);
  buf.writeUInt16LE(7, 0);
  buf.writeUInt32LE(1, 2);
  buf.writeUInt32LE(2, 6);
  buf.write('xyz', 10, 'latin1');
  buf.writeInt32LE(-5, 13);
  const v = L.decode(buf);
  t.equal(v.a, 7);
  t.same(v.b, [1, 2]);
  t.equal(v.c.toString('latin1'), 'xyz');
  t.equal(v.d, -5);
});

t.test('a layout: a record cut short is a typed error that says what and where', async (t) => {
  const L = defineLayout('MINIDUMP_LOCATION_DESCRIPTOR', { dataSize: 'u32', rva: 'u32' });
  let err: unknown;
  try {
    L.decode(Buffer.alloc(10), 4, 'reading the stream directory');
  } catch (e) {
    err = e;
  }
  t.ok(isFormatError(err), 'a FormatError');
  t.match((err as Error).message, /MINIDUMP_LOCATION_DESCRIPTOR needs 8 bytes, 6 available/);
});

t.test('a layout whose fields outgrow its declared size fails on first use', async (t) => {
  const L = defineLayout('TOO_SMALL', { a: 'u64', b: 'u64' }, 12);
  t.throws(() => L.size, /layout TOO_SMALL: fields take 16 bytes, more than the declared 12/);
});
