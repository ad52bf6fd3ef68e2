import { existsSync, readFileSync, statSync } from 'node:fs';
import { extname, isAbsolute, join, resolve } from 'node:path';
import { isFormatError } from '../bytes/errors.js';
import { expandCompressedFile } from './compressed.js';
import { copyFileAtomic, isInsideReal, isSafeComponent } from './cache-file.js';
import { identityMatches, leafName, readFileIdentity } from './identity.js';
import type { FileIdentity } from './identity.js';
import { fetchFromSymbolServer } from './http.js';
import type { HttpOptions } from './http.js';
import { defaultSymbolCache } from './symbol-path.js';
import type { SymbolPathElement, SymbolStore } from './symbol-path.js';

/**
 * Finding a symbol file (PDB, PE image or Breakpad .sym) along a symbol path
 * (G.1–G.4). Every candidate found is checked by identity (GUID+age for PDBs
 * and .sym files, TimeDateStamp+SizeOfImage for images); a file with another
 * identity is reported as a mismatch and never used. Every place probed is
 * recorded for `!sym noisy` and `.reload` messages.
 */

export type LocateKind = 'pdb' | 'image' | 'sym';

export interface LocateRequest {
  kind: LocateKind;
  /** PDB name (pdb, sym) or image name (image); directories are stripped. */
  name: string;
  /** Symbol-server key (E.7): GUID+age for pdb and sym, TimeDateStamp%08X+SizeOfImage%x for image. */
  key: string;
  /** sym only: also try the code-id layout `<codeFile>/<CODEID>/<codeFile minus ext>.sym` (Mozilla/Tecken). */
  codeFile?: string;
  codeId?: string;
}

export interface LocateOptions {
  /** Do not contact HTTP servers: only local stores and caches. */
  offline?: boolean;
  /** HTTP settings (headers, timeout, proxy, progress, size cap). */
  http?: HttpOptions;
  signal?: AbortSignal;
  /**
   * Where compressed files found outside a `srv*` chain (plain directories, chains without
   * a downstream store) are expanded; default `defaultSymbolCache()`.
   */
  cacheDir?: string;
  /** Follow `file.ptr` pointers that lead outside their store (only for trusted local stores). */
  trustFilePtr?: boolean;
  /** Largest file expanded from a cabinet (bytes); default 4 GiB. */
  maxFileSize?: number;
}

export type AttemptOutcome =
  | 'found' // right identity
  | 'mismatch' // a file with another identity
  | 'absent' // nothing there
  | 'error' // unreadable, corrupt, unsupported compression, I/O or network error
  | 'refused' // unsafe name, pointer outside the store, offline
  | 'message' // file.ptr MSG: text
  | 'expanded' // a compressed file was expanded (its result is checked next)
  | 'downloaded'; // fetched from a server (its result is checked next)

export interface LocateAttempt {
  /** The symbol path element text (`srv*c:\sym*https://…`). */
  element: string;
  /** What was probed: a plain directory, a symbol store (SymStore/Breakpad layout), or an HTTP server. */
  via: 'dir' | 'store' | 'http';
  /** File path or URL probed. */
  location: string;
  outcome: AttemptOutcome;
  detail?: string;
}

export interface FoundFile {
  path: string;
  identity: FileIdentity;
}

export type LocateResult =
  | { status: 'found'; path: string; identity: FileIdentity; element: string; downloaded: boolean; attempts: LocateAttempt[] }
  | { status: 'mismatch'; path: string; identity: FileIdentity; mismatches: FoundFile[]; attempts: LocateAttempt[] }
  | { status: 'notFound'; attempts: LocateAttempt[] };

/** `.pdb` → `.pd_` (G.2: last character of the extension replaced by `_`). */
export function compressedName(name: string): string | undefined {
  const ext = extname(name);
  if (ext.length < 2) return undefined;
  return name.slice(0, -1) + '_';
}

/** Breakpad's .sym name for a debug file (G.4): `foo.pdb` → `foo.sym`; other names keep their extension (`libfoo.so` → `libfoo.so.sym`). */
export function symFileName(debugFile: string): string {
  return (debugFile.toLowerCase().endsWith('.pdb') ? debugFile.slice(0, -4) : debugFile) + '.sym';
}

/** Two-tier (index2.txt) prefix: the first two characters, or one when the second is a dot (symbolicator). */
export function twoTierPrefix(name: string): string {
  return name.length > 1 && name[1] !== '.' ? name.slice(0, 2) : name.slice(0, 1);
}

const KEY_RE = /^[0-9A-Za-z]{1,80}$/;

const uniq = (xs: string[]) => [...new Set(xs)];

interface Probe {
  /** Directory part under the store root, e.g. `foo.pdb/KEY` or `fo/foo.pdb/KEY`. */
  keyDir: string;
  /** The file's name inside it. */
  file: string;
  /** Name of the key-directory owner (for expansion targets). */
  dirName: string;
  key: string;
}

/** The `<dirName>/<KEY>/<file>` layouts a request can be stored under (G.2, G.4), preferred first. */
export function storeLayouts(req: LocateRequest): Array<{ dirName: string; key: string; file: string }> {
  const name = leafName(req.name);
  if (req.kind !== 'sym') return [{ dirName: name, key: req.key.toUpperCase(), file: name }];
  const out = [{ dirName: name, key: req.key.toUpperCase(), file: symFileName(name) }];
  if (req.codeFile && req.codeId && isSafeComponent(leafName(req.codeFile)) && KEY_RE.test(req.codeId)) {
    const cf = leafName(req.codeFile);
    const stem = extname(cf) ? cf.slice(0, -extname(cf).length) : cf;
    out.push({ dirName: cf, key: req.codeId.toUpperCase(), file: stem + '.sym' });
  }
  return out;
}

class Search {
  readonly attempts: LocateAttempt[] = [];
  readonly mismatches: FoundFile[] = [];
  element = '';
  via: LocateAttempt['via'] = 'dir';
  private readonly index2 = new Map<string, boolean>();

  constructor(readonly req: LocateRequest & { name: string }, readonly opts: LocateOptions) {}

  note(location: string, outcome: AttemptOutcome, detail?: string): void {
    this.attempts.push({ element: this.element, via: this.via, location, outcome, ...(detail !== undefined ? { detail } : {}) });
  }

  hasIndex2(root: string): boolean {
    let v = this.index2.get(root);
    if (v === undefined) {
      v = existsSync(join(root, 'index2.txt'));
      this.index2.set(root, v);
    }
    return v;
  }

  /** Key-directory probes for a store root, in order (names and keys as given, then lower/upper case). */
  probes(root: string): Probe[] {
    const out: Probe[] = [];
    const tiers = this.hasIndex2(root) ? [true, false] : [false];
    for (const l of storeLayouts(this.req)) {
      const names = uniq([l.dirName, l.dirName.toLowerCase()]);
      const keys = uniq([l.key.toUpperCase(), l.key, l.key.toLowerCase()]);
      for (const two of tiers) {
        for (const n of names) {
          for (const k of keys) {
            const f = n === l.dirName ? l.file : l.file.toLowerCase();
            out.push({ keyDir: two ? join(twoTierPrefix(n), n, k) : join(n, k), file: f, dirName: n, key: k });
          }
        }
      }
    }
    return out;
  }

  /** Checks one existing candidate file. */
  check(path: string): FoundFile | undefined {
    let id: FileIdentity;
    try {
      id = readFileIdentity(this.req.kind, path);
    } catch (e) {
      this.note(path, 'error', isFormatError(e) ? e.message : String(e));
      return undefined;
    }
    // A .sym file also identifies its binary by INFO CODE_ID (TimeDateStamp+SizeOfImage): enough
    // when the module has no CodeView record and the request was made by code id.
    const byCodeId = id.kind === 'sym' && this.req.codeId !== undefined && id.codeId !== undefined && id.codeId.toUpperCase() === this.req.codeId.toUpperCase();
    if (identityMatches(id, this.req.key) || byCodeId) {
      this.note(path, 'found');
      return { path, identity: id };
    }
    this.note(path, 'mismatch', `identity ${id.key}, wanted ${this.req.key.toUpperCase()}`);
    this.mismatches.push({ path, identity: id });
    return undefined;
  }

  /** Expands a compressed candidate (cabinet or ZIP) to `dest` and checks it. */
  async expand(archive: string, dest: string, want: string): Promise<FoundFile | undefined> {
    try {
      await expandCompressedFile(archive, dest, want, this.opts.maxFileSize ?? 4 * 1024 ** 3);
    } catch (e) {
      this.note(archive, 'error', isFormatError(e) ? e.message : `cannot expand: ${(e as Error).message}`);
      return undefined;
    }
    this.note(archive, 'expanded', `into ${dest}`);
    return this.check(dest);
  }

  /** Follows a file.ptr; the target must stay inside `root` unless trusted. */
  pointer(ptrPath: string, root: string): FoundFile | undefined {
    let text: string;
    try {
      text = readFileSync(ptrPath, 'utf8').trim();
    } catch (e) {
      this.note(ptrPath, 'error', `cannot read: ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
      return undefined;
    }
    const ptr = parseFilePtr(text);
    if (ptr.kind === 'message') {
      this.note(ptrPath, 'message', ptr.text);
      return undefined;
    }
    const target = resolvePointerTarget(ptr.path, root);
    if (target === undefined) {
      this.note(ptrPath, 'refused', `points to ${ptr.path}, which is not a path on this system`);
      return undefined;
    }
    if (!this.opts.trustFilePtr && !isInsideReal(root, target)) {
      this.note(ptrPath, 'refused', `points to ${ptr.path}, outside the store ${root}`);
      return undefined;
    }
    if (!isFile(target)) {
      this.note(target, 'absent', `target of ${ptrPath}`);
      return undefined;
    }
    return this.check(target);
  }

  /**
   * Looks into one symbol store (SymStore / Breakpad layouts). Compressed files are
   * expanded under `expandRoot` (the chain's downstream store).
   */
  async store(root: string, expandRoot: string): Promise<{ found: FoundFile; probe: Probe; compressed: boolean } | undefined> {
    this.via = 'store';
    for (const p of this.probes(root)) {
      const dir = join(root, p.keyDir);
      if (!isDirectory(dir)) {
        this.note(join(dir, p.file), 'absent');
        continue;
      }
      const plain = join(dir, p.file);
      if (isFile(plain)) {
        const f = this.check(plain);
        if (f) return { found: f, probe: p, compressed: false };
      } else {
        this.note(plain, 'absent');
      }
      const cname = this.req.kind === 'sym' ? undefined : compressedName(p.file);
      if (cname) {
        const cpath = join(dir, cname);
        if (isFile(cpath)) {
          const dest = join(expandRoot, p.dirName, p.key, p.file);
          // Expanded by an earlier lookup (the cache is not always on the path itself).
          const done = isFile(dest) ? this.check(dest) : undefined;
          const f = done ?? (await this.expand(cpath, dest, p.file));
          if (f) return { found: f, probe: p, compressed: true };
        }
      }
      const ptr = join(dir, 'file.ptr');
      if (isFile(ptr)) {
        const f = this.pointer(ptr, root);
        if (f) return { found: f, probe: p, compressed: false };
      }
    }
    return undefined;
  }

  /** A plain directory: `dir/name`, `dir/<ext>/name`, then the store layouts. */
  async plain(root: string): Promise<FoundFile | undefined> {
    const { req } = this;
    this.via = 'dir';
    const file = req.kind === 'sym' ? symFileName(req.name) : req.name;
    const ext = extname(file).slice(1);
    const candidates = uniq([join(root, file), join(root, file.toLowerCase()), ...(ext ? [join(root, ext, file), join(root, ext.toLowerCase(), file.toLowerCase())] : [])]);
    for (const c of candidates) {
      if (isFile(c)) {
        const f = this.check(c);
        if (f) return f;
      } else {
        this.note(c, 'absent');
      }
    }
    const s = await this.store(root, this.opts.cacheDir ?? defaultSymbolCache());
    return s?.found;
  }
}

function isFile(p: string): boolean {
  try {
    return statSync(p).isFile();
  } catch {
    return false;
  }
}

function isDirectory(p: string): boolean {
  try {
    return statSync(p).isDirectory();
  } catch {
    return false;
  }
}

/** Contents of a `file.ptr`: `PATH:<path>`, `MSG:<text>`, or a bare path (G.2). */
export function parseFilePtr(text: string): { kind: 'path'; path: string } | { kind: 'message'; text: string } {
  const t = text.replace(/^\uFEFF/, '').split(/\r?\n/)[0]?.trim() ?? '';
  if (/^MSG:/i.test(t)) return { kind: 'message', text: t.slice(4).trim() };
  if (/^PATH:/i.test(t)) return { kind: 'path', path: t.slice(5).trim() };
  return { kind: 'path', path: t };
}

/**
 * Turns a pointer's path into a path on this system, or undefined when it cannot
 * be one (a UNC or drive path while not on Windows). Relative paths are relative to the store.
 */
export function resolvePointerTarget(p: string, root: string): string | undefined {
  if (p.length === 0 || p.includes('\0')) return undefined;
  if (process.platform !== 'win32') {
    // Windows drive and UNC paths mean nothing here.
    if (/^[A-Za-z]:/.test(p) || p.startsWith('\\\\')) return undefined;
    const posix = p.replace(/\\/g, '/');
    return isAbsolute(posix) ? resolve(posix) : resolve(root, posix);
  }
  return isAbsolute(p) ? resolve(p) : resolve(root, p);
}

/**
 * Finds `req` along `path`. Elements are searched left to right; inside a `srv*`
 * chain stores are searched left to right and a file found in store k is copied into
 * the stores before it (cascading caches, G.1); HTTP stores download into the first store.
 */
export async function locateSymbolFile(req: LocateRequest, path: readonly SymbolPathElement[], opts: LocateOptions = {}): Promise<LocateResult> {
  const name = leafName(req.name);
  const s = new Search({ ...req, name }, opts);
  if (!isSafeComponent(name) || !KEY_RE.test(req.key)) {
    s.note(`${req.name}/${req.key}`, 'refused', 'not a usable file name or key');
    return { status: 'notFound', attempts: s.attempts };
  }
  for (const el of path) {
    s.element = el.text;
    if (opts.signal?.aborted) break;
    if (el.kind === 'cache') continue; // folded into the chains to its right by parseSymbolPath
    if (el.kind === 'local') {
      const f = await s.plain(el.path);
      if (f) return { status: 'found', path: f.path, identity: f.identity, element: el.text, downloaded: false, attempts: s.attempts };
      continue;
    }
    const r = await searchChain(s, el.stores, opts);
    if (r) return { status: 'found', path: r.found.path, identity: r.found.identity, element: el.text, downloaded: r.downloaded, attempts: s.attempts };
  }
  const first = s.mismatches[0];
  if (first) return { status: 'mismatch', path: first.path, identity: first.identity, mismatches: s.mismatches, attempts: s.attempts };
  return { status: 'notFound', attempts: s.attempts };
}

async function searchChain(s: Search, stores: readonly SymbolStore[], opts: LocateOptions): Promise<{ found: FoundFile; downloaded: boolean } | undefined> {
  // The downstream store is the first of several; a lone store (`srv*\\share`) is not written to:
  // compressed files found there are expanded into the cache directory instead.
  const first = stores[0];
  const down = stores.length > 1 && first?.kind === 'dir' ? first.path : (opts.cacheDir ?? defaultSymbolCache());
  for (let k = 0; k < stores.length; k++) {
    const st = stores[k]!;
    if (st.kind === 'dir') {
      const hit = await s.store(st.path, down);
      if (!hit) continue;
      // Compressed hits were expanded into the downstream store already.
      const result = hit.compressed ? hit.found : cascade(s, stores, k, hit);
      return { found: result, downloaded: false };
    }
    s.via = 'http';
    if (opts.offline) {
      s.note(st.url, 'refused', 'offline: servers are not contacted');
      continue;
    }
    const got = await download(s, st.url, down, opts);
    if (got) {
      cascade(s, stores, k, { found: got.found, probe: got.probe, compressed: true });
      return { found: got.found, downloaded: true };
    }
  }
  return undefined;
}

/** Copies a file found in store k into the stores before it; returns the copy in the first store. */
function cascade(s: Search, stores: readonly SymbolStore[], k: number, hit: { found: FoundFile; probe: Probe; compressed: boolean }): FoundFile {
  let result = hit.found;
  for (let j = k - 1; j >= 0; j--) {
    const st = stores[j]!;
    if (st.kind !== 'dir') continue;
    const dest = join(st.path, hit.probe.dirName, hit.probe.key, hit.probe.file);
    if (dest === hit.found.path) continue;
    try {
      if (!isFile(dest)) copyFileAtomic(hit.found.path, dest);
      if (j === 0) result = { path: dest, identity: hit.found.identity };
    } catch (e) {
      s.note(dest, 'error', `cannot copy into the downstream store: ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
    }
  }
  return result;
}

async function download(s: Search, url: string, downRoot: string, opts: LocateOptions): Promise<{ found: FoundFile; probe: Probe } | undefined> {
  const { req } = s;
  for (const l of storeLayouts(req)) {
    const probe: Probe = { keyDir: join(l.dirName, l.key), file: l.file, dirName: l.dirName, key: l.key };
    const dest = join(downRoot, l.dirName, l.key, l.file);
    const httpOpts: HttpOptions = { ...opts.http, ...(opts.signal ? { signal: opts.signal } : {}) };
    // Breakpad servers have neither compressed files nor pointers: one request per layout.
    const out = await fetchFromSymbolServer(url, { dirName: l.dirName, key: l.key, fileName: l.file, compressed: req.kind !== 'sym', pointer: req.kind !== 'sym' }, dest, httpOpts);
    s.via = 'http';
    for (const a of out.tried) s.note(a.url, a.outcome, a.detail);
    if (out.status === 'downloaded') {
      s.via = 'store';
      return pick(s.check(dest), probe);
    }
    if (out.status === 'pointer') {
      // A server's pointer may only lead into the downstream store, never elsewhere on this machine.
      const target = resolvePointerTarget(out.target, downRoot);
      s.via = 'store';
      if (target && isInsideReal(downRoot, target) && isFile(target)) return pick(s.check(target), probe);
      s.note(out.url, 'refused', `file.ptr points to ${out.target}, outside the cache`);
    }
    // Network failures (offline, DNS, timeout, cancelled) end this server: other layouts would fail the same way.
    if (out.status === 'error') return undefined;
  }
  return undefined;
}

function pick(f: FoundFile | undefined, probe: Probe): { found: FoundFile; probe: Probe } | undefined {
  return f ? { found: f, probe } : undefined;
}

/**
 * One line per attempt in the style of WinDbg's `!sym noisy` tracing (`SYMSRV:` for
 * store and server probes, `DBGHELP:` for plain directories and identity checks).
 */
export function formatAttempts(attempts: readonly LocateAttempt[]): string[] {
  const out: string[] = [];
  for (const a of attempts) {
    const tag = a.via === 'dir' || a.outcome === 'found' || a.outcome === 'mismatch' ? 'DBGHELP:' : 'SYMSRV: ';
    const where = a.via === 'http' ? `HTTPGET: ${a.location}` : a.via === 'store' && tag === 'SYMSRV: ' ? `UNC: ${a.location}` : a.location;
    const what = ((): string => {
      switch (a.outcome) {
        case 'found': return 'found, identity matches';
        case 'mismatch': return `mismatched ${a.detail ?? ''}`.trim();
        case 'absent': return a.detail ? `not found (${a.detail})` : a.via === 'dir' ? 'file not found' : 'path not found';
        case 'error': return `error: ${a.detail ?? 'unknown'}`;
        case 'refused': return `refused: ${a.detail ?? ''}`.trim();
        case 'message': return `message: ${a.detail ?? ''}`.trim();
        case 'expanded': return `expanded ${a.detail ?? ''}`.trim();
        case 'downloaded': return `downloaded ${a.detail ?? ''}`.trim();
      }
    })();
    out.push(`${tag} ${where} - ${what}`);
  }
  return out;
}
