import t from 'tap';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { locateSymbolFile, formatAttempts } from '../../src/symbols/store.js';
import type { LocateResult } from '../../src/symbols/store.js';
import { parseSymbolPath } from '../../src/symbols/symbol-path.js';
import { moduleIdentity, formatCodeId, readFileIdentity } from '../../src/symbols/identity.js';
import { writeMsf, writePeHeader } from '../fixtures/msf-writer.js';
import { writeCab } from '../fixtures/cab-writer.js';
import { writeZip } from '../fixtures/zip-writer.js';

const CORPUS = new URL('../../../shared/corpus/', import.meta.url).pathname;

// GUID {01020304-0506-0708-090A-0B0C0D0E0F10} in file order, and its symbol-server spelling
const GUID = Buffer.from([4, 3, 2, 1, 6, 5, 8, 7, 9, 10, 11, 12, 13, 14, 15, 16]);
const GUID_TEXT = '0102030405060708090A0B0C0D0E0F10';
const OTHER = Buffer.from([0xff, 3, 2, 1, 6, 5, 8, 7, 9, 10, 11, 12, 13, 14, 15, 16]);

function put(root: string, rel: string, data: Buffer | string): string {
  const p = join(root, rel);
  mkdirSync(dirname(p), { recursive: true });
  writeFileSync(p, data);
  return p;
}

function setup() {
  const root = mkdtempSync(join(tmpdir(), 'symstore-'));
  const pdb = writeMsf({ guid: GUID, infoAge: 5, dbiAge: 3 }); // key: GUID + DBI age 3
  const key = GUID_TEXT + '3';
  return { root, pdb, key, cache: join(root, 'cache') };
}

const found = (r: LocateResult) => (r.status === 'found' ? r.path : `${r.status}`);

t.test('identity of synthetic files', async (t) => {
  const { root, pdb } = setup();
  const p = put(root, 'x.pdb', pdb);
  t.same(readFileIdentity('pdb', p), { kind: 'pdb', key: GUID_TEXT + '3', guid: GUID_TEXT, age: 3, infoAge: 5, signature: 0x5f5e0f00 });
  const img = put(root, 'x.dll', writePeHeader(0x542d5742, 0x32000));
  t.same(readFileIdentity('image', img), { kind: 'image', key: '542D574232000', timeDateStamp: 0x542d5742, sizeOfImage: 0x32000 });
  t.throws(() => readFileIdentity('pdb', img), { name: 'FormatError', kind: 'BadValue' });
  t.throws(() => readFileIdentity('image', p), { name: 'FormatError', kind: 'BadValue' });
  t.equal(formatCodeId(0x0000abcd, 0x1000), '0000ABCD1000');
  t.same(moduleIdentity({
    moduleName: 'C:\\Windows\\System32\\KERNEL32.DLL', timeDateStamp: 0x542d5742, sizeOfImage: 0x32000,
    cvRecord: { format: 'RSDS', guid: GUID_TEXT, age: 0x1a, pdbFileName: 'd:\\build\\kernel32.pdb' },
  }), { name: 'KERNEL32.DLL', codeId: '542D574232000', pdbName: 'kernel32.pdb', debugId: GUID_TEXT + '1A', timeDateStamp: 0x542d5742, sizeOfImage: 0x32000 });
  t.same(moduleIdentity({ moduleName: 'a.exe', timeDateStamp: 1, sizeOfImage: 2, cvRecord: undefined }).debugId, undefined);
});

t.test('SymStore layout: found, mismatch, case, two-tier, compressed, file.ptr', async (t) => {
  const { root, pdb, key, cache } = setup();
  const store = join(root, 'store');
  put(store, `foo.pdb/${key}/foo.pdb`, pdb);
  put(store, `bar.pdb/${key}/bar.pdb`, writeMsf({ guid: OTHER, infoAge: 3, dbiAge: 3 }));
  const path = parseSymbolPath(`srv*${store}`, { defaultCache: cache });

  const r = await locateSymbolFile({ kind: 'pdb', name: 'd:\\b\\foo.pdb', key }, path, { cacheDir: cache });
  t.equal(found(r), join(store, `foo.pdb/${key}/foo.pdb`));
  t.equal(r.status === 'found' && r.identity.key, key);
  t.equal(r.attempts.at(-1)?.outcome, 'found');
  t.equal(r.attempts.at(-1)?.element, `srv*${store}`);

  // the info-stream age (5) is accepted too (in a plain directory, where the key is not in the path)
  put(root, 'flatage/foo.pdb', pdb);
  t.equal(found(await locateSymbolFile({ kind: 'pdb', name: 'foo.pdb', key: GUID_TEXT + '5' }, parseSymbolPath(join(root, 'flatage')), {})), join(root, 'flatage/foo.pdb'));
  t.equal((await locateSymbolFile({ kind: 'pdb', name: 'foo.pdb', key: GUID_TEXT + '4' }, parseSymbolPath(join(root, 'flatage')), {})).status, 'mismatch');

  const m = await locateSymbolFile({ kind: 'pdb', name: 'bar.pdb', key }, path, { cacheDir: cache });
  t.equal(m.status, 'mismatch');
  t.equal(m.status === 'mismatch' && m.identity.key, '010203FF05060708090A0B0C0D0E0F103');
  t.equal(m.status === 'mismatch' && m.path, join(store, `bar.pdb/${key}/bar.pdb`));
  t.match(m.attempts.find((a) => a.outcome === 'mismatch')?.detail, /wanted 0102030405060708090A0B0C0D0E0F103/);

  const n = await locateSymbolFile({ kind: 'pdb', name: 'nothere.pdb', key }, path, { cacheDir: cache });
  t.equal(n.status, 'notFound');
  t.ok(n.attempts.length > 0 && n.attempts.every((a) => a.outcome === 'absent'));

  // lower-case key directory and upper-case module name
  put(store, `low.pdb/${key.toLowerCase()}/low.pdb`, pdb);
  t.equal(found(await locateSymbolFile({ kind: 'pdb', name: 'LOW.PDB', key }, path, {})), join(store, `low.pdb/${key.toLowerCase()}/low.pdb`));

  // two-tier
  const two = join(root, 'two');
  put(two, 'index2.txt', '');
  put(two, `tw/twotier.pdb/${key}/twotier.pdb`, pdb);
  put(two, `a/a.pdb/${key}/a.pdb`, pdb);
  t.equal(found(await locateSymbolFile({ kind: 'pdb', name: 'twotier.pdb', key }, parseSymbolPath(`srv*${two}`), {})), join(two, `tw/twotier.pdb/${key}/twotier.pdb`));
  t.equal(found(await locateSymbolFile({ kind: 'pdb', name: 'a.pdb', key }, parseSymbolPath(`srv*${two}`), {})), join(two, `a/a.pdb/${key}/a.pdb`));

  // compressed: expanded into the cache dir (store not in a chain with a downstream)
  put(store, `zip.pdb/${key}/zip.pd_`, writeCab([{ name: 'zip.pdb', data: pdb }]));
  const z = await locateSymbolFile({ kind: 'pdb', name: 'zip.pdb', key }, path, { cacheDir: cache });
  t.equal(found(z), join(cache, `zip.pdb/${key}/zip.pdb`));
  t.ok(readFileSync(join(cache, `zip.pdb/${key}/zip.pdb`)).equals(pdb));
  t.ok(z.attempts.some((a) => a.outcome === 'expanded'));
  const z2 = await locateSymbolFile({ kind: 'pdb', name: 'zip.pdb', key }, path, { cacheDir: cache });
  t.equal(found(z2), join(cache, `zip.pdb/${key}/zip.pdb`));
  t.notOk(z2.attempts.some((a) => a.outcome === 'expanded'), 'expanded once, reused afterwards');
  // ZIP in place of a cabinet
  put(store, `zz.pdb/${key}/zz.pd_`, writeZip([{ name: 'zz.pdb', data: pdb }]));
  t.equal(found(await locateSymbolFile({ kind: 'pdb', name: 'zz.pdb', key }, path, { cacheDir: cache })), join(cache, `zz.pdb/${key}/zz.pdb`));
  t.ok(readFileSync(join(cache, `zz.pdb/${key}/zz.pdb`)).equals(pdb));
  const badZip = writeZip([{ name: 'zc.pdb', data: pdb, store: true }]);
  badZip[40 + 600] ^= 0xff; // inside the stored data: only the CRC-32 can tell
  put(store, `zc.pdb/${key}/zc.pd_`, badZip);
  const zc = await locateSymbolFile({ kind: 'pdb', name: 'zc.pdb', key }, path, { cacheDir: cache });
  t.equal(zc.status, 'notFound');
  t.match(zc.attempts.find((a) => a.outcome === 'error')?.detail, /CRC-32/);
  t.notOk(existsSync(join(cache, `zc.pdb/${key}/zc.pdb`)));
  put(store, `lzx.pdb/${key}/lzx.pd_`, writeCab([{ name: 'lzx.pdb', data: pdb }], { typeCompress: 3 }));
  const lzx = await locateSymbolFile({ kind: 'pdb', name: 'lzx.pdb', key }, path, { cacheDir: cache });
  t.equal(lzx.status, 'notFound');
  t.match(lzx.attempts.find((a) => a.outcome === 'error')?.detail, /unsupported compression: LZX/);

  // file.ptr
  put(store, 'real/ptr-target.pdb', pdb);
  put(store, `ptr.pdb/${key}/file.ptr`, `PATH:${join(store, 'real/ptr-target.pdb')}\r\n`);
  t.equal(found(await locateSymbolFile({ kind: 'pdb', name: 'ptr.pdb', key }, path, {})), join(store, 'real/ptr-target.pdb'));
  put(store, `rel.pdb/${key}/file.ptr`, 'real/ptr-target.pdb');
  t.equal(found(await locateSymbolFile({ kind: 'pdb', name: 'rel.pdb', key }, path, {})), join(store, 'real/ptr-target.pdb'));
  put(root, 'outside.pdb', pdb);
  put(store, `esc.pdb/${key}/file.ptr`, `PATH:${store}/../outside.pdb`);
  const esc = await locateSymbolFile({ kind: 'pdb', name: 'esc.pdb', key }, path, {});
  t.equal(esc.status, 'notFound');
  t.match(esc.attempts.find((a) => a.outcome === 'refused')?.detail, /outside the store/);
  t.equal((await locateSymbolFile({ kind: 'pdb', name: 'esc.pdb', key }, path, { trustFilePtr: true })).status, 'found', 'trusted stores may point anywhere');
  // a symlink inside the store that leads out of it is refused too
  symlinkSync(join(root, 'outside.pdb'), join(store, 'real/link.pdb'));
  put(store, `lnk.pdb/${key}/file.ptr`, 'PATH:real/link.pdb');
  t.equal((await locateSymbolFile({ kind: 'pdb', name: 'lnk.pdb', key }, path, {})).status, 'notFound');
  put(store, `msg.pdb/${key}/file.ptr`, 'MSG:symbols withheld by policy');
  const msg = await locateSymbolFile({ kind: 'pdb', name: 'msg.pdb', key }, path, {});
  t.same(msg.attempts.find((a) => a.outcome === 'message')?.detail, 'symbols withheld by policy');
  put(store, `unc.pdb/${key}/file.ptr`, '\\\\server\\share\\unc.pdb');
  if (process.platform !== 'win32') {
    const unc = await locateSymbolFile({ kind: 'pdb', name: 'unc.pdb', key }, path, {});
    t.match(unc.attempts.find((a) => a.outcome === 'refused')?.detail, /not a path on this system/);
  }

  // unsafe names never touch the file system
  const bad = await locateSymbolFile({ kind: 'pdb', name: '..', key }, path, {});
  t.equal(bad.status, 'notFound');
  t.equal(bad.attempts[0]?.outcome, 'refused');
  t.equal((await locateSymbolFile({ kind: 'pdb', name: 'foo.pdb', key: '../x' }, path, {})).attempts[0]?.outcome, 'refused');
});

t.test('images by TimeDateStamp+SizeOfImage', async (t) => {
  const { root } = setup();
  const store = join(root, 'store');
  const codeId = formatCodeId(0x542d5742, 0x32000);
  put(store, `foo.dll/${codeId}/foo.dll`, writePeHeader(0x542d5742, 0x32000));
  put(store, `old.dll/${codeId}/old.dll`, writePeHeader(0x542d5742, 0x31000));
  const path = parseSymbolPath(`srv*${store}`);
  t.equal(found(await locateSymbolFile({ kind: 'image', name: 'FOO.dll', key: codeId }, path, {})), join(store, `foo.dll/${codeId}/foo.dll`));
  const m = await locateSymbolFile({ kind: 'image', name: 'old.dll', key: codeId }, path, {});
  t.equal(m.status, 'mismatch');
  t.equal(m.status === 'mismatch' && m.identity.key, '542D574231000');
});

t.test('plain directories and cascading chains', async (t) => {
  const { root, pdb, key, cache } = setup();
  const flat = join(root, 'flat');
  put(flat, 'flat.pdb', pdb);
  put(flat, 'pdb/sub.pdb', pdb);
  put(flat, 'wrong.pdb', writeMsf({ guid: OTHER, infoAge: 3, dbiAge: 3 }));
  put(join(root, 'flat2'), 'wrong.pdb', pdb);
  const path = parseSymbolPath(`${flat};${join(root, 'flat2')}`);
  t.equal(found(await locateSymbolFile({ kind: 'pdb', name: 'flat.pdb', key }, path, {})), join(flat, 'flat.pdb'));
  t.equal(found(await locateSymbolFile({ kind: 'pdb', name: 'sub.pdb', key }, path, {})), join(flat, 'pdb/sub.pdb'));
  // wrong identity in the first directory, right one in the second: the mismatch is skipped, not used
  const w = await locateSymbolFile({ kind: 'pdb', name: 'wrong.pdb', key }, path, {});
  t.equal(found(w), join(root, 'flat2', 'wrong.pdb'));
  t.ok(w.attempts.some((a) => a.outcome === 'mismatch' && a.location === join(flat, 'wrong.pdb')));
  t.same(formatAttempts(w.attempts.filter((a) => a.via === 'dir' || a.outcome !== 'absent')), [
    `DBGHELP: ${join(flat, 'wrong.pdb')} - mismatched identity 010203FF05060708090A0B0C0D0E0F103, wanted ${key}`,
    `DBGHELP: ${join(flat, 'pdb', 'wrong.pdb')} - file not found`,
    `DBGHELP: ${join(root, 'flat2', 'wrong.pdb')} - found, identity matches`,
  ]);

  // srv*down*mid: found in mid → copied into down
  const down = join(root, 'down');
  const mid = join(root, 'mid');
  put(mid, `casc.pdb/${key}/casc.pdb`, pdb);
  const chain = parseSymbolPath(`srv*${down}*${mid}`, { defaultCache: cache });
  const c = await locateSymbolFile({ kind: 'pdb', name: 'casc.pdb', key }, chain, {});
  t.equal(found(c), join(down, `casc.pdb/${key}/casc.pdb`));
  t.ok(readFileSync(join(down, `casc.pdb/${key}/casc.pdb`)).equals(pdb));
  // compressed in mid → expanded into down
  put(mid, `cz.pdb/${key}/cz.pd_`, writeCab([{ name: 'cz.pdb', data: pdb }]));
  t.equal(found(await locateSymbolFile({ kind: 'pdb', name: 'cz.pdb', key }, chain, {})), join(down, `cz.pdb/${key}/cz.pdb`));
  // cache* applies to the chain to its right
  const viaCache = parseSymbolPath(`cache*${join(root, 'c2')};srv*${mid}`, { defaultCache: cache });
  t.equal(found(await locateSymbolFile({ kind: 'pdb', name: 'casc.pdb', key }, viaCache, {})), join(root, 'c2', `casc.pdb/${key}/casc.pdb`));
  // offline: HTTP stores are skipped with a note
  const off = await locateSymbolFile({ kind: 'pdb', name: 'none.pdb', key }, parseSymbolPath(`srv*${down}*http://127.0.0.1:9/`, { defaultCache: cache }), { offline: true });
  t.equal(off.status, 'notFound');
  t.same(off.attempts.at(-1), { element: `srv*${down}*http://127.0.0.1:9/`, via: 'http', location: 'http://127.0.0.1:9', outcome: 'refused', detail: 'offline: servers are not contacted' });
  t.same(formatAttempts(off.attempts).slice(-2), [
    `SYMSRV:  UNC: ${join(down, `none.pdb/${key.toLowerCase()}/none.pdb`)} - path not found`,
    'SYMSRV:  HTTPGET: http://127.0.0.1:9 - refused: offline: servers are not contacted',
  ]);
  t.notOk(existsSync(join(cache, 'none.pdb')));
});

t.test('Breakpad .sym layout (corpus)', { skip: !existsSync(join(CORPUS, 'windows/symbols')) && 'corpus absent' }, async (t) => {
  const syms = join(CORPUS, 'windows/symbols');
  const path = parseSymbolPath(syms);
  const r = await locateSymbolFile({ kind: 'sym', name: 'test_app.pdb', key: '5A9832E5287241C1838ED98914E9B7FF1' }, path, {});
  t.equal(found(r), join(syms, 'test_app.pdb/5A9832E5287241C1838ED98914E9B7FF1/test_app.sym'));
  // Linux module without a .pdb extension: <name>/<id>/<name>.sym
  const l = await locateSymbolFile({ kind: 'sym', name: 'null_read_av', key: '7B7D1968FF0D47AE4366E9C3A7E1B6750' }, path, {});
  t.equal(found(l), join(syms, 'null_read_av/7B7D1968FF0D47AE4366E9C3A7E1B6750/null_read_av.sym'));
  t.equal((await locateSymbolFile({ kind: 'sym', name: 'test_app.pdb', key: '5A9832E5287241C1838ED98914E9B7FF2' }, path, {})).status, 'notFound');
});

t.test('Breakpad .sym mismatch and code-id layout (synthetic)', async (t) => {
  const { root } = setup();
  const id = 'AABBCCDDEEFF00112233445566778899A';
  put(root, `m.pdb/${id}/m.sym`, 'MODULE windows x86_64 AABBCCDDEEFF00112233445566778899B m.pdb\n');
  const r = await locateSymbolFile({ kind: 'sym', name: 'm.pdb', key: id }, parseSymbolPath(root), {});
  t.equal(r.status, 'mismatch');
  put(root, `c.dll/542D574232000/c.sym`, `MODULE windows x86_64 ${id} c.pdb\nINFO CODE_ID 542D574232000 c.dll\n`);
  const c = await locateSymbolFile({ kind: 'sym', name: 'c.pdb', key: id, codeFile: 'C:\\x\\c.dll', codeId: '542D574232000' }, parseSymbolPath(root), {});
  t.equal(found(c), join(root, 'c.dll/542D574232000/c.sym'));
  // no CodeView record: the code id alone (INFO CODE_ID) identifies the .sym file
  const byCode = await locateSymbolFile({ kind: 'sym', name: 'c.pdb', key: '542D574232000', codeFile: 'c.dll', codeId: '542D574232000' }, parseSymbolPath(root), {});
  t.equal(found(byCode), join(root, 'c.dll/542D574232000/c.sym'));
  put(root, `c.dll/542D574232001/c.sym`, `MODULE windows x86_64 ${id} c.pdb\nINFO CODE_ID 542D574232000 c.dll\n`);
  const wrongCode = await locateSymbolFile({ kind: 'sym', name: 'c.pdb', key: '542D574232001', codeFile: 'c.dll', codeId: '542D574232001' }, parseSymbolPath(root), {});
  t.equal(wrongCode.status, 'mismatch', 'a .sym for another build of the binary is not used');
});

t.test('crashlab.pdb (corpus) in a store', { skip: !existsSync(join(CORPUS, 'wine-x64/crashlab.pdb')) && 'corpus absent' }, async (t) => {
  const pdbPath = join(CORPUS, 'wine-x64/crashlab.pdb');
  const { root } = setup();
  // GUID/age of crashlab.exe's RSDS record
  const key = 'FA7D232352E4CA304C4C44205044422E1';
  const dest = join(root, `crashlab.pdb/${key}/crashlab.pdb`);
  mkdirSync(dirname(dest), { recursive: true });
  copyFileSync(pdbPath, dest);
  const r = await locateSymbolFile({ kind: 'pdb', name: '/src/crashlab/crashlab.pdb', key }, parseSymbolPath(`srv*${root}`), {});
  t.equal(found(r), dest);
  const img = join(CORPUS, 'wine-x64/crashlab.exe');
  t.equal(readFileIdentity('image', img).key, '6B0151C73e000');
});
