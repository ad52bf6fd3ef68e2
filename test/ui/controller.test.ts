import t from 'tap';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { Dispatcher } from '../../src/interpreter/dispatch.js';
import { CommandRegistry } from '../../src/interpreter/registry.js';
import type { CommandSpec } from '../../src/interpreter/command.js';
import { ok } from '../../src/results/types.js';
import { Session } from '../../src/session/session.js';
import { UiController } from '../../src/ui/controller.js';
import { initialState, reduce } from '../../src/ui/state.js';
import type { Action, UiState } from '../../src/ui/state.js';
import { CORPUS, REPO, sessionFromFile } from '../fixtures/session.js';

const DUMP = [path.join(REPO, 'examples', 'dumps', 'null-deref.dmp'), path.join(CORPUS, 'wine-x64', 'null-deref-mini.dmp')].find((p) => existsSync(p));

/** A controller wired to the real reducer, outside React: effects are drained after every action. */
function harness(dispatcher: Dispatcher) {
  let state: UiState = initialState(120, 39, dispatcher.session.prompt());
  const actions: Action[] = [];
  let quit = 0;
  const dispatch = (a: Action): void => {
    actions.push(a);
    state = reduce(state, a);
    const out = state.outbox;
    if (out.length) {
      state = reduce(state, { type: 'outboxTaken', count: out.length });
      c.handle(out);
    }
  };
  const c: UiController = new UiController({ dispatcher, historyFile: null, state: () => state, onQuit: () => quit++, dispatch });
  return { c, actions, get state() { return state; }, get quit() { return quit; }, send: dispatch };
}

t.test('a slow command reports progress and Ctrl-C cancels it through the abort signal', async (t) => {
  let sawSignal = false;
  const slow: CommandSpec = {
    name: '.slow',
    group: 'meta',
    syntax: '.slow',
    summary: 'test: waits for cancellation',
    noDump: true,
    async run(ctx) {
      ctx.progress?.('ntdll.pdb 1.5 MB at 3.0 MB/s');
      sawSignal = ctx.signal !== undefined;
      await new Promise<void>((resolve) => {
        if (ctx.signal?.aborted) return resolve();
        ctx.signal?.addEventListener('abort', () => resolve());
      });
      return ok(['stopped']);
    },
  };
  const session = new Session({ symbolPath: '', imagePath: '' });
  const d = new Dispatcher(session, new CommandRegistry([slow]), { mode: 'interactive' });
  const h = harness(d);
  for (const ch of '.slow') h.send({ type: 'text', text: ch });
  h.send({ type: 'key', name: 'enter' });
  for (let i = 0; i < 100 && !h.state.busy?.progress; i++) await new Promise((r) => setTimeout(r, 10));
  t.equal(h.state.busy?.command, '.slow');
  t.equal(h.state.busy?.progress, 'ntdll.pdb 1.5 MB at 3.0 MB/s', 'progress shows while it runs');
  t.ok(sawSignal, 'the command got an abort signal');
  // Input is not blocked meanwhile.
  h.send({ type: 'text', text: 'lm' });
  t.equal(h.state.input, 'lm');
  h.send({ type: 'key', name: 'ctrl-c' });
  await h.c.idle();
  t.equal(h.state.busy, undefined);
  const text = h.state.transcript.map((l) => l.text);
  t.ok(text.includes('?:???> .slow'));
  t.ok(text.includes('stopped'));
  t.ok(text.includes('Cancelled (Ctrl-C)'));
  t.equal(h.state.input, 'lm', 'Ctrl-C while busy cancels and keeps the typed line');
  t.equal(d.options.signal, undefined, 'the dispatcher is left without a signal');
});

t.test('pane refreshes go through the dispatcher without touching the transcript or history', { skip: DUMP ? false : 'no example dump' }, async (t) => {
  const { dispatcher, session } = sessionFromFile(DUMP!);
  t.teardown(() => session.close());
  const h = harness(dispatcher);
  await h.c.start();
  await h.c.idle();
  const s = h.state;
  t.ok(s.panes.threads.items.length >= 2, 'threads');
  t.ok(s.panes.modules.items.some((m) => m.name === 'crashlab'), 'modules');
  t.ok(s.panes.stack.items.length >= 1, 'stack');
  t.match(s.panes.exception.items[0], /^Code +c0000005/);
  t.same(s.history, []);
  const prompts = s.transcript.filter((l) => l.kind === 'prompt').map((l) => l.text);
  t.same(prompts, ['0:000> .lastevent'], 'only the opening .lastevent is echoed; ~, kn, .exr -1, lm are not');
  // A typed ~1s changes state: the panes refresh and follow.
  for (const ch of '~1s') h.send({ type: 'text', text: ch });
  h.send({ type: 'key', name: 'enter' });
  await h.c.idle();
  await h.c.idle();
  t.equal(h.state.views.threads.selected, 1);
  t.equal(h.state.panes.stack.meta?.['threadIndex'], 1);
  t.equal(h.state.prompt, '0:001>');
  t.same(h.state.history, ['~1s']);
  // q quits.
  h.send({ type: 'text', text: 'q' });
  h.send({ type: 'key', name: 'enter' });
  await h.c.idle();
  t.equal(h.quit, 1);
});
