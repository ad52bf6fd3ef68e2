import { exceptionName } from '../../src/analysis/codes/index.js';
import type { Target } from '../../src/session/target.js';
import { hexN } from '../../src/results/hex.js';

/**
 * cdb's event line for a dump's stored exception:
 * `(1538.1144): Access violation - code c0000005 (first/second chance not available)`.
 */
export function eventLine(t: Target): { text: string; code: number } | undefined {
  const exc = t.dump.exception();
  if (!exc) return undefined;
  const code = exc.exceptionRecord.exceptionCode;
  const pid = (t.processId ?? 0).toString(16);
  const text = `(${pid}.${exc.threadId.toString(16)}): ${exceptionName(code)} - code ${hexN(code, 8)} (first/second chance not available)`;
  return { text, code };
}
