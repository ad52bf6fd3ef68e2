/**
 * Recovers the arguments a frame passed to the function it called, from a
 * stack walked out of a dump. Register arguments (x64 rcx, rdx, r8, r9) are
 * gone once the callee runs, so two sources are tried:
 *
 * 1. The call site: disassemble the caller from its function start up to
 *    the return address and find the instruction that last set the
 *    argument register; evaluate its source from what the dump still holds
 *    (nonvolatile registers recovered by unwinding the caller's frame, the
 *    caller's stack slots, RIP-relative addresses, immediates).
 * 2. The callee's home (spill) slots at the caller's stack pointer, where
 *    many callees store their register arguments (all x86 stack arguments
 *    live there too); only trusted when a validator accepts the value.
 */
import { createDisassembler } from '../disasm/index.js';
import type { Disassembler, Instruction } from '../disasm/index.js';
import type { AnalysisFrame, AnalysisTarget } from './target.js';
import { readRuntime } from './target.js';

export type ArgSource = 'call-site' | 'home-slot' | 'stack';

export interface RecoveredArg {
  value: bigint;
  source: ArgSource;
  /** How it was derived (`mov rcx,qword ptr [rsi+8]` at 00000001`40001f60 with rsi from the caller's frame). */
  detail: string;
}

const ARG_REGS_X64 = ['rcx', 'rdx', 'r8', 'r9'] as const;
const NONVOLATILE_X64 = new Set(['rbx', 'rbp', 'rsi', 'rdi', 'r12', 'r13', 'r14', 'r15', 'rsp']);
/** Longest caller prefix decoded when looking for the argument setup (bytes). */
const MAX_FUNCTION_SCAN = 0x4000;
/** Instructions searched backwards from the call for the defining write. */
const MAX_BACKWARD = 48;

/** 64-bit register family of a register name (`ecx` → `rcx`, `r8d` → `r8`), or undefined. */
function family(reg: string): string | undefined {
  const r = reg.toLowerCase();
  const legacy: Record<string, string> = {
    rax: 'rax', eax: 'rax', ax: 'rax', al: 'rax', rbx: 'rbx', ebx: 'rbx', bx: 'rbx', bl: 'rbx',
    rcx: 'rcx', ecx: 'rcx', cx: 'rcx', cl: 'rcx', rdx: 'rdx', edx: 'rdx', dx: 'rdx', dl: 'rdx',
    rsi: 'rsi', esi: 'rsi', si: 'rsi', sil: 'rsi', rdi: 'rdi', edi: 'rdi', di: 'rdi', dil: 'rdi',
    rbp: 'rbp', ebp: 'rbp', bp: 'rbp', bpl: 'rbp', rsp: 'rsp', esp: 'rsp', sp: 'rsp', spl: 'rsp',
  };
  if (legacy[r]) return legacy[r];
  const m = /^r(\d+)[dwb]?$/.exec(r);
  return m ? `r${m[1]}` : undefined;
}

function isReg32(reg: string): boolean {
  return /^e[a-z]{2}$/.test(reg) || /^r\d+d$/.test(reg);
}

/** `28h` / `0FFFFFFFFh` / `0x140009000` / `10` → bigint. */
function parseNumber(s: string): bigint | undefined {
  const t = s.trim();
  if (/^0x[0-9a-f]+$/i.test(t)) return BigInt(t);
  if (/^[0-9][0-9a-f]*h$/i.test(t)) return BigInt('0x' + t.slice(0, -1));
  if (/^[0-9]+$/.test(t)) return BigInt(t);
  return undefined;
}

function splitOperands(ops: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let cur = '';
  for (const ch of ops) {
    if (ch === '[') depth++;
    if (ch === ']') depth--;
    if (ch === ',' && depth === 0) {
      out.push(cur.trim());
      cur = '';
    } else cur += ch;
  }
  if (cur.trim()) out.push(cur.trim());
  return out;
}

interface Ctx {
  t: AnalysisTarget;
  caller: AnalysisFrame;
  insns: Instruction[];
}

const WRITERS = /^(mov|movzx|movsxd|movsx|lea|xor|or|and|add|sub|pop|inc|dec|neg|not|shl|shr|sar|imul|cmov\w+|set\w+|xchg|movabs)$/;

/** Evaluates a register's value just before instruction `at` (exclusive), searching backwards. */
function regValueBefore(c: Ctx, reg64: string, at: number, depth: number, trail: string[]): bigint | undefined {
  if (depth > 4) return undefined;
  // A nonvolatile register holds at the call what the unwinder recovered for the caller's frame
  // (the callee saved and would restore it), whatever code set it earlier.
  if (NONVOLATILE_X64.has(reg64)) {
    if (reg64 === 'rsp') return c.caller.sp;
    const v = c.caller.regs[reg64];
    if (v !== undefined) trail.push(`${reg64}=0x${v.toString(16)} from the caller's unwound frame`);
    return v;
  }
  for (let i = at - 1; i >= 0 && at - i <= MAX_BACKWARD; i--) {
    const ins = c.insns[i]!;
    if (ins.isCall) {
      // A call clobbers volatile registers; nonvolatiles survive it.
      if (!NONVOLATILE_X64.has(reg64)) return undefined;
      continue;
    }
    const ops = splitOperands(ins.operands);
    const dst = ops[0] ? family(ops[0]) : undefined;
    if (dst !== reg64 || !WRITERS.test(ins.mnemonic)) continue;
    const v = evalWrite(c, ins, ops, i, depth, trail);
    if (v !== undefined) trail.push(`${ins.mnemonic} ${ins.operands}`);
    return v;
  }
  // Reached the function start with no write: the register still holds the caller's incoming
  // argument. If the function copied it into a nonvolatile register it never changed afterwards
  // (`mov rsi,rcx`), that register's recovered value is the incoming one.
  if (at <= MAX_BACKWARD) return incomingCopy(c, reg64, at, trail);
  return undefined;
}

/** Writes to a register family between two instruction indexes (exclusive). */
function writesBetween(c: Ctx, reg64: string, from: number, to: number): boolean {
  for (let i = from + 1; i < to; i++) {
    const ins = c.insns[i]!;
    const ops = splitOperands(ins.operands);
    if (ops[0] && family(ops[0]) === reg64 && WRITERS.test(ins.mnemonic)) return true;
  }
  return false;
}

function incomingCopy(c: Ctx, reg64: string, at: number, trail: string[]): bigint | undefined {
  const last = c.insns.length - 1;
  for (let i = 0; i < at; i++) {
    const ins = c.insns[i]!;
    if (ins.mnemonic !== 'mov') continue;
    const [dst, src] = splitOperands(ins.operands);
    const d = dst ? family(dst) : undefined;
    if (!d || !src || family(src) !== reg64 || isReg32(dst!) || !NONVOLATILE_X64.has(d) || d === 'rsp') continue;
    if (writesBetween(c, d, i, last + 1)) continue;
    const v = c.caller.regs[d];
    if (v !== undefined) trail.push(`${reg64} on entry, copied by ${ins.mnemonic} ${ins.operands}; ${d}=0x${v.toString(16)} from the caller's unwound frame`);
    return v;
  }
  return undefined;
}

/** A function name from a symbolized call target: `crashlab!__imp_WaitForSingleObject` → `WaitForSingleObject`. */
function calleeName(sym: string | undefined): string | undefined {
  if (!sym) return undefined;
  return sym.replace(/^[^!]*!/, '').replace(/\+0x[0-9a-f]+$/i, '').replace(/^_*imp_/, '');
}

/** What an earlier call in the caller called (by the name of its target or import slot). */
function callTarget(c: Ctx, i: number): string | undefined {
  const ins = c.insns[i]!;
  if (ins.target !== undefined) return calleeName(c.t.symbolize(ins.target));
  const op = ins.operands.trim();
  const mem = /\[(0x[0-9a-f]+)\]/i.exec(op);
  if (mem) return calleeName(c.t.symbolize(BigInt(mem[1]!)));
  const reg = family(op);
  if (!reg) return undefined;
  // `call rdi` after `mov rdi,qword ptr [__imp_X]`: name the import slot.
  for (let k = i - 1; k >= 0; k--) {
    const prev = c.insns[k]!;
    const [dst, src] = splitOperands(prev.operands);
    if (!dst || family(dst) !== reg || !WRITERS.test(prev.mnemonic)) continue;
    const m = src ? /\[(0x[0-9a-f]+)\]/i.exec(src) : null;
    return m ? calleeName(c.t.symbolize(BigInt(m[1]!))) : undefined;
  }
  return undefined;
}

export interface EarlierCall {
  /** Address of the call instruction. */
  address: bigint;
  /** Callee name without module (`WaitForSingleObject`). */
  callee: string;
  /** First argument (rcx) at that call, when it can be recovered; see recoverArgument. */
  firstArg?: RecoveredArg;
}

/**
 * Calls the caller made before the call it is in now, in order, with the
 * first argument of each where recoverable (x64 only). Values of memory
 * and nonvolatile registers are read as of the dump, so they are right only
 * when nothing changed them since: callers treat them as evidence, not proof.
 */
export function earlierCalls(t: AnalysisTarget, caller: AnalysisFrame, accept: (v: bigint) => boolean, disasm?: Disassembler): EarlierCall[] {
  if (t.arch !== 'amd64') return [];
  const d = disasm ?? createDisassembler('amd64', undefined, (a) => `0x${a.toString(16)}`);
  if (!d) return [];
  try {
    const insns = callerInstructions(d, t, caller);
    if (!insns) return [];
    const c: Ctx = { t, caller, insns };
    const out: EarlierCall[] = [];
    for (let i = 0; i < insns.length - 1; i++) {
      if (!insns[i]!.isCall) continue;
      const callee = callTarget(c, i);
      if (!callee) continue;
      const e: EarlierCall = { address: insns[i]!.address, callee };
      const trail: string[] = [];
      const v = regValueBefore(c, 'rcx', i, 0, trail);
      if (v !== undefined && accept(v)) e.firstArg = { value: v, source: 'call-site', detail: `${trail.reverse().join('; ')} before the call at 0x${insns[i]!.address.toString(16)}` };
      out.push(e);
    }
    return out;
  } catch {
    return [];
  } finally {
    if (!disasm) d.free();
  }
}

/** Address of a memory operand `[base+index*scale+disp]`. */
function memAddress(c: Ctx, operand: string, at: number, depth: number, trail: string[]): bigint | undefined {
  const m = /\[([^\]]+)\]/.exec(operand);
  if (!m) return undefined;
  const expr = m[1]!.replace(/\s+/g, '');
  // RIP-relative operands are printed as the absolute address (see disasm.ts).
  const abs = parseNumber(expr);
  if (abs !== undefined) return abs;
  let total = 0n;
  for (const term of expr.split(/(?=[+-])/)) {
    const neg = term.startsWith('-');
    const body = term.replace(/^[+-]/, '');
    let v: bigint | undefined;
    const scaled = /^([a-z0-9]+)\*(\d)$/.exec(body);
    if (scaled) {
      const f = family(scaled[1]!);
      const rv = f ? regValueBefore(c, f, at, depth + 1, trail) : undefined;
      v = rv === undefined ? undefined : rv * BigInt(scaled[2]!);
    } else if (family(body)) {
      v = regValueBefore(c, family(body)!, at, depth + 1, trail);
    } else {
      v = parseNumber(body);
    }
    if (v === undefined) return undefined;
    total += neg ? -v : v;
  }
  return total & 0xffffffffffffffffn;
}

function evalWrite(c: Ctx, ins: Instruction, ops: string[], at: number, depth: number, trail: string[]): bigint | undefined {
  const [dstText, src] = ops;
  if (!dstText) return undefined;
  const mask = isReg32(dstText) ? 0xffffffffn : 0xffffffffffffffffn;
  switch (ins.mnemonic) {
    case 'xor':
      return src && family(src) === family(dstText) ? 0n : undefined;
    case 'or':
      // `or ecx,0FFFFFFFFh`: the compact way to load -1 (INFINITE).
      return src && /^0?FFFFFFFF(FFFFFFFF)?h$/i.test(src) ? mask : undefined;
    case 'lea':
      return src ? memAddress(c, src, at, depth, trail) : undefined;
    case 'mov':
    case 'movabs':
    case 'movzx':
    case 'movsxd': {
      if (!src) return undefined;
      const imm = parseNumber(src);
      if (imm !== undefined) return imm & mask;
      if (src.includes('[')) {
        const addr = memAddress(c, src, at, depth, trail);
        if (addr === undefined) return undefined;
        const size = /^qword/.test(src) ? 8 : /^dword/.test(src) ? 4 : 0;
        // Only memory the dump captured: an image file holds the initial value of a global, not the one at the call.
        if (size === 0 || (c.t.isCaptured && !c.t.isCaptured(addr, size))) {
          trail.push(`(${src} is not in the dump)`);
          return undefined;
        }
        if (size === 8) return readRuntime(c.t, addr, 8)?.readBigUInt64LE(0);
        if (size === 4) {
          const v = readRuntime(c.t, addr, 4)?.readUInt32LE(0);
          if (v === undefined) return undefined;
          return ins.mnemonic === 'movsxd' ? BigInt.asUintN(64, BigInt(v | 0)) : BigInt(v);
        }
        return undefined;
      }
      const f = family(src);
      if (!f) return undefined;
      const v = regValueBefore(c, f, at, depth + 1, trail);
      return v === undefined ? undefined : v & mask;
    }
    default:
      return undefined;
  }
}

/** Decodes the caller from its function start to the return address; undefined when the sweep does not land on it. */
function callerInstructions(d: Disassembler, t: AnalysisTarget, caller: AnalysisFrame): Instruction[] | undefined {
  const start = caller.symbolStart;
  if (start === undefined || caller.pc <= start || caller.pc - start > BigInt(MAX_FUNCTION_SCAN)) return undefined;
  const len = Number(caller.pc - start);
  const bytes = t.read(start, len);
  if (bytes.length < len) return undefined;
  const out: Instruction[] = [];
  let off = 0;
  while (off < len) {
    const ins = d.decode(bytes.subarray(off), start + BigInt(off));
    if (!ins || ins.invalid) return undefined;
    out.push(ins);
    off += ins.length;
  }
  if (off !== len || !out[out.length - 1]?.isCall) return undefined;
  return out;
}

/**
 * Recovers argument `n` (0-based) that frame `frames[calleeIndex + 1]` passed
 * to the function of `frames[calleeIndex]`. `accept` vets values read from
 * home slots (which hold garbage when the callee did not spill).
 */
export function recoverArgument(
  t: AnalysisTarget,
  frames: readonly AnalysisFrame[],
  calleeIndex: number,
  n: number,
  accept: (v: bigint) => boolean,
  disasm?: Disassembler,
): RecoveredArg | undefined {
  const callee = frames[calleeIndex];
  const caller = frames[calleeIndex + 1];
  if (!callee || !caller) return undefined;
  const ps = BigInt(t.pointerSize);
  if (t.arch === 'x86') {
    // stdcall/cdecl: arguments follow the return address; with an EBP frame that is [ebp+8].
    const base = callee.fp !== 0n ? callee.fp + 8n : caller.sp;
    const v = readRuntime(t, base + BigInt(n) * ps, 4)?.readUInt32LE(0);
    if (v !== undefined && accept(BigInt(v))) return { value: BigInt(v), source: 'stack', detail: `argument ${n + 1} on the stack at 0x${(base + BigInt(n) * ps).toString(16)}` };
    return undefined;
  }
  if (t.arch !== 'amd64') return undefined;
  const reg = ARG_REGS_X64[n];
  if (reg) {
    const d = disasm ?? createDisassembler('amd64', undefined, (a) => `0x${a.toString(16)}`);
    try {
      const insns = d ? callerInstructions(d, t, caller) : undefined;
      if (insns) {
        const trail: string[] = [];
        const v = regValueBefore({ t, caller, insns }, reg, insns.length - 1, 0, trail);
        if (v !== undefined && accept(v)) {
          return { value: v, source: 'call-site', detail: `${trail.reverse().join('; ')} before the call at 0x${insns[insns.length - 1]!.address.toString(16)}` };
        }
      }
    } catch {
      // Code the decoder rejects: fall back to the home slots below.
    } finally {
      if (!disasm) d?.free();
    }
  }
  // The callee's home slot for argument n sits at the caller's stack pointer + 8*n.
  const slot = caller.sp + BigInt(n) * ps;
  const v = readRuntime(t, slot, 8)?.readBigUInt64LE(0);
  if (v !== undefined && accept(v)) return { value: v, source: 'home-slot', detail: `home slot of argument ${n + 1} at 0x${slot.toString(16)}` };
  return undefined;
}
