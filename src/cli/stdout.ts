import { writeSync } from 'node:fs';

/**
 * Standard output and standard error for batch runs, written with fs.writeSync.
 *
 * Creating process.stdout or process.stderr loads node:stream (and node:net
 * when the descriptor is a pipe): a few milliseconds of a batch run that
 * opens a dump, prints and quits. Writes go straight to the descriptors
 * instead, in order, as cdb writes. A stream is created only for the
 * terminal UI, line mode, triage, and a non-blocking descriptor inherited
 * from a parent (EAGAIN), which the stream can wait on.
 */
interface Channel {
  fd: 1 | 2;
  /** Whether the stream was made (with its error handler); until then writes use writeSync. */
  streamed: boolean;
  /** Tests that run main() in their own process set `write` to capture what it prints. */
  capture: { write?: (text: string) => void };
  stream(): NodeJS.WriteStream;
  /** A write failed with `code` (not EAGAIN). */
  failed(code: string): void;
}

const stdout: Channel = {
  fd: 1,
  streamed: false,
  capture: {},
  stream: () => process.stdout,
  failed: (code) => stdoutFailed(code),
};

const stderr: Channel = {
  fd: 2,
  streamed: false,
  capture: {},
  stream: () => process.stderr,
  // A standard error that cannot be written (closed, a full disk) loses the message and nothing else.
  failed: () => undefined,
};

export const stdoutCapture = stdout.capture;
export const stderrCapture = stderr.capture;

/**
 * Writes all of `bytes` to descriptor fd; returns how many were written when the descriptor
 * would block (EAGAIN) and throws any other error.
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

function write(c: Channel, text: string): void {
  if (c.capture.write) return c.capture.write(text);
  if (c.streamed) {
    guarded(c).write(text);
    return;
  }
  const bytes = Buffer.from(text, 'utf8');
  let done: number;
  try {
    done = writeAll(c.fd, bytes);
  } catch (e) {
    c.failed((e as NodeJS.ErrnoException).code ?? String(e));
    return;
  }
  // EAGAIN: the rest goes through the stream, which waits for the descriptor.
  if (done < bytes.length) guarded(c).write(bytes.subarray(done));
}

/** The channel's stream, with its write errors answered as the direct writes answer them. */
function guarded(c: Channel): NodeJS.WriteStream {
  const s = c.stream();
  if (!c.streamed) {
    c.streamed = true;
    s.on('error', (e: NodeJS.ErrnoException) => c.failed(e.code ?? e.message));
  }
  return s;
}

export function writeStdout(text: string): void {
  write(stdout, text);
}

/** Messages for standard error (refusals, warnings). */
export function writeStderr(text: string): void {
  write(stderr, text);
}

/** process.stdout, with its write errors answered as writeStdout answers them. */
export function guardedStdout(): NodeJS.WriteStream {
  return guarded(stdout);
}

/** process.stderr, whose write errors are dropped as writeStderr drops them (never an uncaught 'error'). */
export function guardedStderr(): NodeJS.WriteStream {
  return guarded(stderr);
}

/**
 * Whether process.stdout or process.stderr was made (the UI, line mode, triage, EAGAIN): their
 * writes may still be queued when main() returns, so the process must not exit before they drain.
 */
export function stdioStreamsUsed(): boolean {
  return stdout.streamed || stderr.streamed;
}

/**
 * `dumpdbg ... | head`: once the reader closes the pipe, writes fail with EPIPE. Stop quietly,
 * as other command-line tools do; any other failure is one sentence, never a stack trace.
 */
function stdoutFailed(code: string): never {
  if (code !== 'EPIPE') writeStderr(`dumpdbg: cannot write the output: ${code}\n`);
  process.exit(code === 'EPIPE' ? 0 : 1);
}
