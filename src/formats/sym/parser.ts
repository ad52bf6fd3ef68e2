import { FormatError } from '../../bytes/errors.js';
import type { CfiRecord, SymFuncRecord, SymInlineRecord, SymModuleRecord, SymPublicRecord, StackWinRecord } from './types.js';

/** Everything a `.sym` file holds, unsorted, as the parser produced it. */
export interface SymData {
  module: SymModuleRecord;
  codeId: string | undefined;
  codeFile: string | undefined;
  /** Other INFO lines (`GENERATOR …`, `URL …`) as written after `INFO `. */
  info: string[];
  files: Map<number, string>;
  inlineOrigins: Map<number, string>;
  funcs: SymFuncRecord[];
  publics: SymPublicRecord[];
  stackWin: StackWinRecord[];
  cfi: CfiRecord[];
  /** Lines that could not be understood (skipped, as Breakpad does), with the first few for messages. */
  badLines: number;
  badSamples: string[];
}

/** A line longer than this is not a .sym file (or is hostile); the parser refuses it. */
export const MAX_SYM_LINE = 4 * 1024 * 1024;

const HEX = /^[0-9a-fA-F]{1,13}$/;
const DEC = /^-?\d{1,15}$/;

/** Parses lower- or upper-case hex without 0x; NaN when not hex or beyond 2^52. */
export function parseHex(s: string | undefined): number {
  return s !== undefined && HEX.test(s) ? parseInt(s, 16) : NaN;
}

function parseDec(s: string | undefined): number {
  return s !== undefined && DEC.test(s) ? parseInt(s, 10) : NaN;
}

/**
 * Splits `line` into `n` fields at single spaces; the last field keeps its
 * spaces (names and program strings contain them). Returns fewer than `n`
 * fields when the line is short.
 */
export function splitFields(line: string, n: number): string[] {
  const out: string[] = [];
  let pos = 0;
  while (out.length < n - 1) {
    const sp = line.indexOf(' ', pos);
    if (sp < 0) break;
    out.push(line.slice(pos, sp));
    pos = sp + 1;
  }
  out.push(line.slice(pos));
  return out;
}

/** Line-oriented incremental parser: feed text chunks with `push`, then `finish`. */
export class SymParser {
  private readonly context: string;
  private pending = '';
  private lineNo = 0;
  private module: SymModuleRecord | undefined;
  private data: Omit<SymData, 'module'> = {
    codeId: undefined, codeFile: undefined, info: [], files: new Map(), inlineOrigins: new Map(),
    funcs: [], publics: [], stackWin: [], cfi: [], badLines: 0, badSamples: [],
  };
  private lastFunc: { rec: SymFuncRecord; lines: number[] } | undefined;
  private lastCfi: CfiRecord | undefined;
  private readonly scratch = [0, 0, 0, 0];

  constructor(context = '.sym file') {
    this.context = context;
  }

  push(chunk: string): void {
    let text = this.pending + chunk;
    let start = 0;
    for (;;) {
      const nl = text.indexOf('\n', start);
      if (nl < 0) break;
      this.line(text.slice(start, nl));
      start = nl + 1;
    }
    text = text.slice(start);
    if (text.length > MAX_SYM_LINE) {
      throw new FormatError('TooLarge', `line ${this.lineNo + 1} is longer than ${MAX_SYM_LINE} characters`, `reading ${this.context}`);
    }
    this.pending = text;
  }

  finish(): SymData {
    if (this.pending.length > 0) this.line(this.pending);
    this.pending = '';
    this.closeFunc();
    if (!this.module) throw new FormatError('BadValue', 'empty file: no MODULE line', `reading ${this.context}`);
    return { module: this.module, ...this.data };
  }

  private bad(line: string): void {
    this.data.badLines++;
    if (this.data.badSamples.length < 5) this.data.badSamples.push(`line ${this.lineNo}: ${line.slice(0, 120)}`);
  }

  private line(raw: string): void {
    this.lineNo++;
    // Tolerate CRLF files (G.5).
    const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    if (line.length === 0) return;
    if (!this.module) {
      this.module = this.parseModule(line);
      return;
    }
    const c = line.charCodeAt(0);
    // Line records (most of a big file) start with a digit or lower-case hex digit; keywords
    // start with an upper-case letter. Upper-case hex (A–F) is recognised after the keywords.
    if ((c >= 48 && c <= 57) || (c >= 97 && c <= 102)) return this.parseLineRecord(line);
    switch (line.slice(0, line.indexOf(' ') >>> 0)) {
      case 'FUNC': return this.parseFunc(line);
      case 'PUBLIC': return this.parsePublic(line);
      case 'FILE': return this.parseFile(line);
      case 'INLINE': return this.parseInline(line);
      case 'INLINE_ORIGIN': return this.parseInlineOrigin(line);
      case 'STACK': return this.parseStack(line);
      case 'INFO': return this.parseInfo(line);
      case 'MODULE': return this.bad(line);
    }
    if (c >= 65 && c <= 70) return this.parseLineRecord(line);
    this.bad(line);
  }

  private parseModule(line: string): SymModuleRecord {
    const f = splitFields(line, 5);
    if (f[0] !== 'MODULE' || f.length < 5) {
      throw new FormatError('BadValue', `not a Breakpad symbol file: the first line is not "MODULE <os> <arch> <id> <name>"`, `reading ${this.context}`, 0);
    }
    return { os: f[1] ?? '', arch: f[2] ?? '', id: (f[3] ?? '').toUpperCase(), name: (f[4] ?? '').trim() };
  }

  private parseInfo(line: string): void {
    const rest = line.slice(5).trim();
    if (rest.startsWith('CODE_ID ')) {
      // `INFO CODE_ID <id> [<code_file>]`; tolerate repeated spaces (rust-minidump does).
      const parts = rest.slice(8).trim().split(/ +/);
      this.data.codeId = parts[0]?.toUpperCase();
      const file = parts.slice(1).join(' ');
      if (file) this.data.codeFile = file;
    } else {
      this.data.info.push(rest);
    }
  }

  private parseFile(line: string): void {
    const f = splitFields(line, 3);
    const id = parseDec(f[1]);
    if (f.length < 3 || Number.isNaN(id)) return this.bad(line);
    this.data.files.set(id, f[2] ?? '');
  }

  private parseInlineOrigin(line: string): void {
    let f = splitFields(line, 3);
    const id = parseDec(f[1]);
    if (f.length < 3 || Number.isNaN(id)) return this.bad(line);
    // Older dump_syms wrote `INLINE_ORIGIN <id> <file_id> <name>`; a function name is never all digits.
    const old = splitFields(line, 4);
    if (old.length === 4 && /^\d+$/.test(old[2] ?? '')) f = [old[0]!, old[1]!, old[3]!];
    this.data.inlineOrigins.set(id, f[2] ?? '');
  }

  private closeFunc(): void {
    const cur = this.lastFunc;
    if (!cur) return;
    const L = cur.lines;
    const n = L.length / 4;
    let sorted = true;
    for (let i = 1; i < n && sorted; i++) sorted = L[(i - 1) * 4]! <= L[i * 4]!;
    if (sorted) {
      cur.rec.lines = Float64Array.from(L);
    } else {
      const order = Array.from({ length: n }, (_, i) => i);
      order.sort((a, b) => L[a * 4]! - L[b * 4]!);
      const out = new Float64Array(L.length);
      order.forEach((src, dst) => {
        for (let k = 0; k < 4; k++) out[dst * 4 + k] = L[src * 4 + k]!;
      });
      cur.rec.lines = out;
    }
    this.lastFunc = undefined;
  }

  private parseFunc(line: string): void {
    this.closeFunc();
    let f = splitFields(line, 5);
    let multiple = false;
    if (f[1] === 'm') {
      multiple = true;
      f = splitFields(line.slice(7), 4);
    } else {
      f = f.slice(1);
    }
    const rva = parseHex(f[0]);
    const size = parseHex(f[1]);
    const paramSize = parseHex(f[2]);
    if (f.length < 3 || Number.isNaN(rva) || Number.isNaN(size) || Number.isNaN(paramSize)) return this.bad(line);
    const rec: SymFuncRecord = { rva, size, paramSize, name: f[3] ?? '', multiple, lines: new Float64Array(0), inlines: [] };
    this.data.funcs.push(rec);
    this.lastFunc = { rec, lines: [] };
  }

  private parsePublic(line: string): void {
    let f = splitFields(line, 4);
    let multiple = false;
    if (f[1] === 'm') {
      multiple = true;
      f = splitFields(line.slice(9), 3);
    } else {
      f = f.slice(1);
    }
    const rva = parseHex(f[0]);
    const paramSize = parseHex(f[1]);
    if (f.length < 2 || Number.isNaN(rva) || Number.isNaN(paramSize)) return this.bad(line);
    this.data.publics.push({ rva, paramSize, name: f[2] ?? '', multiple });
  }

  private parseLineRecord(line: string): void {
    // Hot path (most lines of a big file): scan `<addr> <size> <line> <filenum>` without allocating.
    const cur = this.lastFunc;
    const n = line.length;
    let i = 0;
    const vals = this.scratch;
    for (let field = 0; field < 4; field++) {
      const hex = field < 2;
      let v = 0;
      let digits = 0;
      let neg = false;
      if (!hex && line.charCodeAt(i) === 45) {
        neg = true;
        i++;
      }
      for (; i < n; i++) {
        const c = line.charCodeAt(i);
        let d: number;
        if (c >= 48 && c <= 57) d = c - 48;
        else if (hex && c >= 97 && c <= 102) d = c - 87;
        else if (hex && c >= 65 && c <= 70) d = c - 55;
        else break;
        v = v * (hex ? 16 : 10) + d;
        digits++;
      }
      if (digits === 0 || digits > 13) return this.bad(line);
      vals[field] = neg ? -v : v;
      if (field < 3) {
        if (line.charCodeAt(i) !== 32) return this.bad(line);
        i++;
      }
    }
    if (i !== n || !cur) return this.bad(line);
    cur.lines.push(vals[0]!, vals[1]!, vals[2]!, vals[3]!);
  }

  private parseInline(line: string): void {
    const f = line.split(' ').filter((s) => s.length > 0).slice(1);
    // New format: nest line file origin (addr size)+ → even count; old format without the
    // call-site file: nest line origin (addr size)+ → odd count (Breakpad tells them apart the same way).
    const hasFile = f.length % 2 === 0;
    const head = hasFile ? 4 : 3;
    if (f.length < head + 2 || !this.lastFunc) return this.bad(line);
    const nums = f.slice(0, head).map(parseDec);
    if (nums.some((n) => Number.isNaN(n))) return this.bad(line);
    const ranges: Array<[number, number]> = [];
    for (let i = head; i + 1 < f.length; i += 2) {
      const a = parseHex(f[i]);
      const s = parseHex(f[i + 1]);
      if (Number.isNaN(a) || Number.isNaN(s)) return this.bad(line);
      ranges.push([a, s]);
    }
    const rec: SymInlineRecord = {
      nestLevel: nums[0]!,
      callSiteLine: nums[1]!,
      callSiteFile: hasFile ? nums[2]! : undefined,
      origin: nums[head - 1]!,
      ranges,
    };
    this.lastFunc.rec.inlines.push(rec);
  }

  private parseStack(line: string): void {
    if (line.startsWith('STACK WIN ')) return this.parseStackWin(line);
    if (line.startsWith('STACK CFI INIT ')) {
      const f = splitFields(line.slice(15), 3);
      const rva = parseHex(f[0]);
      const size = parseHex(f[1]);
      if (f.length < 3 || Number.isNaN(rva) || Number.isNaN(size)) return this.bad(line);
      const rec: CfiRecord = { rva, size, init: f[2] ?? '', deltas: [] };
      this.data.cfi.push(rec);
      this.lastCfi = rec;
      return;
    }
    if (line.startsWith('STACK CFI ')) {
      const f = splitFields(line.slice(10), 2);
      const rva = parseHex(f[0]);
      const cur = this.lastCfi;
      // A delta must lie inside the INIT range it follows.
      if (f.length < 2 || Number.isNaN(rva) || !cur || rva < cur.rva || rva >= cur.rva + Math.max(cur.size, 1)) return this.bad(line);
      cur.deltas.push([rva, f[1] ?? '']);
      return;
    }
    this.bad(line);
  }

  private parseStackWin(line: string): void {
    const f = splitFields(line.slice(10), 11);
    if (f.length < 11) return this.bad(line);
    const n = f.slice(0, 9).map(parseHex);
    const hasProgram = f[9];
    if (n.some((x) => Number.isNaN(x)) || (hasProgram !== '0' && hasProgram !== '1')) return this.bad(line);
    const type = n[0]!;
    const last = f[10] ?? '';
    // Only FPO (0) and FrameData (4) are used for unwinding; drop the other types (C.5).
    if (type !== 0 && type !== 4) return;
    // FrameData records are only meaningful with a program string; a FrameData record
    // without one is inconsistent and dropped (rust-minidump does the same).
    if (type === 4 && hasProgram !== '1') return this.bad(line);
    let programString: string | undefined;
    let allocatesBasePointer = false;
    if (hasProgram === '1') {
      programString = last.trim();
      if (programString.length === 0) return this.bad(line);
    } else {
      const abp = last.trim();
      if (abp !== '0' && abp !== '1') return this.bad(line);
      allocatesBasePointer = abp === '1';
    }
    this.data.stackWin.push({
      type, rva: n[1]!, codeSize: n[2]!, prologSize: n[3]!, epilogSize: n[4]!, paramSize: n[5]!,
      savedRegsSize: n[6]!, localSize: n[7]!, maxStackSize: n[8]!, programString, allocatesBasePointer,
    });
  }
}
