/**
 * Session transcripts (`--record`, `.record`, `--replay`): a plain-text file
 * people can read, edit and diff.
 *
 *   # comment lines
 *   dump: ../dumps/null-deref.dmp          header: `key: value` lines before the first command
 *   dump-size: 208987
 *   dump-sha256: 5f0c…                     hash of the 32-byte header and the stream directory
 *   symbol-path: ../dumps
 *   image-path: ../dumps
 *   explain: off
 *   redact: off
 *   0:000> .ecxr                            a command: the prompt, one blank, the command
 *     rax=0000000000000000 rbx=…            its output, each line indented by two blanks
 *                                           (an empty output line is an empty line)
 *
 * Paths in the header are relative to the transcript's folder when the dump
 * (or symbol folder) sits below it or in the same repository, absolute
 * otherwise. Output lines are written with trailing blanks removed; the
 * absolute path of the dump and of local symbol folders are replaced by the
 * header's spelling so a transcript does not depend on where it was made.
 */
import { appendFileSync, closeSync, existsSync, openSync, readSync, statSync, writeFileSync } from 'node:fs';
import { dirname, isAbsolute, relative, resolve, sep } from 'node:path';
import { nodeCrypto } from '../bytes/builtins.js';
import type { CommandResult } from '../results/types.js';
import { renderLines } from '../results/render-text.js';
import type { Session, SessionRecording } from './session.js';

/** What identifies a dump file: its size and a hash of its header and stream directory. */
export interface DumpIdentity {
  size: number;
  sha256: string;
}

export interface TranscriptDump {
  /** As written in the header (transcript-relative or absolute). */
  path: string;
  identity: DumpIdentity | undefined;
}

export interface TranscriptCommand {
  /** `0:000>`; empty when a hand-written command line has no prompt. */
  prompt: string;
  command: string;
  output: string[];
  /** 1-based line of the command in the transcript. */
  line: number;
}

export interface Transcript {
  dumps: TranscriptDump[];
  symbolPath: string;
  imagePath: string;
  explain: boolean;
  redact: boolean;
  /** `time-zone:` (IANA name) the transcript was recorded in, if given. */
  timeZone: string | undefined;
  /** Header and comment lines before the first command, verbatim. */
  headerLines: string[];
  commands: TranscriptCommand[];
}

/** One executed command, as the dispatcher reports it (structurally its DispatchEntry). */
export interface TranscriptEntry {
  command: string;
  prompt: string;
  result: CommandResult;
}

export class TranscriptError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TranscriptError';
  }
}

/** Size and SHA-256 of the 32-byte MINIDUMP_HEADER plus its stream directory (≤ 4096 entries). */
export function dumpIdentity(file: string): DumpIdentity | undefined {
  let fd: number | undefined;
  try {
    const size = statSync(file).size;
    fd = openSync(file, 'r');
    const head = Buffer.alloc(32);
    if (readSync(fd, head, 0, 32, 0) < 32) return { size, sha256: nodeCrypto().createHash('sha256').update(head.subarray(0, 0)).digest('hex') };
    const count = Math.min(head.readUInt32LE(8), 4096);
    const rva = head.readUInt32LE(12);
    const dir = Buffer.alloc(Math.max(0, Math.min(count * 12, size - rva)));
    if (dir.length) readSync(fd, dir, 0, dir.length, rva);
    return { size, sha256: nodeCrypto().createHash('sha256').update(head).update(dir).digest('hex') };
  } catch {
    return undefined;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/** The nearest folder at or above `dir` holding `.git` (the repository root), if any. */
function repoRoot(dir: string): string | undefined {
  let d = resolve(dir);
  for (;;) {
    if (existsSync(resolve(d, '.git'))) return d;
    const up = dirname(d);
    if (up === d) return undefined;
    d = up;
  }
}

function below(child: string, parent: string): boolean {
  const r = relative(parent, child);
  return r === '' || (!r.startsWith('..') && !isAbsolute(r));
}

/**
 * How a transcript in `transcriptDir` names `target` (an absolute path): relative
 * (with `/`) when it sits below the transcript's folder or in the same repository,
 * absolute otherwise.
 */
export function transcriptRelative(target: string, transcriptDir: string): string {
  const abs = resolve(target);
  const dir = resolve(transcriptDir);
  const root = repoRoot(dir);
  if (below(abs, dir) || (root !== undefined && below(abs, root))) return relative(dir, abs).split(sep).join('/') || '.';
  return abs;
}

/** Splits `FILE#member` (archive members) so only the file part is rewritten. */
function splitSpec(spec: string): [string, string] {
  const i = spec.indexOf('#');
  if (i > 0 && !existsSync(spec)) return [spec.slice(0, i), spec.slice(i)];
  return [spec, ''];
}

/** A dump spec as the transcript writes it. */
export function specForTranscript(spec: string, transcriptDir: string): string {
  const [file, member] = splitSpec(spec);
  return transcriptRelative(file, transcriptDir) + member;
}

/** A transcript's dump spec resolved against its folder. */
export function specFromTranscript(spec: string, transcriptDir: string): string {
  const [file, member] = splitSpec(spec);
  return (isAbsolute(file) ? file : resolve(transcriptDir, file)) + member;
}

/** Local folder elements of a `;`-separated search path (no `*`, no URL). */
function isLocalElement(e: string): boolean {
  return e !== '' && !e.includes('*') && !/^https?:/i.test(e);
}

/** Rewrites the local folders of a symbol/image path for a transcript in `transcriptDir`. */
export function searchPathForTranscript(path: string, transcriptDir: string): string {
  return path
    .split(';')
    .map((e) => (isLocalElement(e.trim()) && existsSync(e.trim()) ? transcriptRelative(e.trim(), transcriptDir) : e))
    .join(';');
}

/** A transcript's symbol/image path with its relative folders made relative to the current directory. */
export function searchPathFromTranscript(path: string, transcriptDir: string): string {
  return path
    .split(';')
    .map((e) => {
      const s = e.trim();
      if (!isLocalElement(s) || isAbsolute(s)) return e;
      return relative(process.cwd(), resolve(transcriptDir, s)) || '.';
    })
    .join(';');
}

/**
 * Pairs [as the session spells it → as the transcript spells it] for the dump
 * and the local search-path folders, longest first. Only strings that look
 * like paths (hold a separator) are substituted.
 */
export function pathSubstitutions(session: Session, transcriptDir: string, dumpNames: readonly string[]): [string, string][] {
  const pairs: [string, string][] = [];
  session.targets.forEach((t, i) => {
    const name = dumpNames[i];
    if (name === undefined) return;
    for (const p of [t.path, resolve(t.path), t.filePath, resolve(t.filePath)]) pairs.push([p, name]);
  });
  for (const path of [session.options.symbolPath, session.options.imagePath]) {
    for (const e of path.split(';')) {
      const s = e.trim();
      if (!isLocalElement(s)) continue;
      const canonical = isAbsolute(s) && !existsSync(s) ? s : transcriptRelative(s, transcriptDir);
      pairs.push([resolve(s), canonical], [s, canonical]);
    }
  }
  const seen = new Set<string>();
  return pairs
    .filter(([from, to]) => from !== to && /[\\/]/.test(from) && !seen.has(from) && (seen.add(from), true))
    .sort((a, b) => b[0].length - a[0].length);
}

export function applySubstitutions(line: string, subs: readonly (readonly [string, string])[]): string {
  let s = line;
  for (const [from, to] of subs) if (s.includes(from)) s = s.split(from).join(to);
  return s;
}

/** The IANA name of the local time zone (`UTC` when the runtime cannot tell). */
export function localTimeZone(): string {
  try {
    return Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
  } catch {
    return 'UTC';
  }
}

/** The header block of a new transcript for the session's open dumps. */
export function transcriptHeader(session: Session, transcriptDir: string): { lines: string[]; dumpNames: string[] } {
  const lines = ['# dumpdbg session transcript. Replay it with: dumpdbg --replay FILE', '# "PROMPT> command" lines are commands; the lines indented by two blanks below one are its output.'];
  const dumpNames: string[] = [];
  for (const t of session.targets) {
    const name = specForTranscript(t.path, transcriptDir);
    dumpNames.push(name);
    lines.push(`dump: ${name}`);
    const id = dumpIdentity(t.filePath);
    if (id) lines.push(`dump-size: ${id.size}`, `dump-sha256: ${id.sha256}`);
  }
  if (session.targets.length > 1) lines.push(`current-dump: ${session.current}`);
  lines.push(`symbol-path: ${searchPathForTranscript(session.options.symbolPath, transcriptDir)}`);
  lines.push(`image-path: ${searchPathForTranscript(session.options.imagePath, transcriptDir)}`);
  lines.push(`explain: ${session.options.explain ? 'on' : 'off'}`);
  // Replays run in the recorded zone, so anything printed in local time compares equal.
  lines.push(`time-zone: ${localTimeZone()}`);
  lines.push(`redact: ${session.recording?.redact ? 'on' : 'off'}`);
  return { lines, dumpNames };
}

/** Starts recording: writes the header (overwriting `path`) and sets `session.recording`. Throws on an unwritable file. */
export function startRecording(session: Session, path: string, redact: boolean): SessionRecording {
  const dir = dirname(resolve(path));
  session.recording = { path, redact, substitutions: [] };
  try {
    const { lines, dumpNames } = transcriptHeader(session, dir);
    writeFileSync(path, lines.join('\n') + '\n');
    session.recording = { path, redact, substitutions: pathSubstitutions(session, dir, dumpNames) };
    return session.recording;
  } catch (e) {
    session.recording = undefined;
    throw e;
  }
}

/** The transcript lines of one executed command (prompt line + indented output). */
export function entryLines(entry: TranscriptEntry, opts: { explain: boolean; redact: boolean; substitutions: readonly (readonly [string, string])[] }): string[] {
  const output = renderLines(opts.redact ? redactResult(entry.result) : entry.result, { explain: opts.explain }).flatMap((l) => l.split('\n'));
  const out = [`${entry.prompt} ${entry.command}`.trimEnd()];
  for (const raw of output) {
    const l = applySubstitutions(raw, opts.substitutions).trimEnd();
    out.push(l === '' ? '' : `  ${l}`);
  }
  return out;
}

/** Appends executed commands to the session's transcript, if one is being recorded. */
export function recordEntries(session: Session, entries: readonly TranscriptEntry[]): void {
  const rec = session.recording;
  if (!rec) return;
  const lines: string[] = [];
  for (const e of entries) {
    // `.record` itself is not part of the transcript it starts (replaying it would overwrite the file).
    if (e.result.data?.type === 'record') continue;
    lines.push(...entryLines(e, { explain: session.options.explain, redact: rec.redact, substitutions: rec.substitutions }));
  }
  if (lines.length) appendFileSync(rec.path, lines.join('\n') + '\n');
}

const logAfter = new WeakMap<CommandResult, string | null>();

/**
 * Notes which log file was open right after a command ran (the dispatcher calls
 * this per command): one line can hold `.echo a; .logclose; .echo b`, and the
 * output layers render the whole line afterwards.
 */
export function noteLogTarget(session: Session, result: CommandResult): void {
  logAfter.set(result, session.log?.path ?? null);
}

/** The log a command's output belongs in: the one open when it finished (else the current one). */
export function logTargetOf(session: Session, result: CommandResult): string | undefined {
  const v = logAfter.get(result);
  return v === undefined ? session.log?.path : (v ?? undefined);
}

/** Appends printed text to a log file (default: the session's, `.logopen`/`-logo`), if one is open. */
export function logLines(session: Session, lines: readonly string[], path: string | undefined = session.log?.path): void {
  if (path === undefined || !lines.length) return;
  try {
    appendFileSync(path, lines.join('\n') + '\n');
  } catch {
    // A log that became unwritable (deleted folder, full disk) must not stop the session.
    if (session.log?.path === path) session.log = undefined;
  }
}

/**
 * For output layers that print commands themselves (the terminal UI): appends
 * each entry (prompt line and rendered output) to the log open when it
 * finished, and records the entries in the transcript.
 */
export function sinkEntries(session: Session, entries: readonly TranscriptEntry[]): void {
  for (const e of entries) {
    const log = logTargetOf(session, e.result);
    if (log !== undefined) logLines(session, [`${e.prompt} ${e.command}`, ...renderLines(e.result, { explain: session.options.explain })], log);
  }
  recordEntries(session, entries);
}

/** Parses a transcript. Throws TranscriptError naming the line for a malformed header. */
export function parseTranscript(text: string): Transcript {
  const lines = text.replace(/\r\n/g, '\n').split('\n');
  if (lines.at(-1) === '') lines.pop();
  const t: Transcript = { dumps: [], symbolPath: '', imagePath: '', explain: false, redact: false, timeZone: undefined, headerLines: [], commands: [] };
  let i = 0;
  for (; i < lines.length; i++) {
    const l = lines[i]!;
    if (l.startsWith('#') || l.trim() === '') {
      t.headerLines.push(l);
      continue;
    }
    const m = /^([a-z][a-z0-9-]*):(?: (.*))?$/.exec(l);
    if (!m) break;
    t.headerLines.push(l);
    const value = (m[2] ?? '').trim();
    const last = t.dumps.at(-1);
    switch (m[1]) {
      case 'dump':
        t.dumps.push({ path: value, identity: undefined });
        break;
      case 'dump-size':
        if (!last || !/^\d+$/.test(value)) throw new TranscriptError(`line ${i + 1}: dump-size needs a number after a dump: line`);
        last.identity = { size: Number(value), sha256: last.identity?.sha256 ?? '' };
        break;
      case 'dump-sha256':
        if (!last || !/^[0-9a-f]{64}$/.test(value)) throw new TranscriptError(`line ${i + 1}: dump-sha256 needs 64 hex digits after a dump: line`);
        last.identity = { size: last.identity?.size ?? -1, sha256: value };
        break;
      case 'symbol-path':
        t.symbolPath = value;
        break;
      case 'image-path':
        t.imagePath = value;
        break;
      case 'explain':
        t.explain = value === 'on';
        break;
      case 'redact':
        t.redact = value === 'on';
        break;
      case 'time-zone':
        if (value) t.timeZone = value;
        break;
      default:
        // Unknown header keys (current-dump, notes) are kept verbatim.
        break;
    }
  }
  let cur: TranscriptCommand | undefined;
  for (; i < lines.length; i++) {
    const l = lines[i]!;
    if (l === '' || l.startsWith('  ')) {
      if (!cur) throw new TranscriptError(`line ${i + 1}: output before the first command`);
      cur.output.push(l === '' ? '' : l.slice(2).trimEnd());
      continue;
    }
    if (l.startsWith('#')) continue;
    const m = /^([^\s>]*>)(?: (.*))?$/.exec(l);
    cur = m ? { prompt: m[1]!, command: (m[2] ?? '').trim(), output: [], line: i + 1 } : { prompt: '', command: l.trim(), output: [], line: i + 1 };
    if (cur.prompt === '>') cur.prompt = '';
    t.commands.push(cur);
  }
  if (!t.dumps.length) throw new TranscriptError('no "dump:" line in the header');
  return t;
}

// ---------------------------------------------------------------- redaction

/** What `--redact` puts where memory contents or dump strings were. */
export const REDACTED = '<redacted>';

/**
 * Masks memory contents and strings read from the dump (`--redact`): memory
 * display rows keep their address column and lose their contents; `!peb`'s
 * strings (command line, folders, environment) become `<redacted>`; user-profile
 * folder names in paths are masked everywhere. Works from `result.data`, not text.
 */
export function redactResult(r: CommandResult): CommandResult {
  const type = r.data?.type;
  const secrets = type === 'peb' ? pebSecrets(r.data!) : [];
  let inEnvironment = false;
  const blocks = r.blocks.map((b) => ({
    ...b,
    lines: b.lines.map((line) => {
      let l = line;
      if (type === 'memory') l = maskMemoryRow(l);
      if (type === 'peb') {
        // `Environment: ADDRESS` is followed by one indented NAME=VALUE line per variable.
        const env = /^(\s+)(=?[^=\s][^=]*)=(.*)$/.exec(l);
        if (inEnvironment && env) return `${env[1]}${env[2]}=${REDACTED}`;
        inEnvironment = /^\s*Environment:/.test(l) || (inEnvironment && !!env);
      }
      for (const s of secrets) if (l.includes(s)) l = l.split(s).join(REDACTED);
      return maskUserFolders(l);
    }),
  }));
  return { ...r, blocks };
}

function pebSecrets(data: Record<string, unknown>): string[] {
  const out: string[] = [];
  for (const k of ['commandLine', 'currentDirectory', 'imageFile', 'dllPath', 'windowTitle']) {
    const v = data[k];
    if (typeof v === 'string' && v.length >= 3) out.push(v);
  }
  const vars = data['environmentVariables'];
  if (Array.isArray(vars)) {
    for (const v of vars) {
      const s = typeof v === 'string' ? v : v && typeof v === 'object' ? Object.values(v).filter((x) => typeof x === 'string').join('=') : '';
      const eq = s.indexOf('=', 1);
      const value = eq > 0 ? s.slice(eq + 1) : s;
      // Short or numeric values (COLUMNS=120, =ExitCode=00000000) would mask unrelated numbers.
      if (value.length >= 8 && !/^[0-9a-fx]+$/i.test(value)) out.push(value);
    }
  }
  return out.sort((a, b) => b.length - a.length);
}

/** `00000000`0011fc98  48 65 6c 6c-6f …  Hello…` → address kept, every other visible character `x`. */
export function maskMemoryRow(line: string): string {
  const m = /^([0-9a-f]{8}(?:`[0-9a-f]{8})?)(\s+)(.*)$/i.exec(line);
  if (!m) return line;
  return m[1]! + m[2]! + m[3]!.replace(/[^\s-]/g, 'x');
}

/** `C:\Users\alice\…` → `C:\Users\<user>\…` (also `Documents and Settings`). */
export function maskUserFolders(line: string): string {
  return line.replace(/(\\(?:Users|Documents and Settings)\\)([^\\\s"']+)/gi, (_m, pre: string, name: string) => (/^(public|default|all users)$/i.test(name) ? pre + name : `${pre}<user>`));
}
