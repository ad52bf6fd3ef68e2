import t from 'tap';
import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { BIN, REPO } from '../fixtures/session.js';

/**
 * The `dumpdbg` command (src/cli/bin.cts) runs the bundle that `npm run build`
 * makes, with a V8 code cache beside it, and falls back to the ES modules when
 * the bundle is missing or older than them.
 */
const CLI = path.dirname(BIN);
const DUMP = path.join(REPO, 'examples', 'dumps', 'null-deref.dmp');

function run(bin: string, args: string[]): { out: string; err: string; code: number | null } {
  const r = spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8', env: { ...process.env, DUMPDBG_OFFLINE: '1', _NT_SYMBOL_PATH: '' } });
  return { out: r.stdout, err: r.stderr, code: r.status };
}

t.test('the bundle prints what the ES modules print', async (t) => {
  if (!existsSync(path.join(CLI, 'dumpdbg.cjs'))) return t.skip('no bundle (npm run build makes it)');
  const args = ['-z', DUMP, '-y', path.dirname(DUMP), '-c', 'k;r;lm;!analyze -v;q'];
  const viaBundle = run(BIN, args);
  const viaModules = execFileSync(process.execPath, ['--input-type=module', '-e', `import { main } from ${JSON.stringify(path.join(CLI, 'main.js'))}; process.exitCode = await main(${JSON.stringify(args)});`], {
    encoding: 'utf8',
    env: { ...process.env, DUMPDBG_OFFLINE: '1', _NT_SYMBOL_PATH: '' },
  });
  t.equal(viaBundle.code, 0);
  t.match(viaBundle.out, /crashlab!read_field/, 'symbols resolved through the bundle');
  t.equal(viaBundle.out, viaModules, 'same output, byte for byte');
  // The CLI tests (batch, replay, the tmux UI test) go through bin.cjs: a stale bundle would quietly send them to the modules.
  t.ok(statSync(path.join(CLI, 'dumpdbg.cjs')).mtimeMs >= statSync(path.join(CLI, 'main.js')).mtimeMs, 'the bundle is newer than the modules, so bin.cjs runs it');
  // bundle-loader.cts reads the bundles as Latin-1, which is only the same text for ASCII.
  for (const name of ['dumpdbg.cjs', 'dumpdbg-triage-worker.cjs']) {
    const bytes = readFileSync(path.join(CLI, name));
    t.equal(bytes.findIndex((b) => b > 0x7f), -1, `${name} is ASCII`);
  }
});

t.test('bin.cjs: bundle, code cache, and the fallback to the modules', async (t) => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'dumpdbg-bin-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const bin = path.join(dir, 'bin.cjs');
  copyFileSync(BIN, bin);
  copyFileSync(path.join(CLI, 'bundle-loader.cjs'), path.join(dir, 'bundle-loader.cjs'));
  writeFileSync(path.join(dir, 'package.json'), '{"type":"module"}');
  // Stand-ins that say which one ran, with the same `main(argv) → exit code` contract.
  writeFileSync(path.join(dir, 'main.js'), "export async function main(argv) { process.stdout.write(`modules ${argv.join(' ')}\\n`); return 3; }\n");
  writeFileSync(path.join(dir, 'dumpdbg.cjs'), "exports.main = async (argv) => { process.stdout.write(`bundle ${argv.join(' ')}\\n`); return 4; };\n");
  const old = new Date(Date.now() - 60_000);
  utimesSync(path.join(dir, 'main.js'), old, old);
  const caches = () => readdirSync(dir).filter((f) => f.endsWith('.v8cache'));

  let r = run(bin, ['a', 'b']);
  t.equal(r.out, 'bundle a b\n', 'the bundle runs');
  t.equal(r.code, 4, 'its exit code is the process exit code');
  t.equal(caches().length, 1, 'a code cache is written after the first run');
  r = run(bin, ['c']);
  t.equal(r.out, 'bundle c\n', 'and the next run uses it');
  t.equal(readdirSync(dir).filter((f) => f.endsWith('.tmp')).length, 0, 'no temporary files left');

  writeFileSync(path.join(dir, caches()[0]!), 'not a V8 code cache');
  r = run(bin, ['d']);
  t.equal(r.out, 'bundle d\n', 'a damaged cache is rejected by V8, not trusted');
  t.not(run(bin, ['e']).err, /error/i);

  const later = new Date(Date.now() + 60_000);
  utimesSync(path.join(dir, 'main.js'), later, later);
  r = run(bin, ['f']);
  t.equal(r.out, 'modules f\n', 'a bundle older than main.js (tsc alone) is not used');
  t.equal(r.code, 3);

  rmSync(path.join(dir, 'dumpdbg.cjs'));
  t.equal(run(bin, ['g']).out, 'modules g\n', 'nor a missing one');

  writeFileSync(path.join(dir, 'main.js'), 'export async function main() { throw new Error("boom"); }\n');
  r = run(bin, []);
  t.equal(r.err, 'dumpdbg: internal error: boom\n', 'an escaped error is one sentence');
  t.equal(r.code, 1);
});

t.test('triage workers: the bundled worker with its own code cache, and the fallback to the module', async (t) => {
  const { Worker } = await import('node:worker_threads');
  const dir = mkdtempSync(path.join(os.tmpdir(), 'dumpdbg-worker-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  copyFileSync(path.join(CLI, 'triage-worker-entry.cjs'), path.join(dir, 'triage-worker-entry.cjs'));
  copyFileSync(path.join(CLI, 'bundle-loader.cjs'), path.join(dir, 'bundle-loader.cjs'));
  writeFileSync(path.join(dir, 'package.json'), '{"type":"module"}');
  // Stand-ins with the worker's contract: startWorker(afterFirstJob) answers each job with a record.
  const worker = (who: string) =>
    `startWorker(afterFirstJob) { let first = afterFirstJob;
      parentPort.on('message', (job) => { const f = first; first = undefined; if (f) f(); parentPort.postMessage({ id: job.id, rec: { dump: job.path, by: '${who}' } }); }); }`;
  writeFileSync(path.join(dir, 'triage-worker.js'), `import { parentPort } from 'node:worker_threads';\nexport function ${worker('module')}\n`);
  writeFileSync(path.join(dir, 'dumpdbg-triage-worker.cjs'), `const { parentPort } = require('node:worker_threads');\nexports.startWorker = function ${worker('bundle')};\n`);
  const old = new Date(Date.now() - 60_000);
  utimesSync(path.join(dir, 'triage-worker.js'), old, old);
  const caches = () => readdirSync(dir).filter((f) => f.endsWith('.v8cache'));
  const ask = async (jobs: number): Promise<string[]> => {
    const w = new Worker(path.join(dir, 'triage-worker-entry.cjs'));
    const got: string[] = [];
    await new Promise<void>((resolve, reject) => {
      w.on('message', (m: { rec: { by: string } }) => {
        got.push(m.rec.by);
        if (got.length === jobs) resolve();
      });
      w.on('error', reject);
      for (let i = 0; i < jobs; i++) w.postMessage({ id: i, path: `d${i}.dmp` });
    });
    await w.terminate();
    return got;
  };

  t.same(await ask(2), ['bundle', 'bundle'], 'the worker runs the bundle');
  t.same(caches(), [`dumpdbg-triage-worker-${process.versions.v8}-${process.arch}.v8cache`], 'and writes its code cache before its first record');
  t.same(await ask(1), ['bundle'], 'the next worker uses it');
  t.equal(readdirSync(dir).filter((f) => f.endsWith('.tmp')).length, 0, 'no temporary files left');

  const later = new Date(Date.now() + 60_000);
  utimesSync(path.join(dir, 'triage-worker.js'), later, later);
  t.same(await ask(1), ['module'], 'a bundle older than the module (tsc alone) is not used');
  // The real build: the worker bundle is fresh, so triage runs it.
  if (existsSync(path.join(CLI, 'dumpdbg-triage-worker.cjs'))) {
    t.ok(statSync(path.join(CLI, 'dumpdbg-triage-worker.cjs')).mtimeMs >= statSync(path.join(CLI, 'triage-worker.js')).mtimeMs, 'the built worker bundle is newer than the worker module');
  }
});
