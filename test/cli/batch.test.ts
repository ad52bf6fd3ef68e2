import t from 'tap';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { normalizeArgv, parseCli } from '../../src/cli/argv.js';
import { SynthDump } from '../fixtures/synth/minidump-writer.js';
import { BIN } from '../fixtures/session.js';

const dir = mkdtempSync(path.join(tmpdir(), 'dumpdbg-cli-'));
const dumpPath = path.join(dir, 'app.dmp');
writeFileSync(
  dumpPath,
  new SynthDump()
    .arch('amd64')
    .thread({ id: 0x10, context: { rip: 0x140001000n, rsp: 0x1000n } })
    .module({ base: 0x140000000n, size: 0x10000, name: 'C:\\app\\app.exe' })
    .exception({ threadId: 0x10, code: 0x80000003, address: 0x140001000n, parameters: [], context: { rip: 0x140001000n } })
    .miscInfo({ processId: 0x44 })
    .comment('ProcDump -ma -e 1 app.exe')
    .build(),
);

function run(args: string[], input?: string) {
  const r = spawnSync(process.execPath, [BIN, ...args], { input: input ?? '', encoding: 'utf8', timeout: 60000 });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

t.test("cdb's multi-letter options are normalized before minimist", async (t) => {
  t.same(normalizeArgv(['-cf', 'x.txt', '-logo', 'o.log', '-z', 'd.dmp', '-c', 'k']), ['--cf', 'x.txt', '--logo', 'o.log', '-z', 'd.dmp', '-c', 'k']);
  const o = parseCli(['-z', 'a.dmp', '-cf', 'script.txt', '-y', 'srv*', '-loga', 'l.txt']);
  t.same(o.commandFiles, ['script.txt'], '-cf is one option, not -c -f');
  t.equal(o.commands, undefined);
  t.same(o.logFile, { path: 'l.txt', append: true });
  t.same(parseCli(['-z', 'a.dmp', '-z', 'b.dmp']).dumps, ['a.dmp', 'b.dmp'], '-z may repeat');
});

t.test('batch mode prints the banner, the initial-command line and each output', async (t) => {
  const r = run(['-z', dumpPath, '-c', '.echo one;.lastevent;q']);
  t.equal(r.code, 0);
  const lines = r.out.split('\n');
  t.ok(lines.includes(`Loading Dump File [${dumpPath}]`));
  t.ok(lines.includes("Comment: 'ProcDump -ma -e 1 app.exe'"), 'procdump records its command line in the comment stream');
  t.ok(lines.includes('(44.10): Break instruction exception - code 80000003 (first/second chance not available)'));
  const i = lines.indexOf("0:000> cdb: Reading initial command '.echo one;.lastevent;q'");
  t.ok(i > 0);
  t.same(lines.slice(i + 1, i + 3), ['one', 'Last event: 44.10: Break instruction exception - code 80000003 (first/second chance not available)']);
  t.match(lines[i + 3], /^  debugger time: \w{3} \w{3} [ \d]\d \d\d:\d\d:\d\d\.000 \d{4} \(UTC \+ 0:00\)$/);
  t.equal(lines[i + 4], 'quit:');
});

t.test('--echo prints the prompt and command before each output', async (t) => {
  const r = run(['-z', dumpPath, '--echo', '-c', '.echo hi;q']);
  t.match(r.out, /0:000> \.echo hi\nhi\n0:000> q\nquit:\n$/);
});

t.test('--json prints one object per command', async (t) => {
  const r = run(['-z', dumpPath, '--json', '-c', '~;q']);
  const recs = r.out.trim().split('\n').map((l) => JSON.parse(l) as { command: string; ok: boolean; data?: { type: string; threads?: { threadId: number }[] } });
  t.equal(recs.length, 2);
  t.equal(recs[0]!.command, '~');
  t.equal(recs[0]!.data!.type, 'threads');
  t.equal(recs[0]!.data!.threads![0]!.threadId, 0x10);
});

t.test('commands come from stdin when it is not a terminal; -cf runs a script', async (t) => {
  const r = run(['-z', dumpPath], '.echo from-stdin\nq\n');
  t.match(r.out, /\nfrom-stdin\nquit:\n$/);
  const script = path.join(dir, 'script.txt');
  writeFileSync(script, '.echo line1\nnot_a_command\n.echo line3\nq\n');
  const s = run(['-z', dumpPath, '-cf', script]);
  t.match(s.out, /line1\n/);
  t.match(s.out, new RegExp(`${script.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:2: error in 'not_a_command'`), 'a failing script line reports FILE:LINE');
  t.match(s.out, /line3\nquit:/, 'the script goes on after an error');
});

t.test('exit codes: 2 for bad arguments, 1 for unreadable dumps, with one sentence', async (t) => {
  const bad = run(['--nope']);
  t.equal(bad.code, 2);
  t.match(bad.err, /^dumpdbg: unknown option --nope/);
  const missing = run(['-z', path.join(dir, 'missing.dmp'), '-c', 'q']);
  t.equal(missing.code, 1);
  t.match(missing.err, /cannot open .*missing\.dmp: ENOENT/);
  const notDump = path.join(dir, 'text.dmp');
  writeFileSync(notDump, 'hello, this is not a dump at all');
  const nd = run(['-z', notDump, '-c', 'q']);
  t.equal(nd.code, 1);
  t.equal(nd.err.trim().split('\n').length, 1, 'one line');
  t.notMatch(nd.err, /\bat .*\.js:\d+/, 'no stack trace');
  const kernel = path.join(dir, 'kernel.dmp');
  writeFileSync(kernel, Buffer.concat([Buffer.from('PAGEDU64'), Buffer.alloc(4096)]));
  const k = run(['-z', kernel, '-c', 'q']);
  t.equal(k.code, 1);
  t.match(k.err, /kernel dump/i);
  t.equal(run([]).code, 2, 'no dump given');
});
