// Names and message texts for Windows status codes: NTSTATUS, Win32 errors, HRESULTs and FAST_FAIL codes,
// plus the text fragments WinDbg builds from them (`!error`, `!gle`, `.exr`, the event line, `!analyze`).
//
// The name tables are generated from the public-domain mingw-w64 headers (gen/generate-tables.mjs); message
// texts come from those tables when present and otherwise from the curated list in messages.ts. Import this
// module lazily (`await import(...)`) from commands that need it: the tables hold ~5,300 entries.

import type { CodeEntry } from './types.js';
import { ntstatusEntries } from './ntstatus-table.js';
import { win32ErrorEntries, hresultEntries } from './winerror-table.js';
import { fastFailEntries } from './fast-fail-table.js';
import { WIN32_MESSAGES, NTSTATUS_MESSAGES, HRESULT_MESSAGES } from './messages.js';

export type { CodeEntry } from './types.js';

/** `table()` built on its first call only (the generated tables are functions: see generate-tables.mjs). */
function once(table: () => readonly CodeEntry[]): () => readonly CodeEntry[] {
  let built: readonly CodeEntry[] | undefined;
  return () => (built ??= table());
}

const ntstatusTable = once(ntstatusEntries);
const win32ErrorTable = once(win32ErrorEntries);
const hresultTable = once(hresultEntries);
const fastFailTable = once(fastFailEntries);

/** One code from a table, with its aliases and message (if any). */
export interface CodeInfo {
  readonly value: number;
  readonly name: string;
  readonly aliases: readonly string[];
  readonly message: string | undefined;
}

export type ErrorKind = 'Win32' | 'NTSTATUS' | 'HRESULT';

/** One interpretation of a value, as `!error` prints it. */
export interface ErrorDescription {
  readonly kind: ErrorKind;
  /** The value as an unsigned 32-bit number. */
  readonly value: number;
  /** Symbolic name; for HRESULTs without their own name, `HRESULT_FROM_WIN32(ERROR_X)` / `HRESULT_FROM_NT(STATUS_X)`. */
  readonly name: string | undefined;
  readonly message: string | undefined;
  /** The code an HRESULT wraps: FACILITY_WIN32 (0x8007xxxx) → Win32, the N bit (0x10000000) → NTSTATUS. */
  readonly wraps?: { readonly kind: 'Win32' | 'NTSTATUS'; readonly value: number; readonly name: string | undefined };
}

/** What WinDbg prints when the system has no text for a code. */
export const UNKNOWN_ERROR_TEXT = '<Unable to get error code text>';

const FACILITY_WIN32 = 7;
const FACILITY_NT_BIT = 0x10000000;

// ---------------------------------------------------------------------------------------------------------
// Table lookups

function u32(code: number): number {
  return code >>> 0;
}

/** Binary search in a table sorted by value. */
function findEntry(table: readonly CodeEntry[], code: number): CodeEntry | undefined {
  let lo = 0;
  let hi = table.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    const entry = table[mid]!;
    if (entry[0] === code) return entry;
    if (entry[0] < code) lo = mid + 1;
    else hi = mid - 1;
  }
  return undefined;
}

function toInfo(entry: CodeEntry | undefined, messages: ReadonlyMap<number, string>): CodeInfo | undefined {
  if (!entry) return undefined;
  const [value, name, message, aliases] = entry;
  return { value, name, aliases: aliases ?? [], message: message ?? messages.get(value) };
}

function isInteger32(code: number): boolean {
  return Number.isInteger(code) && code >= -0x80000000 && code <= 0xffffffff;
}

export function lookupNtStatus(code: number): CodeInfo | undefined {
  return isInteger32(code) ? toInfo(findEntry(ntstatusTable(), u32(code)), NTSTATUS_MESSAGES) : undefined;
}

export function lookupWin32Error(code: number): CodeInfo | undefined {
  return isInteger32(code) ? toInfo(findEntry(win32ErrorTable(), u32(code)), WIN32_MESSAGES) : undefined;
}

/** Only HRESULTs with a name of their own (see hresultName for wrapped Win32/NT codes). */
export function lookupHresult(code: number): CodeInfo | undefined {
  return isInteger32(code) ? toInfo(findEntry(hresultTable(), u32(code)), HRESULT_MESSAGES) : undefined;
}

export function lookupFastFail(code: number): CodeInfo | undefined {
  return isInteger32(code) ? toInfo(findEntry(fastFailTable(), u32(code)), new Map()) : undefined;
}

/** `STATUS_ACCESS_VIOLATION` for 0xC0000005 (negative int32 values are accepted too). */
export function ntStatusName(code: number): string | undefined {
  return lookupNtStatus(code)?.name;
}

/** `ERROR_FILE_NOT_FOUND` for 2. */
export function win32ErrorName(code: number): string | undefined {
  return lookupWin32Error(code)?.name;
}

/**
 * `E_POINTER` for 0x80004003; an HRESULT without its own name that wraps a named code is named after the macro
 * that builds it: 0x80070002 → `HRESULT_FROM_WIN32(ERROR_FILE_NOT_FOUND)`.
 */
export function hresultName(code: number): string | undefined {
  return describeHresult(code)?.name;
}

/** `FAST_FAIL_FATAL_APP_EXIT` for 7 (Parameter[0] of a 0xC0000409 exception). */
export function fastFailName(code: number): string | undefined {
  return lookupFastFail(code)?.name;
}

export function ntStatusMessage(code: number): string | undefined {
  return isInteger32(code) ? lookupNtStatus(code)?.message ?? NTSTATUS_MESSAGES.get(u32(code)) : undefined;
}

export function win32ErrorMessage(code: number): string | undefined {
  return isInteger32(code) ? lookupWin32Error(code)?.message ?? WIN32_MESSAGES.get(u32(code)) : undefined;
}

export function hresultMessage(code: number): string | undefined {
  return describeHresult(code)?.message;
}

// ---------------------------------------------------------------------------------------------------------
// Interpretations (`!error`)

function describeWin32(value: number): ErrorDescription {
  return { kind: 'Win32', value, name: win32ErrorName(value), message: win32ErrorMessage(value) };
}

function describeNt(value: number): ErrorDescription {
  return { kind: 'NTSTATUS', value, name: ntStatusName(value), message: ntStatusMessage(value) };
}

function describeHresult(code: number): ErrorDescription | undefined {
  if (!isInteger32(code)) return undefined;
  const value = u32(code);
  const own = lookupHresult(value);
  const facility = (value >>> 16) & 0x1fff;
  let wraps: ErrorDescription['wraps'];
  let wrappedMessage: string | undefined;
  if ((value & FACILITY_NT_BIT) !== 0) {
    // HRESULT_FROM_NT(x) = x | FACILITY_NT_BIT (winerror.h)
    const nt = (value & ~FACILITY_NT_BIT) >>> 0;
    wraps = { kind: 'NTSTATUS', value: nt, name: ntStatusName(nt) };
    wrappedMessage = ntStatusMessage(nt);
  } else if (value >>> 31 === 1 && facility === FACILITY_WIN32) {
    // HRESULT_FROM_WIN32(x) = 0x80070000 | (x & 0xFFFF) (winerror.h)
    const err = value & 0xffff;
    wraps = { kind: 'Win32', value: err, name: win32ErrorName(err) };
    wrappedMessage = win32ErrorMessage(err);
  }
  const wrapMacro = wraps?.kind === 'NTSTATUS' ? 'HRESULT_FROM_NT' : 'HRESULT_FROM_WIN32';
  const name = own?.name ?? (wraps?.name !== undefined ? `${wrapMacro}(${wraps.name})` : undefined);
  const message = own?.message ?? HRESULT_MESSAGES.get(value) ?? wrappedMessage;
  return wraps ? { kind: 'HRESULT', value, name, message, wraps } : { kind: 'HRESULT', value, name, message };
}

function isKnown(d: ErrorDescription): boolean {
  return d.name !== undefined || d.message !== undefined;
}

export interface DescribeOptions {
  /** `!error Value 1`: interpret the value as an NTSTATUS only. */
  readonly ntstatus?: boolean;
}

/**
 * Interprets a value the way `!error` does. The first element is the interpretation `!error` prints; the rest
 * are the other readings that have a name or message. The kind is chosen from the value's shape: 16-bit values
 * are Win32 errors, 0xC…–0xF… NTSTATUS (incl. application exception codes like 0xE06D7363), 0x8…–0xB…
 * HRESULTs, other values NTSTATUS (informational/success) — moving to the next kind when the preferred one has
 * no name or text for the value. Never throws; a non-32-bit input gives [].
 */
export function describeError(value: number, options: DescribeOptions = {}): ErrorDescription[] {
  if (!isInteger32(value)) return [];
  const v = u32(value);
  if (options.ntstatus) return [describeNt(v)];
  const hr = describeHresult(v)!;
  let order: ErrorDescription[];
  if (v <= 0xffff) order = [describeWin32(v), describeNt(v), hr];
  else if (v >>> 30 === 3) order = [describeNt(v), hr];
  else if (v >>> 30 === 2) order = [hr, describeNt(v)];
  else order = [describeNt(v), hr];
  const primary = order.find(isKnown) ?? order[0]!;
  return [primary, ...order.filter((d) => d !== primary && isKnown(d))];
}

/** The text after ` - ` in `!error` / `!gle` / `!analyze` lines: message, else name, else UNKNOWN_ERROR_TEXT. */
export function errorText(d: ErrorDescription): string {
  return d.message ?? d.name ?? UNKNOWN_ERROR_TEXT;
}

/** C's `%#x`, which WinDbg uses for these values: `0x2`, `0xc0000005`, and plain `0` for zero. */
export function hexAlt(value: number): string {
  const v = u32(value);
  return v === 0 ? '0' : '0x' + v.toString(16);
}

/**
 * One `!error` output line (windbg-commands.md 2.7):
 *   `Error code: (Win32) 0x2 (2) - The system cannot find the file specified.`
 *   `Error code: (NTSTATUS) 0x2 - STATUS_WAIT_2`
 * The decimal is left out when the text is only the symbolic name, as in the documented NTSTATUS example.
 */
export function errorLine(value: number, options: DescribeOptions = {}): string {
  const d = describeError(value, options)[0];
  if (!d) return `Error code: ${UNKNOWN_ERROR_TEXT}`;
  return `Error code: ${kindValueText(d, d.message !== undefined || d.name === undefined)}`;
}

function kindValueText(d: ErrorDescription, withDecimal: boolean): string {
  const dec = withDecimal ? ` (${d.value})` : '';
  return `(${d.kind}) ${hexAlt(d.value)}${dec} - ${errorText(d)}`;
}

/**
 * `!analyze` ERROR_CODE / EXCEPTION_CODE value for an exception code (always read as NTSTATUS, no decimal):
 *   `(NTSTATUS) 0xc0000005 - The instruction at 0x%p referenced memory at 0x%p. The memory could not be %s.`
 *   `(NTSTATUS) 0xe06d7363 - <Unable to get error code text>`
 */
export function analyzeErrorCodeText(code: number): string {
  return kindValueText(describeNt(u32(code)), false);
}

/** `!gle` LastErrorValue value: `(Win32) 0x57 (87) - The parameter is incorrect.`; zero → `(Win32) 0 (0) - …`. */
export function lastErrorValueText(value: number): string {
  return kindValueText(describeWin32(u32(value)), true);
}

/** `!gle` LastStatusValue value: `(NTSTATUS) 0xc0000045 - …`; zero → `(NTSTATUS) 0 - STATUS_SUCCESS`. */
export function lastStatusValueText(value: number): string {
  return kindValueText(describeNt(u32(value)), false);
}

// ---------------------------------------------------------------------------------------------------------
// Exceptions (event line, `.exr`, `!analyze`)

// The debugger's exception filter names (also its `sx` list), which the event line and `.exr` print after the
// code. Codes from windbg-commands.md §1 plus the remaining specific exception filters of the debugger docs
// ("Specific Exceptions" page) and the WOW64 breakpoint seen in `.exr` output.
const EXCEPTION_NAMES: ReadonlyMap<number, string> = new Map<number, string>([
  [0xc0000005, 'Access violation'],
  [0xc0000420, 'Assertion failure'],
  [0xcfffffff, 'Application hang'],
  [0x80000003, 'Break instruction exception'],
  [0xe06d7363, 'C++ EH exception'],
  [0xe0434352, 'CLR exception'],
  [0xe0434f4d, 'CLR exception'],
  [0x40010008, 'Control-Break exception'],
  [0x40010005, 'Control-C exception'],
  [0x80000002, 'Data misaligned'],
  [0x40010009, 'Debugger command exception'],
  [0x80000001, 'Guard page violation'],
  [0xc000001d, 'Illegal instruction'],
  [0xc0000006, 'In-page I/O error'],
  [0xc0000094, 'Integer divide-by-zero'],
  [0xc0000095, 'Integer overflow'],
  [0xc0000008, 'Invalid handle'],
  [0xc000001e, 'Invalid lock sequence'],
  [0xc000001c, 'Invalid system call'],
  [0xc0000037, 'Port disconnected'],
  [0x80000004, 'Single step exception'],
  [0xc0000409, 'Security check failure or stack buffer overrun'],
  [0xc00000fd, 'Stack overflow'],
  [0xc0000421, 'Verifier stop'],
  [0x80000007, 'Wake debugger'],
  [0x4000001f, 'WOW64 breakpoint'],
]);

/** Event-line / `.exr` name: `Access violation` for 0xC0000005; `Unknown exception` for anything else. */
export function exceptionName(code: number): string {
  return (isInteger32(code) && EXCEPTION_NAMES.get(u32(code))) || 'Unknown exception';
}

/** The 8-digit lower-case hex WinDbg prints for exception codes (`code c0000005`, `EXCEPTION_CODE_STR:  c0000005`). */
export function exceptionCodeHex(code: number): string {
  return u32(code).toString(16).padStart(8, '0');
}

/** Symbolic name of an exception code: `STATUS_ACCESS_VIOLATION`; codes without one as `0xE06D7363`. */
export function exceptionCodeString(code: number): string {
  return ntStatusName(code) ?? '0x' + exceptionCodeHex(code).toUpperCase();
}

export type AccessKind = 'read' | 'write' | 'execute';

/** Parameter[0] of an access violation / in-page error: 0 read, 1 write, 8 execute (DEP). */
export function accessViolationKind(param0: number | bigint): AccessKind | undefined {
  const p = BigInt(param0);
  if (p === 0n) return 'read';
  if (p === 1n) return 'write';
  if (p === 8n) return 'execute';
  return undefined;
}

/** Pointer-width hex without backtick (16 digits on 64-bit targets, 8 on 32-bit). */
function pointerHex(value: bigint, pointerSize: 4 | 8): string {
  const mask = pointerSize === 8 ? 0xffffffffffffffffn : 0xffffffffn;
  return (value & mask).toString(16).padStart(pointerSize * 2, '0');
}

/**
 * The decoded lines `.exr` prints after the parameters (windbg-commands.md 2.1):
 *   0xC0000005 → `Attempt to read from address 0000000000000038` (write: `Attempt to write to address …`,
 *                execute: `Attempt to execute non-executable address …`)
 *   0xC0000409 → `Subcode: 0x7 FAST_FAIL_FATAL_APP_EXIT`
 * Other codes, or missing parameters, give [].
 */
export function exceptionRecordTrailer(
  code: number,
  parameters: readonly bigint[],
  pointerSize: 4 | 8,
): string[] {
  const c = u32(code);
  if (c === 0xc0000005 && parameters.length >= 2) {
    const address = pointerHex(parameters[1]!, pointerSize);
    switch (accessViolationKind(parameters[0]!)) {
      case 'read':
        return [`Attempt to read from address ${address}`];
      case 'write':
        return [`Attempt to write to address ${address}`];
      case 'execute':
        return [`Attempt to execute non-executable address ${address}`];
      default:
        return [];
    }
  }
  if (c === 0xc0000409 && parameters.length >= 1) {
    const sub = parameters[0]!;
    // FAST_FAIL codes are 32-bit; the parameter is pointer-sized.
    const name = sub <= 0xffffffffn ? fastFailName(Number(sub)) : undefined;
    return [`Subcode: 0x${sub.toString(16)}${name ? ` ${name}` : ''}`];
  }
  return [];
}

/** Number of entries in each table (for `.help`-style summaries and tests). */
export function tableSizes(): { ntstatus: number; win32: number; hresult: number; fastFail: number } {
  return {
    ntstatus: ntstatusTable().length,
    win32: win32ErrorTable().length,
    hresult: hresultTable().length,
    fastFail: fastFailTable().length,
  };
}
