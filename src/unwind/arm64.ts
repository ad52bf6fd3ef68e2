import type { CalleeFrame, CallerCandidate, UnwindEnvironment } from './types.js';
export function* arm64Callers(env: UnwindEnvironment, callee: CalleeFrame, scan: boolean): Generator<CallerCandidate> {
  void env; void callee; void scan;
}
