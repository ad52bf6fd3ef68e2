/**
 * Command-line lexing (windbg-commands.md §0.4, §3, §10.3, §10.5):
 *  - `;` separates commands, except inside double quotes (`.echo "a;b"`,
 *    `bp x "k;g"`) and inside the `{ }` blocks of control-flow tokens
 *    (`.if (c) { k; r }`).
 *  - `$$ text` is a comment that ends at the next `;`; `* text` comments out the
 *    rest of the line, `;` included.
 *  - `$<file` and `$><file` take the rest of the line (their file names may
 *    contain `;`); `$$<`, `$$><`, `$$>a<` end at `;` like other commands.
 *  - Thread prefixes `~N`, `~*`, `~.`, `~#`, `~~[tid]`, `~[expr]`, optionally
 *    followed by `e` (execute per thread, no per-thread header); `~Ns`,
 *    `~Nf`, `~Nu`, `~Nn`, `~Nm` are thread commands of their own. Process and
 *    system selectors: `|N`, `|Ns`, `||N`, `||Ns`.
 * Pure: no I/O, no evaluation (a `~~[tid]`/`~[expr]` selector keeps its text;
 * plain literals are also decoded for convenience).
 */
import { ExprError } from './errors.js';
import { parseNumberToken } from './expr.js';

export interface CommandPiece {
  /** The command text with surrounding blanks removed. */
  text: string;
  /** Index of `text` in the line. */
  offset: number;
  /** `$$ ...` and `* ...` comments. */
  comment: boolean;
}

export type SelectorKind = 'index' | 'all' | 'current' | 'event' | 'tid' | 'expr';

/** `~3` → index 3 (always decimal); `~~[1a2b]` → tid (text `1a2b`, value 0x1a2b); `~[@$t0]` → expr. */
export interface Selector {
  kind: SelectorKind;
  /** Thread/process/system index, or the TID when `text` is a plain number. */
  value?: number;
  /** The bracketed text of `~~[...]` and `~[...]`, for the caller to evaluate. */
  text?: string;
}

export interface ThreadPrefix extends Selector {
  /** `~*e cmd`: run cmd per thread without the per-thread header `~* k` prints. */
  execute: boolean;
}

export interface ParsedCommand {
  /** The whole command as typed (trimmed). */
  raw: string;
  /** Index of `raw` in the line it came from. */
  offset: number;
  /** Thread selector in front of the command (also the selector of `~Ns`, `~N`). */
  prefix?: ThreadPrefix;
  /** `|N` selector (also the selector of `|Ns`). */
  process?: Selector;
  /** `||N` selector (also the selector of `||Ns`). */
  system?: Selector;
  /**
   * The command token as typed: `k`, `kbn`, `!analyze`, `.ecxr`, `?`, `??`,
   * `$$>a<`; for selector commands `~`, `~s`, `~f`, `~u`, `~n`, `~m`, `|`, `|s`,
   * `||`, `||s`; `$$` and `*` for comments. Letters are not case-folded.
   */
  command: string;
  /** Everything after the token, trimmed. */
  args: string;
  /** Index of `args` in the line. */
  argsOffset: number;
  comment: boolean;
}

/** Tokens whose `{ ... }` blocks may contain `;`, also behind a thread prefix (`~*e .if (...) { ... }`). */
const BLOCK_COMMANDS = /^(~(~?\[[^\]]*\]|\d+|[*.#])?\s*(e\s+)?)?\.(if|elsif|else|for|foreach|while|do|block|catch)\b/i;

/** Splits a line on `;` (see the module comment); empty commands are dropped. */
export function splitCommandLine(line: string): CommandPiece[] {
  const out: CommandPiece[] = [];
  let i = 0;
  const n = line.length;
  while (i < n) {
    while (i < n && /\s/.test(line[i]!)) i++;
    if (i >= n) break;
    const start = i;
    if (line[i] === ';') {
      i++;
      continue;
    }
    let end: number;
    let comment = false;
    if (line[i] === '*') {
      comment = true;
      end = n;
    } else if (line.startsWith('$$', i) && line[i + 2] !== '<' && line[i + 2] !== '>') {
      comment = true;
      const semi = line.indexOf(';', i);
      end = semi < 0 ? n : semi;
    } else if (line.startsWith('$<', i) || line.startsWith('$><', i)) {
      end = n;
    } else {
      end = scanCommandEnd(line, i, BLOCK_COMMANDS.test(line.slice(i)));
    }
    const text = line.slice(start, end).trimEnd();
    if (text !== '') out.push({ text, offset: start, comment });
    i = end + 1;
  }
  return out;
}

/** Index of the `;` ending the command starting at `i` (or the line length). */
function scanCommandEnd(line: string, i: number, braces: boolean): number {
  let quoted = false;
  let depth = 0;
  for (; i < line.length; i++) {
    const c = line[i];
    if (quoted) {
      if (c === '\\') i++;
      else if (c === '"') quoted = false;
    } else if (c === '"') quoted = true;
    else if (braces && c === '{') depth++;
    else if (braces && c === '}') depth = Math.max(0, depth - 1);
    else if (c === ';' && depth === 0) return i;
  }
  return line.length;
}

/** The commands of a line as text, comments dropped (what a dispatcher runs). */
export function splitCommands(line: string): string[] {
  return splitCommandLine(line)
    .filter((p) => !p.comment)
    .map((p) => p.text);
}

/** Splits and parses every command of a line. Throws ExprError (caret style) on a malformed selector. */
export function parseCommandLine(line: string, radix = 16): ParsedCommand[] {
  return splitCommandLine(line).map((p) => parseCommand(line, p.offset, p.offset + p.text.length, radix));
}

/**
 * Parses one command: `line.slice(start, end)` (defaults: the whole string).
 * Offsets in the result and in thrown errors index `line`.
 * Throws ExprError with kind 'Syntax', style 'caret' for `~~[` without `]` and the like.
 */
export function parseCommand(line: string, start = 0, end = line.length, radix = 16): ParsedCommand {
  let p = skipBlanks(line, start, end);
  let e = end;
  while (e > p && /\s/.test(line[e - 1]!)) e--;
  const raw = line.slice(p, e);
  const result: ParsedCommand = { raw, offset: p, command: '', args: '', argsOffset: e, comment: false };

  if (line[p] === '|') {
    const system = line[p + 1] === '|';
    p += system ? 2 : 1;
    const sel = parseSelector(line, p, e, radix, false);
    if (system) result.system = sel.selector;
    else result.process = sel.selector;
    p = skipBlanks(line, sel.next, e);
    const base = system ? '||' : '|';
    if (p >= e) return { ...result, command: base, argsOffset: e };
    if (/^s$/i.test(line.slice(p, e))) return { ...result, command: `${base}${line[p]!.toLowerCase()}`, argsOffset: e };
    if (sel.selector === undefined) return { ...result, command: base, args: line.slice(p, e), argsOffset: p };
    return finishCommand(line, p, e, radix, result);
  }
  return finishCommand(line, p, e, radix, result);
}

function finishCommand(line: string, p: number, e: number, radix: number, result: ParsedCommand): ParsedCommand {
  if (line[p] === '~') {
    const sel = parseSelector(line, p + 1, e, radix, true);
    let q = skipBlanks(line, sel.next, e);
    if (sel.selector === undefined) {
      // `~` alone lists all threads; anything else after a bare `~` is its argument.
      return { ...result, command: '~', args: line.slice(q, e), argsOffset: q };
    }
    const prefix: ThreadPrefix = { ...sel.selector, execute: false };
    result.prefix = prefix;
    const rest = line.slice(q, e);
    if (rest === '') return { ...result, command: '~', argsOffset: e };
    if (/^[sfunm]$/i.test(rest)) return { ...result, command: `~${rest.toLowerCase()}`, argsOffset: e };
    if (/^e(\s|$)/i.test(rest)) {
      prefix.execute = true;
      q = skipBlanks(line, q + 1, e);
      if (q >= e) throw new ExprError('Syntax', q, 'caret');
    }
    return splitToken(line, q, e, result);
  }
  return splitToken(line, p, e, result);
}

/** Separates the command token from its arguments. */
function splitToken(line: string, p: number, e: number, result: ParsedCommand): ParsedCommand {
  const s = line.slice(p, e);
  let token: string;
  let m: RegExpExecArray | null;
  if ((m = /^(\$\$>a<|\$\$><|\$\$<|\$><|\$<)/i.exec(s))) token = m[1]!;
  else if (s.startsWith('$$')) return { ...result, command: '$$', args: s.slice(2).trim(), argsOffset: skipBlanks(line, p + 2, e), comment: true };
  else if (s.startsWith('*')) return { ...result, command: '*', args: s.slice(1).trim(), argsOffset: skipBlanks(line, p + 1, e), comment: true };
  else if ((m = /^![A-Za-z0-9_.]*/.exec(s))) token = m[0];
  else if ((m = /^\.[A-Za-z0-9_]*/.exec(s))) token = m[0];
  else if (s.startsWith('??')) token = '??';
  else if ((m = /^[A-Za-z]+/.exec(s))) token = m[0];
  else token = s.slice(0, 1);
  const a = skipBlanks(line, p + token.length, e);
  return { ...result, command: token, args: line.slice(a, e), argsOffset: a };
}

function skipBlanks(line: string, p: number, e: number): number {
  while (p < e && /\s/.test(line[p]!)) p++;
  return p;
}

/**
 * The selector after `~`, `|` or `||`: digits (decimal index), `*`, `.`, `#`,
 * `[expr]`, and for threads `~[tid]` (the second `~` of `~~[tid]`).
 */
function parseSelector(
  line: string,
  p: number,
  e: number,
  radix: number,
  thread: boolean,
): { selector: Selector | undefined; next: number } {
  const q = skipBlanks(line, p, e);
  const c = line[q];
  if (c !== undefined && q < e && c >= '0' && c <= '9') {
    let r = q;
    while (r < e && /[0-9]/.test(line[r]!)) r++;
    return { selector: { kind: 'index', value: Number(line.slice(q, r)) }, next: r };
  }
  if (c === '*') return { selector: { kind: 'all' }, next: q + 1 };
  if (c === '.') return { selector: { kind: 'current' }, next: q + 1 };
  if (c === '#') return { selector: { kind: 'event' }, next: q + 1 };
  const tid = thread && c === '~';
  const open = tid ? q + 1 : q;
  if (line[open] === '[') {
    const close = line.indexOf(']', open + 1);
    if (close < 0 || close >= e) throw new ExprError('Syntax', e, 'caret');
    const text = line.slice(open + 1, close).trim();
    if (text === '') throw new ExprError('Syntax', close, 'caret');
    const selector: Selector = { kind: tid ? 'tid' : 'expr', text };
    const v = parseNumberToken(text, radix);
    if (typeof v === 'bigint' && v <= BigInt(Number.MAX_SAFE_INTEGER)) selector.value = Number(v);
    return { selector, next: close + 1 };
  }
  if (tid) throw new ExprError('Syntax', open, 'caret');
  return { selector: undefined, next: p };
}
