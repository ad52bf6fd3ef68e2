/**
 * Where a triage worker thread starts. It runs the worker bundle that
 * `npm run build` makes (dist/src/cli/dumpdbg-triage-worker.cjs, see
 * bundle.ts) with a V8 code cache, as bin.cts runs the CLI: loading the
 * ~160 ES modules instead took each worker about 180 ms before its first
 * dump. Without a fresh bundle (a build by `tsc` alone), the ES module runs.
 * The cache is written after the worker's first dump, so it holds the
 * analysis code too.
 */
import loader = require('./bundle-loader.cjs');

interface WorkerModule {
  startWorker?: (afterFirstJob?: () => void) => void;
}

const bundle = loader.loadBundle<WorkerModule>(__dirname, 'dumpdbg-triage-worker.cjs', 'triage-worker.js', require);
if (bundle && typeof bundle.exports.startWorker === 'function') {
  bundle.exports.startWorker(() => bundle.saveCache());
} else {
  void (import('./triage-worker.js') as Promise<WorkerModule>).then((m) => m.startWorker?.());
}
