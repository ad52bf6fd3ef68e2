import type { TypeStream } from '../formats/pdb/tpi.js';
import { primitiveInfo } from '../formats/pdb/tpi.js';
import { typeName, typeSize, underlyingType } from '../formats/pdb/type-names.js';
import { formatValue, pointerText, readString, readUnsigned, recordOf, toSigned } from './typed-values.js';
import type { ValueMemory } from './typed-values.js';

/**
 * A small C++ expression evaluator for `??` (windbg-commands.md §9): names of
 * locals, numbers, `.` `->` `[]` unary `*` `&` `-`, casts `(type *)`, and
 * + - * / over PDB-typed values. A type is a TPI index plus extra pointer
 * levels (casts may name pointer types the PDB never recorded).
 */
export interface CType { ti: number; ptr: number }

export interface CValue {
  type: CType;
  /** Storage address when the value lives in memory (an lvalue). */
  address?: bigint;
  /** The value's bytes (scalars, or aggregates read from memory). */
  bytes: Buffer;
}

export interface CppEnv {
  types: TypeStream | undefined;
  mem: ValueMemory;
  /** A local/parameter of the current frame. */
  variable(name: string): CValue | undefined;
  /** A type by name (`customer`, `struct _FOO`, `mod!Type`), for casts. */
  typeByName(name: string): number | undefined;
}

export class CppError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CppError';
  }
}

const PRIMITIVE_NAMES: Record<string, number> = {
  void: 0x03, char: 0x70, 'signed char': 0x10, 'unsigned char': 0x20, wchar_t: 0x71, short: 0x11, 'unsigned short': 0x21,
  int: 0x74, 'unsigned int': 0x75, unsigned: 0x75, long: 0x12, 'unsigned long': 0x22, int64: 0x13, __int64: 0x13, 'long long': 0x13,
  'unsigned int64': 0x23, 'unsigned __int64': 0x23, 'unsigned long long': 0x23, bool: 0x30, float: 0x40, double: 0x41,
};

export function ctypeName(env: CppEnv, t: CType): string {
  const base = typeName(env.types, t.ti);
  if (t.ptr === 0) return base;
  const stars = '*'.repeat(t.ptr);
  return base.endsWith('*') ? `${base}${stars}` : `${base} ${stars}`;
}

export function ctypeSize(env: CppEnv, t: CType): number {
  return t.ptr > 0 ? env.mem.pointerSize : typeSize(env.types, t.ti, env.mem.pointerSize);
}

/** The type a pointer-like CType points to, or undefined. */
function pointee(env: CppEnv, t: CType): CType | undefined {
  if (t.ptr > 0) return { ti: t.ti, ptr: t.ptr - 1 };
  const r = recordOf(env.types, underlyingType(env.types, t.ti));
  if (r?.kind === 'pointer') return { ti: r.referent, ptr: 0 };
  if (r?.kind === 'primitive' && r.pointerSize) return { ti: r.base, ptr: 0 };
  if (r?.kind === 'array') return { ti: r.elementType, ptr: 0 };
  return undefined;
}

function isArray(env: CppEnv, t: CType): boolean {
  return t.ptr === 0 && recordOf(env.types, underlyingType(env.types, t.ti))?.kind === 'array';
}

function isFloat(env: CppEnv, t: CType): boolean {
  const r = recordOf(env.types, underlyingType(env.types, t.ti));
  return t.ptr === 0 && r?.kind === 'primitive' && !r.pointerSize && (primitiveInfo(r.base)?.float ?? false);
}

function isSigned(env: CppEnv, t: CType): boolean {
  const r = recordOf(env.types, underlyingType(env.types, t.ti));
  if (t.ptr > 0 || !r) return false;
  if (r.kind === 'enum') return true;
  return r.kind === 'primitive' && !r.pointerSize && (primitiveInfo(r.base)?.signed ?? false);
}

/** A value's integer meaning (pointers: their address; arrays: their storage address). */
export function toInteger(env: CppEnv, v: CValue): bigint {
  if (isArray(env, v.type)) {
    if (v.address === undefined) throw new CppError('array has no address');
    return v.address;
  }
  const size = ctypeSize(env, v.type) || v.bytes.length;
  if (isFloat(env, v.type)) return BigInt(Math.trunc(size === 4 ? v.bytes.readFloatLE(0) : v.bytes.readDoubleLE(0)));
  const raw = readUnsigned(v.bytes, Math.min(size, 8));
  return isSigned(env, v.type) ? toSigned(raw, Math.min(size, 8)) : raw;
}

/** An integer result: `int` when it fits 32 bits (as C++ literals), else `int64`. */
function intValue(n: bigint, ti = n >= -(1n << 31n) && n < 1n << 31n ? 0x74 : 0x13): CValue {
  const b = Buffer.alloc(8);
  b.writeBigUInt64LE(BigInt.asUintN(64, n));
  return { type: { ti, ptr: 0 }, bytes: b };
}

function pointerValue(env: CppEnv, type: CType, addr: bigint): CValue {
  const b = Buffer.alloc(8);
  b.writeBigUInt64LE(BigInt.asUintN(64, addr));
  return { type, bytes: b.subarray(0, env.mem.pointerSize) };
}

/** Reads a value of `type` stored at `addr`. */
export function load(env: CppEnv, type: CType, addr: bigint): CValue {
  const size = Math.min(ctypeSize(env, type), 4096);
  const b = env.mem.read(addr, size);
  if (b.length < size) throw new CppError(`Memory access error at 0x${addr.toString(16)}`);
  return { type, address: addr, bytes: b };
}

type Tok = { k: 'num'; v: bigint } | { k: 'id'; v: string } | { k: 'op'; v: string };

function tokenize(text: string): Tok[] {
  const out: Tok[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i]!;
    if (/\s/.test(c)) { i++; continue; }
    const num = /^(0x[0-9a-f`]+|0n\d+|\d+)/i.exec(text.slice(i));
    if (num) {
      const s = num[1]!.replace(/`/g, '');
      // C++ evaluator: decimal by default, 0x hex, 0n decimal.
      out.push({ k: 'num', v: /^0n/i.test(s) ? BigInt(s.slice(2)) : BigInt(s) });
      i += num[1]!.length;
      continue;
    }
    const id = /^[A-Za-z_$@][\w$!:]*/.exec(text.slice(i));
    if (id) {
      out.push({ k: 'id', v: id[0] });
      i += id[0].length;
      continue;
    }
    const op = /^(->|[-+*/&.()[\]])/.exec(text.slice(i));
    if (!op) throw new CppError(`Syntax error at '${text.slice(i)}'`);
    out.push({ k: 'op', v: op[1]! });
    i += op[1]!.length;
  }
  return out;
}

/** Evaluates a C++ expression over the frame's variables and the PDB's types. */
/** Deepest nesting of parentheses, casts and unary operators an expression may have. */
const MAX_NESTING = 256;

export function evaluateCpp(text: string, env: CppEnv): CValue {
  const toks = tokenize(text);
  let pos = 0;
  const peek = (): Tok | undefined => toks[pos];
  const isOp = (v: string) => peek()?.k === 'op' && peek()!.v === v;
  const expect = (v: string) => {
    if (!isOp(v)) throw new CppError(`Expected '${v}'`);
    pos++;
  };

  /** `(type [*...])` at pos, when the parenthesis starts a cast. */
  const tryCast = (): CType | undefined => {
    const save = pos;
    if (!isOp('(')) return undefined;
    pos++;
    const words: string[] = [];
    while (peek()?.k === 'id') words.push(String(toks[pos++]!.v));
    let ptr = 0;
    while (isOp('*')) { ptr++; pos++; }
    if (words.length === 0 || !isOp(')')) { pos = save; return undefined; }
    const name = words.filter((w) => !['struct', 'class', 'union', 'enum', 'const', 'volatile'].includes(w)).join(' ');
    const prim = PRIMITIVE_NAMES[name];
    const ti = prim ?? env.typeByName(name);
    if (ti === undefined) {
      // A parenthesized variable name, not a type.
      if (words.length === 1 && ptr === 0 && env.variable(words[0]!)) { pos = save; return undefined; }
      throw new CppError(`Couldn't resolve type '${name}'`);
    }
    pos++;
    return { ti, ptr };
  };

  const primary = (): CValue => {
    const t = peek();
    if (!t) throw new CppError('Unexpected end of expression');
    if (t.k === 'num') { pos++; return intValue(t.v); }
    if (t.k === 'id') {
      pos++;
      const v = env.variable(t.v);
      if (!v) throw new CppError(`Couldn't resolve error at '${t.v}'`);
      return v;
    }
    if (t.v === '(') {
      pos++;
      const v = additive();
      expect(')');
      return v;
    }
    throw new CppError(`Syntax error at '${t.v}'`);
  };

  const member = (base: CValue, name: string): CValue => {
    const u = underlyingType(env.types, base.type.ti);
    const r = recordOf(env.types, u);
    if (base.type.ptr > 0 || r?.kind !== 'udt' || !env.types) throw new CppError(`Type ${ctypeName(env, base.type)} has no member ${name}`);
    const m = env.types.fieldMembers(r.fieldList).find((x) => x.kind === 'member' && x.name === name);
    if (!m || m.kind !== 'member') throw new CppError(`Type ${ctypeName(env, base.type)} has no member ${name}`);
    const type = { ti: m.type, ptr: 0 };
    if (base.address !== undefined) return load(env, type, base.address + BigInt(m.offset));
    const size = ctypeSize(env, type);
    return { type, bytes: base.bytes.subarray(m.offset, m.offset + size) };
  };

  const deref = (v: CValue): CValue => {
    const to = pointee(env, v.type);
    if (!to) throw new CppError(`Cannot dereference ${ctypeName(env, v.type)}`);
    return load(env, to, toInteger(env, v));
  };

  const postfix = (): CValue => {
    let v = primary();
    for (;;) {
      if (isOp('.') || isOp('->')) {
        const arrow = peek()!.v === '->';
        pos++;
        const name = peek();
        if (name?.k !== 'id') throw new CppError('Expected a member name');
        pos++;
        v = member(arrow ? deref(v) : v, name.v);
      } else if (isOp('[')) {
        pos++;
        const i = additive();
        expect(']');
        const to = pointee(env, v.type);
        if (!to) throw new CppError(`Cannot index ${ctypeName(env, v.type)}`);
        v = load(env, to, toInteger(env, v) + toInteger(env, i) * BigInt(ctypeSize(env, to) || 1));
      } else return v;
    }
  };

  let depth = 0;
  /** Every nesting level (parentheses, casts, unary operators, subscripts) passes here. */
  const unary = (): CValue => {
    // Garbage such as 20,000 '(' would otherwise recurse until the JS stack overflows.
    if (++depth > MAX_NESTING) throw new CppError('Expression too deeply nested');
    try {
      return unaryOperand();
    } finally {
      depth--;
    }
  };

  const unaryOperand = (): CValue => {
    const cast = tryCast();
    if (cast) {
      const v = unary();
      if (cast.ptr === 0 && recordOf(env.types, underlyingType(env.types, cast.ti))?.kind === 'udt') {
        if (v.address === undefined) throw new CppError('Cannot cast a value without an address to a structure');
        return load(env, cast, v.address);
      }
      const n = toInteger(env, v);
      const size = ctypeSize(env, cast) || 8;
      const b = Buffer.alloc(8);
      b.writeBigUInt64LE(BigInt.asUintN(64, n));
      return { type: cast, bytes: b.subarray(0, Math.min(size, 8)) };
    }
    if (isOp('*')) { pos++; return deref(unary()); }
    if (isOp('&')) {
      pos++;
      const v = unary();
      if (v.address === undefined) throw new CppError('Cannot take the address of a register value');
      return pointerValue(env, { ti: v.type.ti, ptr: v.type.ptr + 1 }, v.address);
    }
    if (isOp('-')) { pos++; return intValue(-toInteger(env, unary())); }
    return postfix();
  };

  const multiplicative = (): CValue => {
    let v = unary();
    while (isOp('*') || isOp('/')) {
      const op = toks[pos++]!.v;
      const r = unary();
      const a = toInteger(env, v);
      const b = toInteger(env, r);
      if (op === '/' && b === 0n) throw new CppError('Divide by zero');
      v = intValue(op === '*' ? a * b : a / b);
    }
    return v;
  };

  const additive = (): CValue => {
    let v = multiplicative();
    while (isOp('+') || isOp('-')) {
      const op = toks[pos++]!.v;
      const r = multiplicative();
      const to = pointee(env, v.type);
      if (to) {
        // Pointer arithmetic scales by the element size.
        const step = BigInt(ctypeSize(env, to) || 1) * toInteger(env, r);
        const type = isArray(env, v.type) ? { ti: to.ti, ptr: to.ptr + 1 } : v.type;
        v = pointerValue(env, type, toInteger(env, v) + (op === '+' ? step : -step));
      } else v = intValue(op === '+' ? toInteger(env, v) + toInteger(env, r) : toInteger(env, v) - toInteger(env, r));
    }
    return v;
  };

  const v = additive();
  if (pos < toks.length) throw new CppError(`Syntax error at '${String(toks[pos]!.v)}'`);
  return v;
}

/** A value's text after its type name, as `??` prints it (`0n7`, `0x00000000`00b81438`). */
export function cvalueText(env: CppEnv, v: CValue): string {
  if (v.type.ptr > 0) {
    const n = readUnsigned(v.bytes, env.mem.pointerSize);
    const base = recordOf(env.types, underlyingType(env.types, v.type.ti));
    const info = base?.kind === 'primitive' && !base.pointerSize ? primitiveInfo(base.base) : undefined;
    // (char *) / (wchar_t *) casts show the string, as for typed char pointers.
    const unit = v.type.ptr === 1 && info?.char && (info.size === 1 || info.size === 2) ? info.size : 0;
    return pointerText(n, env.mem.pointerSize, unit ? readString(env.mem, n, unit as 1 | 2) : undefined);
  }
  return formatValue(env.types, v.type.ti, v.bytes, env.mem);
}
