import { createReadStream, openSync, readSync, closeSync } from 'node:fs';
import { nodeStringDecoder } from '../../bytes/builtins.js';
import { FormatError } from '../../bytes/errors.js';
import { SymParser } from './parser.js';
import type { SymData } from './parser.js';
import type {
  CfiAt, CfiRecord, CfiRow, CfiRules, StackWinRecord, SymFuncRecord, SymInlineFrame, SymLine, SymLookup,
  SymModuleRecord, SymPublicRecord,
} from './types.js';

export type * from './types.js';
export { SymParser, parseHex, splitFields, MAX_SYM_LINE } from './parser.js';
export type { SymData } from './parser.js';

const CHUNK = 1024 * 1024;

/** How many earlier (overlapping) ranges to check when the nearest one does not cover the address. */
const OVERLAP_LOOKBACK = 16;

/** Index of the last value <= x in a sorted array, or -1. */
function lastAtOrBefore(starts: Float64Array, x: number): number {
  let lo = 0;
  let hi = starts.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (starts[mid]! <= x) lo = mid + 1;
    else hi = mid;
  }
  return lo - 1;
}

/**
 * Items sorted by start address with flat start/end arrays for fast search.
 * A size of 0 covers just its start address. Nested ranges resolve to the
 * innermost (latest-starting) one that covers the address.
 */
class RangeIndex<T extends { rva: number }> {
  readonly items: T[];
  readonly starts: Float64Array;
  private readonly ends: Float64Array;

  constructor(items: T[], size: (t: T) => number) {
    this.items = items.sort((a, b) => a.rva - b.rva);
    this.starts = new Float64Array(this.items.length);
    this.ends = new Float64Array(this.items.length);
    this.items.forEach((t, i) => {
      this.starts[i] = t.rva;
      this.ends[i] = t.rva + Math.max(1, size(t));
    });
  }

  get length(): number {
    return this.items.length;
  }

  /** Index of the last item starting at or before `rva`, or -1. */
  lastAtOrBefore(rva: number): number {
    return lastAtOrBefore(this.starts, rva);
  }

  covering(rva: number): T | undefined {
    const i = lastAtOrBefore(this.starts, rva);
    for (let k = i; k >= 0 && k > i - OVERLAP_LOOKBACK; k--) {
      if (rva < this.ends[k]!) return this.items[k];
    }
    return undefined;
  }
}

/** Parses `.cfa: $rsp 16 + .ra: .cfa -8 + ^` into { '.cfa': '$rsp 16 +', '.ra': '.cfa -8 + ^' }. */
export function parseCfiRules(text: string): CfiRules {
  const rules: CfiRules = {};
  let reg: string | undefined;
  let expr: string[] = [];
  const flush = () => {
    if (reg !== undefined) rules[reg] = expr.join(' ');
  };
  for (const tok of text.split(' ')) {
    if (tok.length === 0) continue;
    if (tok.endsWith(':') && tok.length > 1) {
      flush();
      reg = tok.slice(0, -1);
      expr = [];
    } else {
      expr.push(tok);
    }
  }
  flush();
  return rules;
}

/**
 * A parsed Breakpad symbol file with address lookups. Build it once per
 * module (parse on first use); the raw text is not kept.
 */
export class SymFile {
  readonly module: SymModuleRecord;
  /** `INFO CODE_ID` (PE TimeDateStamp+SizeOfImage for Windows modules). */
  readonly codeId: string | undefined;
  readonly codeFile: string | undefined;
  readonly info: readonly string[];
  /** Lines skipped as malformed, and up to five of them for messages. */
  readonly badLines: number;
  readonly badSamples: readonly string[];
  private readonly files: Map<number, string>;
  private readonly origins: Map<number, string>;
  private readonly funcs: RangeIndex<SymFuncRecord>;
  private readonly publics: RangeIndex<SymPublicRecord>;
  private readonly frameData: RangeIndex<StackWinRecord>;
  private readonly fpo: RangeIndex<StackWinRecord>;
  private readonly cfi: RangeIndex<CfiRecord>;
  /** Sorted start addresses of every FUNC and PUBLIC, to bound PUBLIC extents. */
  private readonly starts: Float64Array;

  constructor(data: SymData) {
    this.module = data.module;
    this.codeId = data.codeId;
    this.codeFile = data.codeFile;
    this.info = data.info;
    this.badLines = data.badLines;
    this.badSamples = data.badSamples;
    this.files = data.files;
    this.origins = data.inlineOrigins;
    this.funcs = new RangeIndex(data.funcs, (f) => f.size);
    this.publics = new RangeIndex(data.publics, () => 0);
    this.frameData = new RangeIndex(data.stackWin.filter((r) => r.type === 4), (r) => r.codeSize);
    this.fpo = new RangeIndex(data.stackWin.filter((r) => r.type === 0), (r) => r.codeSize);
    this.cfi = new RangeIndex(data.cfi, (r) => r.size);
    const starts = new Float64Array(this.funcs.length + this.publics.length);
    starts.set(this.funcs.starts, 0);
    starts.set(this.publics.starts, this.funcs.length);
    this.starts = starts.sort();
  }

  /** Parses a whole text (tests, small files). */
  static parse(text: string, context = '.sym text'): SymFile {
    const p = new SymParser(context);
    p.push(text);
    return new SymFile(p.finish());
  }

  /** Streams a file through the parser (never holds the whole text). */
  static async load(path: string): Promise<SymFile> {
    const p = new SymParser(path);
    try {
      const stream = createReadStream(path, { encoding: 'utf8', highWaterMark: CHUNK });
      for await (const chunk of stream) p.push(chunk as string);
    } catch (e) {
      if (e instanceof FormatError) throw e;
      throw new FormatError('Io', `cannot read ${path}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
    }
    return new SymFile(p.finish());
  }

  /** Same as `load`, synchronously, reading 1 MiB at a time. */
  static loadSync(path: string): SymFile {
    const p = new SymParser(path);
    let fd: number | undefined;
    try {
      fd = openSync(path, 'r');
      const buf = Buffer.allocUnsafe(CHUNK);
      const dec = new (nodeStringDecoder().StringDecoder)('utf8');
      let pos = 0;
      for (;;) {
        const n = readSync(fd, buf, 0, CHUNK, pos);
        if (n === 0) break;
        pos += n;
        p.push(dec.write(buf.subarray(0, n)));
      }
      p.push(dec.end());
    } catch (e) {
      if (e instanceof FormatError) throw e;
      throw new FormatError('Io', `cannot read ${path}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
    } finally {
      if (fd !== undefined) closeSync(fd);
    }
    return new SymFile(p.finish());
  }

  get funcCount(): number {
    return this.funcs.length;
  }

  get publicCount(): number {
    return this.publics.length;
  }

  fileName(id: number): string | undefined {
    return this.files.get(id);
  }

  private funcAt(rva: number): SymFuncRecord | undefined {
    return this.funcs.covering(rva);
  }

  /** Start of the first FUNC/PUBLIC strictly after `rva`, if any. */
  private nextStart(rva: number): number | undefined {
    const i = lastAtOrBefore(this.starts, rva) + 1;
    return i < this.starts.length ? this.starts[i] : undefined;
  }

  /**
   * Symbol covering `rva`: the FUNC containing it, else the nearest PUBLIC at or
   * before it, which extends to the next symbol start (G.5: FUNC wins).
   */
  lookup(rva: number): SymLookup | undefined {
    const f = this.funcAt(rva);
    if (f) return { name: f.name, rva: f.rva, size: f.size, kind: 'func', paramSize: f.paramSize, multiple: f.multiple };
    const i = this.publics.lastAtOrBefore(rva);
    const p = this.publics.items[i];
    if (!p) return undefined;
    const next = this.nextStart(p.rva);
    // A FUNC starting between the PUBLIC and the address ends the PUBLIC's extent.
    if (next !== undefined && next <= rva) return undefined;
    return { name: p.name, rva: p.rva, size: next !== undefined ? next - p.rva : undefined, kind: 'public', paramSize: p.paramSize, multiple: p.multiple };
  }

  /** Source line of the innermost code at `rva` (line 0 = compiler-generated: undefined). */
  lineAt(rva: number): SymLine | undefined {
    const f = this.funcAt(rva);
    if (!f) return undefined;
    const L = f.lines;
    const n = L.length / 4;
    let lo = 0;
    let hi = n - 1;
    let ans = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (L[mid * 4]! <= rva) {
        ans = mid;
        lo = mid + 1;
      } else {
        hi = mid - 1;
      }
    }
    for (let k = ans; k >= 0 && k > ans - OVERLAP_LOOKBACK; k--) {
      const start = L[k * 4]!;
      const size = L[k * 4 + 1]!;
      if (rva < start + Math.max(1, size)) {
        const line = L[k * 4 + 2]!;
        if (line <= 0) return undefined;
        const fileId = L[k * 4 + 3]!;
        return { file: this.files.get(fileId) ?? '??', line, rva: start, size };
      }
    }
    return undefined;
  }

  /**
   * Inlined calls covering `rva`, outermost (nest level 0, inlined into the FUNC)
   * first. The call-site line of entry k is the line in entry k−1 (or in the FUNC
   * for k = 0); `lineAt` gives the line inside the innermost one.
   */
  inlinesAt(rva: number): SymInlineFrame[] {
    const f = this.funcAt(rva);
    if (!f || f.inlines.length === 0) return [];
    const out: SymInlineFrame[] = [];
    for (const inl of f.inlines) {
      for (const [start, size] of inl.ranges) {
        if (rva >= start && rva < start + size) {
          out.push({
            name: this.origins.get(inl.origin) ?? '<name omitted>',
            nestLevel: inl.nestLevel,
            callSiteFile: inl.callSiteFile !== undefined ? this.files.get(inl.callSiteFile) : undefined,
            callSiteLine: inl.callSiteLine,
            rva: start,
            size,
          });
          break;
        }
      }
    }
    return out.sort((a, b) => a.nestLevel - b.nestLevel);
  }

  /** STACK WIN record covering `rva`: FrameData (type 4) preferred over FPO (type 0) (C.5). */
  stackWin(rva: number): StackWinRecord | undefined {
    return this.frameData.covering(rva) ?? this.fpo.covering(rva);
  }

  /** CFI rules in force just before the instruction at `rva`. */
  cfiAt(rva: number): CfiAt | undefined {
    const rec = this.cfi.covering(rva);
    if (!rec) return undefined;
    const rows: CfiRow[] = [{ rva: rec.rva, rules: parseCfiRules(rec.init) }];
    for (const [at, text] of rec.deltas) {
      if (at > rva) break;
      rows.push({ rva: at, rules: parseCfiRules(text) });
    }
    const rules: CfiRules = {};
    for (const row of rows) Object.assign(rules, row.rules);
    return { rva: rec.rva, size: rec.size, rows, rules };
  }

  /** Every FUNC and PUBLIC, by address (for `x module!pattern` and `ln`). */
  symbols(): SymLookup[] {
    const out: SymLookup[] = [];
    for (const f of this.funcs.items) out.push({ name: f.name, rva: f.rva, size: f.size, kind: 'func', paramSize: f.paramSize, multiple: f.multiple });
    for (const p of this.publics.items) {
      const next = this.nextStart(p.rva);
      out.push({ name: p.name, rva: p.rva, size: next !== undefined ? next - p.rva : undefined, kind: 'public', paramSize: p.paramSize, multiple: p.multiple });
    }
    return out.sort((a, b) => a.rva - b.rva || (a.kind === b.kind ? 0 : a.kind === 'func' ? -1 : 1));
  }
}

/**
 * A loader that parses `path` on first call and returns the same SymFile (or
 * the same failure) afterwards: symbol files are parsed once, on demand.
 */
export function lazySymFile(path: string): () => Promise<SymFile> {
  let p: Promise<SymFile> | undefined;
  return () => (p ??= SymFile.load(path));
}

/** Reads just the MODULE (and INFO CODE_ID, if within the first few KiB) of a .sym file, for identity checks. */
export function readSymHeader(path: string): { module: SymModuleRecord; codeId: string | undefined } {
  let fd: number | undefined;
  try {
    fd = openSync(path, 'r');
    const buf = Buffer.alloc(16 * 1024);
    const n = readSync(fd, buf, 0, buf.length, 0);
    const text = buf.toString('utf8', 0, n);
    const lines = text.split('\n').slice(0, 20);
    const p = new SymParser(path);
    // Only complete lines: the last one may have been cut by the 16 KiB read.
    const complete = lines.slice(0, n === buf.length ? -1 : undefined);
    complete.forEach((l, i) => {
      if (i === 0 || l.startsWith('INFO ')) p.push(l + '\n');
    });
    const d = p.finish();
    return { module: d.module, codeId: d.codeId };
  } catch (e) {
    if (e instanceof FormatError) throw e;
    throw new FormatError('Io', `cannot read ${path}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}
