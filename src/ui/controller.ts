/**
 * The impure half of the UI: runs the reducer's effects against the
 * dispatcher (the same one batch mode uses), one command at a time, and
 * feeds results back as actions. Pane refreshes go through the dispatcher too
 * but never reach the command window or the history.
 */
import type { Dispatcher } from '../interpreter/dispatch.js';
import { renderLines } from '../results/render-text.js';
import type { Action, Effect, UiState } from './state.js';
import type { ListPaneId } from './pane-data.js';
import { collectCompletion, symbolsInText } from './complete.js';
import { loadHistory, saveHistory } from './history.js';

export interface ControllerOptions {
  dispatcher: Dispatcher;
  dispatch(a: Action): void;
  /** The latest state (for refresh: which panes are open, what Memory shows). */
  state(): UiState;
  /** History file; null keeps history in memory only (tests). */
  historyFile: string | null;
  onQuit(): void;
}

/** Commands the panes are views of. */
export const PANE_COMMANDS: Record<Exclude<ListPaneId, 'memory'>, string> = {
  threads: '~',
  stack: 'kn',
  exception: '.exr -1',
  modules: 'lm',
  registers: 'r',
};

export class UiController {
  private chain: Promise<void> = Promise.resolve();
  private abort: AbortController | undefined;
  private pendingRefresh = false;
  private quit = false;

  constructor(private readonly o: ControllerOptions) {}

  /** Loads history and fills the panes; resolves when that is done. */
  start(): Promise<void> {
    if (this.o.historyFile !== null) this.o.dispatch({ type: 'historyLoaded', history: loadHistory(this.o.historyFile) });
    this.o.dispatch({ type: 'info', lines: ['dumpdbg terminal UI: F1 lists the keys, Tab moves between panes, Ctrl-D quits.', 'New to crash dumps? Type .lesson for a guided walk through an example.'] });
    this.o.dispatch({ type: 'prompt', prompt: this.prompt() });
    this.enqueue(() => this.runLine('.lastevent', true));
    this.refresh();
    return this.chain;
  }

  private prompt(): string {
    return this.o.dispatcher.session.prompt();
  }

  private enqueue(job: () => Promise<void>): void {
    this.chain = this.chain.then(job).catch((e: unknown) => {
      this.o.dispatch({ type: 'info', lines: [`Internal error: ${e instanceof Error ? e.message : String(e)}`] });
    });
  }

  /** Waits until every queued command and refresh has finished (tests). */
  idle(): Promise<void> {
    return this.chain;
  }

  handle(effects: readonly Effect[]): void {
    for (const e of effects) {
      switch (e.kind) {
        case 'run':
          this.enqueue(() => this.runLine(e.line, true));
          break;
        case 'refresh':
          this.refresh();
          break;
        case 'cancel':
          this.abort?.abort();
          break;
        case 'complete':
          this.enqueue(() => this.complete(e.input, e.cursor));
          break;
        case 'saveHistory':
          if (this.o.historyFile !== null) saveHistory(this.o.state().history, this.o.historyFile);
          break;
        case 'quit':
          if (!this.quit) {
            this.quit = true;
            this.abort?.abort();
            this.o.onQuit();
          }
          break;
      }
    }
  }

  private async runLine(line: string, echo: boolean): Promise<void> {
    if (this.quit) return;
    const d = this.o.dispatcher;
    this.abort = new AbortController();
    d.options.signal = this.abort.signal;
    d.options.progress = (message: string) => this.o.dispatch({ type: 'progress', message });
    this.o.dispatch({ type: 'commandStarted', line, echo });
    // Let the UI paint "busy" before a long synchronous command starts.
    await new Promise((r) => setImmediate(r));
    try {
      const entries = await d.dispatch(line);
      d.sink(entries);
      if (this.abort.signal.aborted) entries.push({ command: line, prompt: this.prompt(), result: { blocks: [{ kind: 'warning', lines: ['Cancelled (Ctrl-C)'] }] } });
      this.o.dispatch({ type: 'commandFinished', entries, prompt: this.prompt(), echo });
    } finally {
      delete d.options.signal;
      delete d.options.progress;
      this.abort = undefined;
    }
  }

  /** Re-reads every visible pane's command (coalesced: one refresh per burst of changes). */
  refresh(): void {
    if (this.pendingRefresh) return;
    this.pendingRefresh = true;
    this.enqueue(async () => {
      this.pendingRefresh = false;
      if (this.quit) return;
      const s = this.o.state();
      const panes: [ListPaneId, string][] = [
        ['threads', PANE_COMMANDS.threads],
        ['stack', PANE_COMMANDS.stack],
        ['exception', PANE_COMMANDS.exception],
        ['modules', PANE_COMMANDS.modules],
      ];
      if (s.open.registers) panes.push(['registers', PANE_COMMANDS.registers]);
      if (s.open.memory) panes.push(['memory', s.memoryCommand]);
      for (const [pane, command] of panes) {
        // Pane views are not the learner's commands: no lesson progress, no teaching notes.
        const entries = await this.o.dispatcher.quietly(() => this.o.dispatcher.dispatch(command));
        const result = entries[entries.length - 1]?.result ?? { blocks: [], failed: true };
        this.o.dispatch({ type: 'pane', pane, result, command });
      }
      this.o.dispatch({ type: 'prompt', prompt: this.prompt() });
    });
  }

  private async complete(input: string, cursor: number): Promise<void> {
    const s = this.o.state();
    const reg = this.o.dispatcher.registry;
    const commands = reg.commands.flatMap((c) => [c.name, ...(c.aliases ?? [])]);
    const hasX = reg.find('x') !== undefined;
    const completion = await collectCompletion(input, cursor, {
      commands,
      modules: s.panes.modules.items.map((m) => m.name),
      ...(hasX
        ? {
            symbols: async (mod: string, prefix: string) => {
              // Symbol names come from `x`, run like a pane refresh (not echoed, not in history).
              if (/[\s;*?]/.test(mod + prefix)) return [];
              const entries = await this.o.dispatcher.quietly(() => this.o.dispatcher.dispatch(`x ${mod}!${prefix}*`));
              return entries.flatMap((e) => symbolsInText(renderLines(e.result)));
            },
          }
        : {}),
    });
    this.o.dispatch({ type: 'completed', completion, input, cursor });
  }
}
