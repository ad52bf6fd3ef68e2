import { join } from 'node:path';
import { nodeOs } from '../bytes/builtins.js';

/**
 * `_NT_SYMBOL_PATH` / `-y` / `.sympath` grammar (Microsoft "Advanced SymSrv Use", G.1):
 *
 *   path    := entry (';' entry)*
 *   entry   := 'srv*' stores | 'symsrv*' dll '*' stores | 'cache*' [dir] | dir
 *   stores  := store ('*' store)*        (leftmost = downstream, checked first; an empty store = default cache)
 *
 * Store elements are local directories (any spelling; Windows paths are kept
 * as written) or http(s) URLs. `cache*DIR` makes every entry to its right
 * cache downloads into DIR.
 */

/** Microsoft's public symbol server (what `.symfix` sets). */
export const MICROSOFT_SYMBOL_SERVER = 'https://msdl.microsoft.com/download/symbols';

/** One store inside a `srv*` chain. */
export type SymbolStore =
  | { kind: 'dir'; path: string; /** true when this is the default downstream store (empty element or implied). */ isDefault: boolean }
  | { kind: 'http'; url: string };

export type SymbolPathElement =
  | { kind: 'local'; text: string; path: string }
  | { kind: 'cache'; text: string; path: string; isDefault: boolean }
  | {
      kind: 'server';
      text: string;
      /** `symsrv.dll` for `srv*`; the named DLL for `symsrv*dll*…`. */
      dll: string;
      /**
       * Stores in lookup order, a `cache*` directory to the left first, then the chain's own
       * stores. A chain ending in an HTTP store and without any directory gets the default
       * downstream store (HTTP stores cannot be read without one).
       */
      stores: SymbolStore[];
    };

export interface SymbolPathOptions {
  /** Default downstream store / cache directory; see `defaultSymbolCache`. */
  defaultCache?: string;
}

/**
 * The default downstream store. WinDbg uses `C:\ProgramData\dbg\sym`; elsewhere we
 * follow the platform's cache convention: `$XDG_CACHE_HOME/dumpdbg/sym`,
 * else `~/.cache/dumpdbg/sym` (`~/Library/Caches/dumpdbg/sym` on macOS).
 */
export function defaultSymbolCache(env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform): string {
  if (platform === 'win32') return `${env.ProgramData ?? 'C:\\ProgramData'}\\dbg\\sym`;
  if (env.XDG_CACHE_HOME) return join(env.XDG_CACHE_HOME, 'dumpdbg', 'sym');
  if (platform === 'darwin') return join(nodeOs().homedir(), 'Library', 'Caches', 'dumpdbg', 'sym');
  return join(nodeOs().homedir(), '.cache', 'dumpdbg', 'sym');
}

const isUrl = (s: string) => /^https?:\/\//i.test(s);

function parseStore(s: string, defaultCache: string): SymbolStore {
  if (s.length === 0) return { kind: 'dir', path: defaultCache, isDefault: true };
  if (isUrl(s)) return { kind: 'http', url: s.replace(/\/+$/, '') };
  return { kind: 'dir', path: s, isDefault: false };
}

/** Parses a symbol path into elements, left to right. Never throws; empty entries are skipped. */
export function parseSymbolPath(text: string, opts: SymbolPathOptions = {}): SymbolPathElement[] {
  const defaultCache = opts.defaultCache ?? defaultSymbolCache();
  const out: SymbolPathElement[] = [];
  let cache: string | undefined;
  for (const raw of text.split(';')) {
    const entry = raw.trim();
    if (entry.length === 0) continue;
    const parts = entry.split('*');
    const head = (parts[0] ?? '').toLowerCase();
    if (parts.length > 1 && head === 'cache') {
      const dir = parts.slice(1).join('*').trim();
      cache = dir.length > 0 ? dir : defaultCache;
      out.push({ kind: 'cache', text: entry, path: cache, isDefault: dir.length === 0 });
      continue;
    }
    let dll: string | undefined;
    let storeParts: string[] | undefined;
    if (parts.length > 1 && head === 'srv') {
      dll = 'symsrv.dll';
      storeParts = parts.slice(1);
    } else if (parts.length > 2 && head === 'symsrv') {
      dll = parts[1] ?? 'symsrv.dll';
      storeParts = parts.slice(2);
    }
    if (dll === undefined || storeParts === undefined) {
      out.push({ kind: 'local', text: entry, path: entry });
      continue;
    }
    // `srv*` alone is the Microsoft server with the default cache (WinDbg expands it to
    // `cache*;SRV*https://msdl.microsoft.com/download/symbols`).
    if (storeParts.length === 1 && storeParts[0]?.trim() === '') storeParts = ['', MICROSOFT_SYMBOL_SERVER];
    let stores = storeParts.map((s) => parseStore(s.trim(), defaultCache));
    // A trailing empty element (`srv*URL*`) also means the default store; keep one copy only.
    stores = stores.filter((s, i) => !(s.kind === 'dir' && s.isDefault && stores.findIndex((o) => o.kind === 'dir' && o.isDefault) !== i));
    // Only the last store of a chain may be HTTP (it cannot be written); later elements are unusable.
    const firstHttp = stores.findIndex((s) => s.kind === 'http');
    if (firstHttp >= 0) stores = stores.slice(0, firstHttp + 1);
    if (cache !== undefined && !stores.some((s) => s.kind === 'dir' && s.path === cache)) {
      stores.unshift({ kind: 'dir', path: cache, isDefault: cache === defaultCache });
    }
    if (stores[0]?.kind === 'http') stores.unshift({ kind: 'dir', path: defaultCache, isDefault: true });
    out.push({ kind: 'server', text: entry, dll, stores });
  }
  return out;
}

/** The `Expanded Symbol search path is:` line: `srv*` shows the implied default cache and server. */
export function expandSymbolPath(text: string): string {
  return text
    .split(';')
    .map((e) => e.trim())
    .filter((e) => e.length > 0)
    .map((e) => (/^srv\*$/i.test(e) ? `cache*;SRV*${MICROSOFT_SYMBOL_SERVER}` : e))
    .join(';');
}

/**
 * The symbol path from the environment as dbghelp builds it: `_NT_ALT_SYMBOL_PATH`
 * (searched first) then `_NT_SYMBOL_PATH`; empty when neither is set.
 */
export function symbolPathFromEnvironment(env: NodeJS.ProcessEnv = process.env): string {
  return [env._NT_ALT_SYMBOL_PATH, env._NT_SYMBOL_PATH].map((s) => s?.trim()).filter((s): s is string => !!s).reduce(appendSymbolPath, '');
}

/** Appends entries as `.sympath+` / `.symfix+` do (`;` between, no duplicate separators). */
export function appendSymbolPath(current: string, more: string): string {
  const a = current.trim().replace(/;+$/, '');
  const b = more.trim().replace(/^;+/, '');
  if (!a) return b;
  if (!b) return a;
  return `${a};${b}`;
}

/** `.symfix [cache]`: the Microsoft server, with the given downstream store or the default one. */
export function symfixPath(cache?: string): string {
  const dir = cache?.trim();
  return dir ? `srv*${dir}*${MICROSOFT_SYMBOL_SERVER}` : 'srv*';
}

/** Every directory a path writes downloads into (for `!sym` and cache housekeeping). */
export function downstreamStores(elements: readonly SymbolPathElement[]): string[] {
  const dirs = new Set<string>();
  for (const e of elements) {
    if (e.kind === 'server') {
      const d = e.stores[0];
      if (d?.kind === 'dir' && e.stores.some((s) => s.kind === 'http')) dirs.add(d.path);
    }
  }
  return [...dirs];
}
