/**
 * PDB (MSF 7.00) format layer.
 *
 *   const pdb = PdbFile.open('app.pdb');          // reads the MSF directory and the info stream
 *   pdb.info.guid, pdb.info.age                    // match against the image's RSDS record
 *   pdb.lookup(rva)                                // { name, rva, size?, kind } — proc, else public/data
 *   pdb.lineAt(rva)                                // { file, line, rva } from C13 lines
 *   pdb.frameData(rva)                             // x86 FrameData / FPO_DATA (Breakpad STACK WIN shape)
 *   pdb.findByName('main'), pdb.symbols()
 *
 * Lower-level pieces (MsfFile/PdbStream, DbiStream, ModuleSymbols,
 * iterateSymbols/readSymbolAt) are exported for TPI/IPI and locals work.
 *
 *   const { tpi, ipi } = typeStreamsOf(pdb.msf);  // TypeStream: record(ti), findByName, resolveForward, fieldMembers
 *   typeName(tpi, ti), dtTypeName(tpi, ti), typeSize(tpi, ti)
 *   procScope(pdb.moduleSymbols(i)!, proc)          // parameters/locals with S_DEFRANGE_* locations
 */
export * from './layouts.js';
export { MsfFile, PdbStream } from './msf.js';
export type { MsfSuperBlock } from './msf.js';
export { parsePdbInfoStream, parseNamedStreamMap } from './info.js';
export type { PdbInfo } from './info.js';
export { PdbStringTable } from './strings.js';
export { DbiStream, IMAGE_FILE_MACHINE_I386, IMAGE_FILE_MACHINE_AMD64, IMAGE_FILE_MACHINE_ARM64 } from './dbi.js';
export type { DbiStreamHeader, DbiModule, SectionContribution, SectionMapEntry, DbiSubstreams } from './dbi.js';
export { parseSectionHeaders, rvaToSectionOffset, sectionOffsetToRva, OmapTable } from './sections.js';
export type { PdbSectionHeader } from './sections.js';
export * from './symbols.js';
export { ModuleSymbols, DebugSubsectionKind, DEBUG_SUBSECTION_IGNORE, LINE_HIDDEN_FEEFEE, LINE_HIDDEN_F00F00, lastAtOrBefore } from './module.js';
export type { ModuleProc, ScopeRange, LineBlock, LineFragment, LineHit, C13Subsection } from './module.js';
export { PublicsIndex } from './publics.js';
export { GsiHashTable, hashStringV1, IPHR_HASH, GSI_HASH_SIGNATURE, GSI_HASH_V70 } from './gsi.js';
export type { PublicEntry } from './publics.js';
export * from './framedata.js';
export { PdbFile, undecorateCName } from './pdb-file.js';
export type { PdbSymbol, PdbSymbolKind, PdbLine, PdbOpenOptions } from './pdb-file.js';
export * from './tpi.js';
export * from './type-names.js';
export * from './locals.js';
