/**
 * WinDbg's default (MASM) expression evaluator, as described in
 * windbg-commands.md §9.2 and Microsoft's "MASM Numbers and Operators" page.
 *
 * Pure: every register, symbol and memory value comes from an ExprEnv. Like
 * dbgeng, the parser evaluates as it goes, so an error carries the position of
 * the text that was still unparsed when it happened (that text is what WinDbg
 * quotes: `Memory access error at ')'`).
 *
 * Semantics chosen (and why):
 *  - All arithmetic is on ULONG64 and wraps at 64 bits. Comparisons, `/` and
 *    `mod` are unsigned (the doc: "treats all numbers ... as ULONG64").
 *  - `>>` is a logical shift, `>>>` arithmetic (doc's binary-operator table).
 *    Shift counts use their low 6 bits, as the x64 shift instructions dbgeng
 *    compiles to do.
 *  - Default radix 16 (`env.radix`); `0x` `0n` `0t` `0y` prefixes, `h` suffix,
 *    a bare prefix is 0, backticks inside a number are ignored but one may not
 *    start it.
 *  - Numeric constants are never sign-extended in user mode; 32-bit registers
 *    (`eax`, `r8d`, and every 32-bit register of an x86 target) are sign-extended
 *    to 64 bits, as the "Sign Extension" doc page says for both modes.
 *  - A bare name is tried as a number first (`abc`, `ah` are hex), then as a
 *    common register (`eax`, `rsp`, no `@` needed), then as a symbol, then as any
 *    other register; `!abc` / `module!abc` force the symbol.
 */
import { ExprError } from './errors.js';

export { ExprError, isExprError } from './errors.js';
export type { ErrorKind } from './errors.js';

export interface ExprEnv {
  /** 4 for x86 targets, 8 for x64: the size `poi` reads. */
  pointerSize: 4 | 8;
  /** Default radix for unprefixed numbers (`n` command): 8, 10 or 16. Default 16. */
  radix?: number;
  /** A CPU register by lowercase name without `@` (`rax`, `eax`, `r8d`, `efl`). */
  register(name: string): bigint | undefined;
  /**
   * A pseudo-register by lowercase name with its `$` (`$teb`, `$ip`, `$csp`, `$t0`).
   * Unanswered `$ptrsize`, `$pagesize` and `$t0`–`$t19` fall back to the pointer
   * size, 0x1000 and 0.
   */
  pseudoRegister(name: string): bigint | undefined;
  /** Little-endian read of `size` bytes, zero-extended; undefined when unreadable. */
  readMemory(addr: bigint, size: 1 | 2 | 4 | 8): bigint | undefined;
  /**
   * A symbol or module name as typed (`kernel32!CreateProcessW`, `ntdll`,
   * `foo!bar::baz`); a leading `!` that only forced symbol lookup is removed.
   * May throw an ExprError (any offset) such as 'Ambiguous symbol': the evaluator
   * re-throws it positioned at the name.
   */
  symbol(name: string): bigint | undefined;
}

export interface ParseResult {
  value: bigint;
  /** Index just after the last character of the expression (whitespace after it is not consumed). */
  end: number;
}

const MASK64 = (1n << 64n) - 1n;
const mask = (v: bigint): bigint => v & MASK64;

/** General registers WinDbg reads without an `@` before trying symbols. */
const COMMON_REGISTERS = new Set<string>([
  ...['eax', 'ebx', 'ecx', 'edx', 'esi', 'edi', 'ebp', 'esp', 'eip', 'efl'],
  ...['ax', 'bx', 'cx', 'dx', 'si', 'di', 'bp', 'sp', 'ip', 'fl'],
  ...['al', 'bl', 'cl', 'dl', 'ah', 'bh', 'ch', 'dh', 'sil', 'dil', 'bpl', 'spl'],
  ...['cs', 'ds', 'es', 'fs', 'gs', 'ss'],
  ...['rax', 'rbx', 'rcx', 'rdx', 'rsi', 'rdi', 'rbp', 'rsp', 'rip'],
  ...[8, 9, 10, 11, 12, 13, 14, 15].flatMap((n) => [`r${n}`, `r${n}d`, `r${n}w`, `r${n}b`]),
]);

/** 32-bit registers on any target: sign-extended when read (doc "Sign Extension"). */
const REGISTERS_32 = new Set<string>([
  ...['eax', 'ebx', 'ecx', 'edx', 'esi', 'edi', 'ebp', 'esp', 'eip', 'efl'],
  ...[8, 9, 10, 11, 12, 13, 14, 15].map((n) => `r${n}d`),
]);
/** On x86 targets the control and debug registers are 32-bit as well (`.formats cr0` shows them sign-extended). */
const REGISTERS_32_X86 = new Set<string>([
  ...['cr0', 'cr2', 'cr3', 'cr4'],
  ...['dr0', 'dr1', 'dr2', 'dr3', 'dr6', 'dr7'],
]);

type BinOp = '*' | '/' | '%' | '+' | '-' | '<<' | '>>' | '>>>' | '==' | '!=' | '<' | '>' | '<=' | '>=' | '&' | '^' | '|';

/** Binary-operator levels, lowest precedence first. */
const LEVELS: readonly (readonly BinOp[])[] = [
  ['|'],
  ['^'],
  ['&'],
  ['==', '!=', '<', '>', '<=', '>='],
  ['<<', '>>', '>>>'],
  ['+', '-'],
  ['*', '/', '%'],
];

/** Symbolic operators, longest first so `>>>` wins over `>>` and `>`. */
const SYMBOL_OPS: readonly [string, BinOp][] = [
  ['>>>', '>>>'],
  ['<<', '<<'],
  ['>>', '>>'],
  ['<=', '<='],
  ['>=', '>='],
  ['==', '=='],
  ['!=', '!='],
  ['*', '*'],
  ['/', '/'],
  ['%', '%'],
  ['+', '+'],
  ['-', '-'],
  ['<', '<'],
  ['>', '>'],
  ['=', '=='],
  ['&', '&'],
  ['^', '^'],
  ['|', '|'],
];
const WORD_OPS: Readonly<Record<string, BinOp>> = { mod: '%', and: '&', xor: '^', or: '|' };

type UnaryKeyword = 'poi' | 'by' | 'wo' | 'dwo' | 'qwo' | 'hi' | 'low' | 'not';
const UNARY_KEYWORDS = new Set<string>(['poi', 'by', 'wo', 'dwo', 'qwo', 'hi', 'low', 'not']);

const isSpace = (c: string | undefined): boolean => c === ' ' || c === '\t' || c === '\r' || c === '\n';
const isDigit = (c: string | undefined): boolean => c !== undefined && c >= '0' && c <= '9';
const isAlpha = (c: string | undefined): boolean => c !== undefined && ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'));
const isWordChar = (c: string | undefined): boolean => isAlpha(c) || isDigit(c) || c === '_';
/** Characters a symbol/number token may continue with (`foo!bar::baz`, `_f@8`, `foo.bar`, `00007ff9`850b`). */
const isNameChar = (c: string | undefined): boolean =>
  isWordChar(c) || c === '$' || c === '.' || c === ':' || c === '?' || c === '@' || c === '!' || c === '`';
const isNameStart = (c: string | undefined): boolean => isAlpha(c) || c === '_' || c === '!' || c === '?';

/** Deepest nesting of parentheses and unary operators an expression may have. */
const MAX_NESTING = 256;

class MasmParser {
  pos: number;

  constructor(
    private readonly text: string,
    private readonly env: ExprEnv,
    start: number,
    private readonly end: number,
  ) {
    this.pos = start;
  }

  private get radix(): number {
    return this.env.radix ?? 16;
  }

  /** Index of the next non-blank character (does not consume). */
  lookahead(): number {
    let p = this.pos;
    while (p < this.end && isSpace(this.text[p])) p++;
    return p;
  }

  private skip(): number {
    this.pos = this.lookahead();
    return this.pos;
  }

  private fail(kind: ExprError['kind'], offset = this.lookahead()): never {
    throw new ExprError(kind, offset);
  }

  expression(): bigint {
    return this.level(0);
  }

  private level(i: number): bigint {
    const ops = LEVELS[i];
    if (ops === undefined) return this.unary();
    let left = this.level(i + 1);
    for (;;) {
      const op = this.peekBinary();
      if (op === undefined || !ops.includes(op.op)) return left;
      this.pos = op.next;
      const right = this.level(i + 1);
      left = this.apply(op.op, left, right);
    }
  }

  private peekBinary(): { op: BinOp; next: number } | undefined {
    const p = this.lookahead();
    if (p >= this.end) return undefined;
    for (const [s, op] of SYMBOL_OPS) {
      if (this.text.startsWith(s, p) && p + s.length <= this.end) return { op, next: p + s.length };
    }
    let q = p;
    while (q < this.end && isAlpha(this.text[q])) q++;
    const word = this.text.slice(p, q).toLowerCase();
    const op = WORD_OPS[word];
    if (op !== undefined && !isNameChar(this.text[q])) return { op, next: q };
    return undefined;
  }

  private apply(op: BinOp, a: bigint, b: bigint): bigint {
    switch (op) {
      case '*':
        return mask(a * b);
      case '/':
        if (b === 0n) this.fail('Operand');
        return a / b;
      case '%':
        if (b === 0n) this.fail('Operand');
        return a % b;
      case '+':
        return mask(a + b);
      case '-':
        return mask(a - b);
      case '<<':
        return mask(a << (b & 63n));
      case '>>':
        return a >> (b & 63n);
      case '>>>':
        return mask(BigInt.asIntN(64, a) >> (b & 63n));
      case '==':
        return a === b ? 1n : 0n;
      case '!=':
        return a !== b ? 1n : 0n;
      case '<':
        return a < b ? 1n : 0n;
      case '>':
        return a > b ? 1n : 0n;
      case '<=':
        return a <= b ? 1n : 0n;
      case '>=':
        return a >= b ? 1n : 0n;
      case '&':
        return a & b;
      case '^':
        return a ^ b;
      case '|':
        return a | b;
    }
  }

  private depth = 0;

  /** One operand; every nesting level (parentheses, unary operators, poi/dwo...) passes here. */
  private unary(): bigint {
    // Garbage such as 20,000 '(' would otherwise recurse until the JS stack overflows.
    if (++this.depth > MAX_NESTING) this.fail('Overflow');
    try {
      return this.operand();
    } finally {
      this.depth--;
    }
  }

  private operand(): bigint {
    const p = this.skip();
    if (p >= this.end) this.fail('Missing', p);
    const c = this.text[p];
    if (c === '+') {
      this.pos++;
      return this.unary();
    }
    if (c === '-') {
      this.pos++;
      return mask(-this.unary());
    }
    if (c === '(') {
      this.pos++;
      const v = this.expression();
      this.expect(')');
      return v;
    }
    const keyword = this.peekKeyword(p);
    if (keyword !== undefined) {
      this.pos = p + keyword.length;
      return this.applyKeyword(keyword);
    }
    return this.term();
  }

  private expect(ch: string): void {
    const p = this.lookahead();
    if (p >= this.end || this.text[p] !== ch) this.fail('Syntax', p);
    this.pos = p + 1;
  }

  /** `poi`, `dwo`, `not`... when followed by something that cannot continue a name. */
  private peekKeyword(p: number): UnaryKeyword | undefined {
    let q = p;
    while (q < this.end && isAlpha(this.text[q])) q++;
    const word = this.text.slice(p, q).toLowerCase();
    if (!UNARY_KEYWORDS.has(word)) return undefined;
    const next = this.text[q];
    if (isWordChar(next) || next === '!' || next === '`') return undefined;
    return word as UnaryKeyword;
  }

  private applyKeyword(k: UnaryKeyword): bigint {
    const size = k === 'poi' ? this.env.pointerSize : k === 'by' ? 1 : k === 'wo' ? 2 : k === 'dwo' ? 4 : k === 'qwo' ? 8 : 0;
    if (size === 0) {
      const v = this.unary();
      if (k === 'hi') return (v >> 16n) & 0xffffn;
      if (k === 'low') return v & 0xffffn;
      return v === 0n ? 1n : 0n; // not
    }
    // dbgeng reads memory before it consumes the closing parenthesis, so a failed
    // `dwo(addr)` reports the text from `)` on: `Memory access error at ')'`.
    const p = this.lookahead();
    let addr: bigint;
    if (this.text[p] === '(') {
      this.pos = p + 1;
      addr = this.expression();
      const v = this.read(addr, size as 1 | 2 | 4 | 8);
      this.expect(')');
      return v;
    }
    addr = this.unary();
    return this.read(addr, size as 1 | 2 | 4 | 8);
  }

  private read(addr: bigint, size: 1 | 2 | 4 | 8): bigint {
    const v = this.env.readMemory(addr, size);
    if (v === undefined) this.fail('Memory access');
    return mask(v);
  }

  private term(): bigint {
    const p = this.pos;
    const c = this.text[p];
    if (c === '@') return this.atTerm(p);
    if (c === '$') return this.dollarTerm(p);
    if (c === '.' && !isNameChar(this.text[p + 1])) {
      this.pos = p + 1;
      return this.pseudo('$ip', p);
    }
    if (c === '`') {
      // Source-line expression `` `file.cpp:120` ``: we have no line tables to resolve it.
      const close = this.text.indexOf('`', p + 1);
      if (close < 0 || close >= this.end) this.fail('Syntax', p);
      this.fail("Couldn't resolve", p);
    }
    if (isDigit(c) || isNameStart(c)) return this.nameTerm(p);
    return this.fail('Missing', p);
  }

  private readName(p: number): string {
    let q = p;
    // `!` continues a name (`ntdll!Foo`) except in `!=`: `1!=2` is a comparison.
    while (q < this.end && isNameChar(this.text[q]) && !(this.text[q] === '!' && this.text[q + 1] === '=')) q++;
    return this.text.slice(p, q);
  }

  private nameTerm(p: number): bigint {
    const tok = this.readName(p);
    this.pos = p + tok.length;
    const bang = tok.indexOf('!');
    if (bang < 0) {
      const n = parseNumberToken(tok, this.radix);
      if (n === 'overflow') this.fail('Overflow', p);
      if (n !== undefined) return n;
      if (isDigit(tok[0])) this.fail('Syntax', p);
      const lower = tok.toLowerCase();
      if (COMMON_REGISTERS.has(lower)) {
        const r = this.register(lower);
        if (r !== undefined) return r;
      }
      const s = this.symbol(tok, p);
      if (s !== undefined) return mask(s);
      const r = this.register(lower);
      if (r !== undefined) return r;
      return this.fail("Couldn't resolve", p);
    }
    // `module!` with nothing after it (`ping!+0x3c`) is a syntax error in dbgeng.
    if (bang === tok.length - 1) this.fail('Syntax', p);
    const name = bang === 0 ? tok.slice(1) : tok;
    const s = this.symbol(name, p);
    if (s === undefined) this.fail("Couldn't resolve", p);
    return mask(s);
  }

  /**
   * Symbol lookup. An env may throw an ExprError of its own (e.g. 'Ambiguous
   * symbol'); it is re-positioned at the name so the message quotes it.
   */
  private symbol(name: string, p: number): bigint | undefined {
    try {
      return this.env.symbol(name);
    } catch (e) {
      if (e instanceof ExprError) throw new ExprError(e.kind, p, e.style, e.desc);
      throw e;
    }
  }

  /** A register value, sign-extended when the register is 32 bits wide. */
  private register(name: string): bigint | undefined {
    const v = this.env.register(name);
    if (v === undefined) return undefined;
    const is32 = REGISTERS_32.has(name) || (this.env.pointerSize === 4 && REGISTERS_32_X86.has(name));
    return is32 ? mask(BigInt.asIntN(32, v)) : mask(v);
  }

  private atTerm(p: number): bigint {
    const t = this.text;
    if (t.startsWith('@@', p)) {
      const m = /^@@(masm|c\+\+)?\(/i.exec(t.slice(p, this.end));
      if (m === null) this.fail('Syntax', p);
      if (m[1]?.toLowerCase() !== 'masm') this.fail('Unimplemented', p); // no C++ evaluator
      this.pos = p + m[0].length;
      const v = this.expression();
      this.expect(')');
      return v;
    }
    if (t.startsWith('@!"', p)) {
      const close = t.indexOf('"', p + 3);
      if (close < 0 || close >= this.end) this.fail('Syntax', p);
      this.pos = close + 1;
      const s = this.symbol(t.slice(p + 3, close), p);
      if (s === undefined) this.fail("Couldn't resolve", p);
      return mask(s);
    }
    let q = p + 1;
    while (q < this.end && (isWordChar(t[q]) || t[q] === '$')) q++;
    const name = t.slice(p + 1, q).toLowerCase();
    if (name === '') this.fail('Syntax', p);
    this.pos = q;
    if (name.startsWith('$')) return this.pseudo(name, p);
    const r = this.register(name);
    if (r === undefined) this.fail('Bad register', p);
    return r;
  }

  private dollarTerm(p: number): bigint {
    const t = this.text;
    let q = p + 1;
    while (q < this.end && isWordChar(t[q])) q++;
    const name = t.slice(p, q).toLowerCase();
    if (name === '$') this.fail('Syntax', p);
    this.pos = q;
    if (t[q] === '(' && FUNCTIONS.has(name)) {
      this.pos = q + 1;
      return this.callFunction(name, p);
    }
    return this.pseudo(name, p);
  }

  private pseudo(name: string, p: number): bigint {
    const v = this.env.pseudoRegister(name);
    if (v !== undefined) return mask(v);
    if (name === '$ptrsize') return BigInt(this.env.pointerSize);
    if (name === '$pagesize') return 0x1000n;
    // User pseudo-registers $t0..$t19 start out as zero.
    if (/^\$t(1?[0-9])$/.test(name)) return 0n;
    return this.fail('Bad register', p);
  }

  private stringArg(): string {
    const p = this.lookahead();
    if (this.text[p] !== '"') this.fail('Syntax', p);
    let out = '';
    let q = p + 1;
    for (; q < this.end && this.text[q] !== '"'; q++) {
      if (this.text[q] === '\\' && q + 1 < this.end) q++;
      out += this.text[q];
    }
    if (q >= this.end) this.fail('Syntax', p);
    this.pos = q + 1;
    return out;
  }

  private callFunction(name: string, p: number): bigint {
    switch (name) {
      case '$scmp':
      case '$sicmp':
      case '$spat': {
        let a = this.stringArg();
        this.expect(',');
        let b = this.stringArg();
        this.expect(')');
        if (name === '$spat') return wildcardMatch(a, b) ? 1n : 0n;
        if (name === '$sicmp') {
          a = a.toLowerCase();
          b = b.toLowerCase();
        }
        return a < b ? MASK64 : a > b ? 1n : 0n;
      }
      case '$vvalid': {
        const addr = this.expression();
        this.expect(',');
        const len = this.expression();
        this.expect(')');
        return this.rangeValid(addr, len) ? 1n : 0n;
      }
      case '$iment': {
        const base = this.expression();
        const entry = this.imageEntry(base);
        this.expect(')');
        return entry;
      }
      default:
        return this.fail('Unimplemented', p);
    }
  }

  /** Probes the first and last byte and one byte per 4 KiB page in between. */
  private rangeValid(addr: bigint, len: bigint): boolean {
    if (len === 0n) return true;
    const last = mask(addr + len - 1n);
    if (last < addr) return false;
    if (this.env.readMemory(addr, 1) === undefined || this.env.readMemory(last, 1) === undefined) return false;
    const pages = (last >> 12n) - (addr >> 12n);
    if (pages > 0x10000n) return false;
    for (let page = (addr >> 12n) + 1n; page < last >> 12n; page++) {
      if (this.env.readMemory(page << 12n, 1) === undefined) return false;
    }
    return true;
  }

  /** `$iment(base)`: base + OptionalHeader.AddressOfEntryPoint, read from the PE headers in memory. */
  private imageEntry(base: bigint): bigint {
    const mz = this.env.readMemory(base, 2);
    const lfanew = this.env.readMemory(mask(base + 0x3cn), 4);
    if (mz !== 0x5a4dn || lfanew === undefined) this.fail('Memory access');
    const nt = mask(base + lfanew);
    const sig = this.env.readMemory(nt, 4);
    // IMAGE_NT_HEADERS: Signature(4) + FileHeader(20) + OptionalHeader.AddressOfEntryPoint at +0x10.
    const rva = this.env.readMemory(mask(nt + 0x28n), 4);
    if (sig !== 0x4550n || rva === undefined) this.fail('Memory access');
    return mask(base + rva);
  }
}

const FUNCTIONS = new Set<string>(['$scmp', '$sicmp', '$spat', '$vvalid', '$iment', '$fnsucc']);

/**
 * A number token in MASM syntax, or undefined when the token is not a number
 * (a name like `rsp`), or 'overflow' past 64 bits. Tokens starting with a digit
 * that are not valid numbers also return undefined; the caller reports them.
 */
export function parseNumberToken(tok: string, radix = 16): bigint | 'overflow' | undefined {
  if (tok === '' || tok.startsWith('`')) return undefined;
  let s = tok;
  let base = radix;
  const prefix = /^0([xntyXNTY])/.exec(s);
  if (prefix !== null) {
    base = { x: 16, n: 10, t: 8, y: 2 }[prefix[1]!.toLowerCase() as 'x' | 'n' | 't' | 'y'];
    s = s.slice(2);
  } else if (/^[0-9a-f`]+h$/i.test(s)) {
    base = 16;
    s = s.slice(0, -1);
  }
  s = s.replace(/`/g, '');
  if (s === '') return prefix !== null ? 0n : undefined;
  let v = 0n;
  const b = BigInt(base);
  for (const ch of s.toLowerCase()) {
    const d = ch >= '0' && ch <= '9' ? ch.charCodeAt(0) - 48 : ch >= 'a' && ch <= 'z' ? ch.charCodeAt(0) - 87 : 99;
    if (d >= base) return undefined;
    v = v * b + BigInt(d);
  }
  return v > MASK64 ? 'overflow' : v;
}

/** `$spat` patterns: `*` any run, `?` one character, `[abc]`/`[a-z]` sets; case-insensitive. */
export function wildcardMatch(text: string, pattern: string): boolean {
  const t = text.toLowerCase();
  const p = pattern.toLowerCase();
  const memo = new Map<string, boolean>();
  const go = (i: number, j: number): boolean => {
    const key = `${i},${j}`;
    const hit = memo.get(key);
    if (hit !== undefined) return hit;
    let r: boolean;
    if (j === p.length) r = i === t.length;
    else if (p[j] === '*') r = go(i, j + 1) || (i < t.length && go(i + 1, j));
    else if (i === t.length) r = false;
    else if (p[j] === '?') r = go(i + 1, j + 1);
    else if (p[j] === '[') {
      const close = p.indexOf(']', j + 1);
      if (close < 0) r = t[i] === '[' && go(i + 1, j + 1);
      else {
        const set = p.slice(j + 1, close);
        const c = t[i]!;
        let ok = false;
        for (let k = 0; k < set.length; k++) {
          if (set[k + 1] === '-' && k + 2 < set.length) {
            if (c >= set[k]! && c <= set[k + 2]!) ok = true;
            k += 2;
          } else if (set[k] === c) ok = true;
        }
        r = ok && go(i + 1, close + 1);
      }
    } else r = p[j] === t[i] && go(i + 1, j + 1);
    memo.set(key, r);
    return r;
  };
  return go(0, 0);
}

/**
 * Parses and evaluates the longest MASM expression starting at `start` (leading
 * blanks skipped) and stops before the first token that cannot continue it, so
 * commands can read `dd <expr> L<count>`. Offsets in the result and in thrown
 * ExprErrors index `text`, so pass the whole command text to get offsets that
 * formatExprError can quote. Throws ExprError.
 */
export function parseExpression(text: string, env: ExprEnv, start = 0, end = text.length): ParseResult {
  const parser = new MasmParser(text, env, start, Math.min(end, text.length));
  const value = parser.expression();
  return { value, end: parser.pos };
}

/**
 * Evaluates a whole MASM expression to a 64-bit value. Anything left after the
 * expression is an `Extra character` error (caret style, at the first extra
 * character). Throws ExprError.
 */
export function evaluate(text: string, env: ExprEnv, start = 0): bigint {
  const { value, end } = parseExpression(text, env, start);
  let p = end;
  while (p < text.length && isSpace(text[p])) p++;
  if (p < text.length) throw new ExprError('Extra character', p, 'caret');
  return value;
}
