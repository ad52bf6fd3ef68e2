/**
 * Postfix evaluator for Breakpad / MSVC frame programs (`STACK WIN` program
 * strings, FPO/FrameData strings from PDBs) and `STACK CFI` rule expressions.
 *
 * Tokens are separated by whitespace. Operators: `+ - * / %`, `@` (align down:
 * `a b @` = a & ~(b-1)), unary `^` (dereference one pointer-sized word), and
 * `=` (assign: `$name value =`). Identifiers start with `$` or `.`, or are bare
 * register names (`x29`, `sp` in ARM64 CFI). Numbers are decimal, `0x` hex, or
 * negative decimal. Arithmetic wraps at the pointer width.
 */

/** Reads one pointer-sized word; undefined when unreadable. */
export type DerefFn = (addr: bigint) => bigint | undefined;

export interface PostfixOptions {
  /** Pointer width: 32 (x86) or 64. */
  bits: 32 | 64;
  deref: DerefFn;
}

/** At most this many tokens are evaluated per program (garbage input stays cheap). */
const MAX_TOKENS = 4096;

type Item = { kind: 'value'; value: bigint } | { kind: 'name'; name: string };

function parseNumber(token: string): bigint | undefined {
  if (/^-?[0-9]+$/.test(token)) return BigInt(token);
  if (/^0x[0-9a-f]+$/i.test(token)) return BigInt(token);
  return undefined;
}

/** `$name` / `.name` (MSVC strings also use numbered registers such as `$20`), or a bare register name (`x29`). */
function isIdentifier(token: string): boolean {
  return /^[$.][A-Za-z0-9_]+$/.test(token) || /^[A-Za-z_][A-Za-z0-9_]*$/.test(token);
}

class Machine {
  private readonly stack: Item[] = [];
  private readonly mask: bigint;

  readonly assigned = new Set<string>();

  constructor(
    readonly vars: Map<string, bigint>,
    readonly opts: PostfixOptions,
  ) {
    this.mask = (1n << BigInt(opts.bits)) - 1n;
  }

  get depth(): number {
    return this.stack.length;
  }

  private popValue(): bigint | undefined {
    const item = this.stack.pop();
    if (item === undefined) return undefined;
    if (item.kind === 'value') return item.value;
    return this.vars.get(item.name);
  }

  /** Executes one token; false on any error (underflow, unknown name, bad memory, division by zero). */
  step(token: string): boolean {
    switch (token) {
      case '+': case '-': case '*': case '/': case '%': case '@': {
        const b = this.popValue();
        const a = this.popValue();
        if (a === undefined || b === undefined) return false;
        let r: bigint;
        if (token === '+') r = a + b;
        else if (token === '-') r = a - b;
        else if (token === '*') r = a * b;
        else if (token === '/') { if (b === 0n) return false; r = a / b; }
        else if (token === '%') { if (b === 0n) return false; r = a % b; }
        else { if (b === 0n) return false; r = a & ~(b - 1n); }
        this.stack.push({ kind: 'value', value: r & this.mask });
        return true;
      }
      case '^': {
        const a = this.popValue();
        if (a === undefined) return false;
        const v = this.opts.deref(a & this.mask);
        if (v === undefined) return false;
        this.stack.push({ kind: 'value', value: v & this.mask });
        return true;
      }
      case '=': {
        const value = this.popValue();
        const target = this.stack.pop();
        if (value === undefined || target === undefined || target.kind !== 'name') return false;
        this.vars.set(target.name, value & this.mask);
        this.assigned.add(target.name);
        return true;
      }
      default: {
        const n = parseNumber(token);
        if (n !== undefined) {
          this.stack.push({ kind: 'value', value: n & this.mask });
          return true;
        }
        if (!isIdentifier(token)) return false;
        this.stack.push({ kind: 'name', name: token });
        return true;
      }
    }
  }

  /** The single value left on the stack, if exactly one. */
  result(): bigint | undefined {
    if (this.stack.length !== 1) return undefined;
    return this.popValue();
  }
}

function tokenize(text: string): string[] | undefined {
  const tokens = text.trim().split(/\s+/).filter((s) => s.length > 0);
  return tokens.length > MAX_TOKENS ? undefined : tokens;
}

/**
 * Runs a program of assignments (`$T0 $ebp = $eip $T0 4 + ^ = ...`) over
 * `vars`, which it updates in place. Returns false when the program is
 * malformed, reads unknown variables or unreadable memory, or leaves values
 * on the stack (Breakpad treats all of these as failure). The names the
 * program assigned are added to `assigned` when given.
 */
export function runPostfixProgram(program: string, vars: Map<string, bigint>, opts: PostfixOptions, assigned?: Set<string>): boolean {
  const tokens = tokenize(program);
  if (tokens === undefined) return false;
  const m = new Machine(vars, opts);
  for (const token of tokens) {
    if (!m.step(token)) return false;
  }
  if (assigned !== undefined) for (const n of m.assigned) assigned.add(n);
  return m.depth === 0;
}

/** Evaluates one expression (`$rsp 8 +`, `.cfa 16 - ^`) to a value; undefined on any error. */
export function evaluatePostfix(expr: string, vars: Map<string, bigint>, opts: PostfixOptions): bigint | undefined {
  const tokens = tokenize(expr);
  if (tokens === undefined || tokens.length === 0) return undefined;
  const m = new Machine(new Map(vars), opts);
  for (const token of tokens) {
    if (token === '=') return undefined;
    if (!m.step(token)) return undefined;
  }
  return m.result();
}
