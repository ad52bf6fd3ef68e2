/**
 * Stream-type numbers (MINIDUMP_STREAM_TYPE plus Breakpad, Crashpad, Chromium
 * and Mozilla extensions) and MINIDUMP_TYPE flag names (for `.dumpdebug`).
 */

export const MINIDUMP_STREAM_TYPES = {
  0: 'UnusedStream',
  1: 'ReservedStream0',
  2: 'ReservedStream1',
  3: 'ThreadListStream',
  4: 'ModuleListStream',
  5: 'MemoryListStream',
  6: 'ExceptionStream',
  7: 'SystemInfoStream',
  8: 'ThreadExListStream',
  9: 'Memory64ListStream',
  10: 'CommentStreamA',
  11: 'CommentStreamW',
  12: 'HandleDataStream',
  13: 'FunctionTableStream',
  14: 'UnloadedModuleListStream',
  15: 'MiscInfoStream',
  16: 'MemoryInfoListStream',
  17: 'ThreadInfoListStream',
  18: 'HandleOperationListStream',
  19: 'TokenStream',
  20: 'JavaScriptDataStream',
  21: 'SystemMemoryInfoStream',
  22: 'ProcessVmCountersStream',
  23: 'IptTraceStream',
  24: 'ThreadNamesStream',
  0x8000: 'ceStreamNull',
  0x8001: 'ceStreamSystemInfo',
  0x8002: 'ceStreamException',
  0x8003: 'ceStreamModuleList',
  0x8004: 'ceStreamProcessList',
  0x8005: 'ceStreamThreadList',
  0x8006: 'ceStreamThreadContextList',
  0x8007: 'ceStreamThreadCallStackList',
  0x8008: 'ceStreamMemoryVirtualList',
  0x8009: 'ceStreamMemoryPhysicalList',
  0x800a: 'ceStreamBucketParameters',
  0x800b: 'ceStreamProcessModuleMap',
  0x800c: 'ceStreamDiagnosisList',
  0xffff: 'LastReservedStream',
  // Breakpad (minidump_format.h MD_*_STREAM).
  0x47670001: 'BreakpadInfoStream',
  0x47670002: 'AssertionInfoStream',
  0x47670003: 'LinuxCpuInfoStream',
  0x47670004: 'LinuxProcStatusStream',
  0x47670005: 'LinuxLsbReleaseStream',
  0x47670006: 'LinuxCmdLineStream',
  0x47670007: 'LinuxEnvironStream',
  0x47670008: 'LinuxAuxvStream',
  0x47670009: 'LinuxMapsStream',
  0x4767000a: 'LinuxDsoDebugStream',
  // Crashpad / Chromium.
  0x43500001: 'CrashpadInfoStream',
  0x4b6b0002: 'StabilityReportStream',
  // Mozilla.
  0x4d7a0001: 'MozMacosCrashInfoStream',
  0x4d7a0002: 'MozMacosBootargsStream',
  0x4d7a0003: 'MozLinuxLimitsStream',
  0x4d7a0004: 'MozSoftErrorsStream',
} as const;

export type MinidumpStreamTypeNumber = keyof typeof MINIDUMP_STREAM_TYPES;

/** Named constants for the streams the parser decodes. */
export const StreamType = {
  Unused: 0,
  ThreadList: 3,
  ModuleList: 4,
  MemoryList: 5,
  Exception: 6,
  SystemInfo: 7,
  ThreadExList: 8,
  Memory64List: 9,
  CommentA: 10,
  CommentW: 11,
  HandleData: 12,
  FunctionTable: 13,
  UnloadedModuleList: 14,
  MiscInfo: 15,
  MemoryInfoList: 16,
  ThreadInfoList: 17,
  ThreadNames: 24,
  BreakpadInfo: 0x47670001,
  AssertionInfo: 0x47670002,
  CrashpadInfo: 0x43500001,
} as const;

/** "ThreadListStream", or "0x47670009"-style hex for a type nobody named. */
export function streamTypeName(type: number): string {
  const name = (MINIDUMP_STREAM_TYPES as Record<number, string>)[type];
  return name ?? `0x${(type >>> 0).toString(16).padStart(8, '0')}`;
}

/** MINIDUMP_TYPE bits (MINIDUMP_HEADER.Flags). */
export const MINIDUMP_TYPE_FLAGS = {
  0x1: 'MiniDumpWithDataSegs',
  0x2: 'MiniDumpWithFullMemory',
  0x4: 'MiniDumpWithHandleData',
  0x8: 'MiniDumpFilterMemory',
  0x10: 'MiniDumpScanMemory',
  0x20: 'MiniDumpWithUnloadedModules',
  0x40: 'MiniDumpWithIndirectlyReferencedMemory',
  0x80: 'MiniDumpFilterModulePaths',
  0x100: 'MiniDumpWithProcessThreadData',
  0x200: 'MiniDumpWithPrivateReadWriteMemory',
  0x400: 'MiniDumpWithoutOptionalData',
  0x800: 'MiniDumpWithFullMemoryInfo',
  0x1000: 'MiniDumpWithThreadInfo',
  0x2000: 'MiniDumpWithCodeSegs',
  0x4000: 'MiniDumpWithoutAuxiliaryState',
  0x8000: 'MiniDumpWithFullAuxiliaryState',
  0x10000: 'MiniDumpWithPrivateWriteCopyMemory',
  0x20000: 'MiniDumpIgnoreInaccessibleMemory',
  0x40000: 'MiniDumpWithTokenInformation',
  0x80000: 'MiniDumpWithModuleHeaders',
  0x100000: 'MiniDumpFilterTriage',
  0x200000: 'MiniDumpWithAvxXStateContext',
  0x400000: 'MiniDumpWithIptTrace',
  0x800000: 'MiniDumpScanInaccessiblePartialPages',
} as const;

/** Names of the MINIDUMP_TYPE bits set in `flags`, lowest bit first; unknown bits as hex. */
export function minidumpTypeFlagNames(flags: bigint): string[] {
  const out: string[] = [];
  for (let bit = 0n; bit < 64n; bit++) {
    const v = 1n << bit;
    if ((flags & v) === 0n) continue;
    const name = v <= 0x800000n ? (MINIDUMP_TYPE_FLAGS as Record<number, string>)[Number(v)] : undefined;
    out.push(name ?? `0x${v.toString(16)}`);
  }
  return out;
}
