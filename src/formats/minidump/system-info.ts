import { defineLayout } from '../layout.js';
import type { CpuArch, MinidumpSystemInfo } from './types.js';
import { readMinidumpString, type StreamContext } from './stream-context.js';

/** MINIDUMP_SYSTEM_INFO (A.9), the CPU union kept as raw bytes. */
export const MinidumpSystemInfoLayout = defineLayout('MINIDUMP_SYSTEM_INFO', {
  processorArchitecture: 'u16',
  processorLevel: 'u16',
  processorRevision: 'u16',
  numberOfProcessors: 'u8',
  productType: 'u8',
  majorVersion: 'u32',
  minorVersion: 'u32',
  buildNumber: 'u32',
  platformId: 'u32',
  csdVersionRva: 'u32',
  suiteMask: 'u16',
  reserved2: 'u16',
  cpu: { bytes: 24 },
});
export const MINIDUMP_SYSTEM_INFO_SIZE = MinidumpSystemInfoLayout.size; // 56

/** X86CpuInfo inside the CPU_INFORMATION union. */
export const X86CpuInfoLayout = defineLayout('X86CpuInfo', {
  vendorId: { u32Array: 3 },
  versionInformation: 'u32',
  featureInformation: 'u32',
  amdExtendedCpuFeatures: 'u32',
});

export const PROCESSOR_ARCHITECTURE = {
  INTEL: 0,
  ARM: 5,
  IA64: 6,
  AMD64: 9,
  IA32_ON_WIN64: 10,
  ARM64: 12,
  ARM32_ON_WIN64: 13,
  IA32_ON_ARM64: 14,
  UNKNOWN: 0xffff,
  // Breakpad's extension for pre-standard ARM64 dumps.
  BREAKPAD_ARM64_OLD: 0x8003,
} as const;

/** CpuArch from ProcessorArchitecture. */
export function archFromProcessorArchitecture(a: number): CpuArch {
  switch (a) {
    case PROCESSOR_ARCHITECTURE.INTEL:
    case PROCESSOR_ARCHITECTURE.IA32_ON_WIN64:
    case PROCESSOR_ARCHITECTURE.IA32_ON_ARM64:
      return 'x86';
    case PROCESSOR_ARCHITECTURE.AMD64:
      return 'amd64';
    case PROCESSOR_ARCHITECTURE.ARM64:
    case PROCESSOR_ARCHITECTURE.BREAKPAD_ARM64_OLD:
      return 'arm64';
    case PROCESSOR_ARCHITECTURE.ARM:
    case PROCESSOR_ARCHITECTURE.ARM32_ON_WIN64:
      return 'arm';
    default:
      return 'unknown';
  }
}

export function parseSystemInfo(buf: Buffer, rva: number, ctx: StreamContext): MinidumpSystemInfo {
  const s = MinidumpSystemInfoLayout.decode(buf, 0, `reading SystemInfoStream at 0x${rva.toString(16)}`);
  // Architecture 0 carries X86CpuInfo; every other architecture OtherCpuInfo.ProcessorFeatures (A.9).
  const isX86 = s.processorArchitecture === PROCESSOR_ARCHITECTURE.INTEL;
  const x86 = X86CpuInfoLayout.decode(s.cpu);
  let vendorId: string | undefined;
  if (isX86) {
    const b = Buffer.alloc(12);
    x86.vendorId.forEach((v, i) => b.writeUInt32LE(v, 4 * i));
    vendorId = b.toString('latin1').replace(/\0+$/, '');
  }
  return {
    processorArchitecture: s.processorArchitecture,
    processorLevel: s.processorLevel,
    processorRevision: s.processorRevision,
    numberOfProcessors: s.numberOfProcessors,
    productType: s.productType,
    majorVersion: s.majorVersion,
    minorVersion: s.minorVersion,
    buildNumber: s.buildNumber,
    platformId: s.platformId,
    csdVersion: readMinidumpString(ctx, s.csdVersionRva, 'SystemInfoStream') ?? '',
    suiteMask: s.suiteMask,
    vendorId,
    versionInformation: isX86 ? x86.versionInformation : 0,
    featureInformation: isX86 ? x86.featureInformation : 0,
    amdExtendedCpuFeatures: isX86 ? x86.amdExtendedCpuFeatures : 0,
    processorFeatures: isX86 ? undefined : [s.cpu.readBigUInt64LE(0), s.cpu.readBigUInt64LE(8)],
  };
}
