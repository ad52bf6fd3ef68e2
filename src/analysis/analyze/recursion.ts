/**
 * Finds runaway recursion on a stack (for 0xC00000FD): the repeating cycle
 * of functions (direct `f → f` or mutual `f → g → f`) that fills the stack.
 */
import type { AnalysisFrame } from './target.js';
import { frameText } from './target.js';

export interface RecursionInfo {
  /** Functions of one cycle, outermost call last (`crashlab!recurse`). */
  cycle: string[];
  /** How many times the cycle repeats consecutively. */
  repeats: number;
  /** Index of the first frame of the repeating run, and one past its last. */
  start: number;
  end: number;
  /** Stack bytes one cycle uses (from the frames' stack pointers), when measurable. */
  bytesPerCycle?: number;
  /** The frame that entered the recursion (the first frame below the run), when the walk got there. */
  entry?: AnalysisFrame;
}

/** A frame's function identity: `mod!fn` when named, else its start address, else its pc. */
function key(f: AnalysisFrame): string {
  if (f.module && f.symbol) return `${f.module}!${f.symbol}`;
  if (f.symbolStart !== undefined) return `0x${f.symbolStart.toString(16)}`;
  return frameText(f);
}

/**
 * The longest run of a repeating cycle of length 1..maxPeriod with at least
 * `minRepeats` repetitions; undefined when there is none.
 */
export function findRecursion(frames: readonly AnalysisFrame[], minRepeats = 8, maxPeriod = 8): RecursionInfo | undefined {
  const keys = frames.map(key);
  let best: { start: number; period: number; repeats: number } | undefined;
  for (let period = 1; period <= maxPeriod; period++) {
    let i = 0;
    while (i + period < keys.length) {
      let j = i;
      while (j + period < keys.length && keys[j] === keys[j + period]) j++;
      const runLength = j - i + period;
      const repeats = Math.floor(runLength / period);
      // A cycle of `period` must not itself be a shorter cycle repeated (f f f with period 2).
      const cycle = keys.slice(i, i + period);
      const primitive = period === 1 || !cycle.every((k) => k === cycle[0]);
      if (primitive && repeats >= minRepeats && (!best || repeats * period > best.repeats * best.period)) best = { start: i, period, repeats };
      i = j > i ? j : i + 1;
    }
  }
  if (!best) return undefined;
  const end = best.start + best.repeats * best.period;
  const out: RecursionInfo = {
    cycle: keys.slice(best.start, best.start + best.period),
    repeats: best.repeats,
    start: best.start,
    end,
  };
  const a = frames[best.start + best.period];
  const b = frames[best.start + 2 * best.period];
  if (a && b && b.sp > a.sp) out.bytesPerCycle = Number(b.sp - a.sp);
  const entry = frames[end];
  if (entry) out.entry = entry;
  return out;
}
