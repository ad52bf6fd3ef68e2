import t from 'tap';
import {
  formatCtime,
  formatEvaluate,
  formatFileTime,
  formatFloat32Bits,
  formatFloat64Bits,
  formatFormats,
  formatMsvcG,
  hex,
  hex64,
  hexPtr,
  signedDecimal,
} from '../../src/interpreter/format.js';

const M = (1n << 64n) - 1n;

t.test('hex helpers', async (t) => {
  t.equal(hex64(0x7ff9850bd78dn), '00007ff9`850bd78d');
  t.equal(hex64(M), 'ffffffff`ffffffff');
  t.equal(hex64(-1n), 'ffffffff`ffffffff', 'negative values wrap to 64 bits');
  t.equal(hexPtr(0x7ff9850bd78dn, 8), '00007ff9`850bd78d');
  t.equal(hexPtr(0x77f97704n, 4), '77f97704');
  t.equal(hexPtr(0x1234n, 4), '00001234');
  t.equal(hexPtr(0xffffffff77f97704n, 4), '77f97704');
  t.equal(hex(0x24n, 4), '0024');
  t.equal(hex(0x12345n, 2), '12345', 'never truncated');
  t.equal(hex(0n), '0');
});

t.test('? output (§0.3, §9.1)', async (t) => {
  t.equal(formatEvaluate(36n, 8), 'Evaluate expression: 36 = 00000000`00000024');
  t.equal(formatEvaluate(M, 8), 'Evaluate expression: -1 = ffffffff`ffffffff');
  t.equal(formatEvaluate(0x7ff96bb40778n, 8), 'Evaluate expression: 140709230544760 = 00007ff9`6bb40778');
  t.equal(formatEvaluate(0x8eed57b108n, 8), 'Evaluate expression: 613867303176 = 0000008e`ed57b108');
  t.equal(formatEvaluate(0x401058n, 4), 'Evaluate expression: 4198488 = 00401058');
  t.equal(formatEvaluate(0xffffffffn, 4), 'Evaluate expression: -1 = ffffffff');
  t.equal(formatEvaluate(0xffffffff80000000n, 4), 'Evaluate expression: -2147483648 = 80000000', 'sign-extended 32-bit value');
  t.equal(formatEvaluate(0x100000000n, 4), 'Evaluate expression: 4294967296 = 00000001`00000000', 'x86 shows 64 bits when needed');
  t.equal(signedDecimal(0x80000000n, 8), '2147483648');
  t.equal(signedDecimal(0x80000000n, 4), '-2147483648');
});

t.test('.formats, x64 sample of §9.3 (host at UTC+1)', async (t) => {
  t.same(formatFormats(0x1506f8n, 8, { utcOffsetMinutes: 60 }), [
    'Evaluate expression:',
    '  Hex:     00000000`001506f8',
    '  Decimal: 1378040',
    '  Decimal (unsigned) : 1378040',
    '  Octal:   0000000000000005203370',
    '  Binary:  00000000 00000000 00000000 00000000 00000000 00010101 00000110 11111000',
    '  Chars:   ........',
    '  Time:    Fri Jan 16 23:47:20 1970',
    '  Float:   low 1.93105e-039 high 0',
    '  Double:  6.80842e-318',
  ]);
});

t.test('.formats, x86 sample of §9.3 (legacy layout without the unsigned line)', async (t) => {
  t.same(formatFormats(0xe06d7363n, 4, { utcOffsetMinutes: 0, unsignedLine: false }), [
    'Evaluate expression:',
    '  Hex:     e06d7363',
    '  Decimal: -529697949',
    '  Octal:   34033271543',
    '  Binary:  11100000 01101101 01110011 01100011',
    '  Chars:   .msc',
    '  Time:    ***** Invalid',
    '  Float:   low -6.84405e+019 high 0',
    '  Double:  1.86029e-314',
  ]);
});

t.test('.formats, other values seen in real WinDbg transcripts', async (t) => {
  // x86 target, sign-extended 32-bit register value (cr0): high float/double are NaNs.
  t.same(formatFormats(0xffffffff80010033n, 4, { utcOffsetMinutes: 540 }), [
    'Evaluate expression:',
    '  Hex:     80010033',
    '  Decimal: -2147418061',
    '  Decimal (unsigned) : 2147549235',
    '  Octal:   20000200063',
    '  Binary:  10000000 00000001 00000000 00110011',
    '  Chars:   ...3',
    '  Time:    ***** Invalid',
    '  Float:   low -9.1907e-041 high -1.#QNAN',
    '  Double:  -1.#QNAN',
  ]);
  t.equal(formatFormats(0x001406e9n, 4, { utcOffsetMinutes: 540 })[7], '  Time:    Fri Jan 16 13:34:49 1970');
  t.equal(formatFormats(0x001406e9n, 4, { utcOffsetMinutes: 540 })[4], '  Octal:   00005003351');
  // x64 kernel address: negative FILETIME.
  t.same(formatFormats(0xfffff8020f3f4280n, 8, { utcOffsetMinutes: 0 }).slice(1), [
    '  Hex:     fffff802`0f3f4280',
    '  Decimal: -8787247283584',
    '  Decimal (unsigned) : 18446735286462268032',
    '  Octal:   1777777600101717641200',
    '  Binary:  11111111 11111111 11111000 00000010 00001111 00111111 01000010 10000000',
    '  Chars:   .....?B.',
    '  Time:    ***** Invalid FILETIME',
    '  Float:   low 9.42983e-030 high -1.#QNAN',
    '  Double:  -1.#QNAN',
  ]);
  // A 64-bit value read as FILETIME, host at UTC-7.
  const pool = formatFormats(0x74536d4d03880000n, 8, { utcOffsetMinutes: -420 });
  t.equal(pool[6], '  Chars:   tSmM....');
  t.equal(pool[7], '  Time:    Fri Jan  7 20:15:00.577 28163 (UTC - 7:00)');
  t.equal(pool[8], '  Float:   low 7.99336e-037 high 6.70039e+031');
  t.equal(pool[9], '  Double:  2.22547e+252');
  t.equal(pool[4], '  Octal:   0721233324640342000000');
  const small = formatFormats(0x22n, 8, { utcOffsetMinutes: 330 });
  t.equal(small[6], '  Chars:   ......."');
  t.equal(small[7], '  Time:    Thu Jan  1 05:30:34 1970');
  t.equal(small[8], '  Float:   low 4.76441e-044 high 0');
  t.equal(small[9], '  Double:  1.67982e-322');
  const g = formatFormats(0x4700n, 8, { utcOffsetMinutes: 480 });
  t.equal(g[7], '  Time:    Thu Jan  1 13:02:56 1970');
  t.equal(g[8], '  Float:   low 2.547e-041 high 0');
  t.equal(g[9], '  Double:  8.98014e-320');
});

t.test('time helpers', async (t) => {
  t.equal(formatCtime(0, 0), 'Thu Jan  1 00:00:00 1970');
  t.equal(formatCtime(0, (ms) => (ms === 0 ? -300 : 0)), 'Wed Dec 31 19:00:00 1969', 'offset function of the instant');
  // 2015-04-09 08:53:08 UTC as FILETIME = (unix seconds + 11644473600) * 10^7.
  const ft = (1428569588n + 11644473600n) * 10000000n + 1230000n;
  t.equal(formatFileTime(ft, 120), 'Thu Apr  9 10:53:08.123 2015 (UTC + 2:00)');
  t.equal(formatFileTime(ft, 0), 'Thu Apr  9 08:53:08.123 2015 (UTC + 0:00)');
  t.equal(formatFileTime(ft, -570), 'Wed Apr  8 23:23:08.123 2015 (UTC - 9:30)');
  t.match(formatFormats(0x1d0000000000000n, 8, { utcOffsetMinutes: 0 })[7]!, /^ {2}Time: {4}\w{3} \w{3} [ \d]\d \d\d:\d\d:\d\d\.\d{3} \d{4} \(UTC \+ 0:00\)$/);
  t.equal(formatFormats(0x80000000n, 8, { utcOffsetMinutes: 0 })[7], '  Time:    ***** Invalid', 'time_t past 2038 is invalid');
});

t.test('msvcrt %g and NaN spellings', async (t) => {
  const cases: [number, string][] = [
    [0.5, '0.5'],
    [100, '100'],
    [123456, '123456'],
    [1234567, '1.23457e+006'],
    [0.0001, '0.0001'],
    [0.00001, '1e-005'],
    [-2.5, '-2.5'],
    [1e300, '1e+300'],
    [0, '0'],
    [-0, '-0'],
    [Infinity, '1.#INF'],
    [-Infinity, '-1.#INF'],
  ];
  for (const [x, want] of cases) t.equal(formatMsvcG(x), want, String(x));
  t.equal(formatFloat32Bits(0x3f800000n), '1');
  t.equal(formatFloat32Bits(0xffc00000n), '-1.#IND', 'the default NaN');
  t.equal(formatFloat32Bits(0x7fc00000n), '1.#QNAN');
  t.equal(formatFloat32Bits(0x7f800001n), '1.#QNAN', 'float SNaN is quieted by promotion');
  t.equal(formatFloat32Bits(0xff800000n), '-1.#INF');
  t.equal(formatFloat64Bits(0x3ff0000000000000n), '1');
  t.equal(formatFloat64Bits(0xfff8000000000000n), '-1.#IND');
  t.equal(formatFloat64Bits(0x7ff0000000000001n), '1.#SNAN');
  t.equal(formatFloat64Bits(0x7ff0000000000000n), '1.#INF');
  t.equal(formatFloat64Bits(0x400921fb54442d18n), '3.14159');
});
