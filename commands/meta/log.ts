/**
 * `.logopen [/t] [FILE]`, `.logappend [/t] [FILE]`, `.logclose`, `.logfile`
 * (windbg-commands.md §10.4). The commands only set `session.log`; the output
 * layers (cli Output, the UI) append what they print to it, so `-logo` and
 * `.logopen` write the same log.
 */
import { appendFileSync, writeFileSync } from 'node:fs';
import { extname } from 'node:path';
import type { CommandSpec } from '../../src/interpreter/command.js';
import { CommandError } from '../../src/interpreter/command.js';
import { ok } from '../../src/results/types.js';
import type { Session } from '../../src/session/session.js';

const DEFAULT_LOG = 'Dbgeng.log';

function pad(n: number, w = 2): string {
  return String(n).padStart(w, '0');
}

/**
 * `/t`: WinDbg appends `_<PID>_<yyyy-mm-dd>_<hh-mm-ss-ms>` before the extension,
 * the PID being the debugger's own (4 hex digits, upper case), the time local.
 */
export function timestampedLogName(file: string, pid: number, now: Date): string {
  const ext = extname(file);
  const base = ext ? file.slice(0, -ext.length) : file;
  const stamp = `${pid.toString(16).toUpperCase().padStart(4, '0')}_${now.getFullYear()}-${pad(now.getMonth() + 1)}-${pad(now.getDate())}_${pad(now.getHours())}-${pad(now.getMinutes())}-${pad(now.getSeconds())}-${pad(now.getMilliseconds(), 3)}`;
  return `${base}_${stamp}${ext}`;
}

/** Options and file name of `.logopen`/`.logappend` arguments. */
export function parseLogArgs(args: string): { timestamp: boolean; unicode: boolean; file: string } {
  let timestamp = false;
  let unicode = false;
  let rest = args.trim();
  for (;;) {
    const m = /^[/-]([a-z])(?=\s|$)\s*/i.exec(rest);
    if (!m) break;
    const o = m[1]!.toLowerCase();
    if (o === 't') timestamp = true;
    else if (o === 'u') unicode = true;
    else throw new CommandError(`Unknown option '${m[0].trim()}'`);
    rest = rest.slice(m[0].length);
  }
  const file = /^"(.*)"$/.exec(rest)?.[1] ?? rest;
  return { timestamp, unicode, file: file || DEFAULT_LOG };
}

/** Closes the current log; the message WinDbg prints (none when no log is open). */
function closeLog(session: Session): string[] {
  const open = session.log;
  if (!open) return [];
  session.log = undefined;
  const line = `Closing open log file ${open.path}`;
  // The output layer appends after the command ran, when the log is already closed: the
  // closing line goes into the log it closes here.
  try {
    appendFileSync(open.path, line + '\n');
  } catch {
    // the old log became unwritable: nothing to close
  }
  return [line];
}

function openLog(session: Session, args: string, append: boolean) {
  const a = parseLogArgs(args);
  const path = a.timestamp ? timestampedLogName(a.file, process.pid, new Date()) : a.file;
  const lines = closeLog(session);
  try {
    if (append) appendFileSync(path, '');
    else writeFileSync(path, '');
  } catch {
    throw new CommandError([...lines, 'log file could not be opened']);
  }
  session.log = { path };
  lines.push(`Opened log file '${path}'`);
  return ok(lines, { type: 'log', path, append, open: true });
}

export const dotLogopenCommand: CommandSpec = {
  name: '.logopen',
  group: 'meta',
  syntax: '.logopen [/t] [/u] [FileName]',
  summary: 'Open a log file (overwrites it): everything printed from now on is copied there',
  help: '/t appends _PID_yyyy-mm-dd_hh-mm-ss-ms to the file name. The default file is Dbgeng.log. An open log is closed first.',
  noDump: true,
  examples: ['.logopen /t triage.log'],
  run(ctx, inv) {
    return openLog(ctx.session, inv.args, false);
  },
};

export const dotLogappendCommand: CommandSpec = {
  name: '.logappend',
  group: 'meta',
  syntax: '.logappend [/t] [/u] [FileName]',
  summary: 'Open a log file for appending',
  noDump: true,
  examples: ['.logappend triage.log'],
  run(ctx, inv) {
    return openLog(ctx.session, inv.args, true);
  },
};

export const dotLogcloseCommand: CommandSpec = {
  name: '.logclose',
  group: 'meta',
  syntax: '.logclose',
  summary: 'Close the log file',
  noDump: true,
  examples: ['.logclose'],
  run(ctx) {
    const lines = closeLog(ctx.session);
    return ok(lines, { type: 'log', open: false });
  },
};

export const dotLogfileCommand: CommandSpec = {
  name: '.logfile',
  group: 'meta',
  syntax: '.logfile',
  summary: 'Show the log file in use',
  noDump: true,
  examples: ['.logfile'],
  run(ctx) {
    const open = ctx.session.log;
    return ok([open ? `Log '${open.path}' open` : 'No log file open'], { type: 'log', open: !!open, ...(open ? { path: open.path } : {}) });
  },
};
