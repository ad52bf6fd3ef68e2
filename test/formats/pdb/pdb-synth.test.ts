import t from 'tap';
import { BufferSource } from '../../../src/bytes/index.js';
import { FormatError } from '../../../src/bytes/index.js';
import { PdbFile, undecorateCName } from '../../../src/formats/pdb/index.js';
import {
  SYNTH_STREAMS,
  block32,
  buildPdbStreams,
  data32,
  fileChecksums,
  fpoData,
  frameData,
  inlineSite,
  inlineSiteEnd,
  linesSubsection,
  namesStream,
  proc32,
  procRef,
  symEnd,
  writeMsf,
} from '../../fixtures/synth/msf-writer.js';
import type { SynthPdb } from '../../fixtures/synth/msf-writer.js';

const GUID = Buffer.from([0x78, 0x56, 0x34, 0x12, 0xbc, 0x9a, 0xf0, 0xde, 0x01, 0x23, 0x45, 0x67, 0x89, 0xab, 0xcd, 0xef]);
const TEXT = 0x60000020; // code | execute | read
const DATA = 0xc0000040; // initialized data | read | write
const PROG = '$T0 $ebp = $eip $T0 4 + ^ = $ebp $T0 ^ = $esp $T0 8 + =';

function buildX86(): { bytes: Buffer; spec: SynthPdb; streamBlocks: number[][]; blockSize: number; progOff: number } {
  const names = namesStream(['a.c', 'a.h', PROG]);
  const off = (s: string) => names.offsets.get(s)!;
  const fooRecs = Buffer.concat([proc32('foo', 1, 0x100, 0x50), block32(1, 0x120, 0x10), symEnd(), inlineSite(0x1001), inlineSiteEnd(), symEnd()]);
  const barAt = 4 + fooRecs.length;
  const mod0Syms = Buffer.concat([fooRecs, proc32('bar', 1, 0x200, 0x30, { local: true }), symEnd()]);
  const ck = fileChecksums([off('a.c'), off('a.h')]);
  const mod0C13 = Buffer.concat([
    ck.subsection,
    linesSubsection(1, 0x100, 0x50, [
      { fileId: ck.ids[0]!, lines: [[0, 10], [0x10, 11], [0x40, 0xfeefee]] },
      { fileId: ck.ids[1]!, lines: [[0x20, 5]] },
    ]),
    linesSubsection(1, 0x200, 0x30, [{ fileId: ck.ids[0]!, lines: [[0, 20], [8, 21]] }]),
  ]);
  const spec: SynthPdb = {
    guid: GUID,
    age: 3,
    signature: 0x5f000001,
    machine: 0x14c,
    sections: [
      { name: '.text', va: 0x1000, size: 0x1000, characteristics: TEXT },
      { name: '.data', va: 0x3000, size: 0x800, characteristics: DATA },
    ],
    modules: [
      { name: 'a.obj', symbols: mod0Syms, c13: mod0C13, contributions: [{ section: 1, offset: 0x100, size: 0x200 }] },
      { name: 'b.obj', contributions: [{ section: 1, offset: 0x300, size: 0x100 }] },
      { name: 'c.obj', symbols: Buffer.concat([proc32('qux', 1, 0x500, 0x20), symEnd()]), contributions: [{ section: 1, offset: 0x500, size: 0x20 }] },
    ],
    publics: [
      { name: '_qux', segment: 1, offset: 0x500 },
      { name: '_foo', segment: 1, offset: 0x100 },
      { name: '_g_counter', segment: 2, offset: 0x10, flags: 0 },
      { name: '_bar@8', segment: 1, offset: 0x200 },
      { name: '?baz@@YAXXZ', segment: 1, offset: 0x300 },
      { name: '@fast@8', segment: 1, offset: 0x380 },
    ],
    globals: [data32('g_table', 2, 0x40), data32('s_static', 2, 0x80, true), procRef('foo', 1, 4), procRef('bar', 1, barAt, true)],
    names: names.stream,
    fpo: Buffer.concat([
      fpoData({ start: 0x1300, size: 0x80, localsDw: 2, paramsDw: 3, prolog: 6, regs: 2, useBp: true, seh: true }),
      fpoData({ start: 0x1400, size: 0x10, localsDw: 0, paramsDw: 1, prolog: 0, regs: 0, frame: 3 }),
    ]),
    newFpo: Buffer.concat([
      frameData({ start: 0x1100, size: 0x50, locals: 0x10, params: 8, maxStack: 0, frameFunc: off(PROG), prolog: 3, savedRegs: 4, flags: 4 }),
      frameData({ start: 0x1100, size: 3, locals: 0, params: 8, maxStack: 0, frameFunc: 0, prolog: 3, savedRegs: 0, flags: 0 }),
      frameData({ start: 0x1300, size: 0x20, locals: 4, params: 12, maxStack: 0, frameFunc: off(PROG), prolog: 1, savedRegs: 0, flags: 1 }),
    ]),
  };
  const img = writeMsf(buildPdbStreams(spec), { blockSize: 512, scatter: true });
  return { bytes: img.bytes, spec, streamBlocks: img.streamBlocks, blockSize: img.blockSize, progOff: off(PROG) };
}

/** File offset of the directory entry holding block number `block` (the writer's directory follows the streams). */
function findDirectoryEntry(bytes: Buffer, bs: number, block: number): number {
  const dirBytes = bytes.readUInt32LE(44);
  const map = bytes.readUInt32LE(52);
  for (let i = 0; i < Math.ceil(dirBytes / bs); i++) {
    const db = bytes.readUInt32LE(map * bs + 4 * i);
    const n = bytes.readUInt32LE(db * bs) ;
    for (let k = i === 0 ? 1 + n : 0; k < bs / 4 && i * bs + k * 4 < dirBytes; k++) {
      if (bytes.readUInt32LE(db * bs + 4 * k) === block) return db * bs + 4 * k;
    }
  }
  throw new Error('block not in directory');
}

/** Records which file blocks were read. */
class TracingSource extends BufferSource {
  readonly touched = new Set<number>();
  constructor(buf: Buffer, private readonly bs: number) { super(buf, 'synthetic.pdb'); }
  override read(offset: number, length: number): Buffer {
    for (let b = Math.floor(offset / this.bs); b * this.bs < offset + length; b++) this.touched.add(b);
    return super.read(offset, length);
  }
}

t.test('info and DBI of a synthetic x86 PDB', (t) => {
  const { bytes } = buildX86();
  const pdb = PdbFile.fromSource(new BufferSource(bytes));
  t.equal(pdb.info.guid, '12345678' + '9ABC' + 'DEF0' + '0123456789ABCDEF', 'GUID as Data1/Data2/Data3 then Data4 bytes');
  t.equal(pdb.info.age, 3);
  t.equal(pdb.dbiAge, 3);
  t.equal(pdb.info.signature, 0x5f000001);
  t.equal(pdb.info.version, 20000404);
  t.equal(pdb.info.namedStreams.get('/names'), SYNTH_STREAMS.names);
  t.equal(pdb.info.namedStreams.get('/LinkInfo'), 0);
  t.equal(pdb.info.namedStreams.size, 2);
  t.equal(pdb.info.hasIdStream, true);
  t.equal(pdb.machine, 0x14c);
  t.same(pdb.modules.map((m) => [m.moduleName, m.symStream]), [['a.obj', SYNTH_STREAMS.firstModule], ['b.obj', undefined], ['c.obj', SYNTH_STREAMS.firstModule + 2]]);
  t.same(pdb.dbi.sectionContributions.map((c) => [c.section, c.offset, c.size, c.module]), [[1, 0x100, 0x200, 0], [1, 0x300, 0x100, 1], [1, 0x500, 0x20, 2]]);
  t.same(pdb.sectionHeaders.map((h) => [h.name, h.virtualAddress]), [['.text', 0x1000], ['.data', 0x3000]]);
  t.equal(pdb.dbi.fpoStream, SYNTH_STREAMS.fpo);
  t.equal(pdb.dbi.newFpoStream, SYNTH_STREAMS.newFpo);
  t.same(pdb.sectionOffsetOf(0x1234), { segment: 1, offset: 0x234 });
  t.equal(pdb.rvaOf(2, 0x10), 0x3010);
  t.equal(pdb.sectionOffsetOf(0x5000), undefined);
  t.end();
});

t.test('lookup: procs first, then publics, data in data sections', (t) => {
  const { bytes } = buildX86();
  const pdb = PdbFile.fromSource(new BufferSource(bytes));
  t.same(pdb.lookup(0x1100), { name: 'foo', rva: 0x1100, size: 0x50, kind: 'proc', module: 0 });
  t.same(pdb.lookup(0x114f), { name: 'foo', rva: 0x1100, size: 0x50, kind: 'proc', module: 0 });
  // Past foo's end but before bar (padding): the closest preceding function, as dbghelp names it.
  t.same(pdb.lookup(0x1150), { name: 'foo', rva: 0x1100, size: 0x50, kind: 'proc', module: 0 });
  t.same(pdb.lookup(0x1210), { name: 'bar', rva: 0x1200, size: 0x30, kind: 'proc', module: 0 });
  t.same(pdb.lookup(0x1310), { name: '?baz@@YAXXZ', rva: 0x1300, kind: 'public' }, 'C++ names stay decorated');
  t.same(pdb.lookup(0x1390), { name: 'fast', rva: 0x1380, kind: 'public' }, 'fastcall decoration removed');
  t.same(pdb.lookup(0x1510), { name: 'qux', rva: 0x1500, size: 0x20, kind: 'proc', module: 2 });
  t.same(pdb.lookup(0x3010), { name: 'g_counter', rva: 0x3010, kind: 'public' });
  t.same(pdb.lookup(0x3044), { name: 'g_table', rva: 0x3040, kind: 'data' });
  t.same(pdb.lookup(0x3090), { name: 's_static', rva: 0x3080, kind: 'data' });
  t.equal(pdb.lookup(0x1000), undefined, 'nothing precedes the first public');
  t.equal(pdb.lookup(0x5000), undefined, 'outside every section');
  t.same(pdb.warnings, []);
  t.end();
});

t.test('lookup reads only the module that contains the address', (t) => {
  const { bytes, streamBlocks, blockSize } = buildX86();
  const src = new TracingSource(bytes, blockSize);
  const pdb = PdbFile.fromSource(src);
  t.equal(pdb.lookup(0x1120)?.name, 'foo');
  const mod2 = streamBlocks[SYNTH_STREAMS.firstModule + 2]!;
  const mod0 = streamBlocks[SYNTH_STREAMS.firstModule]!;
  t.ok(mod0.some((b) => src.touched.has(b)), 'module 0 stream read');
  t.notOk(mod2.some((b) => src.touched.has(b)), 'module 2 stream not read');
  t.notOk(streamBlocks[SYNTH_STREAMS.fpo]!.some((b) => src.touched.has(b)), 'FPO stream not read');
  t.end();
});

t.test('lineAt from C13 lines, FILECHKSMS and /names', (t) => {
  const { bytes } = buildX86();
  const pdb = PdbFile.fromSource(new BufferSource(bytes));
  t.same(pdb.lineAt(0x1100), { file: 'a.c', line: 10, rva: 0x1100 });
  t.same(pdb.lineAt(0x1115), { file: 'a.c', line: 11, rva: 0x1110 });
  t.same(pdb.lineAt(0x1125), { file: 'a.h', line: 5, rva: 0x1120 }, 'best entry across blocks');
  t.equal(pdb.lineAt(0x1145), undefined, 'hidden line 0xFEEFEE');
  t.same(pdb.lineAt(0x1209), { file: 'a.c', line: 21, rva: 0x1208 });
  t.equal(pdb.lineAt(0x1510), undefined, 'module without C13 lines');
  t.equal(pdb.lineAt(0x1150), undefined, 'past the fragment code size');
  t.end();
});

t.test('findByName and symbols()', (t) => {
  const { bytes } = buildX86();
  const pdb = PdbFile.fromSource(new BufferSource(bytes));
  t.same(pdb.findByName('foo'), { name: 'foo', rva: 0x1100, size: 0x50, kind: 'proc', module: 0 });
  t.same(pdb.findByName('bar'), { name: 'bar', rva: 0x1200, size: 0x30, kind: 'proc', module: 0 });
  t.same(pdb.findByName('g_table'), { name: 'g_table', rva: 0x3040, kind: 'data' });
  t.same(pdb.findByName('_bar@8'), { name: 'bar', rva: 0x1200, kind: 'public' });
  t.same(pdb.findByName('g_counter'), { name: 'g_counter', rva: 0x3010, kind: 'public' }, 'x86 C name found without its underscore');
  t.same(pdb.findByName('?baz@@YAXXZ'), { name: '?baz@@YAXXZ', rva: 0x1300, kind: 'public' });
  t.equal(pdb.findByName('nothing'), undefined);
  const all = pdb.symbols();
  t.same(all.map((s) => [s.name, s.rva, s.kind]), [
    ['foo', 0x1100, 'proc'],
    ['bar', 0x1200, 'proc'],
    ['?baz@@YAXXZ', 0x1300, 'public'],
    ['fast', 0x1380, 'public'],
    ['qux', 0x1500, 'proc'],
    ['g_counter', 0x3010, 'public'],
    ['g_table', 0x3040, 'data'],
    ['s_static', 0x3080, 'data'],
  ]);
  t.end();
});

t.test('module procs carry blocks and inline-site presence', (t) => {
  const { bytes } = buildX86();
  const pdb = PdbFile.fromSource(new BufferSource(bytes));
  const procs = pdb.moduleSymbols(0)!.procs;
  t.same(procs.map((p) => [p.name, p.offset, p.length, p.hasInlineSites, p.blocks]), [
    ['foo', 0x100, 0x50, true, [{ segment: 1, offset: 0x120, length: 0x10 }]],
    ['bar', 0x200, 0x30, false, []],
  ]);
  const foo = procs[0]!;
  t.same([...pdb.moduleSymbols(0)!.procRecords(foo)].map((r) => r.kind), [0x1110, 0x1103, 0x0006, 0x114d, 0x114e, 0x0006], 'records of foo up to its S_END');
  t.same([...pdb.moduleSymbols(0)!.procRecords(procs[1]!)].map((r) => r.kind), [0x110f, 0x0006], 'records of bar');
  t.end();
});

t.test('frameData: FrameData preferred, innermost record, FPO bitfields', (t) => {
  const { bytes, progOff } = buildX86();
  const pdb = PdbFile.fromSource(new BufferSource(bytes));
  const prolog = pdb.frameData(0x1101);
  t.match(prolog, { type: 'framedata', rvaStart: 0x1100, codeSize: 3, frameType: 4 }, 'prolog sub-range is innermost');
  t.equal(prolog?.programString, undefined, 'frameFunc 0 is the empty string');
  t.same(pdb.frameData(0x1110), {
    type: 'framedata', frameType: 4, rvaStart: 0x1100, codeSize: 0x50, localSize: 0x10, paramsSize: 8, savedRegsSize: 4,
    prologSize: 3, maxStackSize: 0, frameFunc: progOff,
    programString: PROG, allocatesBasePointer: false, hasSeh: false, hasCxxEh: false, isFunctionStart: true,
  });
  t.match(pdb.frameData(0x1310), { type: 'framedata', rvaStart: 0x1300, codeSize: 0x20, hasSeh: true, programString: PROG }, 'FrameData wins over FPO');
  t.same(pdb.frameData(0x1340), {
    type: 'fpo', frameType: 0, rvaStart: 0x1300, codeSize: 0x80, localSize: 8, paramsSize: 12, savedRegsSize: 8,
    prologSize: 6, allocatesBasePointer: true, hasSeh: true,
  });
  t.match(pdb.frameData(0x1405), { type: 'fpo', frameType: 3, paramsSize: 4, allocatesBasePointer: false, hasSeh: false });
  t.equal(pdb.frameData(0x1600), undefined);
  t.end();
});

t.test('demangle hook and x86 C undecoration', (t) => {
  const { bytes } = buildX86();
  const pdb = PdbFile.fromSource(new BufferSource(bytes), { demangle: (n) => `<${n}>` });
  t.equal(pdb.lookup(0x1390)?.name, '<@fast@8>');
  t.equal(pdb.lookup(0x1120)?.name, 'foo', 'proc names are never passed through the hook');
  t.equal(undecorateCName('_foo', 0x14c), 'foo');
  t.equal(undecorateCName('_foo@12', 0x14c), 'foo');
  t.equal(undecorateCName('@f@4', 0x14c), 'f');
  t.equal(undecorateCName('@f', 0x14c), '@f');
  t.equal(undecorateCName('?x@@YAXXZ', 0x14c), '?x@@YAXXZ');
  t.equal(undecorateCName('_foo', 0x8664), '_foo', 'x64 names are not decorated');
  t.end();
});

t.test('section headers supplied by the caller when the PDB has none', (t) => {
  const spec = { ...buildX86().spec, omitSectionHeaders: true };
  const bytes = writeMsf(buildPdbStreams(spec), { blockSize: 512 }).bytes;
  t.equal(PdbFile.fromSource(new BufferSource(bytes)).lookup(0x1100), undefined, 'no headers: no mapping');
  const pdb = PdbFile.fromSource(new BufferSource(bytes), {
    imageSections: [
      { name: '.text', virtualAddress: 0x1000, virtualSize: 0x1000, sizeOfRawData: 0x1000, characteristics: TEXT },
      { name: '.data', virtualAddress: 0x3000, virtualSize: 0x800, sizeOfRawData: 0x800, characteristics: DATA },
    ],
  });
  t.match(pdb.lookup(0x1100), { name: 'foo', kind: 'proc' });
  t.match(pdb.lineAt(0x1115), { line: 11 });
  t.end();
});

t.test('OMAP: image RVAs are translated to PDB-internal addresses and back', (t) => {
  const spec: SynthPdb = {
    guid: GUID, age: 1, signature: 1, machine: 0x14c,
    sections: [{ name: '.text', va: 0x1000, size: 0x2000, characteristics: TEXT }],
    origSections: [{ name: '.text', va: 0x1000, size: 0x1000, characteristics: TEXT }],
    // internal [0x1000,0x1100) → image 0x1800; internal [0x1100,0x1200) → image 0x1000; rest unmapped.
    omapFromSrc: [[0x1000, 0x1800], [0x1100, 0x1000], [0x1200, 0]],
    omapToSrc: [[0x1000, 0x1100], [0x1100, 0], [0x1800, 0x1000], [0x1900, 0]],
    modules: [{ name: 'o.obj', symbols: Buffer.concat([proc32('foo', 1, 0, 0x80), symEnd(), proc32('bar', 1, 0x100, 0x40), symEnd()]), contributions: [{ section: 1, offset: 0, size: 0x200 }] }],
    publics: [{ name: '_foo', segment: 1, offset: 0 }],
    fpo: fpoData({ start: 0x1000, size: 0x80, localsDw: 1, paramsDw: 0, prolog: 1, regs: 0 }),
  };
  const pdb = PdbFile.fromSource(new BufferSource(writeMsf(buildPdbStreams(spec), { blockSize: 512 }).bytes));
  t.same(pdb.lookup(0x1810), { name: 'foo', rva: 0x1800, size: 0x80, kind: 'proc', module: 0 });
  t.same(pdb.lookup(0x1010), { name: 'bar', rva: 0x1000, size: 0x40, kind: 'proc', module: 0 });
  t.equal(pdb.lookup(0x1150), undefined, 'unmapped image range');
  t.same(pdb.findByName('foo'), { name: 'foo', rva: 0x1800, kind: 'public' }, 'no S_PROCREF here: the public _foo answers');
  t.equal(pdb.findByName('_foo')?.rva, 0x1800, 'public translated through OMAP_FROM_SRC');
  t.match(pdb.frameData(0x1820), { type: 'fpo', rvaStart: 0x1800, codeSize: 0x80 });
  t.end();
});

t.test('corrupt inputs give typed errors or undefined, never crashes', (t) => {
  const { bytes, streamBlocks, blockSize } = buildX86();
  // Module 0's stream: garbage record lengths → proc table stops early, lookup falls back to publics.
  const bad = Buffer.from(bytes);
  const b0 = streamBlocks[SYNTH_STREAMS.firstModule]![0]!;
  bad.writeUInt16LE(0xfff0, b0 * blockSize + 4);
  const pdb = PdbFile.fromSource(new BufferSource(bad));
  t.same(pdb.lookup(0x1120), { name: 'foo', rva: 0x1100, kind: 'public' }, 'falls back to the public');
  // A DBI header with a wrong version signature.
  const badDbi = Buffer.from(bytes);
  badDbi.writeInt32LE(5, streamBlocks[3]![0]! * blockSize);
  t.throws(() => PdbFile.fromSource(new BufferSource(badDbi)), FormatError, 'broken DBI header is reported at open');
  // A section-header stream block pointing outside the file: queries answer undefined and record a warning.
  const badSh = Buffer.from(bytes);
  badSh.writeUInt32LE(bytes.length / blockSize + 3, 40); // NumBlocks grows, so the block number below is "valid"
  const shBlock = streamBlocks[SYNTH_STREAMS.sectionHeaders]![0]!;
  const dirBlock = findDirectoryEntry(bytes, blockSize, shBlock);
  badSh.writeUInt32LE(bytes.length / blockSize + 1, dirBlock);
  const p3 = PdbFile.fromSource(new BufferSource(badSh));
  t.equal(p3.lookup(0x1100), undefined, 'lookup gives undefined');
  t.match(p3.warnings.join('\n'), /lookup\(0x1100\)/, 'and a warning naming the query');
  // Info stream too short.
  const streams = buildPdbStreams(buildX86().spec);
  streams[1] = Buffer.alloc(10);
  t.throws(() => PdbFile.fromSource(new BufferSource(writeMsf(streams, { blockSize: 512 }).bytes)), FormatError);
  t.end();
});
