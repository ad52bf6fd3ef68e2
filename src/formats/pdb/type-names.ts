import { primitiveInfo, primitiveRecord } from './tpi.js';
import type { TypeRecord, TypeStream } from './tpi.js';

/**
 * Type names and sizes from TPI records, in WinDbg's spellings: the C form
 * used by kp/dv/x (`int`, `char *`, `struct _FOO *`, `unsigned int64`) and
 * the dt form (`Int4B`, `Ptr64 Char`, `[16] UChar`, `Pos 3, 2 Bits`).
 */

/** Depth guard against cyclic or hostile records. */
const MAX_DEPTH = 32;

function recordOf(ts: TypeStream | undefined, ti: number): TypeRecord | undefined {
  return ti < 0x1000 ? primitiveRecord(ti) : ts?.record(ti);
}

/** Strips LF_MODIFIER wrappers and resolves forward references. */
export function underlyingType(ts: TypeStream | undefined, ti: number): number {
  for (let i = 0; i < MAX_DEPTH; i++) {
    const r = recordOf(ts, ti);
    if (!r) return ti;
    if (r.kind === 'modifier') {
      ti = r.type;
      continue;
    }
    if ((r.kind === 'udt' || r.kind === 'enum') && r.isForwardRef && ts) return ts.resolveForward(ti);
    return ti;
  }
  return ti;
}

/** Size in bytes of a value of type `ti` (0 when unknown). */
export function typeSize(ts: TypeStream | undefined, ti: number, pointerSize = 8, depth = 0): number {
  if (depth > MAX_DEPTH) return 0;
  const r = recordOf(ts, underlyingType(ts, ti));
  if (!r) return 0;
  switch (r.kind) {
    case 'primitive':
      return r.pointerSize || (primitiveInfo(r.base)?.size ?? 0);
    case 'pointer':
      return r.size || pointerSize;
    case 'udt':
      return r.size;
    case 'enum':
      return typeSize(ts, r.underlying, pointerSize, depth + 1);
    case 'array':
      return r.size;
    case 'bitfield':
      return typeSize(ts, r.type, pointerSize, depth + 1);
    default:
      return 0;
  }
}

/** The C spelling WinDbg's kp, dv /t and x /t use (qualifiers dropped, as they do). */
export function typeName(ts: TypeStream | undefined, ti: number, depth = 0): string {
  if (depth > MAX_DEPTH) return '<cycle>';
  if (ti === 0) return '<no type>';
  const r = recordOf(ts, ti);
  if (!r) return `<type 0x${ti.toString(16)}>`;
  switch (r.kind) {
    case 'primitive': {
      const base = primitiveInfo(r.base)?.name ?? `<primitive 0x${r.base.toString(16)}>`;
      return r.pointerSize ? `${base} *` : base;
    }
    case 'modifier':
      return typeName(ts, r.type, depth + 1);
    case 'pointer': {
      const inner = recordOf(ts, r.referent);
      const target = inner?.kind === 'procedure' ? '<function>' : typeName(ts, r.referent, depth + 1);
      const sigil = r.mode === 'lvalueRef' ? '&' : r.mode === 'rvalueRef' ? '&&' : '*';
      // Pointer to pointer: `char **`, as WinDbg writes it.
      return target.endsWith('*') || target.endsWith('&') ? `${target}${sigil}` : `${target} ${sigil}`;
    }
    case 'udt':
      return `${r.leaf} ${r.name}`;
    case 'enum':
      return `enum ${r.name}`;
    case 'array': {
      // Nested arrays print outer-first: int [3][4].
      const dims: number[] = [];
      let el: TypeRecord | undefined = r;
      let guard = 0;
      while (el?.kind === 'array' && guard++ < MAX_DEPTH) {
        const elSize = typeSize(ts, el.elementType);
        dims.push(elSize ? Math.floor(el.size / elSize) : 0);
        const next = recordOf(ts, underlyingType(ts, el.elementType));
        if (next?.kind !== 'array') return `${typeName(ts, el.elementType, depth + 1)} ${dims.map((d) => `[${d}]`).join('')}`;
        el = next;
      }
      return '<array>';
    }
    case 'procedure':
      return `${typeName(ts, r.returnType, depth + 1)} (${procedureArgs(ts, r.argList, depth + 1).join(', ')})`;
    case 'bitfield':
      return typeName(ts, r.type, depth + 1);
    default:
      return `<type 0x${ti.toString(16)}>`;
  }
}

/** Parameter type names of an LF_ARGLIST. */
export function procedureArgs(ts: TypeStream | undefined, argList: number, depth = 0): string[] {
  const r = recordOf(ts, argList);
  if (r?.kind !== 'arglist') return [];
  // Type index 0 (T_NOTYPE) at the end of an argument list marks C varargs.
  return r.args.map((a) => (a === 0 ? '...' : typeName(ts, a, depth + 1)));
}

/** The dt spelling of a member type: `Int4B`, `Ptr64 _PEB_LDR_DATA`, `[16] UChar`, `Pos 0, 1 Bit`. */
export function dtTypeName(ts: TypeStream | undefined, ti: number, pointerSize = 8, depth = 0): string {
  if (depth > MAX_DEPTH) return '<cycle>';
  const r = recordOf(ts, ti);
  const ptrWord = (size: number) => `Ptr${(size || pointerSize) * 8}`;
  if (!r) return `<type 0x${ti.toString(16)}>`;
  switch (r.kind) {
    case 'primitive': {
      const base = primitiveInfo(r.base)?.dtName ?? `<primitive 0x${r.base.toString(16)}>`;
      return r.pointerSize ? `${ptrWord(r.pointerSize)} ${base}` : base;
    }
    case 'modifier':
      return dtTypeName(ts, r.type, pointerSize, depth + 1);
    case 'pointer': {
      const inner = recordOf(ts, underlyingType(ts, r.referent));
      // Function pointers: WinDbg pads the return type: `Ptr64     long `.
      if (inner?.kind === 'procedure') return `${ptrWord(r.size)}     ${typeName(ts, inner.returnType, depth + 1)} `;
      return `${ptrWord(r.size)} ${dtTypeName(ts, r.referent, pointerSize, depth + 1)}`;
    }
    case 'udt':
    case 'enum':
      return r.name;
    case 'array': {
      const elSize = typeSize(ts, r.elementType, pointerSize);
      const n = elSize ? Math.floor(r.size / elSize) : 0;
      return `[${n}] ${dtTypeName(ts, r.elementType, pointerSize, depth + 1)}`;
    }
    case 'bitfield':
      return `Pos ${r.position}, ${r.length} Bit${r.length === 1 ? '' : 's'}`;
    case 'procedure':
      return typeName(ts, r.returnType, depth + 1);
    default:
      return `<type 0x${ti.toString(16)}>`;
  }
}
