import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import t from 'tap';
import { CORPUS, REPO, sessionFromFile } from '../fixtures/session.js';
import type { TestSession } from '../fixtures/session.js';

const EXAMPLES = path.join(REPO, 'examples', 'dumps');
const WINE = path.join(CORPUS, 'wine-x64');
const WINE_IMAGES = path.join(CORPUS, 'images', 'wine-8.0-x64');

// The example dumps were written under the same Wine 8.0: its DLLs (when the corpus is present) let the
// unwinder get through ntdll/kernelbase frames as winedbg does.
const EXAMPLE_IMAGES = existsSync(WINE_IMAGES) ? `${EXAMPLES};${WINE_IMAGES}` : EXAMPLES;
function example(name: string): TestSession {
  return sessionFromFile(path.join(EXAMPLES, `${name}.dmp`), { symbolPath: EXAMPLES, imagePath: EXAMPLE_IMAGES });
}
function wine(name: string): TestSession {
  return sessionFromFile(path.join(WINE, `${name}.dmp`), { symbolPath: WINE, imagePath: WINE_IMAGES });
}

/** Parameters of crashlab frames in a winedbg backtrace that carry a value: [function, name, value]. */
function oracleParams(text: string): Array<[string, string, bigint]> {
  const out: Array<[string, string, bigint]> = [];
  for (const line of text.split('\n')) {
    const m = /^(?:=>| ) *\d+ 0x[0-9a-f]+ (\w+)(?:\+0x[0-9a-f]+)?\((.*)\) \[.*\] in crashlab /.exec(line);
    if (!m) continue;
    for (const p of m[2]!.split(', ')) {
      const eq = p.indexOf('=');
      if (eq < 0) continue;
      const name = p.slice(0, eq);
      const v = p.slice(eq + 1);
      // 0x7, 0, 0000000000B814D0, *** invalid address 000000014000E1C8 ***
      const num = /^(?:0x([0-9a-f]+)|(\d+)|([0-9A-F]{16})|\*\*\* invalid address ([0-9A-F]+) \*\*\*)$/i.exec(v);
      if (!num) continue;
      const value = num[1] ? BigInt(`0x${num[1]}`) : num[2] ? BigInt(num[2]) : BigInt(`0x${num[3] ?? num[4]}`);
      out.push([m[1]!, name, value]);
    }
  }
  return out;
}

/** kp parameters of crashlab frames: function → name → value text. */
function kpParams(lines: string[]): Array<{ fn: string; params: Map<string, string> }> {
  const out: Array<{ fn: string; params: Map<string, string> }> = [];
  for (const l of lines) {
    const m = /crashlab!(\w+)\((.*)\)(?:\+0x[0-9a-f]+)?/.exec(l);
    if (!m) continue;
    const params = new Map<string, string>();
    if (m[2] !== 'void') {
      for (const p of m[2]!.split(/, (?=[\w ]+[ *&]+\w+ = )/)) {
        const pm = /(\w+) = (.*)$/.exec(p);
        if (pm) params.set(pm[1]!, pm[2]!);
      }
    }
    out.push({ fn: m[1]!, params });
  }
  return out;
}

function valueOf(text: string): bigint | undefined {
  const m = /^(?:0n(-?\d+)|0x([0-9a-f`]+))/.exec(text);
  if (!m) return undefined;
  return m[1] !== undefined ? BigInt(m[1]) : BigInt(`0x${m[2]!.replace('`', '')}`);
}

/** Every parameter value winedbg prints for a crashlab frame comes out the same in kp. */
async function compareWithOracle(t: Tap.Test, s: TestSession, oracle: string): Promise<number> {
  const want = oracleParams(oracle);
  const got = kpParams(await s.run('.ecxr; kp'));
  let checked = 0;
  for (const [fn, name, value] of want) {
    const frame = got.find((f) => f.fn === fn && f.params.has(name));
    t.ok(frame, `${fn} has parameter ${name} in kp`);
    const text = frame?.params.get(name) ?? '';
    const v = valueOf(text);
    t.ok(v !== undefined && (v === value || BigInt.asUintN(32, v) === BigInt.asUintN(32, value)), `${fn}(${name}) = ${text}, winedbg says 0x${value.toString(16)}`);
    checked++;
  }
  return checked;
}

t.test('examples/dumps/div-zero.dmp: dv, .frame, kp, kP', async (t) => {
  const s = example('div-zero');
  const lines = await s.run('.ecxr; .frame 0; dv');
  t.ok(lines.includes('          total = 0n0'), 'total from ecx (winedbg: total=0)');
  t.ok(lines.includes('          count = 0n0'), 'count from r8d in the context frame');
  const v = await s.run('dv /t /v');
  t.ok(v.includes(`${'@ecx'.padEnd(17)} ${'int total'.padStart(15)} = 0n0`), 'dv /v location column: @ecx');
  // Frame 1: count lived in a volatile register and cannot be recovered there.
  const f1 = await s.run('.frame 1; dv');
  t.ok(f1.some((l) => /^ {10}count = <value unavailable> \(.*volatile.*\)$/.test(l)), 'unavailable, with the reason');
  const f2 = await s.run('.frame 2; dv argc');
  t.same(f2.slice(-1), ['           argc = 0n3'], 'main(argc=0x3) as winedbg shows');
  const kp = await s.run('kp 3');
  t.ok(kp.some((l) => l.includes('crashlab!divide(int total = 0n0, int count = 0n0)+0x6 [C:\\src\\crashlab\\crashlab.c @ 758]')), 'kp frame 0');
  t.ok(kp.some((l) => l.includes('crashlab!compute_average(int count = <value unavailable>)+0x39')), 'kp frame 1');
  const kr = await s.result('kp 2');
  t.match(kr.data, { frames: [{ parameters: [{ name: 'total', type: 'int', value: '0n0' }, { name: 'count' }] }, { parameters: [{ name: 'count', value: '<value unavailable>', unavailable: /volatile/ }] }] }, 'structured parameters with reasons');
  const kP = await s.run('kP 1');
  t.same(kP.filter((l) => l.startsWith('\t')), ['\t\t\tint total = 0n0, ', '\t\t\tint count = 0n0)+0x6 [C:\\src\\crashlab\\crashlab.c @ 758] '], 'kP: one parameter per line');
  t.same((await s.run('.frame 0; dv /i /V total')).slice(1), [`prv param  ${'@ecx'.padEnd(17)} ${''.padEnd(14)} ${'total'.padStart(15)} = 0n0`]);
  // Values as winedbg's stack dump of this dump shows them (0x11fcc8: 0000000140001fe9 0000000000080008, 0x11fcd8: 0000000000b81438 ...).
  t.same(await s.run('dt crashlab!_LIST_ENTRY 0x11fcc8'), ['   +0x000 Flink            : 0x00000001`40001fe9 _LIST_ENTRY', '   +0x008 Blink            : 0x00000000`00080008 _LIST_ENTRY']);
  t.same(await s.run('dt -r1 crashlab!_RTL_CRITICAL_SECTION_DEBUG 0x11fcc8'), [
    '   +0x000 Type             : 0x1fe9',
    '   +0x002 CreatorBackTraceIndex : 0x4000',
    '   +0x008 CriticalSection  : 0x00000000`00080008 _RTL_CRITICAL_SECTION',
    '   +0x010 ProcessLocksList : _LIST_ENTRY [ 0x00000000`00b81438 - 0x00000001`40002140 ]',
    '      +0x000 Flink            : 0x00000000`00b81438 _LIST_ENTRY',
    '      +0x008 Blink            : 0x00000001`40002140 _LIST_ENTRY',
    '   +0x020 EntryCount       : 0xfff0bdc0',
    '   +0x024 ContentionCount  : 0xffffffff',
    '   +0x028 Flags            : 0x11fd30',
    '   +0x02c CreatorBackTraceIndexHigh : 0x0',
    '   +0x02e SpareWORD        : 0x0',
  ]);
  t.same(await s.run('.frame 2'), await s.run('.frame'));
  const res = await s.result('dv');
  t.match(res.data, { type: 'locals', function: 'main', variables: [{ name: 'argc', value: '0n3', location: '@edi' }] });
});

t.test('examples: kp agrees with every value the winedbg oracle prints', async (t) => {
  let checked = 0;
  // Without the Wine DLLs, frames under ntdll/kernelbase are found by scanning (no registers): compare the rest.
  const names = existsSync(WINE_IMAGES) ? ['div-zero', 'null-deref', 'threadpool-av', 'breakpoint', 'clr-exception', 'cpp-throw'] : ['div-zero', 'null-deref', 'threadpool-av'];
  for (const name of names) {
    const oracle = readFileSync(path.join(EXAMPLES, `${name}.oracle.txt`), 'utf8');
    checked += await compareWithOracle(t, example(name), oracle);
  }
  t.ok(checked >= 8, `${checked} parameter values compared`);
});

t.test('examples/dumps/threadpool-av.dmp: stack-passed parameters and a char *', async (t) => {
  const s = example('threadpool-av');
  const l = await s.run('.ecxr; dv /t');
  t.ok(l.includes('    char * data = 0x00000001`4000e1c8 ""'), 'data in rbp (winedbg: 000000014000E1C8)');
  t.ok(l.includes('unsigned long length = 0xe'));
  const f1 = await s.run('.frame 1; dv /v bytes');
  t.same(f1.slice(-1), ['00000000`01a9fc60           bytes = 0xe'], 'frame-pointer relative to the recovered rsp');
  t.same(await s.run('?? io'), ['struct _TP_IO * 0x00000000`0024b5a0']);
  t.same(await s.run('?? bytes * 2 + 1'), ['int 0n29']);
  t.same(await s.run('?? (int)bytes'), ['int 0n14']);
});

t.test('dt over crashlab.pdb', async (t) => {
  const s = example('null-deref');
  t.same(await s.run('dt crashlab!customer'), [
    'crashlab!customer',
    '   +0x000 id               : Int4B',
    '   +0x004 flags            : Int4B',
    '   +0x008 name             : Ptr64 Char',
    '   +0x010 balance          : Int8B',
  ]);
  const list = await s.run('dt crashlab!_RTL_CRITICAL*');
  t.same(list, ['          crashlab!_RTL_CRITICAL_SECTION', '          crashlab!_RTL_CRITICAL_SECTION_DEBUG']);
  t.same(await s.run('dt crashlab!nosuchtype'), ['Symbol crashlab!nosuchtype not found.']);
  // The customer table in .data: {1001, 0, "Ada", 1200} (crashlab.c g_customers).
  const v = await s.run('dt crashlab!customer crashlab!g_customers');
  t.same(v, [
    '   +0x000 id               : 0n1001',
    '   +0x004 flags            : 0n0',
    '   +0x008 name             : 0x00000001`4000a5b4  "Ada"',
    '   +0x010 balance          : 0n1200',
  ]);
  const second = await s.run('dt crashlab!customer crashlab!g_customers+0x18');
  t.match(second[2], /"Grace"$/);
  // ?? over globals: crashlab.c g_customers[] = {1001 "Ada" 1200}, {1002 "Grace" 5400}, {1003 "Edsger" 300}.
  // (The first frame-walking command loads the other modules and may print their symbol warnings.)
  t.same((await s.run('?? g_customers[1].name')).slice(-1), ['char * 0x00000001`4000a5b8 "Grace"']);
  t.same(await s.run('?? crashlab!g_customers[2].balance'), ['int64 0n300']);
  const p = await s.run('?? &g_customers[1]');
  t.equal(p[0], 'struct customer * 0x00000001`4000e028', 'element address = base + 1 * sizeof(struct customer)');
  t.equal(p[1], '   +0x000 id               : 0n1002');
  t.same(await s.run('?? (int)g_customers[0].balance / 100 - 2'), ['int 0n10']);
  // Typedefs (S_UDT): DWORD is unsigned long, OVERLAPPED is struct _OVERLAPPED.
  t.same(await s.run('?? (DWORD)g_customers[0].id'), ['unsigned long 0x3e9']);
  const ov = await s.run('dt crashlab!OVERLAPPED');
  t.same(ov.slice(0, 2), ['crashlab!OVERLAPPED', '   +0x000 Internal         : Uint8B']);
  const local = await s.run('.ecxr; dt record');
  t.same(local.slice(-2), ['Local var @ rcx Type customer*', '0x00000000`00000000 '], 'dt of a null struct pointer local');
  const e = await s.run('dt crashlab!_MINIDUMP_TYPE');
  t.equal(e[1], '   MiniDumpNormal = 0n0');
});

t.test('corpus div-zero-mini: a = 0n7, b = 0n0 as winedbg (divide(a=0x7, b=0))', { skip: existsSync(WINE) ? false : 'corpus not present' }, async (t) => {
  const s = wine('div-zero-mini');
  const lines = await s.run('.ecxr; .frame 0; dv');
  t.same(lines.slice(-2), ['              a = 0n7', '              b = 0n0']);
  const v = await s.run('dv /t /v');
  t.same(v, ['00000000`0011fca4           int a = 0n7', '00000000`0011fca0           int b = 0n0']);
  t.same((await s.run('dt a')), ['Local var @ 0x11fca4 Type int', '0n7']);
  t.same(await s.run('?? a + b'), ['int 0n7']);
});

t.test('corpus: kp agrees with every value winedbg prints', { skip: existsSync(WINE) ? false : 'corpus not present' }, async (t) => {
  let checked = 0;
  for (const f of ['div-zero-mini', 'av-write-mini', 'breakpoint-mini', 'null-deref-mini', 'clr-exception-mini', 'cpp-throw-mini']) {
    const oracle = readFileSync(path.join(WINE, `${f}.winedbg.txt`), 'utf8');
    checked += await compareWithOracle(t, wine(f), oracle);
  }
  t.ok(checked >= 6, `${checked} parameter values compared`);
});
