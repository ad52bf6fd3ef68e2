import type { CommandSpec } from '../../src/interpreter/command.js';
import { requireTarget } from '../../src/interpreter/command.js';
import { walkWithModules } from '../../src/session/stack.js';
import type { StackFrame } from '../../src/session/stack.js';
import type { Target } from '../../src/session/target.js';
import { ok } from '../../src/results/types.js';
import { DEFAULT_KFRAMES, frameRows, renderStack } from '../standard/k.js';
import { threadRows, threadRowText } from '../standard/threads.js';

export interface UniqueStack {
  /** Thread index that represents the group (the first one with this stack). */
  thread: number;
  /** Every thread with exactly this stack, the representative first. */
  threads: number[];
  frames: StackFrame[];
}

/**
 * Walks every thread's own context (not .ecxr: `!uniqstack` shows the threads as the
 * dump stored them) and groups threads whose stacks have the same sequence of pcs.
 */
export async function uniqueStacks(t: Target, signal?: AbortSignal): Promise<{ stacks: UniqueStack[]; noContext: number[] }> {
  const groups = new Map<string, UniqueStack>();
  const noContext: number[] = [];
  const threads = t.threads();
  for (let i = 0; i < threads.length; i++) {
    if (signal?.aborted) break;
    const c = t.threadContext(i);
    if (!c) {
      noContext.push(i);
      continue;
    }
    const frames = await walkWithModules(t, c, i, { maxFrames: DEFAULT_KFRAMES });
    const key = frames.map((f) => f.pc.toString(16)).join(',');
    const g = groups.get(key);
    if (g) g.threads.push(i);
    else groups.set(key, { thread: i, threads: [i], frames });
  }
  return { stacks: [...groups.values()], noContext };
}

export const uniqstackCommand: CommandSpec = {
  name: '!uniqstack',
  group: 'extension',
  syntax: '!uniqstack [-b] [-v] [-n]',
  summary: 'Every distinct call stack once, with the threads that share it',
  help: 'Threads whose stacks have the same frames (same instruction pointers) are listed once; the end\nlists the duplicates. -b adds the first arguments (kb), -v the frame origin (kv), -n frame numbers.',
  examples: ['!uniqstack', '!uniqstack -n'],
  async run(ctx, inv) {
    const t = requireTarget(ctx);
    const flags = inv.args.split(/\s+/).filter(Boolean);
    const has = (f: string) => flags.some((x) => x.toLowerCase() === f);
    const variant = has('-v') ? 'v' : has('-b') ? 'b' : '';
    const numbers = has('-n');
    const total = t.threads().length;
    const lines = [`Processing ${total} threads, please wait`];
    const { stacks, noContext } = await uniqueStacks(t, ctx.signal);
    const rows = threadRows(t);
    for (const s of stacks) {
      const r = rows[s.thread];
      const th = t.thread(s.thread);
      lines.push('');
      if (r) lines.push(threadRowText(t, r));
      if (th) lines.push(`      Priority: ${th.priority}  Priority class: ${th.priorityClass}`);
      lines.push(...renderStack(t, frameRows(t, s.frames), { variant, numbers, frameSizes: false, hideSource: false }));
    }
    const dups = stacks.flatMap((s) => s.threads.slice(1)).sort((a, b) => a - b);
    lines.push('', `Total threads: ${total}`);
    lines.push(`Duplicate callstacks: ${dups.length} (windbg thread #s follow):`);
    if (dups.length) lines.push(dups.join(', '));
    if (noContext.length) lines.push(`Threads without a register context in the dump: ${noContext.join(', ')}`);
    return ok(lines, {
      type: 'uniqueStacks',
      totalThreads: total,
      stacks: stacks.map((s) => ({ thread: s.thread, threads: s.threads, threadIds: s.threads.map((i) => t.thread(i)?.threadId), frames: frameRows(t, s.frames) })),
      duplicates: dups,
      noContext,
    });
  },
};
