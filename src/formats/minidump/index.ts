/**
 * Public API of the minidump format layer.
 *
 *   const dump = MinidumpFile.open('crash.dmp');   // header, directory, SystemInfo
 *   dump.threads(); dump.threadContext(t); dump.modules(); dump.moduleAt(pc);
 *   dump.exception(); dump.exceptionContext(); dump.memory.read(addr, len);
 *   dump.warnings                                    // what could not be read
 */
export type {
  CpuArch, MinidumpHeader, MinidumpDirectoryEntry, LocationDescriptor, MinidumpThread, CpuContext, VsFixedFileInfo,
  CodeViewRecord, MinidumpModule, MinidumpUnloadedModule, MemoryRange, MinidumpMemoryInfo, ExceptionRecord,
  MinidumpExceptionStream, MinidumpSystemInfo, TimeZoneInformation, MinidumpMiscInfo, MinidumpHandle,
  MinidumpThreadInfo, BreakpadInfo, AssertionInfo, CrashpadInfo, DumpWarning,
} from './types.js';
export { MinidumpFile, type OtherStream } from './minidump-file.js';
export { MemoryColumns, MemoryIndex } from './memory-index.js';
export {
  MINIDUMP_STREAM_TYPES, MINIDUMP_TYPE_FLAGS, StreamType, streamTypeName, minidumpTypeFlagNames,
} from './streams.js';
export {
  decodeContext, detectContextArch, contextRegisterNames, cetShadowStackPointer, xstateComponent,
  CONTEXT_LAYOUTS, CONTEXT_CPU, CONTEXT_FLAGS, XSTATE_FEATURE,
  AMD64_CONTEXT_SIZE, X86_CONTEXT_SIZE, ARM64_CONTEXT_SIZE,
  type XstateConfig,
} from './context.js';
export { MINIDUMP_HEADER_SIZE, MINIDUMP_DIRECTORY_SIZE, MINIDUMP_SIGNATURE, MINIDUMP_VERSION } from './header.js';
export { archFromProcessorArchitecture, PROCESSOR_ARCHITECTURE, MINIDUMP_SYSTEM_INFO_SIZE } from './system-info.js';
export { MINIDUMP_THREAD_SIZE, MINIDUMP_THREAD_EX_SIZE } from './thread-list.js';
export { MINIDUMP_MODULE_SIZE, VS_FIXEDFILEINFO_SIZE, fileVersionString, moduleCodeId } from './module-list.js';
export { MINIDUMP_MEMORY64_LIST_SIZE, MINIDUMP_MEMORY_DESCRIPTOR64_SIZE } from './memory-list.js';
export { MINIDUMP_MEMORY_DESCRIPTOR_SIZE, MINIDUMP_LOCATION_DESCRIPTOR_SIZE } from './stream-context.js';
export {
  MINIDUMP_EXCEPTION_SIZE, MINIDUMP_EXCEPTION_STREAM_SIZE, EXCEPTION_RECORD32_SIZE, EXCEPTION_RECORD64_SIZE,
  EXCEPTION_FLAGS, EXCEPTION_MAXIMUM_PARAMETERS, decodeNativeExceptionRecord,
} from './exception.js';
export { MISC_INFO_FLAGS, MINIDUMP_MISC_INFO_SIZE, MINIDUMP_MISC_INFO_2_SIZE, MINIDUMP_MISC_INFO_3_SIZE, MINIDUMP_MISC_INFO_4_SIZE, MINIDUMP_MISC_INFO_5_SIZE } from './misc-info.js';
export { HANDLE_OBJECT_INFO_TYPES, MINIDUMP_HANDLE_DESCRIPTOR_SIZE, MINIDUMP_HANDLE_DESCRIPTOR_2_SIZE } from './handle-data.js';
export { THREAD_INFO_DUMP_FLAGS, MINIDUMP_THREAD_INFO_SIZE } from './thread-info.js';
export { MINIDUMP_THREAD_NAME_SIZE } from './thread-names.js';
export { MINIDUMP_UNLOADED_MODULE_SIZE } from './unloaded-modules.js';
export { MEM_STATE, MEM_TYPE, PAGE_PROTECT, MINIDUMP_MEMORY_INFO_SIZE } from './memory-info.js';
export { type FunctionTableDescriptor, MINIDUMP_FUNCTION_TABLE_DESCRIPTOR_SIZE } from './function-table.js';
export { MD_ASSERTION_INFO_TYPES } from './breakpad.js';
export { decodeNtTib, NT_TIB32_SIZE, NT_TIB64_SIZE, type NtTib } from './teb.js';
