import { FormatError } from '../bytes/errors.js';

/**
 * Struct layouts declared once: a field list gives offsets and size; decode
 * goes through bounds checks. This is the only place field offsets are summed.
 *
 *   export const MinidumpHeaderLayout = defineLayout('MINIDUMP_HEADER', {
 *     signature: 'u32', version: 'u32', numberOfStreams: 'u32', streamDirectoryRva: 'u32',
 *     checkSum: 'u32', timeDateStamp: 'u32', flags: 'u64',
 *   });
 *   MinidumpHeaderLayout.size === 32; MinidumpHeaderLayout.offsets.flags === 24
 */
export type FieldType = 'u8' | 'u16' | 'u32' | 'i32' | 'u64' | 'i64' | { readonly bytes: number } | { readonly u32Array: number } | { readonly u64Array: number };

export type FieldValue<F extends FieldType> =
  F extends 'u64' | 'i64' ? bigint
  : F extends 'u8' | 'u16' | 'u32' | 'i32' ? number
  : F extends { readonly bytes: number } ? Buffer
  : F extends { readonly u32Array: number } ? number[]
  : F extends { readonly u64Array: number } ? bigint[]
  : never;

export type Decoded<S extends Record<string, FieldType>> = { -readonly [K in keyof S]: FieldValue<S[K]> };

export interface Layout<S extends Record<string, FieldType>> {
  /** Microsoft's name for the struct, for error messages. */
  readonly name: string;
  readonly size: number;
  readonly offsets: { readonly [K in keyof S]: number };
  /** Decodes the struct at `offset` in `buf`; throws FormatError('Truncated') when it does not fit. */
  decode(buf: Buffer, offset?: number, context?: string): Decoded<S>;
}

export function fieldSize(f: FieldType): number {
  if (typeof f === 'string') return f === 'u8' ? 1 : f === 'u16' ? 2 : f === 'u64' || f === 'i64' ? 8 : 4;
  if ('bytes' in f) return f.bytes;
  if ('u32Array' in f) return 4 * f.u32Array;
  return 8 * f.u64Array;
}

function readField(buf: Buffer, at: number, f: FieldType): unknown {
  if (typeof f === 'string') {
    switch (f) {
      case 'u8': return buf.readUInt8(at);
      case 'u16': return buf.readUInt16LE(at);
      case 'u32': return buf.readUInt32LE(at);
      case 'i32': return buf.readInt32LE(at);
      case 'u64': return buf.readBigUInt64LE(at);
      case 'i64': return buf.readBigInt64LE(at);
    }
  }
  if ('bytes' in f) return buf.subarray(at, at + f.bytes);
  if ('u32Array' in f) return Array.from({ length: f.u32Array }, (_, i) => buf.readUInt32LE(at + 4 * i));
  return Array.from({ length: f.u64Array }, (_, i) => buf.readBigUInt64LE(at + 8 * i));
}

/** What a layout works out from its field list, once, on first use. */
interface Plan {
  size: number;
  offsets: Record<string, number>;
  keys: string[];
  types: FieldType[];
  at: number[];
}

/**
 * A layout works out its offsets and decode plan on first use, not when defined: the CLI
 * bundle defines 85 of them at start-up, where most only have their size asked for (constants
 * such as MINIDUMP_THREAD_SIZE), and a run decodes a handful.
 */
class StructLayout<S extends Record<string, FieldType>> implements Layout<S> {
  readonly name: string;
  private readonly fields: S;
  private readonly explicitSize: number | undefined;
  private plan: Plan | undefined;
  private sized: number | undefined;

  constructor(name: string, fields: S, explicitSize: number | undefined) {
    this.name = name;
    this.fields = fields;
    this.explicitSize = explicitSize;
  }

  get size(): number {
    if (this.plan !== undefined) return this.plan.size;
    if (this.sized === undefined) {
      let size = 0;
      for (const key in this.fields) size += fieldSize(this.fields[key] as FieldType);
      this.sized = this.declared(size);
    }
    return this.sized;
  }

  get offsets(): { readonly [K in keyof S]: number } {
    return (this.plan ?? this.compile()).offsets as { [K in keyof S]: number };
  }

  decode(buf: Buffer, offset = 0, context = ''): Decoded<S> {
    const p = this.plan ?? this.compile();
    if (offset < 0 || offset + p.size > buf.length) {
      throw new FormatError('Truncated', `${this.name} needs ${p.size} bytes, ${Math.max(0, buf.length - offset)} available`, context, offset);
    }
    const out: Record<string, unknown> = {};
    for (let i = 0; i < p.keys.length; i++) out[p.keys[i] as string] = readField(buf, offset + (p.at[i] as number), p.types[i] as FieldType);
    return out as Decoded<S>;
  }

  private compile(): Plan {
    const offsets: Record<string, number> = {};
    const keys: string[] = [];
    const types: FieldType[] = [];
    const at: number[] = [];
    let size = 0;
    for (const key of Object.keys(this.fields)) {
      const f = this.fields[key] as FieldType;
      offsets[key] = size;
      keys.push(key);
      types.push(f);
      at.push(size);
      size += fieldSize(f);
    }
    this.plan = { size: this.declared(size), offsets, keys, types, at };
    return this.plan;
  }

  /** The declared size when there is one (fields plus padding), else the fields' own. */
  private declared(fieldsSize: number): number {
    if (this.explicitSize === undefined) return fieldsSize;
    if (this.explicitSize < fieldsSize) throw new Error(`layout ${this.name}: fields take ${fieldsSize} bytes, more than the declared ${this.explicitSize}`);
    return this.explicitSize;
  }
}

export function defineLayout<const S extends Record<string, FieldType>>(name: string, fields: S, explicitSize?: number): Layout<S> {
  return new StructLayout(name, fields, explicitSize);
}
