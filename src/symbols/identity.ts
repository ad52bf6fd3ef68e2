import type { ByteSource } from '../bytes/source.js';
import { FileSource } from '../bytes/source.js';
import { FormatError } from '../bytes/errors.js';
import { formatGuid, pdbKey } from '../formats/codeview/index.js';
import type { CodeViewRecord } from '../formats/codeview/index.js';
import { readSymHeader } from '../formats/sym/index.js';

/**
 * Who a module is, in the forms symbol stores index by (E.7). Built from the
 * minidump module record (or a PE header) plus its CodeView record.
 */
export interface ModuleIdentity {
  /** Image file name, leaf only (`ntdll.dll`). */
  name: string;
  /** PE code id: TimeDateStamp as %08X then SizeOfImage as %x (`542D574232000`). */
  codeId: string;
  /** PDB file name from the CodeView record, leaf only; undefined without a record. */
  pdbName: string | undefined;
  /** Debug id: RSDS GUID (32 upper-case hex) + age in upper-case hex; NB10: signature %08X + age. */
  debugId: string | undefined;
  timeDateStamp: number;
  sizeOfImage: number;
}

/** Leaf of a Windows or POSIX path: both `\` and `/` separate directories. */
export function leafName(path: string): string {
  const i = Math.max(path.lastIndexOf('\\'), path.lastIndexOf('/'));
  return path.slice(i + 1);
}

/** `%08X%x` of TimeDateStamp and SizeOfImage (E.7: upper-case padded stamp, lower-case unpadded size). */
export function formatCodeId(timeDateStamp: number, sizeOfImage: number): string {
  return (timeDateStamp >>> 0).toString(16).toUpperCase().padStart(8, '0') + (sizeOfImage >>> 0).toString(16);
}

/** Builds the identity from minidump module fields and the decoded CodeView record. */
export function moduleIdentity(m: { moduleName: string; timeDateStamp: number; sizeOfImage: number; cvRecord?: CodeViewRecord | undefined }): ModuleIdentity {
  const cv = m.cvRecord;
  const hasPdb = cv !== undefined && cv.format !== 'other' && cv.pdbFileName.length > 0;
  return {
    name: leafName(m.moduleName),
    codeId: formatCodeId(m.timeDateStamp, m.sizeOfImage),
    pdbName: hasPdb ? leafName(cv.pdbFileName) : undefined,
    debugId: cv ? pdbKey(cv) : undefined,
    timeDateStamp: m.timeDateStamp >>> 0,
    sizeOfImage: m.sizeOfImage >>> 0,
  };
}

/** Identity found inside a candidate file, in the same key spelling as requests use. */
export type FileIdentity =
  | { kind: 'pdb'; key: string; guid: string; age: number; infoAge: number; signature: number }
  | { kind: 'image'; key: string; timeDateStamp: number; sizeOfImage: number }
  | { kind: 'sym'; key: string; name: string; codeId: string | undefined };

const MSF_MAGIC = Buffer.from('Microsoft C/C++ MSF 7.00\r\n\x1aDS\0\0\0', 'latin1');
const NIL_STREAM = 0xffffffff;
/** Stream directories beyond this are not plausible (a 4 GiB PDB with 4 KiB blocks needs ~4 MiB). */
const MAX_DIRECTORY = 64 * 1024 * 1024;

function need(src: ByteSource, offset: number, length: number, what: string): Buffer {
  const b = src.read(offset, length);
  if (b.length < length) throw new FormatError('Truncated', `${what} runs past the end of the file`, `reading ${src.name}`, offset);
  return b;
}

/**
 * Reads GUID/age of an MSF 7.0 PDB: the info stream (1) gives GUID and signature, the DBI
 * stream (3) gives the age symbol servers index by (E.7: the info-stream age is often
 * bumped later by tools and no longer matches the image).
 */
export function readPdbIdentity(src: ByteSource): FileIdentity & { kind: 'pdb' } {
  const sb = need(src, 0, 56, 'MSF superblock');
  if (!sb.subarray(0, 32).equals(MSF_MAGIC)) {
    const old = sb.toString('latin1', 0, 40).startsWith('Microsoft C/C++ program database 2.00');
    throw new FormatError(old ? 'UnsupportedVersion' : 'BadValue', old ? 'PDB 2.0 files are not supported' : 'not an MSF 7.0 PDB file', `reading ${src.name}`, 0);
  }
  const blockSize = sb.readUInt32LE(32);
  const numBlocks = sb.readUInt32LE(40);
  const dirBytes = sb.readUInt32LE(44);
  const blockMapAddr = sb.readUInt32LE(52);
  if (![512, 1024, 2048, 4096, 8192, 16384, 32768].includes(blockSize)) throw new FormatError('BadValue', `MSF block size ${blockSize} is invalid`, `reading ${src.name}`, 32);
  if (dirBytes > MAX_DIRECTORY || dirBytes < 4) throw new FormatError('BadValue', `MSF stream directory size ${dirBytes} is invalid`, `reading ${src.name}`, 44);
  const block = (n: number, what: string): Buffer => {
    if (n >= numBlocks) throw new FormatError('OutOfBounds', `${what} points at block ${n} of ${numBlocks}`, `reading ${src.name}`);
    return need(src, n * blockSize, blockSize, what);
  };
  const dirBlockCount = Math.ceil(dirBytes / blockSize);
  if (dirBlockCount * 4 > blockSize * 64) throw new FormatError('BadValue', 'MSF block map too large', `reading ${src.name}`, 52);
  // The block map may span several blocks only in "big" directories; it is contiguous from BlockMapAddr.
  const map = need(src, blockMapAddr * blockSize, dirBlockCount * 4, 'MSF block map');
  const dirParts: Buffer[] = [];
  for (let i = 0; i < dirBlockCount; i++) dirParts.push(block(map.readUInt32LE(i * 4), 'MSF directory'));
  const dir = Buffer.concat(dirParts).subarray(0, dirBytes);
  const numStreams = dir.readUInt32LE(0);
  if (numStreams < 2 || 4 + numStreams * 4 > dir.length) throw new FormatError('BadValue', `MSF directory lists ${numStreams} streams`, `reading ${src.name}`);
  const sizes: number[] = [];
  for (let i = 0; i < numStreams; i++) sizes.push(dir.readUInt32LE(4 + i * 4));
  let pos = 4 + numStreams * 4;
  const blocksOf: number[][] = [];
  for (let i = 0; i < Math.min(numStreams, 4); i++) {
    const size = sizes[i]!;
    const n = size === NIL_STREAM ? 0 : Math.ceil(size / blockSize);
    if (pos + n * 4 > dir.length) throw new FormatError('Truncated', 'MSF directory block lists run past its end', `reading ${src.name}`);
    const list: number[] = [];
    for (let k = 0; k < n; k++) list.push(dir.readUInt32LE(pos + k * 4));
    pos += n * 4;
    blocksOf.push(list);
  }
  // Reads the first `length` bytes of a stream (enough for the headers used here).
  const streamHead = (index: number, length: number): Buffer | undefined => {
    const size = sizes[index];
    const list = blocksOf[index];
    if (size === undefined || size === NIL_STREAM || !list || size < length) return undefined;
    const parts: Buffer[] = [];
    for (let k = 0; k * blockSize < length; k++) parts.push(block(list[k]!, `stream ${index}`));
    return Buffer.concat(parts).subarray(0, length);
  };
  const info = streamHead(1, 28);
  if (!info) throw new FormatError('Truncated', 'PDB info stream is missing or too short', `reading ${src.name}`);
  const signature = info.readUInt32LE(4);
  const infoAge = info.readUInt32LE(8);
  const guid = formatGuid(info, 12);
  const dbi = streamHead(3, 12);
  // DbiStreamHeader: VersionSignature (-1), VersionHeader, Age.
  const age = dbi && dbi.readInt32LE(0) === -1 ? dbi.readUInt32LE(8) : infoAge;
  return { kind: 'pdb', key: guid + age.toString(16).toUpperCase(), guid, age, infoAge, signature };
}

/** Reads TimeDateStamp and SizeOfImage from a PE file's headers (E.1). */
export function readImageIdentity(src: ByteSource): FileIdentity & { kind: 'image' } {
  const dos = need(src, 0, 64, 'DOS header');
  if (dos.readUInt16LE(0) !== 0x5a4d) throw new FormatError('BadValue', 'not a PE image (no MZ signature)', `reading ${src.name}`, 0);
  const lfanew = dos.readUInt32LE(0x3c);
  if (lfanew > 0x10000000) throw new FormatError('BadValue', `e_lfanew 0x${lfanew.toString(16)} is implausible`, `reading ${src.name}`, 0x3c);
  const nt = need(src, lfanew, 24 + 60, 'NT headers');
  if (nt.readUInt32LE(0) !== 0x4550) throw new FormatError('BadValue', 'not a PE image (no PE signature)', `reading ${src.name}`, lfanew);
  const timeDateStamp = nt.readUInt32LE(8);
  const magic = nt.readUInt16LE(24);
  if (magic !== 0x10b && magic !== 0x20b) throw new FormatError('BadValue', `unknown optional header magic 0x${magic.toString(16)}`, `reading ${src.name}`, lfanew + 24);
  // SizeOfImage sits at offset 56 of both IMAGE_OPTIONAL_HEADER32 and IMAGE_OPTIONAL_HEADER64.
  const sizeOfImage = nt.readUInt32LE(24 + 56);
  return { kind: 'image', key: formatCodeId(timeDateStamp, sizeOfImage), timeDateStamp, sizeOfImage };
}

/** Reads the MODULE line of a Breakpad .sym file. */
export function readSymIdentity(path: string): FileIdentity & { kind: 'sym' } {
  const h = readSymHeader(path);
  return { kind: 'sym', key: h.module.id.toUpperCase(), name: h.module.name, codeId: h.codeId };
}

/** Reads the identity of a file of the given kind; throws FormatError for unreadable or foreign files. */
export function readFileIdentity(kind: 'pdb' | 'image' | 'sym', path: string): FileIdentity {
  if (kind === 'sym') return readSymIdentity(path);
  const src = new FileSource(path);
  try {
    return kind === 'pdb' ? readPdbIdentity(src) : readImageIdentity(src);
  } finally {
    src.close();
  }
}

/**
 * Whether a found file matches the requested key. PDBs: GUID and age (DBI age, or the
 * info-stream age, which dbghelp also accepts); NB10 keys compare the signature. Images:
 * TimeDateStamp+SizeOfImage. .sym: the MODULE debug id. Comparison ignores case (SSQP
 * servers lower-case keys).
 */
export function identityMatches(found: FileIdentity, key: string): boolean {
  const want = key.toUpperCase();
  if (found.key.toUpperCase() === want) return true;
  if (found.kind === 'pdb') {
    if (found.guid + found.infoAge.toString(16).toUpperCase() === want) return true;
    // NB10 (PDB 2.0-style key inside an MSF 7.0 file): signature %08X + age.
    const sig = found.signature.toString(16).toUpperCase().padStart(8, '0');
    return want.length < 32 && (want === sig + found.age.toString(16).toUpperCase() || want === sig + found.infoAge.toString(16).toUpperCase());
  }
  return false;
}
