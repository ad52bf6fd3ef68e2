/**
 * Nothing lost, nothing written where it should not be: dumps are opened
 * read-only and never modified; symbol-cache files appear whole or not at all,
 * also with two processes downloading into one cache and with a download
 * killed half-way; server pointers and names cannot lead outside the cache.
 */
import t from 'tap';
import http from 'node:http';
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { locateSymbolFile } from '../../src/symbols/store.js';
import { parseSymbolPath } from '../../src/symbols/symbol-path.js';
import { clearNegativeCache } from '../../src/symbols/http.js';
import { writeMsf } from '../fixtures/msf-writer.js';
import { BIN, REPO } from '../fixtures/session.js';

const root = mkdtempSync(path.join(tmpdir(), 'dumpdbg-files-'));
t.teardown(() => rmSync(root, { recursive: true, force: true }));

const sha = (p: string) => createHash('sha256').update(readFileSync(p)).digest('hex');

/** Every file under `dir`, relative. */
function listFiles(dir: string, pre = ''): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? listFiles(path.join(dir, e.name), `${pre}${e.name}/`) : [`${pre}${e.name}`]));
}

const GUID = Buffer.from([4, 3, 2, 1, 6, 5, 8, 7, 9, 10, 11, 12, 13, 14, 15, 16]);
const KEY = '0102030405060708090A0B0C0D0E0F101';
// A PDB with some bulk (so a download takes a few chunks), matching KEY.
const PDB = Buffer.concat([writeMsf({ guid: GUID, infoAge: 1, dbiAge: 1 }), Buffer.alloc(256 * 1024, 0x5a)]);

type Route = (req: http.IncomingMessage, res: http.ServerResponse) => void;
async function server(routes: Record<string, Route>): Promise<{ base: string; hits: string[]; close: () => Promise<void> }> {
  const hits: string[] = [];
  const s = http.createServer((req, res) => {
    const p = (req.url ?? '').split('?')[0] ?? '';
    hits.push(p);
    const r = routes[p];
    if (r) r(req, res);
    else {
      res.statusCode = 404;
      res.end();
    }
  });
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
  return {
    base: `http://127.0.0.1:${(s.address() as AddressInfo).port}`,
    hits,
    close: () => new Promise<void>((resolve) => { s.closeAllConnections(); s.close(() => resolve()); }),
  };
}

/** Sends the body in two halves with a pause between (downloads overlap; a client can be killed mid-body). */
function slowBody(body: Buffer, pauseMs: number, onHalf?: () => void): Route {
  return (_req, res) => {
    res.writeHead(200, { 'content-length': String(body.length), 'content-type': 'application/octet-stream' });
    const half = body.length >> 1;
    res.write(body.subarray(0, half), () => onHalf?.());
    setTimeout(() => res.end(body.subarray(half)), pauseMs);
  };
}

/** A child node process with the same TypeScript loader as this test. */
function child(args: string[]) {
  const loader = process.execArgv.filter((a) => a.includes('typescript') || a.startsWith('--enable-source-maps'));
  return spawn(process.execPath, [...loader, path.join(REPO, 'test', 'fixtures', 'robustness', 'fetch-child.ts'), ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
}

function collect(p: ReturnType<typeof child>): Promise<{ code: number | null; out: string; err: string }> {
  let out = '';
  let err = '';
  p.stdout.on('data', (d: Buffer) => (out += d.toString()));
  p.stderr.on('data', (d: Buffer) => (err += d.toString()));
  return new Promise((resolve) => p.on('close', (code) => resolve({ code, out, err })));
}

const EXAMPLE = path.join(REPO, 'examples', 'dumps', 'null-deref.dmp');

t.test('a session never modifies the dump (read-only file, same hash after)', { skip: existsSync(BIN) && existsSync(EXAMPLE) ? false : 'dist not built or no example dump' }, async (t) => {
  const dir = path.join(root, 'ro');
  mkdirSync(dir);
  const dump = path.join(dir, 'null-deref.dmp');
  copyFileSync(EXAMPLE, dump);
  chmodSync(dump, 0o444);
  const before = sha(dump);
  const mtime = statSync(dump).mtimeMs;
  const cmds = `.logopen ${path.join(dir, 's.log')};||;~*k;lm;.exr -1;.ecxr;kn;!analyze -v;dq @rsp;.reload /f;.dumpdebug;.record ${path.join(dir, 'r.wds')};lmv;q`;
  const r = spawnSync(process.execPath, [BIN, '-z', dump, '-y', path.join(REPO, 'examples', 'dumps'), '-c', cmds], { encoding: 'utf8', timeout: 180_000 });
  t.equal(r.status, 0, `exit 0 ${r.stderr}`);
  t.match(r.stdout, /ACCESS_VIOLATION|c0000005/i, 'the session did real work');
  const json = spawnSync(process.execPath, [BIN, '-z', dump, '--json', '-c', 'lm;kn;q'], { encoding: 'utf8', timeout: 180_000 });
  t.equal(json.status, 0);
  t.equal(sha(dump), before, 'same bytes');
  t.equal(statSync(dump).mtimeMs, mtime, 'same modification time');
  t.same(listFiles(dir).sort(), ['null-deref.dmp', 'r.wds', 's.log'], 'nothing else written beside the dump');
});

t.test('two processes downloading into one cache: one whole file, no temporaries', async (t) => {
  clearNegativeCache();
  // Both responses are held until both requests have arrived (or 60 s pass), so the downloads overlap even on a loaded machine.
  const waiting: (() => void)[] = [];
  const send = slowBody(PDB, 400);
  const barrier: Route = (req, res) => {
    waiting.push(() => send(req, res));
    if (waiting.length === 2) for (const go of waiting.splice(0)) go();
  };
  const fallback = setTimeout(() => { for (const go of waiting.splice(0)) go(); }, 60_000);
  t.teardown(() => clearTimeout(fallback));
  const s = await server({ [`/crashlab.pdb/${KEY}/crashlab.pdb`]: barrier });
  t.teardown(s.close);
  const cache = path.join(root, 'shared-cache');
  const sp = `srv*${cache}*${s.base}`;
  const [a, b] = await Promise.all([collect(child([sp, 'crashlab.pdb', KEY])), collect(child([sp, 'crashlab.pdb', KEY]))]);
  for (const r of [a, b]) {
    t.equal(r.code, 0, `child exit 0 ${r.err}`);
    t.match(JSON.parse(r.out.trim()), { status: 'found' });
  }
  t.ok(s.hits.filter((h) => h.endsWith('crashlab.pdb')).length >= 2, 'both processes downloaded (the downloads overlapped)');
  const dest = path.join(cache, 'crashlab.pdb', KEY, 'crashlab.pdb');
  t.ok(readFileSync(dest).equals(PDB), 'the cached file is whole');
  t.same(listFiles(cache), [`crashlab.pdb/${KEY}/crashlab.pdb`], 'no temporary files left');
});

t.test('a download killed half-way leaves nothing under the real name; the next run fetches it whole', async (t) => {
  clearNegativeCache();
  let onHalf: () => void = () => {};
  const halfSent = new Promise<void>((resolve) => (onHalf = resolve));
  const s = await server({ [`/crashlab.pdb/${KEY}/crashlab.pdb`]: slowBody(PDB, 30_000, () => onHalf()) });
  t.teardown(s.close);
  const cache = path.join(root, 'killed-cache');
  const sp = `srv*${cache}*${s.base}`;
  const p = child([sp, 'crashlab.pdb', KEY]);
  const done = collect(p);
  await halfSent;
  // Give the child a moment to write what it received, then kill it without warning.
  await new Promise((r) => setTimeout(r, 300));
  p.kill('SIGKILL');
  await done;
  const dest = path.join(cache, 'crashlab.pdb', KEY, 'crashlab.pdb');
  t.notOk(existsSync(dest), 'no file under the real name');
  t.ok(listFiles(cache).every((f) => f.endsWith('.tmp')), `only a temporary name may remain: ${listFiles(cache).join(', ')}`);
  await s.close();

  clearNegativeCache();
  const s2 = await server({ [`/crashlab.pdb/${KEY}/crashlab.pdb`]: slowBody(PDB, 10) });
  t.teardown(s2.close);
  const r = await locateSymbolFile({ kind: 'pdb', name: 'crashlab.pdb', key: KEY }, parseSymbolPath(`srv*${cache}*${s2.base}`), {});
  t.equal(r.status, 'found');
  t.ok(readFileSync(dest).equals(PDB), 'then the whole file');
});

t.test('names, keys and server pointers cannot reach outside the cache', async (t) => {
  clearNegativeCache();
  const area = path.join(root, 'traversal');
  const cache = path.join(area, 'cache');
  mkdirSync(cache, { recursive: true });
  // Real files outside the cache, so a pointer to them would "work" if it were followed.
  const outside = path.join(area, 'outside.pdb');
  writeFileSync(outside, PDB);
  mkdirSync(path.join(cache, 'link.pdb', KEY), { recursive: true });
  symlinkSync(outside, path.join(cache, 'link.pdb', KEY, 'escape.pdb'));
  const ptr = (text: string): Route => (_q, res) => res.end(text);
  const s = await server({
    [`/rel.pdb/${KEY}/file.ptr`]: ptr('PATH:..\\..\\..\\outside.pdb'),
    [`/relfwd.pdb/${KEY}/file.ptr`]: ptr('../../../outside.pdb'),
    [`/abs.pdb/${KEY}/file.ptr`]: ptr(`PATH:${outside}`),
    [`/link.pdb/${KEY}/file.ptr`]: ptr(`PATH:${path.join(cache, 'link.pdb', KEY, 'escape.pdb')}`),
    [`/unc.pdb/${KEY}/file.ptr`]: ptr('PATH:\\\\evil-host\\share\\x.pdb'),
  });
  t.teardown(s.close);
  const sp = parseSymbolPath(`srv*${cache}*${s.base}`);
  const before = listFiles(area).sort();
  for (const name of ['rel.pdb', 'relfwd.pdb', 'abs.pdb', 'link.pdb', 'unc.pdb']) {
    const r = await locateSymbolFile({ kind: 'pdb', name, key: KEY }, sp, {});
    t.equal(r.status, 'notFound', `${name}: pointer not followed`);
    t.ok(r.attempts.some((a) => a.outcome === 'refused' || a.outcome === 'absent'), `${name}: refused`);
  }
  const hits = s.hits.length;
  for (const [name, key] of [['..', KEY], ['.', KEY], ['a\\..\\..\\..\\x.pdb', KEY], ['x.pdb', `../../${KEY}`], ['x.pdb', `${KEY}/../..`], ['nul\0.pdb', KEY]] as const) {
    const r = await locateSymbolFile({ kind: 'pdb', name, key }, sp, {});
    t.not(r.status, 'found', `${JSON.stringify(name)} / ${JSON.stringify(key)} not found`);
  }
  // A name with directories is reduced to its last component (what the dump's CodeView record claims).
  t.ok(s.hits.slice(hits).every((h) => !h.includes('..') && !h.includes('%2E%2E') && !h.includes('%2F')), `no request escapes the key directory: ${s.hits.slice(hits).join(' ')}`);
  t.same(listFiles(area).sort(), before, 'nothing written anywhere');
  t.ok(readFileSync(outside).equals(PDB), 'the outside file is untouched');
});
