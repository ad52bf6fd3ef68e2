import t from 'tap';
import { BufferSource } from '../../src/bytes/index.js';
import { PdbFile } from '../../src/formats/pdb/index.js';
import { procScope, rangeCovers } from '../../src/formats/pdb/locals.js';
import { cvRegister, frameVariables } from '../../src/analysis/locals.js';
import type { FrameSite } from '../../src/analysis/locals.js';
import type { ValueMemory } from '../../src/analysis/typed-values.js';
import { buildPdbStreams, inlineSite, inlineSiteEnd, proc32, symEnd, symRecord, writeMsf } from '../fixtures/synth/msf-writer.js';
import type { SynthPdb } from '../fixtures/synth/msf-writer.js';

// ---- S_LOCAL / S_DEFRANGE_* records encoded by hand from cvinfo.h (DEFRANGESYM*, LOCALSYM, FRAMEPROCSYM). ----
const u16 = (v: number) => { const b = Buffer.alloc(2); b.writeUInt16LE(v); return b; };
const u32 = (v: number) => { const b = Buffer.alloc(4); b.writeUInt32LE(v >>> 0); return b; };
const i32 = (v: number) => { const b = Buffer.alloc(4); b.writeInt32LE(v); return b; };
const cstr = (s: string) => Buffer.from(`${s}\0`, 'utf8');
/** CV_LVAR_ADDR_RANGE {offStart u32, isectStart u16, cbRange u16} then gaps {gapStartOffset u16, cbRange u16}. */
const range = (off: number, len: number, gaps: Array<[number, number]> = []) => Buffer.concat([u32(off), u16(1), u16(len), ...gaps.flatMap(([s, l]) => [u16(s), u16(l)])]);
const local = (name: string, type: number, flags: number) => symRecord(0x113e, Buffer.concat([u32(type), u16(flags), cstr(name)]));
const defReg = (reg: number, r: Buffer) => symRecord(0x1141, Buffer.concat([u16(reg), u16(0), r]));
const defFp = (off: number, r: Buffer) => symRecord(0x1142, Buffer.concat([i32(off), r]));
const defRegRel = (reg: number, off: number, r: Buffer) => symRecord(0x1145, Buffer.concat([u16(reg), u16(0), i32(off), r]));
const regRel = (name: string, type: number, reg: number, off: number) => symRecord(0x1111, Buffer.concat([i32(off), u32(type), u16(reg), cstr(name)]));
/** S_FRAMEPROC: cbFrame, cbPad, offPad, cbSaveRegs, offExHdlr, sectExHdlr u16, flags u32 (local BP bits 14-15, param BP bits 16-17). */
const frameProc = (localBp: number, paramBp: number) => symRecord(0x1012, Buffer.concat([u32(0x28), u32(0), u32(0), u32(0), u32(0), u16(0), u32((localBp << 14) | (paramBp << 16))]));
/** S_BLOCK32: parent, end, len, off, seg u16, name. */
const block = (off: number, len: number) => symRecord(0x1103, Buffer.concat([u32(0), u32(0), u32(len), u32(off), u16(1), cstr('')]));

// CodeView registers (cvinfo.h): ECX 18, EBX 20, AMD64 RDX 331, RSP 335.
const CV_ECX = 18, CV_EBX = 20, CV_RDX = 331, CV_RSP = 335;

/** TPI with 0x1000 LF_ARGLIST (int, char *) and 0x1001 LF_PROCEDURE int (int, char *) — proc32() uses type 0x1001. */
function tpiStream(): Buffer {
  const rec = (leaf: number, payload: Buffer) => {
    const b = Buffer.concat([u16(0), u16(leaf), payload]);
    b.writeUInt16LE(b.length - 2, 0);
    return b;
  };
  const body = Buffer.concat([
    rec(0x1201, Buffer.concat([u32(2), u32(0x74), u32(0x0670)])),
    rec(0x1008, Buffer.concat([u32(0x74), Buffer.from([0, 0]), u16(2), u32(0x1000)])),
  ]);
  const h = Buffer.alloc(56);
  h.writeUInt32LE(20040203, 0);
  h.writeUInt32LE(56, 4);
  h.writeUInt32LE(0x1000, 8);
  h.writeUInt32LE(0x1002, 12);
  h.writeUInt32LE(body.length, 16);
  h.writeUInt16LE(0xffff, 20);
  h.writeUInt16LE(0xffff, 22);
  h.writeUInt32LE(4, 24);
  return Buffer.concat([h, body]);
}

function buildPdb(): PdbFile {
  const syms = Buffer.concat([
    proc32('work', 1, 0x100, 0x40),
    frameProc(1, 1), // locals and parameters relative to RSP
    local('count', 0x74, 1),
    defReg(CV_ECX, range(0x100, 0x10)),
    defFp(0x20, range(0x110, 0x30, [[0x8, 0x4]])),
    local('name', 0x0670, 1),
    defReg(CV_RDX, range(0x100, 0x40)),
    local('total', 0x13, 0),
    defRegRel(CV_RSP, 0x8, range(0x100, 0x40)),
    block(0x120, 0x10),
    local('i', 0x74, 0),
    defReg(CV_EBX, range(0x100, 0x40)),
    symEnd(),
    inlineSite(0x1001),
    local('inlined', 0x74, 0),
    defReg(CV_EBX, range(0x100, 0x40)),
    inlineSiteEnd(),
    local('pair', 0x13, 0),
    symRecord(0x1143, Buffer.concat([u16(19), u16(0), u32(4), range(0x100, 0x40)])), // EDX → bytes 4..7
    symRecord(0x1143, Buffer.concat([u16(CV_ECX), u16(0), u32(0), range(0x100, 0x40)])), // ECX → bytes 0..3
    local('gone', 0x74, 0x100),
    regRel('legacy', 0x74, CV_RSP, 0x30),
    symEnd(),
  ]);
  const spec: SynthPdb = {
    guid: Buffer.alloc(16, 1), age: 1, signature: 1, machine: 0x8664,
    sections: [{ name: '.text', va: 0x1000, size: 0x1000, characteristics: 0x60000020 }],
    modules: [{ name: 'w.obj', symbols: syms, contributions: [{ section: 1, offset: 0x100, size: 0x40 }] }],
    publics: [],
  };
  const streams = buildPdbStreams(spec);
  streams[2] = tpiStream();
  return PdbFile.fromSource(new BufferSource(writeMsf(streams, { blockSize: 512 }).bytes));
}

/** Memory: a stack page at 0x5000 and a string at 0x7000. */
function memory(): ValueMemory {
  const stack = Buffer.alloc(0x100);
  stack.writeInt32LE(42, 0x20);
  stack.writeBigInt64LE(-5n, 0x8);
  stack.writeInt32LE(9, 0x30);
  const str = Buffer.from('hi\0', 'latin1');
  return {
    pointerSize: 8,
    read(addr, len) {
      if (addr >= 0x5000n && addr < 0x5100n) return stack.subarray(Number(addr - 0x5000n), Math.min(0x100, Number(addr - 0x5000n) + len));
      if (addr >= 0x7000n && addr < 0x7003n) return str.subarray(Number(addr - 0x7000n), Math.min(3, Number(addr - 0x7000n) + len));
      return Buffer.alloc(0);
    },
  };
}

const BASE = 0x140000000n;
function site(pdb: PdbFile, sectionOffset: number, frameNumber: number, regs: Record<string, bigint>): FrameSite {
  return { arch: 'amd64', pdb, moduleBase: BASE, pc: BASE + 0x1000n + BigInt(sectionOffset), frameNumber, regs, mem: memory() };
}

t.test('CodeView register numbers', async (t) => {
  t.match(cvRegister('amd64', 18), { name: 'rcx', size: 4, display: 'ecx' });
  t.match(cvRegister('amd64', 331), { name: 'rdx', size: 8 });
  t.match(cvRegister('amd64', 360), { name: 'r8', size: 4, display: 'r8d' });
  t.match(cvRegister('amd64', 336), { name: 'r8', size: 8 });
  t.match(cvRegister('amd64', 6), { name: 'rcx', size: 1, shift: 8, display: 'ch' });
  t.match(cvRegister('x86', 22), { name: 'ebp', size: 4 });
  t.equal(cvRegister('amd64', 9999), undefined);
});

t.test('live ranges and gaps', async (t) => {
  const r = { segment: 1, offset: 0x110, length: 0x30, gaps: [{ start: 8, length: 4 }] };
  t.ok(rangeCovers(r, 1, 0x110));
  t.notOk(rangeCovers(r, 1, 0x118), 'in the gap');
  t.ok(rangeCovers(r, 1, 0x11c), 'after the gap');
  t.notOk(rangeCovers(r, 1, 0x140), 'end is exclusive');
  t.notOk(rangeCovers(r, 2, 0x110), 'other section');
});

t.test('procScope decodes locals, blocks, skips inline sites', async (t) => {
  const pdb = buildPdb();
  const ms = pdb.moduleSymbols(0)!;
  const scope = procScope(ms, ms.procs[0]!);
  t.equal(scope.name, 'work');
  t.equal(scope.typeIndex, 0x1001);
  t.match(scope.frameProc, { localBasePointer: 1, paramBasePointer: 1, frameSize: 0x28 });
  t.same(scope.variables.map((v) => v.name), ['count', 'name', 'total', 'i', 'pair', 'gone', 'legacy']);
  t.same(scope.variables[0]!.locations.map((l) => l.kind), ['register', 'framerel']);
  t.same(scope.variables[3]!.block, { segment: 1, offset: 0x120, length: 0x10 });
});

t.test('frameVariables in the context frame', async (t) => {
  const pdb = buildPdb();
  const regs = { rcx: 0xffffffff00000007n, rdx: 0x7000n, rbx: 3n, rsp: 0x5000n };
  const at = (off: number) => frameVariables(site(pdb, off, 0, regs))!;
  const v0 = at(0x104);
  t.equal(v0.procName, 'work');
  t.equal(v0.paramCount, 2);
  const byName = (fv: typeof v0) => new Map(fv.variables.map((v) => [v.name, v]));
  let m = byName(v0);
  t.match(m.get('count'), { value: '0n7', isParam: true, location: { kind: 'register', register: 'ecx' } }, 'low 32 bits of rcx');
  t.match(m.get('name'), { value: '0x00000000`00007000 "hi"', typeName: 'char *' });
  t.match(m.get('total'), { value: '0n-5', location: { kind: 'memory', address: 0x5008n } });
  t.notOk(m.has('i'), 'block local outside its block');
  t.notOk(m.has('inlined'), 'inlinee locals are not the frame\'s');
  t.match(m.get('gone'), { value: '<value unavailable>', unavailable: /optimized it out/ });
  t.match(m.get('pair'), { value: `0n${(0x7000n << 32n) | 7n}` }, 'S_DEFRANGE_SUBFIELD_REGISTER pieces assembled (high half from edx)');
  t.match(m.get('legacy'), { value: '0n9', isParam: false }, 'S_REGREL32 at rsp+0x30; S_LOCAL params exist, so no inference');
  m = byName(at(0x11c));
  t.match(m.get('count'), { value: '0n42', location: { kind: 'memory', address: 0x5020n } }, 'frame-pointer relative to rsp (S_FRAMEPROC)');
  m = byName(at(0x118));
  t.match(m.get('count'), { value: '<value unavailable>', unavailable: /no location covers/ }, 'inside a gap');
  m = byName(at(0x124));
  t.match(m.get('i'), { value: '0n3', location: { register: 'ebx' } }, 'block local inside its block');
});

t.test('frameVariables in a caller frame: volatile and unsaved registers say why', async (t) => {
  const pdb = buildPdb();
  // A caller's pc is a return address: scopes are looked up at pc - 1 (0x105 → 0x104).
  const fv = frameVariables(site(pdb, 0x105, 2, { rsp: 0x5000n }))!;
  const m = new Map(fv.variables.map((v) => [v.name, v]));
  t.match(m.get('count'), { value: '<value unavailable>', unavailable: 'rcx is volatile and is not recovered in frame 02' });
  t.match(m.get('total'), { value: '0n-5' }, 'memory through the recovered rsp');
  const inBlock = frameVariables(site(pdb, 0x125, 1, { rsp: 0x5000n }))!;
  t.match(inBlock.variables.find((v) => v.name === 'i'), { unavailable: 'rbx was not saved by a callee of frame 01' });
  t.equal(frameVariables(site(pdb, 0x300, 0, {})), undefined, 'no procedure there');
});

t.test('x86: VFRAME-relative parameters and S_BPREL32 locals', async (t) => {
  const bpRel = (name: string, type: number, off: number) => symRecord(0x110b, Buffer.concat([i32(off), u32(type), cstr(name)]));
  const syms = Buffer.concat([
    proc32('f32', 1, 0x100, 0x40),
    frameProc(2, 1), // locals EBP-relative, parameters VFRAME-relative
    local('arg', 0x74, 1),
    defFp(4, range(0x100, 0x40)),
    bpRel('old', 0x74, -8),
    symEnd(),
  ]);
  const spec: SynthPdb = {
    guid: Buffer.alloc(16, 2), age: 1, signature: 1, machine: 0x14c,
    sections: [{ name: '.text', va: 0x1000, size: 0x1000, characteristics: 0x60000020 }],
    modules: [{ name: 'x.obj', symbols: syms, contributions: [{ section: 1, offset: 0x100, size: 0x40 }] }],
    publics: [],
  };
  const streams = buildPdbStreams(spec);
  streams[2] = tpiStream();
  const pdb = PdbFile.fromSource(new BufferSource(writeMsf(streams, { blockSize: 512 }).bytes));
  const stack = Buffer.alloc(0x100);
  stack.writeInt32LE(77, 0x44); // [VFRAME + 4] with VFRAME = 0x5040
  stack.writeInt32LE(-3, 0x18); // [ebp - 8] with ebp = 0x5020
  const mem: ValueMemory = { pointerSize: 4, read: (a, n) => (a >= 0x5000n && a < 0x5100n ? stack.subarray(Number(a - 0x5000n), Number(a - 0x5000n) + n) : Buffer.alloc(0)) };
  const base = 0x400000n;
  const s: FrameSite = { arch: 'x86', pdb, moduleBase: base, pc: base + 0x1110n, frameNumber: 0, regs: { ebp: 0x5020n, esp: 0x5000n }, mem, returnAddressSlot: 0x5040n };
  const fv = frameVariables(s)!;
  const m = new Map(fv.variables.map((v) => [v.name, v]));
  t.match(m.get('arg'), { value: '0n77', location: { kind: 'memory', address: 0x5044n, base: '$T0' } });
  t.match(m.get('old'), { value: '0n-3', location: { kind: 'memory', address: 0x5018n, base: 'ebp' } });
  const noCaller = frameVariables({ ...s, returnAddressSlot: undefined } as FrameSite)!;
  t.match(noCaller.variables.find((v) => v.name === 'arg'), { unavailable: /VFRAME/ });
});
