import t from 'tap';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { BufferSource, FormatError } from '../../../src/bytes/index.js';
import { PdbFile } from '../../../src/formats/pdb/index.js';
import {
  buildPdbStreams, data32, fileChecksums, fpoData, frameData, linesSubsection, namesStream, proc32, procRef, symEnd, writeMsf,
} from '../../fixtures/synth/msf-writer.js';

/**
 * Mutation test: flipped bytes in a PDB may make open fail with a
 * FormatError, and may make queries answer undefined, but nothing else may
 * escape (no RangeError, no hang).
 */
const CASES = Number(process.env.FUZZ_CASES ?? 300);

function synthetic(): Buffer {
  const names = namesStream(['a.c', 'prog']);
  const ck = fileChecksums([names.offsets.get('a.c')!]);
  return writeMsf(buildPdbStreams({
    guid: Buffer.alloc(16, 7), age: 1, signature: 1, machine: 0x14c,
    sections: [{ name: '.text', va: 0x1000, size: 0x1000, characteristics: 0x60000020 }, { name: '.data', va: 0x2000, size: 0x100, characteristics: 0xc0000040 }],
    modules: [{
      name: 'a.obj',
      symbols: Buffer.concat([proc32('foo', 1, 0x10, 0x40), symEnd(), proc32('bar', 1, 0x60, 0x20), symEnd()]),
      c13: Buffer.concat([ck.subsection, linesSubsection(1, 0x10, 0x40, [{ fileId: ck.ids[0]!, lines: [[0, 3], [8, 4]] }])]),
      contributions: [{ section: 1, offset: 0, size: 0x100 }],
    }],
    publics: [{ name: '_foo', segment: 1, offset: 0x10 }, { name: '_g', segment: 2, offset: 8, flags: 0 }],
    globals: [data32('g', 2, 8), procRef('foo', 1, 4)],
    names: names.stream,
    fpo: fpoData({ start: 0x1010, size: 0x40, localsDw: 1, paramsDw: 1, prolog: 2, regs: 1 }),
    newFpo: frameData({ start: 0x1060, size: 0x20, locals: 0, params: 4, maxStack: 0, frameFunc: names.offsets.get('prog')!, prolog: 1, savedRegs: 0, flags: 0 }),
  }), { blockSize: 512, scatter: true }).bytes;
}

function exercise(buf: Buffer, rvas: number[]): void {
  let pdb: PdbFile;
  try {
    pdb = PdbFile.fromSource(new BufferSource(buf));
  } catch (e) {
    if (e instanceof FormatError) return;
    throw e;
  }
  for (const rva of rvas) {
    pdb.lookup(rva);
    pdb.lineAt(rva);
    pdb.frameData(rva);
  }
  pdb.findByName('foo');
  pdb.findByName('g');
  pdb.symbols();
}

function fuzz(t: { ok: (v: unknown, m?: string) => void; fail: (m: string) => void }, base: Buffer, rvas: number[], label: string, seed0: number): void {
  let seed = seed0;
  const rnd = (n: number) => {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
    return seed % n;
  };
  let failures = 0;
  for (let i = 0; i < CASES && failures < 5; i++) {
    const mut = Buffer.from(base);
    const flips = 1 + rnd(16);
    for (let k = 0; k < flips; k++) {
      const at = rnd(mut.length);
      // Mostly small changes to single bytes, sometimes 0xFF-filled words.
      if (rnd(4) === 0) mut.fill(0xff, at, Math.min(mut.length, at + 4));
      else mut[at] = rnd(256);
    }
    try {
      exercise(mut, rvas);
    } catch (e) {
      failures++;
      t.fail(`${label} case ${i}: ${(e as Error).stack ?? String(e)}`);
    }
  }
  t.ok(failures === 0, `${label}: ${CASES} mutated files, no untyped exception`);
}

t.test('mutated synthetic PDB', (t) => {
  fuzz(t, synthetic(), [0x1010, 0x1030, 0x1065, 0x2008, 0x1fff, 0], 'synthetic', 1);
  t.end();
});

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const PDB = path.resolve(repoRoot, '..', 'shared', 'corpus', 'wine-x64', 'crashlab.pdb');
t.test('mutated crashlab.pdb', { skip: existsSync(PDB) ? false : 'corpus crashlab.pdb not present' }, (t) => {
  fuzz(t, readFileSync(PDB), [0x1e40, 0x1e39, 0x17cd, 0x14e6, 0xd17c], 'crashlab.pdb', 2);
  t.end();
});
