// Bad input never escapes as anything but a FormatError from the
// constructors, and the directory accessors never throw at all: a synthetic
// image is mutated at random (deterministic seed) in its headers and tables,
// then every accessor is called on both layouts.
import t from 'tap';
import { FormatError } from '../../../src/bytes/errors.js';
import { BufferSource } from '../../../src/bytes/source.js';
import { PeImage } from '../../../src/formats/pe/index.js';
import {
  DIR_DEBUG,
  DIR_EXCEPTION,
  DIR_EXPORT,
  DIR_RESOURCE,
  PeWriter,
  SCN_CNT_CODE,
  SCN_MEM_EXECUTE,
  SCN_MEM_READ,
  encodeDebugDirectory,
  encodeExportDirectory,
  encodePdataX64,
  encodeResourceSection,
  encodeRsds,
  encodeVersionInfo,
} from '../../fixtures/synth/pe-writer.js';

const CASES = Number(process.env.FUZZ_CASES ?? 400);

function sampleImage(): Buffer {
  const w = new PeWriter({ fileAlignment: 0x200 });
  const text = w.section('.text', SCN_CNT_CODE | SCN_MEM_EXECUTE | SCN_MEM_READ);
  const c = text.add(Buffer.alloc(0x200, 0xcc));
  const rdata = w.section('.rdata');
  const ed = rdata.addAt((rva) => encodeExportDirectory(rva, { dllName: 'f.dll', base: 1, functions: [c, c + 0x40, 'X.Y'], names: [['A', 0], ['B', 1], ['C', 2]] }));
  const rsds = encodeRsds(Buffer.alloc(16, 7), 2, 'f.pdb');
  const rsdsRva = rdata.add(rsds);
  const dbg = encodeDebugDirectory([{ type: 2, sizeOfData: rsds.length, addressOfRawData: rsdsRva, pointerToRawData: rdata.fileOffsetOf(rsdsRva) }]);
  const dbgRva = rdata.add(dbg);
  const unwind = rdata.add(Buffer.from([1, 0, 0, 0]));
  const pd = encodePdataX64([[c, c + 0x40, unwind], [c + 0x40, c + 0x100, unwind]]);
  const pdRva = rdata.add(pd);
  const rsrc = w.section('.rsrc');
  const ver = encodeVersionInfo({ fileVersion: [1, 2, 3, 4], productVersion: [1, 2, 3, 4], language: 0x409, codePage: 0x4b0, strings: [['FileDescription', 'fuzz']] });
  const rs = rsrc.addAt((rva) => encodeResourceSection(rva, ver));
  w.setDirectory(DIR_EXPORT, ed.rva, ed.size);
  w.setDirectory(DIR_DEBUG, dbgRva, dbg.length);
  w.setDirectory(DIR_EXCEPTION, pdRva, pd.length);
  w.setDirectory(DIR_RESOURCE, rs.rva, rs.size);
  return w.build().file;
}

/** xorshift32: deterministic, so a failure names its case number. */
function rng(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13; x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5; x >>>= 0;
    return x;
  };
}

function exercise(img: PeImage): void {
  img.exports();
  img.exportDirectory();
  img.exportAt(0x1010);
  img.debugDirectories();
  img.codeView();
  img.isReproducible();
  img.runtimeFunctions();
  img.findRuntimeFunction(0x1010);
  img.runtimeFunctionAt(0x1000);
  img.versionInfo();
  img.imageIdentity();
  img.readRva(0x1000, 0x100);
  img.isCodeRva(0x1000);
}

t.test(`${CASES} mutated images: only FormatError, accessors never throw`, (t) => {
  const original = sampleImage();
  const next = rng(0x5eed);
  let parsed = 0;
  let rejected = 0;
  const failures: string[] = [];
  for (let i = 0; i < CASES; i++) {
    const bytes = Buffer.from(original);
    const mutations = 1 + (next() % 8);
    for (let m = 0; m < mutations; m++) {
      // Half the mutations hit the headers (first 0x400 bytes), half anywhere.
      const at = next() % 2 ? next() % 0x400 : next() % bytes.length;
      const kind = next() % 4;
      if (kind === 0) bytes[at] = next() & 0xff;
      else if (kind === 1 && at + 4 <= bytes.length) bytes.writeUInt32LE(next(), at);
      else if (kind === 2 && at + 4 <= bytes.length) bytes.writeUInt32LE(0xffffffff, at);
      else if (at + 2 <= bytes.length) bytes.writeUInt16LE(0, at);
    }
    const cut = next() % 10 === 0 ? bytes.subarray(0, next() % bytes.length) : bytes;
    for (const layout of ['file', 'mapped'] as const) {
      let img: PeImage | undefined;
      try {
        img = layout === 'file'
          ? PeImage.fromSource(new BufferSource(cut, `case${i}`))
          : PeImage.fromMemory((addr, len) => {
            const off = Number(addr - 0x10000n);
            return off < 0 || off >= cut.length ? Buffer.alloc(0) : cut.subarray(off, off + len);
          }, 0x10000n, `case${i}`);
      } catch (e) {
        if (e instanceof FormatError) { rejected++; continue; }
        failures.push(`case ${i} ${layout}: constructor threw ${String(e)}`);
        continue;
      }
      try {
        exercise(img);
        parsed++;
      } catch (e) {
        failures.push(`case ${i} ${layout}: accessor threw ${String(e)}`);
      }
    }
  }
  t.same(failures, []);
  t.ok(parsed > CASES / 4, `${parsed} parsed, ${rejected} rejected with FormatError`);
  t.end();
});
