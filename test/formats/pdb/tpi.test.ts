import { existsSync } from 'node:fs';
import path from 'node:path';
import t from 'tap';
import { BufferSource } from '../../../src/bytes/index.js';
import { MsfFile, PdbFile } from '../../../src/formats/pdb/index.js';
import { TypeStream, decodeTypeRecord, readNumericLeaf, typeStreamsOf } from '../../../src/formats/pdb/tpi.js';
import { dtTypeName, typeName, typeSize } from '../../../src/formats/pdb/type-names.js';
import { writeMsf } from '../../fixtures/synth/msf-writer.js';
import { CORPUS, REPO } from '../../fixtures/session.js';

// ---- Hand-encoded CodeView type records (cvinfo.h layouts), independent of the reader. ----

/** A record: u16 length (excluding itself), u16 leaf, payload padded to 4 with LF_PAD bytes. */
function rec(leaf: number, payload: Buffer): Buffer {
  const body = Buffer.concat([Buffer.from([leaf & 0xff, leaf >> 8]), payload]);
  const pad = (4 - ((body.length + 2) % 4)) % 4;
  const padded = Buffer.concat([body, Buffer.from(Array.from({ length: pad }, (_, i) => 0xf0 + pad - i))]);
  const out = Buffer.alloc(2 + padded.length);
  out.writeUInt16LE(padded.length, 0);
  padded.copy(out, 2);
  return out;
}
const u16 = (v: number) => { const b = Buffer.alloc(2); b.writeUInt16LE(v); return b; };
const u32 = (v: number) => { const b = Buffer.alloc(4); b.writeUInt32LE(v >>> 0); return b; };
const cstr = (s: string) => Buffer.from(`${s}\0`, 'utf8');
/** A fieldlist sub-record padded to 4 bytes. */
function sub(parts: Buffer[]): Buffer {
  const b = Buffer.concat(parts);
  const pad = (4 - (b.length % 4)) % 4;
  return Buffer.concat([b, Buffer.from(Array.from({ length: pad }, (_, i) => 0xf0 + pad - i))]);
}
const member = (name: string, type: number, offset: number) => sub([u16(0x150d), u16(3), u32(type), u16(offset), cstr(name)]);
const enumerate = (name: string, value: Buffer) => sub([u16(0x1502), u16(3), value, cstr(name)]);

const PTR64 = 0x0c | (8 << 13); // CV_PTR_64, mode pointer, size 8
const records: Buffer[] = [
  /* 0x1000 */ rec(0x1001, Buffer.concat([u32(0x74), u16(1)])), // const int
  /* 0x1001 */ rec(0x1002, Buffer.concat([u32(0x1000), u32(PTR64)])), // const int *
  /* 0x1002 */ rec(0x1505, Buffer.concat([u16(0), u16(0x80), u32(0), u32(0), u32(0), u16(0), cstr('point')])), // fwd struct point
  /* 0x1003 */ rec(0x1002, Buffer.concat([u32(0x1002), u32(PTR64)])), // struct point *
  /* 0x1004 */ rec(0x1203, Buffer.concat([member('x', 0x74, 0), member('y', 0x74, 4), member('next', 0x1003, 8), member('flags', 0x1007, 16)])),
  /* 0x1005 */ rec(0x1505, Buffer.concat([u16(4), u16(0), u32(0x1004), u32(0), u32(0), u16(24), cstr('point')])),
  /* 0x1006 */ rec(0x1201, Buffer.concat([u32(2), u32(0x1003), u32(0x74)])),
  /* 0x1007 */ rec(0x1205, Buffer.concat([u32(0x75), Buffer.from([3, 2])])), // 3 bits at bit 2
  /* 0x1008 */ rec(0x1008, Buffer.concat([u32(0x74), Buffer.from([0, 0]), u16(2), u32(0x1006)])),
  /* 0x1009 */ rec(0x1503, Buffer.concat([u32(0x70), u32(0x23), u16(16), cstr('')])), // char [16]
  /* 0x100a */ rec(0x1507, Buffer.concat([u16(3), u16(0), u32(0x74), u32(0x100b), cstr('color')])),
  /* 0x100b */ rec(0x1203, Buffer.concat([enumerate('red', u16(0)), enumerate('green', u16(1)), enumerate('far', Buffer.concat([u16(0x8004), u32(70000)]))])),
  /* 0x100c */ rec(0x1503, Buffer.concat([u32(0x1009), u32(0x23), u16(64), cstr('')])), // char [4][16]
  /* 0x100d */ rec(0x1002, Buffer.concat([u32(0x1003), u32(PTR64)])), // struct point **
];
const END = 0x1000 + records.length;

/** LLVM hashStringV1, written out here from the LLVM Hash.cpp description (not imported). */
function hashV1(s: string): number {
  const b = Buffer.from(s, 'utf8');
  let h = 0;
  let i = 0;
  for (; i + 4 <= b.length; i += 4) h = (h ^ b.readUInt32LE(i)) >>> 0;
  if (b.length - i >= 2) { h = (h ^ b.readUInt16LE(i)) >>> 0; i += 2; }
  if (b.length - i === 1) h = (h ^ b[i]!) >>> 0;
  h = (h | 0x20202020) >>> 0;
  h = (h ^ (h >>> 11)) >>> 0;
  return (h ^ (h >>> 16)) >>> 0;
}

const BUCKETS = 0x3ffff;
function buildPdb(opts: { hash: boolean }): MsfFile {
  const body = Buffer.concat(records);
  const header = Buffer.alloc(56);
  header.writeUInt32LE(20040203, 0);
  header.writeUInt32LE(56, 4);
  header.writeUInt32LE(0x1000, 8);
  header.writeUInt32LE(END, 12);
  header.writeUInt32LE(body.length, 16);
  header.writeUInt16LE(opts.hash ? 5 : 0xffff, 20);
  header.writeUInt16LE(0xffff, 22);
  header.writeUInt32LE(4, 24);
  header.writeUInt32LE(BUCKETS, 28);
  // Hash values: the definition of `point` hashes by name; others get a bucket nobody asks for.
  const hv = Buffer.alloc(4 * records.length);
  records.forEach((_, i) => hv.writeUInt32LE(i + 0x1000 === 0x1005 ? hashV1('point') % BUCKETS : 7, 4 * i));
  // Index offsets: record 0x1000 at 0 and record 0x1006 at its offset.
  let off6 = 0;
  for (let i = 0; i < 6; i++) off6 += records[i]!.length;
  const io = Buffer.concat([u32(0x1000), u32(0), u32(0x1006), u32(off6)]);
  header.writeInt32LE(0, 32);
  header.writeUInt32LE(hv.length, 36);
  header.writeInt32LE(hv.length, 40);
  header.writeUInt32LE(io.length, 44);
  header.writeInt32LE(hv.length + io.length, 48);
  header.writeUInt32LE(0, 52);
  const tpi = Buffer.concat([header, body]);
  const streams: Array<Buffer | null> = [Buffer.alloc(0), Buffer.alloc(0), tpi, Buffer.alloc(0), Buffer.alloc(0), Buffer.concat([hv, io])];
  return new MsfFile(new BufferSource(writeMsf(streams, { blockSize: 512, scatter: true }).bytes));
}

t.test('numeric leaves', async (t) => {
  t.same(readNumericLeaf(Buffer.from([0x18, 0x00]), 0), { value: 24n, size: 2 });
  t.same(readNumericLeaf(Buffer.concat([u16(0x8004), u32(70000)]), 0), { value: 70000n, size: 6 });
  t.same(readNumericLeaf(Buffer.concat([u16(0x8001), u16(0xfffe)]), 0), { value: -2n, size: 4 });
  t.equal(readNumericLeaf(Buffer.from([0x04, 0x80, 1]), 0), undefined, 'truncated ULONG');
});

t.test('synthetic TPI: records, names, sizes, forward references', async (t) => {
  for (const hash of [true, false]) {
    const ts = new TypeStream(buildPdb({ hash }), 2);
    t.equal(ts.begin, 0x1000);
    t.equal(ts.end, END);
    // Read out of order so the lazy offset index is exercised from both ends.
    t.match(ts.record(0x100b), { kind: 'fieldlist' });
    t.match(ts.record(0x1001), { kind: 'pointer', referent: 0x1000, size: 8, mode: 'pointer' });
    t.match(ts.record(0x1000), { kind: 'modifier', type: 0x74, isConst: true, isVolatile: false });
    t.match(ts.record(0x1008), { kind: 'procedure', returnType: 0x74, paramCount: 2, argList: 0x1006 });
    t.match(ts.record(0x1007), { kind: 'bitfield', type: 0x75, length: 3, position: 2 });
    t.match(ts.record(0x1005), { kind: 'udt', leaf: 'struct', name: 'point', size: 24, fieldList: 0x1004, isForwardRef: false });
    t.match(ts.record(0x1002), { kind: 'udt', name: 'point', isForwardRef: true });
    t.equal(ts.record(END), undefined, 'past TypeIndexEnd');
    t.equal(ts.resolveForward(0x1002), 0x1005, `forward ref resolved (hash stream: ${hash})`);
    t.equal(ts.findByName('point'), 0x1005);
    t.equal(ts.findByName('color'), 0x100a);
    t.equal(ts.findByName('nope'), undefined);

    t.equal(typeName(ts, 0x1001), 'int *', 'const dropped as WinDbg does');
    t.equal(typeName(ts, 0x1003), 'struct point *');
    t.equal(typeName(ts, 0x100d), 'struct point **');
    t.equal(typeName(ts, 0x1009), 'char [16]');
    t.equal(typeName(ts, 0x100c), 'char [4][16]');
    t.equal(typeName(ts, 0x1008), 'int (struct point *, int)');
    t.equal(typeName(ts, 0x100a), 'enum color');
    t.equal(typeName(ts, 0x0623), 'unsigned int64 *', 'primitive 64-bit pointer mode');
    t.equal(typeSize(ts, 0x1002), 24, 'size through the forward reference');
    t.equal(typeSize(ts, 0x1001), 8);
    t.equal(typeSize(ts, 0x100a), 4);
    t.equal(dtTypeName(ts, 0x1003), 'Ptr64 point');
    t.equal(dtTypeName(ts, 0x1007), 'Pos 2, 3 Bits');
    t.equal(dtTypeName(ts, 0x1009), '[16] Char');
    t.equal(dtTypeName(ts, 0x75), 'Uint4B');

    const members = ts.fieldMembers(0x1004);
    t.same(members.map((m) => (m.kind === 'member' ? [m.name, m.offset, m.type] : [])), [['x', 0, 0x74], ['y', 4, 0x74], ['next', 8, 0x1003], ['flags', 16, 0x1007]]);
    const enums = ts.fieldMembers(0x100b);
    t.same(enums.map((m) => (m.kind === 'enumerate' ? [m.name, m.value] : [])), [['red', 0n], ['green', 1n], ['far', 70000n]]);
  }
});

t.test('malformed records give undefined, not exceptions', async (t) => {
  t.throws(() => decodeTypeRecord(0x1000, Buffer.from([2, 0, 0x02, 0x10])), { name: 'FormatError' }, 'pointer without payload');
  const cut = Buffer.from([6, 0, 0x05, 0x15, 1, 0, 0, 0]);
  t.throws(() => decodeTypeRecord(0x1000, cut), { name: 'FormatError' });
  // A field list that stops mid-member keeps what it decoded.
  const fl = decodeTypeRecord(0x1000, rec(0x1203, Buffer.concat([member('a', 0x74, 0), Buffer.from([0x0d, 0x15, 3])])));
  t.match(fl, { kind: 'fieldlist' });
  if (fl.kind === 'fieldlist') t.equal(fl.members.length, 1);
});

const EXAMPLE_PDB = path.join(REPO, 'examples', 'dumps', 'crashlab.pdb');
t.test('examples/dumps/crashlab.pdb: struct customer as compiled', async (t) => {
  const pdb = PdbFile.open(EXAMPLE_PDB);
  t.teardown(() => pdb.close());
  const { tpi, ipi } = typeStreamsOf(pdb.msf);
  t.ok(tpi && ipi, 'TPI and IPI open');
  const ti = tpi!.findByName('customer')!;
  const r = tpi!.record(ti);
  t.match(r, { kind: 'udt', leaf: 'struct', size: 24, isForwardRef: false });
  if (r?.kind !== 'udt') return;
  // crashlab.c: { int id; int flags; const char *name; long long balance; /* offset 0x10 */ }
  const m = tpi!.fieldMembers(r.fieldList).flatMap((x) => (x.kind === 'member' ? [[x.name, x.offset, typeName(tpi, x.type)]] : []));
  t.same(m, [['id', 0, 'int'], ['flags', 4, 'int'], ['name', 8, 'char *'], ['balance', 16, 'int64']]);
  // Every forward reference in the stream resolves to a definition of the same name.
  let fwd = 0;
  for (const [name, list] of tpi!.namesIndex()) {
    for (const x of list) {
      const rr = tpi!.record(x);
      if ((rr?.kind === 'udt' || rr?.kind === 'enum') && rr.isForwardRef) {
        const def = tpi!.record(tpi!.resolveForward(x));
        if (def?.kind === 'udt' || def?.kind === 'enum') {
          if (!def.isForwardRef) fwd++;
          t.equal(def.name, name);
        }
      }
    }
  }
  t.ok(fwd >= 10, `${fwd} forward references resolved`);
});

const WINE_PDB = path.join(CORPUS, 'wine-x64', 'crashlab.pdb');
t.test('corpus wine-x64/crashlab.pdb: divide(volatile int a, volatile int b)', { skip: existsSync(WINE_PDB) ? false : 'corpus not present' }, async (t) => {
  const pdb = PdbFile.open(WINE_PDB);
  t.teardown(() => pdb.close());
  const { tpi } = typeStreamsOf(pdb.msf);
  const hit = pdb.findByName('divide');
  t.ok(hit, 'divide found');
  // The S_LPROC32's type: int (volatile int, volatile int).
  const ms = pdb.moduleSymbols(hit!.module ?? 0)!;
  const proc = ms.procs.find((p) => p.name === 'divide')!;
  const rec0 = [...ms.procRecords(proc)][0]!;
  const procType = rec0.data.readUInt32LE(28);
  t.equal(typeName(tpi, procType), 'int (int, int)');
  const pt = tpi!.record(procType);
  t.match(pt, { kind: 'procedure', paramCount: 2 });
});

t.test('mutated type streams: queries never throw anything but answers', async (t) => {
  const base = Buffer.concat(records);
  let seed = 0x2545f491;
  const rand = (n: number) => {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
    return seed % n;
  };
  for (let round = 0; round < 200; round++) {
    const body = Buffer.from(base);
    for (let k = 0; k < 1 + rand(6); k++) body[rand(body.length)] = rand(256);
    for (let ti = 0x1000; ti < END; ti++) {
      let r;
      try {
        r = decodeTypeRecord(ti, body.subarray(0, Math.min(body.length, 4 + rand(64))));
      } catch (e) {
        if ((e as Error).name !== 'FormatError') throw e;
      }
      void r;
    }
  }
  // A stream whose records point at each other in cycles: names and sizes stay bounded.
  const cyc = [
    rec(0x1002, Buffer.concat([u32(0x1001), u32(PTR64)])),
    rec(0x1001, Buffer.concat([u32(0x1000), u16(1)])),
  ];
  const ts = { record: (ti: number) => (ti === 0x1000 ? decodeTypeRecord(ti, cyc[0]!) : ti === 0x1001 ? decodeTypeRecord(ti, cyc[1]!) : undefined), resolveForward: (ti: number) => ti } as unknown as TypeStream;
  t.ok(typeName(ts, 0x1000).length < 400, 'cyclic pointer/modifier chain named with a bounded string');
  t.equal(typeSize(ts, 0x1001), 8);
  t.pass('no exception');
});
