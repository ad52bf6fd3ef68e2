import type http from 'node:http';
import type { IncomingMessage, OutgoingHttpHeaders } from 'node:http';
import type { Duplex } from 'node:stream';
import { dirname, join } from 'node:path';
import { rmSync, writeSync } from 'node:fs';
import { nodeHttp, nodeHttps, nodeNet, nodeTls } from '../bytes/builtins.js';
import { isFormatError } from '../bytes/errors.js';
import { expandCompressedFile } from './compressed.js';
import { isSafeComponent, openAtomic, tempNameFor } from './cache-file.js';

/**
 * HTTP(S) symbol servers (G.3): `GET <base>/<name>/<KEY>/<name>`, then the
 * compressed `<name with _>` variant, then `file.ptr`. Downloads go to a temp
 * file next to the destination and are renamed into place when complete.
 *
 * Configuration (all optional):
 * - `HttpOptions.headers`, or the environment variable `DUMPDBG_SYMBOL_HEADERS`
 *   holding either a JSON object (`{"Authorization":"Bearer …"}`) or
 *   `Name: value` lines separated by newlines: extra request headers for
 *   authenticated servers. They are sent to the server's own origin only,
 *   never to another host a redirect leads to.
 * - `HTTPS_PROXY` / `HTTP_PROXY` / `NO_PROXY` (or lower-case): proxies; HTTPS
 *   goes through a CONNECT tunnel, plain HTTP uses absolute-URI requests.
 *   `user:pass@` in the proxy URL becomes Proxy-Authorization (Basic).
 */

export interface DownloadProgress {
  file: string;
  url: string;
  bytes: number;
  /** Content-Length when the server sent one. */
  total: number | undefined;
  /** Average bytes per second so far. */
  rate: number;
  done: boolean;
}

export interface HttpOptions {
  headers?: Record<string, string>;
  /** Inactivity timeout per request (connect, headers, each body chunk); default 30 s. */
  timeoutMs?: number;
  /** Largest body accepted; default 2 GiB. */
  maxBytes?: number;
  /** Default 5. */
  maxRedirects?: number;
  userAgent?: string;
  signal?: AbortSignal;
  onProgress?: (p: DownloadProgress) => void;
  /** Environment for proxy and header variables (default process.env). */
  env?: NodeJS.ProcessEnv;
  /** How long a 404 is remembered; default one hour. 0 disables the negative cache. */
  negativeCacheTtlMs?: number;
  /** How long an unreachable server is skipped without trying; default 5 minutes. 0 disables. */
  unreachableTtlMs?: number;
  /** Retries of a transient failure (5xx, 429, reset, timeout) per URL, with 0.5 s, 1 s, … pauses; default 1. */
  retries?: number;
  /** Extra CA certificates for HTTPS (self-hosted servers); NODE_EXTRA_CA_CERTS works too. */
  ca?: string | Buffer | Array<string | Buffer>;
}

export type HttpOutcome = 'absent' | 'error' | 'refused' | 'message' | 'downloaded';

export interface HttpAttempt {
  url: string;
  outcome: HttpOutcome;
  detail?: string;
}

export type FetchOutcome =
  | { status: 'downloaded'; url: string; compressed: boolean; bytes: number; tried: HttpAttempt[] }
  | { status: 'notFound'; tried: HttpAttempt[] }
  | { status: 'pointer'; url: string; target: string; tried: HttpAttempt[] }
  | { status: 'message'; url: string; text: string; tried: HttpAttempt[] }
  | { status: 'error'; message: string; transient: boolean; unreachable?: boolean; tried: HttpAttempt[] };

export interface ServerFileSpec {
  /** Directory name on the server (`foo.pdb`). */
  dirName: string;
  /** Key (GUID+age / code id). */
  key: string;
  /** File name inside the key directory (`foo.pdb`, or `foo.sym` for Breakpad servers). */
  fileName: string;
  /** Also try `foo.pd_` (cabinet). */
  compressed: boolean;
  /** Also try `file.ptr`. */
  pointer: boolean;
}

export const DEFAULT_USER_AGENT = 'Microsoft-Symbol-Server/10.0.0.0 dumpdbg';
const DEFAULT_TIMEOUT = 30_000;
const DEFAULT_MAX_BYTES = 2 * 1024 ** 3;
const MAX_POINTER_BYTES = 64 * 1024;

/** A network-level failure with a one-sentence message. */
export class HttpError extends Error {
  constructor(
    message: string,
    /** Worth trying again later (not a permanent answer about the file). */
    readonly transient: boolean,
    readonly code?: string,
    /** The server cannot be reached at all (DNS, refused, unreachable, no answer, TLS, proxy): every request would fail the same way. */
    readonly unreachable = false,
  ) {
    super(message);
    this.name = 'HttpError';
  }
}

// ---- negative cache ------------------------------------------------------------------

const negative = new Map<string, number>();
/** Servers found unreachable: origin → until when, and why. */
const down = new Map<string, { until: number; message: string }>();

/** Forgets remembered 404s and unreachable servers (`.reload /f` after fixing a server or the network). */
export function clearNegativeCache(): void {
  negative.clear();
  down.clear();
}

// ---- headers and proxies -------------------------------------------------------------

/** Parses `DUMPDBG_SYMBOL_HEADERS`: a JSON object or `Name: value` lines. */
export function parseHeaderSpec(text: string | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  if (!text || !text.trim()) return out;
  const t = text.trim();
  if (t.startsWith('{')) {
    try {
      const o = JSON.parse(t) as unknown;
      if (o && typeof o === 'object') {
        for (const [k, v] of Object.entries(o as Record<string, unknown>)) if (typeof v === 'string' && validHeader(k, v)) out[k] = v;
      }
    } catch {
      // not JSON: ignored
    }
    return out;
  }
  for (const line of t.split(/\r?\n/)) {
    const i = line.indexOf(':');
    if (i <= 0) continue;
    const k = line.slice(0, i).trim();
    const v = line.slice(i + 1).trim();
    if (validHeader(k, v)) out[k] = v;
  }
  return out;
}

function validHeader(k: string, v: string): boolean {
  return /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(k) && !/[\r\n\0]/.test(v);
}

function envVar(env: NodeJS.ProcessEnv, name: string): string | undefined {
  return env[name.toLowerCase()] ?? env[name.toUpperCase()];
}

/** Whether `host` is excluded from proxying by a NO_PROXY list (`*`, `.example.com`, `example.com`, `host:port`). */
export function noProxyMatches(noProxy: string | undefined, host: string, port: string): boolean {
  if (!noProxy) return false;
  const h = host.toLowerCase().replace(/^\[|\]$/g, '');
  for (const raw of noProxy.split(/[,\s]+/)) {
    let e = raw.trim().toLowerCase();
    if (!e) continue;
    if (e === '*') return true;
    let ePort: string | undefined;
    const m = /^(.*):(\d+)$/.exec(e);
    if (m && !e.includes(']') && (m[1] ?? '').split(':').length === 1) {
      e = m[1] ?? '';
      ePort = m[2];
    }
    if (ePort && ePort !== port) continue;
    e = e.replace(/^\*?\./, '.');
    if (e.startsWith('.') ? h.endsWith(e) || h === e.slice(1) : h === e || h.endsWith('.' + e)) return true;
  }
  return false;
}

/** The proxy URL for `url`, if any, from HTTPS_PROXY / HTTP_PROXY / NO_PROXY. */
export function proxyFor(url: URL, env: NodeJS.ProcessEnv): URL | undefined {
  const port = url.port || (url.protocol === 'https:' ? '443' : '80');
  if (noProxyMatches(envVar(env, 'no_proxy'), url.hostname, port)) return undefined;
  const p = url.protocol === 'https:' ? envVar(env, 'https_proxy') : envVar(env, 'http_proxy');
  if (!p) return undefined;
  try {
    const u = new URL(/^[a-z]+:\/\//i.test(p) ? p : `http://${p}`);
    return u.protocol === 'http:' || u.protocol === 'https:' ? u : undefined;
  } catch {
    return undefined;
  }
}

function proxyAuth(proxy: URL): OutgoingHttpHeaders {
  if (!proxy.username) return {};
  const cred = `${decodeURIComponent(proxy.username)}:${decodeURIComponent(proxy.password)}`;
  return { 'proxy-authorization': `Basic ${Buffer.from(cred).toString('base64')}` };
}

// ---- one request ---------------------------------------------------------------------

function describeNetError(e: NodeJS.ErrnoException, url: URL, proxy: URL | undefined): HttpError {
  const where = proxy ? `proxy ${proxy.host}` : url.host;
  switch (e.code) {
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
    case 'EAI_NONAME':
      return new HttpError(`cannot resolve ${proxy ? proxy.hostname : url.hostname} (offline, or DNS failure)`, true, e.code, true);
    case 'ECONNREFUSED':
      return new HttpError(`connection refused by ${where}`, true, e.code, true);
    case 'ECONNRESET':
      return new HttpError(`connection reset by ${where}`, true, e.code);
    case 'ENETUNREACH':
    case 'EHOSTUNREACH':
      return new HttpError(`${where} is unreachable (offline?)`, true, e.code, true);
    case 'ETIMEDOUT':
      return new HttpError(`timed out talking to ${where}`, true, e.code, true);
    case 'ABORT_ERR':
      return new HttpError('download cancelled', false, e.code);
    default:
      if (e.code?.startsWith('ERR_TLS') || e.code?.includes('CERT')) return new HttpError(`TLS error with ${url.host}: ${e.message}`, false, e.code, true);
      return new HttpError(`request to ${url.host} failed: ${e.message}`, true, e.code);
  }
}

/** Opens a CONNECT tunnel through `proxy` to host:port. */
function connectTunnel(proxy: URL, host: string, port: string, opts: HttpOptions, timeout: number): Promise<Duplex> {
  return new Promise((resolveP, reject) => {
    const mod = proxy.protocol === 'https:' ? nodeHttps() : nodeHttp();
    const req = mod.request({
      host: proxy.hostname,
      port: proxy.port || (proxy.protocol === 'https:' ? 443 : 80),
      method: 'CONNECT',
      path: `${host}:${port}`,
      headers: { host: `${host}:${port}`, ...proxyAuth(proxy) },
      signal: opts.signal,
    });
    req.setTimeout(timeout, () => req.destroy(Object.assign(new Error('timeout'), { code: 'ETIMEDOUT' })));
    req.once('connect', (res, socket) => {
      if (res.statusCode !== 200) {
        socket.destroy();
        reject(new HttpError(`proxy ${proxy.host} refused the tunnel to ${host}:${port} (HTTP ${res.statusCode})`, false, undefined, true));
        return;
      }
      resolveP(socket);
    });
    req.once('error', (e) => reject(e));
    req.end();
  });
}

/** Sends one GET (no redirect handling) and resolves with the response. */
async function getOnce(url: URL, headers: OutgoingHttpHeaders, opts: HttpOptions): Promise<IncomingMessage> {
  const env = opts.env ?? process.env;
  const timeout = opts.timeoutMs ?? DEFAULT_TIMEOUT;
  const proxy = proxyFor(url, env);
  const port = url.port || (url.protocol === 'https:' ? '443' : '80');
  try {
    let req: http.ClientRequest;
    if (url.protocol === 'https:') {
      let createConnection: (() => Duplex) | undefined;
      let tunnel: Duplex | undefined;
      if (proxy) {
        const socket = await connectTunnel(proxy, url.hostname, port, opts, timeout);
        tunnel = socket;
        // SNI carries host names only, never IP addresses.
        const host = url.hostname.replace(/^\[|\]$/g, '');
        createConnection = () => nodeTls().connect({ socket, ...(nodeNet().isIP(host) ? { host } : { servername: host, host }), ...(opts.ca ? { ca: opts.ca } : {}) });
      }
      req = nodeHttps().request(url, {
        method: 'GET',
        headers,
        signal: opts.signal,
        ...(opts.ca ? { ca: opts.ca } : {}),
        ...(createConnection ? { createConnection, agent: false } : {}),
      });
      // The raw tunnel socket is ours: close it with the request, whatever happened over TLS.
      if (tunnel) req.once('close', () => tunnel.destroy());
    } else if (proxy) {
      // Plain HTTP through a proxy: absolute-URI request line (RFC 9112 §3.2.2).
      const mod = proxy.protocol === 'https:' ? nodeHttps() : nodeHttp();
      req = mod.request({
        host: proxy.hostname,
        port: proxy.port || (proxy.protocol === 'https:' ? 443 : 80),
        method: 'GET',
        path: url.href,
        headers: { ...headers, host: url.host, ...proxyAuth(proxy) },
        signal: opts.signal,
      });
    } else {
      req = nodeHttp().request(url, { method: 'GET', headers, signal: opts.signal });
    }
    return await new Promise<IncomingMessage>((resolveP, reject) => {
      req.setTimeout(timeout, () => req.destroy(Object.assign(new Error('timeout'), { code: 'ETIMEDOUT' })));
      req.once('response', resolveP);
      req.once('error', reject);
      req.end();
    });
  } catch (e) {
    if (e instanceof HttpError) throw e;
    if (opts.signal?.aborted) throw new HttpError('download cancelled', false, 'ABORT_ERR');
    throw describeNetError(e as NodeJS.ErrnoException, url, proxy);
  }
}

/**
 * GET with redirects (http/https only, at most `maxRedirects`), dropping the
 * configured headers when a redirect changes origin. Resolves with a final
 * non-redirect response.
 */
export async function httpGet(rawUrl: string, opts: HttpOptions = {}): Promise<{ res: IncomingMessage; url: URL }> {
  const env = opts.env ?? process.env;
  const extra = opts.headers ?? parseHeaderSpec(env.DUMPDBG_SYMBOL_HEADERS);
  let url: URL;
  try {
    url = new URL(rawUrl);
  } catch {
    throw new HttpError(`invalid URL ${rawUrl}`, false);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new HttpError(`refusing ${url.protocol} URL ${rawUrl}: only http and https are supported`, false);
  const origin = url.origin;
  const max = opts.maxRedirects ?? 5;
  for (let hop = 0; ; hop++) {
    const headers: OutgoingHttpHeaders = {
      'user-agent': opts.userAgent ?? DEFAULT_USER_AGENT,
      accept: '*/*',
      // Symbol files are binary and often already compressed; ask for identity to keep byte counts honest.
      'accept-encoding': 'identity',
      ...(url.origin === origin ? extra : {}),
    };
    const res = await getOnce(url, headers, opts);
    const status = res.statusCode ?? 0;
    if (status >= 300 && status < 400 && status !== 304 && res.headers.location) {
      res.resume();
      if (hop >= max) throw new HttpError(`too many redirects (more than ${max}) from ${rawUrl}`, false);
      let next: URL;
      try {
        next = new URL(res.headers.location, url);
      } catch {
        throw new HttpError(`bad redirect location ${res.headers.location}`, false);
      }
      if (next.protocol !== 'http:' && next.protocol !== 'https:') throw new HttpError(`refusing redirect to ${next.protocol} URL (only http and https are followed)`, false);
      url = next;
      continue;
    }
    return { res, url };
  }
}

/** Reads a response body into memory (small files: file.ptr), capped. */
async function readBody(res: IncomingMessage, cap: number, opts: HttpOptions): Promise<Buffer> {
  const parts: Buffer[] = [];
  let n = 0;
  const timeout = opts.timeoutMs ?? DEFAULT_TIMEOUT;
  res.setTimeout(timeout, () => res.destroy(Object.assign(new Error('timeout'), { code: 'ETIMEDOUT' })));
  for await (const chunk of res) {
    const b = chunk as Buffer;
    n += b.length;
    if (n > cap) {
      res.destroy();
      throw new HttpError(`response larger than ${cap} bytes`, false);
    }
    parts.push(b);
  }
  return Buffer.concat(parts);
}

/** Streams a 200 response into `dest` atomically, reporting progress; returns the byte count. */
async function saveBody(res: IncomingMessage, dest: string, url: string, opts: HttpOptions): Promise<number> {
  const cap = opts.maxBytes ?? DEFAULT_MAX_BYTES;
  const lenHeader = res.headers['content-length'];
  const total = lenHeader !== undefined && /^\d+$/.test(lenHeader) ? Number(lenHeader) : undefined;
  if (total !== undefined && total > cap) {
    res.destroy();
    throw new HttpError(`${url} is ${total} bytes, above the ${cap}-byte download limit`, false);
  }
  const timeout = opts.timeoutMs ?? DEFAULT_TIMEOUT;
  res.setTimeout(timeout, () => res.destroy(Object.assign(new Error('timeout'), { code: 'ETIMEDOUT' })));
  const file = dest.slice(Math.max(dest.lastIndexOf('/'), dest.lastIndexOf('\\')) + 1);
  const out = openAtomic(dest);
  const started = Date.now();
  let bytes = 0;
  let lastReport = 0;
  const report = (done: boolean) => {
    const secs = Math.max(0.001, (Date.now() - started) / 1000);
    opts.onProgress?.({ file, url, bytes, total, rate: bytes / secs, done });
  };
  try {
    for await (const chunk of res) {
      const b = chunk as Buffer;
      bytes += b.length;
      if (bytes > cap) throw new HttpError(`${url} exceeds the ${cap}-byte download limit`, false);
      let w = 0;
      while (w < b.length) w += writeSync(out.fd, b, w, b.length - w);
      const now = Date.now();
      if (now - lastReport >= 100) {
        lastReport = now;
        report(false);
      }
    }
    if (!res.complete) throw new HttpError(`connection closed before the end of ${url}`, true);
    if (total !== undefined && bytes !== total) throw new HttpError(`${url}: received ${bytes} of ${total} bytes`, true);
    out.commit();
    report(true);
    return bytes;
  } catch (e) {
    out.abort();
    res.destroy();
    if (e instanceof HttpError) throw e;
    if (opts.signal?.aborted) throw new HttpError('download cancelled', false, 'ABORT_ERR');
    const err = e as NodeJS.ErrnoException;
    if (err.code === 'ETIMEDOUT') throw new HttpError(`timed out downloading ${url}`, true, err.code);
    if (err.code === 'ENOSPC' || err.code === 'EACCES' || err.code === 'EROFS') throw new HttpError(`cannot write ${dest}: ${err.code}`, false, err.code);
    throw new HttpError(`download of ${url} failed: ${err.message}`, true, err.code);
  }
}

const isMissing = (s: number) => s === 404 || s === 403 || s === 410;

/** Waits `ms`; false when cancelled first. */
function pause(ms: number, signal: AbortSignal | undefined): Promise<boolean> {
  return new Promise((resolveP) => {
    if (signal?.aborted) return resolveP(false);
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolveP(true);
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      resolveP(false);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** One GET of one candidate name: 'missing' (404/403/410) or a final outcome. */
async function fetchOne(url: string, n: { name: string; kind: 'plain' | 'cab' | 'ptr' }, spec: ServerFileSpec, dest: string, opts: HttpOptions, tried: HttpAttempt[]): Promise<FetchOutcome | 'missing'> {
  try {
    const { res } = await httpGet(url, opts);
    const status = res.statusCode ?? 0;
    if (isMissing(status)) {
      res.resume();
      tried.push({ url, outcome: 'absent', detail: `HTTP ${status}` });
      return 'missing';
    }
    if (status !== 200) {
      res.resume();
      const message = `${url}: HTTP ${status}${res.statusMessage ? ' ' + res.statusMessage : ''}`;
      tried.push({ url, outcome: 'error', detail: message });
      return { status: 'error', message, transient: status >= 500 || status === 429, tried };
    }
    if (n.kind === 'plain') {
      const bytes = await saveBody(res, dest, url, opts);
      tried.push({ url, outcome: 'downloaded', detail: `${bytes} bytes` });
      return { status: 'downloaded', url, compressed: false, bytes, tried };
    }
    if (n.kind === 'cab') {
      // Download the archive next to the destination, expand it into place, drop the archive.
      const cabTmp = tempNameFor(join(dirname(dest), n.name));
      try {
        const bytes = await saveBody(res, cabTmp, url, opts);
        await expandCompressedFile(cabTmp, dest, spec.fileName, opts.maxBytes ?? DEFAULT_MAX_BYTES);
        tried.push({ url, outcome: 'downloaded', detail: `${bytes} bytes, expanded` });
        return { status: 'downloaded', url, compressed: true, bytes, tried };
      } catch (e) {
        if (isFormatError(e)) {
          tried.push({ url, outcome: 'error', detail: e.message });
          return { status: 'error', message: `${url}: ${e.message}`, transient: false, tried };
        }
        throw e;
      } finally {
        rmSync(cabTmp, { force: true });
      }
    }
    const text = (await readBody(res, MAX_POINTER_BYTES, opts)).toString('utf8').replace(/^\uFEFF/, '').trim();
    const line = text.split(/\r?\n/)[0]?.trim() ?? '';
    if (/^MSG:/i.test(line)) {
      tried.push({ url, outcome: 'message', detail: line.slice(4).trim() });
      return { status: 'message', url, text: line.slice(4).trim(), tried };
    }
    const target = /^PATH:/i.test(line) ? line.slice(5).trim() : line;
    tried.push({ url, outcome: 'absent', detail: `file.ptr → ${target}` });
    return { status: 'pointer', url, target, tried };
  } catch (e) {
    const err = e instanceof HttpError ? e : new HttpError(`${url}: ${(e as Error).message}`, true);
    tried.push({ url, outcome: err.code === 'ABORT_ERR' ? 'refused' : 'error', detail: err.message });
    return { status: 'error', message: err.message, transient: err.transient, ...(err.unreachable ? { unreachable: true } : {}), tried };
  }
}

/**
 * Fetches `<base>/<dirName>/<key>/<fileName>` into `dest` (then the compressed
 * name, expanded into `dest`, then `file.ptr`). Never throws for network or
 * server problems: they come back as `{ status: 'error' }` with one sentence.
 */
export async function fetchFromSymbolServer(base: string, spec: ServerFileSpec, dest: string, opts: HttpOptions = {}): Promise<FetchOutcome> {
  const tried: HttpAttempt[] = [];
  for (const part of [spec.dirName, spec.key, spec.fileName]) {
    if (!isSafeComponent(part)) return { status: 'error', message: `unsafe file name or key "${part}"`, transient: false, tried };
  }
  const root = base.replace(/\/+$/, '');
  const dirUrl = `${root}/${encodeURIComponent(spec.dirName)}/${encodeURIComponent(spec.key)}/`;
  const ttl = opts.negativeCacheTtlMs ?? 3_600_000;
  const names: Array<{ name: string; kind: 'plain' | 'cab' | 'ptr' }> = [{ name: spec.fileName, kind: 'plain' }];
  if (spec.compressed && /\.[^.]+$/.test(spec.fileName)) names.push({ name: spec.fileName.slice(0, -1) + '_', kind: 'cab' });
  if (spec.pointer) names.push({ name: 'file.ptr', kind: 'ptr' });

  const retries = opts.retries ?? 1;
  let origin: string;
  try {
    origin = new URL(dirUrl).origin;
  } catch {
    return { status: 'error', message: `invalid server URL ${base}`, transient: false, tried };
  }
  // Offline or a dead server: say so once, then skip it for a while instead of waiting on every module.
  const gone = down.get(origin);
  if (gone && gone.until > Date.now()) {
    tried.push({ url: root, outcome: 'error', detail: `${gone.message} (not retried for a while)` });
    return { status: 'error', message: gone.message, transient: true, unreachable: true, tried };
  }
  const downTtl = opts.unreachableTtlMs ?? 300_000;
  for (const n of names) {
    const url = dirUrl + encodeURIComponent(n.name);
    const until = negative.get(url);
    if (until !== undefined && until > Date.now()) {
      tried.push({ url, outcome: 'absent', detail: 'not on the server (remembered)' });
      continue;
    }
    for (let attempt = 0; ; attempt++) {
      const r = await fetchOne(url, n, spec, dest, opts, tried);
      if (r === 'missing') {
        if (ttl > 0) negative.set(url, Date.now() + ttl);
        break;
      }
      if (r.status === 'error' && r.unreachable) {
        if (downTtl > 0) down.set(origin, { until: Date.now() + downTtl, message: r.message });
        return r;
      }
      // Transient failures (5xx, 429, resets, cut-off bodies) are retried after a short pause.
      if (r.status === 'error' && r.transient && attempt < retries && !opts.signal?.aborted) {
        if (!(await pause(500 * 2 ** attempt, opts.signal))) return r;
        continue;
      }
      return r;
    }
  }
  return { status: 'notFound', tried };
}
