/** Messages between `dumpdbg triage` and its worker threads, and the per-dump JSON record. */

export interface TriageWorkerData {
  symbolPath?: string;
  imagePath?: string;
}

export interface TriageJob {
  id: number;
  path: string;
}

/** One dump's result: what `--json` prints, one object per line. */
export interface TriageRecord {
  dump: string;
  size: number;
  /** The dump header's time stamp (when the dump was written), ISO 8601. */
  crashTime?: string;
  /** The file's modification time, ISO 8601 (used for first/last seen when the header has no time). */
  fileTime?: string;
  /** 'exception' or 'hang' (from !analyze's data). */
  kind?: string;
  failureBucketId?: string;
  failureHash?: string;
  exceptionCode?: string;
  exceptionName?: string;
  problemClass?: string;
  symbolName?: string;
  moduleName?: string;
  processName?: string;
  /** Why the dump could not be analyzed (the dump then counts in the `(error)` group). */
  error?: string;
  /** Analysis time in milliseconds. */
  ms?: number;
}
