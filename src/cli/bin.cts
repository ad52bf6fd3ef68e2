#!/usr/bin/env node
/**
 * The `dumpdbg` command.
 *
 * CommonJS on purpose, for start-up time: a CommonJS entry does not start
 * Node's ES module loader (about 20 ms), and it runs the bundle that
 * `npm run build` makes (dist/src/cli/dumpdbg.cjs, see bundle.ts) through
 * vm.Script with V8's code cache (bundle-loader.cts), so the bundle's
 * functions are not parsed and compiled again on every run.
 *
 * Without a bundle, or with one older than main.js (a build by `tsc` alone),
 * the ES modules tsc wrote run instead: slower to start, same behaviour.
 */
import fs = require('node:fs');
import loader = require('./bundle-loader.cjs');

type Main = (argv: readonly string[], importModule?: (url: string) => Promise<unknown>) => Promise<number>;
/** What bin runs: main.ts's exports (from the bundle or the ES module). */
interface Entry {
  main?: Main;
  canExitAtOnce?: () => boolean;
}

// Standard output and standard error are written through src/cli/stdout.ts (EPIPE from `| head`
// ends the run quietly); process.stdout and process.stderr are not touched here, since creating
// either stream costs a batch run a few ms (node:stream and its friends load for it).

/** Runs main(); `atOnce` says whether the process may exit without waiting for anything else. */
async function run(): Promise<{ code: number; atOnce: boolean }> {
  const bundle = loader.loadBundle<Entry>(__dirname, 'dumpdbg.cjs', 'main.js', require);
  if (!bundle || typeof bundle.exports.main !== 'function') {
    const entry = (await import('./main.js')) as Entry & { main: Main };
    const code = await entry.main(process.argv.slice(2));
    return { code, atOnce: entry.canExitAtOnce?.() ?? false };
  }
  // The bundle's on-demand ES modules (the UI, triage) are imported from here, a real module (see main.ts).
  const code = await bundle.exports.main(process.argv.slice(2), (url) => import(url));
  bundle.saveCache();
  return { code, atOnce: bundle.exports.canExitAtOnce?.() ?? false };
}

run().then(
  ({ code, atOnce }) => {
    // A batch run has written everything synchronously by now. Left to end by itself, Node first
    // waits for every compile job V8 has queued on its worker threads (code this run will never
    // call), 5-10 ms of a short run; process.exit() waits only for jobs already running.
    // Measured on the 257-thread dump: exit latency median 15.4 ms, 8.8 ms with exit().
    if (atOnce) process.exit(code);
    process.exitCode = code;
  },
  (e: unknown) => {
    // Last line of defence: one sentence, never a stack trace (and lost quietly when stderr is closed).
    try {
      fs.writeSync(2, `dumpdbg: internal error: ${e instanceof Error ? e.message : String(e)}\n`);
    } catch {
      // Nowhere left to say it; the exit code still does.
    }
    process.exitCode = 1;
  },
);
