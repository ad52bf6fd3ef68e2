/**
 * Golden transcripts: the "Done when" command line run through the
 * real CLI entry (src/cli/main.ts, in process, as `dumpdbg -z DUMP -c ...`)
 * over three of the project's example dumps. The whole batch output (banner,
 * initial-command line, every command's text, `quit:`) is compared with the
 * snapshot in tap-snapshots/; paths are normalized so the snapshot does not
 * depend on where the repository lives. Review a changed snapshot line by line
 * against windbg-commands.md before regenerating it (`npx tap --snapshot`).
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import t from 'tap';
import { main } from '../../src/cli/main.js';
import { stderrCapture, stdoutCapture } from '../../src/cli/stdout.js';
import { BIN, REPO } from '../fixtures/session.js';

const DONE_WHEN = '||;vertarget;~;lm;.exr -1;.ecxr;r;dps @$csp L8;!address -summary;q';
const DUMPS = ['null-deref.dmp', 'cpp-throw.dmp', 'deadlock.dmp'];

/** Runs main() with stdout/stderr captured; the process keeps its own streams afterwards. */
async function runCli(args: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const stdoutWrite = process.stdout.write.bind(process.stdout);
  const stderrWrite = process.stderr.write.bind(process.stderr);
  const capture = (into: string[]) =>
    ((chunk: string | Uint8Array) => {
      into.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'));
      return true;
    }) as typeof process.stdout.write;
  process.stdout.write = capture(out);
  process.stderr.write = capture(err);
  stdoutCapture.write = (text) => void out.push(text);
  stderrCapture.write = (text) => void err.push(text);
  let code: number;
  try {
    code = await main(args);
  } finally {
    process.stdout.write = stdoutWrite;
    process.stderr.write = stderrWrite;
    delete stdoutCapture.write;
    delete stderrCapture.write;
  }
  return { code, out: out.join(''), err: err.join('') };
}

// A fixed environment: no symbol path from the machine, times shown in UTC, no statistics.
delete process.env['_NT_SYMBOL_PATH'];
delete process.env['DUMPDBG_STATS'];
process.env['TZ'] = 'UTC';

for (const name of DUMPS) {
  const file = path.join(REPO, 'examples', 'dumps', name);
  t.test(name, async (t) => {
    if (!existsSync(file)) {
      t.skip(`${file} is missing`);
      return;
    }
    const r = await runCli(['-z', file, '-c', DONE_WHEN]);
    t.equal(r.code, 0, 'exit code 0');
    t.equal(r.err, '', 'nothing on stderr');
    const text = r.out.split(file).join(`<examples>/${name}`).split(REPO).join('<repo>');
    t.match(text, /\nquit:\n$/, 'the batch ends with quit:');
    t.matchSnapshot(text, 'Done-when transcript');
  });
}

t.test('piping the batch output into head ends quietly (no EPIPE stack trace)', async (t) => {
  const file = path.join(REPO, 'examples', 'dumps', 'null-deref.dmp');
  if (!existsSync(BIN) || !existsSync(file)) {
    t.skip('needs the built CLI (npx tsc -p tsconfig.json) and the example dump');
    return;
  }
  // 64k lines of `??`: far more than a pipe buffer, so the writes after head exits fail.
  const r = spawnSync('sh', ['-c', `"${process.execPath}" "${BIN}" -z "${file}" -c 'db 0 L?100000;q' | head -1`], { encoding: 'utf8', timeout: 120_000 });
  t.equal(r.stdout.split('\n')[0], '', 'head got the first (empty) banner line');
  t.notMatch(r.stderr, /EPIPE|Unhandled|at \w+ \(/, 'nothing but silence on stderr');
});
