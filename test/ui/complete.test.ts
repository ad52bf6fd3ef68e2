import t from 'tap';
import { applyCompletion, collectCompletion, fileCandidates, symbolsInText, wordAt } from '../../src/ui/complete.js';

const commands = ['lm', 'lmv', 'k', 'kn', '.frame', '.formats', '.help', '.opendump', '~', 'dps', 'dq'];
const modules = ['kernel32', 'kernelbase', 'ntdll', 'crashlab'];

t.test('wordAt finds the word and whether it is a command token', async (t) => {
  t.match(wordAt('.fo', 3), { start: 0, word: '.fo', isCommand: true });
  t.match(wordAt('lm m ker', 8), { start: 5, word: 'ker', isCommand: false, command: 'lm' });
  t.match(wordAt('r; .he', 6), { start: 3, word: '.he', isCommand: true });
  t.match(wordAt('~3 k', 4), { word: 'k', isCommand: true }, 'after a thread prefix');
  t.match(wordAt('$<scr', 5), { start: 2, word: 'scr', command: '$<', isCommand: false });
});

t.test('collectCompletion: commands, modules, module!symbol, files', async (t) => {
  t.same((await collectCompletion('.f', 2, { commands, modules })).candidates, ['.formats', '.frame']);
  t.same((await collectCompletion('lm m kern', 9, { commands, modules })).candidates, ['kernel32', 'kernelbase']);
  const sym = await collectCompletion('bp crashlab!read', 16, { commands, modules, symbols: (m, p) => (m === 'crashlab' && p === 'read' ? ['crashlab!read_field', 'crashlab!read_config', 'ntdll!other'] : []) });
  t.same(sym.candidates, ['crashlab!read_config', 'crashlab!read_field']);
  const files = await collectCompletion('.opendump ex', 12, { commands, modules, listDir: (d) => (d === '.' ? [{ name: 'examples', dir: true }, { name: 'exe.dmp', dir: false }, { name: 'src', dir: true }] : []) });
  t.same(files.candidates, ['examples/', 'exe.dmp']);
  t.equal(files.kind, 'file');
});

t.test('fileCandidates lists the typed directory; hidden files only when asked', async (t) => {
  const list = (d: string) => (d === 'a/b/' ? [{ name: 'x.dmp', dir: false }, { name: '.hidden', dir: false }, { name: 'xy', dir: true }] : []);
  t.same(fileCandidates('a/b/x', list), ['a/b/x.dmp', 'a/b/xy/']);
  t.same(fileCandidates('a/b/.h', list), ['a/b/.hidden']);
});

t.test('applyCompletion: unique → replaced, several → common prefix and a hint, none → a hint', async (t) => {
  t.same(applyCompletion('.fr', 3, { start: 0, end: 3, kind: 'command', candidates: ['.frame'] }), { input: '.frame ', cursor: 7, hint: undefined });
  const r = applyCompletion('lm m k', 6, { start: 5, end: 6, kind: 'module', candidates: ['kernel32', 'kernelbase'] });
  t.equal(r.input, 'lm m kernel');
  t.equal(r.hint, 'kernel32  kernelbase');
  t.match(applyCompletion('zz', 2, { start: 0, end: 2, kind: 'command', candidates: [] }).hint, /No command completions/);
  t.same(applyCompletion('.opendump ex', 12, { start: 10, end: 12, kind: 'file', candidates: ['examples/'] }).input, '.opendump examples/', 'directories get no space');
});

t.test('symbolsInText reads x output', async (t) => {
  t.same(symbolsInText(['00000001`40001e40 crashlab!read_field (void)', 'junk', '00000001`40001000 crashlab!main']), ['crashlab!read_field', 'crashlab!main']);
});
