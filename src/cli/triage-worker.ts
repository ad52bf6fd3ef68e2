/**
 * One triage worker thread: opens each dump it is sent, runs `!analyze -v`
 * through the same dispatcher as the CLI, and posts back one TriageRecord.
 * Never throws out: an unreadable dump becomes a record with `error`.
 * The thread starts at triage-worker-entry.cts, which runs this module bundled.
 */
import { statSync } from 'node:fs';
import { parentPort, workerData } from 'node:worker_threads';
import { builtinCommands } from '../../commands/index.js';
import { Dispatcher } from '../interpreter/dispatch.js';
import { CommandRegistry } from '../interpreter/registry.js';
import { Session } from '../session/session.js';
import type { CommandResult } from '../results/types.js';
import type { TriageJob, TriageRecord, TriageWorkerData } from './triage-types.js';

const data = workerData as TriageWorkerData;

/** `LABEL:  value` lines of !analyze's text (hang results carry the bucket only there). */
function sectionValue(r: CommandResult, label: string): string | undefined {
  const re = new RegExp(`^${label}:\\s+(\\S.*)$`);
  for (const b of r.blocks) {
    if (b.kind !== 'text') continue;
    for (const line of b.lines) {
      const m = re.exec(line);
      if (m) return m[1]!.trim();
    }
  }
  return undefined;
}

function str(v: unknown): string | undefined {
  if (typeof v === 'string') return v;
  if (typeof v === 'bigint' || typeof v === 'number') return v.toString();
  return undefined;
}

export async function analyzeOne(job: TriageJob): Promise<TriageRecord> {
  const started = performance.now();
  const rec: TriageRecord = { dump: job.path, size: 0 };
  try {
    const st = statSync(job.path);
    rec.size = st.size;
    rec.fileTime = st.mtime.toISOString();
  } catch {
    // Reported by the open below.
  }
  const session = new Session({
    ...(data.symbolPath !== undefined ? { symbolPath: data.symbolPath } : {}),
    ...(data.imagePath !== undefined ? { imagePath: data.imagePath } : {}),
  });
  try {
    const t = await session.openSpec(job.path);
    const stamp = t.dump.header.timeDateStamp;
    if (stamp) rec.crashTime = new Date(stamp * 1000).toISOString();
    const dispatcher = new Dispatcher(session, new CommandRegistry(builtinCommands), { mode: 'batch' });
    const [entry] = await dispatcher.dispatch('!analyze -v');
    const r = entry?.result;
    if (!r || r.failed) {
      rec.error = r ? r.blocks.flatMap((b) => b.lines).join(' ').trim() || '!analyze failed' : '!analyze returned nothing';
    } else {
      const d = (r.data ?? {}) as Record<string, unknown>;
      rec.kind = str(d['kind']);
      rec.failureBucketId = str(d['failureBucketId']) ?? sectionValue(r, 'FAILURE_BUCKET_ID');
      rec.failureHash = sectionValue(r, 'FAILURE_ID_HASH');
      const code = d['exceptionCode'];
      if (typeof code === 'number') rec.exceptionCode = (code >>> 0).toString(16).padStart(8, '0');
      rec.exceptionName = str(d['exceptionName']);
      rec.problemClass = str(d['problemClass']);
      rec.symbolName = str(d['symbolName']) ?? sectionValue(r, 'SYMBOL_NAME');
      rec.moduleName = str(d['moduleName']) ?? sectionValue(r, 'MODULE_NAME');
      rec.processName = sectionValue(r, 'PROCESS_NAME');
    }
  } catch (e) {
    rec.error = e instanceof Error ? e.message : String(e);
  } finally {
    session.close();
  }
  rec.ms = Math.round(performance.now() - started);
  // Drop undefined fields so each JSON record is compact.
  for (const k of Object.keys(rec) as (keyof TriageRecord)[]) if (rec[k] === undefined) delete rec[k];
  return rec;
}

/**
 * Answers the jobs the pool sends (triage-worker-entry.cts calls this). `afterFirstJob` runs once,
 * when the first dump is analyzed and before its record is posted: the pool may end the worker as
 * soon as it has the record (the bundled worker writes its code cache there).
 */
export function startWorker(afterFirstJob?: () => void): void {
  let first = afterFirstJob;
  const post = (id: number, rec: TriageRecord) => {
    const f = first;
    first = undefined;
    try {
      f?.();
    } finally {
      parentPort?.postMessage({ id, rec });
    }
  };
  parentPort?.on('message', (job: TriageJob) => {
    analyzeOne(job).then(
      (rec) => post(job.id, rec),
      (e: unknown) => post(job.id, { dump: job.path, size: 0, error: e instanceof Error ? e.message : String(e) }),
    );
  });
}
