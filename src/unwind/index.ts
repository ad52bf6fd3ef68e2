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
