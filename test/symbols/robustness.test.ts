import t from 'tap';
import type { Test } from 'tap';
import { BufferSource } from '../../src/bytes/source.js';
import { FormatError } from '../../src/bytes/errors.js';
import { readCabDirectory, extractCabEntry } from '../../src/symbols/cab.js';
import { readPdbIdentity, readImageIdentity } from '../../src/symbols/identity.js';
import { SymFile } from '../../src/formats/sym/index.js';
import { writeCab } from '../fixtures/cab-writer.js';
import { writeMsf, writePeHeader } from '../fixtures/msf-writer.js';

const CASES = Number(process.env.FUZZ_CASES ?? 400);

/** xorshift32: deterministic mutations. */
function rng(seed: number) {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    return x / 0x100000000;
  };
}

function mutate(buf: Buffer, r: () => number): Buffer {
  const b = Buffer.from(buf);
  const kind = Math.floor(r() * 3);
  if (kind === 0) return b.subarray(0, Math.floor(r() * b.length));
  const n = 1 + Math.floor(r() * 8);
  for (let i = 0; i < n; i++) {
    const at = Math.floor(r() * b.length);
    b[at] = kind === 1 ? Math.floor(r() * 256) : [0, 0xff, 0x7f, 0x80][Math.floor(r() * 4)]!;
  }
  return b;
}

/** Runs `f`; anything but success or a FormatError fails the test. */
function onlyFormatErrors(t: Test, what: string, f: () => void): boolean {
  try {
    f();
    return true;
  } catch (e) {
    if (e instanceof FormatError) return true;
    t.fail(`${what}: ${(e as Error).stack}`);
    return false;
  }
}

t.test('cabinets', async (t) => {
  const r = rng(1);
  const base = writeCab([{ name: 'a.pdb', data: Buffer.from('symbol data '.repeat(8000)) }, { name: 'b.dll', data: Buffer.alloc(40000, 7) }]);
  let ok = 0;
  for (let i = 0; i < CASES; i++) {
    const m = mutate(base, r);
    if (onlyFormatErrors(t, `case ${i}`, () => {
      const src = new BufferSource(m);
      const dir = readCabDirectory(src);
      for (const e of dir.files) extractCabEntry(src, dir, e, () => {}, 1 << 20);
    })) ok++;
  }
  t.equal(ok, CASES);
});

t.test('PDB and PE identity', async (t) => {
  const r = rng(2);
  const pdb = writeMsf({ guid: Buffer.alloc(16, 3), infoAge: 2, dbiAge: 2 });
  const pe = writePeHeader(0x12345678, 0x9000);
  let ok = 0;
  for (let i = 0; i < CASES; i++) {
    if (onlyFormatErrors(t, `pdb ${i}`, () => readPdbIdentity(new BufferSource(mutate(pdb, r))))) ok++;
    if (onlyFormatErrors(t, `pe ${i}`, () => readImageIdentity(new BufferSource(mutate(pe, r))))) ok++;
  }
  t.equal(ok, CASES * 2);
});

t.test('.sym text', async (t) => {
  const r = rng(3);
  const text = Buffer.from([
    'MODULE windows x86 0123456789ABCDEF0123456789ABCDEF1 a.pdb',
    'INFO CODE_ID 12345678A000 a.dll',
    'FILE 0 a.c',
    'INLINE_ORIGIN 0 inl',
    'FUNC m 1000 20 4 f',
    '1000 10 3 0',
    'INLINE 0 3 0 0 1004 4',
    'PUBLIC 2000 0 p',
    'STACK WIN 4 1000 20 1 0 4 0 0 0 1 $T0 $ebp = $eip $T0 4 + ^ =',
    'STACK WIN 0 1000 20 1 0 4 0 0 0 0 1',
    'STACK CFI INIT 1000 20 .cfa: $esp 4 + .ra: .cfa 4 - ^',
    'STACK CFI 1004 .cfa: $esp 8 +',
  ].join('\n'));
  let ok = 0;
  for (let i = 0; i < CASES; i++) {
    const m = mutate(text, r).toString('latin1');
    if (onlyFormatErrors(t, `sym ${i}`, () => {
      const s = SymFile.parse(m);
      for (const a of [0, 0x1000, 0x1004, 0x1010, 0x2000, 0x3000]) {
        s.lookup(a);
        s.lineAt(a);
        s.inlinesAt(a);
        s.stackWin(a);
        s.cfiAt(a);
      }
      s.symbols();
    })) ok++;
  }
  t.equal(ok, CASES);
});
