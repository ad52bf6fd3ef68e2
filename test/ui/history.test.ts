import t from 'tap';
import { mkdtempSync, readFileSync, writeFileSync, chmodSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { HISTORY_LIMIT, historyPath, loadHistory, saveHistory, searchHistory } from '../../src/ui/history.js';

t.test('history file location follows XDG_CONFIG_HOME, else ~/.config', async (t) => {
  t.equal(historyPath({ XDG_CONFIG_HOME: '/x/cfg', HOME: '/home/u' }), path.join('/x/cfg', 'dumpdbg', 'history'));
  t.equal(historyPath({ HOME: '/home/u' }), path.join('/home/u', '.config', 'dumpdbg', 'history'));
  t.equal(historyPath({ XDG_CONFIG_HOME: 'relative', HOME: '/home/u' }), path.join('/home/u', '.config', 'dumpdbg', 'history'), 'a relative XDG path is ignored (spec)');
});

t.test('save creates directories, load reads back, both are silent on failure', async (t) => {
  const dir = mkdtempSync(path.join(tmpdir(), 'dumpdbg-hist-'));
  const file = path.join(dir, 'a', 'b', 'history');
  t.same(loadHistory(file), [], 'missing file: empty');
  saveHistory(['lm', 'kn', 'bad\nline', '~3s'], file);
  t.equal(readFileSync(file, 'utf8'), 'lm\nkn\n~3s\n');
  t.same(loadHistory(file), ['lm', 'kn', '~3s']);
  saveHistory(Array.from({ length: HISTORY_LIMIT + 5 }, (_, i) => `c${i}`), file);
  const back = loadHistory(file);
  t.equal(back.length, HISTORY_LIMIT);
  t.equal(back[0], 'c5');
  // A directory where the file should be: no throw.
  const blocked = path.join(dir, 'blocked');
  writeFileSync(blocked, 'x');
  chmodSync(blocked, 0o400);
  t.doesNotThrow(() => saveHistory(['x'], path.join(blocked, 'history')));
  t.same(loadHistory(path.join(blocked, 'history')), []);
});

t.test('searchHistory finds the newest match at or before a position', async (t) => {
  const h = ['dq @rsp', 'lm', 'dps @rsp', 'kn'];
  t.equal(searchHistory(h, 'rsp', 3), 2);
  t.equal(searchHistory(h, 'rsp', 1), 0);
  t.equal(searchHistory(h, 'zzz', 3), undefined);
  t.equal(searchHistory(h, '', 3), undefined);
});
