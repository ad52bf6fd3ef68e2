/**
 * `!analyze` for a dump with an exception: what happened (exception.ts),
 * on which thread, in whose code (blame.ts), and the WinDbg-style names
 * (SYMBOL_NAME, MODULE_NAME, IMAGE_NAME, FAILURE_BUCKET_ID) that follow.
 */
import type { BlameResult } from './blame.js';
import { pickBlameFrame } from './blame.js';
import type { ExceptionAnalysis } from './exception.js';
import { analyzeException } from './exception.js';
import type { RecursionInfo } from './recursion.js';
import { findRecursion } from './recursion.js';
import type { AnalysisFrame, AnalysisModule, AnalysisTarget, AnalysisThread } from './target.js';
import { frameText } from './target.js';

export interface FailureNames {
  /** `crashlab!parse_request+68` style as WinDbg prints SYMBOL_NAME (`mod!fn+hex` without 0x), or `mod+hex`. */
  symbolName: string;
  moduleName: string;
  imageName: string;
  /** `<problem class>_<code>_<image>!<function or Unknown>`. */
  bucketId: string;
}

export interface CrashAnalysis {
  exception: ExceptionAnalysis;
  thread: AnalysisThread | undefined;
  frames: AnalysisFrame[];
  blame?: BlameResult;
  recursion?: RecursionInfo;
  names: FailureNames;
  /** One line per finding, for newcomers. */
  explain: string[];
}

const SKIP_WORDS: Record<string, string> = {
  'no-module': 'is not in any module',
  helper: 'only raises, dispatches or reports the failure',
  runtime: 'is OS or runtime code',
};

/** SYMBOL_NAME / MODULE_NAME / IMAGE_NAME / FAILURE_BUCKET_ID for a blamed frame. */
export function failureNames(frame: AnalysisFrame | undefined, modules: readonly AnalysisModule[], problemClass: string, codeHex: string): FailureNames {
  const m = frame?.module ? modules.find((x) => x.name === frame.module) : undefined;
  const moduleName = frame?.module ?? 'Unknown_Module';
  const imageName = m?.imageName ?? (frame?.module ? `${frame.module}` : 'Unknown_Image');
  let symbolName: string;
  if (!frame) symbolName = 'Unknown';
  else if (frame.module && frame.symbol) symbolName = `${frame.module}!${frame.symbol}+${frame.displacement.toString(16)}`;
  else if (frame.module) symbolName = `${frame.module}+${frame.displacement.toString(16)}`;
  else symbolName = 'Unknown';
  const fn = frame?.symbol ?? 'Unknown';
  return { symbolName, moduleName, imageName, bucketId: `${problemClass}_${codeHex}_${imageName}!${fn}` };
}

/** Analyzes the dump's stored exception. Undefined when the dump has none. */
export function analyzeCrash(t: AnalysisTarget): CrashAnalysis | undefined {
  const exc = t.exception;
  if (!exc) return undefined;
  const ea = analyzeException(t, exc.record);
  const thread = exc.threadIndex >= 0 ? t.threads[exc.threadIndex] : exc.thread;
  const frames = thread?.frames ?? [];
  const explain: string[] = [];
  explain.push(`What happened: ${ea.summary}`);
  let blame: BlameResult | undefined;
  let recursion: RecursionInfo | undefined;
  if ((exc.record.exceptionCode >>> 0) === 0xc00000fd) {
    recursion = findRecursion(frames);
    if (recursion) {
      const first = recursion.cycle.join(' → ');
      ea.sections.push(['RECURSION', `${first} (${recursion.repeats} times${recursion.bytesPerCycle ? `, 0x${recursion.bytesPerCycle.toString(16)} bytes of stack each` : ''})`]);
      ea.keyValues.push(['StackOverflow.Recursion', `${recursion.cycle.join(' -> ')} x${recursion.repeats}`]);
      explain.push(`Recursion: ${first} repeats ${recursion.repeats} times on the stack${recursion.bytesPerCycle ? ` using 0x${recursion.bytesPerCycle.toString(16)} bytes per call` : ''}${recursion.entry ? `; it was entered from ${frameText(recursion.entry)}` : ''}. Look for a missing or unreachable base case.`);
      // Blame the recursive function itself: the first own-code frame of the cycle.
      const cycleFrames = frames.slice(recursion.start, recursion.start + recursion.cycle.length);
      const inner = pickBlameFrame(cycleFrames, t.modules);
      if (inner) blame = { ...inner, index: inner.index + recursion.start, rule: 'recursion', skipped: [] };
    } else if (frames.length) {
      explain.push('No repeating call pattern was found on the captured stack: a large local buffer (or alloca) may have used the stack up, or the stack was only partly captured.');
    }
  }
  blame ??= pickBlameFrame(frames, t.modules);
  if (blame) {
    const where = frameText(blame.frame);
    if (blame.rule === 'recursion') explain.push(`Blamed ${where}: the function that recursed until the stack ran out.`);
    else if (blame.index === 0) explain.push(`Blamed ${where}: the faulting instruction is in the program's own code.`);
    else {
      const skipped = blame.skipped.map((s) => `${frameText(frames[s.index]!)} (${SKIP_WORDS[s.reason]})`).join(', ');
      const why = blame.rule === 'first-own-code' ? 'the first frame in the program\'s own code' : blame.rule === 'first-non-helper' ? 'every frame is OS or runtime code; this is the first that does more than report the failure' : 'nothing better was found';
      explain.push(`Blamed ${where}: ${why}. Skipped ${skipped}.`);
    }
    if (blame.frame.source) explain.push(`Source: ${blame.frame.source.file} line ${blame.frame.source.line}.`);
  } else {
    explain.push(thread ? 'The faulting thread has no stack in this dump, so no frame can be blamed.' : 'The faulting thread is not in the thread list.');
  }
  const names = failureNames(blame?.frame, t.modules, ea.problemClass, ea.codeHex);
  explain.push(...ea.explain);
  const tn = exc.threadIndex >= 0 ? exc.threadIndex : -1;
  explain.push(`Next: \`~${tn}s; .ecxr; kb\` shows the faulting stack with arguments; \`.frame N\` + \`dv\` for locals (needs private symbols); \`lmvm ${names.moduleName}\` for the module's version.`);
  const out: CrashAnalysis = { exception: ea, thread, frames, names, explain };
  if (blame) out.blame = blame;
  if (recursion) out.recursion = recursion;
  return out;
}
