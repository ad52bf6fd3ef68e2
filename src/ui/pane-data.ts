/**
 * Pane models: the structured `result.data` of the refresh commands (`~`, `kn`,
 * `.exr -1`, `lm`, `r`, `d*`) turned into the rows the panes show. Pure
 * functions over JSON-able data; no session access.
 */
import type { CommandResult } from '../results/types.js';
import { escapeControl, renderLines } from '../results/render-text.js';

export type ListPaneId = 'threads' | 'stack' | 'exception' | 'modules' | 'registers' | 'memory';
export type PaneId = 'command' | ListPaneId;

export interface ThreadItem {
  index: number;
  threadId: number;
  suspendCount: number;
  name: string | undefined;
  current: boolean;
  event: boolean;
  hasContext: boolean;
  pc: bigint | undefined;
}

export interface FrameItem {
  index: number;
  childSp: bigint | undefined;
  returnAddress: bigint | undefined;
  instructionPointer: bigint | undefined;
  callSite: string;
  trust: string;
  source: string | undefined;
}

export interface ModuleItem {
  name: string;
  start: bigint;
  end: bigint;
  imagePath: string;
  symbolStatus: string;
  symbolFile: string | undefined;
}

/** A pane's rows, or the error lines of the command that should have produced them. */
export interface PaneContent<T> {
  items: T[];
  error?: string[];
  /** The command that filled the pane (shown in the title). */
  command?: string;
  /** Extra pane-specific facts: Stack's thread index, Memory's address. */
  meta?: Record<string, unknown>;
}

export interface PaneContents {
  threads: PaneContent<ThreadItem>;
  stack: PaneContent<FrameItem>;
  exception: PaneContent<string>;
  modules: PaneContent<ModuleItem>;
  registers: PaneContent<string>;
  memory: PaneContent<string>;
}

export function emptyContents(): PaneContents {
  return { threads: { items: [] }, stack: { items: [] }, exception: { items: [] }, modules: { items: [] }, registers: { items: [] }, memory: { items: [] } };
}

function big(v: unknown): bigint | undefined {
  if (typeof v === 'bigint') return v;
  if (typeof v === 'number' && Number.isFinite(v)) return BigInt(Math.trunc(v));
  if (typeof v === 'string' && /^(0x)?[0-9a-f]+$/i.test(v)) return BigInt(v.startsWith('0x') || v.startsWith('0X') ? v : '0x' + v);
  return undefined;
}

function num(v: unknown, dflt = 0): number {
  return typeof v === 'number' ? v : typeof v === 'bigint' ? Number(v) : dflt;
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' ? v : undefined;
}

function records(v: unknown): Record<string, unknown>[] {
  return Array.isArray(v) ? v.filter((x): x is Record<string, unknown> => !!x && typeof x === 'object') : [];
}

function errorLines(r: CommandResult): string[] {
  const lines = r.blocks.filter((b) => b.kind === 'error').flatMap((b) => b.lines.map(escapeControl));
  return lines.length ? lines : renderLines(r);
}

/** Hex with a WinDbg-style backtick for 64-bit values. */
export function hexAddr(v: bigint | undefined, width = 16): string {
  if (v === undefined) return '?'.repeat(width === 16 ? 17 : width);
  const h = v.toString(16).padStart(width, '0');
  return width === 16 ? `${h.slice(0, 8)}\`${h.slice(8)}` : h;
}

export function threadsFrom(r: CommandResult, command = '~'): PaneContent<ThreadItem> {
  const d = r.data;
  if (!d || d.type !== 'threads') return { items: [], error: errorLines(r), command };
  const items = records(d['threads']).map((t) => ({
    index: num(t['index']),
    threadId: num(t['threadId']),
    suspendCount: num(t['suspendCount']),
    name: str(t['name']),
    current: t['current'] === true,
    event: t['event'] === true,
    hasContext: t['hasContext'] !== false,
    pc: big(t['pc']),
  }));
  return { items, command };
}

export function stackFrom(r: CommandResult, command = 'kn'): PaneContent<FrameItem> {
  const d = r.data;
  if (!d || d.type !== 'stack') return { items: [], error: errorLines(r), command };
  const items = records(d['frames']).map((f, i) => ({
    index: num(f['index'], i),
    childSp: big(f['childSp']),
    returnAddress: big(f['returnAddress']),
    instructionPointer: big(f['instructionPointer']),
    callSite: str(f['callSite']) ?? hexAddr(big(f['instructionPointer'])),
    trust: str(f['trust']) ?? '',
    source: sourceText(f['source']),
  }));
  const meta: Record<string, unknown> = {};
  if (d['threadIndex'] !== undefined) meta['threadIndex'] = d['threadIndex'];
  if (d['frameIndex'] !== undefined) meta['frameIndex'] = d['frameIndex'];
  if (d['scope'] !== undefined) meta['scope'] = d['scope'];
  return { items, command, meta };
}

function sourceText(v: unknown): string | undefined {
  if (typeof v === 'string') return v;
  if (v && typeof v === 'object') {
    const o = v as Record<string, unknown>;
    const file = str(o['file']) ?? str(o['fileName']) ?? str(o['path']);
    const line = o['line'] ?? o['lineNumber'];
    if (file) return line !== undefined ? `${file}:${String(line)}` : file;
  }
  return undefined;
}

export function modulesFrom(r: CommandResult, command = 'lm'): PaneContent<ModuleItem> {
  const d = r.data;
  if (!d || d.type !== 'modules') return { items: [], error: errorLines(r), command };
  const items = records(d['modules']).map((m) => ({
    name: str(m['name']) ?? '?',
    start: big(m['start']) ?? 0n,
    end: big(m['end']) ?? 0n,
    imagePath: str(m['imagePath']) ?? '',
    symbolStatus: str(m['symbolStatus']) ?? '',
    symbolFile: str(m['symbolFile']),
  }));
  return { items, command };
}

/** Plain lines of the first `ExceptionAddress:`-style text, keyed by the label before the colon. */
function labelled(lines: string[]): Map<string, string> {
  const m = new Map<string, string>();
  for (const l of lines) {
    const x = /^\s*([A-Za-z][A-Za-z[\]0-9 ]*?):\s(.*)$/.exec(l);
    if (x && !m.has(x[1]!)) m.set(x[1]!, x[2]!.trim());
  }
  return m;
}

/**
 * Exception pane lines: code with its name, address (with the symbol text `.exr`
 * printed), parameters, the lines `.exr` decodes them into, and the faulting thread.
 */
export function exceptionFrom(r: CommandResult, threads: readonly ThreadItem[], command = '.exr -1'): PaneContent<string> {
  const d = r.data;
  if (!d || d.type !== 'exceptionRecord') return { items: [], error: errorLines(r), command };
  if (d['present'] === false) return { items: ['No exception stored', '(a hang or on-demand dump)'], command };
  const text = renderLines(r);
  const byLabel = labelled(text);
  const code = num(d['exceptionCode']);
  const name = str(d['exceptionName']);
  const items: string[] = [];
  items.push(`Code     ${(code >>> 0).toString(16).padStart(8, '0')}${name ? ` (${escapeControl(name)})` : ''}`);
  const addrText = byLabel.get('ExceptionAddress') ?? hexAddr(big(d['exceptionAddress']));
  items.push(`Address  ${addrText}`);
  const flags = num(d['exceptionFlags']);
  if (flags) items.push(`Flags    ${flags.toString(16).padStart(8, '0')}${flags & 1 ? ' (noncontinuable)' : ''}`);
  const ev = threads.find((t) => t.event);
  if (ev) items.push(`Thread   ${ev.index} (TID ${ev.threadId.toString(16)})${ev.name ? ` "${escapeControl(ev.name)}"` : ''}`);
  // The lines `.exr` adds after the parameters decode them ("Attempt to read from address 10"):
  // shown before the raw parameters, so a short pane still shows them.
  const known = /^\s*(ExceptionAddress|ExceptionCode|ExceptionFlags|NumberParameters|Parameter\[\d+\]):/;
  for (const l of text) if (l.trim() && !known.test(l)) items.push(l.trim());
  const params = Array.isArray(d['parameters']) ? (d['parameters'] as unknown[]).map(big) : [];
  params.forEach((p, i) => items.push(`Param[${i}] ${p === undefined ? '?' : p.toString(16)}`));
  return { items, command };
}

/** Registers pane lines: `rax=...` pairs as `r` prints them, one register per line. */
export function registersFrom(r: CommandResult, command = 'r'): PaneContent<string> {
  const d = r.data;
  if (!d || d.type !== 'registers') return { items: [], error: errorLines(r), command };
  const regs = d['registers'];
  if (regs && typeof regs === 'object' && !Array.isArray(regs)) {
    const entries = Object.entries(regs as Record<string, unknown>).filter(([, v]) => big(v) !== undefined);
    if (entries.length) {
      const w = Math.max(...entries.map(([k]) => k.length));
      return { items: entries.map(([k, v]) => `${k.padStart(w)} ${big(v)!.toString(16).padStart(16, '0')}`), command };
    }
  }
  return { items: renderLines(r), command };
}

/** Memory pane lines: the display command's own text. */
export function memoryFrom(r: CommandResult, command: string): PaneContent<string> {
  if (r.failed) return { items: [], error: errorLines(r), command };
  return { items: renderLines(r), command };
}

/** `module+0xoffset` for an address inside a listed module (kn's form without symbols), else hex. */
export function moduleOffset(pc: bigint, modules: readonly ModuleItem[]): string {
  const m = modules.find((x) => pc >= x.start && pc < x.end);
  return m ? `${escapeControl(m.name)}+0x${(pc - m.start).toString(16)}` : hexAddr(pc);
}

/**
 * One Threads row: index, TID, top frame (the Stack pane's frame 0 for the
 * thread it shows, else the pc as module+offset), suspend count, name; `.`
 * marks the current thread, `#` the event thread.
 */
export function threadRowText(t: ThreadItem, width: number, modules: readonly ModuleItem[] = [], topFrame?: string): string {
  const mark = t.current ? '.' : t.event ? '#' : ' ';
  const state = !t.hasContext ? 'no context' : topFrame !== undefined ? escapeControl(topFrame) : t.pc !== undefined ? moduleOffset(t.pc, modules) : '';
  const susp = t.suspendCount ? ` (suspended ${t.suspendCount})` : '';
  const name = t.name !== undefined ? ` "${escapeControl(t.name)}"` : '';
  const head = `${mark}${String(t.index).padStart(3)} ${t.threadId.toString(16).padStart(5)}`;
  const line = `${head} ${state}${susp}${name}`;
  return fit(line, width);
}

/** Trust markers (unwind-symbols.md): how much a frame can be believed. */
export const TRUST_MARKS: Record<string, string> = {
  context: ' ',
  cfi: ' ',
  'unwind-info': ' ',
  pdata: ' ',
  'frame-pointer': '~',
  scan: '?',
  inline: 'i',
};

export function frameRowText(f: FrameItem, width: number): string {
  const mark = TRUST_MARKS[f.trust] ?? (f.trust ? '?' : ' ');
  const idx = f.index.toString(16).padStart(2, '0');
  const src = f.source ? `  [${escapeControl(f.source)}]` : '';
  const trust = f.trust && width >= 60 ? `  (${f.trust})` : '';
  return fit(`${mark}${idx} ${escapeControl(f.callSite)}${src}${trust}`, width);
}

export function moduleRowText(m: ModuleItem, width: number): string {
  const range = width >= 70 ? `${hexAddr(m.start)} ${hexAddr(m.end)} ` : `${hexAddr(m.start)} `;
  const sym = m.symbolStatus ? ` (${escapeControl(m.symbolStatus)})` : '';
  return fit(`${range}${escapeControl(m.name)}${sym}`, width);
}

/** Cuts or pads a line to exactly `width` columns (code points; control chars already escaped). */
export function fit(s: string, width: number): string {
  if (width <= 0) return '';
  const cps = [...s];
  if (cps.length > width) return width > 1 ? cps.slice(0, width - 1).join('') + '…' : cps.slice(0, width).join('');
  return s + ' '.repeat(width - cps.length);
}
