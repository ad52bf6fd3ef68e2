import { defineLayout } from '../layout.js';
import type { CpuArch, ExceptionRecord, MinidumpExceptionStream } from './types.js';

/** EXCEPTION_MAXIMUM_PARAMETERS */
export const EXCEPTION_MAXIMUM_PARAMETERS = 15;

/**
 * The 152-byte record shared by MINIDUMP_EXCEPTION and the native x64
 * EXCEPTION_RECORD64: Microsoft defines the minidump record to mirror it.
 */
const EXCEPTION_RECORD64_FIELDS = {
  exceptionCode: 'u32',
  exceptionFlags: 'u32',
  exceptionRecord: 'u64',
  exceptionAddress: 'u64',
  numberParameters: 'u32',
  unusedAlignment: 'u32',
  exceptionInformation: { u64Array: EXCEPTION_MAXIMUM_PARAMETERS },
} as const;

/** MINIDUMP_EXCEPTION (A.8): values zero-extended to 64 bits even in x86 dumps. */
export const MinidumpExceptionLayout = defineLayout('MINIDUMP_EXCEPTION', EXCEPTION_RECORD64_FIELDS);
export const MINIDUMP_EXCEPTION_SIZE = MinidumpExceptionLayout.size; // 152

/** MINIDUMP_EXCEPTION_STREAM (A.8). */
export const MinidumpExceptionStreamLayout = defineLayout('MINIDUMP_EXCEPTION_STREAM', {
  threadId: 'u32',
  alignment: 'u32',
  exceptionRecord: { bytes: MINIDUMP_EXCEPTION_SIZE },
  threadContextDataSize: 'u32',
  threadContextRva: 'u32',
});
export const MINIDUMP_EXCEPTION_STREAM_SIZE = MinidumpExceptionStreamLayout.size; // 168

/** Native x64 EXCEPTION_RECORD, as found in process memory (152 bytes). */
export const ExceptionRecord64Layout = defineLayout('EXCEPTION_RECORD64', EXCEPTION_RECORD64_FIELDS);
export const EXCEPTION_RECORD64_SIZE = ExceptionRecord64Layout.size; // 152

/** Native x86 EXCEPTION_RECORD, as found in process memory (80 bytes). */
export const ExceptionRecord32Layout = defineLayout('EXCEPTION_RECORD32', {
  exceptionCode: 'u32',
  exceptionFlags: 'u32',
  exceptionRecord: 'u32',
  exceptionAddress: 'u32',
  numberParameters: 'u32',
  exceptionInformation: { u32Array: EXCEPTION_MAXIMUM_PARAMETERS },
});
export const EXCEPTION_RECORD32_SIZE = ExceptionRecord32Layout.size; // 80

/** ExceptionFlags bits. */
export const EXCEPTION_FLAGS = {
  0x1: 'EXCEPTION_NONCONTINUABLE',
  0x2: 'EXCEPTION_UNWINDING',
  0x4: 'EXCEPTION_EXIT_UNWIND',
  0x8: 'EXCEPTION_STACK_INVALID',
  0x10: 'EXCEPTION_NESTED_CALL',
  0x20: 'EXCEPTION_TARGET_UNWIND',
  0x40: 'EXCEPTION_COLLIDED_UNWIND',
} as const;

function clampParams(n: number, info: bigint[]): bigint[] {
  // NumberParameters is untrusted: never more than the 15 slots the record has.
  return info.slice(0, Math.min(n, EXCEPTION_MAXIMUM_PARAMETERS));
}

export function parseExceptionStream(buf: Buffer, rva: number): MinidumpExceptionStream {
  const s = MinidumpExceptionStreamLayout.decode(buf, 0, `reading ExceptionStream at 0x${rva.toString(16)}`);
  const e = MinidumpExceptionLayout.decode(s.exceptionRecord);
  return {
    threadId: s.threadId,
    exceptionRecord: {
      exceptionCode: e.exceptionCode,
      exceptionFlags: e.exceptionFlags,
      exceptionRecord: e.exceptionRecord,
      exceptionAddress: e.exceptionAddress,
      numberParameters: e.numberParameters,
      exceptionInformation: clampParams(e.numberParameters, e.exceptionInformation),
    },
    threadContext: { dataSize: s.threadContextDataSize, rva: s.threadContextRva },
  };
}

/** Size of a native EXCEPTION_RECORD for the architecture (x86 and ARM are 32-bit). */
export function nativeExceptionRecordSize(arch: CpuArch): number {
  return arch === 'x86' || arch === 'arm' ? EXCEPTION_RECORD32_SIZE : EXCEPTION_RECORD64_SIZE;
}

/** Decodes a native EXCEPTION_RECORD read from process memory; undefined when too short. */
export function decodeNativeExceptionRecord(buf: Buffer, arch: CpuArch): ExceptionRecord | undefined {
  if (arch === 'x86' || arch === 'arm') {
    if (buf.length < EXCEPTION_RECORD32_SIZE) return undefined;
    const e = ExceptionRecord32Layout.decode(buf);
    return {
      exceptionCode: e.exceptionCode,
      exceptionFlags: e.exceptionFlags,
      exceptionRecord: BigInt(e.exceptionRecord),
      exceptionAddress: BigInt(e.exceptionAddress),
      numberParameters: e.numberParameters,
      exceptionInformation: clampParams(e.numberParameters, e.exceptionInformation.map((v) => BigInt(v))),
    };
  }
  if (buf.length < EXCEPTION_RECORD64_SIZE) return undefined;
  const e = ExceptionRecord64Layout.decode(buf);
  return {
    exceptionCode: e.exceptionCode,
    exceptionFlags: e.exceptionFlags,
    exceptionRecord: e.exceptionRecord,
    exceptionAddress: e.exceptionAddress,
    numberParameters: e.numberParameters,
    exceptionInformation: clampParams(e.numberParameters, e.exceptionInformation),
  };
}
