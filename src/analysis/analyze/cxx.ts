/**
 * MSVC C++ exceptions (0xE06D7363): the thrown type from
 * ThrowInfo → CatchableTypeArray → CatchableType → TypeDescriptor, and the
 * `what()` text of std::exception-derived objects (unwind-symbols.md H.4).
 * The EH tables live in the image's .rdata, so with a mini dump the reads
 * go to the mapped image file (the target's reader does that).
 */
import type { ExceptionRecord } from '../../formats/minidump/types.js';
import { undecorateTypeName } from './demangle.js';
import type { AnalysisTarget } from './target.js';
import { moduleAt, readCString, readRuntime, readU32 } from './target.js';

export const CXX_EXCEPTION_CODE = 0xe06d7363;
/** EH_MAGIC_NUMBER1..3 (ehdata.h) and the /clr:pure magic. */
const CXX_MAGICS = new Set([0x19930520n, 0x19930521n, 0x19930522n, 0x01994000n]);
/** The most catchable types read from one array (real arrays are short). */
const MAX_CATCHABLE = 64;

export interface CxxCatchableType {
  /** Address of the TypeDescriptor. */
  typeDescriptor: bigint;
  /** Decorated name (`.?AVruntime_error@std@@`), when readable. */
  decorated?: string;
  /** Undecorated (`class std::runtime_error`), or the decorated name when undecoration fails. */
  name?: string;
}

export interface CxxExceptionInfo {
  magic: bigint;
  objectAddress: bigint;
  throwInfoAddress: bigint;
  /** 64-bit targets: the image base the ThrowInfo RVAs are relative to (P[3]); 0 on x86. */
  imageBase: bigint;
  /** Module holding the ThrowInfo (`crashlab`). */
  throwInfoModule?: string;
  /** Entry 0 is the thrown (most derived) type; the rest are the bases `catch` can match. */
  catchableTypes: CxxCatchableType[];
  /** The thrown type, undecorated (`class std::runtime_error`). */
  thrownType?: string;
  /** `what()` of std::exception-derived objects, or the text of a thrown `char const *`. */
  message?: string;
  /** Where the message bytes came from. */
  messageAddress?: bigint;
  /** Each thing that could not be read, as one sentence. */
  problems: string[];
}

export function isCxxException(rec: ExceptionRecord, pointerSize: 4 | 8): boolean {
  if ((rec.exceptionCode >>> 0) !== CXX_EXCEPTION_CODE) return false;
  const p0 = rec.exceptionInformation[0];
  const need = pointerSize === 8 ? 4 : 3;
  return p0 !== undefined && CXX_MAGICS.has(p0) && rec.numberParameters >= need;
}

function hex(v: bigint): string {
  return `0x${v.toString(16)}`;
}

/** Decodes a C++ exception record; undefined when the record is not one. */
export function decodeCxxException(t: AnalysisTarget, rec: ExceptionRecord): CxxExceptionInfo | undefined {
  if (!isCxxException(rec, t.pointerSize)) return undefined;
  const p = rec.exceptionInformation;
  const wide = t.pointerSize === 8;
  const info: CxxExceptionInfo = {
    magic: p[0]!,
    objectAddress: p[1] ?? 0n,
    throwInfoAddress: p[2] ?? 0n,
    imageBase: wide ? (p[3] ?? 0n) : 0n,
    catchableTypes: [],
    problems: [],
  };
  // x64/ARM64: inner references are 32-bit RVAs from P[3]; x86: absolute 32-bit pointers.
  const ref = (v: number) => (wide ? info.imageBase + BigInt(v) : BigInt(v));
  if (info.throwInfoAddress === 0n) {
    info.problems.push('ThrowInfo is 0: a rethrow (`throw;`) or a foreign exception carries no type information.');
    return info;
  }
  const mod = moduleAt(t, info.throwInfoAddress);
  if (mod) info.throwInfoModule = mod.name;
  const ctaRef = readU32(t, info.throwInfoAddress + 12n);
  if (ctaRef === undefined) {
    info.problems.push(
      `ThrowInfo at ${hex(info.throwInfoAddress)} is not readable: it lives in ${mod ? `${mod.imageName}'s .rdata` : 'an unknown module'}, which is neither in the dump nor found on the image path (-i).`,
    );
    return info;
  }
  const cta = ref(ctaRef);
  const count = readU32(t, cta);
  if (count === undefined || count === 0 || count > MAX_CATCHABLE) {
    info.problems.push(`CatchableTypeArray at ${hex(cta)} is ${count === undefined ? 'not readable' : `implausible (${count} entries)`}.`);
    return info;
  }
  for (let i = 0; i < count; i++) {
    const ctRef = readU32(t, cta + 4n + BigInt(i * 4));
    if (ctRef === undefined) break;
    const typeRef = readU32(t, ref(ctRef) + 4n);
    if (typeRef === undefined) break;
    const td = ref(typeRef);
    // TypeDescriptor: vftable pointer, spare pointer, then the decorated name.
    const decorated = readCString(t, td + BigInt(2 * t.pointerSize), 4096);
    const entry: CxxCatchableType = { typeDescriptor: td };
    if (decorated !== undefined) {
      entry.decorated = decorated;
      entry.name = undecorateTypeName(decorated) ?? decorated;
    }
    info.catchableTypes.push(entry);
  }
  const first = info.catchableTypes[0];
  if (first?.name) info.thrownType = first.name;
  else info.problems.push('The thrown type\'s TypeDescriptor name is not readable.');
  readMessage(t, info);
  return info;
}

/** std::exception (MSVC layout: vftable, then `_What` char*); a thrown `char const *` / `char *`. */
function readMessage(t: AnalysisTarget, info: CxxExceptionInfo): void {
  const names = info.catchableTypes.map((c) => c.decorated ?? '');
  const ps = BigInt(t.pointerSize);
  let textPtr: bigint | undefined;
  let what: string;
  if (names.includes('.?AVexception@std@@')) {
    what = 'std::exception::what()';
    if (info.objectAddress === 0n) return;
    textPtr = readObjectPtr(t, info.objectAddress + ps);
    if (textPtr === undefined) {
      info.problems.push(`The thrown object at ${hex(info.objectAddress)} is not in the dump, so ${what} cannot be read.`);
      return;
    }
  } else if (/^\.P[E]?[AB]D$/.test(names[0] ?? '')) {
    what = 'the thrown string';
    textPtr = readObjectPtr(t, info.objectAddress);
    if (textPtr === undefined) {
      info.problems.push(`The thrown pointer at ${hex(info.objectAddress)} is not in the dump.`);
      return;
    }
  } else {
    return;
  }
  if (textPtr === 0n) {
    info.problems.push(`${what} is a null pointer.`);
    return;
  }
  const s = readCString(t, textPtr, 4096);
  if (s === undefined) {
    info.problems.push(`${what} points to ${hex(textPtr)}, which is neither in the dump nor in a mapped image.`);
    return;
  }
  info.message = s;
  info.messageAddress = textPtr;
}

/** A pointer inside the thrown object: run-time data, so only from the dump's own memory. */
function readObjectPtr(t: AnalysisTarget, addr: bigint): bigint | undefined {
  const b = readRuntime(t, addr, t.pointerSize);
  if (!b) return undefined;
  return t.pointerSize === 8 ? b.readBigUInt64LE(0) : BigInt(b.readUInt32LE(0));
}
