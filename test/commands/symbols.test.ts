import t from 'tap';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { CORPUS, HAVE_CORPUS, sessionFromFile } from '../fixtures/session.js';

const WINE = path.join(CORPUS, 'wine-x64');
const IMAGES = path.join(CORPUS, 'images', 'wine-8.0-x64');
const open = (dump: string) => sessionFromFile(path.join(WINE, dump), { symbolPath: WINE, imagePath: IMAGES });

t.test('ln: nearest symbol, next symbol, exact matches', { skip: !HAVE_CORPUS && 'corpus absent' }, async (t) => {
  const s = open('div-zero-mini.dmp');
  // winedbg's oracle: the fault at 0x140001eb5 is divide+0x15, crashlab.c line 78.
  t.same(await s.run('ln 140001eb5'), ['[/src/crashlab/crashlab.c @ 78] (00000001`40001ea0)   crashlab!divide+0x15   |  (00000001`40001ec0)   crashlab!parse_request']);
  // The module is loaded by the expression itself (lazy symbols).
  t.same(await s.run('ln crashlab!divide'), [
    '[/src/crashlab/crashlab.c @ 78] (00000001`40001ea0)   crashlab!divide   |  (00000001`40001ec0)   crashlab!parse_request',
    'Exact matches:',
    '    crashlab!divide (<no parameter info>)',
  ]);
  // Export symbols of a Wine DLL (no PDB): kernelbase!RaiseException by export name.
  const raise = await s.run('ln kernelbase!RaiseException');
  t.match(raise[0], /^\(00000000`7b[0-9a-f]{6}\)   kernelbase!RaiseException   \|  \(00000000`7b[0-9a-f]{6}\)   kernelbase!\w+$/);
  t.same(raise.slice(1), ['Exact matches:', '    kernelbase!RaiseException (<no parameter info>)']);
  // Nowhere near a symbol: no output at all.
  t.same(await s.run('ln 10'), []);
});

t.test('x: wildcard patterns, sorted by address, code vs data', { skip: !HAVE_CORPUS && 'corpus absent' }, async (t) => {
  const s = open('null-deref-mini.dmp');
  t.same(await s.run('x crashlab!*deref*'), ['00000001`40001930 crashlab!null_deref (<no parameter info>)']);
  // Case-insensitive, `?` wildcard; the addresses agree with kn's frames (null_deref+0x9 returns to 0x140001939).
  t.same(await s.run('x CRASHLAB!read_fiel?'), ['00000001`40001e40 crashlab!read_field (<no parameter info>)']);
  const many = await s.run('x crashlab!take_*');
  t.same(many, ['00000001`40001f30 crashlab!take_a_then_b (<no parameter info>)', '00000001`40001f80 crashlab!take_b_then_a (<no parameter info>)']);
  t.same(await s.run('x /2 crashlab!divide'), ['00000001`40001ea0          crashlab!divide']);
  t.same(await s.run('x /1 crashlab!divide'), ['crashlab!divide']);
  t.same(await s.run('x /0 crashlab!divide'), ['00000001`40001ea0']);
  t.match((await s.run('x /v crashlab!divide'))[0], /^prv func   00000001`40001ea0 +[0-9a-f]+ crashlab!divide \(<no parameter info>\)$/);
  // Across modules: export symbols of every Wine DLL that has the name.
  const wait = await s.run('x *!WaitForSingleObject');
  t.ok(wait.some((l) => /^00000000`7b[0-9a-f]{6} kernelbase!WaitForSingleObject \(<no parameter info>\)$/.test(l)), 'kernelbase export');
  const addrs = wait.map((l) => BigInt(`0x${l.slice(0, 17).replace('`', '')}`));
  t.same(addrs, [...addrs].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)), 'sorted by address');
  t.same(await s.run('x crashlab!no_such_symbol_*'), [], 'no match: no output');
  // Globals (S_GDATA32/S_LDATA32) are data: `= <no type information>`, in ln's exact matches too.
  const globals = await s.run('x crashlab!g_*');
  t.ok(globals.length >= 2);
  for (const l of globals) t.match(l, /^00000001`4000[0-9a-f]{4} crashlab!g_\w+ = <no type information>$/);
  const first = /crashlab!(g_\w+)/.exec(globals[0]!)![1]!;
  t.same((await s.run(`ln crashlab!${first}`)).slice(1), ['Exact matches:', `    crashlab!${first} = <no type information>`]);
});

t.test('lmv: mapped image file and version resource strings', { skip: !HAVE_CORPUS && 'corpus absent' }, async (t) => {
  const s = open('null-deref-mini.dmp');
  const out = await s.run('lmvm kernel32');
  const file = path.join(IMAGES, 'kernel32.dll');
  t.ok(out.includes(`    Mapped memory image file: ${file}`));
  t.ok(out.includes(`    Loaded symbol image file: ${file}`));
  const info = out.indexOf('    Information from resource tables:');
  t.ok(info > 0);
  t.ok(out.includes('        OriginalFilename: kernel32.dll'));
  // Every resource string printed is in the file's version resource (UTF-16LE).
  const bytes = readFileSync(file);
  for (const l of out.slice(info + 1)) {
    const m = /^ {8}(\w+): +(.*)$/.exec(l);
    if (!m) continue;
    t.ok(bytes.includes(Buffer.from(m[1]!, 'utf16le')), `key ${m[1]} in the file`);
    if (m[2]) t.ok(bytes.includes(Buffer.from(m[2], 'utf16le')), `value of ${m[1]} in the file`);
  }
  t.match(out.find((l) => l.startsWith('    Translations:')), /^ {4}Translations: {5}[0-9a-f]{4}\.[0-9a-f]{4}/);
});

t.test('!lmi: identity and where image and symbols came from', { skip: !HAVE_CORPUS && 'corpus absent' }, async (t) => {
  const s = open('null-deref-mini.dmp');
  const out = await s.run('!lmi crashlab');
  t.equal(out[0], 'Loaded Module Info: [crashlab] ');
  t.ok(out.includes('         Module: crashlab'));
  t.ok(out.includes('   Base Address: 0000000140000000'));
  t.ok(out.includes('   Machine Type: 34404 (X64)'));
  // The GUID and age LLDB lists for crashlab.exe (image list oracle).
  t.ok(out.some((l) => l.endsWith('RSDS - GUID: {FA7D2323-52E4-CA30-4C4C-44205044422E}')));
  t.ok(out.some((l) => /^ {17}Age: 1, Pdb: .*crashlab\.pdb$/.test(l)));
  t.ok(out.includes(`                 ${path.join(WINE, 'crashlab.pdb')}`));
  t.ok(out.some((l) => l.startsWith('    Symbol Type: PDB ')));
  t.ok(out.some((l) => l.startsWith('     Image Type: FILE ')));
  // By address too, and an export-only module.
  t.same(await s.run('!lmi 140001e40'), out);
  const nt = await s.run('!lmi ntdll');
  t.ok(nt.some((l) => l.startsWith('    Symbol Type: EXPORT ')));
  const bad = await s.result('!lmi nosuchmodule');
  t.ok(bad.failed);
});
