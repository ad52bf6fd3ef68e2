/**
 * The `d*` memory display family (windbg-commands.md §6.1, §6.2): db dw dW dd
 * dc dq dp df dD da du, the symbol forms dds dps dqs, and `d` alone, which
 * repeats the last form. Output is built from the dump's bytes only; what the
 * dump does not hold prints as `?` of the field's width.
 */
import type { CommandSpec, Invocation } from '../../src/interpreter/command.js';
import { CommandError, requireTarget } from '../../src/interpreter/command.js';
import { formatCommandError } from '../../src/interpreter/errors.js';
import { formatFloat32Bits, formatFloat64Bits } from '../../src/interpreter/format.js';
import type { Target } from '../../src/session/target.js';
import { hexN, ptr } from '../../src/results/hex.js';
import { ok } from '../../src/results/types.js';
import { evalPrefix } from '../common/expr.js';
import { prepareSymbols, symbolText } from '../common/location.js';

/** Every display form, keyed by its suffix after `d` (case matters only for dD/dW). */
export type DisplayKind = 'a' | 'b' | 'w' | 'W' | 'd' | 'c' | 'q' | 'p' | 'f' | 'D' | 'u' | 'ds' | 'ps' | 'qs';

interface KindInfo {
  /** Element size in bytes (pointer forms: 0 = the target's pointer size). */
  size: number;
  /** Elements per line by default. 0 = one string per line (da/du). */
  perLine: number;
  /** Default element count when no L is given. */
  defaultCount: number;
}

const KINDS: Record<DisplayKind, KindInfo> = {
  b: { size: 1, perLine: 16, defaultCount: 128 },
  w: { size: 2, perLine: 8, defaultCount: 64 },
  W: { size: 2, perLine: 8, defaultCount: 64 },
  d: { size: 4, perLine: 4, defaultCount: 32 },
  c: { size: 4, perLine: 4, defaultCount: 32 },
  q: { size: 8, perLine: 2, defaultCount: 16 },
  p: { size: 0, perLine: 0, defaultCount: 0 },
  f: { size: 4, perLine: 4, defaultCount: 16 },
  D: { size: 8, perLine: 3, defaultCount: 15 },
  a: { size: 1, perLine: 32, defaultCount: 0 },
  u: { size: 2, perLine: 32, defaultCount: 0 },
  ds: { size: 4, perLine: 1, defaultCount: 32 },
  qs: { size: 8, perLine: 1, defaultCount: 16 },
  ps: { size: 0, perLine: 1, defaultCount: 0 },
};

/**
 * Longest run of characters da/du show when no length is given (WinDbg stops
 * at the terminating NUL; this only bounds a runaway read of unterminated data).
 */
export const STRING_DEFAULT_MAX_CHARS = 1024;

/** dbgeng refuses ranges over 256 MB unless `L?` is used (address-and-address-range-syntax). */
const RANGE_LIMIT_BYTES = 0x10000000n;
/** Even with `L?`, output is capped at this many bytes so one command cannot print gigabytes. */
const HARD_LIMIT_BYTES = 0x1000000n;

/** Where the next argument-less `d*` continues, per target. */
interface DisplayState {
  next: bigint | undefined;
  kind: DisplayKind;
}
const displayState = new WeakMap<Target, DisplayState>();

function stateOf(t: Target): DisplayState {
  let s = displayState.get(t);
  if (!s) {
    s = { next: undefined, kind: 'b' };
    displayState.set(t, s);
  }
  return s;
}

/** The kind a token names: `dq` → q, `dD` → D (case-sensitive second letter), `dps` → ps; undefined for plain `d`. */
export function kindOfToken(token: string): DisplayKind | undefined {
  const rest = token.slice(1);
  if (rest === '') return undefined;
  const lower = rest.toLowerCase();
  if (lower === 'ds' || lower === 'ps' || lower === 'qs') return lower;
  if (rest === 'D' || rest === 'W') return rest;
  const k = lower as DisplayKind;
  return k in KINDS ? k : undefined;
}

function elementSize(kind: DisplayKind, ptrSize: number): number {
  const s = KINDS[kind].size;
  return s === 0 ? ptrSize : s;
}

function defaultCount(kind: DisplayKind, ptrSize: number): number {
  if (kind === 'p' || kind === 'ps') return 128 / ptrSize;
  return KINDS[kind].defaultCount;
}

function perLine(kind: DisplayKind, ptrSize: number): number {
  if (kind === 'p') return 16 / ptrSize;
  return KINDS[kind].perLine;
}

/** A parsed `d*` argument list. */
export interface DisplayRange {
  start: bigint;
  /** Element count; undefined = the form's default (strings: up to the NUL). */
  count: number | undefined;
  columns: number | undefined;
}

/**
 * Parses `[/c N] [Range]` where Range is `addr`, `addr addr2` (inclusive end),
 * `addr L<n>`, `addr L?<n>` or `addr L-<n>`. Without a range the display
 * continues where the last one ended (or at the instruction pointer).
 */
export function parseDisplayArgs(t: Target, inv: Invocation, kind: DisplayKind): DisplayRange {
  let text = inv.args.trim();
  let columns: number | undefined;
  const size = elementSize(kind, t.pointerSize);
  const col = /^\/c\s*(\S+)\s*/.exec(text);
  if (col) {
    const v = evalPrefix(t, col[1] ?? '', inv.raw).value;
    if (v <= 0n || v > 0x1000n) throw new CommandError(formatCommandError('Range', inv.raw, inv.raw.indexOf(col[0]) + col[0].length));
    columns = Number(v);
    text = text.slice(col[0].length);
  }
  if (text === '') {
    const s = stateOf(t);
    const start = s.next ?? t.scopeContext()?.pc;
    if (start === undefined) throw new CommandError('No previous display address and no instruction pointer: give an address');
    return { start, count: undefined, columns };
  }
  const first = evalPrefix(t, text, inv.raw);
  const start = first.value;
  const rest = first.rest;
  let count: number | undefined;
  if (rest !== '') {
    const l = /^[lL](\?|-)?\s*/.exec(rest);
    if (l) {
      const mode = l[1];
      const after = rest.slice(l[0].length);
      const n = evalPrefix(t, after, inv.raw);
      if (n.rest !== '') throw new CommandError(formatCommandError('Extra character', inv.raw, inv.raw.lastIndexOf(n.rest)));
      let c = n.value;
      if (c === 0n) c = 1n;
      const bytes = c * BigInt(size);
      if (mode !== '?' && bytes > RANGE_LIMIT_BYTES) throw new CommandError(formatCommandError('Range', inv.raw, inv.raw.length));
      if (bytes > HARD_LIMIT_BYTES) c = HARD_LIMIT_BYTES / BigInt(size);
      count = Number(c);
      if (mode === '-') return { start: start - BigInt(count * size), count, columns };
    } else {
      const end = evalPrefix(t, rest, inv.raw);
      if (end.rest !== '') throw new CommandError(formatCommandError('Extra character', inv.raw, inv.raw.lastIndexOf(end.rest)));
      if (end.value < start) throw new CommandError(formatCommandError('Range', inv.raw, inv.raw.length));
      // The end address is inclusive: `1000 1007` is 8 bytes.
      const bytes = end.value - start + 1n;
      if (bytes > RANGE_LIMIT_BYTES) throw new CommandError(formatCommandError('Range', inv.raw, inv.raw.length));
      count = Number((bytes + BigInt(size) - 1n) / BigInt(size));
    }
  }
  return { start, count, columns };
}

/** One line of the display, as data: unreadable elements are null. */
export interface DisplayRow {
  address: bigint;
  values: (bigint | null)[];
  /** dds/dps/dqs: the symbol of each value (null when none). */
  symbols?: (string | null)[];
  /** da/du: the decoded characters of the line. */
  text?: string;
}

export interface DisplayOutput {
  lines: string[];
  rows: DisplayRow[];
  /** First address after what was shown (where a bare `d` continues). */
  next: bigint;
}

const printable = (b: number): string => (b >= 0x20 && b <= 0x7e ? String.fromCharCode(b) : '.');

/**
 * A UTF-16 code unit as du shows it: control characters, surrogate halves and
 * private-use characters as `.`, everything else as itself (WinDbg prints CJK
 * text from du directly; da shows bytes above 0x7e as `.`).
 */
function wideChar(c: number): string {
  if (c < 0x20 || (c >= 0x7f && c <= 0x9f) || (c >= 0xd800 && c <= 0xf8ff)) return '.';
  return String.fromCharCode(c);
}

/** Reads one line's worth: the contiguous captured prefix (dbgeng reads line by line). */
function readLine(t: Target, addr: bigint, len: number): Buffer {
  return t.readMemory(addr, len);
}

function readValue(buf: Buffer, off: number, size: number): bigint | null {
  if (off + size > buf.length) return null;
  switch (size) {
    case 1:
      return BigInt(buf.readUInt8(off));
    case 2:
      return BigInt(buf.readUInt16LE(off));
    case 4:
      return BigInt(buf.readUInt32LE(off));
    default:
      return buf.readBigUInt64LE(off);
  }
}

/** `00000000`00001234` for qwords (always with the backtick, also on x86 targets), `????????`????????` when unreadable. */
function qwordText(v: bigint | null): string {
  if (v === null) return '????????`????????';
  const h = hexN(v, 16);
  return `${h.slice(0, 8)}\`${h.slice(8)}`;
}

function valueText(v: bigint | null, size: number): string {
  if (size === 8) return qwordText(v);
  return v === null ? '?'.repeat(size * 2) : hexN(v, size * 2);
}

/** Builds the lines of a numeric display (db dw dW dd dc dq dp df dD). */
export function numericDisplay(t: Target, kind: DisplayKind, start: bigint, count: number, columns?: number): DisplayOutput {
  const p = t.pointerSize;
  const size = elementSize(kind, p);
  const per = columns ?? perLine(kind, p);
  const lines: string[] = [];
  const rows: DisplayRow[] = [];
  let addr = start;
  let left = count;
  // db, dc and dW pad a short last line so the character column stays aligned.
  const charColumn = kind === 'b' || kind === 'c' || kind === 'W';
  while (left > 0) {
    const n = Math.min(per, left);
    const buf = readLine(t, addr, n * size);
    const values: (bigint | null)[] = [];
    for (let i = 0; i < n; i++) values.push(readValue(buf, i * size, size));
    rows.push({ address: addr, values });
    let body: string;
    if (kind === 'b') {
      body = values.map((v, i) => (i === 8 ? '-' : i === 0 ? '' : ' ') + (v === null ? '??' : hexN(v, 2))).join('');
      const full = per * 3 - 1;
      body = body.padEnd(full) + '  ' + bytesAsText(buf, n);
    } else if (kind === 'f' || kind === 'D') {
      body = values.map((v) => floatText(v, size)).join(' ');
    } else {
      body = values.map((v) => valueText(v, size)).join(' ');
      if (charColumn) {
        const full = per * (size * 2 + 1) - 1;
        body = body.padEnd(full) + '  ' + bytesAsText(buf, n * size);
      }
    }
    lines.push(`${ptr(addr, p)}  ${body}`);
    addr += BigInt(n * size);
    left -= n;
  }
  return { lines, rows, next: addr };
}

/** The character column: printable ASCII, `.` for the rest, `?` for bytes the dump lacks. */
function bytesAsText(buf: Buffer, n: number): string {
  let s = '';
  for (let i = 0; i < n; i++) s += i < buf.length ? printable(buf[i] as number) : '?';
  return s;
}

/**
 * df / dD values in the debugger's printf style (msvcrt `%g`-like with a
 * three-digit exponent), right-aligned in a fixed field.
 */
function floatText(v: bigint | null, size: number): string {
  const width = size === 4 ? 15 : 22;
  if (v === null) return '?'.repeat(width);
  return (size === 4 ? formatFloat32Bits(v) : formatFloat64Bits(v)).padStart(width);
}

/** dds / dps / dqs: one value per line with its symbol when the value lies in a module. */
export function symbolDisplay(t: Target, kind: DisplayKind, start: bigint, count: number): DisplayOutput {
  const p = t.pointerSize;
  const size = elementSize(kind, p);
  const lines: string[] = [];
  const rows: DisplayRow[] = [];
  let addr = start;
  for (let i = 0; i < count; i++) {
    const v = readValue(readLine(t, addr, size), 0, size);
    const sym = v === null ? undefined : symbolText(t, v);
    rows.push({ address: addr, values: [v], symbols: [sym ?? null] });
    lines.push(`${ptr(addr, p)}  ${valueText(v, size)}${sym ? ` ${sym}` : ''}`);
    addr += BigInt(size);
  }
  return { lines, rows, next: addr };
}

/**
 * da / du: quoted text, 32 characters per line, up to the terminating NUL or
 * the given count. Non-printable characters show as `.`; memory the dump lacks
 * shows as `?` (a line that starts unreadable is all `?`, and the display ends there).
 */
export function stringDisplay(t: Target, kind: 'a' | 'u', start: bigint, count: number | undefined, columns?: number): DisplayOutput {
  const p = t.pointerSize;
  const size = kind === 'u' ? 2 : 1;
  const per = columns ?? 32;
  const max = count ?? STRING_DEFAULT_MAX_CHARS;
  const lines: string[] = [];
  const rows: DisplayRow[] = [];
  let addr = start;
  let shown = 0;
  while (shown < max) {
    const n = Math.min(per, max - shown);
    const buf = readLine(t, addr, n * size);
    const avail = Math.floor(buf.length / size);
    let text = '';
    let ended = false;
    let used = 0;
    for (let i = 0; i < n; i++) {
      if (i >= avail) {
        text += '?';
        used++;
        continue;
      }
      const c = size === 2 ? buf.readUInt16LE(i * size) : (buf[i] as number);
      if (c === 0) {
        ended = true;
        break;
      }
      text += size === 1 ? printable(c) : wideChar(c);
      used++;
    }
    rows.push({ address: addr, values: [], text });
    lines.push(`${ptr(addr, p)}  "${text}"`);
    shown += used;
    addr += BigInt(used * size);
    if (ended) {
      addr += BigInt(size);
      break;
    }
    if (avail < n) break;
  }
  return { lines, rows, next: addr };
}

/** The values a dds/dps/dqs display will show, so their modules' symbols can be loaded first. */
function symbolValues(t: Target, kind: DisplayKind, range: DisplayRange): bigint[] {
  const size = elementSize(kind, t.pointerSize);
  const count = range.count ?? defaultCount(kind, t.pointerSize);
  const buf = t.readMemory(range.start, count * size);
  const out: bigint[] = [];
  for (let i = 0; (i + 1) * size <= buf.length; i++) out.push(readValue(buf, i * size, size) as bigint);
  return out;
}

/** Runs a display of `kind` at `range`; updates where the next bare `d` continues. */
export function displayMemory(t: Target, kind: DisplayKind, range: DisplayRange): DisplayOutput {
  const p = t.pointerSize;
  let out: DisplayOutput;
  if (kind === 'a' || kind === 'u') out = stringDisplay(t, kind, range.start, range.count, range.columns);
  else if (kind === 'ds' || kind === 'ps' || kind === 'qs') out = symbolDisplay(t, kind, range.start, range.count ?? defaultCount(kind, p));
  else out = numericDisplay(t, kind, range.start, range.count ?? defaultCount(kind, p), range.columns);
  const s = stateOf(t);
  s.next = out.next;
  s.kind = kind;
  return out;
}

const D_PATTERN = /^d(?:ds|ps|qs|[abwWdcqpfDu])?(?![a-z_])/i;

export const dCommand: CommandSpec = {
  name: 'd',
  pattern: D_PATTERN,
  group: 'standard',
  syntax: 'd{a|b|c|d|D|f|p|q|u|w|W} [/c Width] [Range] | d{d|p|q}s [Range] | d [Range]',
  summary: 'Display memory: bytes, words, dwords, qwords, pointers, floats, strings; dps/dqs/dds add symbols',
  help: [
    'Range: ADDR, ADDR ADDR2 (inclusive end), ADDR L<count>, ADDR L?<count> (over 256 MB), ADDR L-<count> (ending at ADDR).',
    'Counts are in elements of the display type. Defaults: db 128 bytes, dw 64 words, dd/dc 32 dwords, dq 16 qwords,',
    'dp pointers for 128 bytes, df 16 floats, dD 15 doubles, da/du to the terminating NUL; dds/dps/dqs 128 bytes.',
    'Without a range the display continues where the last one ended; `d` alone repeats the last display type.',
    'Memory the dump does not hold prints as ?? (minidumps often lack heap and global memory).',
  ].join('\n'),
  examples: ['db @rsp', 'dq @$csp L4', 'dps @rsp L10', 'dd 00401000 00401020', 'da poi(@rcx)', 'du @rdx', 'dc @$teb L8'],
  threadPrefix: true,
  async run(ctx, inv) {
    const t = requireTarget(ctx);
    // The table also offers `d` for any text starting with d (`dt`, `dv`): only our own forms are ours.
    if (!D_PATTERN.test(inv.raw.trimStart())) throw new CommandError(`       ^ Syntax error in '${inv.raw.trim()}'`);
    const kind = kindOfToken(inv.token) ?? stateOf(t).kind;
    const range = parseDisplayArgs(t, inv, kind);
    if (kind === 'ds' || kind === 'ps' || kind === 'qs') await prepareSymbols(t, symbolValues(t, kind, range));
    const out = displayMemory(t, kind, range);
    const size = kind === 'a' ? 1 : kind === 'u' ? 2 : elementSize(kind, t.pointerSize);
    return ok(out.lines, {
      type: 'memory',
      display: `d${kind}`,
      address: range.start,
      elementSize: size,
      rows: out.rows,
      next: out.next,
    });
  },
};

/**
 * What pressing Enter on an empty line should run after `line` (windbg-commands.md §0.4):
 * a `d*` command repeats as its bare token, so the display continues where it ended;
 * anything else repeats unchanged.
 */
export function repeatLineFor(line: string): string {
  const text = line.trim();
  if (text.includes(';')) return line;
  const m = D_PATTERN.exec(text);
  return m ? m[0] : line;
}
