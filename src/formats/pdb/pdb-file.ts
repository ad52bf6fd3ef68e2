import { FormatError } from '../../bytes/errors.js';
import { FileSource } from '../../bytes/source.js';
import type { ByteSource } from '../../bytes/source.js';
import { DbiStream, IMAGE_FILE_MACHINE_I386 } from './dbi.js';
import type { DbiModule } from './dbi.js';
import { FrameTable, decodeFrameArray } from './framedata.js';
import { GsiHashTable } from './gsi.js';
import type { PdbFrameData } from './framedata.js';
import { parsePdbInfoStream } from './info.js';
import type { PdbInfo } from './info.js';
import { DbgHeaderType, IMAGE_SCN_MEM_EXECUTE, PDB_STREAM_DBI, PDB_STREAM_INFO, PUBLICS_HEADER_SIZE } from './layouts.js';
import { ModuleSymbols, lastAtOrBefore } from './module.js';
import { MsfFile } from './msf.js';
import type { PdbStream } from './msf.js';
import { PublicsIndex } from './publics.js';
import { OmapTable, parseSectionHeaders, rvaToSectionOffset, sectionOffsetToRva } from './sections.js';
import type { PdbSectionHeader } from './sections.js';
import { PdbStringTable } from './strings.js';
import {
  isDataKind,
  isProcKind,
  isProcRefKind,
  isPublicKind,
  iterateSymbols,
  parseDataSym,
  parseProcRefSym,
  parseProcSym,
  parsePublicSym,
  readSymbolAt,
} from './symbols.js';

export type PdbSymbolKind = 'proc' | 'public' | 'data';

/** A resolved symbol. `rva` is the symbol's start; `size` is known for procs only. */
export interface PdbSymbol {
  name: string;
  rva: number;
  size?: number;
  kind: PdbSymbolKind;
  /** DBI module index the symbol comes from (procs). */
  module?: number;
}

export interface PdbLine {
  /** Source file path as stored in the PDB (/names). */
  file: string;
  line: number;
  /** RVA where the code for this line starts. */
  rva: number;
}

export interface PdbOpenOptions {
  /**
   * Turns a decorated public name into the display name. Default: for x86,
   * C names lose their decoration (`_foo`, `_foo@8`, `@foo@8` → `foo`); C++
   * (`?...`) and x64 names are left as they are.
   */
  demangle?: (name: string, machine: number) => string;
  /**
   * Use the GSI name hashes (globals stream, publics stream) for findByName,
   * reading only the candidates' records. Default true; false forces a scan
   * of the whole symbol record stream (tests compare both).
   */
  nameHash?: boolean;
  /**
   * Section headers of the image (e.g. from the PE file), used when the PDB
   * has no section-header stream (DBI debug header [5]).
   */
  imageSections?: PdbSectionHeader[];
}

/** Strips x86 C decoration: cdecl `_f`, stdcall `_f@N`, fastcall `@f@N`. Other names unchanged. */
export function undecorateCName(name: string, machine: number): string {
  if (machine !== IMAGE_FILE_MACHINE_I386) return name;
  const m = /^[_@]([A-Za-z_$][\w$]*?)(@\d+)?$/.exec(name);
  if (!m) return name;
  // fastcall names always carry @N; a bare "@f" is not a decoration.
  if (name.startsWith('@') && !m[2]) return name;
  return m[1] ?? name;
}

/** Warnings kept per PdbFile (a corrupt PDB could otherwise produce one per query). */
const MAX_WARNINGS = 100;

interface DataEntry { segment: number; offset: number; name: string }

interface GlobalScan {
  data: DataEntry[];
  publics: Array<{ segment: number; offset: number; name: string; flags: number }>;
  procRefs: Map<string, Array<{ module: number; symOffset: number }>>;
}

/**
 * A PDB file opened for symbol lookup. Reads lazily through a ByteSource: the
 * MSF directory at open, then only the streams a query needs (DBI header,
 * section headers, the one module stream containing the address, a few
 * public records).
 */
export class PdbFile {
  readonly msf: MsfFile;
  readonly source: ByteSource;
  /** Non-fatal problems met while answering queries (corrupt module streams...). */
  readonly warnings: string[] = [];
  private readonly demangle: (name: string, machine: number) => string;
  private infoCache: PdbInfo | undefined;
  private dbiCache: DbiStream | undefined;
  private headersCache: { image: PdbSectionHeader[]; internal: PdbSectionHeader[] } | undefined;
  private omapCache: { toSrc: OmapTable | undefined; fromSrc: OmapTable | undefined } | undefined;
  private readonly moduleCache = new Map<number, ModuleSymbols>();
  private publicsCache: PublicsIndex | null | undefined;
  private namesCache: PdbStringTable | null | undefined;
  private globalsCache: GlobalScan | undefined;
  private allProcsCache: Array<{ segment: number; offset: number; module: number }> | undefined;
  private fpoCache: FrameTable | undefined;
  private frameDataCache: FrameTable | undefined;
  private symbolsCache: PdbSymbol[] | undefined;
  private readonly useNameHash: boolean;
  private readonly imageSections: PdbSectionHeader[] | undefined;
  private hashesCache: { globals: GsiHashTable | undefined; publics: GsiHashTable | undefined } | undefined;

  static open(path: string, options: PdbOpenOptions = {}): PdbFile {
    const src = new FileSource(path);
    try {
      return new PdbFile(new MsfFile(src, true), options);
    } catch (e) {
      src.close();
      throw e;
    }
  }

  static fromSource(src: ByteSource, options: PdbOpenOptions = {}): PdbFile {
    return new PdbFile(new MsfFile(src, false), options);
  }

  constructor(msf: MsfFile, options: PdbOpenOptions = {}) {
    this.msf = msf;
    this.source = msf.source;
    this.demangle = options.demangle ?? undecorateCName;
    this.useNameHash = options.nameHash ?? true;
    this.imageSections = options.imageSections;
    // Parse the info stream and the DBI header now: a PDB whose headers are
    // broken is reported once, at open, with a typed error.
    void this.info;
    if ((msf.streamSize(PDB_STREAM_DBI) ?? 0) > 0) void this.dbi;
  }

  close(): void {
    this.msf.close();
  }

  /** PDB info stream: GUID, age, signature, named streams. */
  get info(): PdbInfo {
    this.infoCache ??= parsePdbInfoStream(this.msf.stream(PDB_STREAM_INFO));
    return this.infoCache;
  }

  get dbi(): DbiStream {
    this.dbiCache ??= new DbiStream(this.msf.stream(PDB_STREAM_DBI));
    return this.dbiCache;
  }

  /** The DBI age (the one symbol servers and debuggers use with the GUID). */
  get dbiAge(): number {
    return this.dbi.age;
  }

  /** IMAGE_FILE_MACHINE_* from the DBI header. */
  get machine(): number {
    return this.dbi.machine;
  }

  get modules(): DbiModule[] {
    return this.dbi.modules;
  }

  /** A named stream (from the info stream's map), or undefined. */
  namedStream(name: string): PdbStream | undefined {
    const i = this.info.namedStreams.get(name);
    return i !== undefined && this.msf.hasStream(i) ? this.msf.stream(i) : undefined;
  }

  /** The `/names` string table, or undefined when absent or unreadable. */
  get names(): PdbStringTable | undefined {
    if (this.namesCache === undefined) {
      const s = this.namedStream('/names');
      this.namesCache = null;
      if (s) this.namesCache = this.tryRead(() => new PdbStringTable(s), '/names string table') ?? null;
    }
    return this.namesCache ?? undefined;
  }

  private dbgStream(type: number): PdbStream | undefined {
    if (!this.msf.hasStream(PDB_STREAM_DBI)) return undefined;
    const i = this.dbi.debugStream(type);
    return i !== undefined && this.msf.hasStream(i) ? this.msf.stream(i) : undefined;
  }

  /** Final image section headers (DBI debug header [5]). */
  get sectionHeaders(): PdbSectionHeader[] {
    return this.headers().image;
  }

  private headers(): { image: PdbSectionHeader[]; internal: PdbSectionHeader[] } {
    if (!this.headersCache) {
      const s = this.dbgStream(DbgHeaderType.sectionHdr);
      const image = s ? parseSectionHeaders(s) : this.imageSections ?? [];
      // With OMAP, PDB-internal seg:off use the original (pre-optimisation) headers.
      const orig = this.omap().fromSrc ? this.dbgStream(DbgHeaderType.sectionHdrOrig) : undefined;
      this.headersCache = { image, internal: orig ? parseSectionHeaders(orig) : image };
    }
    return this.headersCache;
  }

  private omap(): { toSrc: OmapTable | undefined; fromSrc: OmapTable | undefined } {
    if (!this.omapCache) {
      const to = this.dbgStream(DbgHeaderType.omapToSrc);
      const from = this.dbgStream(DbgHeaderType.omapFromSrc);
      this.omapCache = {
        toSrc: to && to.size > 0 ? new OmapTable(to) : undefined,
        fromSrc: from && from.size > 0 ? new OmapTable(from) : undefined,
      };
    }
    return this.omapCache;
  }

  /** Image RVA → PDB-internal RVA (identity unless OMAP_TO_SRC exists). */
  private toInternal(rva: number): number | undefined {
    const t = this.omap().toSrc;
    return t ? t.translate(rva) : rva;
  }

  /** PDB-internal RVA → image RVA (identity unless OMAP_FROM_SRC exists). */
  private fromInternal(rva: number): number | undefined {
    const t = this.omap().fromSrc;
    return t ? t.translate(rva) : rva;
  }

  /** Image RVA → PDB section:offset (1-based section), through OMAP when present. */
  sectionOffsetOf(rva: number): { segment: number; offset: number } | undefined {
    const internal = this.toInternal(rva >>> 0);
    return internal === undefined ? undefined : rvaToSectionOffset(this.headers().internal, internal);
  }

  /** PDB section:offset → image RVA, through OMAP when present. */
  rvaOf(segment: number, offset: number): number | undefined {
    const internal = sectionOffsetToRva(this.headers().internal, segment, offset);
    return internal === undefined ? undefined : this.fromInternal(internal);
  }

  /** The (lazily loaded) symbols of DBI module `index`. */
  moduleSymbols(index: number): ModuleSymbols | undefined {
    const hit = this.moduleCache.get(index);
    if (hit) return hit;
    const m = this.dbi.module(index);
    if (!m) return undefined;
    const ms = new ModuleSymbols(this.msf, m);
    this.moduleCache.set(index, ms);
    return ms;
  }

  private tryRead<T>(fn: () => T, what: string): T | undefined {
    return this.guard(fn, what, undefined);
  }

  /**
   * Runs a query; a FormatError from deeper, corrupt data becomes a warning
   * and the `fallback` result (queries never throw on bad input after open).
   */
  private guard<T, F>(fn: () => T, what: string, fallback: F): T | F {
    try {
      return fn();
    } catch (e) {
      if (!(e instanceof FormatError)) throw e;
      if (this.warnings.length < MAX_WARNINGS) this.warnings.push(`${what}: ${e.message}`);
      return fallback;
    }
  }

  /**
   * Modules to search for an address: the one whose section contribution
   * covers it; every module when the DBI has no contributions at all.
   */
  private modulesFor(segment: number, offset: number): number[] {
    const dbi = this.dbi;
    if (dbi.contributionCount > 0) {
      const c = dbi.contributionAt(segment, offset);
      return c ? [c.module] : [];
    }
    if (!this.allProcsCache) {
      const all: Array<{ segment: number; offset: number; module: number }> = [];
      for (const m of dbi.modules) {
        if (m.symStream === undefined) continue;
        const ms = this.moduleSymbols(m.index);
        for (const p of this.tryRead(() => ms?.procs ?? [], `module ${m.index} symbols`) ?? []) all.push({ segment: p.segment, offset: p.offset, module: m.index });
      }
      all.sort((a, b) => a.segment - b.segment || a.offset - b.offset);
      this.allProcsCache = all;
    }
    const i = lastAtOrBefore(this.allProcsCache, segment, offset);
    const found = this.allProcsCache[i];
    const lines = dbi.modules.filter((m) => m.c13ByteSize > 0).map((m) => m.index);
    return found ? [found.module, ...lines.filter((x) => x !== found.module)] : lines;
  }

  private publicsIndex(): PublicsIndex | undefined {
    if (this.publicsCache === undefined) {
      this.publicsCache = null;
      const dbi = this.dbi;
      const p = dbi.publicStreamIndex;
      const r = dbi.symRecordStreamIndex;
      if (p !== undefined && r !== undefined && this.msf.hasStream(p) && this.msf.hasStream(r)) {
        this.publicsCache = this.tryRead(() => new PublicsIndex(this.msf.stream(p), this.msf.stream(r)), 'publics stream') ?? null;
      }
    }
    return this.publicsCache ?? undefined;
  }

  private isExecutable(segment: number): boolean {
    const h = this.headers().internal[segment - 1];
    return h !== undefined && (h.characteristics & IMAGE_SCN_MEM_EXECUTE) !== 0;
  }

  /**
   * Address → symbol with WinDbg semantics (F.9): the procedure containing the
   * RVA (from the module that contributes that address), else the nearest
   * preceding public in the same section (for data sections, also global data).
   */
  lookup(rva: number): PdbSymbol | undefined {
    return this.guard(() => this.lookupImpl(rva), `lookup(0x${rva.toString(16)})`, undefined);
  }

  private lookupImpl(rva: number): PdbSymbol | undefined {
    const so = this.sectionOffsetOf(rva);
    if (!so) return undefined;
    let best: { segment: number; offset: number; sym: PdbSymbol } | undefined;
    for (const mi of this.modulesFor(so.segment, so.offset)) {
      const ms = this.moduleSymbols(mi);
      const p = ms && this.tryRead(() => ms.procAt(so.segment, so.offset), `module ${mi} symbols`);
      if (p) {
        const start = this.rvaOf(p.segment, p.offset);
        if (start !== undefined) return { name: p.name, rva: start, size: p.length, kind: 'proc', module: mi };
      }
      // Padding after a (static) function: dbghelp names it after the closest preceding
      // function of the same contribution (read_field+0x8), not a distant public (main+0x938).
      const procs = ms ? this.tryRead(() => ms.procs, `module ${mi} symbols`) : undefined;
      if (procs) {
        const q = procs[lastAtOrBefore(procs, so.segment, so.offset)];
        if (q && q.segment === so.segment && q.offset <= so.offset && (!best || q.offset > best.offset)) {
          const start = this.rvaOf(q.segment, q.offset);
          if (start !== undefined) best = { segment: q.segment, offset: q.offset, sym: { name: q.name, rva: start, size: q.length, kind: 'proc', module: mi } };
        }
      }
    }
    const pub = this.publicsIndex()?.nearestAtOrBefore(so.segment, so.offset);
    if (pub && (!best || pub.segment !== best.segment || pub.offset > best.offset)) {
      const start = this.rvaOf(pub.segment, pub.offset);
      if (start !== undefined) best = { segment: pub.segment, offset: pub.offset, sym: { name: this.demangle(pub.name, this.machine), rva: start, kind: 'public' } };
    }
    // Static data is not public: in data sections compare with S_LDATA32/S_GDATA32.
    if (!this.isExecutable(so.segment)) {
      const data = this.globals()?.data ?? [];
      const i = lastAtOrBefore(data, so.segment, so.offset);
      const d = data[i];
      if (d && d.segment === so.segment && (!best || d.offset > best.offset)) {
        const start = this.rvaOf(d.segment, d.offset);
        if (start !== undefined) best = { segment: d.segment, offset: d.offset, sym: { name: d.name, rva: start, kind: 'data' } };
      }
    }
    return best?.sym;
  }

  /** Source line for an RVA from the C13 line info of the module that contains it (F.8). */
  lineAt(rva: number): PdbLine | undefined {
    return this.guard(() => this.lineAtImpl(rva), `lineAt(0x${rva.toString(16)})`, undefined);
  }

  private lineAtImpl(rva: number): PdbLine | undefined {
    const so = this.sectionOffsetOf(rva);
    if (!so) return undefined;
    for (const mi of this.modulesFor(so.segment, so.offset)) {
      const ms = this.moduleSymbols(mi);
      if (!ms || ms.module.c13ByteSize === 0) continue;
      const hit = this.tryRead(() => ms.lineAt(so.segment, so.offset), `module ${mi} line info`);
      if (!hit) continue;
      const nameOff = ms.fileChecksums.get(hit.fileId);
      const file = nameOff === undefined ? undefined : this.names?.get(nameOff);
      const start = this.rvaOf(hit.segment, hit.offset);
      if (start === undefined) continue;
      return { file: file ?? '<unknown>', line: hit.line, rva: start };
    }
    return undefined;
  }

  /** One pass over the symbol record stream: global data, publics and proc references. */
  private globals(): GlobalScan | undefined {
    if (this.globalsCache) return this.globalsCache;
    const scan: GlobalScan = { data: [], publics: [], procRefs: new Map() };
    const r = this.msf.hasStream(PDB_STREAM_DBI) ? this.dbi.symRecordStreamIndex : undefined;
    if (r !== undefined && this.msf.hasStream(r)) {
      this.tryRead(() => {
        const buf = this.msf.stream(r).readAll();
        for (const rec of iterateSymbols(buf)) {
          if (isDataKind(rec.kind)) {
            const d = parseDataSym(rec);
            scan.data.push({ segment: d.segment, offset: d.offset, name: d.name });
          } else if (isPublicKind(rec.kind)) {
            const p = parsePublicSym(rec);
            scan.publics.push({ segment: p.segment, offset: p.offset, name: p.name, flags: p.flags });
          } else if (isProcRefKind(rec.kind)) {
            const ref = parseProcRefSym(rec);
            const list = scan.procRefs.get(ref.name) ?? [];
            list.push({ module: ref.module, symOffset: ref.symOffset });
            scan.procRefs.set(ref.name, list);
          }
        }
      }, 'symbol record stream');
    }
    scan.data.sort((a, b) => a.segment - b.segment || a.offset - b.offset);
    this.globalsCache = scan;
    return scan;
  }

  /** Resolves an S_PROCREF target (1-based module, record offset) to a proc symbol. */
  private procFromRef(module: number, symOffset: number): PdbSymbol | undefined {
    const ms = this.moduleSymbols(module - 1);
    if (!ms?.stream) return undefined;
    return this.tryRead(() => {
      const rec = readSymbolAt(ms.stream!, symOffset);
      if (!isProcKind(rec.kind)) return undefined;
      const p = parseProcSym(rec);
      const rva = this.rvaOf(p.segment, p.offset);
      return rva === undefined ? undefined : { name: p.name, rva, size: p.length, kind: 'proc' as const, module: module - 1 };
    }, `procedure reference into module ${module}`);
  }

  /**
   * Exact name lookup: procedures (through the globals' S_PROCREF records),
   * then global data, then publics (decorated name or its undecorated form).
   */
  findByName(name: string): PdbSymbol | undefined {
    return this.guard(() => this.findByNameImpl(name), `findByName(${name})`, undefined);
  }

  private findByNameImpl(name: string): PdbSymbol | undefined {
    if (this.useNameHash) {
      const hashed = this.findByNameHashed(name);
      if (hashed !== 'no-hash') return hashed;
    }
    const g = this.globals();
    if (!g) return undefined;
    for (const ref of g.procRefs.get(name) ?? []) {
      const p = this.procFromRef(ref.module, ref.symOffset);
      if (p) return p;
    }
    for (const d of g.data) {
      if (d.name !== name) continue;
      const rva = this.rvaOf(d.segment, d.offset);
      if (rva !== undefined) return { name: d.name, rva, kind: 'data' };
    }
    let loose: PdbSymbol | undefined;
    for (const p of g.publics) {
      const plain = this.demangle(p.name, this.machine);
      if (p.name !== name && plain !== name) continue;
      const rva = this.rvaOf(p.segment, p.offset);
      if (rva === undefined) continue;
      const sym: PdbSymbol = { name: plain, rva, kind: 'public' };
      if (p.name === name) return sym;
      loose ??= sym;
    }
    return loose;
  }

  /** The globals and publics name hashes, when present and filled. */
  private nameHashes(): { globals: GsiHashTable | undefined; publics: GsiHashTable | undefined } {
    if (this.hashesCache) return this.hashesCache;
    const dbi = this.dbi;
    const r = dbi.symRecordStreamIndex;
    const g = dbi.globalStreamIndex;
    const p = dbi.publicStreamIndex;
    const out: { globals: GsiHashTable | undefined; publics: GsiHashTable | undefined } = { globals: undefined, publics: undefined };
    if (r !== undefined && this.msf.hasStream(r)) {
      const records = this.msf.stream(r);
      if (g !== undefined && this.msf.hasStream(g)) {
        out.globals = this.tryRead(() => new GsiHashTable(this.msf.stream(g), records), 'globals hash');
      }
      if (p !== undefined && this.msf.hasStream(p)) {
        const ps = this.msf.stream(p);
        out.publics = this.tryRead(() => {
          // The publics hash follows the 28-byte PublicsStreamHeader; its size is SymHash.
          const symHash = ps.read(0, 4).readUInt32LE(0);
          return new GsiHashTable(ps, records, PUBLICS_HEADER_SIZE, symHash);
        }, 'publics hash');
      }
    }
    this.hashesCache = out;
    return out;
  }

  /** findByName through the GSI hashes; 'no-hash' when they are missing or empty (then callers scan). */
  private findByNameHashed(name: string): PdbSymbol | undefined | 'no-hash' {
    const { globals, publics } = this.nameHashes();
    if (!globals?.usable || !publics?.usable) return 'no-hash';
    let data: PdbSymbol | undefined;
    for (const rec of globals.candidates(name)) {
      if (isProcRefKind(rec.kind)) {
        const ref = parseProcRefSym(rec);
        const p = ref.name === name ? this.procFromRef(ref.module, ref.symOffset) : undefined;
        if (p) return p;
      } else if (isDataKind(rec.kind) && !data) {
        const d = parseDataSym(rec);
        const rva = d.name === name ? this.rvaOf(d.segment, d.offset) : undefined;
        if (rva !== undefined) data = { name: d.name, rva, kind: 'data' };
      }
    }
    if (data) return data;
    // Publics: the exact (decorated) name, then the x86 C form "_name".
    const tries = this.machine === IMAGE_FILE_MACHINE_I386 ? [name, '_' + name] : [name];
    for (const want of tries) {
      for (const rec of publics.candidates(want)) {
        if (!isPublicKind(rec.kind)) continue;
        const p = parsePublicSym(rec);
        const rva = p.name === want ? this.rvaOf(p.segment, p.offset) : undefined;
        if (rva !== undefined) return { name: this.demangle(p.name, this.machine), rva, kind: 'public' };
      }
    }
    return undefined;
  }

  /**
   * Every symbol (all module procs, global data, publics not at an address
   * already named by a proc or data symbol), sorted by RVA. Loads every module
   * stream: meant for `x module!pattern*`, not for address lookups.
   */
  symbols(): PdbSymbol[] {
    return this.guard(() => this.symbolsImpl(), 'symbols()', []);
  }

  private symbolsImpl(): PdbSymbol[] {
    if (this.symbolsCache) return this.symbolsCache;
    const out: PdbSymbol[] = [];
    const seen = new Set<number>();
    for (const m of this.modules) {
      if (m.symStream === undefined) continue;
      const ms = this.moduleSymbols(m.index);
      for (const p of this.tryRead(() => ms?.procs ?? [], `module ${m.index} symbols`) ?? []) {
        const rva = this.rvaOf(p.segment, p.offset);
        if (rva === undefined || !p.name) continue;
        out.push({ name: p.name, rva, size: p.length, kind: 'proc', module: m.index });
        seen.add(rva);
      }
    }
    const g = this.globals();
    for (const d of g?.data ?? []) {
      const rva = this.rvaOf(d.segment, d.offset);
      if (rva === undefined || seen.has(rva)) continue;
      out.push({ name: d.name, rva, kind: 'data' });
      seen.add(rva);
    }
    for (const p of g?.publics ?? []) {
      const rva = this.rvaOf(p.segment, p.offset);
      if (rva === undefined || seen.has(rva)) continue;
      out.push({ name: this.demangle(p.name, this.machine), rva, kind: 'public' });
    }
    out.sort((a, b) => a.rva - b.rva || a.name.localeCompare(b.name));
    this.symbolsCache = out;
    return out;
  }

  /**
   * x86 frame information covering an RVA: FrameData (DBI [9], preferred) or
   * legacy FPO_DATA (DBI [0]). RVAs in these streams are PDB-internal (OMAP applied).
   */
  frameData(rva: number): PdbFrameData | undefined {
    return this.guard(() => this.frameDataImpl(rva), `frameData(0x${rva.toString(16)})`, undefined);
  }

  private frameDataImpl(rva: number): PdbFrameData | undefined {
    const internal = this.toInternal(rva >>> 0);
    if (internal === undefined) return undefined;
    this.frameDataCache ??= this.frameTable(DbgHeaderType.newFpo, 'framedata');
    this.fpoCache ??= this.frameTable(DbgHeaderType.fpo, 'fpo');
    const rec = this.frameDataCache.find(internal) ?? this.fpoCache.find(internal);
    if (!rec) return undefined;
    const out: PdbFrameData = { ...rec };
    const start = this.fromInternal(rec.rvaStart);
    if (start !== undefined) out.rvaStart = start;
    // Program strings are resolved only for the record asked for.
    if (rec.frameFunc !== undefined && rec.programString === undefined) {
      const prog = this.names?.get(rec.frameFunc);
      if (prog) out.programString = prog;
    }
    return out;
  }

  private frameTable(type: number, kind: 'fpo' | 'framedata'): FrameTable {
    const s = this.dbgStream(type);
    if (!s) return new FrameTable([]);
    return new FrameTable(this.tryRead(() => decodeFrameArray(s.readAll(), kind), `${kind} stream`) ?? []);
  }
}
