#!/usr/bin/env node
import { main } from './main.js';

// `dumpdbg ... | head`: once the reader closes the pipe, writes fail with EPIPE.
// Stop quietly, as other command-line tools do, instead of an unhandled 'error' stack trace.
process.stdout.on('error', (e: NodeJS.ErrnoException) => {
  if (e.code !== 'EPIPE') process.stderr.write(`dumpdbg: cannot write the output: ${e.code ?? e.message}\n`);
  process.exit(e.code === 'EPIPE' ? 0 : 1);
});
process.stderr.on('error', () => process.exit(1));

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    // Last line of defence: one sentence, never a stack trace.
    process.stderr.write(`dumpdbg: internal error: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exitCode = 1;
  },
);
