/**
 * PE images read from dump memory (what a full dump or a mini dump with
 * module memory gives the debugger when no image file is found): a real image
 * (examples/dumps/crashlab.exe, mapped by hand) with damaged headers, export
 * directory, .pdata and debug directory is parsed, unwound through and
 * symbolized without a crash or a hang.
 */
import t from 'tap';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { rng } from '../fixtures/robustness/mutate.js';
import { runCase } from '../fixtures/robustness/fuzz-case.js';
import { SynthDump } from '../fixtures/synth/minidump-writer.js';
import { REPO } from '../fixtures/session.js';

const EXE = path.join(REPO, 'examples', 'dumps', 'crashlab.exe');
const CASES = Math.max(60, Math.floor(Number(process.env['FUZZ_CASES'] ?? 2000) / 20));
const SEED = Number(process.env['FUZZ_SEED'] ?? 20261121);
const BASE = 0x140000000n;
const STACK = 0x100000n;

/** The loader's view of a PE file: headers, then each section at its VirtualAddress (offsets from the PE/COFF spec). */
function mapImage(file: Buffer): { image: Buffer; dirs: [number, number][]; entry: number } {
  const pe = file.readUInt32LE(0x3c);
  const sections = file.readUInt16LE(pe + 6);
  const optSize = file.readUInt16LE(pe + 20);
  const opt = pe + 24;
  const sizeOfImage = file.readUInt32LE(opt + 56);
  const sizeOfHeaders = file.readUInt32LE(opt + 60);
  const entry = file.readUInt32LE(opt + 16);
  const image = Buffer.alloc(sizeOfImage);
  file.copy(image, 0, 0, sizeOfHeaders);
  for (let i = 0; i < sections; i++) {
    const s = opt + optSize + i * 40;
    const va = file.readUInt32LE(s + 12);
    const raw = file.readUInt32LE(s + 16);
    const ptr = file.readUInt32LE(s + 20);
    file.copy(image, va, ptr, ptr + Math.min(raw, sizeOfImage - va));
  }
  // PE32+ data directories start 112 bytes into the optional header: export, import, resource, exception, ..., debug.
  const dirs: [number, number][] = [];
  for (const d of [0, 1, 3, 6]) dirs.push([image.readUInt32LE(opt + 112 + d * 8), image.readUInt32LE(opt + 112 + d * 8 + 4)]);
  dirs.push([0, sizeOfHeaders]);
  return { image, dirs: dirs.filter(([rva, size]) => rva > 0 || size > 0), entry };
}

function dumpWith(image: Buffer, entry: number, stackWords: bigint[]): Buffer {
  const stack = Buffer.alloc(0x400);
  stackWords.forEach((w, i) => stack.writeBigUInt64LE(w, 8 * i));
  return new SynthDump()
    .arch('amd64')
    .thread({ id: 0x10, context: { rip: BASE + BigInt(entry), rsp: STACK, rbp: STACK + 0x40n }, stack: { addr: STACK, bytes: stack } })
    .module({ base: BASE, size: image.length, name: 'C:\\crashlab\\crashlab.exe' })
    .memory(BASE, image)
    .exception({ threadId: 0x10, code: 0xc0000005, address: BASE + BigInt(entry), parameters: [0n, 0x10n], context: { rip: BASE + BigInt(entry), rsp: STACK } })
    .build();
}

const COMMANDS = '~;lm;lmv;!lmi crashlab;.ecxr;kn;!analyze -v;ln @rip;x crashlab!*;u @rip;ub @rip;uf @rip;!uniqstack';

t.test('damaged PE images in dump memory', { skip: existsSync(EXE) ? false : 'no examples/dumps/crashlab.exe' }, async (t) => {
  const { image, dirs, entry } = mapImage(readFileSync(EXE));
  const pick = rng(SEED);
  const words = Array.from({ length: 64 }, (_, i) => (i % 3 === 0 ? BASE + BigInt(Math.floor(pick() * image.length)) : STACK + BigInt(8 * Math.floor(pick() * 128))));
  const clean = await runCase(dumpWith(image, entry, words), 'pe-clean.dmp', COMMANDS);
  t.equal(clean.status, 'opened', clean.detail);
  t.ok(clean.lines > 30, `the clean image gives real output (${clean.lines} lines)`);
  const failures: string[] = [];
  let slowest = 0;
  for (let i = 0; i < CASES; i++) {
    const img = Buffer.from(image);
    const flips: string[] = [];
    const n = 1 + Math.floor(pick() * 24);
    for (let k = 0; k < n; k++) {
      const [rva, size] = dirs[Math.floor(pick() * dirs.length)] as [number, number];
      const at = rva + Math.floor(pick() * Math.max(1, Math.min(size, img.length - rva)));
      if (at >= img.length) continue;
      const v = pick() < 0.3 ? 0xff : pick() < 0.5 ? 0 : Math.floor(pick() * 256);
      img[at] = v;
      flips.push(`0x${at.toString(16)}=${v.toString(16)}`);
    }
    const o = await runCase(dumpWith(img, entry, words), `pe-${i}.dmp`, COMMANDS);
    slowest = Math.max(slowest, o.ms);
    if (o.status === 'crash') failures.push(`case ${i} (${flips.join(' ')}): ${o.detail.split('\n')[0]}`);
    if (o.ms > 5000) failures.push(`case ${i} (${flips.join(' ')}): ${o.ms.toFixed(0)} ms`);
  }
  t.comment(`${CASES} damaged images, slowest ${slowest.toFixed(0)} ms`);
  t.same(failures.slice(0, 20), [], `no crashes or slow cases (${failures.length})`);
});
