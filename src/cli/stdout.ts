import { writeSync } from 'node:fs';

/**
 * Standard output and standard error for batch runs, written with fs.writeSync.
 *
 * Creating process.stdout or process.stderr loads node:stream (and node:net
 * when the descriptor is a pipe): a few milliseconds of a batch run that
 * opens a dump, prints and quits. Writes go straight to the descriptors
 * instead, in order, as cdb writes. A stream is created only for the
 * terminal UI, line mode, and a non-blocking descriptor inherited from a
 * parent (EAGAIN), which the stream can wait on.
 */
let direct = true;
let stderrDirect = true;

/** Tests that run main() in their own process set `write` to capture what it prints. */
export const stdoutCapture: { write?: (text: string) => void } = {};
/** As stdoutCapture, for standard error. */
export const stderrCapture: { write?: (text: string) => void } = {};

/**
 * Writes all of `bytes` to descriptor fd from `done` on; returns how many were written
 * when the descriptor would block (EAGAIN) and throws any other error.
 */
function writeAll(fd: number, bytes: Buffer): number {
  let done = 0;
  try {
    while (done < bytes.length) done += writeSync(fd, bytes, done);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EAGAIN') throw e;
  }
  return done;
}

export function writeStdout(text: string): void {
  if (stdoutCapture.write) return stdoutCapture.write(text);
  if (direct) {
    const bytes = Buffer.from(text, 'utf8');
    let done: number;
    try {
      done = writeAll(1, bytes);
    } catch (e) {
      stdoutFailed((e as NodeJS.ErrnoException).code ?? String(e));
    }
    if (done === bytes.length) return;
    direct = false;
    guardedStdout().write(bytes.subarray(done));
    return;
  }
  guardedStdout().write(text);
}

/**
 * Messages for standard error (refusals, warnings). A standard error that cannot be written
 * (closed, a full disk) loses the message and nothing else: the run goes on.
 */
export function writeStderr(text: string): void {
  if (stderrCapture.write) return stderrCapture.write(text);
  if (stderrDirect) {
    const bytes = Buffer.from(text, 'utf8');
    let done: number;
    try {
      done = writeAll(2, bytes);
    } catch {
      return;
    }
    if (done === bytes.length) return;
    stderrDirect = false;
    guardedStderr().write(bytes.subarray(done));
    return;
  }
  guardedStderr().write(text);
}

let guarded = false;

/** process.stdout, with its write errors answered as writeStdout answers them. */
export function guardedStdout(): NodeJS.WriteStream {
  if (!guarded) {
    guarded = true;
    direct = false;
    process.stdout.on('error', (e: NodeJS.ErrnoException) => stdoutFailed(e.code ?? e.message));
  }
  return process.stdout;
}

let stderrGuarded = false;

/** process.stderr, whose write errors are dropped as writeStderr drops them (never an uncaught 'error'). */
export function guardedStderr(): NodeJS.WriteStream {
  if (!stderrGuarded) {
    stderrGuarded = true;
    stderrDirect = false;
    process.stderr.on('error', () => undefined);
  }
  return process.stderr;
}

/**
 * Whether process.stdout or process.stderr was made (the UI, line mode, triage, EAGAIN): their
 * writes may still be queued when main() returns, so the process must not exit before they drain.
 */
export function stdioStreamsUsed(): boolean {
  return guarded || stderrGuarded;
}

/**
 * `dumpdbg ... | head`: once the reader closes the pipe, writes fail with EPIPE. Stop quietly,
 * as other command-line tools do; any other failure is one sentence, never a stack trace.
 */
function stdoutFailed(code: string): never {
  if (code !== 'EPIPE') writeStderr(`dumpdbg: cannot write the output: ${code}\n`);
  process.exit(code === 'EPIPE' ? 0 : 1);
}
