import t from 'tap';
import { MinidumpFile } from '../../../src/formats/minidump/index.js';
import { SynthDump } from '../../fixtures/synth/minidump-writer.js';

const GUID = '0123456789ABCDEF0011223344556677';

t.test('header, directory and SystemInfo', async (t) => {
  const buf = new SynthDump().arch('x86').header({ timeDateStamp: 0x60000000, flags: 0x1806n })
    .systemInfo({ majorVersion: 6, minorVersion: 1, buildNumber: 7601, csdVersion: 'Service Pack 1', numberOfProcessors: 8, vendorId: 'AuthenticAMD' })
    .build();
  const f = MinidumpFile.fromBuffer(buf, 'synth.dmp');
  t.equal(f.path, 'synth.dmp');
  t.equal(f.header.timeDateStamp, 0x60000000);
  t.equal(f.header.flags, 0x1806n);
  t.equal(f.directory.length, 1);
  t.equal(f.directory[0]?.typeName, 'SystemInfoStream');
  t.equal(f.arch, 'x86');
  t.equal(f.systemInfo?.buildNumber, 7601);
  t.equal(f.systemInfo?.csdVersion, 'Service Pack 1');
  t.equal(f.systemInfo?.numberOfProcessors, 8);
  t.equal(f.systemInfo?.vendorId, 'AuthenticAMD');
  t.equal(f.systemInfo?.processorFeatures, undefined);
  t.same(f.warnings, []);

  const a = MinidumpFile.fromBuffer(new SynthDump().arch('amd64').build());
  t.equal(a.arch, 'amd64');
  t.equal(a.systemInfo?.vendorId, undefined);
  t.same(a.systemInfo?.processorFeatures, [0x110427f4cn, 0n]);
  t.equal(MinidumpFile.fromBuffer(new SynthDump().arch('arm64').build()).arch, 'arm64');
});

t.test('threads and AMD64 contexts round-trip', async (t) => {
  const stack = Buffer.alloc(0x100, 0xab);
  const buf = new SynthDump().arch('amd64')
    .thread({ id: 0x1234, suspendCount: 1, priority: 2, teb: 0x7ff0000n, context: { rip: 0x140001000n, rsp: 0x10000n, rbp: 0x10080n, rax: 1, rbx: 2, rcx: 3, r15: 0xffffffffffffffffn, efl: 0x246, cs: 0x33, ss: 0x2b }, stack: { addr: 0x10000n, bytes: stack } })
    .thread({ id: 0x5678, context: { rip: 0x140002000n, rsp: 0x20000n } })
    .build();
  const f = MinidumpFile.fromBuffer(buf);
  const th = f.threads();
  t.equal(th.length, 2);
  t.equal(th[0]?.threadId, 0x1234);
  t.equal(th[0]?.index, 0);
  t.equal(th[1]?.index, 1);
  t.equal(th[0]?.suspendCount, 1);
  t.equal(th[0]?.priority, 2);
  t.equal(th[0]?.teb, 0x7ff0000n);
  t.equal(th[0]?.stackStart, 0x10000n);
  t.equal(th[0]?.stackSize, 0x100);
  const c = f.threadContext(th[0]!);
  t.ok(c);
  t.equal(c?.arch, 'amd64');
  t.equal(c?.pc, 0x140001000n);
  t.equal(c?.sp, 0x10000n);
  t.equal(c?.fp, 0x10080n);
  t.equal(c?.regs.rax, 1n);
  t.equal(c?.regs.rbx, 2n);
  t.equal(c?.regs.rcx, 3n);
  t.equal(c?.regs.r15, 0xffffffffffffffffn);
  t.equal(c?.regs.efl, 0x246n);
  t.equal(c?.regs.cs, 0x33n);
  t.equal(c?.regs.ss, 0x2bn);
  t.equal(c?.rawSize, 1232);
  t.equal(c?.cetSsp, undefined);
  // The stack is readable through the memory index.
  t.same(f.memory.read(0x10000n, 0x100), stack);
  t.equal(f.memory.readU64(0x10008n), 0xababababababababn);
});

t.test('context flags decide which registers are valid', async (t) => {
  // CONTEXT_AMD64 | CONTROL only: integer registers must be absent.
  const buf = new SynthDump().arch('amd64').thread({ id: 1, context: { rip: 0x1000n, rsp: 0x2000n, rax: 5 }, contextFlags: 0x00100001 }).build();
  const c = MinidumpFile.fromBuffer(buf).threadContext(MinidumpFile.fromBuffer(buf).threads()[0]!);
  t.equal(c?.regs.rip, 0x1000n);
  t.equal(c?.regs.rsp, 0x2000n);
  t.equal(c?.regs.rax, undefined);
  t.equal(c?.regs.dr0, undefined);
});

t.test('x86 and ARM64 contexts', async (t) => {
  const x = MinidumpFile.fromBuffer(new SynthDump().arch('x86').thread({ id: 7, context: { eip: 0x401000, esp: 0x12ff00, ebp: 0x12ff40, eax: 0x45, edi: 0xa28, efl: 0x10246, fs: 0x3b } }).build());
  const xc = x.threadContext(x.threads()[0]!);
  t.equal(xc?.arch, 'x86');
  t.equal(xc?.pc, 0x401000n);
  t.equal(xc?.sp, 0x12ff00n);
  t.equal(xc?.fp, 0x12ff40n);
  t.equal(xc?.regs.eax, 0x45n);
  t.equal(xc?.regs.edi, 0xa28n);
  t.equal(xc?.regs.efl, 0x10246n);
  t.equal(xc?.regs.fs, 0x3bn);
  t.equal(xc?.rawSize, 716);

  const a = MinidumpFile.fromBuffer(new SynthDump().arch('arm64').thread({ id: 8, context: { pc: 0x7ff600001000n, sp: 0x1000n, fp: 0x1100n, lr: 0x7ff600002000n, x0: 1, x18: 0x7ff00000n, x28: 28, cpsr: 0x60000000 } }).build());
  const ac = a.threadContext(a.threads()[0]!);
  t.equal(ac?.arch, 'arm64');
  t.equal(ac?.pc, 0x7ff600001000n);
  t.equal(ac?.sp, 0x1000n);
  t.equal(ac?.fp, 0x1100n);
  t.equal(ac?.regs.lr, 0x7ff600002000n);
  t.equal(ac?.regs.x0, 1n);
  t.equal(ac?.regs.x18, 0x7ff00000n);
  t.equal(ac?.regs.x28, 28n);
  t.equal(ac?.regs.cpsr, 0x60000000n);
  t.equal(ac?.rawSize, 912);
});

t.test('CET shadow-stack pointer from CONTEXT_EX + XSAVE', async (t) => {
  const f = MinidumpFile.fromBuffer(new SynthDump().arch('amd64').thread({ id: 1, context: { rip: 0x1000n }, cetSsp: 0xcbc83fefc8n }).build());
  const c = f.threadContext(f.threads()[0]!);
  t.equal(c?.cetSsp, 0xcbc83fefc8n);
  t.equal(c?.pc, 0x1000n);
  t.ok((c?.contextFlags ?? 0) & 0x40);
});

t.test('zero-size context (Wine hang-dump writer thread)', async (t) => {
  const f = MinidumpFile.fromBuffer(new SynthDump().arch('amd64').thread({ id: 1, contextSize: 0 }).thread({ id: 2, context: { rip: 5 } }).build());
  t.equal(f.threads().length, 2);
  t.equal(f.threadContext(f.threads()[0]!), undefined);
  t.equal(f.threadContext(f.threads()[1]!)?.pc, 5n);
  t.same(f.warnings, []);
});

t.test('ThreadExList and list padding', async (t) => {
  for (const pad of [false, true]) {
    for (const ex of [false, true]) {
      const f = MinidumpFile.fromBuffer(new SynthDump().listPadding(pad).threadEx(ex)
        .thread({ id: 11, context: { rip: 0x11n }, stack: { addr: 0x5000n, bytes: Buffer.from('stack!') } })
        .thread({ id: 22, context: { rip: 0x22n } })
        .module({ base: 0x140000000n, size: 0x1000, name: 'a.exe' })
        .memory(0x9000n, Buffer.from('data'))
        .build());
      t.same(f.threads().map((x) => x.threadId), [11, 22], `pad=${pad} ex=${ex}`);
      t.equal(f.threadContext(f.threads()[1]!)?.pc, 0x22n);
      t.same(f.modules().map((m) => m.moduleName), ['a.exe']);
      t.equal(f.memory.read(0x9000n, 4).toString(), 'data');
      t.equal(f.memory.read(0x5000n, 6).toString(), 'stack!');
      t.same(f.warnings, []);
    }
  }
});

t.test('modules: names, CodeView, version, lookup', async (t) => {
  const f = MinidumpFile.fromBuffer(new SynthDump()
    .module({ base: 0x140000000n, size: 0x20000, name: 'C:\\app\\app.exe', timeDateStamp: 0x5e000000, checkSum: 0x1234, cv: { guid: GUID, age: 3, pdb: 'C:\\build\\app.pdb' }, version: [1, 2, 3, 4] })
    .module({ base: 0x7ff800000000n, size: 0x1000, name: 'C:\\Windows\\System32\\ntdll.dll', cv: { nb10: { signature: 0x3a5b7c9d, age: 2, pdb: 'ntdll.pdb' } } })
    .module({ base: 0x10000000n, size: 0x1000, name: 'nocv.dll' })
    .build());
  const m = f.modules();
  t.same(m.map((x) => x.index), [0, 1, 2]);
  t.equal(m[0]?.moduleName, 'C:\\app\\app.exe');
  t.equal(m[0]?.timeDateStamp, 0x5e000000);
  t.equal(m[0]?.checkSum, 0x1234);
  t.equal(m[0]?.cvRecord?.format, 'RSDS');
  t.equal(m[0]?.cvRecord?.guid, GUID);
  t.equal(m[0]?.cvRecord?.age, 3);
  t.equal(m[0]?.cvRecord?.pdbFileName, 'C:\\build\\app.pdb');
  t.equal(m[0]?.versionInfo?.fileVersionMS, 0x00010002);
  t.equal(m[0]?.versionInfo?.fileVersionLS, 0x00030004);
  t.equal(m[1]?.cvRecord?.format, 'NB10');
  t.equal(m[1]?.cvRecord?.signature, 0x3a5b7c9d);
  t.equal(m[1]?.cvRecord?.age, 2);
  t.equal(m[2]?.cvRecord, undefined);
  t.equal(m[2]?.versionInfo, undefined);
  t.equal(f.moduleAt(0x140000000n)?.index, 0);
  t.equal(f.moduleAt(0x14001ffffn)?.index, 0);
  t.equal(f.moduleAt(0x140020000n), undefined);
  t.equal(f.moduleAt(0x10000800n)?.moduleName, 'nocv.dll');
  t.equal(f.moduleAt(0x7ff800000010n)?.index, 1);
  t.equal(f.moduleAt(0xfffn), undefined);
});

t.test('MemoryList and Memory64List', async (t) => {
  const big = Buffer.alloc(0x3000);
  for (let i = 0; i < big.length; i++) big[i] = i & 0xff;
  const f = MinidumpFile.fromBuffer(new SynthDump()
    .memory(0x1000n, Buffer.from('AAAA'))
    .memory64(0x7000n, big.subarray(0, 0x1000))
    .memory64(0x8000n, big.subarray(0x1000, 0x2000)) // adjacent to the previous range
    .memory64(0xa000n, big.subarray(0x2000))
    .build());
  const mem = f.memory;
  t.same(mem.ranges.map((r) => [r.start, r.size]), [[0x1000n, 4], [0x7000n, 0x1000], [0x8000n, 0x1000], [0xa000n, 0x1000]]);
  t.equal(mem.read(0x1000n, 4).toString(), 'AAAA');
  t.equal(mem.read(0x1002n, 100).toString(), 'AA', 'read returns the available prefix');
  t.equal(mem.readExact(0x1002n, 4), undefined);
  // Crosses from one Memory64 range into the adjacent one.
  t.same(mem.read(0x7ff0n, 0x20), big.subarray(0xff0, 0x1010));
  // Stops at the hole at 0x9000.
  t.equal(mem.read(0x8ff0n, 0x100).length, 0x10);
  t.equal(mem.read(0x9000n, 4).length, 0);
  t.same(mem.readExact(0xa010n, 16), big.subarray(0x2010, 0x2020));
  t.equal(mem.readU32(0x7004n), 0x07060504);
  t.equal(mem.readPointer(0x7004n, 4), 0x07060504n);
  t.equal(mem.readPointer(0x7000n, 8), 0x0706050403020100n);
  t.equal(mem.readU64(0xaffcn), undefined);
  t.equal(mem.findRange(0x8000n)?.start, 0x8000n);
  t.equal(mem.findRange(0x9000n), undefined);
});

t.test('exception stream, exception context and nested record', async (t) => {
  // A native x64 EXCEPTION_RECORD placed in memory, written by hand: code, flags, record, address, n, pad, info[15].
  const nested = Buffer.alloc(152);
  nested.writeUInt32LE(0xc0000094, 0);
  nested.writeUInt32LE(1, 4);
  nested.writeBigUInt64LE(0n, 8);
  nested.writeBigUInt64LE(0x140001234n, 0x10);
  nested.writeUInt32LE(1, 0x18);
  nested.writeBigUInt64LE(0x77n, 0x20);
  const f = MinidumpFile.fromBuffer(new SynthDump().arch('amd64')
    .thread({ id: 9, context: { rip: 0x7ff800001000n } })
    .exception({ threadId: 9, code: 0xc0000005, flags: 1, record: 0x50000n, address: 0x140001000n, parameters: [1n, 0x45n], context: { rip: 0x140001000n, rsp: 0x9000n } })
    .memory(0x50000n, nested)
    .build());
  const e = f.exception();
  t.equal(e?.threadId, 9);
  t.equal(e?.exceptionRecord.exceptionCode, 0xc0000005);
  t.equal(e?.exceptionRecord.exceptionFlags, 1);
  t.equal(e?.exceptionRecord.exceptionAddress, 0x140001000n);
  t.equal(e?.exceptionRecord.numberParameters, 2);
  t.same(e?.exceptionRecord.exceptionInformation, [1n, 0x45n]);
  t.equal(e?.exceptionRecord.exceptionRecord, 0x50000n);
  const c = f.exceptionContext();
  t.equal(c?.pc, 0x140001000n);
  t.equal(c?.sp, 0x9000n);
  const n = f.nestedExceptionRecord(0x50000n);
  t.equal(n?.exceptionCode, 0xc0000094);
  t.equal(n?.exceptionAddress, 0x140001234n);
  t.same(n?.exceptionInformation, [0x77n]);
  t.equal(f.nestedExceptionRecord(0x60000n), undefined);
  t.equal(f.nestedExceptionRecord(0n), undefined);
});

t.test('x86 nested exception record layout', async (t) => {
  const nested = Buffer.alloc(80);
  nested.writeUInt32LE(0xe06d7363, 0);
  nested.writeUInt32LE(0x401000, 0xc);
  nested.writeUInt32LE(3, 0x10);
  nested.writeUInt32LE(0x19930520, 0x14);
  nested.writeUInt32LE(0x12ff00, 0x18);
  nested.writeUInt32LE(0x403000, 0x1c);
  const f = MinidumpFile.fromBuffer(new SynthDump().arch('x86').memory(0x80000n, nested).build());
  const n = f.nestedExceptionRecord(0x80000n);
  t.equal(n?.exceptionCode, 0xe06d7363);
  t.equal(n?.exceptionAddress, 0x401000n);
  t.same(n?.exceptionInformation, [0x19930520n, 0x12ff00n, 0x403000n]);
});

t.test('exception parameter count is clamped to 15', async (t) => {
  const f = MinidumpFile.fromBuffer(new SynthDump().exception({ threadId: 1, code: 0x80000003, numberParameters: 0xffffffff, parameters: [1, 2, 3] }).build());
  t.equal(f.exception()?.exceptionRecord.exceptionInformation.length, 15);
  t.equal(f.exception()?.exceptionRecord.numberParameters, 0xffffffff);
  t.equal(f.exceptionContext(), undefined);
});

t.test('MiscInfo versions and flag/size rules', async (t) => {
  const v1 = MinidumpFile.fromBuffer(new SynthDump().miscInfo({ processId: 1234, processCreateTime: 1600000000, processUserTime: 3, processKernelTime: 4 }).build()).miscInfo();
  t.equal(v1?.sizeOfInfo, 24);
  t.equal(v1?.processId, 1234);
  t.equal(v1?.processCreateTime, 1600000000);
  t.equal(v1?.processUserTime, 3);
  t.equal(v1?.processorMaxMhz, undefined);

  // Flag not set → field absent even though the bytes are there.
  const noflag = MinidumpFile.fromBuffer(new SynthDump().miscInfo({ processId: 1234, flags1: 0x2 }).build()).miscInfo();
  t.equal(noflag?.processId, undefined);

  const v5 = MinidumpFile.fromBuffer(new SynthDump().miscInfo({
    processId: 42, processorMaxMhz: 2800, processorCurrentMhz: 2700, processIntegrityLevel: 0x2000, processExecuteFlags: 0x32, protectedProcess: 0,
    timeZoneId: 2, timeZone: { bias: 480, standardName: 'Pacific Standard Time', standardBias: 0, daylightName: 'Pacific Daylight Time', daylightBias: -60 },
    buildString: '22621.1.amd64fre.ni_release.220506-1250', dbgBldStr: 'dbgcore.amd64,10.0.22621.1',
    xstate: { contextSize: 1407, enabledFeatures: 0x8000000000000803n, features: { 11: { offset: 576, size: 16 } } }, processCookie: 0xdeadbeef,
  }).build()).miscInfo();
  t.equal(v5?.sizeOfInfo, 1364);
  t.equal(v5?.processId, 42);
  t.equal(v5?.processorMaxMhz, 2800);
  t.equal(v5?.processorCurrentMhz, 2700);
  t.equal(v5?.processIntegrityLevel, 0x2000);
  t.equal(v5?.processExecuteFlags, 0x32);
  t.equal(v5?.protectedProcess, 0);
  t.equal(v5?.timeZoneId, 2);
  t.same(v5?.timeZone, { bias: 480, standardName: 'Pacific Standard Time', standardBias: 0, daylightName: 'Pacific Daylight Time', daylightBias: -60 });
  t.equal(v5?.buildString, '22621.1.amd64fre.ni_release.220506-1250');
  t.equal(v5?.dbgBldStr, 'dbgcore.amd64,10.0.22621.1');
  t.equal(v5?.xstate?.contextSize, 1407);
  t.equal(v5?.xstate?.enabledFeatures, 0x8000000000000803n);
  t.same(v5?.xstate?.features[11], { offset: 576, size: 16 });
  t.equal(v5?.processCookie, 0xdeadbeef);

  // v2 record with the BUILDSTRING flag set: the field lies beyond SizeOfInfo → absent.
  const v2 = MinidumpFile.fromBuffer(new SynthDump().miscInfo({ version: 2, processId: 1, processorMaxMhz: 100, flags1: 0x1 | 0x4 | 0x100 | 0x40 }).build()).miscInfo();
  t.equal(v2?.sizeOfInfo, 44);
  t.equal(v2?.processorMaxMhz, 100);
  t.equal(v2?.buildString, undefined);
  t.equal(v2?.timeZone, undefined);

  // SizeOfInfo larger than the stream: clamp, warn.
  const lying = MinidumpFile.fromBuffer(new SynthDump().miscInfo({ version: 1, processId: 7, sizeOfInfo: 1364, flags1: 0x101 }).build());
  t.equal(lying.miscInfo()?.processId, 7);
  t.equal(lying.miscInfo()?.buildString, undefined);
  t.ok(lying.warnings.some((w) => /SizeOfInfo/.test(w.message)));
});

t.test('handles v1 and v2 with object information', async (t) => {
  const v1 = MinidumpFile.fromBuffer(new SynthDump().handles([
    { handle: 4n, typeName: 'Event', objectName: '', grantedAccess: 0x1f0003, handleCount: 1, pointerCount: 32769 },
    { handle: 8n, typeName: 'Mutant', objectName: '\\Sessions\\1\\BaseNamedObjects\\crashlab-orders-lock', attributes: 0 },
    { handle: 0xcn, typeName: 'Event' },
  ]).build()).handles();
  t.equal(v1.length, 3);
  t.equal(v1[0]?.handle, 4n);
  t.equal(v1[0]?.typeName, 'Event');
  t.equal(v1[0]?.grantedAccess, 0x1f0003);
  t.equal(v1[0]?.pointerCount, 32769);
  t.equal(v1[1]?.objectName, '\\Sessions\\1\\BaseNamedObjects\\crashlab-orders-lock');
  t.equal(v1[2]?.objectName, '');
  t.same(v1[0]?.objectInfo, []);

  const info1 = Buffer.from([1, 0, 0, 0, 0, 0, 0, 0]);
  const info2 = Buffer.from('owner-thread');
  const v2 = MinidumpFile.fromBuffer(new SynthDump().handles([
    { handle: 0x10n, typeName: 'Mutant', objectName: 'm', objectInfo: [{ infoType: 2, data: info1 }, { infoType: 3, data: info2 }] },
  ]).build()).handles();
  t.equal(v2[0]?.objectInfo.length, 2);
  t.equal(v2[0]?.objectInfo[0]?.infoType, 2);
  t.same(v2[0]?.objectInfo[0]?.data, info1);
  t.equal(v2[0]?.objectInfo[1]?.infoType, 3);
  t.equal(v2[0]?.objectInfo[1]?.data.toString(), 'owner-thread');
});

t.test('thread info, names, unloaded modules, memory info', async (t) => {
  const f = MinidumpFile.fromBuffer(new SynthDump()
    .thread({ id: 100, context: {} })
    .threadInfo([{ threadId: 100, dumpFlags: 2, dumpError: 0x80004005, exitStatus: 259, createTime: 132000000000000000n, kernelTime: 5000n, userTime: 7000n, startAddress: 0x140001500n, affinity: 0xffn }])
    .threadNames([{ threadId: 100, name: 'main thread' }, { threadId: 101, name: 'worker ☃' }])
    .unloadedModules([{ base: 0x7ff810000000n, size: 0xea000, checkSum: 0xed569, timeDateStamp: 0xd40c6a0a, name: 'shcore.dll' }])
    .memoryInfo([
      { baseAddress: 0n, allocationBase: 0n, allocationProtect: 0, regionSize: 0x7ffe0000n, state: 0x10000, protect: 1, type: 0 },
      { baseAddress: 0x140000000n, allocationBase: 0x140000000n, allocationProtect: 0x80, regionSize: 0x1000n, state: 0x1000, protect: 2, type: 0x1000000 },
    ])
    .build());
  const ti = f.threadInfo();
  t.equal(ti.length, 1);
  t.same(ti[0], { threadId: 100, dumpFlags: 2, dumpError: 0x80004005, exitStatus: 259, createTime: 132000000000000000n, exitTime: 0n, kernelTime: 5000n, userTime: 7000n, startAddress: 0x140001500n, affinity: 0xffn });
  t.same([...f.threadNames()], [[100, 'main thread'], [101, 'worker ☃']]);
  t.same(f.unloadedModules(), [{ baseOfImage: 0x7ff810000000n, sizeOfImage: 0xea000, checkSum: 0xed569, timeDateStamp: 0xd40c6a0a, moduleName: 'shcore.dll' }]);
  const mi = f.memoryInfo();
  t.equal(mi.length, 2);
  t.same(mi[1], { baseAddress: 0x140000000n, allocationBase: 0x140000000n, allocationProtect: 0x80, regionSize: 0x1000n, state: 0x1000, protect: 2, type: 0x1000000 });
  t.equal(mi[0]?.regionSize, 0x7ffe0000n);
});

t.test('thread info with larger entries (newer writers append fields)', async (t) => {
  const f = MinidumpFile.fromBuffer(new SynthDump().threadInfo([{ threadId: 1, startAddress: 0x10n }, { threadId: 2, startAddress: 0x20n }], { sizeOfEntry: 80 }).build());
  t.same(f.threadInfo().map((x) => [x.threadId, x.startAddress]), [[1, 0x10n], [2, 0x20n]]);
});

t.test('comments, Breakpad info, assertion, other streams', async (t) => {
  const f = MinidumpFile.fromBuffer(new SynthDump()
    .comment('ansi comment')
    .comment('wide comment ü', true)
    .breakpadInfo({ dumpThreadId: 0x10, requestingThreadId: 0x20 })
    .assertionInfo({ expression: 'format != nullptr', function: 'common_vfprintf', file: 'output.cpp', line: 32, type: 1 })
    .rawStream(0x47670009, Buffer.from('00400000-00401000 r-xp /bin/x\n'))
    .rawStream(0xfff0, Buffer.alloc(16))
    .rawStream(22, Buffer.alloc(152))
    .build());
  t.equal(f.commentA(), 'ansi comment');
  t.equal(f.commentW(), 'wide comment ü');
  t.same(f.breakpadInfo(), { validity: 3, dumpThreadId: 0x10, requestingThreadId: 0x20 });
  t.same(f.assertionInfo(), { expression: 'format != nullptr', function: 'common_vfprintf', file: 'output.cpp', line: 32, type: 1 });
  const other = f.otherStreams();
  t.same(other.map((o) => [o.typeName, o.dataSize]), [['LinuxMapsStream', 30], ['0x0000fff0', 16], ['ProcessVmCountersStream', 152]]);
  t.same(f.streamBytes(0x47670009)?.toString(), '00400000-00401000 r-xp /bin/x\n');
  t.equal(f.streamBytes(0x47670009, 8)?.length, 8);
  t.equal(f.streamBytes(0x12345), undefined);
  t.equal(f.streamEntry(22)?.typeName, 'ProcessVmCountersStream');

  const bp = MinidumpFile.fromBuffer(new SynthDump().breakpadInfo({ requestingThreadId: 5 }).build()).breakpadInfo();
  t.same(bp, { validity: 2, dumpThreadId: undefined, requestingThreadId: 5 });
  const none = MinidumpFile.fromBuffer(new SynthDump().build());
  t.equal(none.commentA(), undefined);
  t.equal(none.exception(), undefined);
  t.same(none.threads(), []);
  t.same(none.threadNames(), new Map());
});

t.test('function table stream', async (t) => {
  // MINIDUMP_FUNCTION_TABLE_STREAM written by hand: header 24, one descriptor (32) + native (8) + 2 entries x 12 + pad 4.
  const hdr = Buffer.alloc(24);
  hdr.writeUInt32LE(24, 0); hdr.writeUInt32LE(32, 4); hdr.writeUInt32LE(8, 8); hdr.writeUInt32LE(12, 12); hdr.writeUInt32LE(1, 16); hdr.writeUInt32LE(4, 20);
  const d = Buffer.alloc(32);
  d.writeBigUInt64LE(0x20000000n, 0); d.writeBigUInt64LE(0x20001000n, 8); d.writeBigUInt64LE(0x20000000n, 16); d.writeUInt32LE(2, 24); d.writeUInt32LE(4, 28);
  const native = Buffer.alloc(8, 0xee);
  const ents = Buffer.alloc(24);
  ents.writeUInt32LE(0x10, 0); ents.writeUInt32LE(0x40, 4); ents.writeUInt32LE(0x800, 8);
  ents.writeUInt32LE(0x40, 12); ents.writeUInt32LE(0x90, 16); ents.writeUInt32LE(0x810, 20);
  const f = MinidumpFile.fromBuffer(new SynthDump().rawStream(13, Buffer.concat([hdr, d, native, ents, Buffer.alloc(4)])).build());
  const ft = f.functionTables();
  t.equal(ft.length, 1);
  t.equal(ft[0]?.baseAddress, 0x20000000n);
  t.equal(ft[0]?.maximumAddress, 0x20001000n);
  t.equal(ft[0]?.entryCount, 2);
  t.same(ft[0]?.nativeDescriptor, native);
  t.equal(ft[0]?.entries.readUInt32LE(12), 0x40);
  t.equal(ft[0]?.entries.readUInt32LE(20), 0x810);
});

t.test('Crashpad info with annotations', async (t) => {
  const f = MinidumpFile.fromBuffer(new SynthDump()
    .module({ base: 0x1000n, size: 0x1000, name: 'a.exe' })
    .crashpadInfo({
      reportId: '42F9DE72518A43DD97D78DDC328D3662',
      clientId: '6FD2B3B998334B2FBBF70BCF501BAD7E',
      simpleAnnotations: [['prod', 'dumpdbg'], ['ver', '1.0']],
      modules: [{ moduleIndex: 0, list: ['abort() called', 'second'], simple: [['k', 'v']], objects: [{ name: 'url', type: 1, value: 'https://x' }, { name: 'blob', type: 0x8001, value: Buffer.from([0xde, 0xad]) }] }],
      addressMask: 0xff00000000000000n,
    })
    .build());
  const cp = f.crashpadInfo();
  t.equal(cp?.version, 1);
  t.equal(cp?.reportId, '42f9de72-518a-43dd-97d7-8ddc328d3662');
  t.equal(cp?.clientId, '6fd2b3b9-9833-4b2f-bbf7-0bcf501bad7e');
  t.same(cp?.simpleAnnotations, [['prod', 'dumpdbg'], ['ver', '1.0']]);
  t.same(cp?.moduleAnnotations, [{
    moduleIndex: 0,
    listAnnotations: ['abort() called', 'second'],
    simpleAnnotations: [['k', 'v']],
    annotationObjects: [{ name: 'url', type: 1, value: 'https://x' }, { name: 'blob', type: 0x8001, value: 'dead' }],
  }]);
  t.equal(cp?.addressMask, 0xff00000000000000n);
  t.same(f.warnings, []);
});
