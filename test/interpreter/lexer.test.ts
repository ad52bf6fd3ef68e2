import t from 'tap';
import { parseCommand, parseCommandLine, splitCommandLine, splitCommands } from '../../src/interpreter/lexer.js';
import { ExprError } from '../../src/interpreter/errors.js';

t.test('splitting on ;', async (t) => {
  const cases: [string, string[]][] = [
    ['.ecxr; kb; q', ['.ecxr', 'kb', 'q']],
    ['.ecxr;k;q', ['.ecxr', 'k', 'q']],
    ['  k  ;;  ; r  ', ['k', 'r']],
    ['.echo "a;b"; k', ['.echo "a;b"', 'k']],
    ['.echo a;b', ['.echo a', 'b']],
    ['.printf "x\\";y"; k', ['.printf "x\\";y"', 'k']],
    ['$$ comment; k', ['k']],
    ['k; $$ note ; r', ['k', 'r']],
    ['* everything; k', []],
    ['k; * rest; r', ['k']],
    ['$<c:\\a;b.txt', ['$<c:\\a;b.txt']],
    ['$><c:\\a;b.txt', ['$><c:\\a;b.txt']],
    ['$$<c:\\s.txt; k', ['$$<c:\\s.txt', 'k']],
    ['$$>a<c:\\s.txt 1 2; k', ['$$>a<c:\\s.txt 1 2', 'k']],
    ['.if (1) { k; r } .else { q }; lm', ['.if (1) { k; r } .else { q }', 'lm']],
    ['~*e .if (@$tid == 1) { k; r }; q', ['~*e .if (@$tid == 1) { k; r }', 'q']],
    ['.echo {; k', ['.echo {', 'k']],
    ['bp kernel32!CreateFileW "k;g"; bl', ['bp kernel32!CreateFileW "k;g"', 'bl']],
    ['.echo START; k; .echo END; q', ['.echo START', 'k', '.echo END', 'q']],
    ['', []],
  ];
  for (const [line, want] of cases) t.same(splitCommands(line), want, line);
});

t.test('pieces keep offsets and mark comments', async (t) => {
  t.same(splitCommandLine(' k; $$ c ;* x; y'), [
    { text: 'k', offset: 1, comment: false },
    { text: '$$ c', offset: 4, comment: true },
    { text: '* x; y', offset: 10, comment: true },
  ]);
});

t.test('command tokens and arguments', async (t) => {
  const cases: [string, string, string][] = [
    ['!analyze -v', '!analyze', '-v'],
    ['.formats cr4', '.formats', 'cr4'],
    ['.ecxr', '.ecxr', ''],
    ['?? sizeof(_PEB)', '??', 'sizeof(_PEB)'],
    ['? @rip + 8', '?', '@rip + 8'],
    ['?@rip', '?', '@rip'],
    ['kbn 20', 'kbn', '20'],
    ['kP', 'kP', ''],
    ['dd@rsp L4', 'dd', '@rsp L4'],
    ['lmvm ntdll', 'lmvm', 'ntdll'],
    ['u.', 'u', '.'],
    ['$$>a<c:\\x.txt a b', '$$>a<', 'c:\\x.txt a b'],
    ['r rax', 'r', 'rax'],
    ['.echo   hello  world  ', '.echo', 'hello  world'],
  ];
  for (const [text, command, args] of cases) {
    const c = parseCommand(text);
    t.equal(c.command, command, `${text}: command`);
    t.equal(c.args, args, `${text}: args`);
    t.equal(text.slice(c.argsOffset, c.argsOffset + args.length), args, `${text}: argsOffset`);
    t.equal(c.prefix, undefined);
  }
});

t.test('thread prefixes and thread commands', async (t) => {
  const cases: [string, object, string, string][] = [
    ['~*k', { kind: 'all', execute: false }, 'k', ''],
    ['~* k', { kind: 'all', execute: false }, 'k', ''],
    ['~*kpn', { kind: 'all', execute: false }, 'kpn', ''],
    ['~*e !gle', { kind: 'all', execute: true }, '!gle', ''],
    ['~*e r eax', { kind: 'all', execute: true }, 'r', 'eax'],
    ['~2 r eax', { kind: 'index', value: 2, execute: false }, 'r', 'eax'],
    ['~. kb', { kind: 'current', execute: false }, 'kb', ''],
    ['~# kb', { kind: 'event', execute: false }, 'kb', ''],
    ['~3s', { kind: 'index', value: 3, execute: false }, '~s', ''],
    ['~12 s', { kind: 'index', value: 12, execute: false }, '~s', ''],
    ['~#s', { kind: 'event', execute: false }, '~s', ''],
    ['~3f', { kind: 'index', value: 3, execute: false }, '~f', ''],
    ['~3u', { kind: 'index', value: 3, execute: false }, '~u', ''],
    ['~99s', { kind: 'index', value: 99, execute: false }, '~s', ''],
    ['~~[1a2b]s', { kind: 'tid', text: '1a2b', value: 0x1a2b, execute: false }, '~s', ''],
    ['~~[0n10] k', { kind: 'tid', text: '0n10', value: 10, execute: false }, 'k', ''],
    ['~~[@$tid] k', { kind: 'tid', text: '@$tid', execute: false }, 'k', ''],
    ['~[@$t0]s', { kind: 'expr', text: '@$t0', execute: false }, '~s', ''],
    ['~5', { kind: 'index', value: 5, execute: false }, '~', ''],
    ['~*', { kind: 'all', execute: false }, '~', ''],
  ];
  for (const [text, prefix, command, args] of cases) {
    const c = parseCommand(text);
    t.same(c.prefix, prefix, `${text}: prefix`);
    t.equal(c.command, command, `${text}: command`);
    t.equal(c.args, args, `${text}: args`);
  }
  const bare = parseCommand('~');
  t.equal(bare.command, '~');
  t.equal(bare.prefix, undefined, 'a bare ~ lists all threads without a selector');
});

t.test('process and system selectors', async (t) => {
  const p = parseCommand('|');
  t.equal(p.command, '|');
  t.equal(p.process, undefined);
  const p1 = parseCommand('|1s');
  t.equal(p1.command, '|s');
  t.same(p1.process, { kind: 'index', value: 1 });
  const s1 = parseCommand('||1s');
  t.equal(s1.command, '||s');
  t.same(s1.system, { kind: 'index', value: 1 });
  const s2 = parseCommand('||1 s');
  t.equal(s2.command, '||s');
  const s3 = parseCommand('||');
  t.equal(s3.command, '||');
  t.equal(s3.system, undefined);
  const pk = parseCommand('|0 ~3 k');
  t.same(pk.process, { kind: 'index', value: 0 });
  t.same(pk.prefix, { kind: 'index', value: 3, execute: false });
  t.equal(pk.command, 'k');
});

t.test('malformed selectors are caret-style syntax errors', async (t) => {
  const cases: [string, number][] = [
    ['~~[12 k', 7],
    ['~~12', 2],
    ['~*e', 3],
    ['~[]s', 2],
  ];
  for (const [text, offset] of cases) {
    try {
      parseCommand(text);
      t.fail(`${text} should throw`);
    } catch (e) {
      t.ok(e instanceof ExprError, text);
      if (e instanceof ExprError) {
        t.equal(e.kind, 'Syntax', `${text}: kind`);
        t.equal(e.style, 'caret', `${text}: style`);
        t.equal(e.offset, offset, `${text}: offset`);
      }
    }
  }
});

t.test('parseCommandLine keeps offsets into the line', async (t) => {
  const line = '.ecxr; ~*e r eax ; * done';
  const cmds = parseCommandLine(line);
  t.equal(cmds.length, 3);
  t.equal(cmds[0]!.command, '.ecxr');
  t.equal(cmds[1]!.raw, '~*e r eax');
  t.equal(cmds[1]!.offset, 7);
  t.equal(line.slice(cmds[1]!.argsOffset), 'eax ; * done');
  t.equal(cmds[2]!.comment, true);
  t.equal(cmds[2]!.command, '*');
});

t.test('random lines: split and parse never fail with anything but a Syntax ExprError', async (t) => {
  const alphabet = ['~', '*', 'e', ' ', ';', '"', '\\', '$$', '$<', '$$>a<', '[', ']', '|', '||', '#', '.', '1', 's', 'k', '!', '{', '}', '.if', '?'];
  let seed = 777;
  const rand = (n: number): number => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    return seed % n;
  };
  for (let i = 0; i < 3000; i++) {
    let line = '';
    const len = 1 + rand(12);
    for (let j = 0; j < len; j++) line += alphabet[rand(alphabet.length)];
    const pieces = splitCommandLine(line);
    for (const p of pieces) {
      if (line.slice(p.offset, p.offset + p.text.length) !== p.text) t.fail(`${JSON.stringify(line)}: bad piece offset`);
      try {
        const c = parseCommand(line, p.offset, p.offset + p.text.length);
        if (c.argsOffset < p.offset || c.argsOffset > p.offset + p.text.length) t.fail(`${JSON.stringify(line)}: argsOffset`);
      } catch (e) {
        if (!(e instanceof ExprError) || e.kind !== 'Syntax') t.fail(`${JSON.stringify(line)} threw ${String(e)}`);
      }
    }
  }
  t.pass('3000 random lines');
});
