/**
 * Number formatting shared by every command (windbg-commands.md §0.3, §9.1, §9.3).
 * All helpers take 64-bit values as bigint and treat them modulo 2^64.
 */

const MASK64 = (1n << 64n) - 1n;
const MASK32 = 0xffffffffn;

/** Lowercase hex, zero-padded to `width` digits (never truncated). */
export function hex(v: bigint, width = 0): string {
  return (v & MASK64).toString(16).padStart(width, '0');
}

/** x64 pointer form: 16 digits with a backtick between the halves, `00007ff9`850bd78d`. */
export function hex64(v: bigint): string {
  const h = hex(v, 16);
  return `${h.slice(0, 8)}\`${h.slice(8)}`;
}

/** A pointer at target width: 17 characters on x64 (backtick form), 8 on x86 (low 32 bits). */
export function hexPtr(v: bigint, ptrSize: 4 | 8): string {
  return ptrSize === 8 ? hex64(v) : hex(v & MASK32, 8);
}

/**
 * Whether a value prints at 32-bit width on an x86 target. The debugger stores
 * 64 bits and shows 32 when the high half is zero or is the sign extension of
 * bit 31 (doc "Sign Extension", Displaying Sign-Extended and 64-Bit Numbers).
 */
function fits32(v: bigint): boolean {
  const high = (v & MASK64) >> 32n;
  return high === 0n || (high === MASK32 && (v & 0x80000000n) !== 0n);
}

/** True when the value is shown at 64-bit width for this target. */
function isWide(v: bigint, ptrSize: 4 | 8): boolean {
  return ptrSize === 8 || !fits32(v);
}

/** The value `?` and `.formats` print: hex at target width (64 bits on x86 only when it does not fit). */
function hexDisplay(v: bigint, ptrSize: 4 | 8): string {
  return isWide(v, ptrSize) ? hex64(v) : hex(v & MASK32, 8);
}

/** Signed decimal at display width (§0.3: `-1` for `ffffffff`ffffffff`). */
export function signedDecimal(v: bigint, ptrSize: 4 | 8): string {
  return (isWide(v, ptrSize) ? BigInt.asIntN(64, v) : BigInt.asIntN(32, v)).toString();
}

/**
 * The `?` line: `Evaluate expression: 36 = 00000000`00000024`; x86:
 * `Evaluate expression: 4198488 = 00401058`.
 */
export function formatEvaluate(v: bigint, ptrSize: 4 | 8): string {
  return `Evaluate expression: ${signedDecimal(v, ptrSize)} = ${hexDisplay(v, ptrSize)}`;
}

export interface FormatsOptions {
  /**
   * Minutes east of UTC used for the Time line (WinDbg uses the debugger host's
   * time zone), or a function of the UTC instant (for DST). Default: this host's
   * local zone.
   */
  utcOffsetMinutes?: number | ((utcMs: number) => number);
  /**
   * Print the `Decimal (unsigned) :` line. Modern debuggers print it for x86 and
   * x64 targets (real transcripts of both); older ones omitted it on x86. Default true.
   */
  unsignedLine?: boolean;
}

/**
 * `.formats` output (§9.3), lines in order, starting with `Evaluate expression:`.
 * Labels are 2-space indented and values start at column 11.
 */
export function formatFormats(value: bigint, ptrSize: 4 | 8, options: FormatsOptions = {}): string[] {
  const v = value & MASK64;
  const wide = isWide(v, ptrSize);
  const shown = wide ? v : v & MASK32;
  const bits = wide ? 64 : 32;
  const lines = ['Evaluate expression:', `  Hex:     ${hexDisplay(v, ptrSize)}`, `  Decimal: ${signedDecimal(v, ptrSize)}`];
  if (options.unsignedLine ?? true) lines.push(`  Decimal (unsigned) : ${shown.toString()}`);
  lines.push(`  Octal:   ${shown.toString(8).padStart(wide ? 22 : 11, '0')}`);
  const bin = shown.toString(2).padStart(bits, '0');
  lines.push(`  Binary:  ${(bin.match(/.{8}/g) ?? []).join(' ')}`);
  lines.push(`  Chars:   ${chars(shown, bits / 8)}`);
  lines.push(`  Time:    ${timeText(v, wide, options.utcOffsetMinutes)}`);
  lines.push(`  Float:   low ${formatFloat32Bits(v & MASK32)} high ${formatFloat32Bits(v >> 32n)}`);
  lines.push(`  Double:  ${formatFloat64Bits(v)}`);
  return lines;
}

/** Bytes most-significant first; printable ASCII as itself, everything else `.`. */
function chars(v: bigint, count: number): string {
  let s = '';
  for (let i = count - 1; i >= 0; i--) {
    const b = Number((v >> BigInt(i * 8)) & 0xffn);
    s += b >= 0x20 && b <= 0x7e ? String.fromCharCode(b) : '.';
  }
  return s;
}

/**
 * Time line: values that fit in 32 bits are a CRT `time_t` (ctime layout, no
 * milliseconds; negative as a signed 32-bit value → `***** Invalid`); wider values
 * are a FILETIME with milliseconds and the UTC offset (negative → `***** Invalid FILETIME`).
 */
function timeText(v: bigint, wide: boolean, tz: FormatsOptions['utcOffsetMinutes']): string {
  if (!wide || v >> 32n === 0n) {
    const t = Number(BigInt.asIntN(32, v & MASK32));
    if (t < 0) return '***** Invalid';
    return formatCtime(t * 1000, tz);
  }
  if (BigInt.asIntN(64, v) < 0n) return '***** Invalid FILETIME';
  return formatFileTime(v, tz);
}

const WEEKDAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

function offsetFor(utcMs: number, tz: FormatsOptions['utcOffsetMinutes']): number {
  if (typeof tz === 'number') return tz;
  if (typeof tz === 'function') return tz(utcMs);
  return -new Date(utcMs).getTimezoneOffset();
}

const two = (n: number): string => String(n).padStart(2, '0');

/** `Thu Jan  1 13:02:56 1970` (day space-padded), the given UTC instant shown in the offset zone. */
export function formatCtime(utcMs: number, tz?: FormatsOptions['utcOffsetMinutes']): string {
  const d = new Date(utcMs + offsetFor(utcMs, tz) * 60000);
  return `${WEEKDAYS[d.getUTCDay()]} ${MONTHS[d.getUTCMonth()]} ${String(d.getUTCDate()).padStart(2, ' ')} ${two(d.getUTCHours())}:${two(d.getUTCMinutes())}:${two(d.getUTCSeconds())} ${d.getUTCFullYear()}`;
}

/** FILETIME epoch (1601-01-01) to Unix epoch, in 100 ns ticks. */
const FILETIME_UNIX_DIFF = 116444736000000000n;

/** `Fri Jan  7 20:15:00.577 28163 (UTC - 7:00)` for a FILETIME (100 ns ticks since 1601). */
export function formatFileTime(filetime: bigint, tz?: FormatsOptions['utcOffsetMinutes']): string {
  const utcMs = Number((filetime - FILETIME_UNIX_DIFF) / 10000n - ((filetime - FILETIME_UNIX_DIFF) % 10000n < 0n ? 1n : 0n));
  const off = offsetFor(utcMs, tz);
  const d = new Date(utcMs + off * 60000);
  const ms = String(d.getUTCMilliseconds()).padStart(3, '0');
  const sign = off < 0 ? '-' : '+';
  const abs = Math.abs(off);
  return `${WEEKDAYS[d.getUTCDay()]} ${MONTHS[d.getUTCMonth()]} ${String(d.getUTCDate()).padStart(2, ' ')} ${two(d.getUTCHours())}:${two(d.getUTCMinutes())}:${two(d.getUTCSeconds())}.${ms} ${d.getUTCFullYear()} (UTC ${sign} ${Math.floor(abs / 60)}:${two(abs % 60)})`;
}

/**
 * MSVC (msvcrt) `%g`: 6 significant digits, trailing zeros dropped, exponent with
 * a sign and at least 3 digits (`1.93105e-039`, `6.84405e+019`).
 */
export function formatMsvcG(x: number, precision = 6): string {
  if (x === 0) return Object.is(x, -0) ? '-0' : '0';
  if (!Number.isFinite(x)) return Number.isNaN(x) ? '1.#QNAN' : x < 0 ? '-1.#INF' : '1.#INF';
  const [mant, expText] = x.toExponential(precision - 1).split('e') as [string, string];
  const exp = Number(expText);
  if (exp < -4 || exp >= precision) {
    return `${stripZeros(mant)}e${exp < 0 ? '-' : '+'}${String(Math.abs(exp)).padStart(3, '0')}`;
  }
  return stripZeros(x.toFixed(precision - 1 - exp));
}

function stripZeros(s: string): string {
  return s.includes('.') ? s.replace(/0+$/, '').replace(/\.$/, '') : s;
}

/**
 * A double given by its bits, as msvcrt prints it: NaNs and infinities in the old
 * CRT spelling (`1.#QNAN`, `-1.#IND` for the default NaN, `1.#SNAN`, `-1.#INF`).
 */
export function formatFloat64Bits(bits: bigint): string {
  const b = bits & MASK64;
  const negative = b >> 63n === 1n;
  const exponent = (b >> 52n) & 0x7ffn;
  const mantissa = b & ((1n << 52n) - 1n);
  const sign = negative ? '-' : '';
  if (exponent === 0x7ffn) {
    if (mantissa === 0n) return `${sign}1.#INF`;
    const quiet = (mantissa >> 51n) === 1n;
    if (!quiet) return `${sign}1.#SNAN`;
    if (negative && mantissa === 1n << 51n) return '-1.#IND';
    return `${sign}1.#QNAN`;
  }
  const view = new DataView(new ArrayBuffer(8));
  view.setBigUint64(0, b);
  return formatMsvcG(view.getFloat64(0));
}

/**
 * A float given by its 32 bits. printf receives it promoted to double, and the
 * promotion quiets a signalling NaN, so floats never print `#SNAN`.
 */
export function formatFloat32Bits(bits: bigint): string {
  const b = Number(bits & MASK32);
  if (((b >>> 23) & 0xff) === 0xff && (b & 0x7fffff) !== 0) {
    const negative = b >>> 31 === 1;
    const payload = BigInt(b & 0x3fffff) << 29n;
    const promoted = (negative ? 1n << 63n : 0n) | (0x7ffn << 52n) | (1n << 51n) | payload;
    return formatFloat64Bits(promoted);
  }
  const view = new DataView(new ArrayBuffer(4));
  view.setUint32(0, b);
  return formatMsvcG(view.getFloat32(0));
}
