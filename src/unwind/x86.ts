/**
 * x86 (32-bit) unwinding, Breakpad's order: STACK WIN / FPO / FrameData
 * program strings, STACK CFI, the EBP chain, stack scanning. WOW64 contexts
 * are x86 contexts and walk here.
 */
import {
  MAX_FRAME_GAP, SCAN_WORDS, SCAN_WORDS_TRUSTED, callerByCfi, callerByShadowStack, looksLikeReturnAddress, pick, readWord, safeModuleAt,
  scanForReturnAddress,
} from './common.js';
import { runPostfixProgram } from './postfix.js';
import type { CalleeFrame, CallerCandidate, UnwindEnvironment, WinFrameInfo } from './types.js';

/** Register names of the program counter and stack pointer (one object for every frame). */
const X86_PC_SP = { pc: 'eip', sp: 'esp' } as const;

/** Callee-saved in the 32-bit Windows calling conventions. */
export const X86_NONVOLATILE = ['ebx', 'esi', 'edi', 'ebp'] as const;
const X86_SEGMENTS = ['cs', 'ds', 'es', 'fs', 'gs', 'ss'] as const;
const X86_CARRIED = [...X86_NONVOLATILE, ...X86_SEGMENTS];
/** What a shadow-stack caller keeps of the callee's registers. */
const X86_SHADOW_KEEP = [...X86_SEGMENTS, 'ebp'];
const M32 = 0xffffffffn;

/** STACK WIN record types (Breakpad `WindowsFrameInfo::StackInfoTypes`). */
export const STACK_INFO_FPO = 0;
export const STACK_INFO_FRAME_DATA = 4;

const word = (env: UnwindEnvironment, addr: bigint): bigint | undefined => readWord(env, addr & M32, 4);

/** Breakpad's program for frames that neither use nor save EBP (it is carried through unchanged). */
const PROGRAM_NO_EBP = '$eip .raSearchStart ^ = $esp .raSearchStart 4 + =';

/**
 * Breakpad `StackwalkerX86::GetCallerByWindowsFrameInfo` (C.5): compute
 * .raSearchStart, pick or synthesize the program string, evaluate it.
 */
export function callerByWinFrameInfo(env: UnwindEnvironment, callee: CalleeFrame, info: WinFrameInfo): CallerCandidate | undefined {
  const esp = callee.sp;
  const ebp = callee.regs.ebp;
  const isContext = callee.index === 0;
  const calleeParams = BigInt(callee.calleeParameterSize);
  let raSearchStart = (esp + calleeParams + BigInt(info.localSize) + BigInt(info.savedRegisterSize)) & M32;

  // Up to three words above the computed slot, in case the stack was realigned (Breakpad).
  const original = raSearchStart;
  const hit = scanForReturnAddress(env, raSearchStart, 3);
  if (hit !== undefined) {
    raSearchStart = hit.address;
    if (isContext && info.type === STACK_INFO_FPO && hit.address === original && hit.value === callee.pc) {
      // FPO system-call stub: the word at the top is the current EIP (the callee already returned).
      const again = scanForReturnAddress(env, raSearchStart + 4n, 3);
      raSearchStart = again !== undefined ? again.address : raSearchStart + 4n;
    }
  }

  let program: string;
  if (info.hasProgramString && info.programString !== undefined && info.programString.trim() !== '') {
    program = info.programString;
  } else if (info.allocatesBasePointer) {
    program = '$eip .raSearchStart ^ = $ebp $esp .cbCalleeParams + .cbSavedRegs + 8 - ^ = $esp .raSearchStart 4 + =';
  } else {
    program = PROGRAM_NO_EBP;
  }
  // A program that realigns the stack (`@`) is relative to EBP (Breakpad).
  if (program.includes('@') && ebp !== undefined) raSearchStart = (ebp + 4n) & M32;

  const vars = new Map<string, bigint>([
    ['$esp', esp],
    ['$eip', callee.pc],
    ['.cbCalleeParams', calleeParams],
    ['.cbSavedRegs', BigInt(info.savedRegisterSize)],
    ['.cbLocals', BigInt(info.localSize)],
    ['.cbParams', BigInt(info.parameterSize)],
    ['.raSearchStart', raSearchStart],
    ['.raSearch', raSearchStart],
  ]);
  for (const r of ['ebp', 'ebx', 'esi', 'edi']) {
    const v = callee.regs[r];
    if (v !== undefined) vars.set(`$${r}`, v);
  }
  const assigned = new Set<string>();
  const ok = runPostfixProgram(program, vars, { bits: 32, deref: (a) => word(env, a) }, assigned);
  if (!ok || !assigned.has('$eip') || !assigned.has('$esp')) return undefined;

  let eip = vars.get('$eip')!;
  let esp2 = vars.get('$esp')!;
  let trust: CallerCandidate['trust'] = 'cfi';
  const out = pick(callee.regs, X86_SEGMENTS);
  for (const r of ['ebp', 'ebx', 'esi', 'edi']) {
    const v = vars.get(`$${r}`);
    if (v !== undefined) out[r] = v;
  }
  const callerEbp = out.ebp ?? 0n;

  // $eip = $ebp = 0 is the end of the stack. Otherwise, an $eip outside every module means the
  // frame data lied (MSVC /LTCG writes cbSavedRegs = 0): scan from one word above .raSearchStart.
  if (eip !== 0n || callerEbp !== 0n) {
    let offset = 0n;
    if (safeModuleAt(env, eip) === undefined) {
      const from = (raSearchStart + 4n) & M32;
      const rescue = scanForReturnAddress(env, from, isContext ? SCAN_WORDS_TRUSTED : SCAN_WORDS);
      if (rescue === undefined) return undefined;
      eip = rescue.value;
      esp2 = (rescue.address + 4n) & M32;
      offset = rescue.address - from;
      trust = 'cfi-scan';
    }
    // Programs and fUseBP frames restore EBP; when it does not point at readable memory, or a scan
    // skipped frames (EBP below the return address), look for it in the saved-register area, highest
    // slot first (Breakpad).
    if (program !== PROGRAM_NO_EBP) {
      const ebp = out.ebp;
      const skipped = trust !== 'cfi' && ebp !== undefined && ebp <= raSearchStart + offset;
      if (ebp === undefined || skipped || word(env, ebp) === undefined) {
        const end = (esp + calleeParams) & M32;
        for (let at = end + BigInt(info.savedRegisterSize) + offset; at >= end; at -= 4n) {
          const candidate = word(env, at);
          if (candidate === undefined) break;
          if (word(env, candidate) !== undefined) {
            out.ebp = candidate;
            break;
          }
        }
      }
    }
  }
  out.eip = eip;
  out.esp = esp2;
  return { regs: out, pc: eip, sp: esp2, trust, calleeParameterSize: info.parameterSize };
}

/** Standard `push ebp; mov ebp, esp` frame (C.1). */
function callerByEbp(env: UnwindEnvironment, callee: CalleeFrame): CallerCandidate | undefined {
  const ebp = callee.regs.ebp;
  if (ebp === undefined || ebp === 0n || ebp < callee.sp) return undefined;
  const callerEbp = word(env, ebp);
  const ra = word(env, ebp + 4n);
  if (callerEbp === undefined || ra === undefined) return undefined;
  const out = pick(callee.regs, X86_SEGMENTS);
  if (ra === 0n && callerEbp === 0n) {
    // The chain's terminator (the thread's first frame saved a zero EBP and return address):
    // end of stack, as Breakpad and rust-minidump treat it; scanning past it only finds leftovers.
    return { regs: { ...out, eip: 0n, esp: (ebp + 8n) & M32 }, pc: 0n, sp: (ebp + 8n) & M32, trust: 'frame-pointer' };
  }
  if (!looksLikeReturnAddress(env, ra)) return undefined;
  out.ebp = callerEbp;
  out.eip = ra;
  out.esp = (ebp + 8n) & M32;
  return { regs: out, pc: ra, sp: out.esp, trust: 'frame-pointer' };
}

function callerByScan(env: UnwindEnvironment, callee: CalleeFrame, words: number): CallerCandidate | undefined {
  const hit = scanForReturnAddress(env, callee.sp, words);
  if (hit === undefined) return undefined;
  const out = pick(callee.regs, X86_SEGMENTS);
  const callerEsp = (hit.address + 4n) & M32;
  // The word below the return address is the saved EBP when the callee pushed one and it chains
  // upward; otherwise the callee left EBP alone (callee-saved) if it still points above the caller's ESP.
  const saved = hit.address - 4n >= callee.sp ? word(env, hit.address - 4n) : undefined;
  if (saved !== undefined && saved > hit.address && saved - hit.address <= MAX_FRAME_GAP) out.ebp = saved;
  else if (callee.regs.ebp !== undefined && callee.regs.ebp >= callerEsp) out.ebp = callee.regs.ebp;
  out.eip = hit.value;
  out.esp = callerEsp;
  return { regs: out, pc: hit.value, sp: out.esp, trust: 'scan' };
}

/** Caller candidates for an x86 frame, best strategy first, each worked out only when `offer` turned down the one before (it returns true to stop). */
export function x86Callers(env: UnwindEnvironment, callee: CalleeFrame, scan: boolean, offer: (candidate: CallerCandidate) => boolean): void {
  const isContext = callee.index === 0;
  const eip = callee.pc;
  const lookup = isContext ? eip : eip - 1n;

  if (isContext && eip < 0x1000n) {
    // Call through a null pointer: only the return address was pushed.
    const ra = word(env, callee.sp);
    if (ra !== undefined && looksLikeReturnAddress(env, ra)) {
      const out = pick(callee.regs, X86_CARRIED);
      out.eip = ra;
      out.esp = (callee.sp + 4n) & M32;
      if (offer({ regs: out, pc: ra, sp: out.esp, trust: 'unwind-info', note: 'call through a null pointer: return address at [esp]' })) return;
    }
  }

  if (env.x86FrameInfo !== undefined) {
    let info: WinFrameInfo | undefined;
    try {
      info = env.x86FrameInfo(lookup);
    } catch {
      info = undefined;
    }
    if (info !== undefined) {
      const c = callerByWinFrameInfo(env, callee, info);
      if (c !== undefined && offer(c)) return;
    }
  }

  const cfi = callerByCfi(env, lookup, () => ({ ...callee.regs, eip, esp: callee.sp }), X86_CARRIED, X86_PC_SP);
  if (cfi !== undefined && offer(cfi)) return;

  const shadow = callerByShadowStack(env, callee, X86_SHADOW_KEEP, X86_PC_SP);
  if (shadow !== undefined && offer(shadow)) return;

  const fp = callerByEbp(env, callee);
  if (fp !== undefined && offer(fp)) return;

  if (scan) {
    const trusted = callee.trust === 'context' || callee.trust === 'cfi' || callee.trust === 'unwind-info';
    const s = callerByScan(env, callee, trusted ? SCAN_WORDS_TRUSTED : SCAN_WORDS);
    if (s !== undefined && offer(s)) return;
  }
}
