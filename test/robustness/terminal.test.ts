/**
 * A hostile dump cannot drive the terminal: module names, thread names,
 * comments, memory shown by da/du/dc and file names carry ESC [ 2 J (clear
 * screen), OSC 52 (set the clipboard), BEL and CR; every output path (batch
 * text, --json, the log file, stderr, the UI) must show them escaped.
 */
import t from 'tap';
import type { Test } from 'tap';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { BIN, sessionFromBuffer } from '../fixtures/session.js';
import { CLEAR, hostileDump, RAW_CONTROL, TEXT_AT, WIDE_AT } from '../fixtures/robustness/hostile.js';

const dir = mkdtempSync(path.join(tmpdir(), 'dumpdbg-term-'));
t.teardown(() => rmSync(dir, { recursive: true, force: true }));

const COMMANDS = [
  '||', '~', '~*k', 'lm', 'lmv', 'lmvm evil*', '!lmi 0x140000000', '.exr -1', '.ecxr', 'kn', '!analyze -v', '.lastevent', 'vertarget',
  `da 0x${TEXT_AT.toString(16)}`, `du 0x${WIDE_AT.toString(16)}`, `dc 0x${TEXT_AT.toString(16)} L10`, `db 0x${TEXT_AT.toString(16)} L20`,
  `.echo ${CLEAR}echoed\x07`, '.dumpdebug', `ln 0x140001000`, '!teb', '!peb',
];

function assertClean(t: Test, label: string, s: string): void {
  const m = RAW_CONTROL.exec(s);
  t.notOk(m, `${label}: no raw control characters${m ? ` (found 0x${m[0].charCodeAt(0).toString(16)} at ${m.index}: ${JSON.stringify(s.slice(Math.max(0, m.index - 30), m.index + 10))})` : ''}`);
}

t.test('in-process: every command escapes dump strings', async (t) => {
  const s = sessionFromBuffer(hostileDump(), 'hostile.dmp');
  const all: string[] = [];
  for (const c of COMMANDS) {
    const lines = await s.run(c);
    for (const l of lines) assertClean(t, c, l);
    all.push(...lines);
  }
  const joined = all.join('\n');
  // The hostile strings are shown (escaped), not dropped: the user sees what the dump holds.
  t.ok(joined.includes('Image name: evil\\x1b[2J\\x1b]52;c;ZWNobyBwd25lZA==\\x07\\x07\\x0dX\\x9b1m.exe'), 'module name shown escaped');
  t.match(joined, /main\\x1b\[2J/, 'thread name shown escaped');
  t.ok(joined.includes('"hi.[2J.]52;c;ZWNobyBwd25lZA==..."'), 'da shows control bytes as dots');
  t.ok(joined.includes('"wide.[2J.]52;c;ZWNobyBwd25lZA==."'), 'du shows control characters as dots');
  t.end();
});

t.test('CLI: batch text, log file, --json and stderr', { skip: existsSync(BIN) ? false : 'dist not built (npm test builds it)' }, async (t) => {
  const dump = path.join(dir, 'hostile.dmp');
  writeFileSync(dump, hostileDump());
  const log = path.join(dir, 'session.log');
  const cmds = COMMANDS.join(';') + ';q';
  const text = spawnSync(process.execPath, [BIN, '-z', dump, '-logo', log, '-c', cmds], { encoding: 'utf8', timeout: 120_000 });
  t.equal(text.status, 0, 'exit 0');
  t.match(text.stdout, /Comment: 'comment A \\x1b\[2J/, 'banner comment escaped');
  assertClean(t, 'stdout', text.stdout.replace(/\n/g, ' '));
  assertClean(t, 'stderr', text.stderr.replace(/\n/g, ' '));
  const logText = readFileSync(log, 'utf8');
  t.ok(logText.includes('evil\\x1b[2J'), 'log file has the escaped module name');
  assertClean(t, 'log file', logText.replace(/\n/g, ' '));

  const json = spawnSync(process.execPath, [BIN, '-z', dump, '--json', '-c', cmds], { encoding: 'utf8', timeout: 120_000 });
  t.equal(json.status, 0, '--json exit 0');
  assertClean(t, '--json stdout', json.stdout.replace(/\n/g, ' '));
  const records = json.stdout.trim().split('\n').map((l) => JSON.parse(l) as { command: string; text: string[] });
  t.ok(records.some((r) => r.text.join('\n').includes(`evil${CLEAR}`)), 'JSON keeps the exact string (JSON escapes it)');

  // A file name with escapes, in the refusal on stderr.
  const badName = path.join(dir, `bad${CLEAR}\x07.dmp`);
  writeFileSync(badName, 'not a dump at all, just text');
  const bad = spawnSync(process.execPath, [BIN, '-z', badName, '-c', 'q'], { encoding: 'utf8', timeout: 60_000 });
  t.equal(bad.status, 1, 'unreadable dump exits 1');
  t.match(bad.stderr, /is not a minidump/);
  assertClean(t, 'stderr of a refusal', bad.stderr.replace(/\n/g, ' '));
});
