/** Number formatting shared by every renderer (WinDbg conventions, windbg-commands.md §0.3). */

const MASK64 = (1n << 64n) - 1n;

/** Lower-case hex, zero-padded to `width` digits. */
export function hexN(v: bigint | number, width: number): string {
  // Comparisons first: a value already in range (nearly every address) makes no new BigInt.
  const b = typeof v === 'bigint' ? (v >= 0n && v <= MASK64 ? v : v & MASK64) : v >>> 0 === v ? v : BigInt(Math.trunc(v)) & MASK64;
  return b.toString(16).padStart(width, '0');
}

/** A pointer as WinDbg prints it in tables: x64 `00007ff9`850bd78d` (17 chars), x86 `77f97704`. */
export function ptr(v: bigint, ptrSize: number): string {
  if (ptrSize === 4) return hexN(v & 0xffffffffn, 8);
  const h = hexN(v, 16);
  return `${h.slice(0, 8)}\`${h.slice(8)}`;
}

/** A pointer without the backtick (register dumps, .exr): 16 or 8 digits. */
export function ptrPlain(v: bigint, ptrSize: number): string {
  return ptrSize === 4 ? hexN(v & 0xffffffffn, 8) : hexN(v, 16);
}

/** Minimal hex (no padding). */
export function hexMin(v: bigint | number): string {
  return (typeof v === 'bigint' ? v & MASK64 : BigInt(v)).toString(16);
}
