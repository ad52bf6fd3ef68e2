import t from 'tap';
import { existsSync } from 'node:fs';
import { SynthDump } from '../fixtures/synth/minidump-writer.js';
import { runner } from '../fixtures/command-runner.js';

const CORPUS = new URL('../../../shared/corpus/', import.meta.url);

/** A UNICODE_STRING header (Length, MaximumLength, Buffer) for a 64- or 32-bit process. */
function ustr(buf: Buffer, at: number, text: string, addr: bigint, ptr: 4 | 8): void {
  buf.writeUInt16LE(text.length * 2, at);
  buf.writeUInt16LE(text.length * 2 + 2, at + 2);
  if (ptr === 8) buf.writeBigUInt64LE(addr, at + 8);
  else buf.writeUInt32LE(Number(addr), at + 4);
}

const wide = (s: string) => Buffer.from(s + '\0', 'utf16le');

/**
 * An x64 process: TEB at 0x7000 (public _TEB offsets), PEB at 0x6000,
 * process parameters at 0x9000, strings at 0xa000.., environment at 0xb000.
 */
function x64Dump(opts: { withPeb?: boolean } = {}): Buffer {
  const teb = Buffer.alloc(0x2000);
  teb.writeBigUInt64LE(0x20000n, 0x8); // StackBase
  teb.writeBigUInt64LE(0x1c000n, 0x10); // StackLimit
  teb.writeBigUInt64LE(0x1e00n, 0x20); // FiberData (Version)
  teb.writeBigUInt64LE(0x7000n, 0x30); // Self
  teb.writeBigUInt64LE(0x1144n, 0x40); // ClientId.UniqueProcess
  teb.writeBigUInt64LE(0x364n, 0x48); // ClientId.UniqueThread
  teb.writeBigUInt64LE(0x1edc3105ee0n, 0x58); // ThreadLocalStoragePointer
  teb.writeBigUInt64LE(0x6000n, 0x60); // ProcessEnvironmentBlock
  teb.writeUInt32LE(87, 0x68); // LastErrorValue
  teb.writeUInt32LE(0xc0000045, 0x1250); // LastStatusValue
  const d = new SynthDump()
    .arch('amd64')
    .miscInfo({ processId: 0x1144 })
    .thread({ id: 0x364, teb: 0x7000n, context: { rip: 0x140001000n, rsp: 0x1f000n } })
    .thread({ id: 0x365, teb: 0xe000n, context: { rip: 0x140001000n, rsp: 0x1f000n } })
    .module({ base: 0x140000000n, size: 0x10000, name: 'C:\\Windows\\System32\\cmd.exe' })
    .memory(0x7000n, teb);
  if (opts.withPeb !== false) {
    const peb = Buffer.alloc(0x7c8);
    peb[2] = 1; // BeingDebugged
    peb.writeBigUInt64LE(0x140000000n, 0x10); // ImageBaseAddress
    peb.writeBigUInt64LE(0x7ffae7cba4c0n, 0x18); // Ldr (not captured)
    peb.writeBigUInt64LE(0x9000n, 0x20); // ProcessParameters
    peb.writeBigUInt64LE(0x1edc3100000n, 0x30); // ProcessHeap
    peb.writeUInt32LE(0x70, 0xbc); // NtGlobalFlag
    const params = Buffer.alloc(0x400);
    ustr(params, 0x38, 'C:\\Windows\\system32\\', 0xa000n, 8); // CurrentDirectory.DosPath
    ustr(params, 0x60, 'C:\\Windows\\System32\\cmd.exe', 0xa100n, 8); // ImagePathName
    ustr(params, 0x70, 'cmd.exe /c "echo hi"', 0xa200n, 8); // CommandLine
    params.writeBigUInt64LE(0xb000n, 0x80); // Environment
    ustr(params, 0xb0, 'Command Prompt', 0xa300n, 8); // WindowTitle
    ustr(params, 0x50, 'C:\\dlls', 0x50000n, 8); // DllPath: its characters are not in the dump
    const env = Buffer.concat([wide('=::=::\\'), wide('ALLUSERSPROFILE=C:\\ProgramData'), wide('APP_POOL_ID=DefaultAppPool'), Buffer.alloc(2)]);
    d.memory(0x6000n, peb)
      .memory(0x9000n, params)
      .memory(0xa000n, wide('C:\\Windows\\system32\\'))
      .memory(0xa100n, wide('C:\\Windows\\System32\\cmd.exe'))
      .memory(0xa200n, wide('cmd.exe /c "echo hi"'))
      .memory(0xa300n, wide('Command Prompt'))
      .memory(0xb000n, env);
  }
  return d.build();
}

t.test('!teb on an x64 dump (§3.7)', async (t) => {
  const r = runner(x64Dump());
  t.same(await r.lines('!teb'), [
    'TEB at 0000000000007000',
    '    ExceptionList:        0000000000000000',
    '    StackBase:            0000000000020000',
    '    StackLimit:           000000000001c000',
    '    SubSystemTib:         0000000000000000',
    '    FiberData:            0000000000001e00',
    '    ArbitraryUserPointer: 0000000000000000',
    '    Self:                 0000000000007000',
    '    EnvironmentPointer:   0000000000000000',
    '    ClientId:             0000000000001144 . 0000000000000364',
    '    RpcHandle:            0000000000000000',
    '    Tls Storage:          000001edc3105ee0',
    '    PEB Address:          0000000000006000',
    '    LastErrorValue:       87',
    '    LastStatusValue:      c0000045',
    '    Count Owned Locks:    0',
    '    HardErrorMode:        0',
  ]);
  const [res] = await r.results('!teb');
  t.equal(res?.data?.['clientIdThread'], 0x364n);
  // Thread 1's TEB is not in the dump.
  const missing = await r.lines('~1 !teb');
  t.equal(missing[0], 'TEB at 000000000000e000');
  t.equal(missing[1], 'error InitTypeRead( TEB )...');
  t.match(missing[2], /does not hold the TEB \(0x16b4 bytes at 000000000000e000\)/);
});

t.test('!gle reads LastErrorValue / LastStatusValue (§2.6)', async (t) => {
  const r = runner(x64Dump());
  t.same(await r.lines('!gle'), [
    'LastErrorValue: (Win32) 0x57 (87) - The parameter is incorrect.',
    'LastStatusValue: (NTSTATUS) 0xc0000045 - The specified page protection was not valid.',
  ]);
  const all = await r.lines('!gle -all');
  t.equal(all[0], 'Last error for thread 0:');
  t.equal(all[3], '');
  t.equal(all[4], 'Last error for thread 1:');
  t.match(all[5], /does not hold the TEB/);
  const [res] = await r.results('~1 !gle');
  t.equal(res?.failed, true, 'a TEB the dump lacks is a failure, with one sentence');
});

t.test('!peb on an x64 dump (§3.8)', async (t) => {
  const r = runner(x64Dump());
  const lines = await r.lines('!peb');
  t.same(lines, [
    'PEB at 0000000000006000',
    '    InheritedAddressSpace:    No',
    '    ReadImageFileExecOptions: No',
    '    BeingDebugged:            Yes',
    '    ImageBaseAddress:         0000000140000000',
    '    NtGlobalFlag:             70',
    '    NtGlobalFlag2:            0',
    '    Ldr                       00007ffae7cba4c0',
    '    *** unable to read Ldr table at 00007ffae7cba4c0',
    '    SubSystemData:     0000000000000000',
    '    ProcessHeap:       000001edc3100000',
    '    ProcessParameters: 0000000000009000',
    "    CurrentDirectory:  'C:\\Windows\\system32\\'",
    "    WindowTitle:  'Command Prompt'",
    "    ImageFile:    'C:\\Windows\\System32\\cmd.exe'",
    "    CommandLine:  'cmd.exe /c \"echo hi\"'",
    "    DllPath:      '< Name not readable >'",
    '    Environment:  000000000000b000',
    '        =::=::\\',
    '        ALLUSERSPROFILE=C:\\ProgramData',
    '        APP_POOL_ID=DefaultAppPool',
    'The dump does not hold the loader data (PEB_LDR_DATA) (0x40 bytes at 00007ffae7cba4c0): it was written without that memory (a full-memory dump, e.g. procdump -ma or .dump /ma, has it).',
  ]);
  const [res] = await r.results('!peb');
  t.equal(res?.data?.['commandLine'], 'cmd.exe /c "echo hi"');
  t.same(res?.data?.['environmentVariables'], ['=::=::\\', 'ALLUSERSPROFILE=C:\\ProgramData', 'APP_POOL_ID=DefaultAppPool']);
});

t.test('!peb when the PEB memory is missing', async (t) => {
  const r = runner(x64Dump({ withPeb: false }));
  const lines = await r.lines('!peb');
  t.equal(lines[0], 'PEB at 0000000000006000');
  t.equal(lines[1], 'error 1 InitTypeRead( nt!_PEB at 0000000000006000)...');
  t.match(lines[2], /does not hold the PEB/);
  const noTeb = runner(new SynthDump().arch('amd64').thread({ id: 1, teb: 0x7000n, context: { rip: 1n } }).build());
  const [res] = await noTeb.results('!peb');
  t.equal(res?.failed, true);
  t.match(res?.blocks[0]?.lines[0], /PEB address is unknown: .* no thread's TEB memory/);
});

t.test('x86 layouts: TEB32 and PEB32', async (t) => {
  const teb = Buffer.alloc(0x1000);
  teb.writeUInt32LE(0x12ff00, 0x0); // ExceptionList
  teb.writeUInt32LE(0x130000, 0x4);
  teb.writeUInt32LE(0x12c000, 0x8);
  teb.writeUInt32LE(0x7ffdd000, 0x18); // Self
  teb.writeUInt32LE(0xf68, 0x20);
  teb.writeUInt32LE(0xe74, 0x24);
  teb.writeUInt32LE(0x7ffdf000, 0x30); // PEB
  teb.writeUInt32LE(2, 0x34); // LastErrorValue
  teb.writeUInt32LE(0xc0000034, 0xbf4); // LastStatusValue
  teb.writeUInt32LE(1, 0xf28); // HardErrorMode
  const peb = Buffer.alloc(0x250);
  peb.writeUInt32LE(0x400000, 0x8);
  peb.writeUInt32LE(0x10000, 0x10); // ProcessParameters
  const params = Buffer.alloc(0x294);
  ustr(params, 0x40, 'app.exe -x', 0x11000n, 4);
  const buf = new SynthDump()
    .arch('x86')
    .thread({ id: 0xe74, teb: 0x7ffdd000n, context: { eip: 0x401000n, esp: 0x12fe00n } })
    .memory(0x7ffdd000n, teb)
    .memory(0x7ffdf000n, peb)
    .memory(0x10000n, params)
    .memory(0x11000n, wide('app.exe -x'))
    .build();
  const r = runner(buf);
  const lines = await r.lines('!teb');
  t.equal(lines[0], 'TEB at 7ffdd000');
  t.equal(lines[1], '    ExceptionList:        0012ff00');
  t.equal(lines[9], '    ClientId:             00000f68 . 00000e74');
  t.equal(lines[12], '    PEB Address:          7ffdf000');
  t.equal(lines[13], '    LastErrorValue:       2');
  t.equal(lines[14], '    LastStatusValue:      c0000034');
  t.equal(lines[16], '    HardErrorMode:        1');
  t.same(await r.lines('!gle'), ['LastErrorValue: (Win32) 0x2 (2) - The system cannot find the file specified.', 'LastStatusValue: (NTSTATUS) 0xc0000034 - Object Name not found.']);
  const peblines = await r.lines('!peb');
  t.equal(peblines[0], 'PEB at 7ffdf000');
  t.equal(peblines[4], '    ImageBaseAddress:         00400000');
  t.ok(peblines.includes("    CommandLine:  'app.exe -x'"));
  t.ok(peblines.includes("    CurrentDirectory:  '< Name not readable >'"), 'a string with a null buffer is unreadable (as WinDbg shows the empty DllPath)');
});

t.test('corpus: TEB fields agree with the thread list and MiscInfo', async (t) => {
  const path = new URL('windows/tiny-exe-fastfail.dmp', CORPUS).pathname;
  if (!existsSync(path)) {
    t.skip('corpus not present');
    return;
  }
  const r = runner(path, 'tiny-exe-fastfail.dmp');
  const target = r.target!;
  for (let i = 0; i < Math.min(3, target.threads().length); i++) {
    const th = target.thread(i)!;
    // (A `~N` prefix merges blocks only; switch threads to keep the command's data.)
    const res = (await r.results(`~${i}s; !teb`))[1];
    t.equal(res?.data?.['self'], th.teb, `thread ${i}: Self is the TEB address`);
    t.equal(res?.data?.['clientIdThread'], BigInt(th.threadId), `thread ${i}: ClientId.UniqueThread is the thread id`);
    t.equal(res?.data?.['clientIdProcess'], BigInt(target.processId ?? -1), `thread ${i}: ClientId.UniqueProcess is the pid`);
    const stackEnd = th.stackStart + BigInt(th.stackSize);
    const base = res?.data?.['stackBase'] as bigint;
    const limit = res?.data?.['stackLimit'] as bigint;
    t.ok(limit <= th.stackStart && stackEnd <= base, `thread ${i}: the captured stack lies within StackLimit..StackBase`);
  }
  await r.results('~0s');
  const [peb] = await r.results('!peb');
  t.equal(peb?.data?.['imageBaseAddress'], target.modules()[0]?.baseOfImage, 'ImageBaseAddress is the main module base');
  t.match(String(peb?.data?.['imageFile']), /tiny\.exe$/i);
  t.ok((peb?.data?.['environmentVariables'] as string[]).some((v) => v.startsWith('OS=')));
});

t.test('WOW64: the 32-bit TEB and PEB come first', async (t) => {
  const teb64 = Buffer.alloc(0x2000);
  teb64.writeBigUInt64LE(0x7000n, 0x30); // Self
  teb64.writeBigUInt64LE(0x6000n, 0x60); // PEB64
  const teb32 = Buffer.alloc(0x1000);
  teb32.writeUInt32LE(0x9000, 0x18); // Self
  teb32.writeUInt32LE(0x1f68, 0x20);
  teb32.writeUInt32LE(0x2e74, 0x24);
  teb32.writeUInt32LE(0x5000, 0x30); // PEB32
  teb32.writeUInt32LE(5, 0x34); // LastErrorValue
  const peb32 = Buffer.alloc(0x250);
  peb32.writeUInt32LE(0x400000, 0x8);
  const peb64 = Buffer.alloc(0x7c8);
  peb64.writeBigUInt64LE(0x400000n, 0x10);
  const buf = new SynthDump()
    .arch('amd64')
    .thread({ id: 0x2e74, teb: 0x7000n, context: { rip: 0x77000000n, rsp: 0x1000n } })
    .module({ base: 0x400000n, size: 0x10000, name: 'C:\\app\\app32.exe' })
    .module({ base: 0x7ffb00000000n, size: 0x10000, name: 'C:\\Windows\\System32\\wow64.dll' })
    .memory(0x7000n, teb64)
    .memory(0x9000n, teb32)
    .memory(0x5000n, peb32)
    .memory(0x6000n, peb64)
    .build();
  const r = runner(buf);
  // As in a WinDbg transcript of a WOW64 process: the TEB32's address, then the native TEB.
  const lines = await r.lines('!teb');
  t.equal(lines[0], 'Wow64 TEB32 at 0000000000009000');
  t.equal(lines[1], 'Wow64 TEB at 0000000000007000');
  t.equal(lines[8], '    Self:                 0000000000007000');
  const [res] = await r.results('!teb');
  const t32 = res?.data?.['wow64Teb32'] as Record<string, unknown>;
  t.equal(t32['clientIdThread'], 0x2e74n);
  t.equal(t32['lastErrorValue'], 5);
  t.same(await r.lines('!gle'), [
    'LastErrorValue: (Win32) 0x5 (5) - Access is denied.',
    'LastStatusValue: (NTSTATUS) 0 - STATUS_SUCCESS',
    'Wow64 TEB status:',
    'LastErrorValue: (Win32) 0 (0) - The operation completed successfully.',
    'LastStatusValue: (NTSTATUS) 0 - STATUS_SUCCESS',
  ]);
  const peb = await r.lines('!peb');
  t.equal(peb[0], 'Wow64 PEB32 at 00005000');
  t.ok(peb.includes('    ImageBaseAddress:         00400000'));
  t.ok(peb.includes('Wow64 PEB at 0000000000006000'));
  t.ok(peb.includes('    ImageBaseAddress:         0000000000400000'));
});

t.test('!peb walks the loader list when the dump holds it', async (t) => {
  const teb = Buffer.alloc(0x2000);
  teb.writeBigUInt64LE(0x6000n, 0x60);
  const peb = Buffer.alloc(0x7c8);
  peb.writeBigUInt64LE(0x140000000n, 0x10);
  peb.writeBigUInt64LE(0xc000n, 0x18); // Ldr
  const ldr = Buffer.alloc(0x58);
  ldr[4] = 1; // Initialized
  ldr.writeBigUInt64LE(0xd000n, 0x10); // InLoadOrderModuleList.Flink
  ldr.writeBigUInt64LE(0xd100n, 0x18); // .Blink
  const entry = (next: bigint, prev: bigint, base: bigint, stamp: number, nameAddr: bigint, name: string) => {
    const e = Buffer.alloc(0x100);
    e.writeBigUInt64LE(next, 0);
    e.writeBigUInt64LE(prev, 8);
    e.writeBigUInt64LE(base, 0x30); // DllBase
    ustr(e, 0x48, name, nameAddr, 8); // FullDllName
    e.writeUInt32LE(stamp, 0x80); // TimeDateStamp
    return e;
  };
  const buf = new SynthDump()
    .arch('amd64')
    .thread({ id: 1, teb: 0x7000n, context: { rip: 1n } })
    .memory(0x7000n, teb)
    .memory(0x6000n, peb)
    .memory(0xc000n, ldr)
    .memory(0xd000n, entry(0xd100n, 0xc010n, 0x140000000n, 0x5f5e1000, 0xe000n, 'C:\\Windows\\System32\\cmd.exe'))
    .memory(0xd100n, entry(0xc010n, 0xd000n, 0x7ff800000000n, 0, 0xe100n, 'C:\\Windows\\SYSTEM32\\ntdll.dll'))
    .memory(0xe000n, wide('C:\\Windows\\System32\\cmd.exe'))
    .memory(0xe100n, wide('C:\\Windows\\SYSTEM32\\ntdll.dll'))
    .build();
  const lines = await runner(buf).lines('!peb');
  const at = lines.indexOf('    Ldr                       000000000000c000');
  t.ok(at > 0);
  t.same(lines.slice(at + 1, at + 5), [
    '    Ldr.Initialized:          Yes',
    '    Ldr.InInitializationOrderModuleList: 0000000000000000 . 0000000000000000',
    '    Ldr.InLoadOrderModuleList:           000000000000d000 . 000000000000d100',
    '    Ldr.InMemoryOrderModuleList:         0000000000000000 . 0000000000000000',
  ]);
  t.equal(lines[at + 5], '                    Base TimeStamp                     Module');
  t.match(lines[at + 6], /^ {15}140000000 5f5e1000 \w{3} \d\d \d\d:\d\d:\d\d 2020 C:\\Windows\\System32\\cmd\.exe$/, 'day zero-padded');
  t.equal(lines[at + 7], '            7ff800000000 C:\\Windows\\SYSTEM32\\ntdll.dll', 'no timestamp: none shown');
  t.equal(lines[at + 8], '    SubSystemData:     0000000000000000');
});
