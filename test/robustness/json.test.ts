/**
 * Structured output for automation: every command in the command table has a
 * JSON form (a result with `data.type`), every record has the documented shape
 * {command, ok, data{type,...}, error, text, explain}, and refusals outside any
 * command (bad arguments, unreadable dumps) are JSON records on stdout too.
 */
import t from 'tap';
import type { Test } from 'tap';
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { builtinCommands } from '../../commands/index.js';
import { renderJson } from '../../src/results/render-text.js';
import { BIN, REPO, sessionFromFile } from '../fixtures/session.js';

const EXAMPLES = path.join(REPO, 'examples', 'dumps');
const DUMP = path.join(EXAMPLES, 'null-deref.dmp');

interface JsonRecord { command: string; ok: boolean; data?: { type?: unknown }; error?: unknown; text?: unknown; explain?: unknown }

function checkShape(t: Test, line: string, label: string): JsonRecord {
  const rec = JSON.parse(line) as JsonRecord;
  t.type(rec.command, 'string', `${label}: command`);
  t.type(rec.ok, 'boolean', `${label}: ok`);
  t.ok(Array.isArray(rec.text), `${label}: text is an array`);
  if (!rec.ok) t.type(rec.error, 'string', `${label}: a failure carries error`);
  if (rec.explain !== undefined) t.ok(Array.isArray(rec.explain), `${label}: explain is an array`);
  return rec;
}

if (!existsSync(DUMP)) {
  t.plan(0, 'examples/dumps/null-deref.dmp not present');
} else {
  const dir = mkdtempSync(path.join(tmpdir(), 'dumpdbg-json-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  // A copy of the dump beside a WER report (.wer reads the dump's folder).
  const dump = path.join(dir, 'null-deref.dmp');
  copyFileSync(DUMP, dump);
  writeFileSync(path.join(dir, 'Report.wer'), 'Version=1\r\nEventType=APPCRASH\r\nSig[0].Name=Application Name\r\nSig[0].Value=crashlab.exe\r\n');
  writeFileSync(path.join(dir, 'triage.txt'), 'r\nk\n');
  writeFileSync(path.join(dir, 'show-thread.txt'), '~${$arg1}s\n');

  /** Commands whose first example needs files or state this test makes first. */
  const invocation: Record<string, string> = {
    '.opendump': `.opendump ${path.join(EXAMPLES, 'div-zero.dmp')}`,
    uf: 'uf crashlab!read_field',
    '$<': `$<${path.join(dir, 'triage.txt')}`,
    '$><': `$><${path.join(dir, 'triage.txt')}`,
    '$$<': `$$<${path.join(dir, 'triage.txt')}`,
    '$$><': `$$><${path.join(dir, 'triage.txt')}`,
    '$$>a<': `$$>a<${path.join(dir, 'show-thread.txt')} 1`,
    '.logopen': `.logopen ${path.join(dir, 'a.log')}`,
    '.logappend': `.logappend ${path.join(dir, 'a.log')}`,
    '.record': `.record ${path.join(dir, 'a.wds')}`,
    '??': '?? 1 + 2',
  };
  /** Commands that need another command first. */
  const before: Record<string, string> = { '.hint': '.lesson null-deref', '.answer': '.lesson null-deref', '.logclose': `.logopen ${path.join(dir, 'b.log')}` };

  t.test('every command in the table has a JSON form', async (t) => {
    const missing: string[] = [];
    for (const spec of builtinCommands) {
      // A fresh session per command: state one command leaves (.opendump, .lesson, q) does not leak.
      const s = sessionFromFile(dump, { symbolPath: EXAMPLES, imagePath: EXAMPLES });
      try {
        if (before[spec.name]) await s.run(before[spec.name] as string);
        const line = invocation[spec.name] ?? spec.examples?.[0] ?? spec.name;
        const r = await s.result(line);
        const rec = checkShape(t, renderJson(line, r), spec.name);
        if (typeof rec.data?.type !== 'string') missing.push(`${spec.name} (${line}): ${r.failed ? 'failed without data: ' + r.blocks.flatMap((b) => b.lines).join(' / ') : 'no data.type'}`);
      } finally {
        s.session.close();
      }
    }
    t.same(missing, [], 'commands without a JSON form');
    t.ok(builtinCommands.length > 40, `walked ${builtinCommands.length} commands`);
  });

  t.test('CLI --json: records per command, JSON refusals on stdout', { skip: existsSync(BIN) ? false : 'dist not built (npm test builds it)' }, async (t) => {
    const run = (args: string[]) => spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', timeout: 120_000 });
    const ok = run(['-z', dump, '--json', '-c', 'lm;kn;zzz;q']);
    t.equal(ok.status, 0);
    const recs = ok.stdout.trim().split('\n').map((l, i) => checkShape(t, l, `line ${i}`));
    t.same(recs.map((r) => r.command), ['lm', 'kn', 'zzz', 'q']);
    t.equal(recs[0]?.data?.type, 'modules');
    t.equal(recs[1]?.data?.type, 'stack');
    t.equal(recs[2]?.ok, false, 'an unknown command is ok:false');
    t.match(String(recs[2]?.error), /Syntax error/);

    const notDump = path.join(dir, 'notes.txt');
    writeFileSync(notDump, 'just some text, not a dump');
    const bad = run(['-z', notDump, '--json', '-c', 'q']);
    t.equal(bad.status, 1, 'unreadable dump exits 1');
    t.match(bad.stderr, /notes\.txt is not a minidump/, 'the sentence on stderr');
    const rec = checkShape(t, bad.stdout.trim(), 'open error');
    t.equal(rec.ok, false);
    t.equal(rec.data?.type, 'openError');
    t.match(rec, { data: { kind: 'NotADump', path: notDump } });
    t.match(String(rec.error), /notes\.txt is not a minidump/);

    const usage = run(['--json', '--no-such-option']);
    t.equal(usage.status, 2, 'bad arguments exit 2');
    t.equal(checkShape(t, usage.stdout.trim().split('\n').at(-1) ?? '', 'usage error').data?.type, 'usageError');
    const none = run(['--json']);
    t.equal(none.status, 2);
    t.equal(checkShape(t, none.stdout.trim(), 'no dump').data?.type, 'usageError');
  });
}
