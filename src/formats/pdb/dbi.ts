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
  private contribsCache: SectionContribution[] | undefined;
  private inPlaceSearches = 0;
  private contribEntry: number | undefined;
  private static readonly IN_PLACE_SEARCHES = 256;
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

  /** ModInfo bytes read per step when walking the module list. */
  private static readonly MOD_CHUNK = 4096;
  private modCursor = 0;
  private readonly modList: DbiModule[] = [];
  private modDone = false;
  private modBuf: Buffer = Buffer.alloc(0);
  private modBufStart = 0;

  /** At least min(want, remaining) ModInfo bytes starting at substream offset `pos` (chunked, cached). */
  private modBytes(pos: number, want: number): Buffer {
    const [base, size] = this.substreams.modInfo;
    const need = Math.min(want, size - pos);
    if (pos >= this.modBufStart && pos + need <= this.modBufStart + this.modBuf.length) {
      return this.modBuf.subarray(pos - this.modBufStart);
    }
    const len = Math.min(size - pos, Math.max(need, DbiStream.MOD_CHUNK));
    this.modBuf = this.stream.read(base + pos, len);
    this.modBufStart = pos;
    return this.modBuf;
  }

  /**
   * Parses ModInfo records up to index `upTo` (inclusive), reading the
   * substream a chunk at a time: finding module 2 does not read module 5000.
   */
  private parseModulesUpTo(upTo: number): void {
    const ctx = 'reading DBI module info substream';
    const [base, size] = this.substreams.modInfo;
    while (!this.modDone && this.modList.length <= upTo) {
      const pos = this.modCursor;
      if (pos + MOD_INFO_FIXED_SIZE > size) {
        this.modDone = true;
        break;
      }
      // Fixed part plus the two names; ask for more bytes when a name is longer.
      let want = MOD_INFO_FIXED_SIZE + 512;
      let buf = this.modBytes(pos, want);
      let nameEnd = buf.indexOf(0, MOD_INFO_FIXED_SIZE);
      let objEnd = nameEnd < 0 ? -1 : buf.indexOf(0, nameEnd + 1);
      while (objEnd < 0 && buf.length < size - pos) {
        want = buf.length * 4;
        buf = this.modBytes(pos, want);
        nameEnd = buf.indexOf(0, MOD_INFO_FIXED_SIZE);
        objEnd = nameEnd < 0 ? -1 : buf.indexOf(0, nameEnd + 1);
      }
      if (objEnd < 0) throw new FormatError('Truncated', `module ${this.modList.length} names are not terminated`, ctx, base + pos);
      const m = ModInfoLayout.decode(buf, 0, ctx);
      this.modList.push({
        index: this.modList.length,
        moduleName: buf.toString('utf8', MOD_INFO_FIXED_SIZE, nameEnd),
        objFileName: buf.toString('utf8', nameEnd + 1, objEnd),
        symStream: nilToUndefined(m.moduleSymStream),
        symByteSize: m.symByteSize,
        c11ByteSize: m.c11ByteSize,
        c13ByteSize: m.c13ByteSize,
        sourceFileCount: m.sourceFileCount,
        flags: m.flags,
        sectionContrib: decodeContrib(m.sectionContr, 0, ctx),
      });
      this.modCursor = pos + ((objEnd + 1 + 3) & ~3);
    }
    if (this.modDone) this.modBuf = Buffer.alloc(0);
  }

  /** Module `index` (0-based), parsing the module list only as far as needed. */
  module(index: number): DbiModule | undefined {
    if (!Number.isInteger(index) || index < 0) return undefined;
    this.parseModulesUpTo(index);
    return this.modList[index];
  }

  /** All module infos (ModInfo records). */
  get modules(): DbiModule[] {
    this.parseModulesUpTo(Number.MAX_SAFE_INTEGER);
    return this.modList;
  }

  /** Section contribution entry size from the substream version (0 when the substream is empty). */
  private contribEntrySize(): number {
    if (this.contribEntry !== undefined) return this.contribEntry;
    const [off, size] = this.substreams.sectionContribution;
    if (size < 4) return (this.contribEntry = 0);
    const version = this.stream.read(off, 4).readUInt32LE(0);
    if (version === DBI_SC_VER_2) return (this.contribEntry = SECTION_CONTRIB2_SIZE);
    if (version === DBI_SC_VER_60) return (this.contribEntry = SECTION_CONTRIB_SIZE);
    throw new FormatError('UnsupportedVersion', `unknown section contribution version 0x${version.toString(16)}`, 'reading DBI section contribution substream', off);
  }

  /** Number of section contributions. */
  get contributionCount(): number {
    const entry = this.contribEntrySize();
    return entry ? Math.floor((this.substreams.sectionContribution[1] - 4) / entry) : 0;
  }

  /** Section contributions sorted by (section, offset) (reads the whole substream). */
  get sectionContributions(): SectionContribution[] {
    if (this.contribsCache) return this.contribsCache;
    const ctx = `reading DBI section contribution substream`;
    const entry = this.contribEntrySize();
    const out: SectionContribution[] = [];
    if (entry) {
      const buf = this.substream('sectionContribution');
      for (let pos = 4; pos + entry <= buf.length; pos += entry) out.push(decodeContrib(buf, pos, ctx));
    }
    out.sort((a, b) => a.section - b.section || a.offset - b.offset);
    this.contribsCache = out;
    return out;
  }

  /**
   * The contribution containing section:offset. Linkers write the array
   * sorted by (section, offset), so it is first binary-searched in place
   * (a few 28-byte reads); a miss falls back to loading and sorting it all.
   */
  contributionAt(section: number, offset: number): SectionContribution | undefined {
    // After many queries, one read of the whole array is cheaper than more probes.
    if (!this.contribsCache && ++this.inPlaceSearches <= DbiStream.IN_PLACE_SEARCHES) {
      const hit = this.contributionInPlace(section, offset);
      if (hit) return hit;
    }
    return findContribution(this.sectionContributions, section, offset);
  }

  private contributionInPlace(section: number, offset: number): SectionContribution | undefined {
    const entry = this.contribEntrySize();
    const n = this.contributionCount;
    if (!entry || n === 0) return undefined;
    const base = this.substreams.sectionContribution[0] + 4;
    const ctx = 'reading DBI section contribution substream';
    const at = (i: number) => decodeContrib(this.stream.read(base + i * entry, SECTION_CONTRIB_SIZE), 0, ctx);
    let lo = 0;
    let hi = n - 1;
    let best = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      const c = at(mid);
      if (c.section < section || (c.section === section && c.offset <= offset)) {
        best = mid;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    for (let i = best; i >= 0 && i > best - 8; i--) {
      const c = at(i);
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

/** Binary search in a (section, offset)-sorted contribution list; zero-size entries may share a start. */
function findContribution(list: SectionContribution[], section: number, offset: number): SectionContribution | undefined {
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
  for (let i = best; i >= 0 && i > best - 8; i--) {
    const c = list[i]!;
    if (c.section !== section) break;
    if (offset >= c.offset && offset < c.offset + c.size) return c;
  }
  return undefined;
}

function nilToUndefined(n: number | undefined): number | undefined {
  return n === undefined || n === NIL_STREAM_INDEX ? undefined : n;
}
