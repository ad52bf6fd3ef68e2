/**
 * Undecorates MSVC RTTI type names, the strings in TypeDescriptors
 * (`.?AVruntime_error@std@@` → `class std::runtime_error`). Covers the
 * grammar thrown types use: classes, structs, unions and enums in
 * namespaces/classes, templates with type and integer arguments, name
 * back-references, built-in types and pointers/references. Anything else
 * returns undefined and callers show the decorated name.
 */

const BASIC: Record<string, string> = {
  C: 'signed char', D: 'char', E: 'unsigned char', F: 'short', G: 'unsigned short', H: 'int', I: 'unsigned int',
  J: 'long', K: 'unsigned long', M: 'float', N: 'double', O: 'long double', X: 'void',
};
const BASIC_UNDERSCORE: Record<string, string> = {
  J: '__int64', K: 'unsigned __int64', N: 'bool', W: 'wchar_t', S: 'char16_t', U: 'char32_t', Q: 'char8_t',
};

class Parser {
  pos = 0;
  /** Name back-references (`0`..`9`): the first ten distinct simple names seen. */
  readonly names: string[] = [];
  constructor(readonly s: string) {}

  peek(n = 0): string {
    return this.s[this.pos + n] ?? '';
  }

  eat(str: string): boolean {
    if (this.s.startsWith(str, this.pos)) {
      this.pos += str.length;
      return true;
    }
    return false;
  }

  fail(): never {
    throw new Error(`bad decorated name at ${this.pos}`);
  }

  remember(name: string): void {
    if (this.names.length < 10 && !this.names.includes(name)) this.names.push(name);
  }

  /** `name@` / back-reference digit / `?$template@args@`. */
  simpleName(): string {
    const c = this.peek();
    if (c >= '0' && c <= '9') {
      this.pos++;
      return this.names[Number(c)] ?? this.fail();
    }
    if (this.eat('?$')) {
      // Template names have their own back-reference scope.
      const inner = new Parser(this.s);
      inner.pos = this.pos;
      const base = inner.identifier();
      inner.remember(base);
      const args: string[] = [];
      while (!inner.eat('@')) {
        if (inner.pos >= this.s.length) inner.fail();
        const a = inner.templateArg();
        // `$$V`/`$$Z`: an empty parameter pack contributes no argument.
        if (a !== '') args.push(a);
      }
      this.pos = inner.pos;
      const full = `${base}<${args.join(',')}${args.length && args[args.length - 1]!.endsWith('>') ? ' ' : ''}>`;
      this.remember(full);
      return full;
    }
    if (this.peek() === '?') {
      // Anonymous namespace `?A0x1234abcd@`.
      if (this.eat('?A')) {
        this.identifier();
        return '`anonymous namespace\'';
      }
      this.fail();
    }
    const id = this.identifier();
    this.remember(id);
    return id;
  }

  identifier(): string {
    const end = this.s.indexOf('@', this.pos);
    if (end <= this.pos) this.fail();
    const id = this.s.slice(this.pos, end);
    this.pos = end + 1;
    return id;
  }

  /** Scope-qualified name ending with `@` (innermost first in the string). */
  qualifiedName(): string {
    const parts: string[] = [];
    while (!this.eat('@')) {
      if (this.pos >= this.s.length) this.fail();
      parts.push(this.simpleName());
    }
    return parts.reverse().join('::');
  }

  templateArg(): string {
    if (this.eat('$0')) return this.number();
    if (this.eat('$$V') || this.eat('$$Z')) return '';
    return this.type();
  }

  /** MSVC encoded number: `0`-`9` = 1..10, hex letters `A`-`P` ended by `@`, `?` negates. */
  number(): string {
    const neg = this.eat('?');
    const c = this.peek();
    let v: bigint;
    if (c >= '0' && c <= '9') {
      this.pos++;
      v = BigInt(Number(c) + 1);
    } else {
      v = 0n;
      while (!this.eat('@')) {
        const d = this.peek();
        if (d < 'A' || d > 'P') this.fail();
        v = v * 16n + BigInt(d.charCodeAt(0) - 65);
        this.pos++;
      }
    }
    return (neg ? '-' : '') + v.toString();
  }

  /** A type: built-in, class/struct/union/enum, pointer or reference. */
  type(): string {
    const c = this.peek();
    if (BASIC[c]) {
      this.pos++;
      return BASIC[c]!;
    }
    if (c === '_') {
      const t = BASIC_UNDERSCORE[this.peek(1)];
      if (!t) this.fail();
      this.pos += 2;
      return t;
    }
    if (c === 'V' || c === 'U' || c === 'T') {
      this.pos++;
      const kw = c === 'V' ? 'class' : c === 'U' ? 'struct' : 'union';
      return `${kw} ${this.qualifiedName()}`;
    }
    if (c === 'W') {
      this.pos++;
      this.pos++; // underlying-type digit (4 = int)
      return `enum ${this.qualifiedName()}`;
    }
    if (c === 'P' || c === 'Q' || c === 'A' || c === 'R' || c === 'S' || c === '$') {
      let ref = '*';
      if (this.eat('$$Q')) ref = '&&';
      else if (c === '$') this.fail();
      else {
        if (c === 'A') ref = '&';
        this.pos++;
      }
      const ptr64 = this.eat('E');
      void ptr64;
      // cv qualifier of the pointee: A none, B const, C volatile, D const volatile.
      const q = this.peek();
      this.pos++;
      const cv = q === 'B' ? ' const' : q === 'C' ? ' volatile' : q === 'D' ? ' const volatile' : q === 'A' ? '' : this.fail();
      const pointee = this.type();
      return `${pointee}${cv} ${ref}`;
    }
    this.fail();
  }
}

/**
 * `.?AVruntime_error@std@@` → `class std::runtime_error`; `.H` → `int`;
 * `.PEBD` → `char const *`. Undefined when the name is not one this grammar covers.
 */
export function undecorateTypeName(decorated: string): string | undefined {
  if (!decorated.startsWith('.')) return undefined;
  const body = decorated.slice(1);
  try {
    if (body.startsWith('?A')) {
      // `.?AV…@@`: `?A` then the type code.
      const p = new Parser(body);
      p.pos = 2;
      const t = p.type();
      return p.pos === body.length ? t : undefined;
    }
    const p = new Parser(body);
    const t = p.type();
    return p.pos === body.length ? t : undefined;
  } catch {
    return undefined;
  }
}
