import t from 'tap';
import { evaluatePostfix, runPostfixProgram } from '../../src/unwind/postfix.js';
import { evaluateCfi, parseCfiRules } from '../../src/unwind/common.js';
import { FakeMemory, fakeEnv } from '../fixtures/synth/stack-builder.js';

const mem = new Map<bigint, bigint>([[0x1000n, 0x11111111n], [0x1004n, 0x22222222n]]);
const opts32 = { bits: 32 as const, deref: (a: bigint) => mem.get(a) };

t.test('expressions', async (t) => {
  const vars = new Map<string, bigint>([['$esp', 0x1000n], ['.cbLocals', 8n]]);
  t.equal(evaluatePostfix('$esp 4 +', vars, opts32), 0x1004n);
  t.equal(evaluatePostfix('$esp 4 + ^', vars, opts32), 0x22222222n);
  t.equal(evaluatePostfix('$esp ^', vars, opts32), 0x11111111n);
  t.equal(evaluatePostfix('10 3 %', vars, opts32), 1n);
  t.equal(evaluatePostfix('10 3 /', vars, opts32), 3n);
  t.equal(evaluatePostfix('6 7 *', vars, opts32), 42n);
  t.equal(evaluatePostfix('0x1237 16 @', vars, opts32), 0x1230n, '@ aligns down');
  t.equal(evaluatePostfix('0 4 -', vars, opts32), 0xfffffffcn, 'wraps at 32 bits');
  t.equal(evaluatePostfix('$esp -8 +', vars, opts32), 0xff8n, 'negative constants');
  t.equal(evaluatePostfix('$esp .cbLocals +', vars, opts32), 0x1008n);
  t.equal(evaluatePostfix('$esp +', vars, opts32), undefined, 'stack underflow');
  t.equal(evaluatePostfix('1 2', vars, opts32), undefined, 'values left over');
  t.equal(evaluatePostfix('$nope 4 +', vars, opts32), undefined, 'unknown variable');
  t.equal(evaluatePostfix('1 0 /', vars, opts32), undefined, 'division by zero');
  t.equal(evaluatePostfix('0x2000 ^', vars, opts32), undefined, 'unreadable memory');
  t.equal(evaluatePostfix('1 2 #', vars, opts32), undefined, 'unknown token');
  t.equal(evaluatePostfix('', vars, opts32), undefined);
  t.ok(runPostfixProgram('$20 $esp ^ =', vars, opts32), 'numbered register names are identifiers');
  t.equal(vars.get('$20'), 0x11111111n);
});

t.test('programs with assignments', async (t) => {
  // The standard MSVC EBP-frame program.
  const vars = new Map<string, bigint>([['$ebp', 0x1000n], ['$esp', 0xf00n]]);
  const assigned = new Set<string>();
  t.ok(runPostfixProgram('$T0 $ebp = $eip $T0 4 + ^ = $ebp $T0 ^ = $esp $T0 8 + =', vars, opts32, assigned));
  t.equal(vars.get('$eip'), 0x22222222n);
  t.equal(vars.get('$ebp'), 0x11111111n);
  t.equal(vars.get('$esp'), 0x1008n);
  t.same([...assigned].sort(), ['$T0', '$ebp', '$eip', '$esp']);
  t.notOk(runPostfixProgram('4 $eip =', new Map([['$eip', 1n]]), opts32), 'assignment target must be a name');
  t.notOk(runPostfixProgram('$T0 1 = 5', new Map(), opts32), 'leftover value is a failure');
  t.notOk(runPostfixProgram('$T0 $missing =', new Map(), opts32));
  t.notOk(runPostfixProgram(Array(5000).fill('1 +').join(' '), new Map(), opts32), 'token cap');
});

t.test('STACK CFI rules', async (t) => {
  t.same([...parseCfiRules('.cfa: $rsp 8 + .ra: .cfa 8 - ^ $rbx: .cfa 16 - ^')!], [['.cfa', '$rsp 8 +'], ['.ra', '.cfa 8 - ^'], ['$rbx', '.cfa 16 - ^']]);
  t.equal(parseCfiRules('$rsp 8 +'), undefined, 'expression without a register');
  t.equal(parseCfiRules('.cfa: .ra: 4'), undefined, 'empty rule');
  const buf = Buffer.alloc(0x40);
  buf.writeBigUInt64LE(0xaaaan, 0x10);
  buf.writeBigUInt64LE(0x140001234n, 0x18);
  const env = fakeEnv({ arch: 'amd64', memory: new FakeMemory().add(0x5000n, buf) });
  const rows = { start: 0x1000n, size: 0x100, init: '.cfa: $rsp 8 + .ra: .cfa 8 - ^', deltas: [{ address: 0x1004n, rules: '.cfa: $rsp 32 + $rbx: .cfa 16 - ^' }, { address: 0x1080n, rules: '$rbx: .undef' }] };
  const r = evaluateCfi(env, rows, 0x1010n, { rsp: 0x5000n, rbx: 1n }, { pc: 'rip', sp: 'rsp' });
  t.same(r, { regs: { rbx: 0xaaaan, rip: 0x140001234n, rsp: 0x5020n }, pc: 0x140001234n, sp: 0x5020n });
  const before = evaluateCfi(env, rows, 0x1002n, { rsp: 0x5010n }, { pc: 'rip', sp: 'rsp' });
  t.equal(before?.sp, 0x5018n, 'delta rows after the address do not apply');
  const undef = evaluateCfi(env, rows, 0x1090n, { rsp: 0x5000n, rbx: 1n }, { pc: 'rip', sp: 'rsp' });
  t.equal(undef?.regs.rbx, undefined, '.undef drops the register');
  t.equal(evaluateCfi(env, { ...rows, init: '.cfa: $rsp 8 +' }, 0x1000n, { rsp: 0x5000n }, { pc: 'rip', sp: 'rsp' }), undefined, '.ra is mandatory');
});
