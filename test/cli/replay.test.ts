import t from 'tap';
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { diffLines, unifiedDiff } from '../../src/cli/diff.js';
import { replayFile } from '../../src/cli/replay.js';
import { dumpIdentity, maskMemoryRow, maskUserFolders, parseTranscript, TranscriptError, transcriptRelative } from '../../src/session/transcript.js';
import { BIN, CORPUS, HAVE_CORPUS, REPO } from '../fixtures/session.js';

const SESSIONS = path.join(REPO, 'examples', 'sessions');
const DUMPS = path.join(REPO, 'examples', 'dumps');

function run(args: string[], cwd = REPO) {
  const r = spawnSync(process.execPath, [BIN, ...args], { input: '', encoding: 'utf8', timeout: 120000, cwd });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

/** Applies an edit script to `a`; must give `b`. */
function apply(a: string[], b: string[], ops: ReturnType<typeof diffLines>): string[] {
  const out: string[] = [];
  for (const o of ops) {
    if (o.op === 'equal') {
      if (a[o.a] !== b[o.b]) throw new Error(`equal op on different lines ${o.a}/${o.b}`);
      out.push(a[o.a]!);
    } else if (o.op === 'insert') out.push(b[o.b]!);
  }
  return out;
}

t.test('diffLines: edit scripts rebuild the new side and are minimal on small cases', async (t) => {
  let seed = 12345;
  const rnd = (n: number) => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    return seed % n;
  };
  for (let i = 0; i < 200; i++) {
    const a = Array.from({ length: rnd(30) }, () => 'abcde'[rnd(5)]!);
    const b = Array.from({ length: rnd(30) }, () => 'abcde'[rnd(5)]!);
    const ops = diffLines(a, b);
    t.same(apply(a, b, ops), b, `case ${i}`);
    t.equal(ops.filter((o) => o.op !== 'insert').length, a.length, `case ${i}: every old line accounted for`);
  }
  // One changed line in the middle: one delete and one insert.
  const a = ['1', '2', '3', '4', '5', '6', '7', '8', '9'];
  const b = ['1', '2', '3', '4', 'X', '6', '7', '8', '9'];
  const ops = diffLines(a, b);
  t.equal(ops.filter((o) => o.op === 'delete').length, 1);
  t.equal(ops.filter((o) => o.op === 'insert').length, 1);
});

t.test('unifiedDiff: headers, hunk ranges, three lines of context, merged nearby changes', async (t) => {
  const a = Array.from({ length: 20 }, (_, i) => `line ${i + 1}`);
  const b = [...a];
  b[9] = 'changed 10';
  t.same(unifiedDiff(a, b, { a: 'old', b: 'new' }), ['--- old', '+++ new', '@@ -7,7 +7,7 @@', ' line 7', ' line 8', ' line 9', '-line 10', '+changed 10', ' line 11', ' line 12', ' line 13']);
  t.same(unifiedDiff(a, a, { a: 'x', b: 'y' }), [], 'equal texts: no diff');
  const c = [...a];
  c[1] = 'two';
  c[18] = 'nineteen';
  const d = unifiedDiff(a, c, { a: 'a', b: 'b' });
  t.equal(d.filter((l) => l.startsWith('@@')).length, 2, 'far-apart changes: two hunks');
  t.equal(d[2], '@@ -1,5 +1,5 @@');
  const e = [...a];
  e[4] = 'five';
  e[8] = 'nine';
  t.equal(unifiedDiff(a, e, { a: 'a', b: 'b' }).filter((l) => l.startsWith('@@')).length, 1, 'changes 4 lines apart share a hunk');
  t.same(unifiedDiff([], ['x'], { a: 'a', b: 'b' }), ['--- a', '+++ b', '@@ -0,0 +1,1 @@', '+x']);
});

t.test('parseTranscript: header, commands, output; errors name the line', async (t) => {
  const tr = parseTranscript(
    ['# c', 'dump: ../dumps/x.dmp', 'dump-size: 12', `dump-sha256: ${'ab'.repeat(32)}`, 'symbol-path: a;srv*c*http://s', 'image-path:', 'explain: on', 'redact: off', 'time-zone: Europe/Berlin', '0:000> k', '  line one', '', '    indented', '0:001> ~1s', '> .echo hand-written'].join('\n') + '\n',
  );
  t.same(tr.dumps, [{ path: '../dumps/x.dmp', identity: { size: 12, sha256: 'ab'.repeat(32) } }]);
  t.equal(tr.symbolPath, 'a;srv*c*http://s');
  t.equal(tr.imagePath, '');
  t.equal(tr.explain, true);
  t.equal(tr.timeZone, 'Europe/Berlin');
  t.same(
    tr.commands.map((c) => [c.prompt, c.command, c.output, c.line]),
    [
      ['0:000>', 'k', ['line one', '', '  indented'], 10],
      ['0:001>', '~1s', [], 14],
      ['', '.echo hand-written', [], 15],
    ],
  );
  t.throws(() => parseTranscript('0:000> k\n'), TranscriptError, 'no dump line');
  t.throws(() => parseTranscript('dump: x\ndump-size: many\n'), /line 2/);
  t.throws(() => parseTranscript('dump: x\n  output first\n'), /line 2: output before the first command/);
});

t.test('paths and identity', async (t) => {
  const id = dumpIdentity(path.join(DUMPS, 'div-zero.dmp'));
  t.equal(id?.size, 208939, 'size from PROVENANCE.md');
  t.match(id?.sha256, /^[0-9a-f]{64}$/);
  t.equal(dumpIdentity(path.join(DUMPS, 'no-such.dmp')), undefined);
  t.equal(transcriptRelative(path.join(DUMPS, 'div-zero.dmp'), SESSIONS), '../dumps/div-zero.dmp', 'same repository: relative');
  const tmp = mkdtempSync(path.join(tmpdir(), 'dumpdbg-rel-'));
  t.equal(transcriptRelative(path.join(tmp, 'sub', 'a.dmp'), tmp), 'sub/a.dmp', 'below the transcript: relative');
  t.equal(transcriptRelative(path.join(DUMPS, 'div-zero.dmp'), tmp), path.join(DUMPS, 'div-zero.dmp'), 'elsewhere: absolute');
});

t.test('redaction masks memory rows and user folders', async (t) => {
  t.equal(maskMemoryRow('00000000`0011fc98  48 65 6c 6c 6f 00 00 00-00 00 00 00 00 00 00 00  Hello...........'), '00000000`0011fc98  xx xx xx xx xx xx xx xx-xx xx xx xx xx xx xx xx  xxxxxxxxxxxxxxxx');
  t.equal(maskMemoryRow('not a row'), 'not a row');
  t.equal(maskUserFolders('C:\\Users\\alice\\AppData\\x.dll and C:\\Users\\Public\\y'), 'C:\\Users\\<user>\\AppData\\x.dll and C:\\Users\\Public\\y');
});

t.test('dumpdbg --replay examples/sessions/ passes', async (t) => {
  const files = readdirSync(SESSIONS).filter((f) => f.endsWith('.wds'));
  t.ok(files.length >= 5, 'several recorded transcripts');
  const r = run(['--replay', 'examples/sessions/']);
  t.equal(r.code, 0, r.out + r.err);
  t.match(r.out, new RegExp(`^${files.length} passed, 0 failed$`, 'm'));
  for (const f of files) t.match(r.out, `ok   examples/sessions/${f}`);
});

t.test('changing one byte of a recorded output fails the replay with a readable diff', async (t) => {
  // A copy with the same layout (sessions/ next to dumps/): the transcript's ../dumps resolves.
  const dir = mkdtempSync(path.join(tmpdir(), 'dumpdbg-onebyte-'));
  const sessions = path.join(dir, 'sessions');
  cpSync(SESSIONS, sessions, { recursive: true });
  cpSync(path.join(DUMPS, 'div-zero.dmp'), path.join(dir, 'dumps', 'div-zero.dmp'));
  cpSync(path.join(DUMPS, 'crashlab.pdb'), path.join(dir, 'dumps', 'crashlab.pdb'));
  cpSync(path.join(DUMPS, 'crashlab.exe'), path.join(dir, 'dumps', 'crashlab.exe'));
  const file = path.join(sessions, 'triage-div-zero.wds');
  t.equal(run(['--replay', file]).code, 0, 'the copy replays');
  const text = readFileSync(file, 'utf8');
  const at = text.indexOf('ExceptionCode: c0000094');
  t.ok(at > 0);
  writeFileSync(file, text.slice(0, at) + 'ExceptionCode: c0000095' + text.slice(at + 'ExceptionCode: c0000094'.length));
  const lineNo = text.slice(0, at).split('\n').length;
  const r = run(['--replay', file]);
  t.equal(r.code, 1, 'exit 1: output differs');
  t.match(r.out, /^FAIL .*triage-div-zero\.wds: output differs \(2 lines changed\)$/m);
  t.match(r.out, /^--- .*triage-div-zero\.wds \(recorded\)$/m);
  t.match(r.out, /^\+\+\+ .*triage-div-zero\.wds \(replayed\)$/m);
  t.match(r.out, new RegExp(`^@@ -${lineNo - 3},7 \\+${lineNo - 3},7 @@$`, 'm'), 'hunk starts three lines before the change');
  t.match(r.out, /^-     ExceptionCode: c0000095 \(Integer divide-by-zero\)$/m);
  t.match(r.out, /^\+     ExceptionCode: c0000094 \(Integer divide-by-zero\)$/m);

  // A folder with one broken transcript: summary line, exit 1.
  const all = run(['--replay', sessions]);
  t.equal(all.code, 2, 'other transcripts in the copy have no dump next to them: 2 wins');
  const summary = /^(\d+) passed, (\d+) failed$/m.exec(all.out);
  t.ok(summary && Number(summary[2]) >= 1, 'the summary counts the broken transcript as failed');
  t.match(all.out, /^FAIL .*triage-div-zero\.wds: output differs/m);
});

t.test('missing or different dump: exit 2', async (t) => {
  const dir = mkdtempSync(path.join(tmpdir(), 'dumpdbg-replay-'));
  cpSync(path.join(SESSIONS, 'triage-div-zero.wds'), path.join(dir, 'sessions', 't.wds'));
  for (const f of ['crashlab.exe', 'crashlab.pdb']) cpSync(path.join(DUMPS, f), path.join(dir, 'dumps', f));
  const r = run(['--replay', path.join(dir, 'sessions', 't.wds')]);
  t.equal(r.code, 2);
  t.match(r.out, /dump not found: .*div-zero\.dmp \(give another with --dump FILE\)/);
  const ok = run(['--replay', path.join(dir, 'sessions', 't.wds'), '--dump', path.join(DUMPS, 'div-zero.dmp')]);
  t.equal(ok.code, 0, '--dump names the same dump elsewhere: passes');
  const other = run(['--replay', path.join(dir, 'sessions', 't.wds'), '--dump', path.join(DUMPS, 'breakpoint.dmp')]);
  t.equal(other.code, 2, 'another dump: 2');
  t.match(other.out, /not the recorded one/);
  t.match(other.out, /^-.*c0000094/m, 'and the diff shows what changed');
  t.equal(run(['--replay', path.join(dir, 'sessions', 'nothing.wds')]).code, 2);
});

t.test('--record writes a transcript that replays; paths outside the repo are absolute', async (t) => {
  const dir = mkdtempSync(path.join(tmpdir(), 'dumpdbg-record-'));
  const file = path.join(dir, 's.wds');
  const r = run(['--record', file, '-y', 'examples/dumps', '-i', 'examples/dumps', '-z', 'examples/dumps/div-zero.dmp', '-c', '.exr -1; .echo "a;b"; .sympath; nosuchcommand; q']);
  t.equal(r.code, 0, r.err);
  const text = readFileSync(file, 'utf8');
  t.match(text, `dump: ${path.join(DUMPS, 'div-zero.dmp')}\n`);
  t.match(text, 'dump-size: 208939\n');
  t.match(text, `symbol-path: ${path.join(DUMPS)}\n`);
  t.match(text, '0:000> .exr -1\n  ExceptionAddress: 0000000140002796 (crashlab!divide+0x0000000000000006)\n');
  t.match(text, '0:000> .echo "a;b"\n  a;b\n');
  t.match(text, `  Symbol search path is: ${DUMPS}\n`, 'the relative path the user typed is written as the header spells it');
  t.match(text, /^0:000> nosuchcommand\n {2}\s*\^ Syntax error in 'nosuchcommand'$/m, 'errors are recorded too');
  const tr = parseTranscript(text);
  t.same(
    tr.commands.map((c) => c.command),
    ['.exr -1', '.echo "a;b"', '.sympath', 'nosuchcommand', 'q'],
  );
  const res = await replayFile(file);
  t.equal(res.status, 'pass', res.diff.join('\n'));
  // Replaying from another working directory gives the same output.
  t.equal(run(['--replay', file], dir).code, 0);
});

t.test('--redact masks memory contents in the transcript and still replays', async (t) => {
  const dir = mkdtempSync(path.join(tmpdir(), 'dumpdbg-redact-'));
  const file = path.join(dir, 'r.wds');
  const r = run(['--record', file, '--redact', '-z', 'examples/dumps/null-deref.dmp', '-c', 'db @rsp L10; q']);
  t.equal(r.code, 0, r.err);
  const text = readFileSync(file, 'utf8');
  t.match(text, 'redact: on\n');
  t.match(text, /^ {2}00000000`0011fc98 {2}xx xx xx xx xx xx xx xx-xx xx xx xx xx xx xx xx {2}x{16}$/m);
  t.equal((await replayFile(file)).status, 'pass');
  if (!existsSync(file)) t.fail('transcript missing');
});

t.test('--redact masks !peb strings and environment values (corpus dump with a PEB)', async (t) => {
  const dump = path.join(CORPUS, 'windows', 'tiny-exe-fastfail.dmp');
  if (!HAVE_CORPUS || !existsSync(dump)) {
    t.skip('corpus not present');
    return;
  }
  const dir = mkdtempSync(path.join(tmpdir(), 'dumpdbg-redact-peb-'));
  const file = path.join(dir, 'p.wds');
  t.equal(run(['--record', file, '--redact', '-z', dump, '-c', '!peb; q']).code, 0);
  const text = readFileSync(file, 'utf8');
  t.match(text, "CommandLine:  '<redacted>'");
  t.match(text, "CurrentDirectory:  '<redacted>'");
  t.match(text, /^ {10}APPDATA=<redacted>$/m);
  t.notMatch(text, /[=\\'].*(chromium|ajgo)/i, 'no user strings left (variable names stay)');
  t.match(text, 'SubSystemData:     0000000000000000', 'numbers that are not dump strings stay');
  t.equal((await replayFile(file)).status, 'pass');
});

t.test('.record in the REPL records what follows until .record off', async (t) => {
  const dir = mkdtempSync(path.join(tmpdir(), 'dumpdbg-dotrecord-'));
  const file = path.join(dir, 'repl.wds');
  const r = spawnSync(process.execPath, [BIN, '--plain', '-y', 'examples/dumps', '-i', 'examples/dumps', 'examples/dumps/div-zero.dmp'], {
    cwd: REPO,
    encoding: 'utf8',
    input: `.echo before\n.record ${file}\n.exr -1\n.echo during\n.record off\n.echo after\n`,
  });
  t.equal(r.status, 0, r.stderr);
  t.match(r.stdout, `Recording to '${file}': replay it with dumpdbg --replay ${file}`);
  const tr = parseTranscript(readFileSync(file, 'utf8'));
  t.same(tr.commands.map((c) => c.command), ['.exr -1', '.echo during'], '.record lines themselves and commands outside are not recorded');
  t.equal((await replayFile(file)).status, 'pass');
});
