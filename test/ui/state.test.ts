import t from 'tap';
import type { DispatchEntry } from '../../src/interpreter/dispatch.js';
import type { CommandResult } from '../../src/results/types.js';
import { initialState, paneRows, reduce, visiblePanes } from '../../src/ui/state.js';
import type { Action, UiState } from '../../src/ui/state.js';

/** `~` data for n threads with `cur` current and thread 0 the event thread. */
function threads(n: number, cur: number): CommandResult {
  return {
    blocks: [],
    data: {
      type: 'threads',
      threads: Array.from({ length: n }, (_, i) => ({ index: i, threadId: 0x100 + i, suspendCount: 0, teb: 0n, name: i === 2 ? 'worker' : undefined, current: i === cur, event: i === 0, hasContext: true, pc: 0x140001000n + BigInt(i) })),
    },
  };
}

function stack(thread: number, n: number, scope = 'thread'): CommandResult {
  return {
    blocks: [],
    data: { type: 'stack', threadIndex: thread, scope, frames: Array.from({ length: n }, (_, i) => ({ index: i, childSp: 0x1000n + BigInt(i * 8), returnAddress: 0n, instructionPointer: 0x7000n + BigInt(i), callSite: `mod!f${i}+0x${i}`, trust: i === 0 ? 'context' : 'scan' })) },
  };
}

const run = (s: UiState, ...actions: Action[]) => actions.reduce(reduce, s);
const key = (name: string): Action => ({ type: 'key', name });
const text = (t: string): Action => ({ type: 'text', text: t });
const entry = (command: string, result: CommandResult, prompt = '0:000>'): DispatchEntry => ({ command, prompt, result });

t.test('typing and submitting a command emits a run effect and remembers it', async (t) => {
  let s = run(initialState(120, 39), text('k'), text('n'));
  t.equal(s.input, 'kn');
  t.equal(s.cursor, 2);
  s = reduce(s, key('enter'));
  t.equal(s.input, '');
  t.same(s.history, ['kn']);
  t.same(s.outbox, [{ kind: 'run', line: 'kn', remember: true }, { kind: 'saveHistory' }]);
  t.equal(s.lastCommand, 'kn');
  // An empty line repeats the last command (cdb) without a second history entry.
  s = reduce({ ...s, outbox: [] }, key('enter'));
  t.same(s.outbox[0], { kind: 'run', line: 'kn', remember: true });
  t.same(s.history, ['kn']);
});

t.test('line editing keys', async (t) => {
  let s = run(initialState(100, 30), text('dq @rsp'), key('left'), key('left'), key('backspace'));
  t.equal(s.input, 'dq @sp');
  t.equal(s.cursor, 4);
  s = run(s, key('ctrl-a'), text('~1 '));
  t.equal(s.input, '~1 dq @sp');
  s = run(s, key('ctrl-e'), key('ctrl-w'));
  t.equal(s.input, '~1 dq ');
  s = run(s, key('ctrl-u'));
  t.equal(s.input, '');
  // Control characters pasted into the line are dropped; newlines become spaces.
  s = run(s, text('r\u0007ax\nrbx'));
  t.equal(s.input, 'rax rbx');
});

t.test('history: Up/Down walk it and give back the draft', async (t) => {
  let s = reduce(initialState(100, 30), { type: 'historyLoaded', history: ['lm', '~', 'kn'] });
  s = run(s, text('dra'), key('up'));
  t.equal(s.input, 'kn');
  s = run(s, key('up'), key('up'), key('up'));
  t.equal(s.input, 'lm', 'stops at the oldest');
  s = run(s, key('down'));
  t.equal(s.input, '~');
  s = run(s, key('down'), key('down'));
  t.equal(s.input, 'dra', 'past the newest: the draft is back');
});

t.test('Ctrl-R reverse search', async (t) => {
  let s = reduce(initialState(100, 30), { type: 'historyLoaded', history: ['dq @rsp', 'lm', 'dps @rsp', 'kn'] });
  s = run(s, key('ctrl-r'), text('rsp'));
  t.equal(s.search?.match, 2, 'newest match first');
  s = reduce(s, key('ctrl-r'));
  t.equal(s.search?.match, 0, 'again: older match');
  s = reduce(s, key('ctrl-r'));
  t.equal(s.search?.match, 0, 'no older match: stays');
  const escaped = reduce(s, key('escape'));
  t.equal(escaped.search, undefined);
  t.equal(escaped.input, '', 'Esc leaves the line as it was');
  const accepted = reduce(s, key('right'));
  t.equal(accepted.input, 'dq @rsp', 'a movement key accepts the match for editing');
  const ran = reduce(s, key('enter'));
  t.same(ran.outbox[0], { kind: 'run', line: 'dq @rsp', remember: true });
});

t.test('Tab cycles focus over the visible panes; Shift-Tab goes back', async (t) => {
  let s = initialState(120, 39);
  t.same(visiblePanes(s), ['command', 'threads', 'stack', 'exception', 'modules']);
  s = reduce(s, key('tab'));
  t.equal(s.focus, 'threads', 'empty input line: Tab moves focus');
  s = run(s, key('tab'), key('tab'), key('tab'), key('tab'));
  t.equal(s.focus, 'command', 'wraps around');
  s = reduce(s, key('shift-tab'));
  t.equal(s.focus, 'modules');
  // With text on the line Tab completes instead.
  s = run(initialState(120, 39), text('l'), key('tab'));
  t.equal(s.focus, 'command');
  t.same(s.outbox, [{ kind: 'complete', input: 'l', cursor: 1 }]);
  // F7 opens the Registers pane, which joins the cycle and takes focus.
  s = reduce(initialState(120, 39), key('f7'));
  t.ok(s.open.registers);
  t.equal(s.focus, 'registers');
  t.ok(visiblePanes(s).includes('registers'));
  t.same(s.outbox, [{ kind: 'refresh' }]);
});

t.test('Threads selection: arrows and paging, Enter runs ~Ns, ~Ns moves the selection', async (t) => {
  let s = reduce(initialState(120, 39), { type: 'pane', pane: 'threads', command: '~', result: threads(500, 0) });
  t.equal(s.views.threads.selected, 0);
  s = run(s, key('tab'), key('down'), key('down'));
  t.equal(s.focus, 'threads');
  t.equal(s.views.threads.selected, 2);
  s = reduce(s, key('pagedown'));
  const rows = 2 + 6; // threads pane at 120x39: see the layout test
  t.ok(s.views.threads.selected > 2, 'page down moves by a page');
  t.ok(s.views.threads.selected >= s.views.threads.top && s.views.threads.selected < s.views.threads.top + rows + 10, 'selection stays in view');
  s = reduce(s, key('end'));
  t.equal(s.views.threads.selected, 499);
  t.ok(s.views.threads.top > 400, 'scrolled to the end');
  s = reduce(s, key('home'));
  t.same(s.views.threads, { selected: 0, top: 0 });
  s = run(s, key('down'), key('down'), key('down'), key('enter'));
  t.same(s.outbox, [{ kind: 'run', line: '~3s', remember: false }], 'Enter in Threads is ~3s, not added to history');
  t.same(s.history, []);
  // The command changed state; the refresh reports thread 7 current (as after a typed ~7s).
  s = reduce({ ...s, outbox: [] }, { type: 'commandFinished', echo: true, prompt: '0:007>', entries: [entry('~7s', { blocks: [{ kind: 'text', lines: ['ntdll!x:'] }], stateChanged: true })] });
  t.same(s.outbox, [{ kind: 'refresh' }], 'stateChanged → refresh');
  t.equal(s.prompt, '0:007>');
  s = reduce(s, { type: 'pane', pane: 'threads', command: '~', result: threads(500, 7) });
  t.equal(s.views.threads.selected, 7, 'the selection follows the current thread');
});

t.test('Stack: Enter runs .frame N; a new thread or scope resets the selection', async (t) => {
  let s = reduce(initialState(120, 39), { type: 'pane', pane: 'stack', command: 'kn', result: stack(0, 30) });
  s = run(s, { type: 'key', name: 'tab' }, key('tab'), key('down'), key('down'), key('down'), key('down'), key('down'), key('down'), key('down'), key('down'), key('down'), key('down'), key('down'));
  t.equal(s.focus, 'stack');
  t.equal(s.views.stack.selected, 11);
  s = reduce(s, key('enter'));
  t.same(s.outbox, [{ kind: 'run', line: '.frame b', remember: false }], 'frame numbers are hex, as kn prints them');
  s = reduce({ ...s, outbox: [] }, { type: 'pane', pane: 'stack', command: 'kn', result: stack(0, 30) });
  t.equal(s.views.stack.selected, 11, 'same thread and scope: selection kept');
  s = reduce(s, { type: 'pane', pane: 'stack', command: 'kn', result: stack(0, 5, 'exception') });
  t.equal(s.views.stack.selected, 0, '.ecxr: exception scope, selection back to the top');
  s = reduce(s, { type: 'pane', pane: 'stack', command: 'kn', result: stack(3, 5) });
  t.equal(s.panes.stack.meta?.['threadIndex'], 3);
});

t.test('.frame N (typed or from the pane) moves the Stack selection and marks the frame', async (t) => {
  let s = reduce(initialState(120, 39), { type: 'pane', pane: 'stack', command: 'kn', result: stack(0, 30) });
  s = reduce(s, { type: 'commandFinished', echo: true, prompt: '0:000>', entries: [entry('.frame 12', { blocks: [{ kind: 'text', lines: ['12 ...'] }], data: { type: 'frame', frameIndex: 0x12 }, stateChanged: true })] });
  t.equal(s.currentFrame, 0x12);
  t.equal(s.views.stack.selected, 0x12);
  t.ok(s.views.stack.top <= 0x12 && s.views.stack.top + 11 >= 0x12, 'scrolled into view');
  s = reduce(s, { type: 'pane', pane: 'stack', command: 'kn', result: stack(0, 30) });
  t.equal(s.currentFrame, 0x12, 'the refresh after .frame keeps it');
  s = reduce(s, { type: 'pane', pane: 'stack', command: 'kn', result: stack(2, 30) });
  t.equal(s.currentFrame, 0, 'another thread: frame 0');
  t.equal(s.views.stack.selected, 0);
});

t.test('a pane whose command fails shows the error lines', async (t) => {
  const s = reduce(initialState(100, 30), { type: 'pane', pane: 'stack', command: 'kn', result: { blocks: [{ kind: 'error', lines: ["       ^ Syntax error in 'kn'"] }], failed: true } });
  t.same(s.panes.stack.items, []);
  t.same(s.panes.stack.error, ["       ^ Syntax error in 'kn'"]);
});

t.test('command results: transcript lines, escaping, .cls, q, memory follow', async (t) => {
  let s = initialState(100, 30);
  s = reduce(s, {
    type: 'commandFinished',
    echo: true,
    prompt: '0:000>',
    entries: [entry('.echo x', { blocks: [{ kind: 'text', lines: ['evil\u001b[2Jname'] }, { kind: 'error', lines: ['bad'] }] })],
  });
  t.same(s.transcript, [
    { kind: 'prompt', text: '0:000> .echo x' },
    { kind: 'text', text: 'evil\\x1b[2Jname' },
    { kind: 'error', text: 'bad' },
  ]);
  s = reduce(s, { type: 'commandFinished', echo: true, prompt: '0:000>', entries: [entry('.cls', { blocks: [], clear: true })] });
  t.same(s.transcript, []);
  s = reduce(s, { type: 'commandFinished', echo: true, prompt: '0:000>', entries: [entry('dq @rsp L2', { blocks: [{ kind: 'text', lines: ['00000000`0011fc78  00000001`40001e39 00000000`00000000'] }], data: { type: 'memory' } })] });
  t.equal(s.memoryCommand, 'dq @rsp L2');
  t.same(s.outbox, [], 'memory pane closed: no refresh');
  s = reduce(s, { type: 'commandFinished', echo: true, prompt: '0:000>', entries: [entry('q', { blocks: [{ kind: 'text', lines: ['quit:'] }], quit: true })] });
  t.ok(s.quitting);
  t.same(s.outbox, [{ kind: 'quit' }]);
});

t.test('scrolling the command window keeps the reader in place while output arrives', async (t) => {
  let s = initialState(100, 30);
  const many = Array.from({ length: 500 }, (_, i) => `line ${i}`);
  s = reduce(s, { type: 'commandFinished', echo: true, prompt: '0:000>', entries: [entry('dps @rsp L200', { blocks: [{ kind: 'text', lines: many }] })] });
  t.equal(s.transcript.length, 501);
  s = reduce(s, key('pageup'));
  t.ok(s.scrollBack > 0);
  const back = s.scrollBack;
  s = reduce(s, { type: 'info', lines: ['a', 'b'] });
  t.equal(s.scrollBack, back + 2, 'new lines do not move the view');
  s = reduce(s, key('home'));
  // 100x30: the command window is the whole left column, 29 rows: title, 27 output rows, input.
  t.equal(paneRows(s, 'command'), 27);
  t.equal(s.scrollBack, s.transcript.length - 27, 'Home on an empty line: top of the output');
  s = reduce(s, key('end'));
  t.equal(s.scrollBack, 0);
});

t.test('Ctrl-C cancels a running command, else clears the line; q quits outside the command window; Ctrl-D quits', async (t) => {
  let s = reduce(initialState(100, 30), { type: 'commandStarted', line: '.reload /f', echo: true });
  s = reduce(s, key('ctrl-c'));
  t.same(s.outbox, [{ kind: 'cancel' }]);
  s = reduce({ ...s, busy: undefined, outbox: [] }, text('lm'));
  s = reduce(s, key('ctrl-c'));
  t.equal(s.input, '');
  t.same(s.outbox, []);
  s = run(s, key('tab'), text('q'));
  t.same(s.outbox, [{ kind: 'quit' }]);
  const typed = run(initialState(100, 30), text('q'));
  t.equal(typed.input, 'q', 'in the command window q is typed');
  t.same(run(initialState(100, 30), key('ctrl-d')).outbox, [{ kind: 'quit' }]);
  // Typing in a list pane moves to the command window.
  const moved = run(initialState(100, 30), key('tab'), text('k'));
  t.equal(moved.focus, 'command');
  t.equal(moved.input, 'k');
});

t.test('progress updates the busy line; resize keeps focus on a visible pane', async (t) => {
  let s = reduce(initialState(100, 30), { type: 'commandStarted', line: '.reload', echo: true });
  s = reduce(s, { type: 'progress', message: 'ntdll.pdb 1.2 MB 3.4 MB/s' });
  t.equal(s.busy?.progress, 'ntdll.pdb 1.2 MB 3.4 MB/s');
  s = run(initialState(120, 39), key('f8'));
  t.equal(s.focus, 'memory');
  s = reduce(s, key('f8'));
  t.equal(s.focus, 'command', 'closing the focused pane moves focus back');
  s = reduce(s, { type: 'resize', width: 80, height: 23 });
  t.equal(s.width, 80);
});

t.test('Shift-Left/Right scroll long output lines horizontally; a new command scrolls back', async (t) => {
  let s = reduce(initialState(120, 39), { type: 'info', lines: ['x'.repeat(200)] });
  s = run(s, key('shift-right'), key('alt-right'));
  t.equal(s.scrollRight, 20);
  s = reduce(s, key('shift-left'));
  t.equal(s.scrollRight, 10);
  for (let i = 0; i < 40; i++) s = reduce(s, key('shift-right'));
  t.equal(s.scrollRight, 200, 'not past the longest line');
  s = run(s, text('k'), key('enter'));
  t.equal(s.scrollRight, 0);
});
