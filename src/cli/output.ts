import { appendFileSync, writeFileSync } from 'node:fs';
import type { DispatchEntry } from '../interpreter/dispatch.js';
import { renderJson, renderLines } from '../results/render-text.js';

/** Where batch and line-mode output goes: stdout plus an optional log file (-logo/-loga, .logopen). */
export class Output {
  private logPath: string | undefined;
  readonly json: boolean;
  readonly echo: boolean;
  explain: boolean;

  constructor(opts: { json: boolean; echo: boolean; explain: boolean; log?: { path: string; append: boolean } | undefined }) {
    this.json = opts.json;
    this.echo = opts.echo;
    this.explain = opts.explain;
    if (opts.log) this.openLog(opts.log.path, opts.log.append);
  }

  openLog(path: string, append: boolean): void {
    if (!append) writeFileSync(path, '');
    this.logPath = path;
  }

  closeLog(): void {
    this.logPath = undefined;
  }

  lines(lines: readonly string[]): void {
    if (!lines.length) return;
    const s = lines.join('\n') + '\n';
    process.stdout.write(s);
    if (this.logPath) appendFileSync(this.logPath, s);
  }

  entries(entries: readonly DispatchEntry[]): void {
    for (const e of entries) {
      if (this.json) {
        this.lines([renderJson(e.command, e.result)]);
        continue;
      }
      if (this.echo) this.lines([`${e.prompt} ${e.command}`]);
      this.lines(renderLines(e.result, { explain: this.explain }));
    }
  }
}
