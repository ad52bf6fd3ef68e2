/**
 * PE/COFF struct layouts (docs/unwind-symbols.md E.1–E.5, B.2, D.1), declared
 * once through defineLayout. Field names are Microsoft's (winnt.h) in
 * camelCase; the `e_` DOS fields keep their prefix so they stay greppable.
 * Every layout exports its size.
 */
import { defineLayout } from '../layout.js';

/** "MZ" read as a little-endian u16. */
export const IMAGE_DOS_SIGNATURE = 0x5a4d;
/** "PE\0\0" read as a little-endian u32. */
export const IMAGE_NT_SIGNATURE = 0x00004550;
export const IMAGE_NT_OPTIONAL_HDR32_MAGIC = 0x10b;
export const IMAGE_NT_OPTIONAL_HDR64_MAGIC = 0x20b;
export const IMAGE_NUMBEROF_DIRECTORY_ENTRIES = 16;

/** IMAGE_DOS_HEADER (64 bytes): only e_magic and e_lfanew matter to us. */
export const ImageDosHeaderLayout = defineLayout('IMAGE_DOS_HEADER', {
  e_magic: 'u16',
  e_cblp: 'u16',
  e_cp: 'u16',
  e_crlc: 'u16',
  e_cparhdr: 'u16',
  e_minalloc: 'u16',
  e_maxalloc: 'u16',
  e_ss: 'u16',
  e_sp: 'u16',
  e_csum: 'u16',
  e_ip: 'u16',
  e_cs: 'u16',
  e_lfarlc: 'u16',
  e_ovno: 'u16',
  e_res: { bytes: 8 },
  e_oemid: 'u16',
  e_oeminfo: 'u16',
  e_res2: { bytes: 20 },
  e_lfanew: 'i32',
});
export const IMAGE_DOS_HEADER_SIZE = ImageDosHeaderLayout.size; // 64

/** IMAGE_FILE_HEADER (20 bytes), right after the "PE\0\0" signature. */
export const ImageFileHeaderLayout = defineLayout('IMAGE_FILE_HEADER', {
  machine: 'u16',
  numberOfSections: 'u16',
  timeDateStamp: 'u32',
  pointerToSymbolTable: 'u32',
  numberOfSymbols: 'u32',
  sizeOfOptionalHeader: 'u16',
  characteristics: 'u16',
});
export const IMAGE_FILE_HEADER_SIZE = ImageFileHeaderLayout.size; // 20

/** IMAGE_OPTIONAL_HEADER32 without its DataDirectory array (96 bytes). */
export const ImageOptionalHeader32Layout = defineLayout('IMAGE_OPTIONAL_HEADER32', {
  magic: 'u16',
  majorLinkerVersion: 'u8',
  minorLinkerVersion: 'u8',
  sizeOfCode: 'u32',
  sizeOfInitializedData: 'u32',
  sizeOfUninitializedData: 'u32',
  addressOfEntryPoint: 'u32',
  baseOfCode: 'u32',
  baseOfData: 'u32',
  imageBase: 'u32',
  sectionAlignment: 'u32',
  fileAlignment: 'u32',
  majorOperatingSystemVersion: 'u16',
  minorOperatingSystemVersion: 'u16',
  majorImageVersion: 'u16',
  minorImageVersion: 'u16',
  majorSubsystemVersion: 'u16',
  minorSubsystemVersion: 'u16',
  win32VersionValue: 'u32',
  sizeOfImage: 'u32',
  sizeOfHeaders: 'u32',
  checkSum: 'u32',
  subsystem: 'u16',
  dllCharacteristics: 'u16',
  sizeOfStackReserve: 'u32',
  sizeOfStackCommit: 'u32',
  sizeOfHeapReserve: 'u32',
  sizeOfHeapCommit: 'u32',
  loaderFlags: 'u32',
  numberOfRvaAndSizes: 'u32',
});
export const IMAGE_OPTIONAL_HEADER32_FIXED_SIZE = ImageOptionalHeader32Layout.size; // 96

/** IMAGE_OPTIONAL_HEADER64 without its DataDirectory array (112 bytes). */
export const ImageOptionalHeader64Layout = defineLayout('IMAGE_OPTIONAL_HEADER64', {
  magic: 'u16',
  majorLinkerVersion: 'u8',
  minorLinkerVersion: 'u8',
  sizeOfCode: 'u32',
  sizeOfInitializedData: 'u32',
  sizeOfUninitializedData: 'u32',
  addressOfEntryPoint: 'u32',
  baseOfCode: 'u32',
  imageBase: 'u64',
  sectionAlignment: 'u32',
  fileAlignment: 'u32',
  majorOperatingSystemVersion: 'u16',
  minorOperatingSystemVersion: 'u16',
  majorImageVersion: 'u16',
  minorImageVersion: 'u16',
  majorSubsystemVersion: 'u16',
  minorSubsystemVersion: 'u16',
  win32VersionValue: 'u32',
  sizeOfImage: 'u32',
  sizeOfHeaders: 'u32',
  checkSum: 'u32',
  subsystem: 'u16',
  dllCharacteristics: 'u16',
  sizeOfStackReserve: 'u64',
  sizeOfStackCommit: 'u64',
  sizeOfHeapReserve: 'u64',
  sizeOfHeapCommit: 'u64',
  loaderFlags: 'u32',
  numberOfRvaAndSizes: 'u32',
});
export const IMAGE_OPTIONAL_HEADER64_FIXED_SIZE = ImageOptionalHeader64Layout.size; // 112

/** IMAGE_DATA_DIRECTORY (8 bytes). */
export const ImageDataDirectoryLayout = defineLayout('IMAGE_DATA_DIRECTORY', {
  virtualAddress: 'u32',
  size: 'u32',
});
export const IMAGE_DATA_DIRECTORY_SIZE = ImageDataDirectoryLayout.size; // 8

/** IMAGE_SECTION_HEADER is shared by the PE and PDB readers: declared once in ../coff.ts. */
export { ImageSectionHeaderLayout, IMAGE_SECTION_HEADER_SIZE } from '../coff.js';

/** IMAGE_EXPORT_DIRECTORY (40 bytes). */
export const ImageExportDirectoryLayout = defineLayout('IMAGE_EXPORT_DIRECTORY', {
  characteristics: 'u32',
  timeDateStamp: 'u32',
  majorVersion: 'u16',
  minorVersion: 'u16',
  name: 'u32',
  base: 'u32',
  numberOfFunctions: 'u32',
  numberOfNames: 'u32',
  addressOfFunctions: 'u32',
  addressOfNames: 'u32',
  addressOfNameOrdinals: 'u32',
});
export const IMAGE_EXPORT_DIRECTORY_SIZE = ImageExportDirectoryLayout.size; // 40

/** IMAGE_DEBUG_DIRECTORY (28 bytes). */
export const ImageDebugDirectoryLayout = defineLayout('IMAGE_DEBUG_DIRECTORY', {
  characteristics: 'u32',
  timeDateStamp: 'u32',
  majorVersion: 'u16',
  minorVersion: 'u16',
  type: 'u32',
  sizeOfData: 'u32',
  addressOfRawData: 'u32',
  pointerToRawData: 'u32',
});
export const IMAGE_DEBUG_DIRECTORY_SIZE = ImageDebugDirectoryLayout.size; // 28

/** x64 RUNTIME_FUNCTION (12 bytes, IMAGE_RUNTIME_FUNCTION_ENTRY in winnt.h). */
export const RuntimeFunctionX64Layout = defineLayout('RUNTIME_FUNCTION', {
  beginAddress: 'u32',
  endAddress: 'u32',
  unwindInfoAddress: 'u32',
});
export const RUNTIME_FUNCTION_X64_SIZE = RuntimeFunctionX64Layout.size; // 12

/** ARM64 (and ARMNT) RUNTIME_FUNCTION (8 bytes, IMAGE_ARM64_RUNTIME_FUNCTION_ENTRY). */
export const RuntimeFunctionArm64Layout = defineLayout('IMAGE_ARM64_RUNTIME_FUNCTION_ENTRY', {
  beginAddress: 'u32',
  unwindData: 'u32',
});
export const RUNTIME_FUNCTION_ARM64_SIZE = RuntimeFunctionArm64Layout.size; // 8

/** IMAGE_RESOURCE_DIRECTORY (16 bytes), followed by its entries. */
export const ImageResourceDirectoryLayout = defineLayout('IMAGE_RESOURCE_DIRECTORY', {
  characteristics: 'u32',
  timeDateStamp: 'u32',
  majorVersion: 'u16',
  minorVersion: 'u16',
  numberOfNamedEntries: 'u16',
  numberOfIdEntries: 'u16',
});
export const IMAGE_RESOURCE_DIRECTORY_SIZE = ImageResourceDirectoryLayout.size; // 16

/** IMAGE_RESOURCE_DIRECTORY_ENTRY (8 bytes). */
export const ImageResourceDirectoryEntryLayout = defineLayout('IMAGE_RESOURCE_DIRECTORY_ENTRY', {
  nameOrId: 'u32',
  offsetToData: 'u32',
});
export const IMAGE_RESOURCE_DIRECTORY_ENTRY_SIZE = ImageResourceDirectoryEntryLayout.size; // 8

/** IMAGE_RESOURCE_DATA_ENTRY (16 bytes); offsetToData is an RVA. */
export const ImageResourceDataEntryLayout = defineLayout('IMAGE_RESOURCE_DATA_ENTRY', {
  offsetToData: 'u32',
  size: 'u32',
  codePage: 'u32',
  reserved: 'u32',
});
export const IMAGE_RESOURCE_DATA_ENTRY_SIZE = ImageResourceDataEntryLayout.size; // 16

/** VS_FIXEDFILEINFO is shared with the minidump reader: declared once in ../version-info.ts. */
export { VS_FFI_SIGNATURE, VS_FIXEDFILEINFO_SIZE, VsFixedFileInfoLayout } from '../version-info.js';
