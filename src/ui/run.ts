/**
 * Entry point of the terminal UI (loaded lazily by src/cli/main.ts when stdin
 * and stdout are terminals). Full screen on the alternate screen buffer, which
 * is restored on quit, on a crash and on SIGTERM/SIGHUP.
 */
import { createElement } from 'react';
import { render } from 'ink';
import type { Dispatcher } from '../interpreter/dispatch.js';
import { App } from './App.js';
import { historyPath } from './history.js';
import { colorSupported } from './theme.js';

const ENTER_ALT = '\u001b[?1049h\u001b[H';
const LEAVE_ALT = '\u001b[?25h\u001b[?1049l';

export interface RunUiOptions {
  stdout?: NodeJS.WriteStream;
  stdin?: NodeJS.ReadStream;
  historyFile?: string | null;
}

/** Runs the UI until the user quits. */
export async function runUi(dispatcher: Dispatcher, opts: RunUiOptions = {}): Promise<void> {
  const stdout = opts.stdout ?? process.stdout;
  const stdin = opts.stdin ?? process.stdin;
  let restored = false;
  const restore = () => {
    if (restored) return;
    restored = true;
    try {
      stdout.write(LEAVE_ALT);
    } catch {
      // The terminal is gone.
    }
  };
  const onExit = () => restore();
  const onSignal = (sig: NodeJS.Signals) => {
    restore();
    process.exit(sig === 'SIGTERM' ? 143 : 129);
  };
  const onCrash = (e: unknown) => {
    restore();
    process.stderr.write(`dumpdbg: internal error in the terminal UI: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exit(1);
  };
  process.on('exit', onExit);
  process.on('SIGTERM', onSignal);
  process.on('SIGHUP', onSignal);
  process.on('uncaughtException', onCrash);
  process.on('unhandledRejection', onCrash);
  stdout.write(ENTER_ALT);
  try {
    const instance = render(createElement(App, { dispatcher, historyFile: opts.historyFile === undefined ? historyPath() : opts.historyFile, color: colorSupported(process.env, stdout) }), {
      stdout,
      stdin,
      exitOnCtrlC: false,
      patchConsole: true,
      incrementalRendering: false,
    });
    await instance.waitUntilExit();
    instance.cleanup();
  } finally {
    restore();
    process.off('exit', onExit);
    process.off('SIGTERM', onSignal);
    process.off('SIGHUP', onSignal);
    process.off('uncaughtException', onCrash);
    process.off('unhandledRejection', onCrash);
  }
}
