import t from 'tap';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseLogArgs, timestampedLogName } from '../../commands/meta/log.js';
import { parseScriptArgs, scriptCommands, substituteArgs } from '../../commands/meta/script.js';
import { renderLines } from '../../src/results/render-text.js';
import { BIN, REPO, sessionFromFile } from '../fixtures/session.js';

const DUMP = path.join(REPO, 'examples', 'dumps', 'div-zero.dmp');
const dir = mkdtempSync(path.join(tmpdir(), 'dumpdbg-script-'));

function write(name: string, text: string): string {
  const p = path.join(dir, name);
  mkdirSync(path.dirname(p), { recursive: true });
  writeFileSync(p, text);
  return p;
}

t.test('argument parsing and substitution', async (t) => {
  t.same(parseScriptArgs('a.txt 1 "two words" x;k'), ['a.txt', '1', 'two words', 'x']);
  t.equal(substituteArgs('~${$arg1}s; .echo ${$arg2} ${$arg3} ${/d:$arg2} ${/d:$arg3} ${$arg0}', ['f.txt', '4', 'hi']), '~4s; .echo hi ${$arg3} 1 0 f.txt');
  const lines = scriptCommands('.echo a; .echo b\n\n$$ note\n* star ; hidden\nk', 'lines');
  t.same(lines.echo.map((e) => e.line), [1, 3, 4, 5]);
  t.same(lines.commands.flat().filter((c) => !c.comment).map((c) => [c.text, c.line]), [['.echo a', 1], ['.echo b', 1], ['k', 5]]);
  const block = scriptCommands('.echo a\n\n.echo b; r\n', 'block');
  t.same(block.echo.map((e) => e.text), ['.echo a;.echo b; r']);
  t.same(block.commands.flat().map((c) => [c.text, c.line]), [['.echo a', 1], ['.echo b', 3], ['r', 3]], 'collapsed commands keep their file lines');
});

t.test('$< runs line by line with echo; errors say FILE:LINE and the script goes on', async (t) => {
  const s = sessionFromFile(DUMP, { symbolPath: path.dirname(DUMP), imagePath: path.dirname(DUMP) });
  const file = write('triage.txt', '$$ triage script\n.echo START\nnosuchcmd\n.exr -1; .echo END\n');
  const r = await s.result(`$<${file}`);
  t.notOk(r.failed, 'the script itself ran');
  const out = renderLines(r);
  t.same(out, [
    `0:000> $$ triage script`,
    '0:000> .echo START',
    'START',
    '0:000> nosuchcmd',
    `${file}:3: error in 'nosuchcmd'`,
    ...out.slice(5, out.indexOf('0:000> .exr -1; .echo END')),
    '0:000> .exr -1; .echo END',
    'ExceptionAddress: 0000000140002796 (crashlab!divide+0x0000000000000006)',
    '   ExceptionCode: c0000094 (Integer divide-by-zero)',
    '  ExceptionFlags: 00000000',
    'NumberParameters: 0',
    'END',
  ]);
  t.match(out.slice(5).join('\n'), /Syntax error in 'nosuchcmd'/);
  t.same(r.data?.['failures'], [{ line: 3, command: 'nosuchcmd' }]);
  t.equal(r.data?.['commands'], 4);
});

t.test('$$>a< substitutes arguments and does not echo; $$< ends at ;', async (t) => {
  const s = sessionFromFile(DUMP);
  const file = write('show.txt', '.echo thread ${$arg1} of ${$arg0}\n.echo ${$arg2}\n');
  t.same(await s.run(`$$>a<${file} 7 "x y"`), [`thread 7 of ${file}`, 'x y']);
  const plain = write('plain.txt', '.echo inside\n');
  t.same(await s.run(`$$<${plain}; .echo after`), [`0:000> .echo inside`, 'inside', 'after'], '$$< is one command of the line');
  t.same(await s.run(`$><${plain}`), ['0:000> .echo inside', 'inside']);
  const two = write('two.txt', '.echo a\n.echo b\n');
  t.same(await s.run(`$$><${two}`), ['0:000> .echo a;.echo b', 'a', 'b'], 'collapsed: one echo line');
});

t.test('nested scripts resolve next to the running script; missing files and recursion end cleanly', async (t) => {
  const s = sessionFromFile(DUMP);
  write('nest/inner.txt', '.echo inner\n');
  const outer = write('nest/outer.txt', '$$<inner.txt\n.echo outer\n');
  t.same(await s.run(`$<${outer}`), ['0:000> $$<inner.txt', '0:000> .echo inner', 'inner', '0:000> .echo outer', 'outer']);
  const r = await s.result(`$<${path.join(dir, 'missing.txt')}`);
  t.ok(r.failed);
  t.match(renderLines(r).join('\n'), /Couldn't open script file/);
  const self = write('self.txt', `$$<${path.join(dir, 'self.txt')}\n`);
  const rec = await s.result(`$$<${self}`);
  t.match(renderLines(rec).join('\n'), /Command nesting too deep/, 'endless recursion stops at the nesting limit');
});

t.test('.logopen /t file names and options', async (t) => {
  t.equal(timestampedLogName('c:\\logs\\mylogfile.txt', 0x2bc, new Date(2005, 1, 28, 9, 5, 50, 935)), 'c:\\logs\\mylogfile_02BC_2005-02-28_09-05-50-935.txt');
  t.equal(timestampedLogName('run', 0x12345, new Date(2026, 10, 21, 1, 2, 3, 4)), 'run_12345_2026-11-21_01-02-03-004');
  t.same(parseLogArgs('/t /u "a b.log"'), { timestamp: true, unicode: true, file: 'a b.log' });
  t.same(parseLogArgs(''), { timestamp: false, unicode: false, file: 'Dbgeng.log' });
  t.throws(() => parseLogArgs('/q x'));
});

t.test('.logopen/.logclose set session.log; batch output goes to the log, -logo and .logopen share it', async (t) => {
  const s = sessionFromFile(DUMP);
  const log = path.join(dir, 'a.log');
  t.same(await s.run(`.logopen ${log}`), [`Opened log file '${log}'`]);
  t.same(s.session.log, { path: log });
  t.same(await s.run('.logfile'), [`Log '${log}' open`]);
  t.same(await s.run('.logclose'), [`Closing open log file ${log}`]);
  t.equal(s.session.log, undefined);
  t.same(await s.run('.logclose'), []);
  const r = await s.result(`.logopen ${path.join(dir, 'no', 'such', 'dir', 'x.log')}`);
  t.ok(r.failed);
  t.same(renderLines(r), ['log file could not be opened']);

  const logo = path.join(dir, 'b.log');
  const second = path.join(dir, 'c.log');
  const stamped = path.join(dir, 'stamp.log');
  const run = spawnSync(process.execPath, [BIN, '-logo', logo, '-z', DUMP, '-c', `.echo one; .logclose; .echo not-logged; .logopen ${second}; .echo two; .logopen /t ${stamped}; .echo three; q`], { encoding: 'utf8', input: '' });
  t.equal(run.status, 0, run.stderr);
  const a = readFileSync(logo, 'utf8');
  t.match(a, 'Loading Dump File', '-logo logs the banner');
  t.match(a, '\none\n');
  t.notMatch(a, /^not-logged$/m, 'output after .logclose is not logged');
  const b = readFileSync(second, 'utf8');
  t.match(b, `Opened log file '${second}'\ntwo\n`);
  t.match(b, `Closing open log file ${second}`, 'closing an open log is announced in it');
  const stampedFile = readdirSync(dir).find((f) => /^stamp_[0-9A-F]{4,}_\d{4}-\d\d-\d\d_\d\d-\d\d-\d\d-\d{3}\.log$/.test(f));
  t.ok(stampedFile, '/t appends _PID_date_time');
  t.match(readFileSync(path.join(dir, stampedFile!), 'utf8'), 'three\nquit:\n');
});

t.test('-cf runs a script file: FILE:LINE on errors, goes on', async (t) => {
  const file = write('cf.txt', '.echo first\nbogus\n.echo last\nq\n');
  const run = spawnSync(process.execPath, [BIN, '-z', DUMP, '-cf', file], { encoding: 'utf8', input: '' });
  t.equal(run.status, 0);
  t.match(run.stdout, `first\n${file}:2: error in 'bogus'`);
  t.match(run.stdout, 'last\nquit:');
  t.ok(existsSync(file));
});
