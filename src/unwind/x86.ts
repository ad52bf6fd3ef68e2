import type { CalleeFrame, CallerCandidate, UnwindEnvironment } from './types.js';
export function* x86Callers(env: UnwindEnvironment, callee: CalleeFrame, scan: boolean): Generator<CallerCandidate> {
  void env; void callee; void scan;
}
