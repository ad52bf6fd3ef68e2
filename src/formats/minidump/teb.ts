import { defineLayout } from '../layout.js';

/** NT_TIB at the start of a 64-bit TEB (A.5 c). */
export const NtTib64Layout = defineLayout('NT_TIB64', {
  exceptionList: 'u64',
  stackBase: 'u64',
  stackLimit: 'u64',
  subSystemTib: 'u64',
  fiberData: 'u64',
  arbitraryUserPointer: 'u64',
  self: 'u64',
});
export const NT_TIB64_SIZE = NtTib64Layout.size; // 56

/** NT_TIB at the start of a 32-bit TEB; ExceptionList is the x86 SEH registration chain. */
export const NtTib32Layout = defineLayout('NT_TIB32', {
  exceptionList: 'u32',
  stackBase: 'u32',
  stackLimit: 'u32',
  subSystemTib: 'u32',
  fiberData: 'u32',
  arbitraryUserPointer: 'u32',
  self: 'u32',
});
export const NT_TIB32_SIZE = NtTib32Layout.size; // 28

/** The NT_TIB fields a debugger uses: exact stack bounds and the SEH chain head. */
export interface NtTib { exceptionList: bigint; stackBase: bigint; stackLimit: bigint; self: bigint }

export function decodeNtTib(buf: Buffer, pointerSize: 4 | 8): NtTib | undefined {
  if (pointerSize === 8) {
    if (buf.length < NT_TIB64_SIZE) return undefined;
    const t = NtTib64Layout.decode(buf);
    return { exceptionList: t.exceptionList, stackBase: t.stackBase, stackLimit: t.stackLimit, self: t.self };
  }
  if (buf.length < NT_TIB32_SIZE) return undefined;
  const t = NtTib32Layout.decode(buf);
  return { exceptionList: BigInt(t.exceptionList), stackBase: BigInt(t.stackBase), stackLimit: BigInt(t.stackLimit), self: BigInt(t.self) };
}
