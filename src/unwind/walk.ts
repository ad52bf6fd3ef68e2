/**
 * The stack walker: starting from a thread's context, ask the architecture's
 * strategy chain for caller candidates (best first) and keep the first one
 * that passes the sanity checks (rust-minidump `walk_stack` / Breakpad
 * `Stackwalker::Walk`).
 */
import { withLazyVectors } from '../formats/minidump/context.js';
import type { CpuArch, CpuContext } from '../formats/minidump/types.js';
import { amd64Callers } from './amd64.js';
import { pointerSize, safeRead } from './common.js';
import { arm64Callers } from './arm64.js';
import { x86Callers } from './x86.js';
import type { CalleeFrame, CallerCandidate, FrameTrust, StackFrame, UnwindEnvironment, WalkOptions } from './types.js';

export const DEFAULT_MAX_FRAMES = 256;
export const HARD_MAX_FRAMES = 10000;
/** A return address below this ends the walk (null page). */
export const MIN_PC = 0x1000n;

interface RegNames { pc: string; sp: string; fp: string; mask: bigint }

function regNames(arch: CpuArch): RegNames | undefined {
  switch (arch) {
    case 'amd64': return { pc: 'rip', sp: 'rsp', fp: 'rbp', mask: (1n << 64n) - 1n };
    case 'x86': return { pc: 'eip', sp: 'esp', fp: 'ebp', mask: (1n << 32n) - 1n };
    case 'arm64': return { pc: 'pc', sp: 'sp', fp: 'fp', mask: (1n << 64n) - 1n };
    default: return undefined;
  }
}

/** The environment seen with the context's architecture (a WOW64 x86 context in an x64 dump walks as x86). */
function envForArch(env: UnwindEnvironment, arch: CpuArch): UnwindEnvironment {
  if (env.arch === arch) return env;
  const e: UnwindEnvironment = {
    arch,
    memory: env.memory,
    moduleAt: (a) => env.moduleAt(a),
  };
  if (env.x86FrameInfo !== undefined) e.x86FrameInfo = (a) => env.x86FrameInfo!(a);
  if (env.cfiRules !== undefined) e.cfiRules = (a) => env.cfiRules!(a);
  if (env.stackBounds !== undefined) e.stackBounds = env.stackBounds;
  return e;
}

/**
 * Offers the architecture's caller candidates, best first, until `offer` returns true. A callback
 * rather than a generator: `~*k` asks for a thousand frames' candidates while V8 still
 * interprets the code, and a generator's object, state and result objects per frame were the
 * walk's largest allocation (about 1.3 MB on 257 threads).
 */
function offerCallers(arch: CpuArch, env: UnwindEnvironment, callee: CalleeFrame, scan: boolean, offer: (candidate: CallerCandidate) => boolean): void {
  switch (arch) {
    case 'amd64': return amd64Callers(env, callee, scan, offer);
    case 'x86': return x86Callers(env, callee, scan, offer);
    case 'arm64': return arm64Callers(env, callee, scan, offer);
    default: return;
  }
}

function frameContext(base: CpuContext, regs: Record<string, bigint>, names: RegNames, vectors: Record<string, Buffer> | undefined): CpuContext {
  const ctx: CpuContext = {
    arch: base.arch,
    contextFlags: base.contextFlags,
    regs,
    pc: regs[names.pc] ?? 0n,
    sp: regs[names.sp] ?? 0n,
    fp: regs[names.fp] ?? 0n,
    rawSize: base.rawSize,
    rva: base.rva,
  };
  if (vectors !== undefined) ctx.vectors = vectors;
  return ctx;
}

/**
 * `ctx` with `from`'s vector registers, read from `from` only when asked: a decoded context
 * builds them on first read (decodeContext), and most walks never read them.
 */
function withVectorsOf(ctx: CpuContext, from: CpuContext): CpuContext {
  if (!('vectors' in from)) return ctx;
  return withLazyVectors(ctx, () => from.vectors);
}

/**
 * A frame as the caller strategies see it. Its vector registers are read from the frame's
 * context only when a strategy asks (a decoded context builds them on first read).
 */
class Callee implements CalleeFrame {
  readonly index: number;
  readonly regs: Record<string, bigint>;
  readonly pc: bigint;
  readonly sp: bigint;
  readonly trust: FrameTrust;
  readonly calleeParameterSize: number;
  shadowReturn?: bigint;
  private readonly frame: StackFrame;

  constructor(frame: StackFrame, calleeParameterSize: number) {
    this.frame = frame;
    this.index = frame.index;
    this.regs = frame.context.regs;
    this.pc = frame.pc;
    this.sp = frame.sp;
    this.trust = frame.trust;
    this.calleeParameterSize = calleeParameterSize;
  }

  get vectors(): Record<string, Buffer> | undefined {
    return this.frame.context.vectors;
  }
}

/**
 * Records (pc, sp) in the walk. A pc is usually seen with one stack pointer: that one is kept
 * as the value itself, and a set is made only for a second (a frame per Set was a walk's
 * third-largest allocation).
 */
function markSeen(seen: Map<bigint, bigint | Set<bigint>>, pc: bigint, sp: bigint): void {
  const known = seen.get(pc);
  if (known === undefined) seen.set(pc, sp);
  else if (typeof known === 'bigint') {
    if (known !== sp) seen.set(pc, new Set<bigint>().add(known).add(sp));
  } else known.add(sp);
}

function wasSeen(seen: Map<bigint, bigint | Set<bigint>>, pc: bigint, sp: bigint): boolean {
  const known = seen.get(pc);
  return known === undefined ? false : typeof known === 'bigint' ? known === sp : known.has(sp);
}

function addNote(frame: StackFrame, note: string): void {
  frame.note = frame.note === undefined ? note : `${frame.note}; ${note}`;
}

const TRUSTED = new Set(['unwind-info', 'cfi', 'prewalked']);
/** How far ahead in the shadow stack an accepted return address may be found (frames the walk skipped). */
const SHADOW_RESYNC = 8;
/** At most this many shadow-stack entries are read. */
const MAX_SHADOW_ENTRIES = 4096;

/**
 * The return addresses on the CET shadow stack (A.19.5), innermost first,
 * when the context carries the shadow-stack pointer and that memory was
 * captured. Entries are pointer-sized; the list stops at unreadable memory.
 */
function readShadowStack(env: UnwindEnvironment, context: CpuContext): bigint[] | undefined {
  const ssp = context.cetSsp;
  if (ssp === undefined || ssp === 0n) return undefined;
  const size = pointerSize(env.arch);
  const buf = safeRead(env, ssp, MAX_SHADOW_ENTRIES * size);
  const out: bigint[] = [];
  for (let i = 0; i + size <= buf.length; i += size) out.push(size === 8 ? buf.readBigUInt64LE(i) : BigInt(buf.readUInt32LE(i)));
  return out.length > 0 ? out : undefined;
}

/**
 * Walks the stack of one thread. Never throws on bad input: the walk just
 * stops, and the last frame's `note` says why.
 */
export function walkStack(env: UnwindEnvironment, context: CpuContext, opts: WalkOptions = {}): StackFrame[] {
  const requested = opts.maxFrames ?? DEFAULT_MAX_FRAMES;
  const maxFrames = Number.isFinite(requested) ? Math.max(1, Math.min(HARD_MAX_FRAMES, Math.floor(requested))) : DEFAULT_MAX_FRAMES;
  const scan = opts.scan ?? true;
  const arch = context.arch;
  const names = regNames(arch);

  const regs0: Record<string, bigint> = { ...context.regs };
  const pc0 = context.pc;
  const sp0 = context.sp;
  if (names !== undefined) {
    regs0[names.pc] = pc0;
    regs0[names.sp] = sp0;
  }
  const first: StackFrame = {
    index: 0,
    pc: pc0,
    sp: sp0,
    fp: names !== undefined ? regs0[names.fp] ?? 0n : context.fp,
    trust: 'context',
    context: context,
  };
  if (names !== undefined) {
    first.context = withVectorsOf(frameContext(context, regs0, names, undefined), context);
  }
  const frames: StackFrame[] = [first];
  if (names === undefined) {
    addNote(first, `unwinding ${arch} stacks is not supported`);
    return frames;
  }
  const archEnv = envForArch(env, arch);
  // (pc, sp) pairs already in the walk: pc → the stack pointers seen with it.
  const seen = new Map<bigint, bigint | Set<bigint>>();
  markSeen(seen, pc0, sp0);
  const paramSizes: number[] = [0];
  const shadow = arch === 'arm64' ? undefined : readShadowStack(archEnv, context);
  let shadowIndex = 0;

  for (;;) {
    if (frames.length >= maxFrames) {
      addNote(frames[frames.length - 1]!, `frame limit (${maxFrames}) reached`);
      break;
    }
    const calleeFrame = frames[frames.length - 1]!;
    const callee = new Callee(calleeFrame, frames.length >= 2 ? paramSizes[frames.length - 2] ?? 0 : 0);
    const expected = shadow?.[shadowIndex];
    if (expected !== undefined) callee.shadowReturn = expected;

    let accepted: CallerCandidate | undefined;
    // The accepted candidate's pc and sp, masked to the architecture's width.
    let acceptedPc = 0n;
    let acceptedSp = 0n;
    let stop: string | undefined;
    let rejected: string | undefined;
    let tried = 0;
    try {
      // Returns true to stop: a candidate accepted, the end of the stack, or too many tried.
      offerCallers(arch, archEnv, callee, scan, (cand) => {
        if (++tried > 16) return true;
        // Masked to the architecture's width; an in-range value (nearly all) is kept, no new BigInt.
        const pc = cand.pc >= 0n && cand.pc <= names.mask ? cand.pc : cand.pc & names.mask;
        const sp = cand.sp >= 0n && cand.sp <= names.mask ? cand.sp : cand.sp & names.mask;
        if (pc < MIN_PC) {
          // Unwind data saying "return address 0", or a frame-pointer chain's zero terminator: the thread's first frame.
          if (TRUSTED.has(cand.trust) || (cand.trust === 'frame-pointer' && pc === 0n)) {
            stop = `end of stack (${cand.trust} gives return address 0x${pc.toString(16)})`;
            return true;
          }
          rejected = 'return address in the null page';
          return false;
        }
        // Forward progress: the stack pointer must increase. ARM64's first unwind from a leaf keeps SP (caller PC = LR).
        const leafLr = arch === 'arm64' && callee.index === 0 && sp === callee.sp && pc !== callee.pc;
        if (sp <= callee.sp && !leafLr) {
          rejected = `${cand.trust} unwind did not move the stack pointer up`;
          return false;
        }
        if (env.stackBounds !== undefined && sp > env.stackBounds.high) {
          rejected = `${cand.trust} unwind left the stack`;
          return false;
        }
        if (wasSeen(seen, pc, sp)) {
          rejected = 'loop in the frame chain';
          return false;
        }
        accepted = cand;
        acceptedPc = pc;
        acceptedSp = sp;
        return true;
      });
    } catch (e) {
      // A broken environment callback must not take the whole walk down.
      stop = `unwinding failed: ${e instanceof Error ? e.message : String(e)}`;
    }
    if (accepted === undefined) {
      addNote(calleeFrame, stop ?? (rejected !== undefined ? `walk stopped: ${rejected}` : 'walk stopped: no caller found'));
      break;
    }
    markSeen(seen, acceptedPc, acceptedSp);
    // The candidate's register object is the walker's from here (strategies make a fresh one each).
    const regs = accepted.regs;
    regs[names.pc] = acceptedPc;
    regs[names.sp] = acceptedSp;
    const frame: StackFrame = {
      index: frames.length,
      pc: acceptedPc,
      sp: acceptedSp,
      fp: regs[names.fp] ?? 0n,
      trust: accepted.trust,
      context: frameContext(context, regs, names, accepted.vectors),
    };
    if (accepted.isMachineFrame === true) frame.isMachineFrame = true;
    if (accepted.note !== undefined) frame.note = accepted.note;
    paramSizes[calleeFrame.index] = accepted.calleeParameterSize ?? 0;
    frames.push(frame);
    if (shadow !== undefined) {
      // Stay in step with the shadow stack; a frame it does not list (a spurious scan hit) leaves it alone.
      const j = shadow.indexOf(acceptedPc, shadowIndex);
      if (j >= 0 && j - shadowIndex < SHADOW_RESYNC) shadowIndex = j + 1;
    }
  }
  return frames;
}
