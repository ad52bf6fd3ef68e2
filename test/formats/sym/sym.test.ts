import t from 'tap';
import { existsSync, writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SymFile, readSymHeader, parseCfiRules, lazySymFile } from '../../../src/formats/sym/index.js';
import { FormatError } from '../../../src/bytes/errors.js';

const CORPUS = new URL('../../../../shared/corpus/windows/symbols/', import.meta.url).pathname;

const SNIPPET = [
  'MODULE windows x86_64 72E103A85CB249078B76B2E7C06257B13 demo.pdb',
  'INFO CODE_ID 589DFD111A000 demo.exe',
  'INFO GENERATOR dump_syms 1.0',
  'FILE 0 c:\\src\\main.cpp',
  'FILE 1 c:\\src\\util.h',
  'INLINE_ORIGIN 0 helper(int)',
  'INLINE_ORIGIN 1 tiny_inner',
  'FUNC 1000 40 8 main',
  '1000 10 10 0',
  '1010 20 12 0',
  '1030 8 0 0',
  '1018 8 5 1', // out of order on purpose: overlapping inner code
  'INLINE 0 11 0 0 1010 20',
  'INLINE 1 6 1 1 1018 4 1030 4',
  'FUNC m 1100 10 0 folded_a',
  '1100 10 30 1',
  'PUBLIC 1200 4 pub_one',
  'PUBLIC m 1300 0 pub two with spaces',
  'FUNC 1380 20 0 after_pub',
  'STACK WIN 4 1000 40 5 0 8 4 10 0 1 $T0 $ebp = $eip $T0 4 + ^ = $ebp $T0 ^ =',
  'STACK WIN 0 1000 40 0 0 8 4 10 0 0 1',
  'STACK WIN 0 1100 10 2 1 c 8 20 0 0 0',
  'STACK WIN 3 1200 10 2 1 c 8 20 0 0 0',
  'STACK WIN 4 1300 10 2 1 c 8 20 0 0 1',
  'STACK CFI INIT 1000 40 .cfa: $rsp 8 + .ra: .cfa -8 + ^',
  'STACK CFI 1004 .cfa: $rsp 16 + $rbp: .cfa -16 + ^',
  'STACK CFI 1008 .cfa: $rbp 16 +',
  'garbage line here',
  '',
].join('\r\n');

t.test('hand-written snippet', async (t) => {
  const s = SymFile.parse(SNIPPET);
  t.same(s.module, { os: 'windows', arch: 'x86_64', id: '72E103A85CB249078B76B2E7C06257B13', name: 'demo.pdb' });
  t.equal(s.codeId, '589DFD111A000');
  t.equal(s.codeFile, 'demo.exe');
  t.same(s.info, ['GENERATOR dump_syms 1.0']);
  t.equal(s.funcCount, 3);
  t.equal(s.publicCount, 2);
  // garbage line + the FrameData record without a program string
  t.equal(s.badLines, 2);

  t.same(s.lookup(0x1000), { name: 'main', rva: 0x1000, size: 0x40, kind: 'func', paramSize: 8, multiple: false });
  t.equal(s.lookup(0x103f)?.name, 'main');
  t.same(s.lookup(0x1105), { name: 'folded_a', rva: 0x1100, size: 0x10, kind: 'func', paramSize: 0, multiple: true });
  // 0x1110..0x11ff: after folded_a ends, no public before it past the last FUNC start → nothing
  t.equal(s.lookup(0x1150), undefined);
  t.same(s.lookup(0x1250), { name: 'pub_one', rva: 0x1200, size: 0x100, kind: 'public', paramSize: 4, multiple: false });
  t.same(s.lookup(0x1300), { name: 'pub two with spaces', rva: 0x1300, size: 0x80, kind: 'public', paramSize: 0, multiple: true });
  t.equal(s.lookup(0x1390)?.name, 'after_pub');
  t.equal(s.lookup(0x13a0), undefined, 'after the last FUNC, with no later PUBLIC');
  t.equal(s.lookup(0xfff), undefined);

  t.same(s.lineAt(0x1005), { file: 'c:\\src\\main.cpp', line: 10, rva: 0x1000, size: 0x10 });
  t.same(s.lineAt(0x101a), { file: 'c:\\src\\util.h', line: 5, rva: 0x1018, size: 8 });
  t.same(s.lineAt(0x1028), { file: 'c:\\src\\main.cpp', line: 12, rva: 0x1010, size: 0x20 });
  t.equal(s.lineAt(0x1032), undefined, 'line 0 means no line');
  t.equal(s.lineAt(0x1200), undefined, 'publics have no lines');

  t.same(s.inlinesAt(0x1019), [
    { name: 'helper(int)', nestLevel: 0, callSiteFile: 'c:\\src\\main.cpp', callSiteLine: 11, rva: 0x1010, size: 0x20 },
    { name: 'tiny_inner', nestLevel: 1, callSiteFile: 'c:\\src\\util.h', callSiteLine: 6, rva: 0x1018, size: 4 },
  ]);
  t.same(s.inlinesAt(0x1031).map((f) => [f.name, f.rva]), [['tiny_inner', 0x1030]]);
  t.same(s.inlinesAt(0x1008), []);

  const w = s.stackWin(0x1010);
  t.equal(w?.type, 4, 'FrameData preferred over FPO');
  t.equal(w?.programString, '$T0 $ebp = $eip $T0 4 + ^ = $ebp $T0 ^ =');
  t.equal(w?.paramSize, 8);
  t.equal(w?.savedRegsSize, 4);
  t.equal(w?.localSize, 0x10);
  t.same(s.stackWin(0x1101), {
    type: 0, rva: 0x1100, codeSize: 0x10, prologSize: 2, epilogSize: 1, paramSize: 0xc, savedRegsSize: 8,
    localSize: 0x20, maxStackSize: 0, programString: undefined, allocatesBasePointer: false,
  });
  t.equal(s.stackWin(0x1200), undefined, 'type 3 ignored');
  t.equal(s.stackWin(0x1300), undefined, 'FrameData without program string dropped');

  t.same(s.cfiAt(0x1000)?.rules, { '.cfa': '$rsp 8 +', '.ra': '.cfa -8 + ^' });
  const c = s.cfiAt(0x1006);
  t.same(c?.rows.map((r) => r.rva), [0x1000, 0x1004]);
  t.same(c?.rules, { '.cfa': '$rsp 16 +', '.ra': '.cfa -8 + ^', '$rbp': '.cfa -16 + ^' });
  t.same(s.cfiAt(0x103f)?.rules['.cfa'], '$rbp 16 +');
  t.equal(s.cfiAt(0x1040), undefined);

  t.same(s.symbols().map((x) => [x.name, x.rva, x.kind]), [
    ['main', 0x1000, 'func'], ['folded_a', 0x1100, 'func'], ['pub_one', 0x1200, 'public'],
    ['pub two with spaces', 0x1300, 'public'], ['after_pub', 0x1380, 'func'],
  ]);
});

t.test('old INLINE format without call-site file', async (t) => {
  const s = SymFile.parse('MODULE Linux x86_64 0123456789ABCDEF0123456789ABCDEF0 a.so\nFILE 3 a.c\nINLINE_ORIGIN 7 3 inl_old\nFUNC 10 20 0 f\n10 20 4 3\nINLINE 0 9 7 14 4\n');
  t.same(s.inlinesAt(0x15), [{ name: 'inl_old', nestLevel: 0, callSiteFile: undefined, callSiteLine: 9, rva: 0x14, size: 4 }]);
});

t.test('upper-case hex line records, out-of-order lines, lazy loading', async (t) => {
  const s = SymFile.parse('MODULE windows x86 0123456789ABCDEF0123456789ABCDEF1 u.pdb\nFILE 2 u.c\nFUNC a00 20 0 up\nA10 10 8 2\nA00 10 7 2\n');
  t.same(s.lineAt(0xa05), { file: 'u.c', line: 7, rva: 0xa00, size: 0x10 });
  t.same(s.lineAt(0xa15), { file: 'u.c', line: 8, rva: 0xa10, size: 0x10 });
  t.equal(s.badLines, 0);
  const dir = mkdtempSync(join(tmpdir(), 'symlazy-'));
  const p = join(dir, 'u.sym');
  writeFileSync(p, 'MODULE windows x86 0123456789ABCDEF0123456789ABCDEF1 u.pdb\nFUNC 10 10 0 f\n');
  const get = lazySymFile(p);
  const [a, b] = await Promise.all([get(), get()]);
  t.equal(a, b, 'parsed once');
  t.equal(a.lookup(0x15)?.name, 'f');
  const missing = lazySymFile(join(dir, 'none.sym'));
  await t.rejects(missing(), { name: 'FormatError', kind: 'Io' });
});

t.test('errors', async (t) => {
  t.throws(() => SymFile.parse(''), FormatError);
  t.throws(() => SymFile.parse('FUNC 1 2 3 x\n'), { name: 'FormatError', kind: 'BadValue' });
  t.throws(() => SymFile.parse('MODULE windows x86\n'), FormatError);
  const s = SymFile.parse('MODULE windows x86 AB x.pdb\nFUNC zz 1 0 f\n1000 4 1 0\nSTACK CFI 10 .cfa: $esp\nSTACK WIN 4 10\n');
  t.equal(s.funcCount, 0);
  t.equal(s.badLines, 4);
  t.equal(s.badSamples.length, 4);
  t.equal(s.lookup(0x10), undefined);
  await t.rejects(SymFile.load('/nonexistent/x.sym'), { name: 'FormatError', kind: 'Io' });
  t.throws(() => SymFile.loadSync('/nonexistent/x.sym'), { name: 'FormatError', kind: 'Io' });
});

t.test('parseCfiRules', async (t) => {
  t.same(parseCfiRules('.cfa: $esp 4 + .ra: .cfa 4 - ^ $ebx: .undef'), { '.cfa': '$esp 4 +', '.ra': '.cfa 4 - ^', '$ebx': '.undef' });
});

t.test('load and loadSync stream the file in chunks', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'sym-'));
  // a file larger than one 1 MiB read, with a multi-byte name across chunk boundaries
  const lines = ['MODULE windows x86 00000000000000000000000000000000A big.pdb'];
  for (let i = 0; i < 30000; i++) lines.push(`FUNC ${(0x1000 + i * 0x10).toString(16)} 10 0 fn_é_${i}_${'x'.repeat(20)}`);
  const p = join(dir, 'big.sym');
  writeFileSync(p, lines.join('\n'));
  for (const s of [await SymFile.load(p), SymFile.loadSync(p)]) {
    t.equal(s.funcCount, 30000);
    t.equal(s.lookup(0x1000 + 12345 * 0x10 + 3)?.name, `fn_é_12345_${'x'.repeat(20)}`);
  }
  t.same(readSymHeader(p).module.name, 'big.pdb');
});

t.test('corpus: test_app.sym (minidump2)', { skip: !existsSync(join(CORPUS, 'test_app.pdb/5A9832E5287241C1838ED98914E9B7FF1/test_app.sym')) && 'corpus absent' }, async (t) => {
  const path = join(CORPUS, 'test_app.pdb/5A9832E5287241C1838ED98914E9B7FF1/test_app.sym');
  const s = await SymFile.load(path);
  t.equal(s.module.id, '5A9832E5287241C1838ED98914E9B7FF1');
  t.equal(s.module.name, 'test_app.pdb');
  t.equal(s.funcCount, 1065);
  t.equal(s.publicCount, 5);
  t.equal(s.badLines, 0);
  // Breakpad: eip 0x0040429e in test_app.exe (base 0x400000) → CrashFunction [test_app.cc : 58 + 0x3]
  t.same(s.lookup(0x429e), { name: "`anonymous namespace'::CrashFunction", rva: 0x4290, size: 0x18, kind: 'func', paramSize: 0, multiple: false });
  t.same(s.lineAt(0x429e), { file: 'c:\\test_app.cc', line: 58, rva: 0x429b, size: 9 });
  // caller frame: return address 0x00404200 − 1 → main [test_app.cc : 65 + 0x5]
  t.equal(s.lookup(0x41ff)?.name, 'main');
  t.equal(s.lineAt(0x41ff)?.line, 65);
  t.equal(s.lineAt(0x53eb)?.line, 327);
  t.equal(s.lookup(0x53eb)?.name, '__tmainCRTStartup');
  const w = s.stackWin(0x4290);
  t.equal(w?.type, 4);
  t.equal(w?.prologSize, 4);
  t.equal(w?.localSize, 4);
});

t.test('corpus: kernel32.sym (publics, FPO)', { skip: !existsSync(join(CORPUS, 'kernel32.pdb/BCE8785C57B44245A669896B6A19B9542/kernel32.sym')) && 'corpus absent' }, async (t) => {
  const path = join(CORPUS, 'kernel32.pdb/BCE8785C57B44245A669896B6A19B9542/kernel32.sym');
  const s = SymFile.loadSync(path);
  // Breakpad: kernel32.dll!BaseProcessStart + 0x23 at 0x7c816fd7 (base 0x7c800000)
  const l = s.lookup(0x16fd7 - 1);
  t.equal(l?.name, 'BaseProcessStart');
  t.equal(l?.kind, 'public');
  t.equal(0x16fd7 - (l?.rva ?? 0), 0x23);
  t.equal(l?.paramSize, 4);
  // STACK WIN 4 and STACK WIN 0 both cover 0x16f83: FrameData wins
  t.equal(s.stackWin(0x16f84)?.type, 4);
  t.match(s.stackWin(0x16f84)?.programString, /^\$T2 \$esp \.cbLocals/);
  // the FPO record at 0x39aa8 lies inside a FrameData range, which wins
  t.equal(s.stackWin(0x39aa8)?.type, 4);
  // `STACK WIN 0 97b6 f 0 0 8 0 0 0 0 0`: not covered by any FrameData record
  t.same(s.stackWin(0x97c0), {
    type: 0, rva: 0x97b6, codeSize: 0xf, prologSize: 0, epilogSize: 0, paramSize: 8, savedRegsSize: 0,
    localSize: 0, maxStackSize: 0, programString: undefined, allocatesBasePointer: false,
  });
});

t.test('corpus: Linux null_read_av.sym (CFI)', { skip: !existsSync(join(CORPUS, 'null_read_av/7B7D1968FF0D47AE4366E9C3A7E1B6750/null_read_av.sym')) && 'corpus absent' }, async (t) => {
  const path = join(CORPUS, 'null_read_av/7B7D1968FF0D47AE4366E9C3A7E1B6750/null_read_av.sym');
  const s = await SymFile.load(path);
  t.equal(s.module.os, 'Linux');
  t.same(s.cfiAt(0x18c0)?.rules, { '.cfa': '$rsp 16 +', '.ra': '.cfa -8 + ^' });
  t.same(s.cfiAt(0x18c6)?.rules['.cfa'], '$rsp 24 +');
  t.equal(s.badLines, 0);
});
