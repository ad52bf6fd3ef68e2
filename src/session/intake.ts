import { createReadStream, createWriteStream, existsSync, mkdirSync, readdirSync, renameSync, rmSync, statSync, utimesSync } from 'node:fs';
import path from 'node:path';
import type { Transform } from 'node:stream';
import { nodeCrypto, nodeOs, nodeStream, nodeStreamPromises, nodeZlib } from '../bytes/builtins.js';
import { FormatError } from '../bytes/errors.js';
import { FileSource } from '../bytes/source.js';
import { extractZipEntry, readZipDirectory } from '../formats/archive/zip.js';
import { expandCabToFile, readCabDirectory } from '../symbols/cab.js';

/** What `dumpdbg FILE` resolved to. */
export interface IntakeResult {
  /** The dump file to read (the archive's unpacked member, or the file itself). */
  filePath: string;
  /** What the user gave. */
  displayPath: string;
  archive?: {
    kind: 'gzip' | 'zip' | 'cab';
    path: string;
    /** Dumps inside the archive (names as stored). */
    dumps: string[];
    chosen: string;
    /** The cache directory holding the unpacked files (and sidecar files such as Report.wer). */
    dir: string;
    /** Unpacked now (false: reused from the cache). */
    unpacked: boolean;
  };
}

export interface IntakeOptions {
  /** Progress for large archives: "unpacking NAME: N of M MB". */
  progress?: (message: string) => void;
  /** Cache root; default $DUMPDBG_CACHE_DIR, else the user's cache dir + dumpdbg/dumps. */
  cacheRoot?: string;
  /** Cache size bound in bytes (default $DUMPDBG_CACHE_MAX or 16 GiB). */
  cacheMax?: number;
}

export function defaultDumpCache(env: NodeJS.ProcessEnv = process.env): string {
  if (env['DUMPDBG_CACHE_DIR']) return env['DUMPDBG_CACHE_DIR'];
  if (env['XDG_CACHE_HOME']) return path.join(env['XDG_CACHE_HOME'], 'dumpdbg', 'dumps');
  if (process.platform === 'win32') return path.join(env['LOCALAPPDATA'] ?? nodeOs().homedir(), 'dumpdbg', 'dumps');
  return path.join(nodeOs().homedir(), '.cache', 'dumpdbg', 'dumps');
}

const DUMP_NAME = /\.(dmp|mdmp|hdmp)$/i;
/** WER sidecar files unpacked next to the dump for `.wer`. */
const SIDECAR = /(^|[\\/])(report\.wer|wer[^\\/]*\.xml|[^\\/]*\.wer|[^\\/]*\.txt)$/i;
const SIDECAR_MAX = 16 * 1024 * 1024;

type Kind = 'dump' | 'gzip' | 'zip' | 'cab' | 'other';

export function sniff(head: Buffer): Kind {
  if (head.length >= 4 && head.toString('latin1', 0, 4) === 'MDMP') return 'dump';
  if (head.length >= 4 && head.toString('latin1', 0, 4) === 'PAGE') return 'dump'; // the parser explains kernel dumps
  if (head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b) return 'gzip';
  if (head.length >= 4 && head.readUInt32LE(0) === 0x04034b50) return 'zip';
  if (head.length >= 4 && head.toString('latin1', 0, 4) === 'MSCF') return 'cab';
  return 'other';
}

/** `archive.zip#inner.dmp` → ['archive.zip', 'inner.dmp'] when archive.zip exists and the whole name does not. */
export function splitMember(spec: string): { file: string; member?: string } {
  if (existsSync(spec)) return { file: spec };
  const i = spec.lastIndexOf('#');
  if (i > 0 && existsSync(spec.slice(0, i))) return { file: spec.slice(0, i), member: spec.slice(i + 1) };
  return { file: spec };
}

async function hashFile(file: string): Promise<string> {
  const h = nodeCrypto().createHash('sha256');
  await nodeStreamPromises().pipeline(createReadStream(file), h);
  return h.digest('hex').slice(0, 32);
}

function leaf(n: string): string {
  return n.slice(Math.max(n.lastIndexOf('\\'), n.lastIndexOf('/')) + 1);
}

function safeLeaf(n: string): string {
  const l = leaf(n).replace(/[^A-Za-z0-9._ -]/g, '_');
  return l === '' || l === '.' || l === '..' ? 'dump.dmp' : l;
}

function pick(dumps: string[], member: string | undefined, archive: string): string {
  if (dumps.length === 0) throw new FormatError('NotADump', `${archive} holds no crash dump (.dmp, .mdmp or .hdmp)`);
  if (member === undefined) return dumps[0]!;
  const hit = dumps.find((d) => d === member) ?? dumps.find((d) => leaf(d).toLowerCase() === leaf(member).toLowerCase());
  if (!hit) throw new FormatError('NotADump', `${archive} has no dump named ${member}; it holds: ${dumps.join(', ')}`);
  return hit;
}

function progressCounter(total: number, name: string, progress?: (m: string) => void): Transform {
  let done = 0;
  let lastReport = 0;
  return new (nodeStream().Transform)({
    transform(chunk: Buffer, _e, cb) {
      done += chunk.length;
      if (progress && done - lastReport >= 64 * 1024 * 1024) {
        lastReport = done;
        progress(`unpacking ${name}: ${Math.round(done / 1048576)} MB${total ? ` of ~${Math.round(total / 1048576)} MB` : ''}`);
      }
      cb(null, chunk);
    },
  });
}

/**
 * Resolves what the user gave to a dump file: bare dumps as they are; `.gz`,
 * `.zip` and WER `.cab` archives (recognized by content, not extension) are
 * unpacked once into a cache keyed by the archive's hash and reused later.
 */
export async function resolveDumpInput(spec: string, opts: IntakeOptions = {}): Promise<IntakeResult> {
  const { file, member } = splitMember(spec);
  let head: Buffer;
  try {
    const src = new FileSource(file);
    head = src.read(0, 8);
    src.close();
  } catch (e) {
    throw e instanceof FormatError ? e : new FormatError('Io', `cannot open ${file}`);
  }
  const kind = sniff(head);
  if (kind === 'dump' || kind === 'other') {
    if (member !== undefined) throw new FormatError('NotADump', `${file} is not an archive, so it has no member ${member}`);
    return { filePath: file, displayPath: spec };
  }
  const root = opts.cacheRoot ?? defaultDumpCache();
  const key = await hashFile(file);
  const dir = path.join(root, key);
  mkdirSync(dir, { recursive: true });
  const touch = () => {
    const now = new Date();
    try {
      utimesSync(dir, now, now);
    } catch {
      /* best effort */
    }
  };
  let dumps: string[];
  let chosen: string;
  let unpacked = false;
  if (kind === 'gzip') {
    const inner = path.basename(file).replace(/\.gz$/i, '') || 'dump.dmp';
    dumps = [inner];
    chosen = pick(dumps, member, file);
    const dest = path.join(dir, safeLeaf(inner));
    if (!existsSync(dest)) {
      const tmp = `${dest}.${process.pid}.tmp`;
      try {
        await nodeStreamPromises().pipeline(createReadStream(file), nodeZlib().createGunzip(), progressCounter(0, inner, opts.progress), createWriteStream(tmp));
        renameSync(tmp, dest);
      } catch (e) {
        rmSync(tmp, { force: true });
        throw new FormatError('BadValue', `cannot unpack ${file}: ${(e as Error).message} (a truncated download?)`);
      }
      unpacked = true;
    }
    touch();
    pruneCache(root, dir, opts.cacheMax);
    return { filePath: dest, displayPath: spec, archive: { kind, path: file, dumps, chosen, dir, unpacked } };
  }
  if (kind === 'zip') {
    const src = new FileSource(file);
    try {
      const entries = readZipDirectory(src);
      dumps = entries.filter((e) => DUMP_NAME.test(e.name)).map((e) => e.name);
      chosen = pick(dumps, member, file);
      for (const e of entries) {
        const isChosen = e.name === chosen;
        if (!isChosen && !(SIDECAR.test(e.name) && e.uncompressedSize <= SIDECAR_MAX)) continue;
        const dest = path.join(dir, safeLeaf(e.name));
        if (existsSync(dest)) continue;
        const tmp = `${dest}.${process.pid}.tmp`;
        try {
          await extractZipEntry(file, src, e, tmp, (w, total) => {
            if (isChosen && opts.progress && w % (64 * 1048576) < 4 * 1048576) opts.progress(`unpacking ${e.name}: ${Math.round(w / 1048576)} of ${Math.round(total / 1048576)} MB`);
          });
          renameSync(tmp, dest);
          if (isChosen) unpacked = true;
        } catch (err) {
          rmSync(tmp, { force: true });
          throw err;
        }
      }
    } finally {
      src.close();
    }
    touch();
    pruneCache(root, dir, opts.cacheMax);
    return { filePath: path.join(dir, safeLeaf(chosen)), displayPath: spec, archive: { kind, path: file, dumps, chosen, dir, unpacked } };
  }
  // WER .cab (MSZIP; LZX/Quantum get a clear message from the cabinet reader)
  const src = new FileSource(file);
  let files: { name: string; size: number }[];
  try {
    files = readCabDirectory(src).files;
  } finally {
    src.close();
  }
  dumps = files.filter((f) => DUMP_NAME.test(f.name)).map((f) => f.name);
  chosen = pick(dumps, member, file);
  for (const f of files) {
    const isChosen = f.name === chosen;
    if (!isChosen && !(SIDECAR.test(f.name) && f.size <= SIDECAR_MAX)) continue;
    const dest = path.join(dir, safeLeaf(f.name));
    if (existsSync(dest)) continue;
    if (isChosen) opts.progress?.(`unpacking ${f.name} (${Math.round(f.size / 1048576)} MB)`);
    expandCabToFile(file, dest, leaf(f.name));
    if (isChosen) unpacked = true;
  }
  touch();
  pruneCache(root, dir, opts.cacheMax);
  return { filePath: path.join(dir, safeLeaf(chosen)), displayPath: spec, archive: { kind: 'cab', path: file, dumps, chosen, dir, unpacked } };
}

function dirSize(d: string): number {
  let n = 0;
  for (const e of readdirSync(d)) {
    try {
      n += statSync(path.join(d, e)).size;
    } catch {
      /* vanished */
    }
  }
  return n;
}

/** Keeps the cache under its bound: removes the least recently used entries (never `keep`). */
export function pruneCache(root: string, keep: string, max = Number(process.env['DUMPDBG_CACHE_MAX'] ?? 16 * 1024 ** 3)): void {
  try {
    const entries = readdirSync(root)
      .map((n) => path.join(root, n))
      .filter((p) => statSync(p).isDirectory())
      .map((p) => ({ p, t: statSync(p).mtimeMs, size: dirSize(p) }))
      .sort((a, b) => a.t - b.t);
    let total = entries.reduce((s, e) => s + e.size, 0);
    for (const e of entries) {
      if (total <= max) break;
      if (e.p === keep) continue;
      rmSync(e.p, { recursive: true, force: true });
      total -= e.size;
    }
  } catch {
    /* the cache is a convenience: never fail an open because of it */
  }
}
