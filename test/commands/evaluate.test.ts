import t from 'tap';
import { SynthDump } from '../fixtures/synth/minidump-writer.js';
import { runner } from '../fixtures/command-runner.js';

t.test('? works without a dump for constants', async (t) => {
  const r = runner();
  t.same(await r.lines('? 24'), ['Evaluate expression: 36 = 00000000`00000024']);
  t.same(await r.lines('? 0n100 - 1'), ['Evaluate expression: 99 = 00000000`00000063']);
  t.same(await r.lines('? -1'), ['Evaluate expression: -1 = ffffffff`ffffffff']);
  t.same(await r.lines('? 1 2)'), ["   ^ Extra character error in '? 1 2)'"]);
  const [res] = await r.results('? 10*3');
  t.equal(res?.data?.['value'], 0x30n);
});

t.test('? on targets: registers, memory, 32-bit width on x86', async (t) => {
  const x64 = new SynthDump()
    .arch('amd64')
    .thread({ id: 1, context: { rip: 0x7ff9850bd78dn, rsp: 0x1000n }, stack: { addr: 0x1000n, bytes: Buffer.from([0x78, 0x56, 0x34, 0x12, 0, 0, 0, 0]) } })
    .build();
  const r = runner(x64);
  t.same(await r.lines('? @rip + 8'), ['Evaluate expression: 140709655730069 = 00007ff9`850bd795']);
  t.same(await r.lines('? poi(@rsp)'), ['Evaluate expression: 305419896 = 00000000`12345678']);
  const x86 = new SynthDump().arch('x86').thread({ id: 1, context: { eip: 0x401058n, esp: 0x2000n } }).build();
  const r86 = runner(x86);
  t.same(await r86.lines('? @eip'), ['Evaluate expression: 4198488 = 00401058']);
  t.same(await r86.lines('? 80000000'), ['Evaluate expression: -2147483648 = 80000000']);
  t.same(await r86.lines('? 100000000'), ['Evaluate expression: 4294967296 = 00000001`00000000'], 'wider than 32 bits keeps 64');
});

t.test('.formats (§9.3)', async (t) => {
  const r = runner();
  const lines = await r.lines('.formats 1506f8');
  t.equal(lines[0], 'Evaluate expression:');
  t.equal(lines[1], '  Hex:     00000000`001506f8');
  t.equal(lines[2], '  Decimal: 1378040');
  t.equal(lines[3], '  Decimal (unsigned) : 1378040');
  t.equal(lines[4], '  Octal:   0000000000000005203370');
  t.equal(lines[5], '  Binary:  00000000 00000000 00000000 00000000 00000000 00010101 00000110 11111000');
  t.equal(lines[6], '  Chars:   ........');
  t.match(lines[7], /^ {2}Time: {4}\w{3} Jan 1[67] \d\d:47:20 1970$/);
  t.equal(lines[8], '  Float:   low 1.93105e-039 high 0');
  t.equal(lines[9], '  Double:  6.80842e-318');
  t.same(await r.lines('.formats'), ["Numeric expression missing from '<EOL>'"]);
});

t.test('!error (§2.7)', async (t) => {
  const r = runner();
  t.same(await r.lines('!error 2'), ['Error code: (Win32) 0x2 (2) - The system cannot find the file specified.']);
  t.same(await r.lines('!error c0000005'), ['Error code: (NTSTATUS) 0xc0000005 (3221225477) - The instruction at 0x%p referenced memory at 0x%p. The memory could not be %s.']);
  t.same(await r.lines('!error 80070005'), ['Error code: (HRESULT) 0x80070005 (2147942405) - Access is denied.']);
  t.same(await r.lines('!error 2 1'), ['Error code: (NTSTATUS) 0x2 - STATUS_WAIT_2'], 'flag 1: NTSTATUS');
  const [res] = await r.results('!error 5');
  t.equal(res?.data?.['kind'], 'Win32');
  t.equal(res?.data?.['value'], 5);
});
