/**
 * `npm run bench`: dumpdbg against its peers on this machine, in one run.
 *
 * Every figure is a ratio against a peer or a baseline measured in the same
 * run (these machines are shared and noisy), with min/median/max over
 * BENCH_RUNS repetitions, runs of the two sides interleaved. Large inputs
 * (a multi-GB full-memory dump, a several-hundred-MB PDB) are generated from
 * corpus files into a temp dir first, sized down when the disk is short.
 *
 * Environment: BENCH_RUNS (default 5), BENCH_DUMP_GB (2), BENCH_PDB_MB (512),
 * BENCH_TRIAGE_DUMPS (48), BENCH_CASES (comma-separated case ids to run),
 * BENCH_KEEP=1 keeps the temp dir, BENCH_JSON=FILE writes the rows as JSON.
 */
import { execFileSync } from 'node:child_process';
import { copyFileSync, cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statfsSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { MinidumpFile } from '../../src/formats/minidump/minidump-file.js';
import { PdbFile } from '../../src/formats/pdb/pdb-file.js';
import { makeBigDump } from './make-big-dump.js';
import { makeBigPdb } from './make-big-pdb.js';
import { bytesReadOf, fmtBytes, fmtMs, GNU_TIME, measure, stats } from './measure.js';
import type { Sample, Stats } from './measure.js';

const HERE = path.dirname(fileURLToPath(import.meta.url));
// dist/test/bench/run.js → the repository root.
const REPO = path.resolve(HERE, '..', '..', '..');
// The CLI runs from a copy of dist/ taken at start (see snapshotDist): a rebuild during the run cannot mix versions.
let BIN = path.join(REPO, 'dist', 'src', 'cli', 'bin.cjs');
const CORPUS = path.resolve(REPO, '..', 'shared', 'corpus');
const WINE = path.join(CORPUS, 'wine-x64');
const SMALL = path.join(WINE, 'null-deref-mini.dmp');
const MANY = path.join(WINE, 'many-threads-mini.dmp');
const PDB = path.join(WINE, 'crashlab.pdb');

const RUNS = Math.max(1, Number(process.env['BENCH_RUNS'] ?? 5));
const DUMP_GB = Number(process.env['BENCH_DUMP_GB'] ?? 2);
const PDB_MB = Number(process.env['BENCH_PDB_MB'] ?? 512);
const TRIAGE_DUMPS = Number(process.env['BENCH_TRIAGE_DUMPS'] ?? 48);
const ONLY = process.env['BENCH_CASES']?.split(',').map((s) => s.trim());
const CORES = os.availableParallelism();

interface Row {
  id: string;
  case: string;
  ours: Stats;
  peerName: string;
  peer: Stats | undefined;
  /** Median ours / median peer. */
  ratio: number | undefined;
  target: string;
  pass: boolean | undefined;
  bytesRead: string;
  rss: string;
  note?: string;
}

const rows: Row[] = [];
const notes: string[] = [];
const log = (s: string) => process.stderr.write(s + '\n');

function want(id: string): boolean {
  return !ONLY || ONLY.includes(id);
}

const node = (args: string[], env?: NodeJS.ProcessEnv) => measure(process.execPath, args, env ? { env: { ...process.env, ...env } } : {});
const dumpdbg = (args: string[]) => node([BIN, ...args], { DUMPDBG_STATS: '1', DUMPDBG_OFFLINE: '1', _NT_SYMBOL_PATH: '' });

/**
 * Copies dist/ (with package.json for the module type and a link to node_modules)
 * into the temp dir and points BIN there, so that a build running meanwhile in
 * the working tree cannot change the code under measurement halfway.
 */
function snapshotDist(work: string): void {
  const root = path.join(work, 'app');
  // Timestamps kept: bin.cjs runs the bundle only when it is newer than the modules.
  cpSync(path.join(REPO, 'dist'), path.join(root, 'dist'), { recursive: true, preserveTimestamps: true });
  copyFileSync(path.join(REPO, 'package.json'), path.join(root, 'package.json'));
  symlinkSync(path.join(REPO, 'node_modules'), path.join(root, 'node_modules'), 'dir');
  BIN = path.join(root, 'dist', 'src', 'cli', 'bin.cjs');
}

/** Runs each side once per round, interleaved, RUNS rounds (plus one unrecorded warm-up round). */
async function rounds(sides: (() => Promise<Sample>)[]): Promise<Sample[][]> {
  const out: Sample[][] = sides.map(() => []);
  for (let r = 0; r <= RUNS; r++) {
    for (let i = 0; i < sides.length; i++) {
      let s = await sides[i]!();
      // One retry: a shared machine can kill or starve a process once.
      if (s.code !== 0) s = await sides[i]!();
      if (s.code !== 0) throw new Error(`a benchmark process failed (exit ${s.code}): ${s.stderr.slice(0, 400)}`);
      if (r > 0) out[i]!.push(s);
    }
  }
  return out;
}

/** The CPU-time (user+sys) comparison of two process sides: less disturbed by other load than wall time. */
function cpuNote(ours: Sample[], peer: Sample[]): string {
  const o = stats(ours.map((s) => s.cpuMs));
  const p = stats(peer.map((s) => s.cpuMs));
  return `CPU time (user+sys): ours ${fmtMs(o)} ms, peer ${fmtMs(p)} ms, ratio ${(o.median / p.median).toFixed(2)}x`;
}

function ratioOf(a: Stats, b: Stats | undefined): number | undefined {
  return b && b.median > 0 ? a.median / b.median : undefined;
}

function rssText(samples: Sample[]): string {
  const max = Math.max(...samples.map((s) => s.rssKb));
  return max > 0 ? `${(max / 1024).toFixed(0)} MiB` : '-';
}

function bytesText(samples: Sample[]): string {
  const b = bytesReadOf(samples[0]?.stderr ?? '');
  return b ? `${fmtBytes(b.read)} of ${fmtBytes(b.size)}` : '-';
}

function freeBytes(dir: string): number {
  const s = statfsSync(dir);
  return s.bavail * s.bsize;
}

/** Fetches Breakpad's prebuilt Linux minidump_stackwalk with `npm pack` into a temp dir (cached there between runs). */
function breakpad(): string | undefined {
  if (process.platform !== 'linux' || process.arch !== 'x64') {
    notes.push('Breakpad: no prebuilt minidump_stackwalk for this platform; peer cases skipped.');
    return undefined;
  }
  const dir = path.join(os.tmpdir(), 'dumpdbg-bench-breakpad');
  const exe = path.join(dir, 'package', 'bin', 'linux-x64', 'minidump_stackwalk');
  if (existsSync(exe)) return exe;
  mkdirSync(dir, { recursive: true });
  try {
    log('fetching Breakpad (npm pack minidump@0.26.0)...');
    execFileSync('npm', ['pack', 'minidump@0.26.0', '--silent'], { cwd: dir, stdio: ['ignore', 'ignore', 'inherit'], timeout: 300_000 });
    const tgz = readdirSync(dir).find((f) => f.endsWith('.tgz'));
    if (!tgz) throw new Error('npm pack wrote no tarball');
    execFileSync('tar', ['xzf', tgz, 'package/bin/linux-x64/minidump_stackwalk'], { cwd: dir });
    return exe;
  } catch (e) {
    notes.push(`Breakpad: could not fetch minidump@0.26.0 (${e instanceof Error ? e.message.split('\n')[0] : String(e)}); peer cases skipped.`);
    return undefined;
  }
}

async function main(): Promise<void> {
  if (!existsSync(BIN)) throw new Error(`${BIN} is missing: run \`npm run build\` first`);
  if (!existsSync(WINE)) {
    log(`the corpus (${CORPUS}) is not present: nothing to measure`);
    return;
  }
  const work = mkdtempSync(path.join(os.tmpdir(), 'dumpdbg-bench-'));
  const started = new Date();
  const load0 = os.loadavg();
  log(`temp dir ${work}; ${RUNS} runs per case; ${CORES} cores; load ${load0.map((l) => l.toFixed(1)).join(' ')}`);
  try {
    snapshotDist(work);
    const bp = breakpad();

    // Large inputs, sized to the free disk (a 1 GiB margin is kept).
    let bigDump: { path: string; size: number; ranges: number; threads: number } | undefined;
    if (want('open-big') || want('analyze-big') || want('memory-lookup')) {
      let bytes = DUMP_GB * 1024 ** 3;
      const free = freeBytes(work) - 1024 ** 3;
      if (bytes > free) {
        const fit = Math.max(0, free);
        notes.push(`Free disk (${fmtBytes(free + 1024 ** 3)}) is short of a ${DUMP_GB} GiB dump: the big dump was sized down to ${fmtBytes(fit)}.`);
        bytes = fit;
      }
      if (bytes >= 256 * 1024 ** 2) {
        const ranges = 100_000;
        const rangeSize = Math.max(4096, Math.floor(bytes / ranges / 4096) * 4096);
        log(`generating a ${fmtBytes(ranges * rangeSize)} full-memory dump (${ranges} filler ranges + the source's) from ${path.basename(SMALL)}...`);
        const t0 = performance.now();
        bigDump = makeBigDump(SMALL, path.join(work, 'big-full.dmp'), { ranges, rangeSize, threads: 64 });
        log(`  ${fmtBytes(bigDump.size)}, ${bigDump.ranges} memory ranges, ${bigDump.threads} threads, in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
      } else notes.push('Not enough free disk for a big dump (256 MiB at least): big-dump cases skipped.');
    }

    if (want('startup')) {
      log('case startup...');
      const [ours, peer] = await rounds([() => dumpdbg(['-z', SMALL, '-c', 'q']), () => node(['-e', '0'])]);
      const o = stats(ours!.map((s) => s.wallMs));
      const p = stats(peer!.map((s) => s.wallMs));
      const ratio = ratioOf(o, p);
      rows.push({ id: 'startup', case: `start-up: \`-z ${path.basename(SMALL)} -c q\``, ours: o, peerName: '`node -e 0`', peer: p, ratio, target: '≤ 1.5x', pass: ratio !== undefined && ratio <= 1.5, bytesRead: bytesText(ours!), rss: rssText(ours!), note: cpuNote(ours!, peer!) });
    }

    if (bigDump && want('open-big')) {
      log('case open-big...');
      const [ours, peer] = await rounds([() => dumpdbg(['-z', bigDump!.path, '-c', 'q']), () => dumpdbg(['-z', SMALL, '-c', 'q'])]);
      const o = stats(ours!.map((s) => s.wallMs));
      const p = stats(peer!.map((s) => s.wallMs));
      const ratio = ratioOf(o, p);
      rows.push({ id: 'open-big', case: `first prompt, ${fmtBytes(bigDump.size)} full dump (${bigDump.ranges} ranges): \`-c q\``, ours: o, peerName: `same on ${path.basename(SMALL)} (${fmtBytes(statSize(SMALL))})`, peer: p, ratio, target: '≤ 1.3x', pass: ratio !== undefined && ratio <= 1.3, bytesRead: bytesText(ours!), rss: rssText(ours!), note: cpuNote(ours!, peer!) });
    }

    if (bigDump && want('analyze-big')) {
      log('case analyze-big...');
      const cmd = '~*k;lm;!analyze -v;q';
      const [ours, peer] = await rounds([() => dumpdbg(['-z', bigDump!.path, '-c', cmd]), () => dumpdbg(['-z', SMALL, '-c', cmd])]);
      const o = stats(ours!.map((s) => s.wallMs));
      const p = stats(peer!.map((s) => s.wallMs));
      const peak = Math.max(...ours!.map((s) => s.rssKb)) / 1024;
      rows.push({ id: 'analyze-big', case: `\`${cmd}\` on the ${fmtBytes(bigDump.size)} dump`, ours: o, peerName: `same on ${path.basename(SMALL)}`, peer: p, ratio: ratioOf(o, p), target: 'peak RSS < 150 MiB', pass: peak > 0 ? peak < 150 : undefined, bytesRead: bytesText(ours!), rss: rssText(ours!), note: cpuNote(ours!, peer!) });
    }

    if (want('stackwalk')) {
      log('case stackwalk...');
      const sides = [() => dumpdbg(['-z', MANY, '-c', '~*kn;q']), () => node(['-e', '0'])];
      // Breakpad logs every frame it tries to stderr (thousands of unbuffered writes): that goes to
      // /dev/null, as people run it, or capturing it through a pipe would triple its time.
      if (bp) sides.push(() => measure(bp, [MANY], { discardStderr: true }));
      const [ours, bare, peer] = await rounds(sides);
      const net = ours!.map((s, i) => s.wallMs - bare![i]!.wallMs);
      const o = stats(net);
      const p = peer ? stats(peer.map((s) => s.wallMs)) : undefined;
      const ratio = ratioOf(o, p);
      const cpuO = stats(ours!.map((s, i) => s.cpuMs - bare![i]!.cpuMs));
      const cpuP = peer ? stats(peer.map((s) => s.cpuMs)) : undefined;
      rows.push({
        id: 'stackwalk',
        case: `\`~*kn;q\` on ${path.basename(MANY)} (257 threads) minus \`node -e 0\``,
        ours: o,
        peerName: bp ? 'Breakpad `minidump_stackwalk` (whole process)' : '(Breakpad unavailable)',
        peer: p,
        ratio,
        target: '≤ 1.0x',
        pass: ratio !== undefined ? ratio <= 1.0 : undefined,
        bytesRead: bytesText(ours!),
        rss: `${rssText(ours!)} (Breakpad ${peer ? rssText(peer) : '-'})`,
        note: `CPU time (user+sys): ours ${fmtMs(cpuO)} ms net of node, Breakpad ${cpuP ? fmtMs(cpuP) : '-'} ms${cpuP ? `, ratio ${(cpuO.median / cpuP.median).toFixed(2)}x` : ''}`,
      });
    }

    if (bigDump && want('memory-lookup')) {
      log('case memory-lookup...');
      rows.push(memoryLookupRow(bigDump.path));
    }

    if (want('pdb')) {
      log('case pdb...');
      let bytes = PDB_MB * 1024 ** 2;
      const free = freeBytes(work) - 1024 ** 3;
      if (bytes > free) {
        notes.push(`Free disk is short of a ${PDB_MB} MiB PDB: sized down to ${fmtBytes(Math.max(0, free))}.`);
        bytes = Math.max(0, free);
      }
      if (bytes >= 64 * 1024 ** 2) {
        const big = makeBigPdb(PDB, path.join(work, 'big.pdb'), bytes);
        rows.push(pdbRow(big.path, big.size));
      } else notes.push('Not enough free disk for a big PDB: case skipped.');
    }

    if (want('triage')) {
      log('case triage...');
      const row = await triageRow(work, bp);
      if (row) rows.push(row);
    }
  } catch (e) {
    // The rows measured so far are still printed.
    notes.push(`The run stopped early: ${e instanceof Error ? e.message.split('\n')[0] : String(e)}`);
    process.exitCode = 1;
  } finally {
    if (process.env['BENCH_KEEP'] !== '1') rmSync(work, { recursive: true, force: true });
    else log(`kept ${work}`);
  }

  const load1 = os.loadavg();
  const cpu = os.cpus()[0]?.model ?? 'unknown CPU';
  const lines = [
    `Machine: ${cpu}, ${CORES} cores, ${(os.totalmem() / 1024 ** 3).toFixed(0)} GiB RAM, ${os.type()} ${os.release()}, Node ${process.version}; ${started.toISOString().slice(0, 16).replace('T', ' ')} UTC; load average ${load0[0]!.toFixed(1)} at start, ${load1[0]!.toFixed(1)} at end; ${RUNS} runs per case (median, min–max); peak RSS from ${GNU_TIME ? 'GNU time' : '/proc VmHWM polling'}.`,
    '',
    '| case | ours ms | peer | peer ms | ratio | target | bytes read | peak RSS |',
    '|---|---|---|---|---|---|---|---|',
    ...rows.map((r) => `| ${r.case} | ${fmtMs(r.ours)} | ${r.peerName} | ${r.peer ? fmtMs(r.peer) : '-'} | ${r.ratio !== undefined ? fmtRatio(r.ratio) : '-'} | ${r.target}${r.pass === undefined ? '' : r.pass ? ' ✓' : ' ✗'} | ${r.bytesRead} | ${r.rss} |`),
    '',
    ...rows.filter((r) => r.note).map((r) => `- ${r.id}: ${r.note}`),
    ...notes.map((n) => `- ${n}`),
  ];
  process.stdout.write(lines.join('\n') + '\n');
  const jsonOut = process.env['BENCH_JSON'];
  if (jsonOut) writeFileSync(jsonOut, JSON.stringify({ machine: lines[0], rows, notes }, null, 2));
}

function fmtRatio(r: number): string {
  return `${r >= 0.1 ? r.toFixed(2) : r.toPrecision(2)}x`;
}

function statSize(p: string): number {
  try {
    return MinidumpFile.open(p).source.size;
  } catch {
    return NaN;
  }
}

/** In-process: binary-search lookups over the big dump's memory index vs a linear scan baseline, same addresses. */
function memoryLookupRow(dumpPath: string): Row {
  const build: number[] = [];
  const ours: number[] = [];
  const peer: number[] = [];
  let bytes = '';
  let n = 0;
  for (let r = 0; r <= RUNS; r++) {
    const t0 = performance.now();
    const dump = MinidumpFile.open(dumpPath);
    const mem = dump.memory;
    const t1 = performance.now();
    const ranges = mem.ranges;
    n = ranges.length;
    // Addresses: inside random ranges and just past their ends (holes), from a fixed seed.
    let x = 12345 + r;
    const rnd = () => ((x = (Math.imul(x, 1103515245) + 12345) >>> 0), x);
    const addrs: bigint[] = [];
    for (let i = 0; i < 20000; i++) {
      const rg = ranges[rnd() % n]!;
      addrs.push(i % 4 === 3 ? rg.start + BigInt(rg.size) : rg.start + BigInt(rnd() % rg.size));
    }
    const t2 = performance.now();
    let hits = 0;
    for (const a of addrs) if (mem.findRange(a)) hits++;
    const t3 = performance.now();
    // Linear baseline on a tenth of the addresses (it is that slow), scaled per lookup.
    const few = addrs.slice(0, 2000);
    let hits2 = 0;
    for (const a of few) if (ranges.find((rg) => a >= rg.start && a < rg.start + BigInt(rg.size))) hits2++;
    const t4 = performance.now();
    if (r === 0) {
      bytes = `${fmtBytes(dump.source.bytesRead)} of ${fmtBytes(dump.source.size)}`;
      if (hits2 > few.length || hits > addrs.length) throw new Error('lookup counts out of range');
    } else {
      build.push(t1 - t0);
      ours.push(((t3 - t2) / addrs.length) * 1e3);
      peer.push(((t4 - t3) / few.length) * 1e3);
    }
    dump.close();
  }
  const o = stats(ours);
  const p = stats(peer);
  return {
    id: 'memory-lookup',
    case: `address lookup over the Memory64List (${n} ranges), µs per lookup`,
    ours: o,
    peerName: 'linear scan of the same ranges',
    peer: p,
    ratio: ratioOf(o, p),
    target: 'binary search',
    pass: undefined,
    bytesRead: `${bytes} (open + index)`,
    rss: '-',
    note: `opening the dump and building the index of ${n} ranges: ${fmtMs(stats(build))} ms`,
  };
}

/** In-process: open a PDB and resolve one address; the big PDB vs the small one it was made from. */
function pdbRow(bigPath: string, bigSize: number): Row {
  const small = PdbFile.open(PDB);
  const procs = small.symbols().filter((s) => s.kind === 'proc');
  const sym = procs[procs.length >> 1]!;
  small.close();
  const rva = sym.rva + Math.min(3, Math.max(0, (sym.size ?? 1) - 1));
  const time = (p: string) => {
    const t0 = performance.now();
    const f = PdbFile.open(p);
    const s = f.lookup(rva);
    const ms = performance.now() - t0;
    const read = f.source.bytesRead;
    f.close();
    if (s?.name !== sym.name) throw new Error(`lookup in ${p} gave ${s?.name}, expected ${sym.name}`);
    return { ms, read };
  };
  const ours: number[] = [];
  const peer: number[] = [];
  let read = 0;
  for (let r = 0; r <= RUNS; r++) {
    const a = time(bigPath);
    const b = time(PDB);
    read = a.read;
    if (r > 0) {
      ours.push(a.ms);
      peer.push(b.ms);
    }
  }
  const o = stats(ours);
  const p = stats(peer);
  return {
    id: 'pdb',
    case: `open a ${fmtBytes(bigSize)} PDB and resolve one address (${sym.name}+${rva - sym.rva})`,
    ours: o,
    peerName: `same in ${path.basename(PDB)} (${fmtBytes(statFileSize(PDB))})`,
    peer: p,
    ratio: ratioOf(o, p),
    target: 'reads only the streams needed',
    pass: read < 4 * 1024 ** 2,
    bytesRead: `${fmtBytes(read)} of ${fmtBytes(bigSize)}`,
    rss: '-',
  };
}

function statFileSize(p: string): number {
  try {
    return PdbFile.open(p).source.size;
  } catch {
    return NaN;
  }
}

/** `dumpdbg triage` over a folder of corpus dumps vs Breakpad on each dump, both `CORES` at a time. */
async function triageRow(work: string, bp: string | undefined): Promise<Row | undefined> {
  const dir = path.join(work, 'triage');
  mkdirSync(dir, { recursive: true });
  const sources = [
    ...readdirSync(WINE).filter((f) => f.endsWith('-mini.dmp')).map((f) => path.join(WINE, f)),
    ...readdirSync(path.join(CORPUS, 'windows')).filter((f) => f.endsWith('.dmp')).map((f) => path.join(CORPUS, 'windows', f)),
  ].sort();
  const files: string[] = [];
  for (let i = 0; i < TRIAGE_DUMPS && sources.length; i++) {
    const src = sources[i % sources.length]!;
    const dst = path.join(dir, `${String(i).padStart(3, '0')}-${path.basename(src)}`);
    copyFileSync(src, dst);
    files.push(dst);
  }
  const ours = () => node([BIN, 'triage', '--json', '--jobs', String(CORES), dir], { DUMPDBG_OFFLINE: '1', _NT_SYMBOL_PATH: '' });
  const peer = async (): Promise<Sample> => {
    const t0 = performance.now();
    let next = 0;
    let cpu = 0;
    let rss = 0;
    const lane = async () => {
      while (next < files.length) {
        const f = files[next++]!;
        const s = await measure(bp!, [f], { discardStderr: true });
        cpu += s.cpuMs;
        rss = Math.max(rss, s.rssKb);
      }
    };
    await Promise.all(Array.from({ length: CORES }, lane));
    return { wallMs: performance.now() - t0, cpuMs: cpu, rssKb: rss, code: 0, stderr: '', stdoutBytes: 0 };
  };
  const sides = bp ? [ours, peer] : [ours];
  const [o, p] = await rounds(sides);
  const os_ = stats(o!.map((s) => s.wallMs));
  const ps = p ? stats(p.map((s) => s.wallMs)) : undefined;
  const rate = (ms: number) => (files.length / (ms / 1000)).toFixed(1);
  return {
    id: 'triage',
    case: `triage ${files.length} dumps (\`--jobs ${CORES}\`)`,
    ours: os_,
    peerName: bp ? `\`minidump_stackwalk\` on each dump, ${CORES} at a time` : '(Breakpad unavailable)',
    peer: ps,
    ratio: ratioOf(os_, ps),
    target: 'throughput',
    pass: undefined,
    bytesRead: '-',
    rss: `${rssText(o!)}${p ? ` (Breakpad ${rssText(p)} per process)` : ''}`,
    note: `throughput: ours ${rate(os_.median)} dumps/s${ps ? `, Breakpad ${rate(ps.median)} dumps/s` : ''} (medians)`,
  };
}

main().catch((e: unknown) => {
  process.stderr.write(`bench: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exitCode = 1;
});
