import { writeSync } from 'node:fs';

/**
 * Standard output for batch runs, written with fs.writeSync(1).
 *
 * Creating process.stdout loads node:stream (and node:net when stdout is a
 * pipe): a few milliseconds of a batch run that opens a dump, prints and
 * quits. Writes go straight to the descriptor instead, in order, as cdb
 * writes. The stream is created only for the terminal UI, line mode, and a
 * non-blocking descriptor inherited from a parent (EAGAIN), which the
 * stream can wait on.
 */
let direct = true;

/** Tests that run main() in their own process set `write` to capture what it prints. */
export const stdoutCapture: { write?: (text: string) => void } = {};

export function writeStdout(text: string): void {
  if (stdoutCapture.write) return stdoutCapture.write(text);
  if (direct) {
    const bytes = Buffer.from(text, 'utf8');
    let done = 0;
    try {
      while (done < bytes.length) done += writeSync(1, bytes, done);
      return;
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code !== 'EAGAIN') stdoutFailed(code ?? String(e));
      direct = false;
      guardedStdout().write(bytes.subarray(done));
      return;
    }
  }
  guardedStdout().write(text);
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

/**
 * `dumpdbg ... | head`: once the reader closes the pipe, writes fail with EPIPE. Stop quietly,
 * as other command-line tools do; any other failure is one sentence, never a stack trace.
 */
function stdoutFailed(code: string): never {
  if (code !== 'EPIPE') process.stderr.write(`dumpdbg: cannot write the output: ${code}\n`);
  process.exit(code === 'EPIPE' ? 0 : 1);
}
