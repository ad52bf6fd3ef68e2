/**
 * Process measurements for the benchmark: wall time, CPU time and peak RSS of
 * a whole child process, and min/median/max over repeated runs.
 *
 * Peak RSS comes from GNU time (`/usr/bin/time -f`) when it is installed,
 * else from polling /proc/PID/status (VmHWM) while the child runs (a child
 * shorter than one poll may then report 0).
 */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

export interface Sample {
  wallMs: number;
  /** User + system CPU time of the child (ms). */
  cpuMs: number;
  /** Peak resident set size (KiB). */
  rssKb: number;
  code: number | null;
  stderr: string;
  stdoutBytes: number;
}

export interface Stats {
  min: number;
  median: number;
  max: number;
}

export const GNU_TIME = existsSync('/usr/bin/time') ? '/usr/bin/time' : undefined;

let seq = 0;

/** Runs `cmd args` to completion, draining stdout (counted, not kept) and keeping stderr. */
export function measure(cmd: string, args: readonly string[], opts: { env?: NodeJS.ProcessEnv; cwd?: string; discardStderr?: boolean } = {}): Promise<Sample> {
  const timeFile = GNU_TIME ? path.join(tmpdir(), `dumpdbg-bench-time-${process.pid}-${seq++}.txt`) : undefined;
  const argv = GNU_TIME ? ['-f', '%e %U %S %M', '-o', timeFile!, cmd, ...args] : [...args];
  const exe = GNU_TIME ?? cmd;
  return new Promise((resolve, reject) => {
    const t0 = process.hrtime.bigint();
    // discardStderr: the child's stderr goes to /dev/null (a peer's own logging is not part of the work measured).
    const child = spawn(exe, argv, { env: opts.env ?? process.env, cwd: opts.cwd, stdio: ['ignore', 'pipe', opts.discardStderr ? 'ignore' : 'pipe'] });
    let stdoutBytes = 0;
    let stderr = '';
    child.stdout?.on('data', (b: Buffer) => (stdoutBytes += b.length));
    child.stderr?.on('data', (b: Buffer) => (stderr += b.toString('utf8')));
    let hwm = 0;
    let ticks = 0;
    const poll = GNU_TIME
      ? undefined
      : setInterval(() => {
          try {
            const m = /VmHWM:\s+(\d+)/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'));
            if (m) hwm = Math.max(hwm, Number(m[1]));
            const stat = readFileSync(`/proc/${child.pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
            ticks = Number(stat[11]) + Number(stat[12]);
          } catch {
            // The child has exited between polls.
          }
        }, 5);
    child.on('error', reject);
    child.on('close', (code) => {
      const wallMs = Number(process.hrtime.bigint() - t0) / 1e6;
      if (poll) clearInterval(poll);
      let cpuMs = ticks * 10;
      let rssKb = hwm;
      if (timeFile) {
        try {
          const last = readFileSync(timeFile, 'utf8').trim().split('\n').at(-1)!.split(' ').map(Number);
          cpuMs = ((last[1] ?? 0) + (last[2] ?? 0)) * 1000;
          rssKb = last[3] ?? 0;
        } catch {
          // GNU time wrote nothing (killed): leave the polled values.
        }
        rmSync(timeFile, { force: true });
      }
      // GNU time prints "Command exited with non-zero status N" to its -o file, not stderr.
      resolve({ wallMs, cpuMs, rssKb, code, stderr, stdoutBytes });
    });
  });
}

export function stats(values: readonly number[]): Stats {
  const s = [...values].sort((a, b) => a - b);
  if (!s.length) return { min: NaN, median: NaN, max: NaN };
  const mid = s.length >> 1;
  const median = s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
  return { min: s[0]!, median, max: s[s.length - 1]! };
}

/** `bytes read: N of M` lines printed by the CLI under DUMPDBG_STATS=1 (first dump). */
export function bytesReadOf(stderr: string): { read: number; size: number } | undefined {
  const m = /bytes read: (\d+) of (\d+)/.exec(stderr);
  return m ? { read: Number(m[1]), size: Number(m[2]) } : undefined;
}

export function fmtMs(s: Stats): string {
  const f = (v: number) => (v >= 100 ? v.toFixed(0) : v.toFixed(1));
  return `${f(s.median)} (${f(s.min)}–${f(s.max)})`;
}

export function fmtBytes(n: number): string {
  if (!Number.isFinite(n)) return '-';
  if (n >= 1024 ** 3) return `${(n / 1024 ** 3).toFixed(2)} GiB`;
  if (n >= 1024 ** 2) return `${(n / 1024 ** 2).toFixed(1)} MiB`;
  if (n >= 1024) return `${(n / 1024).toFixed(0)} KiB`;
  return `${n} B`;
}
