/** PE images (docs/unwind-symbols.md part E): headers, sections, exports, debug directory, .pdata, version resource. */
export { PeImage, formatCodeId } from './image.js';
export type { MemoryRead, PeLayoutKind } from './image.js';
export { parsePeHeaders } from './headers.js';
export type { HeaderRead, PeHeaders } from './headers.js';
export { readExports, nearestExport, MAX_EXPORTS } from './exports.js';
export type { ExportMatch, ExportsResult } from './exports.js';
export { readDebugDirectories, debugTypeName, MAX_DEBUG_DIRECTORIES, MAX_CODEVIEW_SIZE } from './debug.js';
export type { DebugDirectoriesResult } from './debug.js';
export {
  readRuntimeFunctions,
  readRuntimeFunctionX64,
  findRuntimeFunctionIn,
  lastBeginAtOrBefore,
  arm64FunctionEnd,
  decodeArm64,
  runtimeFunctionSize,
  MAX_PDATA_BYTES,
} from './pdata.js';
export type { PdataFormat, RuntimeFunctionsResult } from './pdata.js';
export { readVersionInfo, parseVersionInfo, parseVersionBlocks, findResource, readResourceDirectory, formatFileVersion } from './version.js';
export type { VersionBlock, VersionInfoResult, ResourceData, ResourceDirectoryEntry } from './version.js';
export type { RvaReader, RvaRange } from './rva-reader.js';
export * from './layouts.js';
export { IMAGE_FILE_MACHINE, IMAGE_FILE_CHARACTERISTICS, IMAGE_SCN, IMAGE_DIRECTORY_ENTRY, IMAGE_DEBUG_TYPE, RT_VERSION, machineName } from './types.js';
export type {
  PeMachineName,
  ImageDosHeader,
  ImageFileHeader,
  ImageOptionalHeader,
  ImageDataDirectory,
  ImageSectionHeader,
  ImageDebugDirectory,
  PeExport,
  PeExportDirectory,
  RuntimeFunction,
  RuntimeFunctionX64,
  RuntimeFunctionArm64,
  VsFixedFileInfo,
  VersionTranslation,
  VersionStringTable,
  PeVersionInfo,
  PeImageIdentity,
} from './types.js';
