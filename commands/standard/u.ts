import { canDisassemble, createDisassembler, formatInstructionLine, MAX_INSTRUCTION_LENGTH } from '../../src/analysis/disasm/index.js';
import type { Disassembler, Instruction } from '../../src/analysis/disasm/index.js';
import type { CommandContext, CommandSpec, Invocation } from '../../src/interpreter/command.js';
import { CommandError, requireTarget } from '../../src/interpreter/command.js';
import { formatCommandError } from '../../src/interpreter/errors.js';
import type { Target } from '../../src/session/target.js';
import { formatSymbolic } from '../../src/session/symbolize.js';
import type { ResolvedAddress } from '../../src/session/symbolize.js';
import { ptr } from '../../src/results/hex.js';
import type { Block, CommandResult } from '../../src/results/types.js';
import { evalPrefix } from '../common/expr.js';
import { ensureSymbolsForText } from '../common/symbol-args.js';
import { noContextError } from './r.js';

/**
 * Where a bare `u` continues: after the last instruction the previous `u`
 * showed, per target, as long as the register context is the same one
 * (a thread switch, .ecxr, .cxr or .frame /c restarts at the new instruction pointer).
 */
const nextAddress = new WeakMap<Target, { address: bigint; context: string }>();

function contextKey(t: Target): string {
  return `${t.currentThread}:${t.scope.kind}:${t.scope.kind === 'cxr' ? t.scope.address : ''}:${t.frameContext?.pc ?? ''}`;
}

function continuation(t: Target): bigint | undefined {
  const n = nextAddress.get(t);
  return n && n.context === contextKey(t) ? n.address : undefined;
}

/** Default instruction count of `u` and `ub` (windbg-commands.md §7.1). */
export const DEFAULT_U_COUNT = 8;
/** Longest range or count `u` accepts before WinDbg's Range error. */
const MAX_U_BYTES = 0x100000n;
/** Flow analysis bound for `uf` (instructions). */
const MAX_UF_INSTRUCTIONS = 20000;

function disassemblerFor(t: Target): Disassembler {
  const d = createDisassembler(t.dump.arch, (a) => formatSymbolic(t.symbolize(a)), (a) => ptr(a, t.pointerSize));
  if (!d) throw new CommandError(`Disassembly is not supported for this architecture (${t.dump.arch})`);
  return d;
}

function requireX86(t: Target): void {
  if (!canDisassemble(t.dump.arch)) throw new CommandError(`Disassembly is not supported for this architecture (${t.dump.arch})`);
}

/** Decodes the instruction at `addr` from target memory; undefined when no byte there is readable. */
export function decodeAt(t: Target, d: Disassembler, addr: bigint): Instruction | undefined {
  return d.decode(t.readMemory(addr, MAX_INSTRUCTION_LENGTH), addr);
}

/** Identity of "the symbol an address is in", for label lines: a new label when it changes. */
function labelKey(r: ResolvedAddress): string {
  if (!r.moduleName) return '';
  return r.symbol ? `${r.moduleName}!${r.symbol.name}@${r.symbol.rva}` : r.moduleName;
}

export interface DisasmRow {
  address: bigint;
  bytes: string;
  mnemonic: string;
  operands: string;
  label?: string;
  target?: bigint;
  invalid: boolean;
}

/**
 * Renders instructions with WinDbg's label lines (`mod!sym+0x12:`): at the
 * first instruction, whenever the containing symbol changes, and at every
 * address in `blockStarts` (uf).
 */
export function renderInstructions(t: Target, insns: Instruction[], blockStarts?: Set<bigint>): { lines: string[]; rows: DisasmRow[] } {
  // uf's layout: a blank line before every block after the first, conditional jumps marked `  Branch`.
  const uf = blockStarts !== undefined;
  const p = t.pointerSize;
  const lines: string[] = [];
  const rows: DisasmRow[] = [];
  let lastKey: string | undefined;
  for (const ins of insns) {
    const r = t.symbolize(ins.address);
    const key = labelKey(r);
    const row: DisasmRow = { address: ins.address, bytes: ins.bytes.toString('hex'), mnemonic: ins.mnemonic, operands: ins.operands, invalid: ins.invalid };
    if (lastKey === undefined || key !== lastKey || blockStarts?.has(ins.address)) {
      const label = formatSymbolic(r);
      if (uf && lastKey !== undefined) lines.push('');
      if (label) {
        lines.push(`${label}:`);
        row.label = label;
      }
    }
    lastKey = key;
    if (ins.target !== undefined) row.target = ins.target;
    const text = formatInstructionLine(ins, ptr(ins.address, p));
    lines.push(uf && ins.isConditional ? `${text}  Branch` : text);
    rows.push(row);
  }
  return { lines, rows };
}

/** The `??              ???` line and the caret `Memory access error` line (§0.6). */
function memoryErrorResult(t: Target, lines: string[], at: bigint, inv: Invocation, data: Record<string, unknown>): CommandResult {
  const blocks: Block[] = [];
  blocks.push({ kind: 'text', lines: [...lines, `${ptr(at, t.pointerSize)} ${'??'.padEnd(15)} ???`] });
  blocks.push({ kind: 'error', lines: formatCommandError('Memory access', inv.raw, inv.raw.length) });
  return { blocks, failed: true, data: { type: 'disassembly', ...data, memoryError: at } };
}

interface URange {
  start: bigint;
  /** Instruction count (L), or undefined when `end` bounds the range. */
  count: number | undefined;
  /** Inclusive end address of `u a b`. */
  end: bigint | undefined;
}

/** Parses `[Address] [L Count | EndAddress]`; `defaultStart` when no address is given. */
async function parseRange(t: Target, inv: Invocation, defaultStart: () => bigint): Promise<URange> {
  const text = inv.args.trim();
  if (text === '') return { start: defaultStart(), count: undefined, end: undefined };
  await ensureSymbolsForText(t, text);
  let start: bigint;
  let rest: string;
  if (/^[lL]\??\s*\S/.test(text) && !/^[lL]\w*!/.test(text)) {
    // `u L10`: count only, from the default start.
    start = defaultStart();
    rest = text;
  } else {
    const first = evalPrefix(t, text, inv.raw);
    start = first.value;
    rest = first.rest;
  }
  if (rest === '') return { start, count: undefined, end: undefined };
  const l = /^[lL](\?)?\s*/.exec(rest);
  if (l) {
    const n = evalPrefix(t, rest.slice(l[0].length), inv.raw);
    if (n.rest !== '') throw new CommandError(formatCommandError('Extra character', inv.raw, inv.raw.lastIndexOf(n.rest)));
    const c = n.value === 0n ? 1n : n.value;
    if (!l[1] && c > MAX_U_BYTES) throw new CommandError(formatCommandError('Range', inv.raw, inv.raw.length));
    return { start, count: Number(c > MAX_U_BYTES ? MAX_U_BYTES : c), end: undefined };
  }
  const e = evalPrefix(t, rest, inv.raw);
  if (e.rest !== '') throw new CommandError(formatCommandError('Extra character', inv.raw, inv.raw.lastIndexOf(e.rest)));
  if (e.value < start || e.value - start > MAX_U_BYTES) throw new CommandError(formatCommandError('Range', inv.raw, inv.raw.length));
  return { start, count: undefined, end: e.value };
}

function scopePc(t: Target): bigint {
  const c = t.scopeContext();
  if (!c) throw noContextError(t);
  return c.pc;
}

/** Forward disassembly: `count` instructions, or every instruction starting at or before `end`. */
function forward(t: Target, d: Disassembler, start: bigint, count: number | undefined, end: bigint | undefined, signal?: AbortSignal): { insns: Instruction[]; errorAt?: bigint } {
  const insns: Instruction[] = [];
  let a = start;
  const limit = count ?? Number.MAX_SAFE_INTEGER;
  while (insns.length < limit && (end === undefined || a <= end) && !signal?.aborted) {
    const ins = decodeAt(t, d, a);
    if (!ins || ins.truncated) return { insns, errorAt: a };
    insns.push(ins);
    a += BigInt(ins.length);
  }
  return { insns };
}

async function runU(ctx: CommandContext, inv: Invocation): Promise<CommandResult> {
  const t = requireTarget(ctx);
  requireX86(t);
  const r = await parseRange(t, inv, () => continuation(t) ?? scopePc(t));
  await t.ensureForAddresses([r.start]);
  const d = disassemblerFor(t);
  try {
    const { insns, errorAt } = forward(t, d, r.start, r.count ?? (r.end === undefined ? DEFAULT_U_COUNT : undefined), r.end, ctx.signal);
    const last = insns[insns.length - 1];
    nextAddress.set(t, { address: last ? last.address + BigInt(last.length) : r.start, context: contextKey(t) });
    const { lines, rows } = renderInstructions(t, insns);
    if (errorAt !== undefined) return memoryErrorResult(t, lines, errorAt, inv, { start: r.start, instructions: rows });
    return { blocks: [{ kind: 'text', lines }], data: { type: 'disassembly', start: r.start, instructions: rows } };
  } finally {
    d.free();
  }
}

/** The function containing `addr`: symbol with size, else the .pdata RUNTIME_FUNCTION, else symbol start only. */
export function functionBounds(t: Target, addr: bigint): { start: bigint; end: bigint | undefined; source: 'symbol' | 'pdata' | 'symbol-start' } | undefined {
  const r = t.symbolize(addr);
  const m = r.module;
  if (!m) return undefined;
  const base = m.baseOfImage;
  if (r.symbol?.size && addr < base + BigInt(r.symbol.rva + r.symbol.size)) {
    return { start: base + BigInt(r.symbol.rva), end: base + BigInt(r.symbol.rva + r.symbol.size), source: 'symbol' };
  }
  const img = t.loadReport(m)?.image?.image;
  const rf = img?.findRuntimeFunction(Number(addr - base));
  if (rf && rf.kind === 'x64') return { start: base + BigInt(rf.beginAddress), end: base + BigInt(rf.endAddress), source: 'pdata' };
  if (r.symbol) return { start: base + BigInt(r.symbol.rva), end: undefined, source: 'symbol-start' };
  return undefined;
}

/**
 * The `count` instructions that end exactly at `end` (ub). x86 code cannot
 * be decoded backwards, so: decode forward from the containing function's
 * start when it is known; otherwise decode from every start offset in the
 * window before `end`, keep the decodings that land exactly on `end`, and
 * take the most common tail (instruction streams resynchronise quickly).
 */
export function decodeBackward(t: Target, d: Disassembler, end: bigint, count: number): Instruction[] {
  if (count <= 0) return [];
  const fn = functionBounds(t, end - 1n);
  if (fn && fn.start < end && end - fn.start <= 0x10000n) {
    const { insns } = forward(t, d, fn.start, undefined, end - 1n);
    const last = insns[insns.length - 1];
    if (last && last.address + BigInt(last.length) === end && !insns.some((i) => i.invalid)) {
      if (insns.length >= count) return insns.slice(-count);
      return [...decodeBackwardHeuristic(t, d, fn.start, count - insns.length), ...insns];
    }
  }
  return decodeBackwardHeuristic(t, d, end, count);
}

/** Readable bytes just before `end`: up to `want`, starting at a page boundary when the window start is unreadable. */
function readWindowBefore(t: Target, end: bigint, want: number): { start: bigint; bytes: Buffer } {
  let start = end - BigInt(want);
  while (start < end) {
    const len = Number(end - start);
    const bytes = t.readMemory(start, len);
    if (bytes.length === len) return { start, bytes };
    start = (start | 0xfffn) + 1n;
  }
  return { start: end, bytes: Buffer.alloc(0) };
}

export function decodeBackwardHeuristic(t: Target, d: Disassembler, end: bigint, count: number): Instruction[] {
  const want = Math.min(0x800, count * MAX_INSTRUCTION_LENGTH + 0x40);
  const { start, bytes } = readWindowBefore(t, end, want);
  const n = bytes.length;
  if (n === 0) return [];
  // Decode once at every offset; a start offset's chain then costs nothing.
  const at: (Instruction | undefined)[] = [];
  for (let o = 0; o < n; o++) {
    const ins = d.decode(bytes.subarray(o), start + BigInt(o));
    at.push(ins && !ins.invalid && o + ins.length <= n ? ins : undefined);
  }
  const votes = new Map<string, { n: number; chain: Instruction[] }>();
  let best: { n: number; chain: Instruction[] } | undefined;
  const landed: Instruction[][] = [];
  for (let s = 0; s < n; s++) {
    const chain: Instruction[] = [];
    let o = s;
    while (o < n) {
      const ins = at[o];
      if (!ins) break;
      chain.push(ins);
      o += ins.length;
    }
    if (o !== n || chain.length === 0) continue;
    landed.push(chain);
    const tail = chain.slice(-count);
    const key = tail.map((i) => i.address.toString(16)).join(',');
    const v = votes.get(key) ?? { n: 0, chain: tail };
    v.n += tail.length === count ? 1 : 0;
    votes.set(key, v);
    if (!best || v.n > best.n || (v.n === best.n && tail.length > best.chain.length)) best = v;
  }
  return best?.chain ?? [];
}

async function runUb(ctx: CommandContext, inv: Invocation): Promise<CommandResult> {
  const t = requireTarget(ctx);
  requireX86(t);
  const r = await parseRange(t, inv, () => scopePc(t));
  const end = r.start;
  await t.ensureForAddresses([end - 1n]);
  const count = r.count ?? (r.end !== undefined ? Number(r.end - r.start) : DEFAULT_U_COUNT);
  const d = disassemblerFor(t);
  try {
    const insns = decodeBackward(t, d, end, count);
    if (insns.length === 0) return memoryErrorResult(t, [], end - 1n, inv, { end });
    const { lines, rows } = renderInstructions(t, insns);
    return { blocks: [{ kind: 'text', lines }], data: { type: 'disassembly', end, instructions: rows } };
  } finally {
    d.free();
  }
}

export interface FunctionFlow {
  start: bigint;
  instructions: Instruction[];
  blockStarts: Set<bigint>;
  /** Addresses flow analysis could not read. */
  unreadable: bigint[];
}

/**
 * Flow analysis from a function's entry (uf): follows jumps (not calls)
 * that stay inside the function, collecting every reachable instruction.
 */
export function functionFlow(t: Target, d: Disassembler, start: bigint, end: bigint | undefined): FunctionFlow {
  const startSym = t.symbolize(start);
  const inside = (a: bigint): boolean => {
    if (end !== undefined) {
      if (a >= start && a < end) return true;
      // Blocks moved out of line (cold code) keep the function's symbol.
      const r = t.symbolize(a);
      return !!startSym.symbol && !!r.symbol && r.module === startSym.module && r.symbol.rva === startSym.symbol.rva;
    }
    const r = t.symbolize(a);
    if (startSym.symbol) return !!r.symbol && r.module === startSym.module && r.symbol.rva === startSym.symbol.rva;
    return a >= start && a < start + 0x10000n;
  };
  const seen = new Map<bigint, Instruction>();
  const blockStarts = new Set<bigint>([start]);
  const unreadable: bigint[] = [];
  const work: bigint[] = [start];
  while (work.length && seen.size < MAX_UF_INSTRUCTIONS) {
    let a = work.pop()!;
    while (!seen.has(a) && seen.size < MAX_UF_INSTRUCTIONS) {
      const ins = decodeAt(t, d, a);
      if (!ins || ins.truncated) {
        unreadable.push(a);
        break;
      }
      seen.set(a, ins);
      if (ins.invalid) break;
      const next = a + BigInt(ins.length);
      if (ins.isBranch && ins.target !== undefined && inside(ins.target)) {
        blockStarts.add(ins.target);
        work.push(ins.target);
      }
      if (ins.endsFlow) break;
      if (ins.isConditional) blockStarts.add(next);
      if (!inside(next)) break;
      a = next;
    }
  }
  const instructions = [...seen.values()].sort((x, y) => (x.address < y.address ? -1 : x.address > y.address ? 1 : 0));
  // A block also starts wherever reached code is not contiguous with the previous instruction.
  for (let i = 1; i < instructions.length; i++) {
    const prev = instructions[i - 1]!;
    if (prev.address + BigInt(prev.length) !== instructions[i]!.address) blockStarts.add(instructions[i]!.address);
  }
  return { start, instructions, blockStarts, unreadable };
}

async function runUf(ctx: CommandContext, inv: Invocation): Promise<CommandResult> {
  const t = requireTarget(ctx);
  requireX86(t);
  let text = inv.args.trim();
  const opts = new Set<string>();
  for (let m = /^\/(\w)\s*/.exec(text); m; m = /^\/(\w)\s*/.exec(text)) {
    opts.add(m[1]!.toLowerCase());
    text = text.slice(m[0].length);
  }
  if (text === '') throw new CommandError(`No function address given: uf Address`);
  await ensureSymbolsForText(t, text);
  const a = evalPrefix(t, text, inv.raw);
  if (a.rest !== '') throw new CommandError(formatCommandError('Extra character', inv.raw, inv.raw.lastIndexOf(a.rest)));
  await t.ensureForAddresses([a.value]);
  const bounds = functionBounds(t, a.value);
  const start = bounds?.start ?? a.value;
  const d = disassemblerFor(t);
  try {
    const flow = functionFlow(t, d, start, bounds?.end);
    if (flow.instructions.length === 0) return memoryErrorResult(t, [], start, inv, { start });
    const p = t.pointerSize;
    if (opts.has('c')) {
      // `uf /c`: the calls the function makes, grouped under the call site.
      const head = formatSymbolic(t.symbolize(start)) ?? ptr(start, p);
      const lines = [`${head} (${ptr(start, p)})`];
      const calls: { site: bigint; operands: string }[] = [];
      for (const ins of flow.instructions) {
        if (!ins.isCall) continue;
        calls.push({ site: ins.address, operands: ins.operands });
        lines.push(`  ${formatSymbolic(t.symbolize(ins.address)) ?? ptr(ins.address, p)} (${ptr(ins.address, p)}):`, `    call to ${ins.operands}`);
      }
      return { blocks: [{ kind: 'text', lines }], data: { type: 'functionCalls', start, calls } };
    }
    const { lines, rows } = renderInstructions(t, flow.instructions, flow.blockStarts);
    if (flow.unreadable.length) lines.push('Flow analysis was incomplete, some code may be missing');
    return { blocks: [{ kind: 'text', lines }], data: { type: 'disassembly', start, end: bounds?.end, boundsFrom: bounds?.source, instructions: rows } };
  } finally {
    d.free();
  }
}

export const uCommand: CommandSpec = {
  name: 'u',
  group: 'standard',
  syntax: 'u [Address [L Count | EndAddress]]',
  summary: 'Disassemble: 8 instructions from the address (default: continue, or the current instruction)',
  help: 'Labels (mod!sym+0x12:) mark where the containing symbol changes. Branch and call targets show their\nsymbol. Unreadable memory ends the listing with "Memory access error".',
  examples: ['u @rip', 'u crashlab!main L20', 'u', '.ecxr; u'],
  run: runU,
};

export const ubCommand: CommandSpec = {
  name: 'ub',
  group: 'standard',
  syntax: 'ub [Address] [L Count]',
  summary: 'Disassemble the instructions that end just before the address (default 8)',
  help: 'x86 code cannot be read backwards: ub decodes from the containing function\'s start when symbols or\n.pdata give it, else picks the decoding of the preceding bytes that lands exactly on the address.',
  examples: ['ub @rip', 'ub poi(@rsp) L4'],
  run: runUb,
};

export const ufCommand: CommandSpec = {
  name: 'uf',
  group: 'standard',
  syntax: 'uf [/c] Address',
  summary: 'Disassemble the whole function containing the address, block by block',
  help: 'The function is bounded by its symbol size (PDB, .sym) or its .pdata entry; flow analysis follows\njumps inside it. Blocks are listed in address order, each after a blank line and a label line;\nconditional jumps end with "Branch". /c lists only the calls.',
  examples: ['uf crashlab!divide', 'uf @rip', 'uf /c crashlab!main'],
  run: runUf,
};
