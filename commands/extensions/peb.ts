/**
 * `!peb` (windbg-commands.md §3.8): the process environment block, its loader
 * data and RTL_USER_PROCESS_PARAMETERS (current directory, image path, command
 * line, window title, DLL path, environment). Everything comes from the dump's
 * memory; what the dump lacks prints as WinDbg prints unreadable fields.
 */
import type { CommandSpec } from '../../src/interpreter/command.js';
import { requireTarget } from '../../src/interpreter/command.js';
import { formatCtime } from '../../src/interpreter/format.js';
import type { Target } from '../../src/session/target.js';
import type { Block, ResultData } from '../../src/results/types.js';
import { evalArg } from '../common/expr.js';
import { isWow64, missingMemorySentence, pebAddress, plainPtr, readTebAt, TEB32, WOW64_TEB32_OFFSET } from './teb.js';

/** Offsets of the public `_PEB`, `_PEB_LDR_DATA`, `_LDR_DATA_TABLE_ENTRY` and `_RTL_USER_PROCESS_PARAMETERS` (Windows 7 .. 11). */
export interface ProcessLayouts {
  ptrSize: 4 | 8;
  peb: {
    inheritedAddressSpace: number;
    readImageFileExecOptions: number;
    beingDebugged: number;
    imageBaseAddress: number;
    ldr: number;
    processParameters: number;
    subSystemData: number;
    processHeap: number;
    apiSetMap: number;
    readOnlySharedMemoryBase: number;
    ansiCodePageData: number;
    oemCodePageData: number;
    unicodeCaseTableData: number;
    ntGlobalFlag: number;
    numberOfHeaps: number;
    processHeaps: number;
    activationContextData: number;
    systemDefaultActivationContextData: number;
    /** Windows 10 1903+ only (x64); absent from older PEBs, so printed only when captured. */
    ntGlobalFlag2: number | undefined;
    size: number;
  };
  ldr: { initialized: number; inLoadOrder: number; inMemoryOrder: number; inInitializationOrder: number; size: number };
  entry: { dllBase: number; fullDllName: number; timeDateStamp: number; size: number };
  params: {
    currentDirectory: number;
    dllPath: number;
    imagePathName: number;
    commandLine: number;
    environment: number;
    windowTitle: number;
    environmentSize: number;
    size: number;
  };
  /** UNICODE_STRING: Length u16 @0, MaximumLength u16 @2, Buffer pointer (aligned to the pointer size). */
  unicodeStringBuffer: number;
}

export const PROCESS64: ProcessLayouts = {
  ptrSize: 8,
  peb: {
    inheritedAddressSpace: 0x0,
    readImageFileExecOptions: 0x1,
    beingDebugged: 0x2,
    imageBaseAddress: 0x10,
    ldr: 0x18,
    processParameters: 0x20,
    subSystemData: 0x28,
    processHeap: 0x30,
    apiSetMap: 0x68,
    readOnlySharedMemoryBase: 0x88,
    ansiCodePageData: 0xa0,
    oemCodePageData: 0xa8,
    unicodeCaseTableData: 0xb0,
    ntGlobalFlag: 0xbc,
    numberOfHeaps: 0xe8,
    processHeaps: 0xf0,
    activationContextData: 0x2f8,
    systemDefaultActivationContextData: 0x308,
    ntGlobalFlag2: 0x7c4,
    size: 0x7c8,
  },
  ldr: { initialized: 0x4, inLoadOrder: 0x10, inMemoryOrder: 0x20, inInitializationOrder: 0x30, size: 0x40 },
  entry: { dllBase: 0x30, fullDllName: 0x48, timeDateStamp: 0x80, size: 0x84 },
  params: { currentDirectory: 0x38, dllPath: 0x50, imagePathName: 0x60, commandLine: 0x70, environment: 0x80, windowTitle: 0xb0, environmentSize: 0x3f0, size: 0x3f8 },
  unicodeStringBuffer: 8,
};

export const PROCESS32: ProcessLayouts = {
  ptrSize: 4,
  peb: {
    inheritedAddressSpace: 0x0,
    readImageFileExecOptions: 0x1,
    beingDebugged: 0x2,
    imageBaseAddress: 0x8,
    ldr: 0xc,
    processParameters: 0x10,
    subSystemData: 0x14,
    processHeap: 0x18,
    apiSetMap: 0x38,
    readOnlySharedMemoryBase: 0x4c,
    ansiCodePageData: 0x58,
    oemCodePageData: 0x5c,
    unicodeCaseTableData: 0x60,
    ntGlobalFlag: 0x68,
    numberOfHeaps: 0x88,
    processHeaps: 0x90,
    activationContextData: 0x1f8,
    systemDefaultActivationContextData: 0x200,
    ntGlobalFlag2: undefined,
    size: 0x250,
  },
  ldr: { initialized: 0x4, inLoadOrder: 0xc, inMemoryOrder: 0x14, inInitializationOrder: 0x1c, size: 0x24 },
  entry: { dllBase: 0x18, fullDllName: 0x24, timeDateStamp: 0x44, size: 0x48 },
  params: { currentDirectory: 0x24, dllPath: 0x30, imagePathName: 0x38, commandLine: 0x40, environment: 0x48, windowTitle: 0x70, environmentSize: 0x290, size: 0x294 },
  unicodeStringBuffer: 4,
};

/** Reads little-endian fields from a captured prefix; undefined past its end. */
class Fields {
  constructor(
    readonly buf: Buffer,
    readonly ptrSize: 4 | 8,
  ) {}
  u8(o: number): number | undefined {
    return o + 1 <= this.buf.length ? this.buf.readUInt8(o) : undefined;
  }
  u16(o: number): number | undefined {
    return o + 2 <= this.buf.length ? this.buf.readUInt16LE(o) : undefined;
  }
  u32(o: number): number | undefined {
    return o + 4 <= this.buf.length ? this.buf.readUInt32LE(o) : undefined;
  }
  ptr(o: number): bigint | undefined {
    if (o + this.ptrSize > this.buf.length) return undefined;
    return this.ptrSize === 8 ? this.buf.readBigUInt64LE(o) : BigInt(this.buf.readUInt32LE(o));
  }
}

/** A UNICODE_STRING's text, or undefined when the header or the characters are not in the dump. */
export function readUnicodeString(t: Target, f: Fields, offset: number, lay: ProcessLayouts): string | undefined {
  const len = f.u16(offset);
  const buffer = f.ptr(offset + lay.unicodeStringBuffer);
  // A null buffer reads as unreadable: WinDbg prints `< Name not readable >` for the empty DllPath of modern processes.
  if (len === undefined || buffer === undefined || buffer === 0n) return undefined;
  if (len === 0) return '';
  const bytes = t.readExact(buffer, len & ~1);
  return bytes ? bytes.toString('utf16le') : undefined;
}

/** Environment variables from a block of NUL-terminated UTF-16 strings ending with an empty one. */
export function readEnvironment(t: Target, address: bigint, size: number | undefined): string[] | undefined {
  const want = size && size > 0 && size <= 0x100000 ? size : 0x10000;
  const buf = t.readMemory(address, want);
  if (buf.length < 2) return undefined;
  const vars: string[] = [];
  let start = 0;
  for (let i = 0; i + 1 < buf.length; i += 2) {
    if (buf[i] === 0 && buf[i + 1] === 0) {
      if (i === start) return vars;
      vars.push(buf.toString('utf16le', start, i));
      start = i + 2;
    }
  }
  // The block ran past what the dump holds: show the complete strings read so far.
  return vars;
}

export interface LoaderModule {
  entry: bigint;
  dllBase: bigint | undefined;
  timeDateStamp: number | undefined;
  fullDllName: string | undefined;
}

/** Walks InLoadOrderModuleList from its head; stops at the head, a loop, or memory the dump lacks. */
function loaderModules(t: Target, head: bigint, first: bigint, lay: ProcessLayouts): { modules: LoaderModule[]; complete: boolean } {
  const modules: LoaderModule[] = [];
  const seen = new Set<bigint>();
  let link = first;
  while (link !== head && link !== 0n && !seen.has(link) && modules.length < 4096) {
    seen.add(link);
    // InLoadOrderLinks is the entry's first member, so the link is the entry address.
    const buf = t.readMemory(link, lay.entry.size);
    if (buf.length < lay.ptrSize) return { modules, complete: false };
    const f = new Fields(buf, lay.ptrSize);
    modules.push({ entry: link, dllBase: f.ptr(lay.entry.dllBase), timeDateStamp: f.u32(lay.entry.timeDateStamp), fullDllName: readUnicodeString(t, f, lay.entry.fullDllName, lay) });
    link = f.ptr(0) ?? 0n;
  }
  return { modules, complete: link === head };
}

/** `Jul 16 11:17:32 2002`: the loader entry's link time in this machine's zone, day zero-padded. */
function ldrDate(timeDateStamp: number): string {
  return formatCtime(timeDateStamp * 1000).slice(4).replace(/^(\w{3}) {2}(\d) /, '$1 0$2 ');
}

const yesNo = (v: number | undefined) => (v === undefined ? '?' : v ? 'Yes' : 'No');
const quoted = (s: string | undefined) => (s === undefined ? "'< Name not readable >'" : `'${s}'`);

export interface PebRender {
  lines: string[];
  warnings: string[];
  data: Record<string, unknown>;
}

/** The `!peb` block for the PEB at `address` read with `lay` (the title is `PEB` or `Wow64 PEB32`). */
export function renderPeb(t: Target, address: bigint, lay: ProcessLayouts, title: string): PebRender {
  const p = lay.ptrSize;
  const P = (v: bigint | undefined) => (v === undefined ? '?'.repeat(p * 2) : plainPtr(v, p));
  const buf = t.readMemory(address, lay.peb.size);
  const lines = [`${title} at ${plainPtr(address, p)}`];
  const warnings: string[] = [];
  if (buf.length === 0) {
    warnings.push(`error 1 InitTypeRead( nt!_PEB at ${plainPtr(address, p)})...`, missingMemorySentence('PEB', address, lay.peb.size, p));
    return { lines, warnings, data: { address, captured: 0 } };
  }
  const f = new Fields(buf, p);
  const row = (label: string, value: string, width = 26) => `    ${label.padEnd(width)}${value}`;
  const ldr = f.ptr(lay.peb.ldr);
  const params = f.ptr(lay.peb.processParameters);
  const data: Record<string, unknown> = {
    address,
    captured: buf.length,
    inheritedAddressSpace: f.u8(lay.peb.inheritedAddressSpace),
    readImageFileExecOptions: f.u8(lay.peb.readImageFileExecOptions),
    beingDebugged: f.u8(lay.peb.beingDebugged),
    imageBaseAddress: f.ptr(lay.peb.imageBaseAddress),
    ntGlobalFlag: f.u32(lay.peb.ntGlobalFlag),
    ldr,
    subSystemData: f.ptr(lay.peb.subSystemData),
    processHeap: f.ptr(lay.peb.processHeap),
    processParameters: params,
  };
  lines.push(row('InheritedAddressSpace:', yesNo(f.u8(lay.peb.inheritedAddressSpace))));
  lines.push(row('ReadImageFileExecOptions:', yesNo(f.u8(lay.peb.readImageFileExecOptions))));
  lines.push(row('BeingDebugged:', yesNo(f.u8(lay.peb.beingDebugged))));
  lines.push(row('ImageBaseAddress:', P(f.ptr(lay.peb.imageBaseAddress))));
  const ngf = f.u32(lay.peb.ntGlobalFlag);
  lines.push(row('NtGlobalFlag:', ngf === undefined ? '?' : ngf.toString(16)));
  const ngf2 = lay.peb.ntGlobalFlag2 === undefined ? undefined : f.u32(lay.peb.ntGlobalFlag2);
  if (ngf2 !== undefined) {
    lines.push(row('NtGlobalFlag2:', ngf2.toString(16)));
    data['ntGlobalFlag2'] = ngf2;
  }
  lines.push(row('Ldr', P(ldr)));
  if (ldr !== undefined) {
    const lb = t.readMemory(ldr, lay.ldr.size);
    const lf = new Fields(lb, p);
    const loadHead = lf.ptr(lay.ldr.inLoadOrder);
    if (lb.length < lay.ldr.size || loadHead === undefined) {
      lines.push(`    *** unable to read Ldr table at ${plainPtr(ldr, p)}`);
      warnings.push(missingMemorySentence('loader data (PEB_LDR_DATA)', ldr, lay.ldr.size, p));
    } else {
      const pair = (o: number) => `${P(lf.ptr(o))} . ${P(lf.ptr(o + p))}`;
      lines.push(row('Ldr.Initialized:', yesNo(lf.u8(lay.ldr.initialized))));
      lines.push(row('Ldr.InInitializationOrderModuleList:', pair(lay.ldr.inInitializationOrder), 37));
      lines.push(row('Ldr.InLoadOrderModuleList:', pair(lay.ldr.inLoadOrder), 37));
      lines.push(row('Ldr.InMemoryOrderModuleList:', pair(lay.ldr.inMemoryOrder), 37));
      const { modules, complete } = loaderModules(t, ldr + BigInt(lay.ldr.inLoadOrder), loadHead, lay);
      const baseWidth = p * 2;
      lines.push(`${' '.repeat(8)}${'Base'.padStart(baseWidth)} TimeStamp                     Module`);
      for (const m of modules) {
        const base = m.dllBase === undefined ? '?' : m.dllBase.toString(16);
        // Entries without a timestamp show none (seen in WinDbg output); the date has a zero-padded day.
        const stamp = m.timeDateStamp ? `${m.timeDateStamp.toString(16).padStart(8, '0')} ${ldrDate(m.timeDateStamp)} ` : '';
        lines.push(`${' '.repeat(8)}${base.padStart(baseWidth)} ${stamp}${m.fullDllName ?? '< Name not readable >'}`);
      }
      if (!complete) warnings.push(`The loader's module list leaves the captured memory after ${modules.length} entries.`);
      data['loaderModules'] = modules;
    }
  }
  lines.push(row('SubSystemData:', P(f.ptr(lay.peb.subSystemData)), 19));
  lines.push(row('ProcessHeap:', P(f.ptr(lay.peb.processHeap)), 19));
  lines.push(row('ProcessParameters:', P(params), 19));
  if (params !== undefined) {
    const pb = t.readMemory(params, lay.params.size);
    const pf = new Fields(pb, p);
    if (pb.length === 0) {
      lines.push(`    *** unable to read process parameters at ${plainPtr(params, p)}`);
      warnings.push(missingMemorySentence('process parameters (RTL_USER_PROCESS_PARAMETERS)', params, lay.params.size, p));
    } else {
      const cur = readUnicodeString(t, pf, lay.params.currentDirectory, lay);
      const title = readUnicodeString(t, pf, lay.params.windowTitle, lay);
      const image = readUnicodeString(t, pf, lay.params.imagePathName, lay);
      const cmd = readUnicodeString(t, pf, lay.params.commandLine, lay);
      const dll = readUnicodeString(t, pf, lay.params.dllPath, lay);
      const env = pf.ptr(lay.params.environment);
      lines.push(row('CurrentDirectory:', quoted(cur), 19));
      lines.push(row('WindowTitle:', quoted(title), 14));
      lines.push(row('ImageFile:', quoted(image), 14));
      lines.push(row('CommandLine:', quoted(cmd), 14));
      lines.push(row('DllPath:', quoted(dll), 14));
      lines.push(row('Environment:', P(env), 14));
      Object.assign(data, { currentDirectory: cur, windowTitle: title, imageFile: image, commandLine: cmd, dllPath: dll, environment: env });
      if (env !== undefined && env !== 0n) {
        const vars = readEnvironment(t, env, pf.u32(lay.params.environmentSize));
        if (vars === undefined) {
          lines.push('        < Environment not readable >');
          warnings.push(missingMemorySentence('environment block', env, 2, p));
        } else {
          for (const v of vars) lines.push(`        ${v}`);
          data['environmentVariables'] = vars;
        }
      }
    }
  }
  if (buf.length < lay.peb.size) warnings.push(`Only 0x${buf.length.toString(16)} of the PEB's 0x${lay.peb.size.toString(16)} bytes are in the dump; fields past that print as ?.`);
  return { lines, warnings, data };
}

export const pebCommand: CommandSpec = {
  name: '!peb',
  group: 'extension',
  syntax: '!peb [Address]',
  summary: 'Process environment block: image base, loader lists, command line, current directory, environment',
  help: 'The PEB address comes from the current thread\'s TEB. Plain minidumps usually lack the PEB and the process\nparameters; full-memory and Crashpad dumps have them. WOW64 processes show the 32-bit PEB first.',
  examples: ['!peb', '!peb 000000d2`de29c000'],
  run(ctx, inv) {
    const t = requireTarget(ctx);
    const p = t.pointerSize;
    const lay = p === 8 ? PROCESS64 : PROCESS32;
    const arg = inv.args.trim();
    const address = arg ? evalArg(t, arg, inv.raw) : pebAddress(t);
    if (address === undefined) {
      const teb = t.thread()?.teb ?? 0n;
      return {
        blocks: [{ kind: 'error', lines: [`The PEB address is unknown: it is read from a TEB, and the dump holds no thread's TEB memory (the current thread's TEB is at ${plainPtr(teb, p)}).`] }],
        failed: true,
        data: { type: 'peb', address: null },
      };
    }
    const blocks: Block[] = [];
    const data: ResultData = { type: 'peb' };
    if (!arg && isWow64(t)) {
      const th = t.thread();
      const peb32 = th ? readTebAt(t, th.teb + WOW64_TEB32_OFFSET, TEB32).processEnvironmentBlock : undefined;
      if (peb32 !== undefined) {
        const r32 = renderPeb(t, peb32, PROCESS32, 'Wow64 PEB32');
        blocks.push({ kind: 'text', lines: r32.lines });
        if (r32.warnings.length) blocks.push({ kind: 'warning', lines: r32.warnings });
        data['wow64Peb32'] = r32.data;
      }
    }
    const r = renderPeb(t, address, lay, blocks.length ? 'Wow64 PEB' : 'PEB');
    blocks.push({ kind: 'text', lines: r.lines });
    const failed = r.data['captured'] === 0;
    if (r.warnings.length) blocks.push({ kind: failed ? 'error' : 'warning', lines: r.warnings });
    Object.assign(data, r.data);
    return failed ? { blocks, data, failed } : { blocks, data };
  },
};
