import type { TypeRecord, TypeStream } from '../formats/pdb/tpi.js';
import { primitiveInfo, primitiveRecord } from '../formats/pdb/tpi.js';
import { dtTypeName, typeName, typeSize, underlyingType } from '../formats/pdb/type-names.js';
import { hexMin, ptr } from '../results/hex.js';

/**
 * Values of PDB-typed data rendered as WinDbg does (windbg-commands.md §0.3,
 * §4.3, §6.3): signed integers `0n-1`, unsigned `0x1f`, pointers
 * `0x00000000`00b814d0`, chars `0n65 'A'`, enums `Name (0n2)`.
 */
export interface ValueMemory {
  pointerSize: 4 | 8;
  /** Reads up to `len` bytes (a short result means unreadable memory). */
  read(addr: bigint, len: number): Buffer;
}

export function recordOf(ts: TypeStream | undefined, ti: number): TypeRecord | undefined {
  return ti < 0x1000 ? primitiveRecord(ti) : ts?.record(ti);
}

/** Little-endian unsigned integer of a buffer (at most 8 bytes). */
export function readUnsigned(b: Buffer, size = b.length): bigint {
  let v = 0n;
  for (let i = Math.min(size, b.length, 16) - 1; i >= 0; i--) v = (v << 8n) | BigInt(b[i]!);
  return v;
}

export function toSigned(v: bigint, size: number): bigint {
  const bits = BigInt(size * 8);
  return v >= 1n << (bits - 1n) ? v - (1n << bits) : v;
}

function charText(code: number): string {
  if (code === 0) return "''";
  if (code >= 0x20 && code < 0x7f) return `'${String.fromCharCode(code)}'`;
  return "'.'";
}

/** A NUL-terminated string at `addr` (chars of `unit` bytes), up to `max` chars; undefined when unreadable. */
export function readString(mem: ValueMemory, addr: bigint, unit: 1 | 2, max = 256): string | undefined {
  if (addr === 0n) return undefined;
  const b = mem.read(addr, max * unit);
  if (b.length < unit) return undefined;
  let s = '';
  for (let i = 0; i + unit <= b.length; i += unit) {
    const c = unit === 1 ? b[i]! : b.readUInt16LE(i);
    if (c === 0) return s;
    s += String.fromCharCode(c);
  }
  return s;
}

/** The string unit (1 or 2) of a char-like type, else 0. */
function charUnit(ts: TypeStream | undefined, ti: number): 0 | 1 | 2 {
  const r = recordOf(ts, underlyingType(ts, ti));
  if (r?.kind !== 'primitive' || r.pointerSize) return 0;
  const info = primitiveInfo(r.base);
  if (!info?.char) return 0;
  return info.size === 1 ? 1 : info.size === 2 ? 2 : 0;
}

/** The enumerator named by `value`, if any. */
export function enumeratorName(ts: TypeStream | undefined, enumTi: number, value: bigint): string | undefined {
  const r = recordOf(ts, underlyingType(ts, enumTi));
  if (!ts || r?.kind !== 'enum') return undefined;
  for (const m of ts.fieldMembers(r.fieldList)) if (m.kind === 'enumerate' && m.value === value) return m.name;
  return undefined;
}

/** Renders a scalar of primitive type `base` from its bytes. */
function primitiveText(base: number, b: Buffer): string {
  const info = primitiveInfo(base);
  if (!info) return `0x${hexMin(readUnsigned(b))}`;
  if (info.float) {
    if (info.size === 4 && b.length >= 4) return String(b.readFloatLE(0));
    if (info.size === 8 && b.length >= 8) return String(b.readDoubleLE(0));
    return `0x${hexMin(readUnsigned(b))}`;
  }
  const raw = readUnsigned(b, info.size);
  if (info.bool) return raw === 0n ? 'false' : 'true';
  if (info.size === 0) return '';
  const num = info.signed ? `0n${toSigned(raw, info.size)}` : `0x${hexMin(raw)}`;
  return info.char ? `${num} ${charText(Number(raw))}` : num;
}

/**
 * A value for dv / kp / ??: `bytes` holds the value's storage (as much as
 * is known). Pointers to chars show their string, aggregates their type name.
 */
export function formatValue(ts: TypeStream | undefined, ti: number, bytes: Buffer, mem: ValueMemory): string {
  const u = underlyingType(ts, ti);
  const r = recordOf(ts, u);
  const p = mem.pointerSize;
  if (!r) return `0x${hexMin(readUnsigned(bytes))}`;
  switch (r.kind) {
    case 'primitive': {
      if (r.pointerSize) {
        const v = readUnsigned(bytes, r.pointerSize);
        const unit = (primitiveInfo(r.base)?.char ? primitiveInfo(r.base)!.size : 0) as 0 | 1 | 2;
        return pointerText(v, p, unit ? readString(mem, v, unit) : undefined);
      }
      return primitiveText(r.base, bytes);
    }
    case 'pointer': {
      const v = readUnsigned(bytes, r.size || p);
      const unit = charUnit(ts, r.referent);
      return pointerText(v, r.size || p, unit ? readString(mem, v, unit) : undefined);
    }
    case 'enum': {
      const size = typeSize(ts, r.underlying, p) || 4;
      const raw = readUnsigned(bytes, size);
      const signed = primitiveInfo(recordOf(ts, r.underlying)?.kind === 'primitive' ? (r.underlying & 0xff) : 0x74)?.signed ?? true;
      const v = signed ? toSigned(raw, size) : raw;
      const name = enumeratorName(ts, u, v);
      const num = `0n${v}`;
      return name ? `${name} (${num})` : num;
    }
    case 'udt':
      return `${r.leaf} ${r.name}`;
    case 'array': {
      const unit = charUnit(ts, r.elementType);
      const tn = typeName(ts, u);
      if (unit) {
        let s = '';
        for (let i = 0; i + unit <= bytes.length; i += unit) {
          const c = unit === 1 ? bytes[i]! : bytes.readUInt16LE(i);
          if (c === 0) break;
          s += String.fromCharCode(c);
        }
        return `${tn} "${s}"`;
      }
      return tn;
    }
    case 'bitfield': {
      const raw = readUnsigned(bytes, typeSize(ts, r.type, p));
      return `0y${((raw >> BigInt(r.position)) & ((1n << BigInt(r.length)) - 1n)).toString(2).padStart(r.length, '0')}`;
    }
    default:
      return `0x${hexMin(readUnsigned(bytes))}`;
  }
}

/** `0x00000000`00b814d0` with a C string's text when it points at one. */
export function pointerText(v: bigint, size: number, str?: string): string {
  const base = `0x${ptr(v, size === 4 ? 4 : 8)}`;
  return str !== undefined ? `${base} "${str}"` : base;
}

export interface DtOptions {
  /** -r depth: how many levels of embedded structures to expand (0: none). */
  recurse: number;
  pointerSize: 4 | 8;
}

/**
 * `dt` member lines for a UDT (windbg-commands.md §6.3): `   +0x010 Name : Type`
 * without an address, `   +0x010 Name : value` with one. Nested UDTs
 * expand (indented by 3 more spaces) while depth allows.
 */
export function dtLines(ts: TypeStream, ti: number, address: bigint | undefined, mem: ValueMemory | undefined, o: DtOptions, indent = 0, base = 0): string[] {
  const u = underlyingType(ts, ti);
  const r = recordOf(ts, u);
  if (r?.kind !== 'udt') return [];
  const pad = ' '.repeat(3 + indent * 3);
  const out: string[] = [];
  for (const m of ts.fieldMembers(r.fieldList)) {
    if (m.kind !== 'member' && m.kind !== 'base') continue;
    const off = m.offset;
    const name = m.kind === 'member' ? m.name : `__BaseClass ${dtTypeName(ts, m.type, o.pointerSize)}`;
    const head = `${pad}+0x${hexMin(base + off).padStart(3, '0')} ${name.padEnd(16)} : `;
    const mu = underlyingType(ts, m.type);
    const mr = recordOf(ts, mu);
    let text: string;
    if (address === undefined || !mem) text = dtTypeName(ts, m.type, o.pointerSize);
    else text = dtMemberValue(ts, m.type, address + BigInt(off), mem, o.pointerSize);
    out.push(head + text);
    if (mr?.kind === 'udt' && indent < o.recurse) {
      out.push(...dtLines(ts, mu, address === undefined ? undefined : address + BigInt(off), mem, o, indent + 1, address === undefined ? base + off : 0));
    }
  }
  return out;
}

/** One member's value as dt prints it. */
export function dtMemberValue(ts: TypeStream, ti: number, addr: bigint, mem: ValueMemory, pointerSize: 4 | 8): string {
  const u = underlyingType(ts, ti);
  const r = recordOf(ts, u);
  const size = typeSize(ts, u, pointerSize);
  if (r?.kind === 'udt' && r.name === '_LIST_ENTRY' && size === 2 * pointerSize) {
    // WinDbg shows list links inline: `_LIST_ENTRY [ 0x... - 0x... ]`.
    const b = mem.read(addr, size);
    if (b.length === size) {
      const at = (i: number) => `0x${ptr(readUnsigned(b.subarray(i * pointerSize), pointerSize), pointerSize)}`;
      return `_LIST_ENTRY [ ${at(0)} - ${at(1)} ]`;
    }
  }
  if (r?.kind === 'udt') return r.name;
  const want = r?.kind === 'array' ? Math.min(size, 256) : size;
  const b = mem.read(addr, want);
  if (b.length < Math.min(want, 1) || (r?.kind !== 'array' && b.length < size)) return '?'.repeat(Math.max(2, size * 2));
  if (!r) return `0x${hexMin(readUnsigned(b))}`;
  if (r.kind === 'pointer' || (r.kind === 'primitive' && r.pointerSize)) {
    const psize = r.kind === 'pointer' ? r.size || pointerSize : r.pointerSize;
    const v = readUnsigned(b, psize);
    if (v === 0n) return '(null) ';
    // Char pointers show their string (`0x00000001`4000a5b4  "Ada"`), others the pointee's type.
    const unit = r.kind === 'pointer' ? charUnit(ts, r.referent) : primitiveInfo(r.base)?.char ? ((primitiveInfo(r.base)!.size as 1 | 2)) : 0;
    const str = unit === 1 || unit === 2 ? readString(mem, v, unit) : undefined;
    if (str !== undefined) return `0x${ptr(v, psize === 4 ? 4 : 8)}  "${printable(str)}"`;
    const target = dtTypeName(ts, ti, pointerSize).replace(/^Ptr\d+ /, '');
    return `0x${ptr(v, psize === 4 ? 4 : 8)} ${target}`;
  }
  if (r.kind === 'array') {
    const elSize = typeSize(ts, r.elementType, pointerSize);
    const n = elSize ? Math.floor(r.size / elSize) : 0;
    const unit = charUnit(ts, r.elementType);
    if (unit) return `[${n}]  "${printable(decodeChars(b, unit))}"`;
    const first = elSize && b.length >= elSize ? dtMemberValue(ts, r.elementType, addr, mem, pointerSize) : '??';
    return `[${n}] ${first}`;
  }
  if (r.kind === 'bitfield') {
    const raw = readUnsigned(b, size);
    const v = (raw >> BigInt(r.position)) & ((1n << BigInt(r.length)) - 1n);
    return `0y${v.toString(2).padStart(r.length, '0')}`;
  }
  if (r.kind === 'enum') {
    const v = toSigned(readUnsigned(b, size), size);
    const name = enumeratorName(ts, u, v);
    return name ? `0n${v} ( ${name} )` : `0n${v}`;
  }
  return formatValue(ts, u, b, mem);
}

function decodeChars(b: Buffer, unit: 1 | 2): string {
  let s = '';
  for (let i = 0; i + unit <= b.length; i += unit) {
    const c = unit === 1 ? b[i]! : b.readUInt16LE(i);
    if (c === 0) break;
    s += String.fromCharCode(c);
  }
  return s;
}

/** Non-printable characters as `.`, the way dt and du show them. */
function printable(s: string): string {
  return s.replace(/[^\x20-\x7e]/g, '.');
}
