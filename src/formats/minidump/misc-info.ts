import { defineLayout } from '../layout.js';
import { utf16z } from '../../bytes/reader.js';
import type { MinidumpMiscInfo, TimeZoneInformation } from './types.js';
import type { StreamContext } from './stream-context.js';

/** SYSTEMTIME (16 bytes). */
export const SystemTimeLayout = defineLayout('SYSTEMTIME', {
  year: 'u16', month: 'u16', dayOfWeek: 'u16', day: 'u16', hour: 'u16', minute: 'u16', second: 'u16', milliseconds: 'u16',
});

/** TIME_ZONE_INFORMATION (172 bytes). */
export const TimeZoneInformationLayout = defineLayout('TIME_ZONE_INFORMATION', {
  bias: 'i32',
  standardName: { bytes: 64 },
  standardDate: { bytes: 16 },
  standardBias: 'i32',
  daylightName: { bytes: 64 },
  daylightDate: { bytes: 16 },
  daylightBias: 'i32',
});
export const TIME_ZONE_INFORMATION_SIZE = TimeZoneInformationLayout.size; // 172

/** XSTATE_CONFIG_FEATURE_MSC_INFO (528 bytes). */
export const XstateConfigFeatureMscInfoLayout = defineLayout('XSTATE_CONFIG_FEATURE_MSC_INFO', {
  sizeOfInfo: 'u32',
  contextSize: 'u32',
  enabledFeatures: 'u64',
  features: { u32Array: 128 },
});
export const XSTATE_CONFIG_FEATURE_MSC_INFO_SIZE = XstateConfigFeatureMscInfoLayout.size; // 528

/** MINIDUMP_MISC_INFO_5 (A.10); earlier versions are prefixes of it. */
export const MinidumpMiscInfo5Layout = defineLayout('MINIDUMP_MISC_INFO_5', {
  sizeOfInfo: 'u32',
  flags1: 'u32',
  processId: 'u32',
  processCreateTime: 'u32',
  processUserTime: 'u32',
  processKernelTime: 'u32',
  processorMaxMhz: 'u32',
  processorCurrentMhz: 'u32',
  processorMhzLimit: 'u32',
  processorMaxIdleState: 'u32',
  processorCurrentIdleState: 'u32',
  processIntegrityLevel: 'u32',
  processExecuteFlags: 'u32',
  protectedProcess: 'u32',
  timeZoneId: 'u32',
  timeZone: { bytes: TIME_ZONE_INFORMATION_SIZE },
  buildString: { bytes: 520 },
  dbgBldStr: { bytes: 80 },
  xStateData: { bytes: XSTATE_CONFIG_FEATURE_MSC_INFO_SIZE },
  processCookie: 'u32',
});
export const MINIDUMP_MISC_INFO_SIZE = 24;
export const MINIDUMP_MISC_INFO_2_SIZE = 44;
export const MINIDUMP_MISC_INFO_3_SIZE = 232;
export const MINIDUMP_MISC_INFO_4_SIZE = 832;
export const MINIDUMP_MISC_INFO_5_SIZE = MinidumpMiscInfo5Layout.size; // 1364

export const MISC_INFO_FLAGS = {
  PROCESS_ID: 0x1,
  PROCESS_TIMES: 0x2,
  PROCESSOR_POWER_INFO: 0x4,
  PROCESS_INTEGRITY: 0x10,
  PROCESS_EXECUTE_FLAGS: 0x20,
  TIMEZONE: 0x40,
  PROTECTED_PROCESS: 0x80,
  BUILDSTRING: 0x100,
  PROCESS_COOKIE: 0x200,
} as const;

export function parseMiscInfo(buf: Buffer, rva: number, ctx: StreamContext): MinidumpMiscInfo | undefined {
  const name = 'MiscInfoStream';
  if (buf.length < 8) {
    ctx.warn(name, rva, `${name} is too short (${buf.length} bytes)`);
    return undefined;
  }
  const sizeOfInfo = buf.readUInt32LE(0);
  const flags1 = buf.readUInt32LE(4);
  // A field counts only when its flag is set AND it lies within SizeOfInfo (which must not exceed the stream).
  let limit = sizeOfInfo;
  if (limit > buf.length) {
    ctx.warn(name, rva, `${name} SizeOfInfo ${sizeOfInfo} exceeds the ${buf.length} bytes present`);
    limit = buf.length;
  }
  const full = Buffer.alloc(MINIDUMP_MISC_INFO_5_SIZE);
  buf.copy(full, 0, 0, Math.min(limit, full.length));
  const m = MinidumpMiscInfo5Layout.decode(full);
  const O = MinidumpMiscInfo5Layout.offsets;
  const within = (off: number, size: number) => off + size <= limit;
  const has = (flag: number) => (flags1 & flag) !== 0;
  const out: MinidumpMiscInfo = { sizeOfInfo, flags1 };
  if (has(MISC_INFO_FLAGS.PROCESS_ID) && within(O.processId, 4)) out.processId = m.processId;
  if (has(MISC_INFO_FLAGS.PROCESS_TIMES) && within(O.processKernelTime, 4)) {
    out.processCreateTime = m.processCreateTime;
    out.processUserTime = m.processUserTime;
    out.processKernelTime = m.processKernelTime;
  }
  if (has(MISC_INFO_FLAGS.PROCESSOR_POWER_INFO) && within(O.processorCurrentIdleState, 4)) {
    out.processorMaxMhz = m.processorMaxMhz;
    out.processorCurrentMhz = m.processorCurrentMhz;
    out.processorMhzLimit = m.processorMhzLimit;
    out.processorMaxIdleState = m.processorMaxIdleState;
    out.processorCurrentIdleState = m.processorCurrentIdleState;
  }
  if (has(MISC_INFO_FLAGS.PROCESS_INTEGRITY) && within(O.processIntegrityLevel, 4)) out.processIntegrityLevel = m.processIntegrityLevel;
  if (has(MISC_INFO_FLAGS.PROCESS_EXECUTE_FLAGS) && within(O.processExecuteFlags, 4)) out.processExecuteFlags = m.processExecuteFlags;
  if (has(MISC_INFO_FLAGS.PROTECTED_PROCESS) && within(O.protectedProcess, 4)) out.protectedProcess = m.protectedProcess;
  if (has(MISC_INFO_FLAGS.TIMEZONE) && within(O.timeZone, TIME_ZONE_INFORMATION_SIZE)) {
    out.timeZoneId = m.timeZoneId;
    out.timeZone = decodeTimeZone(m.timeZone);
  }
  if (has(MISC_INFO_FLAGS.BUILDSTRING) && within(O.dbgBldStr, 80)) {
    out.buildString = utf16z(m.buildString);
    out.dbgBldStr = utf16z(m.dbgBldStr);
  }
  // XStateData has no flag of its own: valid when it lies within SizeOfInfo and its own SizeOfInfo covers the table.
  if (within(O.xStateData, XSTATE_CONFIG_FEATURE_MSC_INFO_SIZE)) {
    const x = XstateConfigFeatureMscInfoLayout.decode(m.xStateData);
    if (x.sizeOfInfo >= XSTATE_CONFIG_FEATURE_MSC_INFO_SIZE || (x.sizeOfInfo >= 16 && x.contextSize > 0)) {
      const features: { offset: number; size: number }[] = [];
      for (let i = 0; i < 64; i++) features.push({ offset: x.features[2 * i] ?? 0, size: x.features[2 * i + 1] ?? 0 });
      out.xstate = { contextSize: x.contextSize, enabledFeatures: x.enabledFeatures, features };
    }
  }
  if (has(MISC_INFO_FLAGS.PROCESS_COOKIE) && within(O.processCookie, 4)) out.processCookie = m.processCookie;
  return out;
}

function decodeTimeZone(b: Buffer): TimeZoneInformation {
  const t = TimeZoneInformationLayout.decode(b);
  return {
    bias: t.bias,
    standardName: utf16z(t.standardName),
    standardBias: t.standardBias,
    daylightName: utf16z(t.daylightName),
    daylightBias: t.daylightBias,
  };
}
