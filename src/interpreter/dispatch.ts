import { isFormatError } from '../bytes/errors.js';
import type { CommandResult, ResultData } from '../results/types.js';
import { fail } from '../results/types.js';
import type { Session } from '../session/session.js';
import type { CommandContext, Invocation } from './command.js';
import { CommandError, NoTargetError } from './command.js';
import { afterCommand, quietly } from './explain.js';
import { sinkEntries } from './sinks.js';
import type { CommandRegistry } from './registry.js';
import { parseThreadPrefix, splitCommands } from './split.js';
import { formatCommandError, formatUnknownExtension } from './errors.js';

/** One executed command: what was run (as typed) and what it returned. */
export interface DispatchEntry {
  command: string;
  /** The prompt that was current when the command started (for echo and transcripts). */
  prompt: string;
  result: CommandResult;
}

export interface DispatcherOptions {
  mode: 'batch' | 'interactive';
  /**
   * Whether anything reads results' structured `data` (default true; batch text output does
   * not, --json and the UI do). When false, a `~*` (or `~#`, `~N` ...) prefix over several
   * threads keeps no per-thread records (`~*k` on 257 threads then leaves a fifth less to the
   * garbage collector), and commands may leave out fields only the data carries (see
   * CommandContext.resultData).
   */
  resultData?: boolean;
  signal?: AbortSignal;
  progress?(message: string): void;
}

/**
 * The one dispatcher batch mode, scripts and the UI share: splits a line into
 * commands, applies thread prefixes, finds each command in the table and runs it.
 * Never throws: every failure becomes an error block.
 */
export class Dispatcher {
  readonly session: Session;
  readonly registry: CommandRegistry;
  readonly options: DispatcherOptions;
  private depth = 0;

  constructor(session: Session, registry: CommandRegistry, options: DispatcherOptions = { mode: 'batch' }) {
    this.session = session;
    this.registry = registry;
    this.options = options;
  }

  /** What every command is given: the same for each (`~*k` runs two commands per thread). */
  private commandContext: CommandContext | undefined;

  private context(): CommandContext {
    if (this.commandContext !== undefined) return this.commandContext;
    const ctx: CommandContext = {
      session: this.session,
      mode: this.options.mode,
      dispatch: async (line: string) => (await this.dispatch(line)).map((e) => e.result),
    };
    if (this.options.signal) ctx.signal = this.options.signal;
    if (this.options.progress) ctx.progress = this.options.progress;
    if (this.options.resultData === false) ctx.resultData = false;
    this.commandContext = ctx;
    return ctx;
  }

  /** Runs every command of a line; stops after `q`. */
  async dispatch(line: string): Promise<DispatchEntry[]> {
    const out: DispatchEntry[] = [];
    if (this.depth > 32) return [{ command: line, prompt: this.session.prompt(), result: fail(['Command nesting too deep']) }];
    this.depth++;
    try {
      for (const command of splitCommands(line)) {
        const prompt = this.session.prompt();
        const result = await this.runOne(command);
        afterCommand(this.session, command, result);
        out.push({ command, prompt, result });
        if (result.quit) break;
      }
    } finally {
      this.depth--;
    }
    return out;
  }

  /**
   * Runs `fn` with teaching notes and observers off (completion lookups, pane refreshes).
   * The UI calls this method rather than importing explain.ts: it is loaded as a separate
   * ES module beside the bundled CLI, and must share this module's state, not a copy of it.
   */
  quietly<T>(fn: () => Promise<T>): Promise<T> {
    return quietly(this.session, fn);
  }

  /** Sends entries to the open log and recording (what batch output does after each command). */
  sink(entries: readonly DispatchEntry[]): void {
    sinkEntries(this.session, entries);
  }

  /** Runs one command (no `;`), with an optional thread prefix. */
  async runOne(command: string): Promise<CommandResult> {
    const text = command.trim();
    if (!text) return { blocks: [] };
    const prefixed = parseThreadPrefix(text);
    if (prefixed && prefixed.command) {
      const tilde = this.registry.find('~');
      // `~3s`, `~*`, `~` alone, `~3 e cmd` are the thread command's own business when
      // the rest is empty or `s`; otherwise it is a prefix in front of another command.
      if (tilde && (prefixed.rest === '' || /^[sfu]$/i.test(prefixed.rest))) return this.invoke(text, tilde, '~', text.slice(1));
      return this.withThreads(prefixed.threads, prefixed.rest, prefixed.execute);
    }
    if (prefixed) {
      const tilde = this.registry.find('~');
      if (tilde) return this.invoke(text, tilde, '~', text.slice(1));
    }
    const resolved = this.registry.resolve(text);
    if (!resolved) return unknownCommand(text);
    return this.invoke(text, resolved.spec, resolved.token, resolved.args);
  }

  private async withThreads(sel: ThreadSelection, rest: string, execute: boolean): Promise<CommandResult> {
    const target = this.session.target;
    if (!target) return fail([new NoTargetError().message]);
    const resolved = this.registry.resolve(rest);
    if (!resolved) return unknownCommand(rest);
    const indices = selectThreads(this.session, sel);
    if (indices === undefined) return fail([`Illegal thread error in '${rest}'`]);
    const saved = { thread: target.currentThread, scope: target.scope, frame: target.frameIndex, frameContext: target.frameContext };
    const blocks: CommandResult['blocks'] = [];
    const perThread: { threadIndex: number; threadId: number | undefined; data: ResultData | undefined }[] = [];
    let failed = false;
    try {
      const tilde = this.registry.find('~');
      for (const i of indices) {
        // `~* k` prints each thread's `~` row before its output; `~*e cmd` does not. The row
        // comes from the `~` command itself, asked while the original thread is still current
        // so its `.`/`#` markers are the ones `~` would print.
        if (sel.kind === 'all' && !execute && tilde) {
          target.currentThread = saved.thread;
          const row = await this.invoke(`~${i}`, tilde, '~', String(i));
          blocks.push({ kind: 'text', lines: [''] }, ...row.blocks);
        }
        target.currentThread = i;
        target.scope = { kind: 'thread' };
        target.frameIndex = 0;
        const r = await this.invoke(rest, resolved.spec, resolved.token, resolved.args);
        blocks.push(...r.blocks);
        if (this.options.resultData !== false || indices.length === 1) perThread.push({ threadIndex: i, threadId: target.thread(i)?.threadId, data: r.data });
        failed ||= !!r.failed;
      }
    } finally {
      target.currentThread = saved.thread;
      target.scope = saved.scope;
      target.frameIndex = saved.frame;
      // Assigning the scope clears a `.frame /c` context; a prefix must leave it as it was.
      target.frameContext = saved.frameContext;
    }
    // One thread: its command's own data; several: one record per thread (for --json and the UI).
    const data: ResultData | undefined =
      indices.length === 1 ? perThread[0]?.data : this.options.resultData !== false ? { type: 'perThread', command: rest, threads: perThread } : undefined;
    const out: CommandResult = { blocks };
    if (data) out.data = data;
    if (failed) out.failed = true;
    return out;
  }

  private async invoke(raw: string, spec: import('./command.js').CommandSpec, token: string, args: string): Promise<CommandResult> {
    const inv: Invocation = { token, args, raw };
    try {
      if (!spec.noDump && !this.session.target) throw new NoTargetError();
      const result = await spec.run(this.context(), inv);
      // Symbol-load warnings print before the output of the command that needed the module.
      // Without a symbol path nothing was searched, so there is nothing to report (and plain
      // state commands such as `.exr -1` keep their exact output).
      const target = this.session.target;
      if (target?.hasLoadMessages()) {
        const wantNotes = this.session.noisySymbols || this.session.options.symbolPath.trim() !== '';
        const notes = target.drainLoadMessages(this.session.noisySymbols);
        if (wantNotes && notes.length) result.blocks.unshift({ kind: 'warning', lines: notes });
      }
      return result;
    } catch (e) {
      return errorResult(e);
    }
  }
}

export type ThreadSelection = ReturnType<typeof parseThreadPrefix> extends infer P ? (P extends { threads: infer T } ? T : never) : never;

function selectThreads(session: Session, sel: ThreadSelection): number[] | undefined {
  const t = session.target;
  if (!t) return undefined;
  const n = t.threads().length;
  switch (sel.kind) {
    case 'all':
      return Array.from({ length: n }, (_, i) => i);
    case 'current':
      return [t.currentThread];
    case 'event':
      return [t.eventThread];
    case 'index':
      return sel.value !== undefined && sel.value < n ? [sel.value] : undefined;
    case 'tid': {
      const i = sel.value === undefined ? undefined : t.threadIndexByTid(sel.value);
      return i === undefined ? undefined : [i];
    }
  }
}



function unknownCommand(text: string): CommandResult {
  const token = text.split(/\s/)[0] ?? text;
  if (token.startsWith('!')) return fail(formatUnknownExtension(token.slice(1)));
  return fail(formatCommandError('Syntax', text, 1));
}

/** Turns anything a command threw into WinDbg-style error lines; never a stack trace. */
export function errorResult(e: unknown): CommandResult {
  if (e instanceof CommandError) return fail(e.lines);
  if (e instanceof NoTargetError) return fail([e.message]);
  if (isFormatError(e)) return fail([e.message]);
  if (e && typeof e === 'object' && 'lines' in e && Array.isArray((e as { lines: unknown }).lines)) return fail((e as { lines: string[] }).lines);
  const msg = e instanceof Error ? e.message : String(e);
  return fail([`Internal error: ${msg}`]);
}
