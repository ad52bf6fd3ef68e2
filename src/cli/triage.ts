/**
 * `dumpdbg triage DIR|FILES... [--json] [--jobs N]`: analyzes many dumps in
 * parallel on worker threads (one per core by default), each with the same
 * `!analyze -v` the debugger runs, and groups them by FAILURE_BUCKET_ID.
 *
 * Text mode streams one progress line per dump to stderr and prints the
 * bucket table on stdout. `--json` prints one JSON record per dump on stdout
 * (progress and the table go to stderr), so shards run on many machines can
 * be concatenated and grouped again with `dumpdbg triage --from-json FILES`.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import minimist from 'minimist';
import type { TriageJob, TriageRecord, TriageWorkerData } from './triage-types.js';
import { escapeControl, jsonSafe } from '../results/render-text.js';

/** Dump-derived text (file, bucket and symbol names) is printed with control characters escaped. */
const out = (s: string) => process.stdout.write(escapeControl(s.replace(/\n$/, '')) + '\n');
const err = (s: string) => process.stderr.write(escapeControl(s.replace(/\n$/, '')) + '\n');

export type { TriageRecord } from './triage-types.js';

export const TRIAGE_USAGE = `usage: dumpdbg triage DIR|FILES... [--json] [--jobs N] [-y SYMPATH] [-i IMAGEPATH]
       dumpdbg triage --from-json RESULTS.jsonl...

  DIR            every dump under DIR (.dmp, .mdmp, .hdmp, .dmp.gz, .zip, .cab), recursively
  --json         one JSON record per dump on stdout (progress and the bucket table on stderr)
  --jobs N       worker threads (default: one per core)
  -y PATH        symbol search path for every dump
  -i PATH        image search path for every dump
  --from-json    group records written by earlier --json runs (shards from several machines)`;

const DUMP_NAME = /\.(dmp|mdmp|hdmp|dmp\.gz|gz|zip|cab)$/i;

/** The dump files named by the arguments: files as given, directories walked (sorted, recursively). */
export function collectDumps(args: readonly string[]): { files: string[]; missing: string[] } {
  const files: string[] = [];
  const missing: string[] = [];
  const walk = (dir: string): void => {
    let names: string[];
    try {
      names = readdirSync(dir).sort();
    } catch {
      missing.push(dir);
      return;
    }
    for (const n of names) {
      const p = path.join(dir, n);
      let isDir = false;
      try {
        isDir = statSync(p).isDirectory();
      } catch {
        continue;
      }
      if (isDir) walk(p);
      else if (DUMP_NAME.test(n)) files.push(p);
    }
  };
  for (const a of args) {
    let st;
    try {
      st = statSync(a);
    } catch {
      missing.push(a);
      continue;
    }
    if (st.isDirectory()) walk(a);
    else files.push(a);
  }
  return { files, missing };
}

export interface TriageBucket {
  failureBucketId: string;
  count: number;
  firstSeen: string | undefined;
  lastSeen: string | undefined;
  /** One dump of the bucket (the earliest seen). */
  example: string;
  dumps: string[];
}

/** The group a record counts in: its bucket, or `(error)` when it could not be analyzed. */
export function bucketOf(r: TriageRecord): string {
  return r.failureBucketId ?? (r.error !== undefined ? '(error)' : '(no bucket)');
}

/** Groups records by bucket; most frequent first, ties by first seen (undated groups last). */
export function groupBuckets(records: readonly TriageRecord[]): TriageBucket[] {
  const map = new Map<string, TriageBucket>();
  for (const r of records) {
    const id = bucketOf(r);
    const when = r.crashTime ?? r.fileTime;
    let b = map.get(id);
    if (!b) {
      b = { failureBucketId: id, count: 0, firstSeen: when, lastSeen: when, example: r.dump, dumps: [] };
      map.set(id, b);
    }
    b.count++;
    b.dumps.push(r.dump);
    if (when !== undefined) {
      if (b.firstSeen === undefined || when < b.firstSeen) {
        b.firstSeen = when;
        b.example = r.dump;
      }
      if (b.lastSeen === undefined || when > b.lastSeen) b.lastSeen = when;
    }
  }
  return [...map.values()].sort((a, b) => b.count - a.count || cmp(a.firstSeen ?? '\uffff', b.firstSeen ?? '\uffff') || cmp(a.failureBucketId, b.failureBucketId));
}

const cmp = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** The bucket table: count, first and last seen (UTC, to the second), bucket, example dump. */
export function bucketTableLines(buckets: readonly TriageBucket[], total: number): string[] {
  const day = (s: string | undefined) => (s ? s.replace('T', ' ').replace(/\.\d+Z$/, 'Z') : '-');
  const rows = buckets.map((b) => [String(b.count), day(b.firstSeen), day(b.lastSeen), b.failureBucketId, b.example]);
  const head = ['COUNT', 'FIRST SEEN', 'LAST SEEN', 'FAILURE_BUCKET_ID', 'EXAMPLE'];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const fmt = (r: string[]) => r.map((c, i) => (i === 0 ? c.padStart(widths[i]!) : i === r.length - 1 ? c : c.padEnd(widths[i]!))).join('  ');
  return [`${total} dump${total === 1 ? '' : 's'}, ${buckets.length} bucket${buckets.length === 1 ? '' : 's'}`, '', fmt(head), ...rows.map(fmt)];
}

export interface TriageOptions {
  jobs?: number;
  symbolPath?: string;
  imagePath?: string;
  /** Called as each dump finishes (in completion order). */
  onRecord?: (rec: TriageRecord, done: number, total: number) => void;
  /** Per-dump time limit in ms (the worker is replaced when it is exceeded). Default 300 s. */
  timeoutMs?: number;
}

/**
 * Analyzes `files` on a pool of worker threads; resolves to the records in
 * input order. Needs the built JS (dist/): the worker starts at
 * `triage-worker-entry.cjs` next to this module.
 */
export async function triageDumps(files: readonly string[], o: TriageOptions = {}): Promise<TriageRecord[]> {
  const jobs = Math.max(1, Math.min(o.jobs ?? availableParallelism(), files.length || 1));
  // The worker runs the bundled worker code with a code cache when there is one (see the entry).
  const workerUrl = new URL('./triage-worker-entry.cjs', import.meta.url);
  const workerData: TriageWorkerData = {
    ...(o.symbolPath !== undefined ? { symbolPath: o.symbolPath } : {}),
    ...(o.imagePath !== undefined ? { imagePath: o.imagePath } : {}),
  };
  const timeoutMs = o.timeoutMs ?? 300_000;
  const results: TriageRecord[] = new Array(files.length);
  let next = 0;
  let done = 0;

  const runWorker = (): Promise<void> =>
    new Promise<void>((resolve) => {
      let w = new Worker(workerUrl, { workerData });
      let current: TriageJob | undefined;
      let timer: NodeJS.Timeout | undefined;
      const finishJob = (rec: TriageRecord) => {
        if (timer) clearTimeout(timer);
        results[current!.id] = rec;
        done++;
        o.onRecord?.(rec, done, files.length);
        current = undefined;
        feed();
      };
      const attach = () => {
        w.on('message', (m: { id: number; rec: TriageRecord }) => {
          if (current && m.id === current.id) finishJob(m.rec);
        });
        w.on('error', (e) => {
          // A crash of the worker itself (out of memory, a bug): the dump gets an error record, the pool goes on.
          if (current) {
            const job = current;
            replace();
            current = job;
            finishJob({ dump: job.path, size: 0, error: `worker failed: ${e.message}` });
          }
        });
        w.on('exit', (code) => {
          // A worker that exits by itself mid-dump (never expected) must not leave the dump waiting for the time limit.
          if (current) {
            const job = current;
            replace();
            current = job;
            finishJob({ dump: job.path, size: 0, error: `worker exited (code ${code})` });
          }
        });
      };
      const replace = () => {
        w.removeAllListeners();
        void w.terminate();
        w = new Worker(workerUrl, { workerData });
        attach();
      };
      const feed = () => {
        if (next >= files.length) {
          void w.terminate().then(() => resolve());
          return;
        }
        current = { id: next, path: files[next]! };
        next++;
        const job = current;
        timer = setTimeout(() => {
          if (current !== job) return;
          replace();
          finishJob({ dump: job.path, size: 0, error: `analysis took longer than ${Math.round(timeoutMs / 1000)} s` });
        }, timeoutMs);
        w.postMessage(job);
      };
      attach();
      feed();
    });

  await Promise.all(Array.from({ length: jobs }, runWorker));
  return results;
}

function readRecords(files: readonly string[]): TriageRecord[] {
  const out: TriageRecord[] = [];
  for (const f of files) {
    const text = readFileSync(f, 'utf8');
    for (const line of text.split(/\r?\n/)) {
      if (!line.trim()) continue;
      try {
        const r = JSON.parse(line) as TriageRecord;
        if (r && typeof r.dump === 'string') out.push(r);
      } catch {
        throw new Error(`${f}: not one JSON record per line`);
      }
    }
  }
  return out;
}

/** The `triage` subcommand; resolves to the exit code (0 ok, 1 no dumps analyzed, 2 bad arguments). */
export async function triageMain(argv: readonly string[]): Promise<number> {
  const unknown: string[] = [];
  const a = minimist([...argv], {
    string: ['jobs', 'y', 'i'],
    boolean: ['json', 'help', 'from-json'],
    alias: { h: 'help', j: 'jobs' },
    unknown: (arg) => {
      if (arg.startsWith('-')) {
        unknown.push(arg);
        return false;
      }
      return true;
    },
  });
  if (a['help']) {
    process.stdout.write(TRIAGE_USAGE + '\n');
    return 0;
  }
  if (unknown.length) {
    process.stderr.write(`dumpdbg triage: unknown option ${unknown[0]}\n${TRIAGE_USAGE}\n`);
    return 2;
  }
  const inputs = a._.map(String);
  if (!inputs.length) {
    process.stderr.write(`dumpdbg triage: no dumps given\n${TRIAGE_USAGE}\n`);
    return 2;
  }
  let jobs: number | undefined;
  if (a['jobs'] !== undefined) {
    jobs = Number(a['jobs']);
    if (!Number.isInteger(jobs) || jobs < 1) {
      process.stderr.write(`dumpdbg triage: --jobs needs a whole number of at least 1\n`);
      return 2;
    }
  }
  const json = Boolean(a['json']);

  if (a['from-json']) {
    let records: TriageRecord[];
    try {
      records = readRecords(inputs);
    } catch (e) {
      err(`dumpdbg triage: ${e instanceof Error ? e.message : String(e)}`);
      return 2;
    }
    const buckets = groupBuckets(records);
    if (json) process.stdout.write(jsonSafe(JSON.stringify({ type: 'buckets', dumps: records.length, buckets: buckets.map(({ dumps: _d, ...b }) => b) })) + '\n');
    else bucketTableLines(buckets, records.length).forEach((l) => out(l));
    return records.length ? 0 : 1;
  }

  const { files, missing } = collectDumps(inputs);
  for (const m of missing) err(`dumpdbg triage: cannot read ${m}`);
  if (!files.length) {
    process.stderr.write(`dumpdbg triage: no dump files found\n`);
    return 1;
  }
  const started = performance.now();
  const width = String(files.length).length;
  const records = await triageDumps(files, {
    ...(jobs !== undefined ? { jobs } : {}),
    ...(typeof a['y'] === 'string' ? { symbolPath: a['y'] } : {}),
    ...(typeof a['i'] === 'string' ? { imagePath: a['i'] } : {}),
    onRecord: (rec, done, total) => {
      if (json) process.stdout.write(jsonSafe(JSON.stringify(rec)) + '\n');
      err(`[${String(done).padStart(width)}/${total}] ${rec.dump}  ${rec.error !== undefined ? `error: ${rec.error}` : bucketOf(rec)}`);
    },
  });
  const secs = (performance.now() - started) / 1000;
  const table = bucketTableLines(groupBuckets(records), records.length);
  const rate = `${records.length} dump${records.length === 1 ? '' : 's'} in ${secs.toFixed(1)} s (${(records.length / secs).toFixed(1)} dumps/s)`;
  if (json) [...table, '', rate].forEach((l) => err(l));
  else ['', ...table, '', rate].forEach((l) => out(l));
  return records.some((r) => r.error === undefined) ? 0 : 1;
}
