/**
 * Runs a bundle that `npm run build` made (see bundle.ts) through vm.Script
 * with V8's code cache, so its functions are not parsed and compiled again on
 * every run. Shared by the `dumpdbg` command (bin.cts) and the triage worker
 * threads (triage-worker-entry.cts).
 *
 * The cache file sits beside the bundle, one per bundle, V8 version and CPU;
 * it is written after a run that had none (or whose cache V8 rejected:
 * another Node version, other V8 flags), and silently not written where
 * dist/ is read-only.
 */
import fs = require('node:fs');
import path = require('node:path');
import vm = require('node:vm');

interface LoadedBundle<E> {
  exports: E;
  /** Writes the code cache when this run had none to use (call it once the common paths have run). */
  saveCache(): void;
}

/**
 * `dir/name` run as a CommonJS module with `req` as its require; undefined when the file is
 * missing or older than `dir/source` (a build by `tsc` alone: the caller then runs the ES modules).
 */
function loadBundle<E>(dir: string, name: string, source: string, req: NodeJS.Require): LoadedBundle<E> | undefined {
  const file = path.join(dir, name);
  let text: string;
  try {
    if (fs.statSync(file).mtimeMs < fs.statSync(path.join(dir, source)).mtimeMs) return undefined;
    // Latin-1, not UTF-8: the bundle is ASCII (bundle.ts has esbuild escape everything else,
    // and test/cli/bundle.test.ts checks), so the string is the same, and Node makes it without
    // a UTF-8 pass. Measured on the 257-thread dump's start: reading 8.1 -> 4.7 ms, and
    // vm.Script given that string 6.4 -> 5.1 ms (medians of 21 interleaved runs).
    text = fs.readFileSync(file, 'latin1');
  } catch {
    return undefined;
  }
  const cacheFile = path.join(dir, `${path.basename(name, '.cjs')}-${process.versions.v8}-${process.arch}.v8cache`);
  let cachedData: Buffer | undefined;
  try {
    cachedData = fs.readFileSync(cacheFile);
  } catch {
    cachedData = undefined;
  }
  const script = new vm.Script(`(function (exports, require, module, __filename, __dirname) {${text}\n})`, {
    filename: file,
    ...(cachedData ? { cachedData } : {}),
  });
  const mod = { exports: {} as E };
  (script.runInThisContext() as (...a: unknown[]) => void)(mod.exports, req, mod, file, dir);
  let saved = false;
  return {
    exports: mod.exports,
    saveCache() {
      if (saved || (cachedData && !script.cachedDataRejected)) return;
      saved = true;
      try {
        // Written whole, then renamed: a run starting meanwhile never reads half a cache.
        const tmp = `${cacheFile}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
        fs.writeFileSync(tmp, script.createCachedData());
        fs.renameSync(tmp, cacheFile);
      } catch {
        // A read-only install: every run compiles the bundle, which is still correct.
      }
    },
  };
}

export = { loadBundle };
