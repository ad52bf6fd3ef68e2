import type { CommandContext, CommandSpec } from '../../src/interpreter/command.js';
import { CommandError, requireTarget } from '../../src/interpreter/command.js';
import type { CpuContext } from '../../src/formats/minidump/types.js';
import { walkWithModules } from '../../src/session/stack.js';
import type { StackFrame } from '../../src/session/stack.js';
import type { Target } from '../../src/session/target.js';
import { formatSymbolic } from '../../src/session/symbolize.js';
import { hexN, ptr } from '../../src/results/hex.js';
import { ok } from '../../src/results/types.js';
import { evalPrefix } from '../common/expr.js';
import { noContextError } from './r.js';
import { addFrameParameters } from '../common/frame-vars.js';

/** Default `.kframes` depth (modern WinDbg: 0n256). */
export const DEFAULT_KFRAMES = 256;

export interface KOptions {
  variant: '' | 'b' | 'c' | 'd' | 'p' | 'P' | 'v';
  numbers: boolean;
  frameSizes: boolean;
  hideSource: boolean;
  count: number | undefined;
  /** `k = sp ip` (x64/ARM64) or `k = ebp [esp eip]` (x86). */
  start: bigint[] | undefined;
}

/** Parses `k[b|c|d|p|P|v][n][f][L][M] [= addr...] [FrameCount]`. */
export function parseKToken(token: string): Omit<KOptions, 'count' | 'start'> {
  const flags = token.slice(1);
  let variant: KOptions['variant'] = '';
  const o = { numbers: false, frameSizes: false, hideSource: false };
  for (const ch of flags) {
    if ('bcdpPv'.includes(ch)) {
      if (variant) throw new CommandError(`       ^ Syntax error in '${token}'`);
      variant = ch as KOptions['variant'];
    } else if (ch === 'n' || ch === 'N') o.numbers = true;
    else if (ch === 'f') o.frameSizes = true;
    else if (ch === 'L') o.hideSource = true;
    else if (ch === 'M') continue;
    else throw new CommandError(`       ^ Syntax error in '${token}'`);
  }
  return { variant, ...o };
}

/** The context `k` starts from: the current scope (.ecxr/.cxr/thread), or `k = ...` overrides. */
function startContext(t: Target, base: CpuContext, start: bigint[] | undefined): CpuContext {
  if (!start?.length) return base;
  const regs = { ...base.regs };
  let { pc, sp, fp } = base;
  if (base.arch === 'x86') {
    [fp, sp = sp, pc = pc] = start as [bigint, bigint?, bigint?];
    regs['ebp'] = fp;
    regs['esp'] = sp;
    regs['eip'] = pc;
  } else {
    [sp, pc = pc] = start as [bigint, bigint?];
    const spName = base.arch === 'arm64' ? 'sp' : 'rsp';
    const pcName = base.arch === 'arm64' ? 'pc' : 'rip';
    regs[spName] = sp;
    regs[pcName] = pc;
  }
  void t;
  return { ...base, regs, pc, sp, fp };
}

export interface FrameRow {
  index: number;
  childSp: bigint;
  frameBase: bigint;
  returnAddress: bigint;
  instructionPointer: bigint;
  callSite: string;
  module?: string;
  symbol?: string;
  displacement?: bigint;
  source?: { file: string; line: number };
  trust: string;
  args: bigint[];
  memory?: bigint;
}

/**
 * One row per frame. `args` (the first argument words, what `kb`/`kv` print) are read unless
 * `opts.args` is false: `~*kn` in batch text output reads none (four pointer reads per frame,
 * and on 257 threads enough extra work in this function that V8 started compiling it just
 * before exit, which then waited some 10 ms for that compile).
 */
export function frameRows(t: Target, frames: StackFrame[], opts: { args?: boolean } = {}): FrameRow[] {
  const wantArgs = opts.args !== false;
  const p = t.pointerSize;
  const rows: FrameRow[] = [];
  for (let i = 0; i < frames.length; i++) {
    const f = frames[i]!;
    // Call-site text: `mod!sym+0x14`, `mod+0x1234`, or the bare address (`0x00007ffb`61b7b039`).
    const r = t.symbolize(f.pc);
    // Caller frames hold a return address: the call instruction's line is the one before it.
    const lineAt = i === 0 || f.isMachineFrame ? f.pc : f.pc - 1n;
    // The frame's module answers for lineAt too, unless lineAt falls below its base (then ask anew).
    const m = r.module;
    const line = m !== undefined && lineAt >= m.baseOfImage ? t.moduleSymbols(m).lineAt?.(Number(lineAt - m.baseOfImage)) : t.sourceLine(lineAt);
    const x86 = f.context.arch === 'x86';
    const argBase = x86 ? f.fp + 8n : f.sp + 8n;
    const args: bigint[] = [];
    if (wantArgs) for (let a = 0; a < (x86 ? 3 : 4); a++) args.push(t.readPointer(argBase + BigInt(a * p), p) ?? 0n);
    const out: FrameRow = {
      index: i,
      childSp: f.sp,
      frameBase: f.fp,
      returnAddress: frames[i + 1]?.pc ?? 0n,
      instructionPointer: f.pc,
      callSite: formatSymbolic(r) ?? `0x${ptr(f.pc, p)}`,
      trust: f.trust,
      args,
    };
    if (r.moduleName) out.module = r.moduleName;
    if (r.symbol) {
      out.symbol = r.symbol.name;
      out.displacement = r.displacement;
    }
    if (line) out.source = line;
    if (i > 0) out.memory = f.sp - frames[i - 1]!.sp;
    rows.push(out);
  }
  return rows;
}

const TRUST_WORDS: Record<string, string> = {
  context: 'context',
  'unwind-info': 'unwind info',
  cfi: 'call frame info',
  'frame-pointer': 'frame pointer',
  'cfi-scan': 'call frame info with scanning',
  scan: 'stack scanning',
  prewalked: 'prewalked',
  none: 'unknown',
};

/** Renders frames as WinDbg's modern `k` variants (windbg-commands.md §4.1). */
export function renderStack(t: Target, rows: FrameRow[], o: Omit<KOptions, 'count' | 'start'>): string[] {
  const p = t.pointerSize;
  const x86 = p === 4;
  const nn = (i: number) => (o.numbers ? `${hexN(i, 2)} ` : '');
  const head = o.numbers ? ' # ' : '';
  const src = (r: FrameRow) => (r.source && !o.hideSource ? ` [${r.source.file} @ ${r.source.line}] ` : '');
  const lines: string[] = [];
  let warned = false;
  const warn = (r: FrameRow) => {
    if (!warned && r.trust === 'scan' && o.variant !== 'c') {
      warned = true;
      lines.push('WARNING: Stack unwind information not available. Following frames may be wrong.');
    }
  };
  const mem = (r: FrameRow) => (o.frameSizes ? (r.memory === undefined ? ' '.repeat(9) : ` ${r.memory.toString(16).padStart(8)}`) : '');
  const memHead = o.frameSizes ? '   Memory' : '';
  if (o.variant === 'c') {
    lines.push(`${head}Call Site`);
    for (const r of rows) lines.push(`${nn(r.index)}${r.module ? (r.symbol ? `${r.module}!${r.symbol}` : r.module) : r.callSite}`);
    return lines;
  }
  if (x86) {
    if (o.variant === 'b' || o.variant === 'v') {
      lines.push(`${head}${memHead}ChildEBP RetAddr      Args to Child              `);
      for (const r of rows) {
        warn(r);
        const fpo = o.variant === 'v' ? ` (FPO: [Non-Fpo]) {${TRUST_WORDS[r.trust] ?? r.trust}}` : '';
        lines.push(`${nn(r.index)}${mem(r)}${ptr(r.frameBase, 4)} ${ptr(r.returnAddress, 4)}     ${r.args.map((a) => ptr(a, 4)).join(' ')} ${r.callSite}${src(r)}${fpo}`.trimEnd());
      }
      return lines;
    }
    lines.push(`${head}${memHead}ChildEBP RetAddr      `);
    for (const r of rows) {
      warn(r);
      lines.push(`${nn(r.index)}${mem(r)}${ptr(r.frameBase, 4)} ${ptr(r.returnAddress, 4)}     ${r.callSite}${src(r)}`);
    }
    return lines;
  }
  const argsText = (r: FrameRow) => r.args.map((a) => ptr(a, 8)).join(' ');
  if (o.variant === 'b') {
    lines.push(`${head}${memHead}RetAddr               : Args to Child                                                           : Call Site`);
    for (const r of rows) {
      warn(r);
      lines.push(`${nn(r.index)}${mem(r)}${ptr(r.returnAddress, 8)}     : ${argsText(r)} : ${r.callSite}${src(r)}`);
    }
    return lines;
  }
  if (o.variant === 'v') {
    lines.push(`${head}${memHead}Child-SP          RetAddr               : Args to Child                                                           : Call Site`);
    for (const r of rows) {
      warn(r);
      lines.push(`${nn(r.index)}${mem(r)}${ptr(r.childSp, 8)} ${ptr(r.returnAddress, 8)}     : ${argsText(r)} : ${r.callSite}${src(r)} {${TRUST_WORDS[r.trust] ?? r.trust}}`);
    }
    return lines;
  }
  lines.push(`${head}${memHead}Child-SP          RetAddr               Call Site`);
  for (const r of rows) {
    warn(r);
    lines.push(`${nn(r.index)}${mem(r)}${ptr(r.childSp, 8)} ${ptr(r.returnAddress, 8)}     ${r.callSite}${src(r)}`);
  }
  return lines;
}

export const SCOPE_BANNER = '  *** Stack trace for last set context - .thread/.cxr resets it';

/** Walks the current scope's stack (thread, .ecxr or .cxr context). */
export async function currentStack(t: Target, start?: bigint[], maxFrames = DEFAULT_KFRAMES): Promise<{ frames: StackFrame[]; context: CpuContext }> {
  const base = t.scopeContext();
  if (!base) throw noContextError(t);
  const context = startContext(t, base, start);
  const frames = await walkWithModules(t, context, t.currentThread, { maxFrames });
  return { frames, context };
}

async function runK(ctx: CommandContext, token: string, args: string, raw: string) {
  const t = requireTarget(ctx);
  const o = parseKToken(token);
  let rest = args.trim();
  let start: bigint[] | undefined;
  if (rest.startsWith('=')) {
    start = [];
    rest = rest.slice(1).trim();
    const want = t.dump.arch === 'x86' ? 3 : 2;
    while (rest && start.length < want) {
      const r = evalPrefix(t, rest, raw);
      start.push(r.value);
      rest = r.rest;
      if (start.length === want) break;
      // A lone trailing number after the addresses is the frame count.
      if (/^\S+$/.test(rest) && start.length >= 1) break;
    }
  }
  let count: number | undefined;
  if (rest) {
    const r = evalPrefix(t, rest, raw);
    if (r.rest) throw new CommandError(`       ^ Syntax error in '${raw}'`);
    count = Number(r.value);
  }
  if (o.variant === 'd') {
    const c = t.scopeContext();
    if (!c) throw noContextError(t);
    const p = t.pointerSize;
    const words = count ?? 0x10;
    const lines: string[] = [];
    const values: { address: bigint; value: bigint | undefined }[] = [];
    for (let i = 0; i < words; i++) {
      const a = c.sp + BigInt(i * p);
      const v = t.readPointer(a, p);
      values.push({ address: a, value: v });
      lines.push(`${ptr(a, p)}  ${v === undefined ? (p === 8 ? '????????`????????' : '????????') : ptr(v, p)}`);
    }
    return ok(lines, { type: 'rawStack', words: values });
  }
  // Walk one frame more than shown: the last shown frame's RetAddr is the next frame's pc.
  const want = count ?? DEFAULT_KFRAMES;
  const walked = (await currentStack(t, start, want + 1)).frames;
  const frames = walked.slice(0, want);
  // The argument words show in kb/kv, and in the data (--json, the UI).
  const rows = frameRows(t, frames, { args: o.variant === 'b' || o.variant === 'v' || ctx.resultData !== false });
  const beyond = walked[frames.length];
  if (beyond !== undefined && rows.length > 0) rows[rows.length - 1]!.returnAddress = beyond.pc;
  addFrameParameters(t, frames, rows, o.variant);
  const lines: string[] = [];
  if (t.scope.kind !== 'thread') lines.push(SCOPE_BANNER);
  // A call site with parameters (kP) spans lines.
  for (const l of renderStack(t, rows, o)) {
    if (l.includes('\n')) lines.push(...l.split('\n'));
    else lines.push(l);
  }
  return ok(lines, { type: 'stack', threadIndex: t.currentThread, threadId: t.thread()?.threadId, scope: t.scope.kind, frames: rows });
}

export const kCommand: CommandSpec = {
  name: 'k',
  pattern: /^k[bcdpPvnNfLM]*(?![A-Za-z])/,
  group: 'standard',
  syntax: 'k[b|c|d|p|P|v][n][f][L] [= StackPtr [InstructionPtr] | = BasePtr [StackPtr InstructionPtr]] [FrameCount]',
  summary: 'Stack backtrace of the current thread (after .ecxr: of the exception context)',
  help: 'b: first arguments; v: b plus how each frame was found; c: call sites only; n: frame numbers;\nf: frame sizes (Memory column); L: hide source lines; d: raw stack words. FrameCount is hex.\nFrames found by stack scanning are preceded by WinDbg\'s "Following frames may be wrong" warning.',
  threadPrefix: true,
  examples: ['k', 'kn', 'kb', 'kbn 20', 'kv', 'kc', 'kf', '~*k', '.ecxr; kn'],
  run(ctx, inv) {
    return runK(ctx, inv.token, inv.args, inv.raw);
  },
};
