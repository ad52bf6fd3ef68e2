import t from 'tap';
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { locateSymbolFile } from '../../src/symbols/store.js';
import { parseSymbolPath } from '../../src/symbols/symbol-path.js';
import {
  fetchFromSymbolServer, clearNegativeCache, parseHeaderSpec, proxyFor, noProxyMatches, httpGet,
} from '../../src/symbols/http.js';
import type { DownloadProgress } from '../../src/symbols/http.js';
import { writeMsf } from '../fixtures/msf-writer.js';
import { writeCab } from '../fixtures/cab-writer.js';

const CORPUS_PDB = new URL('../../../shared/corpus/wine-x64/crashlab.pdb', import.meta.url).pathname;

// The served PDB: crashlab.pdb when the corpus is there, else a synthetic MSF file.
const GUID = Buffer.from([4, 3, 2, 1, 6, 5, 8, 7, 9, 10, 11, 12, 13, 14, 15, 16]);
const corpus = existsSync(CORPUS_PDB);
const PDB = corpus ? readFileSync(CORPUS_PDB) : writeMsf({ guid: GUID, infoAge: 1, dbiAge: 1 });
const KEY = corpus ? 'FA7D232352E4CA304C4C44205044422E1' : '0102030405060708090A0B0C0D0E0F101';
const WRONG = writeMsf({ guid: Buffer.alloc(16, 0x11), infoAge: 1, dbiAge: 1 });

type Handler = (req: http.IncomingMessage, res: http.ServerResponse) => void;

/** A symbol server on 127.0.0.1: `files` maps URL paths to bodies; `routes` to custom handlers. */
async function startServer(files: Record<string, Buffer | string>, routes: Record<string, Handler> = {}) {
  const log: Array<{ url: string; headers: http.IncomingHttpHeaders }> = [];
  const server = http.createServer((req, res) => {
    log.push({ url: req.url ?? '', headers: req.headers });
    const path = (req.url ?? '').split('?')[0] ?? '';
    const route = routes[path];
    if (route) return route(req, res);
    const body = files[path];
    if (body === undefined) {
      res.writeHead(404).end('not found');
      return;
    }
    res.writeHead(200, { 'content-length': Buffer.byteLength(body) }).end(body);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { server, base, log, close: () => new Promise<void>((r) => { server.closeAllConnections(); server.close(() => r()); }) };
}

function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'symhttp-'));
}

/** Every file under dir (relative paths), to check that nothing half-written is left. */
function listFiles(dir: string, pre = ''): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? listFiles(p, `${pre}${n}/`) : [`${pre}${n}`];
  });
}

t.beforeEach(() => clearNegativeCache());

t.test('download into the downstream cache, then served from the cache', async (t) => {
  const s = await startServer({ [`/sym/crashlab.pdb/${KEY}/crashlab.pdb`]: PDB });
  t.teardown(s.close);
  const cache = tempDir();
  const path = parseSymbolPath(`srv*${cache}*${s.base}/sym`);
  const progress: DownloadProgress[] = [];
  const r = await locateSymbolFile({ kind: 'pdb', name: 'crashlab.pdb', key: KEY }, path, { http: { onProgress: (p) => progress.push(p) } });
  t.equal(r.status, 'found');
  t.equal(r.status === 'found' && r.downloaded, true);
  const dest = join(cache, `crashlab.pdb/${KEY}/crashlab.pdb`);
  t.equal(r.status === 'found' && r.path, dest);
  t.ok(readFileSync(dest).equals(PDB));
  t.same(listFiles(cache), [`crashlab.pdb/${KEY}/crashlab.pdb`], 'no temp files left');
  const last = progress.at(-1);
  t.equal(last?.done, true);
  t.equal(last?.bytes, PDB.length);
  t.equal(last?.total, PDB.length);
  t.equal(last?.file, 'crashlab.pdb');
  t.ok((last?.rate ?? 0) > 0);
  t.match(s.log[0]?.headers['user-agent'], /Microsoft-Symbol-Server/);
  const before = s.log.length;
  const again = await locateSymbolFile({ kind: 'pdb', name: 'crashlab.pdb', key: KEY }, path, {});
  t.equal(again.status === 'found' && again.downloaded, false);
  t.equal(s.log.length, before, 'second lookup did not touch the server');
});

t.test('compressed .pd_ on the server is expanded into the cache', async (t) => {
  const cab = writeCab([{ name: 'crashlab.pdb', data: PDB }]);
  const s = await startServer({ [`/crashlab.pdb/${KEY}/crashlab.pd_`]: cab });
  t.teardown(s.close);
  const cache = tempDir();
  const r = await locateSymbolFile({ kind: 'pdb', name: 'crashlab.pdb', key: KEY }, parseSymbolPath(`srv*${cache}*${s.base}`), {});
  t.equal(r.status, 'found');
  t.ok(readFileSync(join(cache, `crashlab.pdb/${KEY}/crashlab.pdb`)).equals(PDB));
  t.same(listFiles(cache), [`crashlab.pdb/${KEY}/crashlab.pdb`], 'the cabinet itself is not kept');
  t.same(s.log.map((l) => l.url), [`/crashlab.pdb/${KEY}/crashlab.pdb`, `/crashlab.pdb/${KEY}/crashlab.pd_`]);
});

t.test('404 everywhere, negative cache, file.ptr MSG, mismatch', async (t) => {
  const s = await startServer({
    [`/msg.pdb/${KEY}/file.ptr`]: 'MSG: not public',
    [`/wrong.pdb/${KEY}/wrong.pdb`]: WRONG,
    [`/ptr.pdb/${KEY}/file.ptr`]: 'PATH:/etc/passwd',
  });
  t.teardown(s.close);
  const cache = tempDir();
  const path = parseSymbolPath(`srv*${cache}*${s.base}`);
  const n = await locateSymbolFile({ kind: 'pdb', name: 'none.pdb', key: KEY }, path, {});
  t.equal(n.status, 'notFound');
  t.same(n.attempts.filter((a) => a.location.startsWith('http')).map((a) => a.detail), ['HTTP 404', 'HTTP 404', 'HTTP 404']);
  const count = s.log.length;
  const n2 = await locateSymbolFile({ kind: 'pdb', name: 'none.pdb', key: KEY }, path, {});
  t.equal(n2.status, 'notFound');
  t.equal(s.log.length, count, '404s are remembered');
  clearNegativeCache();
  await locateSymbolFile({ kind: 'pdb', name: 'none.pdb', key: KEY }, path, {});
  t.equal(s.log.length, count + 3);

  const m = await locateSymbolFile({ kind: 'pdb', name: 'msg.pdb', key: KEY }, path, {});
  t.same(m.attempts.find((a) => a.outcome === 'message')?.detail, 'not public');

  const w = await locateSymbolFile({ kind: 'pdb', name: 'wrong.pdb', key: KEY }, path, {});
  t.equal(w.status, 'mismatch');

  const p = await locateSymbolFile({ kind: 'pdb', name: 'ptr.pdb', key: KEY }, path, {});
  t.equal(p.status, 'notFound');
  t.match(p.attempts.find((a) => a.outcome === 'refused')?.detail, /outside the cache/);
});

t.test('redirects: followed to http(s), refused to other schemes, bounded, no credentials cross-origin', async (t) => {
  const other = await startServer({ '/blob/x': PDB });
  t.teardown(other.close);
  const s = await startServer({}, {
    [`/crashlab.pdb/${KEY}/crashlab.pdb`]: (_q, res) => res.writeHead(302, { location: `${other.base}/blob/x` }).end(),
    '/bad.pdb/K1/bad.pdb': (_q, res) => res.writeHead(302, { location: 'file:///etc/passwd' }).end(),
    '/loop.pdb/K1/loop.pdb': (_q, res) => res.writeHead(301, { location: '/loop.pdb/K1/loop.pdb' }).end(),
  });
  t.teardown(s.close);
  const cache = tempDir();
  const r = await locateSymbolFile({ kind: 'pdb', name: 'crashlab.pdb', key: KEY }, parseSymbolPath(`srv*${cache}*${s.base}`), {
    http: { headers: { Authorization: 'Bearer secret' } },
  });
  t.equal(r.status, 'found');
  t.equal(s.log[0]?.headers.authorization, 'Bearer secret', 'sent to the symbol server');
  t.equal(other.log[0]?.headers.authorization, undefined, 'not forwarded to the redirect target host');

  const dest = join(cache, 'x');
  const bad = await fetchFromSymbolServer(s.base, { dirName: 'bad.pdb', key: 'K1', fileName: 'bad.pdb', compressed: false, pointer: false }, dest);
  t.equal(bad.status, 'error');
  t.match(bad.status === 'error' && bad.message, /refusing redirect to file: URL/);
  const loop = await fetchFromSymbolServer(s.base, { dirName: 'loop.pdb', key: 'K1', fileName: 'loop.pdb', compressed: false, pointer: false }, dest, { maxRedirects: 3 });
  t.match(loop.status === 'error' && loop.message, /too many redirects/);
  t.notOk(existsSync(dest));
});

t.test('headers from DUMPDBG_SYMBOL_HEADERS', async (t) => {
  t.same(parseHeaderSpec('{"Authorization":"Bearer a","X-N":1}'), { Authorization: 'Bearer a' });
  t.same(parseHeaderSpec('Authorization: Basic Zm9v\nX-Api-Key: k:v\nbad header: x\n'), { Authorization: 'Basic Zm9v', 'X-Api-Key': 'k:v' });
  t.same(parseHeaderSpec(undefined), {});
  const s = await startServer({}, {
    '/a/K/a': (q, res) => {
      if (q.headers['x-api-key'] !== 'k1') return void res.writeHead(401).end();
      res.writeHead(200).end('ok');
    },
  });
  t.teardown(s.close);
  const dest = join(tempDir(), 'a');
  const env = { DUMPDBG_SYMBOL_HEADERS: 'X-Api-Key: k1' };
  const ok = await fetchFromSymbolServer(s.base, { dirName: 'a', key: 'K', fileName: 'a', compressed: false, pointer: false }, dest, { env });
  t.equal(ok.status, 'downloaded');
  t.equal(readFileSync(dest, 'utf8'), 'ok');
  const denied = await fetchFromSymbolServer(s.base, { dirName: 'a', key: 'K', fileName: 'a', compressed: false, pointer: false }, join(tempDir(), 'b'), { env: {} });
  t.equal(denied.status, 'error');
  t.match(denied.status === 'error' && denied.message, /HTTP 401/);
});

t.test('failures leave nothing half-written', async (t) => {
  const s = await startServer({}, {
    '/cut.pdb/K/cut.pdb': (_q, res) => {
      res.writeHead(200, { 'content-length': 100000 });
      res.write(Buffer.alloc(30000, 1));
      setTimeout(() => res.socket?.destroy(), 50);
    },
    '/slow.pdb/K/slow.pdb': (_q, res) => {
      res.writeHead(200, { 'content-length': 100000 });
      res.write(Buffer.alloc(1000, 1)); // then nothing
    },
    '/hang.pdb/K/hang.pdb': () => {}, // never answers
    '/big.pdb/K/big.pdb': (_q, res) => res.writeHead(200, { 'content-length': 5000 }).end(Buffer.alloc(5000)),
    '/chunked.pdb/K/chunked.pdb': (_q, res) => {
      res.writeHead(200);
      for (let i = 0; i < 10; i++) res.write(Buffer.alloc(1000));
      res.end();
    },
    '/e500.pdb/K/e500.pdb': (_q, res) => res.writeHead(503).end(),
  });
  t.teardown(s.close);
  const dir = tempDir();
  const spec = (n: string) => ({ dirName: `${n}.pdb`, key: 'K', fileName: `${n}.pdb`, compressed: false, pointer: false });

  const cut = await fetchFromSymbolServer(s.base, spec('cut'), join(dir, 'cut.pdb'));
  t.equal(cut.status, 'error');
  t.equal(cut.status === 'error' && cut.transient, true);

  t.equal(cut.tried.length, 2, 'a cut-off body is retried once');
  t.equal(s.log.filter((l) => l.url === '/cut.pdb/K/cut.pdb').length, 2);

  const hang = await fetchFromSymbolServer(s.base, spec('hang'), join(dir, 'hang.pdb'), { timeoutMs: 200, unreachableTtlMs: 0 });
  t.match(hang.status === 'error' && hang.message, /timed out/);
  t.equal(hang.status === 'error' && hang.unreachable, true, 'no answer at all: the server counts as unreachable');
  t.equal(hang.tried.length, 1, 'and is not retried');

  const slow = await fetchFromSymbolServer(s.base, spec('slow'), join(dir, 'slow.pdb'), { timeoutMs: 200 });
  t.match(slow.status === 'error' && slow.message, /timed out/);

  const ac = new AbortController();
  setTimeout(() => ac.abort(), 100);
  const aborted = await fetchFromSymbolServer(s.base, spec('slow'), join(dir, 'slow2.pdb'), { signal: ac.signal, timeoutMs: 5000 });
  t.match(aborted.status === 'error' && aborted.message, /cancelled/);

  const big = await fetchFromSymbolServer(s.base, spec('big'), join(dir, 'big.pdb'), { maxBytes: 4096 });
  t.match(big.status === 'error' && big.message, /above the 4096-byte download limit/);
  const chunked = await fetchFromSymbolServer(s.base, spec('chunked'), join(dir, 'chunked.pdb'), { maxBytes: 4096 });
  t.match(chunked.status === 'error' && chunked.message, /exceeds the 4096-byte download limit/);

  const e500 = await fetchFromSymbolServer(s.base, spec('e500'), join(dir, 'e500.pdb'), { retries: 0 });
  t.same(e500.status === 'error' && [e500.transient, /HTTP 503/.test(e500.message)], [true, true]);
  t.equal(e500.tried.length, 1);

  t.same(listFiles(dir), [], 'no partial or temp files');

  // an already-aborted signal: nothing is requested
  const before = s.log.length;
  const pre = AbortSignal.abort();
  const r = await locateSymbolFile({ kind: 'pdb', name: 'big.pdb', key: 'K' }, parseSymbolPath(`srv*${dir}*${s.base}`), { signal: pre });
  t.equal(r.status, 'notFound');
  t.equal(s.log.length, before);
});

t.test('a transient 503 is retried', async (t) => {
  let n = 0;
  const s = await startServer({}, {
    '/r.pdb/K/r.pdb': (_q, res) => (n++ === 0 ? res.writeHead(503).end() : res.writeHead(200).end('second time')),
  });
  t.teardown(s.close);
  const dest = join(tempDir(), 'r.pdb');
  const r = await fetchFromSymbolServer(s.base, { dirName: 'r.pdb', key: 'K', fileName: 'r.pdb', compressed: false, pointer: false }, dest);
  t.equal(r.status, 'downloaded');
  t.same(r.tried.map((a) => a.outcome), ['error', 'downloaded']);
  t.equal(readFileSync(dest, 'utf8'), 'second time');
});

t.test('offline, refused connections and DNS failures say so', async (t) => {
  const dir = tempDir();
  // a port nobody listens on
  const probe = net.createServer();
  await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
  const port = (probe.address() as AddressInfo).port;
  await new Promise<void>((r) => probe.close(() => r()));
  const spec = { dirName: 'a.pdb', key: 'K', fileName: 'a.pdb', compressed: true, pointer: true };
  const refused = await fetchFromSymbolServer(`http://127.0.0.1:${port}`, spec, join(dir, 'a.pdb'));
  t.match(refused.status === 'error' && refused.message, /connection refused by 127\.0\.0\.1/);
  t.equal(refused.tried.length, 1, 'a network failure ends this server');
  // the next module does not wait on the dead server again
  const again = await fetchFromSymbolServer(`http://127.0.0.1:${port}`, { ...spec, dirName: 'b.pdb', fileName: 'b.pdb' }, join(dir, 'b.pdb'));
  t.match(again.status === 'error' && again.tried[0]?.detail, /connection refused .*\(not retried for a while\)/);
  clearNegativeCache();
  const after = await fetchFromSymbolServer(`http://127.0.0.1:${port}`, spec, join(dir, 'a.pdb'), { unreachableTtlMs: 0 });
  t.match(after.status === 'error' && after.tried[0]?.detail, /^connection refused by/, 'tried again once forgotten');

  const dns = await fetchFromSymbolServer('http://no-such-host.invalid', spec, join(dir, 'a.pdb'), { timeoutMs: 5000 });
  t.match(dns.status === 'error' && dns.message, /cannot resolve no-such-host\.invalid|timed out/);

  const bad = await fetchFromSymbolServer('http://127.0.0.1:1', { ...spec, dirName: '..' }, join(dir, 'a.pdb'));
  t.match(bad.status === 'error' && bad.message, /unsafe/);
  await t.rejects(httpGet('ftp://example.com/x'), { message: /only http and https/ });
});

t.test('proxy settings', async (t) => {
  const u = new URL('https://msdl.microsoft.com/download/symbols');
  t.equal(proxyFor(u, { HTTPS_PROXY: 'http://proxy:3128' })?.host, 'proxy:3128');
  t.equal(proxyFor(u, { https_proxy: 'proxy:8080' })?.href, 'http://proxy:8080/');
  t.equal(proxyFor(u, { HTTP_PROXY: 'http://p:1' }), undefined, 'HTTP_PROXY is for http URLs');
  t.equal(proxyFor(u, { HTTPS_PROXY: 'http://p:1', NO_PROXY: '.microsoft.com' }), undefined);
  t.equal(noProxyMatches('localhost, example.com:8443', 'api.example.com', '8443'), true);
  t.equal(noProxyMatches('example.com:8443', 'example.com', '443'), false);
  t.equal(noProxyMatches('*', 'x', '1'), true);
  t.equal(noProxyMatches('ample.com', 'example.com', '1'), false);

  // plain HTTP through a forward proxy: the request line carries the absolute URL
  const target = await startServer({ [`/crashlab.pdb/${KEY}/crashlab.pdb`]: PDB });
  t.teardown(target.close);
  const seen: string[] = [];
  const proxy = http.createServer((req, res) => {
    seen.push(`${req.method} ${req.url} ${req.headers['proxy-authorization'] ?? ''}`);
    const up = http.request(req.url ?? '', { method: req.method, headers: req.headers }, (ur) => {
      res.writeHead(ur.statusCode ?? 502, ur.headers);
      ur.pipe(res);
    });
    up.on('error', () => res.writeHead(502).end());
    req.pipe(up);
  });
  await new Promise<void>((r) => proxy.listen(0, '127.0.0.1', r));
  t.teardown(() => new Promise<void>((r) => { proxy.closeAllConnections(); proxy.close(() => r()); }));
  const pport = (proxy.address() as AddressInfo).port;
  const cache = tempDir();
  const r = await locateSymbolFile({ kind: 'pdb', name: 'crashlab.pdb', key: KEY }, parseSymbolPath(`srv*${cache}*${target.base}`), {
    http: { env: { HTTP_PROXY: `http://user:pa%40ss@127.0.0.1:${pport}` } },
  });
  t.equal(r.status, 'found');
  t.same(seen, [`GET ${target.base}/crashlab.pdb/${KEY}/crashlab.pdb Basic ${Buffer.from('user:pa@ss').toString('base64')}`]);
  // NO_PROXY bypasses it
  clearNegativeCache();
  const r2 = await locateSymbolFile({ kind: 'pdb', name: 'crashlab.pdb', key: KEY }, parseSymbolPath(`srv*${tempDir()}*${target.base}`), {
    http: { env: { HTTP_PROXY: `http://127.0.0.1:${pport}`, NO_PROXY: '127.0.0.1' } },
  });
  t.equal(r2.status, 'found');
  t.equal(seen.length, 1);
});

/** A self-signed certificate for 127.0.0.1, made with openssl when it is installed. */
function testCertificate(): { key: string; cert: string } | undefined {
  try {
    const dir = tempDir();
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', join(dir, 'k.pem'), '-out', join(dir, 'c.pem'),
      '-days', '1', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1'], { stdio: 'ignore' });
    return { key: readFileSync(join(dir, 'k.pem'), 'utf8'), cert: readFileSync(join(dir, 'c.pem'), 'utf8') };
  } catch {
    return undefined;
  }
}
const CERT = testCertificate();

t.test('HTTPS through a CONNECT tunnel', { skip: !CERT && 'openssl not available to make a test certificate' }, async (t) => {
  const { key, cert } = CERT!;
  const tlsServer = https.createServer({ key, cert }, (req, res) => {
    if (req.url === `/crashlab.pdb/${KEY}/crashlab.pdb`) res.writeHead(200, { 'content-length': PDB.length }).end(PDB);
    else res.writeHead(404).end();
  });
  await new Promise<void>((r) => tlsServer.listen(0, '127.0.0.1', r));
  t.teardown(() => new Promise<void>((r) => { tlsServer.closeAllConnections(); tlsServer.close(() => r()); }));
  const tport = (tlsServer.address() as AddressInfo).port;
  const tunnels: string[] = [];
  const proxy = http.createServer((_q, res) => res.writeHead(405).end());
  proxy.on('connect', (req, client, head) => {
    tunnels.push(req.url ?? '');
    const [h, p] = (req.url ?? '').split(':');
    const up = net.connect(Number(p), h, () => {
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      up.write(head);
      up.pipe(client);
      client.pipe(up);
    });
    up.on('error', () => client.destroy());
    client.on('error', () => up.destroy());
  });
  await new Promise<void>((r) => proxy.listen(0, '127.0.0.1', r));
  t.teardown(() => new Promise<void>((r) => { proxy.closeAllConnections(); proxy.close(() => r()); }));
  const pport = (proxy.address() as AddressInfo).port;
  const cache = tempDir();
  const path = parseSymbolPath(`srv*${cache}*https://127.0.0.1:${tport}`);
  const r = await locateSymbolFile({ kind: 'pdb', name: 'crashlab.pdb', key: KEY }, path, {
    http: { env: { HTTPS_PROXY: `http://127.0.0.1:${pport}` }, ca: cert },
  });
  t.equal(r.status, 'found');
  t.ok(readFileSync(join(cache, `crashlab.pdb/${KEY}/crashlab.pdb`)).equals(PDB), 'complete body through the tunnel');
  t.same(tunnels, [`127.0.0.1:${tport}`]);
  // without the CA the certificate is rejected, with a clear message
  clearNegativeCache();
  const bad = await fetchFromSymbolServer(`https://127.0.0.1:${tport}`, { dirName: 'crashlab.pdb', key: KEY, fileName: 'crashlab.pdb', compressed: false, pointer: false }, join(tempDir(), 'x'), {
    env: { HTTPS_PROXY: `http://127.0.0.1:${pport}` },
  });
  t.match(bad.status === 'error' && bad.message, /TLS error|certificate/i);
});

t.test('two lookups racing into one cache', async (t) => {
  const s = await startServer({ [`/crashlab.pdb/${KEY}/crashlab.pdb`]: PDB });
  t.teardown(s.close);
  const cache = tempDir();
  const path = parseSymbolPath(`srv*${cache}*${s.base}`);
  const rs = await Promise.all([1, 2, 3].map(() => locateSymbolFile({ kind: 'pdb', name: 'crashlab.pdb', key: KEY }, path, {})));
  t.same(rs.map((r) => r.status), ['found', 'found', 'found']);
  t.ok(readFileSync(join(cache, `crashlab.pdb/${KEY}/crashlab.pdb`)).equals(PDB));
  t.same(listFiles(cache), [`crashlab.pdb/${KEY}/crashlab.pdb`]);
});
