/**
 * Seeded mutation fuzzer over the example dumps and the corpus: truncation at
 * every stream boundary, random bit flips and field-aware rewrites (counts,
 * RVAs, sizes, context flags), each run through the real dispatcher with the
 * issue's command list. A case is a crash when anything throws, an output
 * line starts with `Internal error:` or shows a stack trace, or a refusal does
 * not name the file; a hang when it takes longer than FUZZ_CASE_MS (a worker
 * thread runs the cases so a hang can be stopped).
 *
 *   npm test            → FUZZ_CASES default (a few thousand, ~3 minutes on 2 cores)
 *   npm run fuzz        → 10,000 cases
 *   FUZZ_SEED=7 FUZZ_CASES=500 npx tap test/robustness/fuzz.test.ts
 *   FUZZ_SAVE=/tmp/crashes …   writes each failing case there for a regression test
 */
import t from 'tap';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import { CORPUS, REPO } from '../fixtures/session.js';
import { mutate, rng, shapeOf, truncateAt, type DumpShape, type Mutant } from '../fixtures/robustness/mutate.js';
import { FUZZ_COMMANDS, type CaseOutcome } from '../fixtures/robustness/fuzz-case.js';
import type { CaseRequest } from '../fixtures/robustness/fuzz-worker.js';

const CASES = Number(process.env['FUZZ_CASES'] ?? 2000);
const SEED = Number(process.env['FUZZ_SEED'] ?? 20261121);
const CASE_MS = Number(process.env['FUZZ_CASE_MS'] ?? 5000);
/** Wall-clock cap for the whole run (CI); the cases not reached are reported, not failed. */
const BUDGET_MS = Number(process.env['FUZZ_BUDGET_MS'] ?? (CASES > 3000 ? 3_600_000 : 170_000));
const SAVE = process.env['FUZZ_SAVE'];

interface Seed { name: string; bytes: Buffer; shape: DumpShape; paths: { symbolPath: string; imagePath: string } }

/** Where the seed's images and symbols are (PDB, .sym, PE files): some cases load them, so symbol parsing meets garbage too. */
function pathsFor(file: string): Seed['paths'] {
  const dir = path.dirname(file);
  if (dir.endsWith(path.join('corpus', 'wine-x64'))) return { symbolPath: dir, imagePath: `${dir};${path.join(CORPUS, 'images', 'wine-8.0-x64')}` };
  if (dir.endsWith(path.join('corpus', 'windows'))) return { symbolPath: path.join(dir, 'symbols'), imagePath: '' };
  return { symbolPath: dir, imagePath: dir };
}

function seeds(): Seed[] {
  const files: string[] = [];
  const ex = path.join(REPO, 'examples', 'dumps');
  if (existsSync(ex)) files.push(...readdirSync(ex).filter((f) => f.endsWith('.dmp')).sort().map((f) => path.join(ex, f)));
  // The corpus's full-memory dumps (*.dmp.gz, ~110 MB each) are left out: too big to mutate thousands of times.
  for (const sub of ['windows', 'wine-x64']) {
    const d = path.join(CORPUS, sub);
    if (existsSync(d)) files.push(...readdirSync(d).filter((f) => f.endsWith('.dmp')).sort().map((f) => path.join(d, f)));
  }
  return files.map((f) => {
    const bytes = readFileSync(f);
    return { name: path.basename(f), bytes, shape: shapeOf(bytes), paths: pathsFor(f) };
  });
}

interface Case { seed: Seed; mutant: Mutant; caseSeed: number; symbols: boolean; commands?: string }

/** Every sixth random case also runs these after the list: the other readers of dump data. */
const MORE_COMMANDS = `${FUZZ_COMMANDS};~*kv;!uniqstack;!locks;!teb;!peb;!gle;!handle;!address;!runaway;r;u @rip;ub @rip;lmv;.frame 1;!analyze -hang;.dumpdebug;.time;vertarget`;

/** Every stream boundary of every seed first, then seeded random mutations up to CASES. */
function plan(all: Seed[]): Case[] {
  const out: Case[] = [];
  for (const s of all) {
    const cuts = new Set<number>();
    for (const st of s.shape.streams) for (const at of [st.rva, st.rva + st.size]) if (at > 0 && at < s.bytes.length) cuts.add(at);
    for (const at of [...cuts].sort((a, b) => a - b)) out.push({ seed: s, mutant: truncateAt(s.bytes, at), caseSeed: -at, symbols: false });
  }
  const boundary = out.length;
  const pick = rng(SEED);
  for (let i = 0; out.length < Math.max(CASES, boundary + 1); i++) {
    const s = all[Math.floor(pick() * all.length)] as Seed;
    const caseSeed = (SEED * 7919 + i * 104729) >>> 0;
    // One case in twelve loads the seed's images and symbols (ten times slower: PDB, .sym and PE parsing).
    out.push({ seed: s, mutant: mutate(s.bytes, s.shape, caseSeed), caseSeed, symbols: i % 12 === 5, ...(i % 6 === 2 ? { commands: MORE_COMMANDS } : {}) });
  }
  // Keep the boundary cases even when CASES is small; trim random ones instead.
  return out.slice(0, Math.max(CASES, boundary));
}

interface Reply { id: number; outcome: CaseOutcome; heapUsed: number; arrayBuffers: number }

/** One worker thread running cases one at a time; restarted after a hang or a worker death. */
class Runner {
  private worker: Worker | undefined;
  private ready: Promise<void> | undefined;
  starts = 0;

  private start(): Promise<void> {
    this.starts++;
    const w = new Worker(new URL('../fixtures/robustness/fuzz-worker.ts', import.meta.url), {
      // A dump that makes the debugger allocate without bound dies here, as a crash, not the test.
      resourceLimits: { maxOldGenerationSizeMb: 1024 },
    });
    this.worker = w;
    this.ready = new Promise((resolve, reject) => {
      w.once('message', () => resolve());
      w.once('error', reject);
    });
    return this.ready;
  }

  async run(id: number, c: Case, limitMs = CASE_MS): Promise<Reply | { id: number; hang: true } | { id: number; died: string }> {
    if (!this.worker) await this.start();
    const w = this.worker as Worker;
    const bytes = new Uint8Array(c.mutant.bytes);
    const req: CaseRequest = { id, name: c.seed.name, bytes, ...(c.symbols ? c.seed.paths : {}), ...(c.commands ? { commands: c.commands } : {}) };
    return new Promise((resolve) => {
      const cleanup = () => {
        clearTimeout(timer);
        w.off('message', onMessage);
        w.off('error', onError);
        w.off('exit', onExit);
      };
      const onMessage = (m: Reply) => {
        if (m.id !== id) return;
        cleanup();
        resolve(m);
      };
      const onError = (e: Error) => {
        cleanup();
        this.worker = undefined;
        resolve({ id, died: `${e.name}: ${e.message}` });
      };
      const onExit = (code: number) => {
        cleanup();
        this.worker = undefined;
        resolve({ id, died: `worker exited with ${code}` });
      };
      const timer = setTimeout(() => {
        cleanup();
        this.worker = undefined;
        void w.terminate();
        resolve({ id, hang: true });
      }, limitMs);
      w.on('message', onMessage);
      w.on('error', onError);
      w.on('exit', onExit);
      w.postMessage(req, [bytes.buffer]);
    });
  }

  async stop(): Promise<void> {
    await this.worker?.terminate();
  }
}

const all = seeds();

t.test('mutation fuzzer: no crash, no hang, bounded memory', { timeout: BUDGET_MS + 120_000 }, async (t) => {
  if (all.length === 0) {
    t.skip('no example dumps and no corpus');
    return;
  }
  const cases = plan(all);
  const runner = new Runner();
  t.teardown(() => runner.stop());
  const failures: string[] = [];
  const counts = { opened: 0, rejected: 0, crash: 0, hang: 0, warned: 0 };
  let slowest = 0;
  let slowestCase = '';
  let maxHeap = 0;
  let maxBuffers = 0;
  let ran = 0;
  let slowRetries = 0;
  const t0 = Date.now();
  const report = (c: Case, what: string) => {
    failures.push(`${c.seed.name} case ${c.caseSeed}${c.symbols ? ' with symbols' : ''}${c.commands ? ' with more commands' : ''} (${c.mutant.description}): ${what}`);
    if (SAVE) {
      mkdirSync(SAVE, { recursive: true });
      writeFileSync(path.join(SAVE, `${c.seed.name}.${c.caseSeed}.dmp`), c.mutant.bytes);
    }
  };
  for (let i = 0; i < cases.length; i++) {
    if (Date.now() - t0 > BUDGET_MS) break;
    const c = cases[i] as Case;
    let r = await runner.run(i, c);
    ran++;
    if ('hang' in r) {
      // A loaded machine (CI, other test files in parallel) can stall a worker: a hang must repeat with four times the time.
      r = await runner.run(i, c, CASE_MS * 4);
      if (!('hang' in r)) slowRetries++;
    }
    if ('hang' in r) {
      counts.hang++;
      report(c, `hang (over ${CASE_MS} ms)`);
      continue;
    }
    if ('died' in r) {
      counts.crash++;
      report(c, `worker died: ${r.died}`);
      continue;
    }
    const o = r.outcome;
    counts[o.status]++;
    if (o.warnings) counts.warned++;
    if (o.status === 'crash') report(c, o.detail);
    if (o.ms > slowest) {
      slowest = o.ms;
      slowestCase = `${c.seed.name} (${c.mutant.description})`;
    }
    maxHeap = Math.max(maxHeap, r.heapUsed);
    maxBuffers = Math.max(maxBuffers, r.arrayBuffers);
  }
  const secs = ((Date.now() - t0) / 1000).toFixed(1);
  t.comment(`${ran}/${cases.length} cases over ${all.length} seed dumps in ${secs} s (seed ${SEED}): ${counts.opened} opened (${counts.warned} with warnings), ${counts.rejected} refused, ${counts.crash} crashes, ${counts.hang} hangs`);
  t.comment(`slowest case ${slowest.toFixed(0)} ms: ${slowestCase}; worker peak heap ${(maxHeap / 2 ** 20).toFixed(0)} MiB, buffers ${(maxBuffers / 2 ** 20).toFixed(0)} MiB; worker starts ${runner.starts}; ${slowRetries} cases over ${CASE_MS} ms finished when retried`);
  t.same(failures.slice(0, 20), [], `no crashes or hangs (${failures.length} failing cases)`);
  t.ok(ran >= Math.min(cases.length, 200), `ran ${ran} cases within the time budget`);
  // Bounded memory: a case's allocations are released, nothing grows without bound.
  t.ok(maxBuffers < 1024 * 2 ** 20, `buffers stay under 1 GiB (peak ${(maxBuffers / 2 ** 20).toFixed(0)} MiB)`);
});
