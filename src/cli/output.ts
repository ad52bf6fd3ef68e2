import { writeFileSync } from 'node:fs';
import type { DispatchEntry } from '../interpreter/dispatch.js';
import { renderJson, renderLines } from '../results/render-text.js';
import type { Session } from '../session/session.js';
import { logLines, logTargetOf, recordEntries } from '../session/transcript.js';
import { writeStdout } from './stdout.js';

/**
 * Where batch and line-mode output goes: stdout, plus the session's log file
 * (`-logo`/`-loga`, `.logopen`: `session.log`) and transcript (`--record`,
 * `.record`: `session.recording`). Commands only set that session state; this
 * layer (and the UI) appends what it prints.
 */
export class Output {
  readonly session: Session;
  readonly json: boolean;
  readonly echo: boolean;

  constructor(session: Session, opts: { json: boolean; echo: boolean; log?: { path: string; append: boolean } | undefined }) {
    this.session = session;
    this.json = opts.json;
    this.echo = opts.echo;
    if (opts.log) this.openLog(opts.log.path, opts.log.append);
  }

  /** Teaching notes follow each command (`--explain`, `.explain on`). */
  get explain(): boolean {
    return this.session.options.explain;
  }

  /** `-logo FILE` (truncate) / `-loga FILE` (append). Throws when the file cannot be written. */
  openLog(path: string, append: boolean): void {
    if (!append) writeFileSync(path, '');
    this.session.log = { path };
  }

  closeLog(): void {
    this.session.log = undefined;
  }

  /** Prints lines and appends them to `log` (default: the session's open log). */
  lines(lines: readonly string[], log: string | undefined = this.session.log?.path): void {
    if (!lines.length) return;
    writeStdout(lines.join('\n') + '\n');
    logLines(this.session, lines, log);
  }

  entries(entries: readonly DispatchEntry[]): void {
    for (const e of entries) {
      // Each command's output goes to the log that was open when it finished.
      const log = logTargetOf(this.session, e.result);
      if (this.json) {
        this.lines([renderJson(e.command, e.result)], log);
        continue;
      }
      if (this.echo) this.lines([`${e.prompt} ${e.command}`], log);
      this.lines(renderLines(e.result, { explain: this.explain }), log);
    }
    recordEntries(this.session, entries);
  }
}
