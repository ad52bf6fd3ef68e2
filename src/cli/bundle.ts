/**
 * Build step after `tsc` (`npm run build`): bundles the CLI into one CommonJS
 * file, dist/src/cli/dumpdbg.cjs, which bin.cts loads with a V8 code cache,
 * and the triage worker into dist/src/cli/dumpdbg-triage-worker.cjs, which
 * each worker thread loads the same way (triage-worker-entry.cts).
 *
 * Why: start-up is most of a short batch run. Node 20 loads ~160 separate ES
 * modules in about 165 ms, and has no compile cache for ES modules (Node 22's
 * module.enableCompileCache is not there). One CommonJS file compiled through
 * vm.Script can use V8's code cache, and a CommonJS entry skips the ES loader
 * entirely for batch runs.
 *
 * What stays outside the bundles, loaded on demand as the separate ES modules
 * tsc wrote: the terminal UI (ink is ES-module only), the `triage` pool, and
 * every npm dependency except minimist (iced-x86's WASM glue, ink, react).
 *
 * After bundling, warm-up runs on an example dump write the code caches (see
 * warmCodeCache), so the first real run starts warm.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const HERE = path.dirname(fileURLToPath(import.meta.url));
/** dist/src/cli → the repository root. */
const ROOT = path.resolve(HERE, '..', '..', '..');

/** bin.cts and triage-worker-entry.cts load these files by the same names. */
const BUNDLES = [
  { entry: 'main.js', out: 'dumpdbg.cjs' },
  { entry: 'triage-worker.js', out: 'dumpdbg-triage-worker.cjs' },
];

async function bundleOne(entry: string, outName: string): Promise<void> {
  await build({
    entryPoints: [path.join(HERE, entry)],
    outfile: path.join(HERE, outName),
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    // npm packages load from node_modules, except minimist: small, and needed by every run, so it gets the code cache too.
    external: ['iced-x86', 'ink', 'react'],
    // Readable stack traces and profiles; the code cache makes parsing cheap anyway.
    minifyWhitespace: true,
    // ASCII only (other characters escaped): bundle-loader.cts reads the file as Latin-1.
    charset: 'ascii',
    logLevel: 'warning',
    // import.meta does not exist in CommonJS: the bundle's own URL stands in for it,
    // so `new URL('../ui/run.js', import.meta.url)` and createRequire still resolve from dist/src/cli.
    // Computed on first use: building a file URL costs about 1 ms, and most runs never need it.
    banner: { js: "const __bundleMeta = { get url() { return require('node:url').pathToFileURL(__filename).href; } };" },
    define: { 'import.meta.url': '__bundleMeta.url' },
  });
}

async function bundle(): Promise<void> {
  for (const b of BUNDLES) await bundleOne(b.entry, b.out);
  // Old caches belong to the old bundles (V8 would reject them anyway).
  for (const f of readdirSync(HERE)) if (f.endsWith('.v8cache')) rmSync(path.join(HERE, f), { force: true });
  warmCodeCache();
}

/**
 * Runs on the project's own example dumps, so that bin.cjs and a triage worker write their V8
 * code caches. A cache holds every function compiled by the time it is written: the CLI run
 * opens a hang dump and a crash dump (so the crash banner's disassembly is cached too) and walks
 * every thread's stack in both (`~*kn`, the most common command), so a first `k` does not
 * compile the unwinders. Measured (callgrind, main thread): `~*kn` on the 257-thread dump
 * 812M -> 782M instructions; `-c q` 604M -> 615M for the larger cache (506 KiB instead of 487 KiB).
 */
function warmCodeCache(): void {
  const bin = path.join(HERE, 'bin.cjs');
  const dump = path.join(ROOT, 'examples', 'dumps', 'deadlock.dmp');
  const crash = path.join(ROOT, 'examples', 'dumps', 'null-deref.dmp');
  const args = existsSync(dump) && existsSync(crash) ? ['-z', dump, '-z', crash, '-c', '~*kn;||1s;~*kn;q'] : ['--version'];
  const env = { ...process.env, DUMPDBG_OFFLINE: '1', _NT_SYMBOL_PATH: '' };
  const runs = [args];
  // A triage worker writes its own cache after its first dump (see triage-worker-entry.cts).
  if (existsSync(dump)) runs.push(['triage', '--json', '--jobs', '1', dump]);
  for (const a of runs) {
    const r = spawnSync(process.execPath, [bin, ...a], { env, stdio: ['ignore', 'ignore', 'pipe'], timeout: 60_000 });
    if (r.status !== 0) process.stderr.write(`bundle: the warm-up run \`${a.join(' ')}\` failed (${r.status ?? r.signal}): ${r.stderr?.toString().trim() ?? ''}\n`);
  }
}

bundle().catch((e: unknown) => {
  process.stderr.write(`bundle: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exitCode = 1;
});
