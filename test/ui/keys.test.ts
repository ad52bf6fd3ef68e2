import t from 'tap';
import { readFileSync } from 'node:fs';
import { KEY_TABLE, keyLabel, keyTableLines, keyTableMarkdown } from '../../src/results/keys.js';
import { BINDINGS, bindingFor, decodeKeys } from '../../src/ui/keys.js';

t.test('decodeKeys: xterm, VT220 and Linux console sequences, control keys, text', async (t) => {
  t.same(decodeKeys('\t'), [{ name: 'tab' }]);
  t.same(decodeKeys('\u001b[Z'), [{ name: 'shift-tab' }]);
  t.same(decodeKeys('\r'), [{ name: 'enter' }]);
  t.same(decodeKeys('\u007f'), [{ name: 'backspace' }]);
  t.same(decodeKeys('\u001b[3~'), [{ name: 'delete' }]);
  t.same(decodeKeys('\u0003'), [{ name: 'ctrl-c' }]);
  t.same(decodeKeys('\u0004'), [{ name: 'ctrl-d' }]);
  t.same(decodeKeys('\u0012'), [{ name: 'ctrl-r' }]);
  t.same(decodeKeys('\u001b[A\u001b[B\u001b[C\u001b[D'), [{ name: 'up' }, { name: 'down' }, { name: 'right' }, { name: 'left' }]);
  t.same(decodeKeys('\u001bOA'), [{ name: 'up' }], 'application cursor mode');
  t.same(decodeKeys('\u001b[5~\u001b[6~'), [{ name: 'pageup' }, { name: 'pagedown' }]);
  t.same(decodeKeys('\u001b[H\u001b[F\u001b[1~\u001b[4~'), [{ name: 'home' }, { name: 'end' }, { name: 'home' }, { name: 'end' }]);
  t.same(decodeKeys('\u001bOP\u001b[15~\u001b[24~\u001b[[E'), [{ name: 'f1' }, { name: 'f5' }, { name: 'f12' }, { name: 'f5' }]);
  t.same(decodeKeys('\u001b[1;5H'), [{ name: 'ctrl-home' }]);
  t.same(decodeKeys('\u001b[15;2~'), [{ name: 'shift-f5' }]);
  t.same(decodeKeys('\u001b'), [{ name: 'escape' }]);
  t.same(decodeKeys('kn'), [{ text: 'kn' }]);
  t.same(decodeKeys('kn\r'), [{ text: 'kn' }, { name: 'enter' }], 'pasted line');
  t.same(decodeKeys('a\u0085b'), [{ text: 'ab' }], 'C1 controls are not typed');
  t.same(decodeKeys('\u001b[99~'), [], 'unknown sequences are dropped');
});

t.test('bindings come from the one key table', async (t) => {
  t.equal(bindingFor('tab', 'threads')?.action, 'focusNext');
  t.equal(bindingFor('tab', 'command')?.action, 'complete');
  t.equal(bindingFor('enter', 'threads')?.action, 'activate');
  t.equal(bindingFor('enter', 'stack')?.action, 'activate');
  t.equal(bindingFor('enter', 'modules'), undefined);
  t.equal(bindingFor('up', 'command')?.action, 'historyPrev');
  t.equal(bindingFor('up', 'modules')?.action, 'up');
  t.equal(bindingFor('q', 'modules')?.action, 'quit');
  t.equal(bindingFor('q', 'command'), undefined, 'q is typed in the command window');
  t.equal(bindingFor('f1', 'command')?.command, '.help keys');
  t.same(BINDINGS.get('quit')?.flatMap((b) => b.keys), ['ctrl-d', 'q']);
  // Every action but the F-key commands has a binding; F-key commands all carry a command line.
  for (const b of KEY_TABLE) if (b.action === 'command') t.ok(b.command, `${b.keys.join()} has a command`);
});

t.test('the key table is printed by .help keys and documented in the README', async (t) => {
  t.equal(keyLabel('shift-tab'), 'Shift-Tab');
  t.equal(keyLabel('ctrl-c'), 'Ctrl-C');
  t.equal(keyLabel('f5'), 'F5');
  t.equal(keyLabel('q'), 'q');
  const lines = keyTableLines();
  for (const b of KEY_TABLE) t.ok(lines.some((l) => l.includes(b.description)), `.help keys lists: ${b.description}`);
  const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
  for (const row of keyTableMarkdown()) t.ok(readme.includes(row), `README has the row ${row}`);
});

t.test('.help keys prints the table through the dispatcher (no dump needed)', async (t) => {
  const { builtinCommands } = await import('../../commands/index.js');
  const { Dispatcher } = await import('../../src/interpreter/dispatch.js');
  const { CommandRegistry } = await import('../../src/interpreter/registry.js');
  const { Session } = await import('../../src/session/session.js');
  const d = new Dispatcher(new Session({ symbolPath: '', imagePath: '' }), new CommandRegistry(builtinCommands));
  const [e] = await d.dispatch('.help keys');
  t.notOk(e?.result.failed);
  t.same(e?.result.blocks.flatMap((b) => b.lines), keyTableLines());
  t.equal((e?.result.data?.['keys'] as unknown[]).length, KEY_TABLE.length);
});
