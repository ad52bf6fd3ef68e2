/**
 * `dumpdbg --replay SESSION.wds [--dump FILE]` and `--replay DIR`: re-runs a
 * recorded transcript's commands on its dump and prints a unified diff of the
 * output that changed. Exit codes: 0 identical, 1 output differs, 2 the dump
 * is missing or not the recorded one (or the transcript is unreadable).
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { builtinCommands } from '../../commands/index.js';
import { isFormatError } from '../bytes/errors.js';
import { Dispatcher } from '../interpreter/dispatch.js';
import { CommandRegistry } from '../interpreter/registry.js';
import { Session } from '../session/session.js';
import type { Transcript } from '../session/transcript.js';
import { dumpIdentity, entryLines, parseTranscript, pathSubstitutions, searchPathFromTranscript, specFromTranscript, TranscriptError } from '../session/transcript.js';
import type { CliOptions } from './argv.js';
import { unifiedDiff } from './diff.js';
import { writeStdout } from './stdout.js';

export type ReplayStatus = 'pass' | 'differs' | 'no-dump' | 'bad-transcript';

export interface ReplayResult {
  file: string;
  status: ReplayStatus;
  /** One-line explanation for the status. */
  message: string;
  /** Unified diff lines (recorded → replayed); empty when identical. */
  diff: string[];
  commands: number;
}

export const EXIT_CODE: Record<ReplayStatus, number> = { pass: 0, differs: 1, 'no-dump': 2, 'bad-transcript': 2 };

/** Normal form for comparing: trailing blanks removed, trailing empty lines dropped. */
function normalize(lines: readonly string[]): string[] {
  const out = lines.map((l) => l.trimEnd());
  while (out.length && out.at(-1) === '') out.pop();
  return out;
}

/** The transcript text as parsed (header verbatim, then each command and its output). */
export function serializeTranscript(t: Transcript): string[] {
  const out = [...t.headerLines];
  for (const c of t.commands) {
    out.push(`${c.prompt || '>'} ${c.command}`.trimEnd());
    for (const l of c.output) out.push(l === '' ? '' : `  ${l}`);
  }
  return out;
}

/** Replays one transcript file. `dumpOverride` replaces the first recorded dump. Never throws. */
export async function replayFile(file: string, dumpOverride?: string): Promise<ReplayResult> {
  const result = (status: ReplayStatus, message: string, diff: string[] = [], commands = 0): ReplayResult => ({ file, status, message, diff, commands });
  let t: Transcript;
  try {
    t = parseTranscript(readFileSync(file, 'utf8'));
  } catch (e) {
    if (e instanceof TranscriptError) return result('bad-transcript', `not a transcript: ${e.message}`);
    return result('bad-transcript', `cannot read the transcript: ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
  }
  const dir = dirname(resolve(file));
  // Run in the recorded time zone (Node re-reads TZ when it changes); restored afterwards.
  const savedTz = process.env['TZ'];
  if (t.timeZone) process.env['TZ'] = t.timeZone;
  const session = new Session({
    symbolPath: searchPathFromTranscript(t.symbolPath, dir),
    imagePath: searchPathFromTranscript(t.imagePath, dir),
    explain: t.explain,
    // Replays must not depend on the network: symbol servers' caches only.
    offline: true,
  });
  try {
    const notes: string[] = [];
    for (const [i, d] of t.dumps.entries()) {
      const spec = i === 0 && dumpOverride !== undefined ? dumpOverride : specFromTranscript(d.path, dir);
      const onDisk = spec.includes('#') && !existsSync(spec) ? spec.slice(0, spec.indexOf('#')) : spec;
      if (!existsSync(onDisk)) return result('no-dump', `dump not found: ${spec}${dumpOverride === undefined ? ' (give another with --dump FILE)' : ''}`);
      let target;
      try {
        target = await session.openSpec(spec);
      } catch (e) {
        return result('no-dump', `cannot open the dump ${spec}: ${isFormatError(e) || e instanceof Error ? e.message : String(e)}`);
      }
      const id = dumpIdentity(target.filePath);
      if (d.identity && id && (d.identity.size !== id.size || d.identity.sha256 !== id.sha256)) {
        const why = d.identity.size !== id.size ? `size ${id.size}, recorded ${d.identity.size}` : 'header and stream directory differ';
        if (dumpOverride === undefined) return result('no-dump', `the dump is not the recorded one: ${spec} (${why})`);
        notes.push(`the dump is not the recorded one (${why})`);
      }
    }
    const current = /^current-dump: (\d+)$/m.exec(t.headerLines.join('\n'));
    session.current = current ? Math.min(Number(current[1]), session.targets.length - 1) : 0;
    const subs = pathSubstitutions(session, dir, t.dumps.map((d) => d.path));
    const dispatcher = new Dispatcher(session, new CommandRegistry(builtinCommands), { mode: 'batch' });
    const replayed = [...t.headerLines];
    let ran = 0;
    for (const c of t.commands) {
      const entries = await dispatcher.dispatch(c.command);
      ran++;
      if (!entries.length) replayed.push(`${c.prompt || '>'} ${c.command}`.trimEnd());
      for (const e of entries) {
        const lines = entryLines(e, { explain: session.options.explain, redact: t.redact, substitutions: subs });
        // A hand-written command line without a prompt compares without one.
        if (!c.prompt) lines[0] = `> ${e.command}`.trimEnd();
        replayed.push(...lines);
      }
      if (entries.some((e) => e.result.quit)) break;
    }
    const diff = unifiedDiff(normalize(serializeTranscript(t)), normalize(replayed), { a: `${file} (recorded)`, b: `${file} (replayed)` });
    if (notes.length) return result('no-dump', notes.join('; '), diff, ran);
    return diff.length ? result('differs', `output differs (${diff.slice(2).filter((l) => l[0] === '-' || l[0] === '+').length} lines changed)`, diff, ran) : result('pass', `${ran} commands, identical`, [], ran);
  } finally {
    session.close();
    if (savedTz === undefined) delete process.env['TZ'];
    else process.env['TZ'] = savedTz;
  }
}

/** The transcripts (`*.wds`) in a folder and its subfolders, sorted. */
export function transcriptsIn(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...transcriptsIn(p));
    else if (name.endsWith('.wds')) out.push(p);
  }
  return out;
}

/** `--replay FILE|DIR`: prints each result (and diffs), then `N passed, N failed` for a folder. */
export async function replayMain(opts: CliOptions, write: (s: string) => void = writeStdout): Promise<number> {
  const target = opts.replay!;
  let files: string[];
  let isDir = false;
  try {
    isDir = statSync(target).isDirectory();
    files = isDir ? transcriptsIn(target) : [target];
  } catch {
    write(`FAIL ${target}: no such transcript or folder\n`);
    return 2;
  }
  if (isDir && opts.replayDump !== undefined) {
    write('--dump applies to one transcript, not a folder\n');
    return 2;
  }
  let passed = 0;
  let code = 0;
  for (const f of files) {
    const r = await replayFile(f, opts.replayDump);
    if (r.status === 'pass') passed++;
    write(`${r.status === 'pass' ? 'ok  ' : 'FAIL'} ${f}: ${r.message}\n`);
    if (r.diff.length) write(r.diff.join('\n') + '\n');
    code = Math.max(code, EXIT_CODE[r.status]);
  }
  if (isDir) write(`${passed} passed, ${files.length - passed} failed\n`);
  return code;
}
