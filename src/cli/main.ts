import { readFileSync } from 'node:fs';
import { builtinCommands } from '../../commands/index.js';
import { repeatLineFor } from '../../commands/standard/d.js';
import { openBanner } from '../../commands/meta/open-banner.js';
import { nodeReadline, nodeTty } from '../bytes/builtins.js';
import { isFormatError } from '../bytes/errors.js';
import { Dispatcher } from '../interpreter/dispatch.js';
import { CommandRegistry } from '../interpreter/registry.js';
import { Session } from '../session/session.js';
import { parseCli, USAGE, UsageError } from './argv.js';
import type { CliOptions } from './argv.js';
import { Output } from './output.js';
import { guardedStderr, guardedStdout, stdioStreamsUsed, writeStderr, writeStdout } from './stdout.js';
import { escapeControl, renderJsonError, renderLines } from '../results/render-text.js';
import { startRecording } from '../session/transcript.js';
import { replayMain } from './replay.js';

export const VERSION = '0.1.0';

/**
 * How main loads the modules it imports on demand (the UI, triage). bin.cts passes its own
 * `import()`: the bundle runs inside vm.Script, and an import() made from there hung on ink's
 * top-level await (yoga-layout compiling its WASM) under Node 20, so the UI never came up.
 */
export type ImportModule = (url: string) => Promise<unknown>;

/**
 * Whether the process may exit as soon as main() has returned: true when everything was written
 * with fs.writeSync (batch runs), false once a stdio stream was made (its writes may be queued).
 */
export function canExitAtOnce(): boolean {
  return !stdioStreamsUsed();
}

/** Runs the program; resolves to the exit code (0 ok, 1 unreadable dump, 2 bad arguments). */
export async function main(argv: readonly string[], importModule: ImportModule = (url) => import(url)): Promise<number> {
  // `dumpdbg triage DIR|FILES... [--json] [--jobs N]`: its own options; loaded only when used.
  if (argv[0] === 'triage') {
    // An absolute URL: from the bundle (see bin.cts), a relative one would resolve against the entry.
    const triageModule = new URL('./triage.js', import.meta.url).href;
    const { triageMain } = (await importModule(triageModule)) as { triageMain: (args: readonly string[]) => Promise<number> };
    // Triage writes through the streams: made here with their error handlers, and marked as used so
    // that the process waits for them at the end.
    guardedStdout();
    guardedStderr();
    return triageMain(argv.slice(1));
  }
  let opts: CliOptions;
  try {
    opts = parseCli(argv);
  } catch (e) {
    if (e instanceof UsageError) {
      writeStderr(`dumpdbg: ${e.message}\n${USAGE}\n`);
      // --json callers read stdout: the refusal is a JSON record there too.
      if (argv.includes('--json') || argv.includes('-json')) writeStdout(renderJsonError(e.message, { type: 'usageError' }) + '\n');
      return 2;
    }
    throw e;
  }
  if (opts.help) {
    writeStdout(USAGE + '\n');
    return 0;
  }
  if (opts.version) {
    writeStdout(`dumpdbg ${VERSION}\n`);
    return 0;
  }
  if (opts.replay !== undefined) return replayMain(opts);
  const dumps = [...opts.dumps, ...opts.positional];
  if (dumps.length === 0) {
    writeStderr(`dumpdbg: no dump given\n${USAGE}\n`);
    if (opts.json) writeStdout(renderJsonError('no dump given', { type: 'usageError' }) + '\n');
    return 2;
  }

  const session = new Session({
    ...(opts.symbolPath !== undefined ? { symbolPath: opts.symbolPath } : {}),
    ...(opts.imagePath !== undefined ? { imagePath: opts.imagePath } : {}),
    explain: opts.explain,
  });
  for (const d of dumps) {
    try {
      // Messages and file names may carry dump or archive strings: escaped like all output.
      await session.openSpec(d, (m) => writeStderr(`${escapeControl(m)}\n`));
    } catch (e) {
      const message = isFormatError(e) || e instanceof Error ? e.message : String(e);
      writeStderr(`dumpdbg: ${escapeControl(message)}\n`);
      if (opts.json) writeStdout(renderJsonError(message, { type: 'openError', path: d, ...(isFormatError(e) ? { kind: e.kind, offset: e.offset } : {}) }) + '\n');
      session.close();
      return 1;
    }
  }
  if (session.targets.length > 1) session.current = 0;

  // A run whose commands end in `q` never reads stdin: the stdin stream (a few ms) is not made then.
  // Any other run makes it here, early: when ink was the first to touch process.stdin, the UI
  // never came up (its module graph did not finish loading; seen in the tmux end-to-end test).
  const interactive = !opts.commands?.match(/(^|;)\s*q{1,2}\s*$/) && Boolean(process.stdin.isTTY);
  let out: Output;
  try {
    out = new Output(session, { json: opts.json, echo: opts.echo, log: opts.logFile });
    if (opts.record !== undefined) startRecording(session, opts.record, opts.redact);
  } catch (e) {
    writeStderr(`dumpdbg: cannot write ${(e as NodeJS.ErrnoException).path ?? ''}: ${(e as NodeJS.ErrnoException).code ?? String(e)}\n`);
    return finish(session, 2);
  }
  // Results' structured data is for --json (and the UI, which has its own dispatcher); text output renders the blocks alone.
  const dispatcher = new Dispatcher(session, new CommandRegistry(builtinCommands), { mode: interactive ? 'interactive' : 'batch', resultData: opts.json === true });

  if (!opts.json) for (const t of session.targets) out.lines(renderLines(await openBanner(session, t)));

  const run = async (line: string): Promise<boolean> => {
    const entries = await dispatcher.dispatch(line);
    out.entries(entries);
    return entries.some((e) => e.result.quit);
  };

  if (opts.commands !== undefined) {
    if (!opts.json) out.lines([`${session.prompt()} cdb: Reading initial command '${escapeControl(opts.commands)}'`]);
    if (await run(opts.commands)) return finish(session);
  }
  for (const file of opts.commandFiles) {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (e) {
      writeStderr(`dumpdbg: cannot read script ${file}: ${(e as NodeJS.ErrnoException).code ?? String(e)}\n`);
      return finish(session, 2);
    }
    const lines = text.split(/\r?\n/);
    for (let i = 0; i < lines.length; i++) {
      const line = lines[i]!;
      const entries = await dispatcher.dispatch(line);
      for (const e of entries) if (e.result.failed) e.result.blocks.unshift({ kind: 'error', lines: [`${file}:${i + 1}: error in '${e.command}'`] });
      out.entries(entries);
      if (entries.some((e) => e.result.quit)) return finish(session);
    }
  }

  if (interactive && nodeTty().isatty(1) && !opts.plain && !opts.json) {
    // ink renders only the final frame when CI or CONTINUOUS_INTEGRATION is set (its is-in-ci
    // check runs when ink loads). Both stdin and stdout are terminals here, so a person is
    // watching (a CI job that opens a terminal, as the tmux test does): drop them before loading.
    delete process.env['CI'];
    delete process.env['CONTINUOUS_INTEGRATION'];
    // The UI (ink + React) loads only when it is used: batch runs stay fast.
    // ink is ES-module only (yoga-layout awaits its WASM at top level), so the UI stays a separate ES module.
    const uiModule = new URL('../ui/run.js', import.meta.url).href;
    const { runUi } = (await importModule(uiModule).catch(() => ({ runUi: undefined }))) as { runUi?: (d: Dispatcher) => Promise<void> };
    if (runUi) {
      guardedStdout();
      guardedStderr();
      await runUi(dispatcher);
      return finish(session);
    }
  }
  await lineMode(session, run);
  return finish(session);
}

/** cdb-style line REPL: prompt, read, dispatch, print; also reads piped stdin to EOF. */
async function lineMode(session: Session, run: (line: string) => Promise<boolean>): Promise<void> {
  const tty = Boolean(process.stdin.isTTY);
  const rl = nodeReadline().createInterface({ input: process.stdin, output: tty ? guardedStdout() : undefined, terminal: tty });
  if (tty) {
    rl.setPrompt(session.prompt() + ' ');
    rl.prompt();
  }
  let last = '';
  for await (const raw of rl) {
    // Enter on an empty line repeats the last command; d* commands continue where they ended.
    const line = raw.trim() === '' && tty ? repeatLineFor(last) : raw;
    last = line;
    if (await run(line)) break;
    if (tty) {
      rl.setPrompt(session.prompt() + ' ');
      rl.prompt();
    }
  }
  rl.close();
}

function finish(session: Session, code = 0): number {
  // DUMPDBG_STATS=1: how much of each dump was read (the benchmark reports it next to the size).
  if (process.env['DUMPDBG_STATS'] === '1') {
    for (const t of session.targets) writeStderr(`bytes read: ${t.dump.source.bytesRead} of ${t.dump.source.size} (${t.path})\n`);
  }
  session.close();
  return code;
}
