import t from 'tap';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FormatError } from '../../../src/bytes/errors.js';
import { BufferSource } from '../../../src/bytes/source.js';
import { MinidumpFile } from '../../../src/formats/minidump/index.js';
import { SynthDump } from '../../fixtures/synth/minidump-writer.js';

const dir = mkdtempSync(join(tmpdir(), 'md-robust-'));
t.teardown(() => rmSync(dir, { recursive: true, force: true }));

function openBytes(name: string, bytes: Buffer): MinidumpFile {
  const p = join(dir, name);
  writeFileSync(p, bytes);
  return MinidumpFile.open(p);
}

function kindOf(f: () => unknown): string | undefined {
  try {
    f();
  } catch (e) {
    if (e instanceof FormatError) return e.kind;
    throw e;
  }
  return undefined;
}

t.test('empty file, non-dump, kernel dumps, short header, bad version', async (t) => {
  const p = join(dir, 'empty.dmp');
  writeFileSync(p, Buffer.alloc(0));
  t.throws(() => MinidumpFile.open(p), { name: 'FormatError', kind: 'NotADump', message: /empty\.dmp is empty/ });
  t.throws(() => openBytes('text.dmp', Buffer.from('hello world, this is not a dump at all')), { kind: 'NotADump', message: /text\.dmp is not a minidump/ });
  t.throws(() => openBytes('pe.dmp', Buffer.from('MZ\x90\x00')), { name: 'FormatError', kind: 'NotADump', message: /pe\.dmp is not a minidump: it is a PE image/ });
  t.throws(() => openBytes('x.dmp.gz', Buffer.from([0x1f, 0x8b, 8, 0, 0, 0, 0, 0])), { name: 'FormatError', kind: 'NotADump', message: /x\.dmp\.gz is not a minidump: it is gzip-compressed/ });
  t.throws(() => openBytes('core', Buffer.from('\x7fELF\x02\x01\x01', 'latin1')), { name: 'FormatError', kind: 'NotADump', message: /ELF/ });
  t.throws(() => openBytes('k64.dmp', Buffer.concat([Buffer.from('PAGEDU64'), Buffer.alloc(4096)])), {
    kind: 'KernelDump',
    message: /k64\.dmp is a kernel dump \(PAGEDU64\); dumpdbg reads user-mode minidumps \(MDMP\)/,
  });
  t.throws(() => openBytes('k32.dmp', Buffer.concat([Buffer.from('PAGEDUMP'), Buffer.alloc(64)])), { name: 'FormatError', kind: 'KernelDump', message: /PAGEDUMP/ });
  t.equal(kindOf(() => openBytes('short.dmp', Buffer.from('MDMP\x93\xa7\0\0'))), 'Truncated');
  const bad = new SynthDump().build();
  bad.writeUInt32LE(0xa05d0001, 4);
  t.equal(kindOf(() => MinidumpFile.fromBuffer(bad)), 'UnsupportedVersion');
  // High 16 bits of Version are writer-specific and must be ignored.
  const hi = new SynthDump().header({ version: 0xa05da793 }).build();
  t.equal(MinidumpFile.fromBuffer(hi).header.version, 0xa05da793);
  t.throws(() => MinidumpFile.open(join(dir, 'does-not-exist.dmp')), { name: 'FormatError', kind: 'Io' });
});

t.test('directory past EOF is Truncated; partly readable directory warns', async (t) => {
  const b = new SynthDump().build().subarray(0, 32);
  t.equal(kindOf(() => MinidumpFile.fromBuffer(Buffer.from(b))), 'Truncated');
  const full = new SynthDump().thread({ id: 1, context: {} }).module({ base: 0x1000n, size: 1, name: 'x' }).build();
  const h = Buffer.from(full);
  h.writeUInt32LE(0x7fffffff, 8); // NumberOfStreams absurd
  const f = MinidumpFile.fromBuffer(h);
  t.ok(f.directory.length > 0 && f.directory.length < 0x7fffffff);
  t.ok(f.warnings.some((w) => /stream directory claims/.test(w.message)));
});

t.test('truncated dump still shows threads and modules, with a warning', async (t) => {
  const stack = Buffer.alloc(0x4000, 0x11);
  const whole = new SynthDump().arch('amd64')
    .thread({ id: 1, context: { rip: 0x1000n } })
    .thread({ id: 2, context: { rip: 0x2000n } })
    .module({ base: 0x140000000n, size: 0x1000, name: 'app.exe' })
    .module({ base: 0x7ff800000000n, size: 0x1000, name: 'ntdll.dll' })
    .memory(0x100000n, stack) // the big range comes last in the file
    .build();
  // Cut the file in the middle of the memory range.
  const cut = whole.subarray(0, whole.length - 0x2000);
  const f = MinidumpFile.fromSource(new BufferSource(Buffer.from(cut), 'cut.dmp'));
  t.same(f.threads().map((x) => x.threadId), [1, 2]);
  t.same(f.modules().map((m) => m.moduleName), ['app.exe', 'ntdll.dll']);
  t.equal(f.threadContext(f.threads()[1]!)?.pc, 0x2000n);
  const r = f.memory.findRange(0x100000n);
  t.equal(r?.size, 0x2000, 'range trimmed to the bytes present');
  t.equal(f.memory.read(0x100000n, 0x4000).length, 0x2000);
  t.ok(f.warnings.length > 0);
  t.ok(f.warnings.some((w) => /past the end of the file/.test(w.message)), JSON.stringify(f.warnings));
});

t.test('stream pointing past EOF and bad RVAs', async (t) => {
  const { buf, streams } = new SynthDump()
    .thread({ id: 1, context: { rip: 1 } })
    .module({ base: 0x1000n, size: 0x10, name: 'x.dll', cv: { guid: '00000000000000000000000000000000', age: 1, pdb: 'x.pdb' } })
    .unloadedModules([{ base: 0x2000n, size: 0x10, name: 'gone.dll' }])
    .buildWithMap();
  const b = Buffer.from(buf);
  // ModuleList: point ModuleNameRva and CvRecord.Rva far outside the file.
  const mod = streams.find((s) => s.streamType === 4)!;
  b.writeUInt32LE(0x7ffffff0, mod.rva + 4 + 0x14);
  b.writeUInt32LE(0x7ffffff0, mod.rva + 4 + 0x4c + 4);
  // ThreadList: context RVA outside the file.
  const thr = streams.find((s) => s.streamType === 3)!;
  b.writeUInt32LE(0xfffffff0, thr.rva + 4 + 0x2c);
  // UnloadedModuleList: directory entry RVA past EOF.
  const unl = streams.find((s) => s.streamType === 14)!;
  b.writeUInt32LE(b.length + 100, unl.directoryOffset + 8);
  const f = MinidumpFile.fromBuffer(b);
  t.equal(f.modules().length, 1);
  t.equal(f.modules()[0]?.moduleName, '');
  t.equal(f.modules()[0]?.cvRecord, undefined);
  t.equal(f.threadContext(f.threads()[0]!), undefined);
  t.same(f.unloadedModules(), []);
  t.ok(f.warnings.length >= 3, JSON.stringify(f.warnings));
});

t.test('huge counts are bounded by the stream size', async (t) => {
  const { buf, streams } = new SynthDump()
    .thread({ id: 1, context: {} })
    .module({ base: 0x1000n, size: 0x10, name: 'x' })
    .memory(0x5000n, Buffer.alloc(16))
    .memory64(0x9000n, Buffer.alloc(16))
    .handles([{ handle: 4n, typeName: 'File' }])
    .threadNames([{ threadId: 1, name: 'n' }])
    .memoryInfo([{ baseAddress: 0n, regionSize: 0x1000n, state: 0x1000, protect: 4, type: 0x20000 }])
    .threadInfo([{ threadId: 1 }])
    .unloadedModules([{ base: 0n, size: 1, name: 'u' }])
    .buildWithMap();
  const b = Buffer.from(buf);
  const at = (type: number) => streams.find((s) => s.streamType === type)!.rva;
  b.writeUInt32LE(0xffffffff, at(3));
  b.writeUInt32LE(0xffffffff, at(4));
  b.writeUInt32LE(0xffffffff, at(5));
  b.writeBigUInt64LE(0xffffffffffffffffn, at(9));
  b.writeUInt32LE(0xffffffff, at(12) + 8);
  b.writeUInt32LE(0xffffffff, at(24));
  b.writeBigUInt64LE(0xffffffffffffffffn, at(16) + 8);
  b.writeUInt32LE(0xffffffff, at(17) + 8);
  b.writeUInt32LE(0xffffffff, at(14) + 8);
  const f = MinidumpFile.fromBuffer(b);
  t.equal(f.threads().length, 1);
  t.equal(f.modules().length, 1);
  t.equal(f.handles().length, 1);
  t.equal(f.threadNames().size, 1);
  t.equal(f.memoryInfo().length, 1);
  t.equal(f.threadInfo().length, 1);
  t.equal(f.unloadedModules().length, 1);
  t.ok(f.memory.findRange(0x5000n));
  t.ok(f.memory.findRange(0x9000n));
  t.ok(f.warnings.filter((w) => /claims/.test(w.message)).length >= 8, JSON.stringify(f.warnings));
});

t.test('bad entry sizes in new-style lists', async (t) => {
  const { buf, streams } = new SynthDump().memoryInfo([{ baseAddress: 0n, regionSize: 1n, state: 0x1000, protect: 4, type: 0 }]).buildWithMap();
  const b = Buffer.from(buf);
  const rva = streams.find((s) => s.streamType === 16)!.rva;
  b.writeUInt32LE(0, rva + 4); // SizeOfEntry 0: would loop forever or divide by zero
  const f = MinidumpFile.fromBuffer(b);
  t.same(f.memoryInfo(), []);
  t.ok(f.warnings.length > 0);
  b.writeUInt32LE(48, rva + 4);
  b.writeUInt32LE(0xfffffff0, rva); // SizeOfHeader beyond the stream
  t.same(MinidumpFile.fromBuffer(b).memoryInfo(), []);
});

t.test('strings: odd length, missing terminator, oversized', async (t) => {
  const { buf, streams } = new SynthDump().module({ base: 0x1000n, size: 1, name: 'abcdef' }).buildWithMap();
  const mod = streams.find((s) => s.streamType === 4)!;
  const nameRva = buf.readUInt32LE(mod.rva + 4 + 0x14);
  const odd = Buffer.from(buf);
  odd.writeUInt32LE(5, nameRva);
  t.equal(MinidumpFile.fromBuffer(odd).modules()[0]?.moduleName, '');
  const huge = Buffer.from(buf);
  huge.writeUInt32LE(0x7ffffffe, nameRva);
  t.equal(MinidumpFile.fromBuffer(huge).modules()[0]?.moduleName, '');
  // A length that counts the terminator: the NUL is not part of the name.
  const counted = Buffer.from(buf);
  counted.writeUInt32LE(14, nameRva);
  t.equal(MinidumpFile.fromBuffer(counted).modules()[0]?.moduleName, 'abcdef');
  // A string cut by EOF comes back partially.
  const cut = Buffer.from(buf.subarray(0, nameRva + 4 + 6));
  const f = MinidumpFile.fromBuffer(cut);
  t.equal(f.modules().length, 1);
  t.equal(f.modules()[0]?.moduleName, 'abc');
});

t.test('streams too short for their fixed structs become warnings', async (t) => {
  const f = MinidumpFile.fromBuffer(new SynthDump().systemInfo(null)
    .rawStream(7, Buffer.alloc(10)).rawStream(6, Buffer.alloc(20)).rawStream(15, Buffer.alloc(3))
    .rawStream(0x47670001, Buffer.alloc(4)).rawStream(0x43500001, Buffer.alloc(8)).rawStream(12, Buffer.alloc(8)).build());
  t.equal(f.systemInfo, undefined);
  t.equal(f.arch, 'unknown');
  t.equal(f.exception(), undefined);
  t.equal(f.miscInfo(), undefined);
  t.equal(f.breakpadInfo(), undefined);
  t.equal(f.crashpadInfo(), undefined);
  t.same(f.handles(), []);
  t.ok(f.warnings.length >= 5);
});

t.test('arch falls back to the context size without SystemInfo', async (t) => {
  const f = MinidumpFile.fromBuffer(new SynthDump().systemInfo(null).arch('x86').thread({ id: 1, context: { eip: 0x401000 } }).build());
  t.equal(f.systemInfo, undefined);
  t.equal(f.arch, 'x86');
  t.equal(f.threadContext(f.threads()[0]!)?.pc, 0x401000n);
  const g = MinidumpFile.fromBuffer(new SynthDump().systemInfo(null).arch('amd64').thread({ id: 1, context: { rip: 0x140001000n } }).build());
  t.equal(g.arch, 'amd64');
  t.equal(g.pointerSize, 8);
});

t.test('WOW64: x86 context in a dump whose SystemInfo says AMD64', async (t) => {
  const x86ctx = Buffer.alloc(716);
  x86ctx.writeUInt32LE(0x0001003f, 0);
  x86ctx.writeUInt32LE(0x401234, 0xb8); // Eip
  x86ctx.writeUInt32LE(0x12ff00, 0xc4); // Esp
  const f = MinidumpFile.fromBuffer(new SynthDump().arch('amd64').thread({ id: 1, contextBytes: x86ctx }).build());
  const c = f.threadContext(f.threads()[0]!);
  t.equal(c?.arch, 'x86');
  t.equal(c?.pc, 0x401234n);
  t.equal(c?.sp, 0x12ff00n);
});

t.test('context status bits do not confuse the CPU-type test', async (t) => {
  // CONTEXT_AMD64 | CONTROL | INTEGER | EXCEPTION_ACTIVE | SERVICE_ACTIVE | EXCEPTION_REPORTING.
  const f = MinidumpFile.fromBuffer(new SynthDump().arch('amd64').thread({ id: 1, context: { rip: 0x77n, rax: 3 }, contextFlags: 0x98100003 }).build());
  const c = f.threadContext(f.threads()[0]!);
  t.equal(c?.arch, 'amd64');
  t.equal(c?.regs.rax, 3n);
  t.equal(c?.regs.rip, 0x77n);
});

t.test('overlapping memory ranges are deduplicated', async (t) => {
  const a = Buffer.alloc(0x100, 0xaa);
  const b = Buffer.alloc(0x100, 0xbb);
  const c = Buffer.alloc(0x80, 0xcc);
  const f = MinidumpFile.fromBuffer(new SynthDump()
    .memory(0x1000n, a)
    .memory(0x1080n, b) // overlaps the tail of a, extends to 0x1180
    .memory(0x1000n, c) // fully covered by a
    .build());
  const r = f.memory.ranges;
  t.same(r.map((x) => [x.start, x.size]), [[0x1000n, 0x100], [0x1100n, 0x80]]);
  const got = f.memory.read(0x1000n, 0x180);
  t.equal(got.length, 0x180);
  t.equal(got[0x7f], 0xaa);
  t.equal(got[0xff], 0xaa);
  t.equal(got[0x100], 0xbb);
  t.equal(got[0x17f], 0xbb);
});

t.test('tiny or random garbage never throws anything but FormatError', async (t) => {
  const good = new SynthDump().arch('amd64')
    .thread({ id: 1, context: { rip: 1 }, stack: { addr: 0x1000n, bytes: Buffer.alloc(64) } })
    .module({ base: 0x1000n, size: 0x10, name: 'x', cv: { guid: '00112233445566778899AABBCCDDEEFF', age: 1, pdb: 'x.pdb' } })
    .exception({ threadId: 1, code: 0xc0000005, context: { rip: 1 } })
    .miscInfo({ processId: 1, buildString: 'b' })
    .handles([{ handle: 1n, typeName: 'File', objectInfo: [{ infoType: 1, data: Buffer.alloc(4) }] }])
    .threadNames([{ threadId: 1, name: 'n' }])
    .build();
  let seed = 12345;
  const rnd = () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff), seed);
  for (let i = 0; i < 300; i++) {
    const b = Buffer.from(good);
    const flips = 1 + (rnd() % 8);
    for (let k = 0; k < flips; k++) b[32 + (rnd() % (b.length - 32))] = rnd() & 0xff;
    try {
      const f = MinidumpFile.fromBuffer(b);
      for (const th of f.threads()) f.threadContext(th);
      f.modules(); f.exception(); f.exceptionContext(); f.miscInfo(); f.handles(); f.threadNames(); f.memory.read(0x1000n, 64); f.otherStreams();
    } catch (e) {
      if (!(e instanceof FormatError)) {
        t.fail(`case ${i}: ${String(e)}`);
        return;
      }
    }
  }
  t.pass('300 corrupted dumps handled');
});

t.test('every truncation length opens or fails with a typed error', async (t) => {
  const whole = new SynthDump().arch('amd64')
    .thread({ id: 1, context: { rip: 0x1000n }, stack: { addr: 0x8000n, bytes: Buffer.alloc(64, 1) } })
    .module({ base: 0x140000000n, size: 0x1000, name: 'app.exe', cv: { guid: '00112233445566778899AABBCCDDEEFF', age: 1, pdb: 'app.pdb' } })
    .exception({ threadId: 1, code: 0xc0000005, context: { rip: 0x1000n } })
    .miscInfo({ processId: 9 })
    .threadNames([{ threadId: 1, name: 'main' }])
    .memory64(0x20000n, Buffer.alloc(256, 2))
    .build();
  const kinds = new Set<string>();
  let opened = 0;
  for (let n = 0; n <= whole.length; n += 3) {
    let f: MinidumpFile;
    try {
      f = MinidumpFile.fromBuffer(Buffer.from(whole.subarray(0, n)));
    } catch (e) {
      if (!(e instanceof FormatError)) throw e;
      kinds.add(e.kind);
      continue;
    }
    opened++;
    for (const th of f.threads()) f.threadContext(th);
    f.modules(); f.exception(); f.exceptionContext(); f.miscInfo(); f.threadNames(); f.memory.read(0x20000n, 256);
    if (n < whole.length && f.warnings.length === 0 && f.directory.length > 0) {
      // Cut inside a stream's data must be reported.
      const cutInside = f.directory.some((d) => d.rva + d.dataSize > n);
      if (cutInside) t.fail(`length ${n}: a stream is cut but no warning`);
    }
  }
  t.same([...kinds].sort(), ['NotADump', 'Truncated']);
  t.ok(opened > 100, `${opened} truncated prefixes opened`);
});
