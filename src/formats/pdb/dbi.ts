import { FormatError } from '../../bytes/errors.js';
import {
  DBI_HEADER_SIZE,
  DBI_SC_VER_2,
  DBI_SC_VER_60,
  DbgHeaderType,
  DbiStreamHeaderLayout,
  MOD_INFO_FIXED_SIZE,
  ModInfoLayout,
  NIL_STREAM_INDEX,
  SECTION_CONTRIB2_SIZE,
  SECTION_CONTRIB_SIZE,
  SECTION_MAP_ENTRY_SIZE,
  SectionContribLayout,
  SectionMapEntryLayout,
  SectionMapHeaderLayout,
} from './layouts.js';
import type { PdbStream } from './msf.js';

export type DbiStreamHeader = ReturnType<typeof DbiStreamHeaderLayout.decode>;

export interface SectionContribution {
  /** 1-based section number. */
  section: number;
  offset: number;
  size: number;
  characteristics: number;
  /** 0-based module index. */
  module: number;
  dataCrc: number;
  relocCrc: number;
}

export interface DbiModule {
  /** 0-based module index (S_PROCREF's `imod` is this + 1). */
  index: number;
  moduleName: string;
  objFileName: string;
  /** Module symbol stream, or undefined when the module has none (0xFFFF). */
  symStream: number | undefined;
  /** Size of the symbol records, including the 4-byte CV signature. */
  symByteSize: number;
  c11ByteSize: number;
  c13ByteSize: number;
  sourceFileCount: number;
  flags: number;
  /** The module's first section contribution. */
  sectionContrib: SectionContribution;
}

export interface SectionMapEntry {
  flags: number;
  ovl: number;
  group: number;
  frame: number;
  secName: number;
  className: number;
  offset: number;
  secByteLength: number;
}

/** Byte ranges of the DBI substreams (F.4), in file order. */
export interface DbiSubstreams {
  modInfo: [number, number];
  sectionContribution: [number, number];
  sectionMap: [number, number];
  fileInfo: [number, number];
  typeServerMap: [number, number];
  ec: [number, number];
  optionalDbgHeader: [number, number];
}

/** DBI machine types. */
export const IMAGE_FILE_MACHINE_I386 = 0x14c;
export const IMAGE_FILE_MACHINE_AMD64 = 0x8664;
export const IMAGE_FILE_MACHINE_ARM64 = 0xaa64;

/** Upper bound on any DBI substream we read whole. */
const MAX_SUBSTREAM = 256 * 1024 * 1024;

function decodeContrib(buf: Buffer, at: number, ctx: string): SectionContribution {
  const c = SectionContribLayout.decode(buf, at, ctx);
  return {
    section: c.iSect,
    offset: c.off,
    size: c.size,
    characteristics: c.characteristics,
    module: c.iMod,
    dataCrc: c.dataCrc,
    relocCrc: c.relocCrc,
  };
}

/**
 * The DBI stream (stream 3): header, module list, section contributions,
 * section map and the optional debug header. Substreams are read and decoded
 * on first use.
 */
export class DbiStream {
  readonly stream: PdbStream;
  readonly header: DbiStreamHeader;
  readonly substreams: DbiSubstreams;
  private modulesCache: DbiModule[] | undefined;
  private contribsCache: SectionContribution[] | undefined;
  private dbgCache: number[] | undefined;

  constructor(stream: PdbStream) {
    const ctx = `reading DBI stream ${stream.index}`;
    if (stream.size < DBI_HEADER_SIZE) {
      throw new FormatError('Truncated', `DBI stream holds ${stream.size} bytes, header needs ${DBI_HEADER_SIZE}`, ctx, 0);
    }
    this.stream = stream;
    this.header = DbiStreamHeaderLayout.decode(stream.read(0, DBI_HEADER_SIZE), 0, ctx);
    if (this.header.versionSignature !== -1) {
      throw new FormatError('UnsupportedVersion', `DBI stream has an old-style header (signature ${this.header.versionSignature})`, ctx, 0);
    }
    const h = this.header;
    const sizes: Array<[keyof DbiSubstreams, number]> = [
      ['modInfo', h.modInfoSize],
      ['sectionContribution', h.sectionContributionSize],
      ['sectionMap', h.sectionMapSize],
      ['fileInfo', h.sourceInfoSize],
      ['typeServerMap', h.typeServerMapSize],
      // EC precedes the optional debug header even though its size field comes later.
      ['ec', h.ecSubstreamSize],
      ['optionalDbgHeader', h.optionalDbgHeaderSize],
    ];
    const ranges: Partial<DbiSubstreams> = {};
    let pos = DBI_HEADER_SIZE;
    for (const [name, size] of sizes) {
      if (size < 0 || pos + size > stream.size) {
        throw new FormatError('Truncated', `DBI ${name} substream of ${size} bytes at +0x${pos.toString(16)} does not fit in the stream (0x${stream.size.toString(16)} bytes)`, ctx, pos);
      }
      ranges[name] = [pos, size];
      pos += size;
    }
    this.substreams = ranges as DbiSubstreams;
  }

  get age(): number { return this.header.age; }
  get machine(): number { return this.header.machine; }
  /** Stream of the globals GSI hash, or undefined. */
  get globalStreamIndex(): number | undefined { return nilToUndefined(this.header.globalStreamIndex); }
  get publicStreamIndex(): number | undefined { return nilToUndefined(this.header.publicStreamIndex); }
  get symRecordStreamIndex(): number | undefined { return nilToUndefined(this.header.symRecordStreamIndex); }
  /** Flags bit 1: private symbols were stripped (public-only PDB). */
  get isStripped(): boolean { return (this.header.flags & 2) !== 0; }

  private substream(name: keyof DbiSubstreams): Buffer {
    const [off, size] = this.substreams[name];
    if (size > MAX_SUBSTREAM) throw new FormatError('TooLarge', `DBI ${name} substream of ${size} bytes`, `reading DBI stream ${this.stream.index}`, off);
    return this.stream.read(off, size);
  }

  /** Module infos (ModInfo records). */
  get modules(): DbiModule[] {
    if (this.modulesCache) return this.modulesCache;
    const ctx = `reading DBI module info substream`;
    const buf = this.substream('modInfo');
    const out: DbiModule[] = [];
    let pos = 0;
    while (pos + MOD_INFO_FIXED_SIZE <= buf.length) {
      const m = ModInfoLayout.decode(buf, pos, ctx);
      let p = pos + MOD_INFO_FIXED_SIZE;
      const nameEnd = buf.indexOf(0, p);
      if (nameEnd < 0) throw new FormatError('Truncated', `module ${out.length} name is not terminated`, ctx, p);
      const moduleName = buf.toString('utf8', p, nameEnd);
      p = nameEnd + 1;
      const objEnd = buf.indexOf(0, p);
      if (objEnd < 0) throw new FormatError('Truncated', `module ${out.length} object file name is not terminated`, ctx, p);
      const objFileName = buf.toString('utf8', p, objEnd);
      p = objEnd + 1;
      out.push({
        index: out.length,
        moduleName,
        objFileName,
        symStream: nilToUndefined(m.moduleSymStream),
        symByteSize: m.symByteSize,
        c11ByteSize: m.c11ByteSize,
        c13ByteSize: m.c13ByteSize,
        sourceFileCount: m.sourceFileCount,
        flags: m.flags,
        sectionContrib: decodeContrib(m.sectionContr, 0, ctx),
      });
      pos = (p + 3) & ~3;
    }
    this.modulesCache = out;
    return out;
  }

  /** Section contributions sorted by (section, offset). */
  get sectionContributions(): SectionContribution[] {
    if (this.contribsCache) return this.contribsCache;
    const ctx = `reading DBI section contribution substream`;
    const buf = this.substream('sectionContribution');
    const out: SectionContribution[] = [];
    if (buf.length >= 4) {
      const version = buf.readUInt32LE(0);
      const entry = version === DBI_SC_VER_2 ? SECTION_CONTRIB2_SIZE : version === DBI_SC_VER_60 ? SECTION_CONTRIB_SIZE : 0;
      if (entry === 0) throw new FormatError('UnsupportedVersion', `unknown section contribution version 0x${version.toString(16)}`, ctx, 0);
      for (let pos = 4; pos + entry <= buf.length; pos += entry) out.push(decodeContrib(buf, pos, ctx));
    }
    out.sort((a, b) => a.section - b.section || a.offset - b.offset);
    this.contribsCache = out;
    return out;
  }

  /** The contribution containing section:offset (binary search), if any. */
  contributionAt(section: number, offset: number): SectionContribution | undefined {
    const list = this.sectionContributions;
    let lo = 0;
    let hi = list.length - 1;
    let best = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      const c = list[mid]!;
      if (c.section < section || (c.section === section && c.offset <= offset)) {
        best = mid;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    // Zero-size contributions can share a start with the real one: walk back over them.
    for (let i = best; i >= 0 && i > best - 8; i--) {
      const c = list[i]!;
      if (c.section !== section) break;
      if (offset >= c.offset && offset < c.offset + c.size) return c;
    }
    return undefined;
  }

  /** Section map entries (rarely needed). */
  get sectionMap(): SectionMapEntry[] {
    const ctx = 'reading DBI section map substream';
    const buf = this.substream('sectionMap');
    if (buf.length < SectionMapHeaderLayout.size) return [];
    const h = SectionMapHeaderLayout.decode(buf, 0, ctx);
    const out: SectionMapEntry[] = [];
    for (let i = 0; i < h.count; i++) {
      const at = SectionMapHeaderLayout.size + i * SECTION_MAP_ENTRY_SIZE;
      if (at + SECTION_MAP_ENTRY_SIZE > buf.length) break;
      out.push(SectionMapEntryLayout.decode(buf, at, ctx));
    }
    return out;
  }

  /** The optional debug header: stream index per DbgHeaderType (0xFFFF → undefined). */
  get debugStreams(): Array<number | undefined> {
    if (!this.dbgCache) {
      const buf = this.substream('optionalDbgHeader');
      const list: number[] = [];
      for (let pos = 0; pos + 2 <= buf.length; pos += 2) list.push(buf.readUInt16LE(pos));
      this.dbgCache = list;
    }
    return this.dbgCache.map(nilToUndefined);
  }

  /** Stream index of one optional debug stream (e.g. DbgHeaderType.sectionHdr). */
  debugStream(type: number): number | undefined {
    return this.debugStreams[type];
  }

  get sectionHeaderStream(): number | undefined { return this.debugStream(DbgHeaderType.sectionHdr); }
  get fpoStream(): number | undefined { return this.debugStream(DbgHeaderType.fpo); }
  get newFpoStream(): number | undefined { return this.debugStream(DbgHeaderType.newFpo); }
}

function nilToUndefined(n: number | undefined): number | undefined {
  return n === undefined || n === NIL_STREAM_INDEX ? undefined : n;
}
