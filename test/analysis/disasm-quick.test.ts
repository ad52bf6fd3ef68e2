/**
 * The quick decoder (src/analysis/disasm/quick.ts) against iced-x86: wherever
 * quick answers, its Instruction must equal what `createDisassembler(...).decode`
 * returns, field by field. Checked on every instruction boundary of real x64
 * code (crashlab.exe; the Wine images when ../shared is present) and on a
 * seeded random corpus in 64- and 32-bit mode, with and without symbols, with
 * cut-short buffers. Also: quick covers most real instructions, and the
 * start-up path (decodeOne) does not load iced-x86 when quick answers.
 */
import t from 'tap';
import type { Test } from 'tap';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { quickDecode } from '../../src/analysis/disasm/quick.js';
import { decodeOne, createDisassembler, disassemble, formatInstructionLine } from '../../src/analysis/disasm/index.js';
import type { Instruction, SymbolFormatter } from '../../src/analysis/disasm/index.js';
import { PeImage, IMAGE_SCN } from '../../src/formats/pe/index.js';
import { rng } from '../fixtures/robustness/mutate.js';

const HERE = dirname(fileURLToPath(import.meta.url));
const ROOT = resolve(HERE, '..', '..');
const CRASHLAB = join(ROOT, 'examples', 'dumps', 'crashlab.exe');
const WINE_IMAGES = resolve(ROOT, '..', 'shared', 'corpus', 'images', 'wine-8.0-x64');

const icedLoaded = () => Object.keys(createRequire(import.meta.url).cache).some((k) => k.includes(`${'/'}iced-x86${'/'}`));

// Runs first, before anything else in this file asks iced for anything.
t.test('decodeOne answers common instructions without loading iced-x86', async (t) => {
  t.notOk(icedLoaded(), 'iced-x86 not loaded yet');
  const ins = decodeOne('amd64', Buffer.from('8b042510000000cccc', 'hex'), 0x140001e40n, undefined, ptr64);
  t.equal(ins && formatInstructionLine(ins, '00000001`40001e40'), '00000001`40001e40 8b042510000000  mov     eax,dword ptr [10h]');
  const two = disassemble('amd64', Buffer.from('4883ec284889442408', 'hex'), 0x140001000n, 2, undefined, ptr64);
  t.same(two.map((i) => `${i.mnemonic} ${i.operands}`), ['sub rsp,28h', 'mov qword ptr [rsp+8],rax']);
  t.notOk(icedLoaded(), 'still not loaded after decodeOne/disassemble of quick-decodable bytes');
  // An x87 instruction is outside the quick subset: iced loads and answers.
  const fpu = decodeOne('amd64', Buffer.from('d9c9', 'hex'), 0x1000n);
  t.equal(fpu?.mnemonic, 'fxch');
  t.ok(icedLoaded(), 'iced-x86 loaded for the fallback');
});

/** quick.ts (and what it imports) must not reach iced-x86, or the start-up path would load it. */
t.test('quick.ts does not import iced-x86', async (t) => {
  const seen = new Set<string>();
  const visit = (file: string) => {
    if (seen.has(file)) return;
    seen.add(file);
    const src = readFileSync(file, 'utf8');
    t.notMatch(src, /(?:from|require\(|import\()\s*['"](?:iced-x86|\.\/disasm\.js)['"]|createRequire/, `${file.slice(ROOT.length + 1)} has no path to iced-x86`);
    for (const m of src.matchAll(/^import (?!type )[^;]*? from '(\.[^']+)\.js';/gm)) visit(resolve(dirname(file), `${m[1]}.ts`));
  };
  visit(join(ROOT, 'src', 'analysis', 'disasm', 'quick.ts'));
  t.ok(seen.size >= 2, 'quick.ts and format.ts visited');
});

function ptr64(a: bigint): string {
  const h = a.toString(16).padStart(16, '0');
  return `${h.slice(0, 8)}\`${h.slice(8)}`;
}
const ptr32 = (a: bigint) => a.toString(16).padStart(8, '0');

/** Names some addresses (module symbols, and a few bang-less names the 32-bit `offset` rule must skip). */
const symbols: SymbolFormatter = (a) => {
  if ((a & 0xfn) === 0n && (a & 0x30n) !== 0n) return `mod!sym_${a.toString(16)}`;
  if ((a & 0xffn) === 0x24n) return `mod!sym_${a.toString(16)}+0x24`;
  if ((a & 0xffn) === 0x44n) return 'nobang';
  return undefined;
};

/** Everything the two decoders disagree on, as one comparable string. */
function key(i: Instruction): string {
  return [i.address, i.bytes.toString('hex'), i.length, i.mnemonic, i.operands, i.target ?? '-', i.isCall, i.isReturn, i.isBranch, i.isConditional, i.endsFlow, i.invalid, i.truncated].join('|');
}

interface Tally {
  total: number;
  quick: number;
  mismatches: string[];
}

const newTally = (): Tally => ({ total: 0, quick: 0, mismatches: [] });

/** Compares quick with iced on `bytes` at `address`; returns iced's answer. */
function compare(tally: Tally, iced: ReturnType<typeof createDisassembler> & object, arch: 'amd64' | 'x86', bytes: Buffer, address: bigint, sym: SymbolFormatter | undefined, fmt: (a: bigint) => string): Instruction | undefined {
  const want = iced.decode(bytes, address);
  const got = quickDecode(arch, bytes, address, sym, fmt);
  tally.total++;
  if (got === undefined) return want;
  tally.quick++;
  if (want === undefined || key(got) !== key(want)) {
    if (tally.mismatches.length < 20) tally.mismatches.push(`${arch} ${bytes.subarray(0, 15).toString('hex')} @${address.toString(16)}: quick ${got.mnemonic} ${got.operands} | iced ${want ? `${want.mnemonic} ${want.operands}` : 'nothing'}\n  quick ${key(got)}\n  iced  ${want ? key(want) : ''}`);
  }
  return want;
}

/** Every instruction boundary of a linear sweep through the image's executable sections. */
function sweep(file: string, tally: Tally, withSymbols: boolean): void {
  const img = PeImage.fromFile(file);
  try {
    const lo = img.base;
    const hi = img.base + BigInt(img.sizeOfImage);
    // In-image addresses get names, as the session's symbolizer gives them.
    const sym: SymbolFormatter | undefined = withSymbols ? (a) => (a >= lo && a < hi && (a & 3n) === 0n ? `img!f_${(a - lo).toString(16)}` : symbols(a)) : undefined;
    const iced = createDisassembler('amd64', sym, ptr64)!;
    for (const s of img.sections) {
      if (!(s.characteristics & IMAGE_SCN.MEM_EXECUTE)) continue;
      const code = img.readRva(s.virtualAddress, Math.min(s.virtualSize || s.sizeOfRawData, s.sizeOfRawData));
      for (let off = 0; off < code.length; ) {
        const ins = compare(tally, iced, 'amd64', code.subarray(off, off + 16), img.base + BigInt(s.virtualAddress + off), sym, ptr64);
        off += ins?.length ?? 1;
      }
    }
    iced.free();
  } finally {
    img.close();
  }
}

const pct = (t: Tally) => (100 * t.quick) / Math.max(1, t.total);

t.test('crashlab.exe: every instruction quick decodes matches iced', async (t) => {
  const bare = newTally();
  const named = newTally();
  sweep(CRASHLAB, bare, false);
  sweep(CRASHLAB, named, true);
  t.same(bare.mismatches, [], 'no mismatch without symbols');
  t.same(named.mismatches, [], 'no mismatch with symbols');
  t.ok(bare.total > 8000, `${bare.total} instructions swept`);
  // Measured 99.1% (the rest: SSE conversions and compares, x87, movq/movd with a GPR, tzcnt).
  t.ok(pct(bare) >= 97, `quick covers ${pct(bare).toFixed(1)}% of crashlab.exe's instructions`);
  t.equal(named.quick, bare.quick, 'symbols do not change what quick decodes');
});

t.test('Wine x64 images: every instruction quick decodes matches iced', async (t) => {
  const dlls = existsSync(WINE_IMAGES) ? readdirSync(WINE_IMAGES).filter((f) => f.endsWith('.dll')).sort() : [];
  if (dlls.length === 0) {
    t.skip('../shared/corpus/images/wine-8.0-x64 not present');
    return;
  }
  const tally = newTally();
  for (const dll of dlls) sweep(join(WINE_IMAGES, dll), tally, true);
  t.same(tally.mismatches, [], 'no mismatch');
  // Measured 99.6% over the 8 images (698k instructions).
  t.ok(pct(tally) >= 97, `quick covers ${pct(tally).toFixed(1)}% of ${tally.total} instructions`);
});

const PREFIXES = [0x66, 0x66, 0xf0, 0xf2, 0xf3, 0x2e, 0x3e, 0x26, 0x36, 0x64, 0x65, 0x67];
/** Opcode starts quick has entries for (and neighbours it must decline). */
const OPCODES: number[][] = [
  ...Array.from({ length: 0x100 }, (_, i) => [i]),
  ...[0x05, 0x0b, 0x1f, 0x10, 0x11, 0x28, 0x29, 0x57, 0x58, 0x59, 0x5c, 0x5e, 0x6f, 0x7f, 0xd6, 0xef, 0xa3, 0xab, 0xb3, 0xbb, 0xaf, 0xb0, 0xb1, 0xb6, 0xb7, 0xbe, 0xbf, 0xba, 0xbc, 0xbd, 0xc0, 0xc1]
    .concat(Array.from({ length: 16 }, (_, i) => 0x40 + i), Array.from({ length: 32 }, (_, i) => 0x80 + i), Array.from({ length: 8 }, (_, i) => 0xc8 + i))
    .map((o) => [0x0f, o]),
];

function randomCorpus(t: Test, arch: 'amd64' | 'x86', seed: number, count: number): void {
  // The fuzzers' seeded PRNG, as 32-bit words: the corpus is the same on every run.
  const unit = rng(seed);
  const next = () => Math.floor(unit() * 0x100000000);
  const fmt = arch === 'amd64' ? ptr64 : ptr32;
  const withSym = createDisassembler(arch, symbols, fmt)!;
  const without = createDisassembler(arch, undefined, fmt)!;
  const plain = newTally();
  const biased = newTally();
  const edges = arch === 'amd64' ? [0n, 0x140001000n, 0x7ffffffffff0n, 0xfffffffffffffff0n] : [0n, 0x401000n, 0xfffffff0n];
  for (let i = 0; i < count; i++) {
    const buf = Buffer.alloc(15);
    for (let j = 0; j < 15; j++) buf[j] = next() & 0xff;
    const isBiased = (i & 1) === 1;
    if (isBiased) {
      let k = 0;
      const prefixes = next() % 4 === 0 ? 1 + (next() % 2) : 0;
      for (let j = 0; j < prefixes; j++) buf[k++] = PREFIXES[next() % PREFIXES.length]!;
      if (arch === 'amd64' && next() % 2 === 0) buf[k++] = 0x40 | (next() & 15);
      const op = OPCODES[next() % OPCODES.length]!;
      for (const b of op) buf[k++] = b;
      if (next() % 3 === 0) buf[k] = 0xc0 | (buf[k]! & 0x3f); // register form
      else if (next() % 3 === 0) buf[k] = (buf[k]! & 0x38) | 0x05; // [disp32] / RIP-relative
    }
    // One in eight is cut short (unreadable memory after it).
    const len = next() % 8 === 0 ? next() % 15 : 15;
    const address = next() % 8 === 0 ? edges[next() % edges.length]! : arch === 'amd64' ? (BigInt(next()) << 16n) | BigInt(next() & 0xfff0) : BigInt(next() & 0xfffffff0);
    const sym = next() % 2 === 0;
    compare(isBiased ? biased : plain, sym ? withSym : without, arch, buf.subarray(0, len), address, sym ? symbols : undefined, fmt);
  }
  withSym.free();
  without.free();
  t.same(plain.mismatches, [], `random bytes: no mismatch (${plain.quick} of ${plain.total} decoded by quick)`);
  t.same(biased.mismatches, [], `opcode-biased bytes: no mismatch (${biased.quick} of ${biased.total} decoded by quick)`);
  t.ok(biased.quick > biased.total / 4, 'the biased corpus exercises quick');
}

t.test('random corpus, 64-bit', async (t) => randomCorpus(t, 'amd64', 0x5eed64, 200_000));
t.test('random corpus, 32-bit', async (t) => randomCorpus(t, 'x86', 0x5eed32, 120_000));

t.test('fixed cases: quick answers and equals iced, or declines', async (t) => {
  const cases: [string, 'amd64' | 'x86', string, string | undefined][] = [
    ['banner line', 'amd64', '8b042518000000', 'mov eax,dword ptr [18h]'],
    ['RIP-relative with a symbol', 'amd64', '488d0509100000', 'lea rax,[mod!sym_140002010 (00000001`40002010)]'],
    ['call through the IAT', 'amd64', 'ff15fa1f0000', 'call qword ptr [00000001`40003000]'],
    ['gs: TEB access', 'amd64', '65488b042558000000', 'mov rax,qword ptr gs:[58h]'],
    ['padding nop', 'amd64', '66662e0f1f840000000000', 'nop word ptr cs:[rax+rax]'],
    ['imul keeps two operands when source is destination', 'amd64', '69c0abaaaaaa', 'imul eax,0AAAAAAABh'],
    ['mov r64,imm64 prints all 64 bits', 'amd64', '48b80000000001000000', 'mov rax,100000000h'],
    ['rep stos', 'amd64', 'f348ab', 'rep stos qword ptr [rdi]'],
    ['SSE store', 'amd64', '0f11042575000000', 'movups xmmword ptr [75h],xmm0'],
    ['x86 offset immediate', 'x86', '6810204000', 'push offset mod!sym_402010 (00402010)'],
    ['x86 fs: absolute', 'x86', '64a118000000', 'mov eax,dword ptr fs:[00000018h]'],
    ['x86 ds: absolute with symbol', 'x86', 'ff1510204000', 'call dword ptr [mod!sym_402010 (00402010)]'],
    ['notrack jmp goes to iced', 'amd64', '3effe0', undefined],
    ['notrack call [mem] goes to iced', 'amd64', '3eff10', undefined],
    ['branch hint goes to iced', 'amd64', '2e7400', undefined],
    ['rep ret goes to iced', 'amd64', 'f3c3', undefined],
    ['x87 goes to iced', 'amd64', 'd9c9', undefined],
    ['AVX goes to iced', 'amd64', 'c5f877', undefined],
    ['67h goes to iced', 'amd64', '678b00', undefined],
    ['truncated goes to iced', 'amd64', '48b8000000', undefined],
    ['invalid goes to iced', 'amd64', '06', undefined],
    ['lock on a register goes to iced', 'amd64', 'f001c0', undefined],
  ];
  for (const [what, arch, hex, text] of cases) {
    const bytes = Buffer.from(hex, 'hex');
    const address = arch === 'amd64' ? 0x140001000n : 0x401000n;
    const fmt = arch === 'amd64' ? ptr64 : ptr32;
    const q = quickDecode(arch, bytes, address, symbols, fmt);
    const iced = createDisassembler(arch, symbols, fmt)!;
    const want = iced.decode(bytes, address)!;
    iced.free();
    if (text === undefined) {
      t.equal(q, undefined, `${what}: declined`);
    } else {
      t.equal(q && `${q.mnemonic} ${q.operands}`, text, what);
      t.equal(`${want.mnemonic} ${want.operands}`, text, `${what} (iced)`);
    }
    t.equal(key(decodeOne(arch, bytes, address, symbols, fmt)!), key(want), `${what}: decodeOne equals iced`);
  }
  t.equal(decodeOne('amd64', Buffer.alloc(0), 0n), undefined, 'no bytes, no instruction');
  t.equal(decodeOne('arm64', Buffer.from('c0035fd6', 'hex'), 0n), undefined, 'no ARM64 decoder');
});
