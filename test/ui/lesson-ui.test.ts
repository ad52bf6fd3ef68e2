import t from 'tap';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { builtinCommands } from '../../commands/index.js';
import { Dispatcher } from '../../src/interpreter/dispatch.js';
import { CommandRegistry } from '../../src/interpreter/registry.js';
import { Session } from '../../src/session/session.js';
import { parseTranscript } from '../../src/session/transcript.js';
import { UiController } from '../../src/ui/controller.js';
import { initialState, reduce } from '../../src/ui/state.js';
import type { Action, UiState } from '../../src/ui/state.js';
import { REPO } from '../fixtures/session.js';

/** The npm start experience: the terminal UI on null-deref.dmp, no paths given, a learner typing. */
function harness(dispatcher: Dispatcher) {
  let state: UiState = initialState(80, 30, dispatcher.session.prompt());
  const dispatch = (a: Action): void => {
    state = reduce(state, a);
    const out = state.outbox;
    if (out.length) {
      state = reduce(state, { type: 'outboxTaken', count: out.length });
      c.handle(out);
    }
  };
  const c: UiController = new UiController({ dispatcher, historyFile: null, state: () => state, onQuit: () => {}, dispatch });
  const type = async (line: string): Promise<string[]> => {
    const before = state.transcript.length;
    for (const ch of line) dispatch({ type: 'text', text: ch });
    dispatch({ type: 'key', name: 'enter' });
    await c.idle();
    await c.idle();
    return state.transcript.slice(before).map((l) => l.text);
  };
  return { c, type, get state() { return state; } };
}

t.test('a newcomer finishes the first lesson in the terminal UI (pane refreshes do not steal steps)', async (t) => {
  const session = new Session({ symbolPath: '', imagePath: '' });
  await session.openSpec(path.join(REPO, 'examples', 'dumps', 'null-deref.dmp'));
  const d = new Dispatcher(session, new CommandRegistry(builtinCommands), { mode: 'interactive' });
  const h = harness(d);
  await h.c.start();
  await h.c.idle();
  t.match(h.state.transcript.map((l) => l.text).join('\n'), 'Type .lesson for a guided walk', 'the UI says how to start');
  t.match((await h.type('.lesson')).join('\n'), 'for example: .lesson null-deref');
  const start = (await h.type('.lesson null-deref')).join('\n');
  t.match(start, 'Type: .exr -1');
  for (const l of start.split('\n')) t.ok(l.length <= 80, `fits 80 columns: ${l}`);
  t.match((await h.type('.exr -1')).join('\n'), 'lesson: step 1 done');
  t.match((await h.type('.ecxr')).join('\n'), 'lesson: step 2 done');
  // .ecxr changed state: the panes re-ran `kn` and `~` meanwhile, which must not count.
  t.match((await h.type('kn')).join('\n'), /crashlab!read_field[^]*lesson: step 3 done/);
  const done = (await h.type('.answer read_field')).join('\n');
  t.match(done, 'Correct!');
  t.match(done, 'Lesson null-deref complete.');

  // The UI also feeds .record: its transcript replays.
  const file = path.join(mkdtempSync(path.join(tmpdir(), 'dumpdbg-ui-rec-')), 'ui.wds');
  await h.type(`.record ${file}`);
  await h.type('.exr -1');
  await h.type('.record off');
  t.same(parseTranscript(readFileSync(file, 'utf8')).commands.map((c) => c.command), ['.exr -1']);
  session.close();
});
