import { defineLayout } from '../layout.js';

/**
 * On-disk structures of a PDB (MSF 7.00 container and the streams inside it).
 * Names follow LLVM's RawTypes.h / Microsoft's cvinfo.h, in camelCase.
 */

/** "Microsoft C/C++ MSF 7.00\r\n\x1ADS\0\0\0" (32 bytes). */
export const MSF_MAGIC = Buffer.from('Microsoft C/C++ MSF 7.00\r\n\x1aDS\0\0\0', 'latin1');
/** Prefix of the old 2.00 container, which uses 16-bit block numbers: recognised only to reject it clearly. */
export const PDB20_MAGIC_PREFIX = 'Microsoft C/C++ program database 2.00';

export const MsfSuperBlockLayout = defineLayout('MSF_SuperBlock', {
  fileMagic: { bytes: 32 },
  blockSize: 'u32',
  freeBlockMapBlock: 'u32',
  numBlocks: 'u32',
  numDirectoryBytes: 'u32',
  unknown: 'u32',
  blockMapAddr: 'u32',
});
export const MSF_SUPERBLOCK_SIZE = MsfSuperBlockLayout.size; // 56

/** Fixed stream indices (F.2). */
export const PDB_STREAM_OLD_DIRECTORY = 0;
export const PDB_STREAM_INFO = 1;
export const PDB_STREAM_TPI = 2;
export const PDB_STREAM_DBI = 3;
export const PDB_STREAM_IPI = 4;
/** A u16 stream index meaning "no stream". */
export const NIL_STREAM_INDEX = 0xffff;
/** A stream size in the MSF directory meaning "nil/deleted stream". */
export const NIL_STREAM_SIZE = 0xffffffff;

export const PdbInfoStreamHeaderLayout = defineLayout('PdbStreamHeader', {
  version: 'u32',
  signature: 'u32',
  age: 'u32',
  guid: { bytes: 16 },
});
export const PDB_INFO_HEADER_SIZE = PdbInfoStreamHeaderLayout.size; // 28

/** PdbStreamVersion values. */
export const PDB_IMPL_VC70 = 20000404;
/** Feature codes after the named stream map. */
export const PDB_FEATURE_VC110 = 20091201;
export const PDB_FEATURE_VC140 = 20140508;
export const PDB_FEATURE_NO_TYPE_MERGE = 0x4d544f4e; // "NOTM"
export const PDB_FEATURE_MINIMAL_DEBUG_INFO = 0x494e494d; // "MINI" (/DEBUG:FASTLINK)

export const DbiStreamHeaderLayout = defineLayout('DbiStreamHeader', {
  versionSignature: 'i32',
  versionHeader: 'u32',
  age: 'u32',
  globalStreamIndex: 'u16',
  buildNumber: 'u16',
  publicStreamIndex: 'u16',
  pdbDllVersion: 'u16',
  symRecordStreamIndex: 'u16',
  pdbDllRbld: 'u16',
  modInfoSize: 'i32',
  sectionContributionSize: 'i32',
  sectionMapSize: 'i32',
  sourceInfoSize: 'i32',
  typeServerMapSize: 'i32',
  mfcTypeServerIndex: 'u32',
  optionalDbgHeaderSize: 'i32',
  ecSubstreamSize: 'i32',
  flags: 'u16',
  machine: 'u16',
  padding: 'u32',
});
export const DBI_HEADER_SIZE = DbiStreamHeaderLayout.size; // 64

/** SectionContrib (SC), 28 bytes. */
export const SectionContribLayout = defineLayout('SectionContrib', {
  iSect: 'u16',
  padding1: 'u16',
  off: 'i32',
  size: 'i32',
  characteristics: 'u32',
  iMod: 'u16',
  padding2: 'u16',
  dataCrc: 'u32',
  relocCrc: 'u32',
});
export const SECTION_CONTRIB_SIZE = SectionContribLayout.size; // 28
/** SectionContribution substream versions. */
export const DBI_SC_VER_60 = (0xeffe0000 + 19970605) >>> 0;
export const DBI_SC_VER_2 = (0xeffe0000 + 20140516) >>> 0;
/** SectionContrib2 adds `iSectCoff u32`. */
export const SECTION_CONTRIB2_SIZE = SECTION_CONTRIB_SIZE + 4;

/** ModInfo fixed part (64 bytes) followed by ModuleName and ObjFileName (NUL-terminated), padded to 4. */
export const ModInfoLayout = defineLayout('ModInfo', {
  unused1: 'u32',
  sectionContr: { bytes: SECTION_CONTRIB_SIZE },
  flags: 'u16',
  moduleSymStream: 'u16',
  symByteSize: 'u32',
  c11ByteSize: 'u32',
  c13ByteSize: 'u32',
  sourceFileCount: 'u16',
  padding: 'u16',
  unused2: 'u32',
  sourceFileNameIndex: 'u32',
  pdbFilePathNameIndex: 'u32',
});
export const MOD_INFO_FIXED_SIZE = ModInfoLayout.size; // 64

export const SectionMapHeaderLayout = defineLayout('SecMapHeader', { count: 'u16', logCount: 'u16' });
export const SectionMapEntryLayout = defineLayout('SecMapEntry', {
  flags: 'u16',
  ovl: 'u16',
  group: 'u16',
  frame: 'u16',
  secName: 'u16',
  className: 'u16',
  offset: 'u32',
  secByteLength: 'u32',
});
export const SECTION_MAP_ENTRY_SIZE = SectionMapEntryLayout.size; // 20

/** Indices into the DBI optional debug header (array of u16 stream numbers). */
export const DbgHeaderType = {
  fpo: 0,
  exception: 1,
  fixup: 2,
  omapToSrc: 3,
  omapFromSrc: 4,
  sectionHdr: 5,
  tokenRidMap: 6,
  xdata: 7,
  pdata: 8,
  newFpo: 9,
  sectionHdrOrig: 10,
} as const;

/** IMAGE_SECTION_HEADER is shared by the PE and PDB readers: declared once in ../coff.ts. */
export { ImageSectionHeaderLayout, IMAGE_SECTION_HEADER_SIZE } from '../coff.js';
export const IMAGE_SCN_MEM_EXECUTE = 0x20000000;
export const IMAGE_SCN_CNT_CODE = 0x00000020;

/** OMAP entry {from, to}, used by OMAP_TO_SRC and OMAP_FROM_SRC. */
export const OmapEntryLayout = defineLayout('OMAP_DATA', { from: 'u32', to: 'u32' });
export const OMAP_ENTRY_SIZE = OmapEntryLayout.size; // 8

/** `/names` string table header. */
export const StringTableHeaderLayout = defineLayout('PDBStringTableHeader', {
  signature: 'u32',
  hashVersion: 'u32',
  byteSize: 'u32',
});
export const STRING_TABLE_HEADER_SIZE = StringTableHeaderLayout.size; // 12
export const STRING_TABLE_SIGNATURE = 0xeffeeffe;

/** Publics stream header (PublicsStreamHeader, 28 bytes). */
export const PublicsStreamHeaderLayout = defineLayout('PublicsStreamHeader', {
  symHash: 'u32',
  addrMap: 'u32',
  numThunks: 'u32',
  sizeOfThunk: 'u32',
  iSectThunkTable: 'u16',
  padding: 'u16',
  offThunkTable: 'u32',
  numSections: 'u32',
});
export const PUBLICS_HEADER_SIZE = PublicsStreamHeaderLayout.size; // 28

export const GsiHashHeaderLayout = defineLayout('GSIHashHeader', {
  verSignature: 'u32',
  verHdr: 'u32',
  hrSize: 'u32',
  numBuckets: 'u32',
});
export const GSI_HASH_HEADER_SIZE = GsiHashHeaderLayout.size; // 16

/** Common symbol record prefix: RecLen (excluding itself) and RecKind. */
export const SymRecordHeaderLayout = defineLayout('RecordPrefix', { recLen: 'u16', recKind: 'u16' });
export const SYM_RECORD_HEADER_SIZE = SymRecordHeaderLayout.size; // 4

/** PUBSYM32 after the record prefix (name follows at +14 from the record start). */
export const PubSym32Layout = defineLayout('PUBSYM32', {
  recLen: 'u16', recKind: 'u16', pubSymFlags: 'u32', off: 'u32', seg: 'u16',
});
/** DATASYM32 (S_GDATA32 / S_LDATA32); name at +14. */
export const DataSym32Layout = defineLayout('DATASYM32', {
  recLen: 'u16', recKind: 'u16', typind: 'u32', off: 'u32', seg: 'u16',
});
/** REFSYM2 (S_PROCREF / S_LPROCREF / S_DATAREF); name at +14. */
export const RefSym2Layout = defineLayout('REFSYM2', {
  recLen: 'u16', recKind: 'u16', sumName: 'u32', ibSym: 'u32', imod: 'u16',
});
/** PROCSYM32 (S_GPROC32 / S_LPROC32 and the _ID variants); name at +39. */
export const ProcSym32Layout = defineLayout('PROCSYM32', {
  recLen: 'u16', recKind: 'u16', pParent: 'u32', pEnd: 'u32', pNext: 'u32', len: 'u32',
  dbgStart: 'u32', dbgEnd: 'u32', typind: 'u32', off: 'u32', seg: 'u16', flags: 'u8',
});
/** THUNKSYM32; name at +25. */
export const ThunkSym32Layout = defineLayout('THUNKSYM32', {
  recLen: 'u16', recKind: 'u16', pParent: 'u32', pEnd: 'u32', pNext: 'u32', off: 'u32', seg: 'u16', len: 'u16', ord: 'u8',
});
/** BLOCKSYM32; name at +22. */
export const BlockSym32Layout = defineLayout('BLOCKSYM32', {
  recLen: 'u16', recKind: 'u16', pParent: 'u32', pEnd: 'u32', len: 'u32', off: 'u32', seg: 'u16',
});
/** SEPCODESYM (separated code of a procedure, e.g. cold parts). */
export const SepCodeSymLayout = defineLayout('SEPCODESYM', {
  recLen: 'u16', recKind: 'u16', pParent: 'u32', pEnd: 'u32', length: 'u32', scf: 'u32',
  off: 'u32', offParent: 'u32', sect: 'u16', sectParent: 'u16',
});
/** INLINESITESYM; binary annotations follow at +16. */
export const InlineSiteSymLayout = defineLayout('INLINESITESYM', {
  recLen: 'u16', recKind: 'u16', pParent: 'u32', pEnd: 'u32', inlinee: 'u32',
});

/** C13 debug subsection header {kind, length}. */
export const DebugSubsectionHeaderLayout = defineLayout('CV_DebugSubsectionHeader', { kind: 'u32', length: 'u32' });
export const DEBUG_SUBSECTION_HEADER_SIZE = DebugSubsectionHeaderLayout.size; // 8
/** CV_DEBUG_S_LINES header. */
export const LineFragmentHeaderLayout = defineLayout('CV_LineFragmentHeader', {
  relocOffset: 'u32', relocSegment: 'u16', flags: 'u16', codeSize: 'u32',
});
export const LINE_FRAGMENT_HEADER_SIZE = LineFragmentHeaderLayout.size; // 12
export const LineBlockFragmentHeaderLayout = defineLayout('CV_LineBlockFragmentHeader', {
  nameIndex: 'u32', numLines: 'u32', blockSize: 'u32',
});
export const LINE_BLOCK_HEADER_SIZE = LineBlockFragmentHeaderLayout.size; // 12
export const LineNumberEntryLayout = defineLayout('CV_Line_t', { offset: 'u32', flags: 'u32' });
export const LINE_NUMBER_ENTRY_SIZE = LineNumberEntryLayout.size; // 8
export const COLUMN_NUMBER_ENTRY_SIZE = 4;
export const FileChecksumEntryHeaderLayout = defineLayout('CV_FileChecksumEntryHeader', {
  fileNameOffset: 'u32', checksumSize: 'u8', checksumKind: 'u8',
});
export const FILE_CHECKSUM_HEADER_SIZE = FileChecksumEntryHeaderLayout.size; // 6

/** Legacy FPO_DATA (16 bytes, C.2). */
export const FpoDataLayout = defineLayout('FPO_DATA', {
  ulOffStart: 'u32', cbProcSize: 'u32', cdwLocals: 'u32', cdwParams: 'u16', attributes: 'u16',
});
export const FPO_DATA_SIZE = FpoDataLayout.size; // 16

/** FRAMEDATA ("new FPO", 32 bytes, C.3). */
export const FrameDataLayout = defineLayout('FRAMEDATA', {
  ulRvaStart: 'u32', cbBlock: 'u32', cbLocals: 'u32', cbParams: 'u32', cbStkMax: 'u32',
  frameFunc: 'u32', cbProlog: 'u16', cbSavedRegs: 'u16', flags: 'u32',
});
export const FRAMEDATA_SIZE = FrameDataLayout.size; // 32
