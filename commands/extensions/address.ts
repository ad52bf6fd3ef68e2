/**
 * `!address` (windbg-commands.md §6.4) over the MemoryInfoList stream (A.14):
 * the region table with usage, the usage/type/state/protect summaries
 * (`-summary`), and the block for one address. Usage (Image, Stack, TEB, PEB,
 * Heap, Other, <unknown>) is worked out from the module list, the thread list,
 * the TEBs/PEB the dump holds, and the PEB's heap list, as WinDbg does.
 */
import type { CommandSpec } from '../../src/interpreter/command.js';
import { CommandError, requireTarget } from '../../src/interpreter/command.js';
import type { MinidumpMemoryInfo } from '../../src/formats/minidump/types.js';
import type { Target } from '../../src/session/target.js';
import { hexMin, hexN, ptr } from '../../src/results/hex.js';
import { fail, ok } from '../../src/results/types.js';
import type { CommandResult } from '../../src/results/types.js';
import { evalArg } from '../common/expr.js';
import { PROCESS32, PROCESS64 } from './peb.js';
import { pebAddress, readTebAt } from './teb.js';

const MEMORY_INFO_LIST_STREAM = 16;

export const MEM_COMMIT = 0x1000;
export const MEM_RESERVE = 0x2000;
export const MEM_FREE = 0x10000;
export const MEM_PRIVATE = 0x20000;
export const MEM_MAPPED = 0x40000;
export const MEM_IMAGE = 0x1000000;

/** `1 module`, `8 modules`. */
function counted(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}

/** KUSER_SHARED_DATA is mapped at this address in every user-mode process (x86 and x64). */
const USER_SHARED_DATA = 0x7ffe0000n;

export function stateName(state: number): string {
  return state === MEM_COMMIT ? 'MEM_COMMIT' : state === MEM_RESERVE ? 'MEM_RESERVE' : state === MEM_FREE ? 'MEM_FREE' : state ? `0x${state.toString(16)}` : '';
}

export function typeName(type: number): string {
  return type === MEM_PRIVATE ? 'MEM_PRIVATE' : type === MEM_MAPPED ? 'MEM_MAPPED' : type === MEM_IMAGE ? 'MEM_IMAGE' : type ? `0x${type.toString(16)}` : '';
}

const PROTECT_BASE: Record<number, string> = {
  0x01: 'PAGE_NOACCESS',
  0x02: 'PAGE_READONLY',
  0x04: 'PAGE_READWRITE',
  0x08: 'PAGE_WRITECOPY',
  0x10: 'PAGE_EXECUTE',
  0x20: 'PAGE_EXECUTE_READ',
  0x40: 'PAGE_EXECUTE_READWRITE',
  0x80: 'PAGE_EXECUTE_WRITECOPY',
};
const PROTECT_MODIFIERS: [number, string][] = [
  [0x100, 'PAGE_GUARD'],
  [0x200, 'PAGE_NOCACHE'],
  [0x400, 'PAGE_WRITECOMBINE'],
];

/** `PAGE_READWRITE | PAGE_GUARD`; '' for 0 (reserved and free regions carry no protection). */
export function protectName(protect: number): string {
  if (protect === 0) return '';
  const parts: string[] = [];
  const base = PROTECT_BASE[protect & 0xff];
  if (base) parts.push(base);
  else if (protect & 0xff) parts.push(`0x${(protect & 0xff).toString(16)}`);
  for (const [bit, name] of PROTECT_MODIFIERS) if (protect & bit) parts.push(name);
  return parts.join(' | ');
}

export type Usage = 'Free' | 'Image' | 'Stack' | 'TEB' | 'PEB' | 'Heap' | 'Other' | '<unknown>';

export interface Region {
  info: MinidumpMemoryInfo;
  /** Where this row starts and ends: the MemoryInfoList region, or the part of it a TEB/PEB occupies. */
  base: bigint;
  end: bigint;
  size: bigint;
  usage: Usage;
  /** The bracketed detail WinDbg prints after the usage: `[ntdll; "C:\...\ntdll.dll"]`, `[~0; 1144.364]`. */
  details: string;
  /** For Stack/TEB: the thread's debugger index. */
  thread?: number;
  /** For Image: the module's WinDbg name. */
  module?: string;
}

interface Marks {
  stacks: Map<bigint, number>;
  peb: bigint | undefined;
  heaps: Map<bigint, number>;
  other: Map<bigint, string>;
}

const cache = new WeakMap<Target, Region[]>();

function regionContaining(list: MinidumpMemoryInfo[], addr: bigint): MinidumpMemoryInfo | undefined {
  let lo = 0;
  let hi = list.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    const r = list[mid] as MinidumpMemoryInfo;
    if (addr < r.baseAddress) hi = mid - 1;
    else if (addr >= r.baseAddress + r.regionSize) lo = mid + 1;
    else return r;
  }
  return undefined;
}

/** Heaps, NLS tables, CSR memory, activation contexts and the API set map, from the PEB when the dump holds it. */
function pebMarks(t: Target, peb: bigint | undefined, marks: Marks): void {
  if (peb === undefined) return;
  const lay = t.pointerSize === 8 ? PROCESS64 : PROCESS32;
  const buf = t.readMemory(peb, lay.peb.size);
  const p = lay.ptrSize;
  const ptrAt = (o: number) => (o + p <= buf.length ? (p === 8 ? buf.readBigUInt64LE(o) : BigInt(buf.readUInt32LE(o))) : undefined);
  const other: [number, string][] = [
    [lay.peb.ansiCodePageData, 'NLS Tables'],
    [lay.peb.oemCodePageData, 'NLS Tables'],
    [lay.peb.unicodeCaseTableData, 'NLS Tables'],
    [lay.peb.readOnlySharedMemoryBase, 'CSR Shared Memory'],
    [lay.peb.activationContextData, 'Activation Context Data'],
    [lay.peb.systemDefaultActivationContextData, 'System Default Activation Context Data'],
    [lay.peb.apiSetMap, 'API Set Map'],
  ];
  for (const [off, name] of other) {
    const v = ptrAt(off);
    if (v) marks.other.set(v, name);
  }
  const count = lay.peb.numberOfHeaps + 4 <= buf.length ? buf.readUInt32LE(lay.peb.numberOfHeaps) : 0;
  const array = ptrAt(lay.peb.processHeaps);
  if (array && count > 0 && count < 4096) {
    const hb = t.readMemory(array, count * p);
    for (let i = 0; i * p + p <= hb.length; i++) {
      const h = p === 8 ? hb.readBigUInt64LE(i * p) : BigInt(hb.readUInt32LE(i * p));
      if (h) marks.heaps.set(h, i + 1);
    }
  }
  const heap = ptrAt(lay.peb.processHeap);
  if (heap && !marks.heaps.has(heap)) marks.heaps.set(heap, marks.heaps.size + 1);
}

interface Special {
  start: bigint;
  end: bigint;
  usage: 'TEB' | 'PEB';
  thread?: number;
  details: string;
}

/** Usage of a region (or the part of one) that is neither a TEB nor the PEB. */
function plainRegion(t: Target, info: MinidumpMemoryInfo, base: bigint, end: bigint, marks: Marks): Region {
  const r: Region = { info, base, end, size: end - base, usage: '<unknown>', details: '' };
  const pid = (t.processId ?? 0).toString(16);
  if (info.state === MEM_FREE) {
    r.usage = 'Free';
    return r;
  }
  if (info.type === MEM_IMAGE) {
    r.usage = 'Image';
    const m = t.dump.moduleAt(base) ?? t.dump.moduleAt(info.allocationBase);
    if (m) {
      r.module = t.moduleName(m);
      r.details = `[${r.module}; "${m.moduleName}"]`;
    }
    return r;
  }
  const stack = marks.stacks.get(info.allocationBase);
  if (stack !== undefined) {
    const tid = (t.thread(stack)?.threadId ?? 0).toString(16);
    return Object.assign(r, { usage: 'Stack', thread: stack, details: `[~${stack}; ${pid}.${tid}]` });
  }
  const heap = marks.heaps.get(info.allocationBase);
  if (heap !== undefined) {
    return Object.assign(r, { usage: 'Heap', details: `[ID: ${heap - 1}; Handle: ${hexN(info.allocationBase, t.pointerSize * 2)}; Type: Segment]` });
  }
  if (base === USER_SHARED_DATA) return Object.assign(r, { usage: 'Other', details: '[User Shared Data]' });
  const other = marks.other.get(info.allocationBase) ?? marks.other.get(base);
  if (other) return Object.assign(r, { usage: 'Other', details: `[${other}]` });
  if (info.state === MEM_COMMIT) {
    // WinDbg shows the region's first 16 bytes as characters.
    const b = t.readMemory(base, 16);
    if (b.length === 16) r.details = `[${[...b].map((c) => (c >= 0x20 && c <= 0x7e ? String.fromCharCode(c) : '.')).join('')}]`;
  }
  return r;
}

/** Every region of the MemoryInfoList with its usage; undefined when the dump lacks the stream. */
export function classifyRegions(t: Target): Region[] | undefined {
  if (!t.dump.streamEntry(MEMORY_INFO_LIST_STREAM)) return undefined;
  const hit = cache.get(t);
  if (hit) return hit;
  const list = [...t.dump.memoryInfo()].sort((a, b) => (a.baseAddress < b.baseAddress ? -1 : a.baseAddress > b.baseAddress ? 1 : 0));
  const marks: Marks = { stacks: new Map(), peb: undefined, heaps: new Map(), other: new Map() };
  t.threads().forEach((th, i) => {
    const sp = t.dump.threadContext(th)?.sp;
    const inStack = regionContaining(list, th.stackStart) ?? (sp !== undefined ? regionContaining(list, sp) : undefined);
    if (inStack && !marks.stacks.has(inStack.allocationBase)) marks.stacks.set(inStack.allocationBase, i);
  });
  marks.peb = pebAddress(t);
  pebMarks(t, marks.peb, marks);
  const pid = (t.processId ?? 0).toString(16);
  const tidOf = (i: number) => (t.thread(i)?.threadId ?? 0).toString(16);
  // WinDbg cuts the PEB page and each TEB out of the region that holds them (the PEB and the
  // first TEBs share one allocation, and VirtualQuery merges pages with equal attributes).
  const tebSize = t.pointerSize === 8 ? 0x2000n : 0x1000n;
  const specials: Special[] = [];
  t.threads().forEach((th, i) => {
    if (th.teb !== 0n) specials.push({ start: th.teb, end: th.teb + tebSize, usage: 'TEB', thread: i, details: `[~${i}; ${pid}.${tidOf(i)}]` });
  });
  if (marks.peb !== undefined) {
    const page = marks.peb & ~0xfffn;
    specials.push({ start: page, end: page + 0x1000n, usage: 'PEB', details: `[${pid}]` });
  }
  specials.sort((x, y) => (x.start < y.start ? -1 : x.start > y.start ? 1 : 0));
  const regions: Region[] = [];
  for (const info of list) {
    const end = info.baseAddress + info.regionSize;
    if (info.state === MEM_FREE || info.type === MEM_IMAGE) {
      regions.push(plainRegion(t, info, info.baseAddress, end, marks));
      continue;
    }
    let at = info.baseAddress;
    for (const sp of specials) {
      if (sp.end <= at || sp.start >= end) continue;
      const s0 = sp.start > at ? sp.start : at;
      const e0 = sp.end < end ? sp.end : end;
      if (s0 > at) regions.push(plainRegion(t, info, at, s0, marks));
      const r: Region = { info, base: s0, end: e0, size: e0 - s0, usage: sp.usage, details: sp.details };
      if (sp.thread !== undefined) r.thread = sp.thread;
      regions.push(r);
      at = e0;
    }
    if (at < end) regions.push(plainRegion(t, info, at, end, marks));
  }
  cache.set(t, regions);
  return regions;
}

/** A size or address as the table and summaries print it: x64 `high`low8` with a minimal high part, x86 minimal hex. */
export function shortPtr(v: bigint, ptrSize: number): string {
  if (ptrSize === 4) return hexMin(v);
  const h = v >> 32n;
  return `${hexMin(h)}\`${hexN(v & 0xffffffffn, 8)}`;
}

/** `( 125.974 TB)`-style size: kB below 1 MB, then MB, GB, TB. */
export function humanSize(bytes: bigint): string {
  const units: [bigint, string][] = [
    [1n << 40n, 'TB'],
    [1n << 30n, 'GB'],
    [1n << 20n, 'MB'],
  ];
  for (const [unit, name] of units) {
    if (bytes >= unit) return `(${(Number(bytes) / Number(unit)).toFixed(3).padStart(8)} ${name})`;
  }
  return `(${(Number(bytes) / 1024).toFixed(3).padStart(8)} kB)`;
}

const pct = (part: bigint, whole: bigint) => (whole === 0n ? 0 : (Number(part) * 100) / Number(whole));

/** One region-table row, column widths measured on WinDbg output. */
export function regionRow(r: Region, ptrSize: number, markAllocations = true): string {
  const i = r.info;
  // `+` marks the start of an allocation in the full listing; filtered listings (-f:) show no marks.
  const newAllocation = markAllocations && (i.state === MEM_FREE || r.base === i.allocationBase);
  // x64 columns are 18 wide (`hi`lo` values); x86 ones 9 (plain hex).
  const width = ptrSize === 8 ? 18 : 9;
  const cols = [shortPtr(r.base, ptrSize), shortPtr(r.end, ptrSize), shortPtr(r.size, ptrSize)].map((s) => s.padStart(width)).join('');
  return `${newAllocation ? '+' : ' '}${cols} ${typeName(i.type).padEnd(12)}${stateName(i.state).padEnd(12)}${protectName(i.protect).padEnd(35)}${r.usage.padEnd(11)}${r.details}`;
}

export const TABLE_HEADER = '        BaseAddress      EndAddress+1        RegionSize     Type       State                 Protect             Usage';
export const TABLE_HEADER_X86 = '  BaseAddr EndAddr+1 RgnSize     Type       State                 Protect             Usage';

/** The progress lines dbgeng's `!address` prints before a table or a region block (after a blank line and a line of 37 spaces). */
export const MAPPING_LINES = [
  '',
  ' '.repeat(37),
  'Mapping file section regions...',
  'Mapping module regions...',
  'Mapping PEB regions...',
  'Mapping TEB and stack regions...',
  'Mapping heap regions...',
  'Mapping page heap regions...',
  'Mapping other regions...',
  'Mapping stack trace database regions...',
  'Mapping activation context regions...',
  '',
];

/**
 * The line after a region block: where the debugger would read the address's
 * contents from (1: the dump, 2: a mapped image file, 0: nowhere) and how many
 * bytes remain in the region from the address.
 */
export function contentSourceLine(t: Target, addr: bigint, end: bigint): string {
  const length = hexMin(end > addr ? end - addr : 0n);
  if (t.dump.memory.findRange(addr)) return `Content source: 1 (target), length: ${length}`;
  if (t.readMemory(addr, 1).length === 1) return `Content source: 2 (mapped image), length: ${length}`;
  return `Content source: 0 (invalid), length: ${length}`;
}

interface Group {
  name: string;
  count: number;
  size: bigint;
}

function groupBy(regions: Region[], key: (r: Region) => string | undefined): Group[] {
  const m = new Map<string, Group>();
  for (const r of regions) {
    const k = key(r);
    if (k === undefined) continue;
    const g = m.get(k) ?? { name: k, count: 0, size: 0n };
    g.count++;
    g.size += r.size;
    m.set(k, g);
  }
  return [...m.values()].sort((a, b) => (a.size === b.size ? 0 : a.size > b.size ? -1 : 1));
}

/** The `-summary` sections: usage, type, state, protection, largest region by usage. */
export function summaryLines(regions: Region[], ptrSize: number): { lines: string[]; data: Record<string, unknown> } {
  const total = regions.reduce((s, r) => s + r.size, 0n);
  const busy = regions.filter((r) => r.usage !== 'Free').reduce((s, r) => s + r.size, 0n);
  const row = (g: Group, isFree: boolean) => {
    const busyPct = isFree ? ' '.repeat(8) : `${pct(g.size, busy).toFixed(2).padStart(7)}%`;
    return `${g.name.padEnd(33)}${String(g.count).padStart(10)}${shortPtr(g.size, ptrSize).padStart(18)} ${humanSize(g.size)}${busyPct}${pct(g.size, total).toFixed(2).padStart(8)}%`;
  };
  const usage = groupBy(regions, (r) => r.usage);
  const type = groupBy(regions, (r) => (r.usage === 'Free' ? undefined : typeName(r.info.type) || '<none>'));
  const state = groupBy(regions, (r) => stateName(r.info.state) || '<none>');
  const protect = groupBy(regions, (r) => (r.info.state === MEM_COMMIT ? protectName(r.info.protect) || '<none>' : undefined));
  const lines = [
    '--- Usage Summary ---------------- RgnCount ----------- Total Size -------- %ofBusy %ofTotal',
    ...usage.map((g) => row(g, g.name === 'Free')),
    '',
    '--- Type Summary (for busy) ------ RgnCount ----------- Total Size -------- %ofBusy %ofTotal',
    ...type.map((g) => row(g, false)),
    '',
    '--- State Summary ---------------- RgnCount ----------- Total Size -------- %ofBusy %ofTotal',
    ...state.map((g) => row(g, g.name === 'MEM_FREE')),
    '',
    '--- Protect Summary (for commit) - RgnCount ----------- Total Size -------- %ofBusy %ofTotal',
    ...protect.map((g) => row(g, false)),
    '',
    '--- Largest Region by Usage ----------- Base Address -------- Region Size ----------',
  ];
  const largest: Record<string, unknown>[] = [];
  for (const g of usage) {
    let best: Region | undefined;
    for (const r of regions) if (r.usage === g.name && (!best || r.size > best.size)) best = r;
    if (!best) continue;
    lines.push(`${g.name.padEnd(33)}${shortPtr(best.base, ptrSize).padStart(19)}${shortPtr(best.size, ptrSize).padStart(18)} ${humanSize(best.size)}`);
    largest.push({ usage: g.name, baseAddress: best.base, regionSize: best.size });
  }
  const g2d = (gs: Group[]) => gs.map((g) => ({ name: g.name, regions: g.count, size: g.size }));
  return { lines, data: { total, busy, usage: g2d(usage), type: g2d(type), state: g2d(state), protect: g2d(protect), largest } };
}

/** The `!address ADDR` block. */
export function regionBlock(t: Target, r: Region, addr: bigint): string[] {
  const p = t.pointerSize;
  const i = r.info;
  const label = (s: string) => s.padEnd(24);
  const code = (v: number, name: string) => `${hexN(v, 8)}          ${name}`;
  const lines = [
    `${label('Usage:')}${r.usage}`,
    `${label('Base Address:')}${ptr(r.base, p)}`,
    `${label('End Address:')}${ptr(r.end, p)}`,
    `${label('Region Size:')}${ptr(r.size, p)} ${humanSize(r.size)}`,
    `${label('State:')}${code(i.state, stateName(i.state))}`,
  ];
  if (i.state === MEM_FREE) {
    lines.push(`${label('Protect:')}${code(i.protect || 1, protectName(i.protect || 1))}`);
    lines.push(`${label('Type:')}<info not present at the target>`);
    return lines;
  }
  lines.push(`${label('Protect:')}${i.protect ? code(i.protect, protectName(i.protect)) : '<info not present at the target>'}`);
  lines.push(`${label('Type:')}${code(i.type, typeName(i.type))}`);
  lines.push(`${label('Allocation Base:')}${ptr(i.allocationBase, p)}`);
  lines.push(`${label('Allocation Protect:')}${code(i.allocationProtect, protectName(i.allocationProtect))}`);
  if (r.usage === 'Image') {
    const m = t.dump.moduleAt(addr) ?? t.dump.moduleAt(i.allocationBase);
    if (m) {
      const name = t.moduleName(m);
      lines.push(`${label('Image Path:')}${m.moduleName}`, `${label('Module Name:')}${name}`);
      lines.push(`${label('Loaded Image Name:')}${m.moduleName.split(/[\\/]/).pop() ?? m.moduleName}`, `${label('Mapped Image Name:')}`);
      lines.push(`${label('More info:')}lmv m ${name}`, `${label('More info:')}!lmi ${name}`, `${label('More info:')}ln 0x${hexMin(addr)}`, `${label('More info:')}!dh 0x${hexMin(m.baseOfImage)}`);
    }
  } else if (r.usage === 'Stack' && r.thread !== undefined) {
    lines.push(`${label('More info:')}~${r.thread}k`);
  } else if (r.usage === 'Heap') {
    lines.push(`${label('More info:')}heap owning the address: !heap -s -h 0x${hexMin(i.allocationBase)}`);
    lines.push(`${label('More info:')}heap entry containing the address: !heap -x 0x${hexMin(addr)}`);
  }
  return lines;
}

/** What the module list, thread list and memory list say about an address when there is no MemoryInfoList. */
export function fallbackLines(t: Target, addr: bigint): { lines: string[]; data: Record<string, unknown> } {
  const p = t.pointerSize;
  const lines: string[] = [];
  const data: Record<string, unknown> = { address: addr };
  const m = t.dump.moduleAt(addr);
  if (m) {
    lines.push(`Usage:                  Image (from the module list)`, `Module:                 ${t.moduleName(m)} (${m.moduleName})`, `Image range:            ${ptr(m.baseOfImage, p)} - ${ptr(m.baseOfImage + BigInt(m.sizeOfImage), p)}`);
    data['usage'] = 'Image';
    data['module'] = t.moduleName(m);
  }
  t.threads().forEach((th, i) => {
    const stackEnd = th.stackStart + BigInt(th.stackSize);
    if (th.stackSize > 0 && addr >= th.stackStart && addr < stackEnd) {
      lines.push(`Usage:                  Stack of thread ${i} (id ${th.threadId.toString(16)}): captured ${ptr(th.stackStart, p)} - ${ptr(stackEnd, p)}`);
      data['usage'] = 'Stack';
      data['thread'] = i;
    }
    const teb = readTebAt(t, th.teb);
    const base = teb.stackBase;
    const limit = teb.stackLimit;
    if (data['usage'] === undefined && base !== undefined && limit !== undefined && addr >= limit && addr < base) {
      lines.push(`Usage:                  Stack of thread ${i} (id ${th.threadId.toString(16)}), from its TEB: ${ptr(limit, p)} - ${ptr(base, p)}`);
      data['usage'] = 'Stack';
      data['thread'] = i;
    }
    if (th.teb !== 0n && addr >= th.teb && addr < th.teb + 0x1000n * (p === 8 ? 2n : 1n)) {
      lines.push(`Usage:                  TEB of thread ${i} (id ${th.threadId.toString(16)}) at ${ptr(th.teb, p)}`);
      data['usage'] = 'TEB';
      data['thread'] = i;
    }
  });
  const range = t.dump.memory.findRange(addr);
  if (range) {
    lines.push(`Captured memory:        ${ptr(range.start, p)} - ${ptr(range.start + BigInt(range.size), p)} (0x${range.size.toString(16)} bytes in the dump)`);
    data['captured'] = { start: range.start, size: range.size };
  } else {
    lines.push('Captured memory:        none: the dump holds no bytes at this address');
    data['captured'] = null;
  }
  return { lines, data };
}

/** `!address -f:` filter words: usage names, or MEM_ and PAGE_ names (see the !address documentation). */
const USAGE_FILTERS: Record<string, Usage> = { free: 'Free', image: 'Image', stack: 'Stack', teb: 'TEB', peb: 'PEB', heap: 'Heap', other: 'Other', var: '<unknown>' };

/**
 * A region predicate for `-f:F1,F2`: filters of one kind (usage, type, state,
 * protection) are alternatives; filters of different kinds must all match.
 */
export function parseRegionFilter(spec: string): (r: Region) => boolean {
  const usage = new Set<Usage>();
  const kinds = new Set<string>();
  const states = new Set<string>();
  const protects = new Set<string>();
  for (const word of spec.split(',').map((w) => w.trim()).filter(Boolean)) {
    const u = USAGE_FILTERS[word.toLowerCase()];
    const upper = word.toUpperCase();
    if (u) usage.add(u);
    else if (upper === 'MEM_IMAGE' || upper === 'MEM_MAPPED' || upper === 'MEM_PRIVATE') kinds.add(upper);
    else if (upper === 'MEM_COMMIT' || upper === 'MEM_RESERVE' || upper === 'MEM_FREE') states.add(upper);
    else if (upper.startsWith('PAGE_')) protects.add(upper);
    else throw new CommandError(`Unknown !address filter '${word}': use Free, Image, Stack, TEB, PEB, Heap, Other, VAR, MEM_* or PAGE_* names`);
  }
  return (r) =>
    (usage.size === 0 || usage.has(r.usage)) &&
    (kinds.size === 0 || kinds.has(typeName(r.info.type))) &&
    (states.size === 0 || states.has(stateName(r.info.state))) &&
    (protects.size === 0 || protectName(r.info.protect).split(' | ').some((n) => protects.has(n)));
}

/** The sentence for a dump without MemoryInfoList. */
export function missingMemoryInfoSentence(): string {
  return `!address needs the MemoryInfoList stream (${MEMORY_INFO_LIST_STREAM}), which this dump does not have (it was written without MiniDumpWithFullMemoryInfo).`;
}

export function runAddress(t: Target, args: string, raw: string): CommandResult {
  const p = t.pointerSize;
  const arg = args.trim();
  const regions = classifyRegions(t);
  const summaryOnly = /^-summary\b/i.test(arg);
  if (/^-(\?|help)$/i.test(arg)) {
    return ok(['!address [Address]', '!address -summary', '  Address   show the region containing Address', '  -summary  usage, type, state and protection summaries only', 'Without arguments: every region, then the summaries.']);
  }
  const filterArg = /^[-/]f:(\S+)$/i.exec(arg);
  if (arg.startsWith('-') && !summaryOnly && !filterArg) throw new CommandError(`Unsupported !address option '${arg.split(/\s+/)[0]}': use !address, !address ADDR, !address -summary or !address -f:FILTER[,FILTER]`);
  if (filterArg && regions) {
    const filter = parseRegionFilter(filterArg[1] as string);
    const header = p === 8 ? TABLE_HEADER : TABLE_HEADER_X86;
    const selected = regions.filter(filter);
    const lines = [...MAPPING_LINES, header, '-'.repeat(header.length + 4), ...selected.map((r) => regionRow(r, p, false))];
    return ok(lines, { type: 'address', filter: filterArg[1], regions: selected.map(regionData) });
  }
  if (!regions) {
    if (!arg || summaryOnly) {
      const mem = t.dump.memory;
      const lines = [
        `Without it, the dump still shows: ${counted(t.modules().length, 'module')}, ${counted(t.threads().length, 'thread stack')}, and ${counted(mem.ranges.length, 'captured memory range')} (0x${mem.totalSize.toString(16)} bytes).`,
        'Use !address ADDR to see what the module, thread and memory lists say about one address.',
      ];
      return { blocks: [{ kind: 'error', lines: [missingMemoryInfoSentence()] }, { kind: 'text', lines }], failed: true, data: { type: 'address', available: false } };
    }
    const addr = evalArg(t, arg, raw);
    const fb = fallbackLines(t, addr);
    return { blocks: [{ kind: 'warning', lines: [missingMemoryInfoSentence()] }, { kind: 'text', lines: fb.lines }], data: { type: 'address', available: false, ...fb.data } };
  }
  if (!arg || summaryOnly) {
    const s = summaryLines(regions, p);
    const lines: string[] = summaryOnly ? [''] : [...MAPPING_LINES];
    if (!summaryOnly) {
      const header = p === 8 ? TABLE_HEADER : TABLE_HEADER_X86;
      lines.push(header, '-'.repeat(header.length + 4), ...regions.map((r) => regionRow(r, p)), '');
    }
    lines.push(...s.lines);
    const data: Record<string, unknown> = { type: 'address', summary: s.data };
    if (!summaryOnly) data['regions'] = regions.map(regionData);
    return ok(lines, { type: 'address', ...data });
  }
  const addr = evalArg(t, arg, raw);
  const r = regions.find((x) => addr >= x.base && addr < x.end);
  if (!r) return fail([`No region of the MemoryInfoList stream (${regions.length} regions) contains ${ptr(addr, p)}.`], { type: 'address', address: addr, region: null });
  const lines = [...MAPPING_LINES, ...regionBlock(t, r, addr), '', '', contentSourceLine(t, addr, r.end)];
  return ok(lines, { type: 'address', address: addr, region: regionData(r) });
}

function regionData(r: Region): Record<string, unknown> {
  return {
    baseAddress: r.base,
    end: r.end,
    regionSize: r.size,
    allocationBase: r.info.allocationBase,
    allocationProtect: r.info.allocationProtect,
    state: stateName(r.info.state),
    protect: protectName(r.info.protect),
    memoryType: typeName(r.info.type),
    usage: r.usage,
    details: r.details,
  };
}

export const addressCommand: CommandSpec = {
  name: '!address',
  group: 'extension',
  syntax: '!address [Address | -summary | -f:Filter[,Filter...]]',
  summary: 'Memory regions (from MemoryInfoList): usage, state, protection; one address; or the usage summary',
  help: 'Usage: Image, Stack, TEB, PEB, Heap, Other (shared user data, NLS tables, ...), <unknown>, Free.\nNeeds the MemoryInfoList stream (procdump -ma, .dump /ma, WER full dumps). Without it, !address ADDR\nreports what the module, thread and memory lists show.',
  examples: ['!address', '!address -summary', '!address @rsp', '!address -f:PAGE_EXECUTE_READWRITE', '!address -f:Stack'],
  run(ctx, inv) {
    return runAddress(requireTarget(ctx), inv.args, inv.raw);
  },
};
