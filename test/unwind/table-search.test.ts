/**
 * searchExceptionTable with an environment that keeps a copy of the table (readSpan):
 * the same entries as probing readRva, whatever part of the table the copy holds.
 */
import t from 'tap';
import { searchExceptionTable } from '../../src/unwind/common.js';
import type { UnwindImage } from '../../src/unwind/index.js';
import { FakeImage, le32 } from '../fixtures/synth/stack-builder.js';

const TABLE = 0x100;
const BEGINS = [0x1000, 0x1100, 0x1200, 0x1300, 0x1400, 0x1500, 0x1600];

function image(): FakeImage {
  const img = new FakeImage(0x2000, { rva: TABLE, size: 12 * BEGINS.length });
  BEGINS.forEach((b, i) => img.put(TABLE + 12 * i, le32(b, b + 0x80, 0x1800 + 8 * i)));
  return img;
}

/** The image, with readSpan answering `span` (counting its calls) and readRva counting probes. */
function withSpan(span: (rva: number, len: number) => Buffer | undefined): { img: UnwindImage; probes: () => number } {
  const base = image();
  let probes = 0;
  const img: UnwindImage = {
    readRva: (rva, len) => {
      probes++;
      return base.readRva(rva, len);
    },
    exceptionDirectory: () => base.exceptionDirectory(),
    readSpan: span,
  };
  return { img, probes: () => probes };
}

const begin = (b: Buffer | undefined) => b?.readUInt32LE(0);

t.test('a whole copy answers every probe', async (t) => {
  const base = image();
  const { img, probes } = withSpan((rva, len) => base.readRva(rva, len));
  for (const rva of [0x1000, 0x1050, 0x1234, 0x1600, 0x1700]) t.equal(begin(searchExceptionTable(img, 12, rva)), begin(searchExceptionTable(base, 12, rva)), `rva 0x${rva.toString(16)}`);
  t.equal(searchExceptionTable(img, 12, 0xfff), undefined, 'before the first entry');
  t.equal(probes(), 0, 'no entry read one by one');
});

t.test('entries past a short copy are read one by one', async (t) => {
  const base = image();
  const { img, probes } = withSpan((rva) => base.readRva(rva, 12 * 2 + 5));
  t.equal(begin(searchExceptionTable(img, 12, 0x1650)), 0x1600);
  t.ok(probes() > 0);
  t.equal(begin(searchExceptionTable(img, 12, 0x1010)), 0x1000);
});

t.test('no copy, or a failing one: probes as before', async (t) => {
  for (const span of [() => undefined, () => { throw new Error('broken'); }]) {
    const { img, probes } = withSpan(span);
    t.equal(begin(searchExceptionTable(img, 12, 0x1420)), 0x1400);
    t.ok(probes() > 0);
  }
});
