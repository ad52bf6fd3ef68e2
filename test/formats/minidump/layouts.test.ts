import t from 'tap';
import * as md from '../../../src/formats/minidump/index.js';

t.test('struct sizes match the documented ones (A.1-A.19)', async (t) => {
  const want: [string, number, number][] = [
    ['MINIDUMP_HEADER', md.MINIDUMP_HEADER_SIZE, 32],
    ['MINIDUMP_DIRECTORY', md.MINIDUMP_DIRECTORY_SIZE, 12],
    ['MINIDUMP_LOCATION_DESCRIPTOR', md.MINIDUMP_LOCATION_DESCRIPTOR_SIZE, 8],
    ['MINIDUMP_MEMORY_DESCRIPTOR', md.MINIDUMP_MEMORY_DESCRIPTOR_SIZE, 16],
    ['MINIDUMP_MEMORY_DESCRIPTOR64', md.MINIDUMP_MEMORY_DESCRIPTOR64_SIZE, 16],
    ['MINIDUMP_MEMORY64_LIST', md.MINIDUMP_MEMORY64_LIST_SIZE, 16],
    ['MINIDUMP_THREAD', md.MINIDUMP_THREAD_SIZE, 48],
    ['MINIDUMP_THREAD_EX', md.MINIDUMP_THREAD_EX_SIZE, 64],
    ['MINIDUMP_MODULE', md.MINIDUMP_MODULE_SIZE, 108],
    ['VS_FIXEDFILEINFO', md.VS_FIXEDFILEINFO_SIZE, 52],
    ['MINIDUMP_EXCEPTION', md.MINIDUMP_EXCEPTION_SIZE, 152],
    ['MINIDUMP_EXCEPTION_STREAM', md.MINIDUMP_EXCEPTION_STREAM_SIZE, 168],
    ['EXCEPTION_RECORD (x86)', md.EXCEPTION_RECORD32_SIZE, 80],
    ['EXCEPTION_RECORD (x64)', md.EXCEPTION_RECORD64_SIZE, 152],
    ['MINIDUMP_SYSTEM_INFO', md.MINIDUMP_SYSTEM_INFO_SIZE, 56],
    ['MINIDUMP_MISC_INFO', md.MINIDUMP_MISC_INFO_SIZE, 24],
    ['MINIDUMP_MISC_INFO_2', md.MINIDUMP_MISC_INFO_2_SIZE, 44],
    ['MINIDUMP_MISC_INFO_3', md.MINIDUMP_MISC_INFO_3_SIZE, 232],
    ['MINIDUMP_MISC_INFO_4', md.MINIDUMP_MISC_INFO_4_SIZE, 832],
    ['MINIDUMP_MISC_INFO_5', md.MINIDUMP_MISC_INFO_5_SIZE, 1364],
    ['MINIDUMP_HANDLE_DESCRIPTOR', md.MINIDUMP_HANDLE_DESCRIPTOR_SIZE, 32],
    ['MINIDUMP_HANDLE_DESCRIPTOR_2', md.MINIDUMP_HANDLE_DESCRIPTOR_2_SIZE, 40],
    ['MINIDUMP_THREAD_INFO', md.MINIDUMP_THREAD_INFO_SIZE, 64],
    ['MINIDUMP_THREAD_NAME', md.MINIDUMP_THREAD_NAME_SIZE, 12],
    ['MINIDUMP_UNLOADED_MODULE', md.MINIDUMP_UNLOADED_MODULE_SIZE, 24],
    ['MINIDUMP_MEMORY_INFO', md.MINIDUMP_MEMORY_INFO_SIZE, 48],
    ['MINIDUMP_FUNCTION_TABLE_DESCRIPTOR', md.MINIDUMP_FUNCTION_TABLE_DESCRIPTOR_SIZE, 32],
    ['CONTEXT (AMD64)', md.AMD64_CONTEXT_SIZE, 1232],
    ['CONTEXT (x86)', md.X86_CONTEXT_SIZE, 716],
    ['CONTEXT (ARM64)', md.ARM64_CONTEXT_SIZE, 912],
  ];
  for (const [name, got, size] of want) t.equal(got, size, name);
});

t.test('context register offsets for the unwinder', async (t) => {
  const a = md.CONTEXT_LAYOUTS.amd64;
  t.equal(a.contextFlagsOffset, 0x30);
  t.equal(a.offsets.rip, 0xf8);
  t.equal(a.offsets.eFlags, 0x44);
  t.equal(a.offsets.segSs, 0x42);
  t.equal(a.xmm0Offset, 0x1a0);
  // Unwind register numbers 0..15 = RAX RCX RDX RBX RSP RBP RSI RDI R8..R15 at 0x78 + 8n.
  t.same(a.unwindRegisterOffsets, Array.from({ length: 16 }, (_, n) => 0x78 + 8 * n));
  t.equal(a.unwindRegisterNames[4], 'rsp');
  t.equal(a.unwindRegisterNames[5], 'rbp');
  t.equal(a.offsets.r15, 0xf0);
  const x = md.CONTEXT_LAYOUTS.x86;
  t.equal(x.offsets.eip, 0xb8);
  t.equal(x.offsets.esp, 0xc4);
  t.equal(x.offsets.ebp, 0xb4);
  t.equal(x.offsets.segGs, 0x8c);
  t.equal(x.offsets.extendedRegisters, 0xcc);
  t.equal(x.xmm0Offset, 0x16c);
  const r = md.CONTEXT_LAYOUTS.arm64;
  t.equal(r.x0Offset, 0x8);
  t.equal(r.offsets.fp, 0xf0);
  t.equal(r.offsets.lr, 0xf8);
  t.equal(r.offsets.sp, 0x100);
  t.equal(r.offsets.pc, 0x108);
  t.equal(r.v0Offset, 0x110);
  t.equal(r.offsets.fpcr, 0x310);
  t.equal(r.offsets.wvr, 0x380);
});

t.test('register names in WinDbg r order', async (t) => {
  t.same(md.contextRegisterNames('amd64').slice(0, 9), ['rax', 'rbx', 'rcx', 'rdx', 'rsi', 'rdi', 'rip', 'rsp', 'rbp']);
  t.same(md.contextRegisterNames('x86'), ['eax', 'ebx', 'ecx', 'edx', 'esi', 'edi', 'eip', 'esp', 'ebp', 'cs', 'ss', 'ds', 'es', 'fs', 'gs', 'efl']);
  t.equal(md.contextRegisterNames('arm64').length, 34);
  t.same(md.contextRegisterNames('unknown'), []);
});

t.test('stream type and MINIDUMP_TYPE names', async (t) => {
  t.equal(md.streamTypeName(3), 'ThreadListStream');
  t.equal(md.streamTypeName(9), 'Memory64ListStream');
  t.equal(md.streamTypeName(24), 'ThreadNamesStream');
  t.equal(md.streamTypeName(0x47670001), 'BreakpadInfoStream');
  t.equal(md.streamTypeName(0x43500001), 'CrashpadInfoStream');
  t.equal(md.streamTypeName(0x4d7a0004), 'MozSoftErrorsStream');
  t.equal(md.streamTypeName(0x12345678), '0x12345678');
  t.same(md.minidumpTypeFlagNames(0x1806n), ['MiniDumpWithFullMemory', 'MiniDumpWithHandleData', 'MiniDumpWithFullMemoryInfo', 'MiniDumpWithThreadInfo']);
  t.same(md.minidumpTypeFlagNames(0x200000n | 0x100000000n), ['MiniDumpWithAvxXStateContext', '0x100000000']);
  t.same(md.minidumpTypeFlagNames(0n), []);
});

t.test('fileVersionString and moduleCodeId', async (t) => {
  t.equal(md.fileVersionString({ fileVersionMS: 0x00050001, fileVersionLS: 0x0a280884 } as md.VsFixedFileInfo), '5.1.2600.2180');
  // E.7: TimeDateStamp %08X then SizeOfImage %x.
  t.equal(md.moduleCodeId({ timeDateStamp: 0x542d5742, sizeOfImage: 0x32000 }), '542D574232000');
  t.equal(md.moduleCodeId({ timeDateStamp: 0x1, sizeOfImage: 0xabc000 }), '00000001abc000');
});
