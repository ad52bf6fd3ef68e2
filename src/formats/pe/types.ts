/**
 * Public shapes and code tables of the PE layer (docs/unwind-symbols.md part E).
 * RVAs and file offsets are `number` (u32); virtual addresses are `bigint`.
 */
import type {
  ImageDebugDirectoryLayout,
  ImageDosHeaderLayout,
  ImageFileHeaderLayout,
  VsFixedFileInfoLayout,
} from './layouts.js';

/** IMAGE_FILE_HEADER.Machine values we know by name. */
export const IMAGE_FILE_MACHINE = {
  I386: 0x014c,
  ARMNT: 0x01c4,
  AMD64: 0x8664,
  ARM64: 0xaa64,
} as const;

/** IMAGE_FILE_HEADER.Characteristics bits. */
export const IMAGE_FILE_CHARACTERISTICS = {
  EXECUTABLE_IMAGE: 0x0002,
  LARGE_ADDRESS_AWARE: 0x0020,
  DLL: 0x2000,
} as const;

/** IMAGE_SECTION_HEADER.Characteristics bits (E.2). */
export const IMAGE_SCN = {
  CNT_CODE: 0x00000020,
  CNT_INITIALIZED_DATA: 0x00000040,
  CNT_UNINITIALIZED_DATA: 0x00000080,
  MEM_EXECUTE: 0x20000000,
  MEM_READ: 0x40000000,
  MEM_WRITE: 0x80000000,
} as const;

/** Data directory indices (E.1). Only indices < NumberOfRvaAndSizes are meaningful. */
export const IMAGE_DIRECTORY_ENTRY = {
  EXPORT: 0,
  IMPORT: 1,
  RESOURCE: 2,
  EXCEPTION: 3,
  /** A file offset, not an RVA. */
  SECURITY: 4,
  BASERELOC: 5,
  DEBUG: 6,
  ARCHITECTURE: 7,
  GLOBALPTR: 8,
  TLS: 9,
  LOAD_CONFIG: 10,
  BOUND_IMPORT: 11,
  IAT: 12,
  DELAY_IMPORT: 13,
  COM_DESCRIPTOR: 14,
} as const;

/** IMAGE_DEBUG_DIRECTORY.Type values (E.4). */
export const IMAGE_DEBUG_TYPE = {
  COFF: 1,
  CODEVIEW: 2,
  FPO: 3,
  MISC: 4,
  EXCEPTION: 5,
  FIXUP: 6,
  OMAP_TO_SRC: 7,
  OMAP_FROM_SRC: 8,
  BORLAND: 9,
  CLSID: 11,
  VC_FEATURE: 12,
  POGO: 13,
  ILTCG: 14,
  MPX: 15,
  REPRO: 16,
  EMBEDDED_PORTABLE_PDB: 17,
  PDBCHECKSUM: 19,
  EX_DLLCHARACTERISTICS: 20,
} as const;

/** Resource type ids. */
export const RT_VERSION = 16;

export type PeMachineName = 'x86' | 'amd64' | 'arm64' | 'arm' | 'unknown';

/** Short architecture name of an IMAGE_FILE_HEADER.Machine value. */
export function machineName(machine: number): PeMachineName {
  switch (machine) {
    case IMAGE_FILE_MACHINE.I386: return 'x86';
    case IMAGE_FILE_MACHINE.AMD64: return 'amd64';
    case IMAGE_FILE_MACHINE.ARM64: return 'arm64';
    case IMAGE_FILE_MACHINE.ARMNT: return 'arm';
    default: return 'unknown';
  }
}

/** IMAGE_DOS_HEADER, decoded. */
export type ImageDosHeader = ReturnType<typeof ImageDosHeaderLayout.decode>;

/** IMAGE_FILE_HEADER, decoded. */
export type ImageFileHeader = ReturnType<typeof ImageFileHeaderLayout.decode>;

/**
 * IMAGE_OPTIONAL_HEADER32/64 normalised to one shape: 64-bit fields are
 * bigint in both (PE32 values widened); `baseOfData` exists only in PE32.
 */
export interface ImageOptionalHeader {
  magic: number;
  /** True for PE32+ (magic 0x20B). */
  is64: boolean;
  majorLinkerVersion: number;
  minorLinkerVersion: number;
  sizeOfCode: number;
  sizeOfInitializedData: number;
  sizeOfUninitializedData: number;
  addressOfEntryPoint: number;
  baseOfCode: number;
  baseOfData: number | undefined;
  imageBase: bigint;
  sectionAlignment: number;
  fileAlignment: number;
  majorOperatingSystemVersion: number;
  minorOperatingSystemVersion: number;
  majorImageVersion: number;
  minorImageVersion: number;
  majorSubsystemVersion: number;
  minorSubsystemVersion: number;
  win32VersionValue: number;
  sizeOfImage: number;
  sizeOfHeaders: number;
  checkSum: number;
  subsystem: number;
  dllCharacteristics: number;
  sizeOfStackReserve: bigint;
  sizeOfStackCommit: bigint;
  sizeOfHeapReserve: bigint;
  sizeOfHeapCommit: bigint;
  loaderFlags: number;
  /** As stored in the header (may exceed 16 in hostile files). */
  numberOfRvaAndSizes: number;
}

/** IMAGE_DATA_DIRECTORY. */
export interface ImageDataDirectory {
  virtualAddress: number;
  size: number;
}

/** IMAGE_SECTION_HEADER, decoded, with its name as a string. */
export interface ImageSectionHeader {
  index: number;
  /** ".text"; long names ("/4" → ".debug_info") are resolved through the COFF string table when the file has one. */
  name: string;
  virtualSize: number;
  virtualAddress: number;
  sizeOfRawData: number;
  pointerToRawData: number;
  pointerToRelocations: number;
  pointerToLinenumbers: number;
  numberOfRelocations: number;
  numberOfLinenumbers: number;
  characteristics: number;
}

/** One exported symbol. */
export interface PeExport {
  /** Exported name, or "#<ordinal>" when exported by ordinal only (then `noName` is true). */
  name: string;
  /** Biased ordinal (Base + index into AddressOfFunctions). */
  ordinal: number;
  rva: number;
  /** "OTHERDLL.Func" when the entry forwards to another DLL (not code). */
  forwarder?: string;
  noName?: boolean;
}

/** IMAGE_EXPORT_DIRECTORY, decoded, plus the DLL name it points to. */
export interface PeExportDirectory {
  characteristics: number;
  timeDateStamp: number;
  majorVersion: number;
  minorVersion: number;
  nameRva: number;
  dllName: string;
  base: number;
  numberOfFunctions: number;
  numberOfNames: number;
  addressOfFunctions: number;
  addressOfNames: number;
  addressOfNameOrdinals: number;
}

/** IMAGE_DEBUG_DIRECTORY, decoded. */
export type ImageDebugDirectory = ReturnType<typeof ImageDebugDirectoryLayout.decode>;

/** x64 RUNTIME_FUNCTION (B.2). */
export interface RuntimeFunctionX64 {
  kind: 'x64';
  /** Position in the exception directory. */
  index: number;
  beginAddress: number;
  /** Exclusive. */
  endAddress: number;
  /**
   * RVA of the UNWIND_INFO; when bit 0 is set the entry is indirect/chained:
   * `unwindInfoAddress & ~1` is the RVA of another RUNTIME_FUNCTION (the unwinder follows it).
   */
  unwindInfoAddress: number;
}

/** ARM64 (and ARMNT) RUNTIME_FUNCTION (D.1). */
export interface RuntimeFunctionArm64 {
  kind: 'arm64';
  index: number;
  beginAddress: number;
  /** The raw second word: packed unwind data or an .xdata RVA, depending on `flag`. */
  unwindData: number;
  /** Low 2 bits of unwindData: 0 = .xdata RVA, 1 = packed, 2 = packed fragment, 3 = reserved. */
  flag: number;
  /** RVA of the .xdata record (flag 0 only). */
  xdataRva: number | undefined;
  /** Function length in bytes when known without reading .xdata (packed entries). */
  functionLength: number | undefined;
}

export type RuntimeFunction = RuntimeFunctionX64 | RuntimeFunctionArm64;

/** VS_FIXEDFILEINFO, decoded (same shape as the minidump module record's copy). */
export type VsFixedFileInfo = ReturnType<typeof VsFixedFileInfoLayout.decode>;

/** Language/code-page pair from VarFileInfo\Translation. */
export interface VersionTranslation {
  language: number;
  codePage: number;
}

/** One StringTable ("040904B0") of StringFileInfo, strings in resource order. */
export interface VersionStringTable {
  key: string;
  strings: { key: string; value: string }[];
}

/** The image's version resource (E.5). */
export interface PeVersionInfo {
  fixed: VsFixedFileInfo | undefined;
  /** "6.1.7601.24059" from the fixed part, when present. */
  fileVersion: string | undefined;
  productVersion: string | undefined;
  translations: VersionTranslation[];
  stringTables: VersionStringTable[];
  /** The strings of the table that matches the first translation (else the first table), in resource order. */
  strings: { key: string; value: string }[];
}

/** What the symbol server and module list need to know about an image (E.7). */
export interface PeImageIdentity {
  timeDateStamp: number;
  sizeOfImage: number;
  /** `%08X%x` of TimeDateStamp and SizeOfImage: "6B0151C73E000". */
  codeId: string;
  machine: number;
}
