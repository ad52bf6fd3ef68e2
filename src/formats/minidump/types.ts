/**
 * Public shapes of the parsed minidump. The parser (minidump-file.ts and one
 * file per stream) produces these; everything above the formats layer reads
 * dumps only through them. Field names are Microsoft's, in camelCase.
 */

export type CpuArch = 'x86' | 'amd64' | 'arm64' | 'arm' | 'unknown';

/** MINIDUMP_HEADER (32 bytes). */
export interface MinidumpHeader {
  signature: number;
  version: number;
  numberOfStreams: number;
  streamDirectoryRva: number;
  checkSum: number;
  timeDateStamp: number;
  flags: bigint;
}

/** MINIDUMP_DIRECTORY (12 bytes), plus the stream's well-known name ("ThreadListStream", or "0x47670001" style when unknown). */
export interface MinidumpDirectoryEntry {
  index: number;
  streamType: number;
  dataSize: number;
  rva: number;
  typeName: string;
}

export interface LocationDescriptor { dataSize: number; rva: number }

/** MINIDUMP_THREAD / MINIDUMP_THREAD_EX (48/64 bytes). `index` is the debugger thread number (position in the list). */
export interface MinidumpThread {
  index: number;
  threadId: number;
  suspendCount: number;
  priorityClass: number;
  priority: number;
  teb: bigint;
  stackStart: bigint;
  stackSize: number;
  stackRva: number;
  context: LocationDescriptor;
}

/**
 * A decoded CPU context. `regs` holds every integer/control/segment register
 * the flags make valid, lower-case WinDbg names: amd64 rax..r15, rip, rsp, rbp,
 * efl, cs, ds, es, fs, gs, ss, mxcsr, dr0..dr7; x86 eax..edi, eip, esp, ebp, efl,
 * segment registers; arm64 x0..x28, fp, lr, sp, pc, cpsr.
 */
export interface CpuContext {
  arch: CpuArch;
  contextFlags: number;
  regs: Record<string, bigint>;
  /** Registers present in the record but not valid per the flags are absent from `regs`. */
  pc: bigint;
  sp: bigint;
  fp: bigint;
  /** XMM/Q vector registers when present (16 bytes each), by name ("xmm0", "v0"). */
  vectors?: Record<string, Buffer>;
  /** CET user shadow-stack pointer from XSTATE (A.19.5), when present. */
  cetSsp?: bigint;
  /** Size of the raw record, and where it came from. */
  rawSize: number;
  rva: number;
}

/** VS_FIXEDFILEINFO (52 bytes). */
export interface VsFixedFileInfo {
  signature: number;
  strucVersion: number;
  fileVersionMS: number;
  fileVersionLS: number;
  productVersionMS: number;
  productVersionLS: number;
  fileFlagsMask: number;
  fileFlags: number;
  fileOS: number;
  fileType: number;
  fileSubtype: number;
  fileDateMS: number;
  fileDateLS: number;
}

/** CV_INFO_PDB70 ("RSDS") or CV_INFO_PDB20 ("NB10"). */
export interface CodeViewRecord {
  format: 'RSDS' | 'NB10' | 'other';
  /** RSDS: GUID formatted as 32 upper-case hex digits in symbol-server order (Data1 Data2 Data3 Data4), no dashes. */
  guid?: string;
  /** NB10: the time_t signature. */
  signature?: number;
  age: number;
  pdbFileName: string;
}

/** MINIDUMP_MODULE (108 bytes), decoded. */
export interface MinidumpModule {
  index: number;
  baseOfImage: bigint;
  sizeOfImage: number;
  checkSum: number;
  timeDateStamp: number;
  /** Full path as stored (a Windows path). */
  moduleName: string;
  versionInfo: VsFixedFileInfo | undefined;
  cvRecord: CodeViewRecord | undefined;
  miscRecord: LocationDescriptor;
}

/** MINIDUMP_UNLOADED_MODULE (24 bytes). */
export interface MinidumpUnloadedModule {
  baseOfImage: bigint;
  sizeOfImage: number;
  checkSum: number;
  timeDateStamp: number;
  moduleName: string;
}

/** One range of captured memory (from MemoryList, Memory64List). */
export interface MemoryRange {
  start: bigint;
  size: number;
  /** File offset of the first byte. */
  fileOffset: number;
}

/** MINIDUMP_MEMORY_INFO (48 bytes). */
export interface MinidumpMemoryInfo {
  baseAddress: bigint;
  allocationBase: bigint;
  allocationProtect: number;
  regionSize: bigint;
  state: number;
  protect: number;
  type: number;
}

/** MINIDUMP_EXCEPTION (152 bytes) or a native EXCEPTION_RECORD read from memory. */
export interface ExceptionRecord {
  exceptionCode: number;
  exceptionFlags: number;
  /** Address of the nested record in the process (0 when none). */
  exceptionRecord: bigint;
  exceptionAddress: bigint;
  numberParameters: number;
  exceptionInformation: bigint[];
}

/** MINIDUMP_EXCEPTION_STREAM (168 bytes). */
export interface MinidumpExceptionStream {
  threadId: number;
  exceptionRecord: ExceptionRecord;
  threadContext: LocationDescriptor;
}

/** MINIDUMP_SYSTEM_INFO (56 bytes). */
export interface MinidumpSystemInfo {
  processorArchitecture: number;
  processorLevel: number;
  processorRevision: number;
  numberOfProcessors: number;
  productType: number;
  majorVersion: number;
  minorVersion: number;
  buildNumber: number;
  platformId: number;
  csdVersion: string;
  suiteMask: number;
  /** X86CpuInfo.VendorId as a string ("GenuineIntel") when the arch is x86, else undefined. */
  vendorId: string | undefined;
  versionInformation: number;
  featureInformation: number;
  amdExtendedCpuFeatures: number;
  /** OtherCpuInfo.ProcessorFeatures when not x86. */
  processorFeatures: [bigint, bigint] | undefined;
}

export interface TimeZoneInformation {
  bias: number;
  standardName: string;
  standardBias: number;
  daylightName: string;
  daylightBias: number;
}

/** MINIDUMP_MISC_INFO .. _5; absent fields are undefined (flag not set or record too short). */
export interface MinidumpMiscInfo {
  sizeOfInfo: number;
  flags1: number;
  processId?: number;
  processCreateTime?: number;
  processUserTime?: number;
  processKernelTime?: number;
  processorMaxMhz?: number;
  processorCurrentMhz?: number;
  processorMhzLimit?: number;
  processorMaxIdleState?: number;
  processorCurrentIdleState?: number;
  processIntegrityLevel?: number;
  processExecuteFlags?: number;
  protectedProcess?: number;
  timeZoneId?: number;
  timeZone?: TimeZoneInformation;
  buildString?: string;
  dbgBldStr?: string;
  xstate?: { contextSize: number; enabledFeatures: bigint; features: { offset: number; size: number }[] };
  processCookie?: number;
}

/** MINIDUMP_HANDLE_DESCRIPTOR(_2). */
export interface MinidumpHandle {
  handle: bigint;
  typeName: string;
  objectName: string;
  attributes: number;
  grantedAccess: number;
  handleCount: number;
  pointerCount: number;
  objectInfo: { infoType: number; data: Buffer }[];
}

/** MINIDUMP_THREAD_INFO (64 bytes). */
export interface MinidumpThreadInfo {
  threadId: number;
  dumpFlags: number;
  dumpError: number;
  exitStatus: number;
  createTime: bigint;
  exitTime: bigint;
  kernelTime: bigint;
  userTime: bigint;
  startAddress: bigint;
  affinity: bigint;
}

export interface BreakpadInfo { validity: number; dumpThreadId: number | undefined; requestingThreadId: number | undefined }
export interface AssertionInfo { expression: string; function: string; file: string; line: number; type: number }
export interface CrashpadInfo {
  version: number;
  reportId: string;
  clientId: string;
  simpleAnnotations: [string, string][];
  moduleAnnotations: { moduleIndex: number; listAnnotations: string[]; simpleAnnotations: [string, string][]; annotationObjects: { name: string; type: number; value: string }[] }[];
  addressMask: bigint;
}

/** A warning collected while reading: the dump stays usable. */
export interface DumpWarning { stream: string; offset: number; message: string }
