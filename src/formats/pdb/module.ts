import { FormatError } from '../../bytes/errors.js';
import type { DbiModule } from './dbi.js';
import {
  COLUMN_NUMBER_ENTRY_SIZE,
  DEBUG_SUBSECTION_HEADER_SIZE,
  FILE_CHECKSUM_HEADER_SIZE,
  FRAMEDATA_SIZE,
  FileChecksumEntryHeaderLayout,
  LINE_BLOCK_HEADER_SIZE,
  LINE_FRAGMENT_HEADER_SIZE,
  LINE_NUMBER_ENTRY_SIZE,
  LineBlockFragmentHeaderLayout,
  LineFragmentHeaderLayout,
} from './layouts.js';
import type { MsfFile, PdbStream } from './msf.js';
import {
  SymKind,
  closesScope,
  isProcKind,
  iterateSymbols,
  opensScope,
  parseBlockSym,
  parseProcSym,
  parseSepCodeSym,
  parseThunkSym,
} from './symbols.js';
import type { SymRecord } from './symbols.js';

/** C13 debug subsection kinds (DebugSubsectionKind). */
export const DebugSubsectionKind = {
  symbols: 0xf1,
  lines: 0xf2,
  stringTable: 0xf3,
  fileChecksums: 0xf4,
  frameData: 0xf5,
  inlineeLines: 0xf6,
  crossScopeImports: 0xf7,
  crossScopeExports: 0xf8,
  ilLines: 0xf9,
  funcMdTokenMap: 0xfa,
  typeMdTokenMap: 0xfb,
  mergedAssemblyInput: 0xfc,
  coffSymbolRva: 0xfd,
} as const;
/** Bit 31 of a subsection kind: "ignore this subsection". */
export const DEBUG_SUBSECTION_IGNORE = 0x80000000;
/** Line numbers marking compiler-generated code with no source line. */
export const LINE_HIDDEN_FEEFEE = 0xfeefee;
export const LINE_HIDDEN_F00F00 = 0xf00f00;

export interface ScopeRange { segment: number; offset: number; length: number }

/** A procedure-like code range found in a module symbol stream. */
export interface ModuleProc {
  name: string;
  /** Record kind (S_GPROC32, S_LPROC32, S_THUNK32, S_SEPCODE...). */
  kind: number;
  segment: number;
  offset: number;
  length: number;
  /** Offset of the record inside the module stream (for TPI/locals work later). */
  symOffset: number;
  /** Offset of the matching S_END / S_PROC_ID_END (pEnd): the proc's records are [symOffset, endOffset]. */
  endOffset: number;
  /** The proc holds at least one S_INLINESITE / S_INLINESITE2. */
  hasInlineSites: boolean;
  /** Nested S_BLOCK32 lexical scopes. */
  blocks: ScopeRange[];
}

export interface LineBlock {
  /** Offset of the file's entry in the FILECHKSMS subsection. */
  fileId: number;
  /** Code offsets relative to the fragment start, ascending as stored. */
  offsets: Uint32Array;
  /** Raw CV_Line_t flags (lineStart in bits 0-23). */
  flags: Uint32Array;
}

export interface LineFragment {
  segment: number;
  offset: number;
  codeSize: number;
  hasColumns: boolean;
  blocks: LineBlock[];
}

export interface C13Subsection { kind: number; offset: number; length: number }

export interface LineHit {
  segment: number;
  /** Section offset where the line's code starts. */
  offset: number;
  line: number;
  fileId: number;
}

/** Largest module stream part we read whole. */
const MAX_MODULE_PART = 256 * 1024 * 1024;

/**
 * A module's symbol stream (F.7): procedures (sorted), and C13 line info read
 * on first use. Each module is loaded only when an address falls in it.
 */
export class ModuleSymbols {
  readonly module: DbiModule;
  readonly stream: PdbStream | undefined;
  private procsCache: ModuleProc[] | undefined;
  private c13Cache: { buf: Buffer; subsections: C13Subsection[] } | undefined;
  private linesCache: LineFragment[] | undefined;
  private checksumsCache: Map<number, number> | undefined;

  constructor(msf: MsfFile, module: DbiModule) {
    this.module = module;
    this.stream = module.symStream !== undefined && msf.hasStream(module.symStream) ? msf.stream(module.symStream) : undefined;
  }

  private part(offset: number, size: number, what: string): Buffer {
    const s = this.stream;
    if (!s || size <= 0) return Buffer.alloc(0);
    const ctx = `reading ${what} of module ${this.module.index} (${this.module.moduleName})`;
    if (size > MAX_MODULE_PART) throw new FormatError('TooLarge', `${what} of ${size} bytes`, ctx, offset);
    if (offset + size > s.size) throw new FormatError('Truncated', `${what} (${size} bytes at +0x${offset.toString(16)}) runs past the module stream (0x${s.size.toString(16)} bytes)`, ctx, offset);
    return s.read(offset, size);
  }

  /** The raw symbol records area [4, SymByteSize) — the CV signature is skipped. */
  symbolBytes(): Buffer {
    return this.part(0, this.module.symByteSize, 'symbol records');
  }

  /** Iterates the module's symbol records (offsets are stream offsets). */
  *records(): Generator<SymRecord> {
    const buf = this.symbolBytes();
    yield* iterateSymbols(buf, 4, buf.length, 0);
  }

  /**
   * The records of one proc scope, from its S_*PROC32 record to the S_END
   * that closes it (locals, blocks, inline sites). Nesting is tracked, so a
   * wrong pEnd field does not matter.
   */
  *procRecords(proc: ModuleProc): Generator<SymRecord> {
    const buf = this.symbolBytes();
    let depth = 0;
    for (const r of iterateSymbols(buf, proc.symOffset, buf.length, 0)) {
      yield r;
      if (opensScope(r.kind)) depth++;
      else if (closesScope(r.kind)) depth--;
      if (depth <= 0) return;
    }
  }

  /** Procedures sorted by (segment, offset). */
  get procs(): ModuleProc[] {
    if (this.procsCache) return this.procsCache;
    const out: ModuleProc[] = [];
    const byOffset = new Map<number, ModuleProc>();
    // Scope stack: the enclosing proc (if any) for each open scope.
    const stack: Array<ModuleProc | undefined> = [];
    for (const r of this.records()) {
      const k = r.kind;
      if (closesScope(k)) {
        stack.pop();
        continue;
      }
      const enclosing = stack.length ? stack[stack.length - 1] : undefined;
      let opened: ModuleProc | undefined = enclosing;
      if (isProcKind(k)) {
        const p = parseProcSym(r);
        opened = { name: p.name, kind: k, segment: p.segment, offset: p.offset, length: p.length, symOffset: r.offset, endOffset: p.end, hasInlineSites: false, blocks: [] };
        out.push(opened);
        byOffset.set(r.offset, opened);
      } else if (k === SymKind.S_THUNK32 || k === SymKind.S_THUNK32_ST) {
        const t = parseThunkSym(r);
        opened = { name: t.name, kind: k, segment: t.segment, offset: t.offset, length: t.length, symOffset: r.offset, endOffset: t.end, hasInlineSites: false, blocks: [] };
        out.push(opened);
      } else if (k === SymKind.S_SEPCODE) {
        // Separated code (cold blocks) carries the parent's name.
        const s = parseSepCodeSym(r);
        const parent = byOffset.get(s.parent) ?? enclosing;
        opened = { name: parent?.name ?? '', kind: k, segment: s.segment, offset: s.offset, length: s.length, symOffset: r.offset, endOffset: s.end, hasInlineSites: false, blocks: [] };
        out.push(opened);
      } else if (k === SymKind.S_BLOCK32 || k === SymKind.S_BLOCK32_ST) {
        const b = parseBlockSym(r);
        enclosing?.blocks.push({ segment: b.segment, offset: b.offset, length: b.length });
      } else if (k === SymKind.S_INLINESITE || k === SymKind.S_INLINESITE2) {
        if (enclosing) enclosing.hasInlineSites = true;
      }
      if (opensScope(k)) stack.push(opened);
      // Guard against hostile nesting: a real stream never nests this deep.
      if (stack.length > 4096) stack.length = 0;
    }
    out.sort((a, b) => a.segment - b.segment || a.offset - b.offset);
    this.procsCache = out;
    return out;
  }

  /** The proc whose [offset, offset+length) contains segment:offset. */
  procAt(segment: number, offset: number): ModuleProc | undefined {
    const list = this.procs;
    const i = lastAtOrBefore(list, segment, offset);
    // Procs do not overlap in practice, but thunks/sepcode may share starts: check a few back.
    for (let j = i; j >= 0 && j > i - 8; j--) {
      const p = list[j]!;
      if (p.segment !== segment) break;
      if (offset >= p.offset && offset - p.offset < Math.max(p.length, 1)) return p;
    }
    return undefined;
  }

  /** C13 subsections (kind, offset within the C13 buffer, length). */
  c13(): { buf: Buffer; subsections: C13Subsection[] } {
    if (this.c13Cache) return this.c13Cache;
    const m = this.module;
    const buf = this.part(m.symByteSize + m.c11ByteSize, m.c13ByteSize, 'C13 line information');
    const subsections: C13Subsection[] = [];
    let pos = 0;
    while (pos + DEBUG_SUBSECTION_HEADER_SIZE <= buf.length) {
      const kind = buf.readUInt32LE(pos);
      const length = buf.readUInt32LE(pos + 4);
      const at = pos + DEBUG_SUBSECTION_HEADER_SIZE;
      if (length > buf.length - at) break;
      if ((kind & DEBUG_SUBSECTION_IGNORE) === 0) subsections.push({ kind, offset: at, length });
      pos = at + ((length + 3) & ~3);
    }
    this.c13Cache = { buf, subsections };
    return this.c13Cache;
  }

  /** FILECHKSMS: file id (entry offset) → /names offset of the file name. */
  get fileChecksums(): Map<number, number> {
    if (this.checksumsCache) return this.checksumsCache;
    const out = new Map<number, number>();
    const { buf, subsections } = this.c13();
    for (const s of subsections) {
      if (s.kind !== DebugSubsectionKind.fileChecksums) continue;
      const sub = buf.subarray(s.offset, s.offset + s.length);
      let pos = 0;
      while (pos + FILE_CHECKSUM_HEADER_SIZE <= sub.length) {
        const e = FileChecksumEntryHeaderLayout.decode(sub, pos);
        out.set(pos, e.fileNameOffset);
        pos = (pos + FILE_CHECKSUM_HEADER_SIZE + e.checksumSize + 3) & ~3;
      }
    }
    this.checksumsCache = out;
    return out;
  }

  /** DEBUG_S_LINES fragments sorted by (segment, offset). */
  get lineFragments(): LineFragment[] {
    if (this.linesCache) return this.linesCache;
    const out: LineFragment[] = [];
    const { buf, subsections } = this.c13();
    for (const s of subsections) {
      if (s.kind !== DebugSubsectionKind.lines || s.length < LINE_FRAGMENT_HEADER_SIZE) continue;
      const sub = buf.subarray(s.offset, s.offset + s.length);
      const h = LineFragmentHeaderLayout.decode(sub, 0);
      const hasColumns = (h.flags & 1) !== 0;
      const frag: LineFragment = { segment: h.relocSegment, offset: h.relocOffset, codeSize: h.codeSize, hasColumns, blocks: [] };
      let pos = LINE_FRAGMENT_HEADER_SIZE;
      while (pos + LINE_BLOCK_HEADER_SIZE <= sub.length) {
        const b = LineBlockFragmentHeaderLayout.decode(sub, pos);
        const perLine = LINE_NUMBER_ENTRY_SIZE + (hasColumns ? COLUMN_NUMBER_ENTRY_SIZE : 0);
        const n = Math.min(b.numLines, Math.floor((sub.length - pos - LINE_BLOCK_HEADER_SIZE) / perLine));
        const offsets = new Uint32Array(n);
        const flags = new Uint32Array(n);
        for (let i = 0; i < n; i++) {
          const at = pos + LINE_BLOCK_HEADER_SIZE + i * LINE_NUMBER_ENTRY_SIZE;
          offsets[i] = sub.readUInt32LE(at);
          flags[i] = sub.readUInt32LE(at + 4);
        }
        frag.blocks.push({ fileId: b.nameIndex, offsets, flags });
        // BlockSize covers the whole block including its header; never step backwards.
        const step = Math.max(b.blockSize, LINE_BLOCK_HEADER_SIZE + n * perLine);
        if (step <= 0) break;
        pos += step;
      }
      out.push(frag);
    }
    out.sort((a, b) => a.segment - b.segment || a.offset - b.offset);
    this.linesCache = out;
    return out;
  }

  /**
   * The line entry covering segment:offset (F.8): the fragment containing the
   * address, then the entry with the greatest offset ≤ the address across its
   * blocks. Hidden lines (0xFEEFEE, 0xF00F00) give undefined.
   */
  lineAt(segment: number, offset: number): LineHit | undefined {
    const frags = this.lineFragments;
    const i = lastAtOrBefore(frags, segment, offset);
    for (let j = i; j >= 0 && j > i - 8; j--) {
      const f = frags[j]!;
      if (f.segment !== segment) break;
      const delta = offset - f.offset;
      if (delta < 0 || delta >= f.codeSize) continue;
      let best: { off: number; flags: number; fileId: number } | undefined;
      for (const b of f.blocks) {
        for (let k = 0; k < b.offsets.length; k++) {
          const o = b.offsets[k]!;
          if (o <= delta && (!best || o >= best.off)) best = { off: o, flags: b.flags[k]!, fileId: b.fileId };
        }
      }
      if (!best) return undefined;
      const line = best.flags & 0xffffff;
      if (line === LINE_HIDDEN_FEEFEE || line === LINE_HIDDEN_F00F00) return undefined;
      return { segment, offset: f.offset + best.off, line, fileId: best.fileId };
    }
    return undefined;
  }

  /** Raw FRAMEDATA records from DEBUG_S_FRAMEDATA subsections (32 bytes each). */
  frameDataRecords(): Buffer[] {
    const { buf, subsections } = this.c13();
    const out: Buffer[] = [];
    for (const s of subsections) {
      if (s.kind !== DebugSubsectionKind.frameData) continue;
      // LLVM's DebugFrameDataSubsection: a leading u32 RelocPtr when the size is not a multiple of 32.
      const skip = s.length % FRAMEDATA_SIZE === 0 ? 0 : 4;
      for (let pos = s.offset + skip; pos + FRAMEDATA_SIZE <= s.offset + s.length; pos += FRAMEDATA_SIZE) {
        out.push(buf.subarray(pos, pos + FRAMEDATA_SIZE));
      }
    }
    return out;
  }
}

/** Index of the last element with (segment, offset) ≤ the key, or -1. Lists are sorted by (segment, offset). */
export function lastAtOrBefore(list: ReadonlyArray<{ segment: number; offset: number }>, segment: number, offset: number): number {
  let lo = 0;
  let hi = list.length - 1;
  let best = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    const e = list[mid]!;
    if (e.segment < segment || (e.segment === segment && e.offset <= offset)) {
      best = mid;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  return best;
}
