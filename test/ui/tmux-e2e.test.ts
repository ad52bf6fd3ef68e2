/**
 * End to end: the real program (dist/src/cli/bin.cjs, built by `npm test`)
 * in a real terminal (tmux), driven by keys, checked on the captured screen.
 * Skips cleanly without tmux, without the build, or without an example dump.
 */
import t from 'tap';
import type { Test } from 'tap';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { BIN, CORPUS, REPO } from '../fixtures/session.js';

const DUMP = [path.join(REPO, 'examples', 'dumps', 'null-deref.dmp'), path.join(CORPUS, 'wine-x64', 'null-deref-mini.dmp')].find((p) => existsSync(p));
const HAVE_TMUX = spawnSync('tmux', ['-V'], { encoding: 'utf8' }).status === 0;
/** A private tmux server, so the test never touches the user's sessions. */
const SOCKET = `dumpdbg-test-${process.pid}`;

const delay = (ms: number) => new Promise((r) => setTimeout(r, ms));
const tmux = (...args: string[]) => execFileSync('tmux', ['-L', SOCKET, ...args], { encoding: 'utf8' });
const capture = (s: string) => tmux('capture-pane', '-p', '-t', s);
const sh = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

async function waitFor(session: string, re: RegExp, ms = 30_000): Promise<string> {
  const end = Date.now() + ms;
  let screen = '';
  while (Date.now() < end) {
    screen = capture(session);
    if (re.test(screen)) return screen;
    await delay(100);
  }
  throw new Error(`timed out waiting for ${re} in:\n${screen}`);
}

/** Starts dumpdbg on the example dump in a detached tmux session of the given size. */
function start(name: string, width: number, height: number, configHome: string): void {
  const cmd = `env XDG_CONFIG_HOME=${sh(configHome)} TERM=xterm-256color node ${sh(BIN)} ${sh(DUMP!)}; echo EXITED:$?; sleep 60`;
  tmux('new-session', '-d', '-s', name, '-x', String(width), '-y', String(height), cmd);
}

function checkWidth(t: Test, screen: string, width: number): void {
  for (const [i, l] of screen.split('\n').entries()) if ([...l].length > width) t.fail(`row ${i} is wider than ${width}: ${l}`);
}

if (!HAVE_TMUX) t.plan(0, 'tmux is not installed (.ci/run installs it)');
else if (!existsSync(BIN)) t.plan(0, 'dist/src/cli/bin.cjs is not built (npm test builds it)');
else if (!DUMP) t.plan(0, 'no example dump');
else {
  t.teardown(() => {
    spawnSync('tmux', ['-L', SOCKET, 'kill-server']);
  });

  t.test('120x40: panes, select thread 1 in Threads, type kn, quit with Ctrl-D restores the screen', async (t) => {
    const cfg = mkdtempSync(path.join(tmpdir(), 'dumpdbg-e2e-'));
    start('wide', 120, 40, cfg);
    let s = await waitFor('wide', /Modules \(\d+\)[\s\S]*0:000> \.lastevent/);
    t.match(s, /Threads \(\d+\) current 0/);
    t.match(s, /Stack of thread 0/);
    t.match(s, /Code +c0000005 \(Access violation\)/);
    t.match(s, /Attempt to read from address/);
    checkWidth(t, s, 120);

    tmux('send-keys', '-t', 'wide', 'Tab');
    await waitFor('wide', /▶ Threads/);
    tmux('send-keys', '-t', 'wide', 'Down', 'Enter');
    s = await waitFor('wide', /Stack of thread 1/);
    t.match(s, /0:000> ~1s/, 'the selection ran ~1s');
    t.match(s, /Threads \(\d+\) current 1/);
    t.match(s, /│\. +1 /, 'thread 1 marked current');

    tmux('send-keys', '-t', 'wide', '-l', 'kn');
    tmux('send-keys', '-t', 'wide', 'Enter');
    s = await waitFor('wide', /0:001> kn[\s\S]*Child-SP/);
    t.match(s, /0:001> kn/);
    checkWidth(t, s, 120);

    // F1: the key table, in the command window.
    tmux('send-keys', '-t', 'wide', 'F1');
    s = await waitFor('wide', /Select the frame/);

    tmux('send-keys', '-t', 'wide', 'C-d');
    s = await waitFor('wide', /EXITED:0/);
    t.notMatch(s, /Threads \(/, 'the alternate screen is gone');
    t.match(s, /Loading Dump File/, 'the main screen is back as it was');
    t.equal(readFileSync(path.join(cfg, 'dumpdbg', 'history'), 'utf8'), 'kn\n', 'history persisted in XDG_CONFIG_HOME');
  });

  t.test('80x24: every pane readable, nothing wider than the terminal; q quits from a pane', async (t) => {
    const cfg = mkdtempSync(path.join(tmpdir(), 'dumpdbg-e2e-'));
    start('narrow', 80, 24, cfg);
    const s = await waitFor('narrow', /Modules \(\d+\)[\s\S]*0:000> \.lastevent/);
    for (const title of [/Threads \(\d+\)/, /Stack of thread 0/, /─ Exception/, /Modules \(\d+\)/, /Command/]) t.match(s, title);
    t.match(s, /Code +c0000005/);
    t.match(s, /\. +0 +[0-9a-f]+ [a-z0-9_]+[+!]/, 'the current thread row with its top frame');
    checkWidth(t, s, 80);
    t.equal(s.split('\n').filter((l) => l.length).length <= 24, true);
    // Resize to 200x60: the layout follows.
    tmux('resize-window', '-t', 'narrow', '-x', '200', '-y', '60');
    const wide = await waitFor('narrow', /│─ Exception/);
    checkWidth(t, wide, 200);
    t.match(wide, /Stack of thread 0/);
    tmux('send-keys', '-t', 'narrow', 'Tab');
    await waitFor('narrow', /▶ Threads/);
    tmux('send-keys', '-t', 'narrow', 'q');
    await waitFor('narrow', /EXITED:0/);
  });

  t.test('SIGTERM leaves the alternate screen before exiting', async (t) => {
    const cfg = mkdtempSync(path.join(tmpdir(), 'dumpdbg-e2e-'));
    start('term', 100, 30, cfg);
    await waitFor('term', /Modules \(\d+\)/);
    // The pane runs `sh -c '...'`; node is its child (both started by this test).
    const shPid = tmux('display-message', '-p', '-t', 'term', '#{pane_pid}').trim();
    const child = spawnSync('pgrep', ['-P', shPid], { encoding: 'utf8' }).stdout.trim().split('\n')[0];
    if (!child) {
      t.pass('cannot find the dumpdbg process (no pgrep): not checked');
      return;
    }
    process.kill(Number(child), 'SIGTERM');
    const s = await waitFor('term', /EXITED:143/);
    t.notMatch(s, /Threads \(/, 'the alternate screen is gone');
    t.match(s, /Loading Dump File/);
  });
}
