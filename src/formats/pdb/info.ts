import { FormatError } from '../../bytes/errors.js';
import { asciiz } from '../../bytes/reader.js';
import { formatGuid } from '../codeview/index.js';
import {
  PDB_FEATURE_MINIMAL_DEBUG_INFO,
  PDB_FEATURE_NO_TYPE_MERGE,
  PDB_FEATURE_VC140,
  PDB_INFO_HEADER_SIZE,
  PdbInfoStreamHeaderLayout,
} from './layouts.js';
import type { PdbStream } from './msf.js';

/** The PDB info stream (stream 1, F.3). */
export interface PdbInfo {
  version: number;
  /** time_t written by the linker. */
  signature: number;
  age: number;
  /** Upper-case hex, no dashes, as formatGuid prints it (symbol-server key order). */
  guid: string;
  /** Raw 16 GUID bytes. */
  guidBytes: Buffer;
  /** Named streams ("/names", "/LinkInfo", "/src/headerblock", ...) → stream index. */
  namedStreams: Map<string, number>;
  /** Feature codes following the named stream map. */
  features: number[];
  /** VC140 feature: an IPI stream is present. */
  hasIdStream: boolean;
  /** /DEBUG:FASTLINK PDB: symbols live in the object files, not here. */
  isMinimalDebugInfo: boolean;
  hasNoTypeMerge: boolean;
}

/** Largest named-stream string buffer we accept. */
const MAX_NAME_BUFFER = 16 * 1024 * 1024;
/** Largest hash table capacity we accept (real tables hold a handful of names). */
const MAX_HASH_CAPACITY = 1 << 20;

/** Parses the PDB info stream. */
export function parsePdbInfoStream(stream: PdbStream): PdbInfo {
  const ctx = `reading PDB info stream ${stream.index}`;
  if (stream.size < PDB_INFO_HEADER_SIZE) {
    throw new FormatError('Truncated', `PDB info stream holds ${stream.size} bytes, header needs ${PDB_INFO_HEADER_SIZE}`, ctx, 0);
  }
  // The info stream is small (tens of bytes plus the name table): read it whole.
  const buf = stream.read(0, Math.min(stream.size, MAX_NAME_BUFFER + 4096));
  const h = PdbInfoStreamHeaderLayout.decode(buf, 0, ctx);
  const info: PdbInfo = {
    version: h.version,
    signature: h.signature,
    age: h.age,
    guid: formatGuid(h.guid),
    guidBytes: Buffer.from(h.guid),
    namedStreams: new Map(),
    features: [],
    hasIdStream: false,
    isMinimalDebugInfo: false,
    hasNoTypeMerge: false,
  };
  // The named stream map is optional in practice (very old PDBs end here).
  try {
    const end = parseNamedStreamMap(buf, PDB_INFO_HEADER_SIZE, info.namedStreams, ctx);
    // niMac (u32), then feature codes until the end of the stream.
    let pos = end + 4;
    while (pos + 4 <= buf.length) {
      info.features.push(buf.readUInt32LE(pos));
      pos += 4;
    }
  } catch (e) {
    if (!(e instanceof FormatError)) throw e;
  }
  info.hasIdStream = info.features.includes(PDB_FEATURE_VC140);
  info.isMinimalDebugInfo = info.features.includes(PDB_FEATURE_MINIMAL_DEBUG_INFO);
  info.hasNoTypeMerge = info.features.includes(PDB_FEATURE_NO_TYPE_MERGE);
  return info;
}

function u32At(buf: Buffer, pos: number, ctx: string): number {
  if (pos + 4 > buf.length) throw new FormatError('Truncated', `named stream map ends at +0x${buf.length.toString(16)}`, ctx, pos);
  return buf.readUInt32LE(pos);
}

/**
 * Parses the serialized named stream map (string buffer + hash table) at `pos`,
 * fills `out`, and returns the offset just after the hash table.
 */
export function parseNamedStreamMap(buf: Buffer, pos: number, out: Map<string, number>, ctx: string): number {
  const strSize = u32At(buf, pos, ctx);
  if (strSize > MAX_NAME_BUFFER || pos + 4 + strSize > buf.length) {
    throw new FormatError('Truncated', `named stream string buffer of ${strSize} bytes does not fit`, ctx, pos);
  }
  const strings = buf.subarray(pos + 4, pos + 4 + strSize);
  pos += 4 + strSize;
  const size = u32At(buf, pos, ctx);
  const capacity = u32At(buf, pos + 4, ctx);
  pos += 8;
  if (capacity > MAX_HASH_CAPACITY || size > capacity) {
    throw new FormatError('BadValue', `named stream hash table of size ${size} / capacity ${capacity}`, ctx, pos);
  }
  const presentWords = u32At(buf, pos, ctx);
  if (presentWords > MAX_HASH_CAPACITY) throw new FormatError('BadValue', `present bit vector of ${presentWords} words`, ctx, pos);
  const presentAt = pos + 4;
  pos = presentAt + presentWords * 4;
  const deletedWords = u32At(buf, pos, ctx);
  if (deletedWords > MAX_HASH_CAPACITY) throw new FormatError('BadValue', `deleted bit vector of ${deletedWords} words`, ctx, pos);
  pos += 4 + deletedWords * 4;
  for (let bucket = 0; bucket < Math.min(capacity, presentWords * 32); bucket++) {
    const word = u32At(buf, presentAt + (bucket >>> 5) * 4, ctx);
    if (((word >>> (bucket & 31)) & 1) === 0) continue;
    const key = u32At(buf, pos, ctx);
    const value = u32At(buf, pos + 4, ctx);
    pos += 8;
    if (key < strings.length) out.set(asciiz(strings, key), value);
  }
  return pos;
}
