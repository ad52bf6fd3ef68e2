/**
 * Exception directory (.pdata): the RUNTIME_FUNCTION table that drives
 * unwinding (docs/unwind-symbols.md B.1–B.2 for x64, D.1–D.2 for ARM64).
 * This file only reads and searches the table; interpreting UNWIND_INFO /
 * .xdata (and following x64 chained entries) belongs to the unwinder.
 */
import {
  RUNTIME_FUNCTION_ARM64_SIZE,
  RUNTIME_FUNCTION_X64_SIZE,
  RuntimeFunctionArm64Layout,
  RuntimeFunctionX64Layout,
} from './layouts.js';
import { hex } from './rva-reader.js';
import type { RvaRange, RvaReader } from './rva-reader.js';
import type { RuntimeFunction, RuntimeFunctionArm64, RuntimeFunctionX64 } from './types.js';

export type PdataFormat = 'x64' | 'arm64';

/**
 * Largest exception directory we read (2.7 M x64 entries; the biggest real
 * DLLs have a few hundred thousand). Zero-fill RVAs of a hostile image could
 * otherwise make us allocate and decode hundreds of megabytes.
 */
export const MAX_PDATA_BYTES = 32 * 1024 * 1024;

export interface RuntimeFunctionsResult {
  functions: RuntimeFunction[];
  problems: string[];
}

/** Entry size of each .pdata format. */
export function runtimeFunctionSize(format: PdataFormat): number {
  return format === 'x64' ? RUNTIME_FUNCTION_X64_SIZE : RUNTIME_FUNCTION_ARM64_SIZE;
}

/** Decodes one x64 RUNTIME_FUNCTION at `rva` (e.g. the target of a chained entry), or undefined if unreadable. */
export function readRuntimeFunctionX64(img: RvaReader, rva: number, index = -1): RuntimeFunctionX64 | undefined {
  const buf = img.readRvaExact(rva, RUNTIME_FUNCTION_X64_SIZE);
  return buf ? decodeX64(buf, 0, index) : undefined;
}

function decodeX64(buf: Buffer, at: number, index: number): RuntimeFunctionX64 {
  const r = RuntimeFunctionX64Layout.decode(buf, at, 'reading RUNTIME_FUNCTION');
  return { kind: 'x64', index, beginAddress: r.beginAddress, endAddress: r.endAddress, unwindInfoAddress: r.unwindInfoAddress };
}

/** Decodes the second word of an ARM64 entry (D.1). */
export function decodeArm64(beginAddress: number, unwindData: number, index: number): RuntimeFunctionArm64 {
  const flag = unwindData & 3;
  return {
    kind: 'arm64',
    index,
    beginAddress,
    unwindData,
    flag,
    // Flag 0: bits 2–31 are the .xdata RVA with the low two bits implied zero.
    xdataRva: flag === 0 ? (unwindData & ~3) >>> 0 : undefined,
    // Packed (1, 2): FunctionLength is bits 2–12, in units of 4 bytes.
    functionLength: flag === 1 || flag === 2 ? ((unwindData >>> 2) & 0x7ff) * 4 : undefined,
  };
}

/**
 * Reads the whole table at `dir` (Size / entry-size entries; a partial
 * trailing entry is ignored). Entries are expected sorted by beginAddress;
 * if they are not, a sorted copy is returned and a problem recorded so the
 * binary search still works.
 */
export function readRuntimeFunctions(img: RvaReader, dir: RvaRange, format: PdataFormat, sizeOfImage: number): RuntimeFunctionsResult {
  const problems: string[] = [];
  const entrySize = runtimeFunctionSize(format);
  let size = dir.size;
  if (size > sizeOfImage && sizeOfImage > 0) {
    problems.push(`exception directory size ${hex(size)} exceeds SizeOfImage ${hex(sizeOfImage)}; clamped`);
    size = sizeOfImage;
  }
  if (size > MAX_PDATA_BYTES) {
    problems.push(`exception directory size ${hex(size)} is larger than ${MAX_PDATA_BYTES} bytes; reading the start`);
    size = MAX_PDATA_BYTES;
  }
  const count = Math.floor(size / entrySize);
  const buf = img.readRva(dir.rva, count * entrySize);
  const readable = Math.floor(buf.length / entrySize);
  if (readable < count) problems.push(`exception directory at RVA ${hex(dir.rva)}: only ${readable} of ${count} entries are readable`);
  const functions: RuntimeFunction[] = [];
  for (let i = 0; i < readable; i++) {
    if (format === 'x64') {
      functions.push(decodeX64(buf, i * entrySize, i));
    } else {
      const r = RuntimeFunctionArm64Layout.decode(buf, i * entrySize, 'reading ARM64 RUNTIME_FUNCTION');
      functions.push(decodeArm64(r.beginAddress, r.unwindData, i));
    }
  }
  let sorted = true;
  for (let i = 1; i < functions.length && sorted; i++) {
    if (functions[i]!.beginAddress < functions[i - 1]!.beginAddress) sorted = false;
  }
  if (!sorted) {
    problems.push('exception directory is not sorted by BeginAddress; sorted a copy');
    functions.sort((a, b) => a.beginAddress - b.beginAddress);
  }
  return { functions, problems };
}

/** Index of the last entry with beginAddress ≤ rva, or -1. */
export function lastBeginAtOrBefore(sorted: readonly RuntimeFunction[], rva: number): number {
  let lo = 0;
  let hi = sorted.length - 1;
  let found = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid]!.beginAddress <= rva) { found = mid; lo = mid + 1; } else hi = mid - 1;
  }
  return found;
}

/**
 * End (exclusive) of an ARM64 function: packed entries carry the length;
 * flag-0 entries keep it in the .xdata header's FunctionLength (bits 0–17, ×4).
 * Undefined when the .xdata is unreadable.
 */
export function arm64FunctionEnd(img: RvaReader, f: RuntimeFunctionArm64): number | undefined {
  if (f.functionLength !== undefined) return f.beginAddress + f.functionLength;
  if (f.xdataRva === undefined) return undefined;
  const word = img.readRvaExact(f.xdataRva, 4);
  return word ? f.beginAddress + (word.readUInt32LE(0) & 0x3ffff) * 4 : undefined;
}

/**
 * The entry covering `rva` (binary search: last Begin ≤ rva, accepted if
 * rva < End). For ARM64 the end comes from the packed length or the .xdata
 * header; when that header is unreadable the entry is accepted if rva lies
 * before the next entry's start. x64 indirect entries are returned as they
 * are (bit 0 of unwindInfoAddress set) — the unwinder follows them.
 * For return addresses, callers look up `pc − 1` (B.2).
 */
export function findRuntimeFunctionIn(img: RvaReader, sorted: readonly RuntimeFunction[], rva: number): RuntimeFunction | undefined {
  const i = lastBeginAtOrBefore(sorted, rva);
  if (i < 0) return undefined;
  const f = sorted[i]!;
  if (f.kind === 'x64') return rva < f.endAddress ? f : undefined;
  const end = arm64FunctionEnd(img, f) ?? sorted[i + 1]?.beginAddress;
  return end === undefined || rva < end ? f : undefined;
}
