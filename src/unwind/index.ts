/** Stack unwinding for x64, x86 and ARM64 Windows threads. */
export { walkStack, DEFAULT_MAX_FRAMES, HARD_MAX_FRAMES, MIN_PC } from './walk.js';
export type {
  CallerCandidate, CalleeFrame, CfiRows, FrameTrust, StackFrame, UnwindEnvironment, UnwindImage, UnwindMemory, UnwindModule,
  WalkOptions, WinFrameInfo,
} from './types.js';
export { findRuntimeFunction, readUnwindInfo, unwindWithPdata, AMD64_GPR, AMD64_NONVOLATILE } from './amd64.js';
export type { RuntimeFunction, UnwindInfo } from './amd64.js';
export { evaluatePostfix, runPostfixProgram } from './postfix.js';
export type { DerefFn, PostfixOptions } from './postfix.js';
export { evaluateCfi, parseCfiRules, looksLikeReturnAddress, scanForReturnAddress } from './common.js';
export { callerByWinFrameInfo, X86_NONVOLATILE, STACK_INFO_FPO, STACK_INFO_FRAME_DATA } from './x86.js';
export { findArm64Function, unwindArm64WithPdata, stripPac, arm64CodeLength, ARM64_NONVOLATILE } from './arm64.js';
export type { Arm64RuntimeFunction } from './arm64.js';
