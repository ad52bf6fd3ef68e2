import t from 'tap';
import { evaluate, parseExpression, parseNumberToken, wildcardMatch, ExprError } from '../../src/interpreter/expr.js';
import type { ExprEnv } from '../../src/interpreter/expr.js';
import { formatExprError } from '../../src/interpreter/errors.js';

const M = (1n << 64n) - 1n;

/** Little-endian bytes written at `addr` (helper independent of the evaluator). */
function poke(mem: Map<bigint, number>, addr: bigint, value: bigint, size: number): void {
  for (let i = 0; i < size; i++) mem.set(addr + BigInt(i), Number((value >> BigInt(8 * i)) & 0xffn));
}

interface FakeOptions {
  pointerSize?: 4 | 8;
  radix?: number;
}

function fakeEnv(opts: FakeOptions = {}): ExprEnv & { reads: [bigint, number][] } {
  const mem = new Map<bigint, number>();
  poke(mem, 0x1000n, 0x1122334455667788n, 8);
  poke(mem, 0x1008n, 0x2000n, 8);
  poke(mem, 0x2000n, 0xdeadbeefcafef00dn, 8);
  // A tiny PE image at 0x400000: MZ, e_lfanew = 0x80, "PE\0\0", AddressOfEntryPoint = 0x1234.
  poke(mem, 0x400000n, 0x5a4dn, 2);
  poke(mem, 0x40003cn, 0x80n, 4);
  poke(mem, 0x400080n, 0x4550n, 4);
  poke(mem, 0x4000a8n, 0x1234n, 4);
  // Two readable pages 0x5000-0x6fff (one byte per page is enough for $vvalid's probes).
  poke(mem, 0x5000n, 1n, 1);
  poke(mem, 0x6000n, 1n, 1);
  poke(mem, 0x6fffn, 1n, 1);
  const registers: Record<string, bigint> = {
    rax: 0x24n,
    rsp: 0x1000n,
    rip: 0x7ff96bb40770n,
    eax: 0x80000000n,
    r8d: 0xfffffffen,
    esi: 0x032c7c68n,
    ah: 3n,
    cr0: 0x80010033n,
  };
  const pseudo: Record<string, bigint> = { $teb: 0x8eed57b000n, $ip: 0x7ff96bb40770n, $csp: 0x1000n, $t1: 7n };
  const symbols: Record<string, bigint> = {
    'kernel32!CreateProcessW': 0x7ff8a0001000n,
    ntdll: 0x7ff9a0000000n,
    abc: 0x5555n,
    myvar: 0x1008n,
    'foo.bar': 0x20n,
    'foo!bar::baz': 0x40n,
    'weird name': 0x99n,
  };
  const reads: [bigint, number][] = [];
  const env: ExprEnv & { reads: [bigint, number][] } = {
    pointerSize: opts.pointerSize ?? 8,
    register: (n) => registers[n],
    pseudoRegister: (n) => pseudo[n],
    readMemory: (addr, size) => {
      reads.push([addr, size]);
      let v = 0n;
      for (let i = size - 1; i >= 0; i--) {
        const b = mem.get(addr + BigInt(i));
        if (b === undefined) return undefined;
        v = (v << 8n) | BigInt(b);
      }
      return v;
    },
    symbol: (n) => symbols[n],
    reads,
  };
  if (opts.radix !== undefined) env.radix = opts.radix;
  return env;
}

function errorOf(fn: () => unknown): ExprError {
  try {
    fn();
  } catch (e) {
    if (e instanceof ExprError) return e;
    throw e;
  }
  throw new Error('expected an ExprError');
}

t.test('operators, precedence and wrapping', async (t) => {
  const env = fakeEnv();
  const cases: [string, bigint][] = [
    ['1+2*3', 7n],
    ['(1+2)*3', 9n],
    ['1 + 2 * 3 + 4', 11n],
    ['10/3', 5n], // hex 0x10 / 3
    ['10 mod 3', 1n],
    ['10 % 3', 1n],
    ['10 MOD 3', 1n],
    ['1-2', M],
    ['1 << 4', 0x10n],
    ['100 >> 4', 0x10n],
    ['-10 >> 4', 0x0fffffffffffffffn], // >> is logical
    ['-10 >>> 4', M], // >>> is arithmetic
    ['1 << 41', 1n << 1n], // count uses its low 6 bits
    ['1 = 1', 1n],
    ['1 == 2', 0n],
    ['1 != 2', 1n],
    ['1!=1', 0n],
    ['1 < 2', 1n],
    ['2 <= 2', 1n],
    ['3 >= 4', 0n],
    ['3 > 2', 1n],
    ['-1 > 1', 1n], // comparisons are unsigned
    ['f0 and 3c', 0x30n],
    ['f0 & 3c', 0x30n],
    ['f0 xor ff', 0x0fn],
    ['f0 ^ ff', 0x0fn],
    ['f0 or f', 0xffn],
    ['f0|f', 0xffn],
    ['1 + 2 << 1', 6n], // + binds tighter than <<
    ['1 << 2 = 4', 1n], // << binds tighter than =
    ['2 & 2 = 2', 0n], // = binds tighter than &
    ['6 & 3 ^ 1', 3n], // & binds tighter than ^
    ['1 | 1 ^ 1', 1n], // ^ binds tighter than |
    ['10 - 4 - 2', 0xan], // left to right
    ['40 / 4 / 2', 8n],
    ['ffffffff`ffffffff * 2', M - 1n],
    ['ffffffff`ffffffff + 1', 0n],
  ];
  for (const [text, want] of cases) t.equal(evaluate(text, env), want, text);
});

t.test('unary operators', async (t) => {
  const env = fakeEnv();
  const cases: [string, bigint][] = [
    ['-1', M],
    ['+5', 5n],
    ['--1', 1n],
    ['+-1', M],
    ['-1+2', 1n],
    ['not 0', 1n],
    ['not 5', 0n],
    ['NOT(0)', 1n],
    ['not 0 + 1', 2n], // unary binds tighter than binary
    ['hi(12345678)', 0x1234n],
    ['low(12345678)', 0x5678n],
    ['hi 12345678', 0x1234n],
  ];
  for (const [text, want] of cases) t.equal(evaluate(text, env), want, text);
});

t.test('numbers: radix, prefixes, suffix, backticks', async (t) => {
  const hexEnv = fakeEnv();
  const decEnv = fakeEnv({ radix: 10 });
  const cases: [ExprEnv, string, bigint][] = [
    [hexEnv, '0x1f', 0x1fn],
    [hexEnv, '0X1F', 0x1fn],
    [hexEnv, '0n31', 31n],
    [hexEnv, '0t17', 15n],
    [hexEnv, '0y1010', 10n],
    [hexEnv, '1fh', 0x1fn],
    [hexEnv, '4aB3H', 0x4ab3n],
    [hexEnv, '0x', 0n],
    [hexEnv, '0n', 0n],
    [hexEnv, '00007ff9`850bd78d', 0x7ff9850bd78dn],
    [hexEnv, '1`', 1n],
    [hexEnv, '1`1', 0x11n],
    [hexEnv, 'abc', 0xabcn], // looks like hex: a number even though a symbol `abc` exists
    [hexEnv, '!abc', 0x5555n], // `!` forces the symbol
    [hexEnv, 'ah', 0xan], // hex with h suffix, not the register
    [hexEnv, '@ah', 3n],
    [hexEnv, '10', 0x10n],
    [decEnv, '10', 10n],
    [decEnv, '1fh', 0x1fn],
    [decEnv, '0x10', 16n],
  ];
  for (const [env, text, want] of cases) t.equal(evaluate(text, env), want, `${text} (radix ${env.radix ?? 16})`);
  // The doc's `? @r10 + 0x10 + 0t10 + 0y10` = 26 with r10 = 0.
  const env = fakeEnv();
  const withR10: ExprEnv = { ...env, register: (n) => (n === 'r10' ? 0n : env.register(n)) };
  t.equal(evaluate('@r10 + 0x10 + 0t10 + 0y10', withR10), 26n);
  t.equal(parseNumberToken('12z'), undefined);
  t.equal(parseNumberToken('rsp'), undefined);
  t.equal(parseNumberToken('1`0000000000000000'), 'overflow');
});

t.test('registers and pseudo-registers', async (t) => {
  const env = fakeEnv();
  t.equal(evaluate('@rax', env), 0x24n);
  t.equal(evaluate('rax', env), 0x24n, 'common registers need no @');
  t.equal(evaluate('@rip + 8', env), 0x7ff96bb40778n, 'doc example');
  t.equal(evaluate('eax', env), 0xffffffff80000000n, '32-bit registers are sign-extended');
  t.equal(evaluate('@r8d', env), 0xfffffffffffffffen);
  t.equal(evaluate('esi', env), 0x032c7c68n);
  t.equal(evaluate('@$teb + 0x108', env), 0x8eed57b108n);
  t.equal(evaluate('$teb', env), 0x8eed57b000n);
  t.equal(evaluate('.', env), 0x7ff96bb40770n, '. is $ip');
  t.equal(evaluate('not(($ip = .) and ($ip = @rip) and (@rip =. ))', env), 0n, 'doc example');
  t.equal(evaluate('@$ptrsize', env), 8n);
  t.equal(evaluate('@$ptrsize', fakeEnv({ pointerSize: 4 })), 4n);
  t.equal(evaluate('$pagesize', env), 0x1000n);
  t.equal(evaluate('@$t0', env), 0n, 'unset user pseudo-register is 0');
  t.equal(evaluate('@$t1', env), 7n);
  t.equal(evaluate('@cr0', env), 0x80010033n, 'cr0 is 64-bit on x64');
  t.equal(evaluate('@cr0', fakeEnv({ pointerSize: 4 })), 0xffffffff80010033n, 'x86 cr0 is 32-bit: sign-extended');
  const e = errorOf(() => evaluate('@foo', env));
  t.equal(e.kind, 'Bad register');
  t.equal(e.offset, 0);
  t.same(formatExprError(e, '@foo'), ["Bad register error at '@foo'"]);
  t.equal(errorOf(() => evaluate('1 + $nosuch', env)).kind, 'Bad register');
});

t.test('memory operators', async (t) => {
  const env = fakeEnv();
  t.equal(evaluate('poi(1000)', env), 0x1122334455667788n);
  t.equal(evaluate('qwo(1000)', env), 0x1122334455667788n);
  t.equal(evaluate('dwo(1000)', env), 0x55667788n);
  t.equal(evaluate('wo(1000)', env), 0x7788n);
  t.equal(evaluate('by(1000)', env), 0x88n);
  t.equal(evaluate('poi 1008', env), 0x2000n, 'poi without parentheses');
  t.equal(evaluate('poi 1008+8', env), 0x2008n, 'unary poi binds tighter than +');
  t.equal(evaluate('poi(poi(1008))', env), 0xdeadbeefcafef00dn);
  t.equal(evaluate('poi(@rsp+8)', env), 0x2000n);
  t.equal(evaluate('poi(myvar)', env), 0x2000n);
  t.equal(evaluate('poi(1000)==0x1122334455667788', env), 1n);
  const x86 = fakeEnv({ pointerSize: 4 });
  t.equal(evaluate('poi(1000)', x86), 0x55667788n, 'poi is pointer-sized on x86');
  t.same(x86.reads.at(-1), [0x1000n, 4]);

  const e = errorOf(() => evaluate('poi(10)', env));
  t.equal(e.kind, 'Memory access');
  t.equal(e.offset, 6, 'stops at the closing parenthesis');
  t.same(formatExprError(e, 'poi(10)'), ["Memory access error at ')'"]);
  const e2 = errorOf(() => evaluate('dwo(10) == 5', env));
  t.same(formatExprError(e2, 'dwo(10) == 5'), ["Memory access error at ') == 5'"]);
  const e3 = errorOf(() => evaluate('poi 10', env));
  t.same(formatExprError(e3, 'poi 10'), ["Memory access error at '<EOL>'"]);
});

t.test('symbols', async (t) => {
  const env = fakeEnv();
  t.equal(evaluate('kernel32!CreateProcessW', env), 0x7ff8a0001000n);
  t.equal(evaluate('kernel32!CreateProcessW+10', env), 0x7ff8a0001010n);
  t.equal(evaluate('ntdll', env), 0x7ff9a0000000n, 'a module name is its base');
  t.equal(evaluate('ntdll + 0x1000', env), 0x7ff9a0001000n);
  t.equal(evaluate('foo.bar', env), 0x20n);
  t.equal(evaluate('foo!bar::baz', env), 0x40n);
  t.equal(evaluate('@!"weird name"+1', env), 0x9an);
  const e = errorOf(() => evaluate('nosuch!sym+1', env));
  t.equal(e.kind, "Couldn't resolve");
  t.equal(e.offset, 0);
  t.same(formatExprError(e, 'nosuch!sym+1'), ["Couldn't resolve error at 'nosuch!sym+1'"]);
  const e2 = errorOf(() => evaluate('1 + zzz', env));
  t.equal(e2.offset, 4);
  t.same(formatExprError(e2, '1 + zzz'), ["Couldn't resolve error at 'zzz'"]);
  const e3 = errorOf(() => evaluate('ping!+0x3c', env));
  t.equal(e3.kind, 'Syntax');
  t.same(formatExprError(e3, 'ping!+0x3c'), ["Syntax error at 'ping!+0x3c'"]);
});

t.test('error kinds and stop offsets', async (t) => {
  const env = fakeEnv();
  const cases: [string, string, number, string][] = [
    ['1+', 'Missing', 2, "Numeric expression missing from '<EOL>'"],
    ['*1', 'Missing', 0, "Numeric expression missing from '*1'"],
    ['1 && 2', 'Missing', 3, "Numeric expression missing from '& 2'"],
    ['', 'Missing', 0, "Numeric expression missing from '<EOL>'"],
    ['(1+1', 'Syntax', 4, "Syntax error at '<EOL>'"],
    ['`1', 'Syntax', 0, "Syntax error at '`1'"],
    ['12z+1', 'Syntax', 0, "Syntax error at '12z+1'"],
    ['1/0', 'Operand', 3, "Operand error at '<EOL>'"],
    ['(5 mod 0) + 1', 'Operand', 8, "Operand error at ') + 1'"],
    ['1`0000000000000000', 'Overflow', 0, "Overflow error at '1`0000000000000000'"],
    ['@@c++(1)', 'Unimplemented', 0, "Unimplemented error at '@@c++(1)'"],
  ];
  for (const [text, kind, offset, line] of cases) {
    const e = errorOf(() => evaluate(text, env));
    t.equal(e.kind, kind, `${text}: kind`);
    t.equal(e.offset, offset, `${text}: offset`);
    t.same(formatExprError(e, text), [line], `${text}: message`);
  }
  // Trailing garbage is a command-level error with a caret under the last consumed character.
  const cmd = '? 1+1)';
  const e = errorOf(() => evaluate(cmd, env, 2));
  t.equal(e.kind, 'Extra character');
  t.equal(e.style, 'caret');
  t.equal(e.offset, 5);
  t.same(formatExprError(e, cmd, 7), [`           ^ Extra character error in '? 1+1)'`]);
});

t.test('parseExpression stops at the first token that cannot continue', async (t) => {
  const env = fakeEnv();
  const r = parseExpression('dd rsp L10', env, 3);
  t.equal(r.value, 0x1000n);
  t.equal(r.end, 6);
  const r2 = parseExpression('u poi(@rsp+8) L5', env, 2);
  t.equal(r2.value, 0x2000n);
  t.equal(r2.end, 13);
  const r3 = parseExpression('db 1000 1008', env, 3);
  t.equal(r3.value, 0x1000n);
  t.equal(r3.end, 7);
  const r4 = parseExpression('rax+1,2', env, 0, 5);
  t.equal(r4.end, 5, 'the end bound is honoured');
  t.equal(r4.value, 0x25n);
});

t.test('MASM functions and evaluator switches', async (t) => {
  const env = fakeEnv();
  t.equal(evaluate('$scmp("a","b")', env), M);
  t.equal(evaluate('$scmp("b", "a")', env), 1n);
  t.equal(evaluate('$sicmp("ABC","abc")', env), 0n);
  t.equal(evaluate('$spat("kernel32.dll", "KERNEL*.d?l")', env), 1n);
  t.equal(evaluate('$spat("ntdll.dll", "kernel*")', env), 0n);
  t.equal(evaluate('$vvalid(0x5000, 0x2000)', env), 1n);
  t.equal(evaluate('$vvalid(0x5000, 0x3000)', env), 0n);
  t.equal(evaluate('$vvalid(0x0, 0xF)', env), 0n);
  t.equal(evaluate('not($vvalid(0x5000, 1))', env), 0n);
  t.equal(evaluate('$iment(400000)', env), 0x401234n);
  t.equal(evaluate('@@masm(1+2)*2', env), 6n);
  t.ok(wildcardMatch('abc', 'a[a-c]c'));
  t.notOk(wildcardMatch('adc', 'a[a-c]c'));
});

t.test('errors thrown by the env are positioned at the name', async (t) => {
  const env = fakeEnv();
  const ambiguous: ExprEnv = {
    ...env,
    symbol: (n) => {
      if (n === 'dup') throw new ExprError('Ambiguous symbol', 0);
      return env.symbol(n);
    },
  };
  const e = errorOf(() => evaluate('1 + dup', ambiguous));
  t.equal(e.kind, 'Ambiguous symbol');
  t.equal(e.offset, 4);
  t.same(formatExprError(e, '1 + dup'), ["Ambiguous symbol error at 'dup'"]);
  t.throws(() => evaluate('zzz', { ...env, symbol: () => { throw new RangeError('boom'); } }), RangeError);
});

t.test('random input: a 64-bit value or a positioned ExprError, nothing else', async (t) => {
  const env = fakeEnv();
  const alphabet = ['1', 'f', '0x', '0n', '`', ' ', '(', ')', '+', '-', '*', '/', '%', '<', '>', '=', '!', '&', '|', '^', '@', '$', '.', 'poi', 'not', 'rax', 'eax', 'abc!', 'myvar', '"', ',', 'mod', '$scmp(', '@@masm(', 'h', 'z', '~'];
  let seed = 12345;
  const rand = (n: number): number => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    return seed % n;
  };
  let values = 0;
  let errors = 0;
  for (let i = 0; i < 3000; i++) {
    let text = '';
    const len = 1 + rand(10);
    for (let j = 0; j < len; j++) text += alphabet[rand(alphabet.length)];
    try {
      const v = evaluate(text, env);
      if (v < 0n || v >= 1n << 64n) t.fail(`${text} → out of range ${v}`);
      values++;
    } catch (e) {
      if (!(e instanceof ExprError)) {
        t.fail(`${JSON.stringify(text)} threw ${String(e)}`);
        continue;
      }
      if (e.offset < 0 || e.offset > text.length) t.fail(`${JSON.stringify(text)}: offset ${e.offset}`);
      errors++;
    }
  }
  t.ok(values > 0 && errors > 0, `values ${values}, errors ${errors}`);
});
