import t from 'tap';
import { render } from 'ink-testing-library';
import { Screen } from '../../src/ui/Screen.js';
import { initialState, reduce } from '../../src/ui/state.js';
import type { Action, UiState } from '../../src/ui/state.js';
import { makeTheme } from '../../src/ui/theme.js';
import type { CommandResult } from '../../src/results/types.js';

// eslint-disable-next-line no-control-regex
const strip = (s: string) => s.replace(/\u001b\[[0-9;?]*[A-Za-z]/g, '');

/** A state built only from synthetic command results (no dump): what the panes would get from ~, kn, .exr -1, lm. */
function synthetic(width: number, height: number, nThreads = 6): UiState {
  const threads: CommandResult = {
    blocks: [],
    data: {
      type: 'threads',
      threads: Array.from({ length: nThreads }, (_, i) => ({ index: i, threadId: 0x24 + i * 4, suspendCount: i === 0 ? 1 : 0, teb: 0n, name: i === 3 ? 'Render\u001b[31mThread' : undefined, current: i === 0, event: i === 0, hasContext: i !== 5, pc: i === 5 ? undefined : 0x140001e40n + BigInt(i * 0x100) })),
    },
  };
  const stack: CommandResult = {
    blocks: [],
    data: {
      type: 'stack',
      threadIndex: 0,
      scope: 'thread',
      frames: [
        { index: 0, childSp: 0x11fc78n, returnAddress: 0x140001e39n, instructionPointer: 0x140001e40n, callSite: 'crashlab!read_field+0x10', trust: 'context', source: 'crashlab.c:42' },
        { index: 1, childSp: 0x11fc80n, returnAddress: 0x140001939n, instructionPointer: 0x140001e39n, callSite: 'crashlab!lookup_customer+0x19', trust: 'cfi' },
        { index: 2, childSp: 0x11fcb0n, returnAddress: 0x1400017cdn, instructionPointer: 0x140001939n, callSite: 'crashlab!null_deref+0x9', trust: 'frame-pointer' },
        { index: 3, childSp: 0x11fce0n, returnAddress: 0n, instructionPointer: 0x1400017cdn, callSite: 'crashlab!main+0x2d', trust: 'scan' },
      ],
    },
  };
  const exr: CommandResult = {
    blocks: [{ kind: 'text', lines: ['ExceptionAddress: 0000000140001e40 (crashlab!read_field+0x10)', '   ExceptionCode: c0000005 (Access violation)', '  ExceptionFlags: 00000000', 'NumberParameters: 2', '   Parameter[0]: 0000000000000000', '   Parameter[1]: 0000000000000010', 'Attempt to read from address 0000000000000010'] }],
    data: { type: 'exceptionRecord', present: true, exceptionCode: 0xc0000005, exceptionName: 'Access violation', exceptionFlags: 0, exceptionAddress: 0x140001e40n, parameters: [0n, 0x10n] },
  };
  const lm: CommandResult = {
    blocks: [],
    data: {
      type: 'modules',
      modules: [
        { name: 'crashlab', start: 0x140000000n, end: 0x14003e000n, imagePath: 'C:\\crashlab.exe', symbolStatus: 'private pdb symbols', symbolFile: 'crashlab.pdb' },
        { name: 'ntdll', start: 0x170000000n, end: 0x170361000n, imagePath: 'C:\\windows\\system32\\ntdll.dll', symbolStatus: 'deferred' },
      ],
    },
  };
  const actions: Action[] = [
    { type: 'pane', pane: 'threads', command: '~', result: threads },
    { type: 'pane', pane: 'stack', command: 'kn', result: stack },
    { type: 'pane', pane: 'exception', command: '.exr -1', result: exr },
    { type: 'pane', pane: 'modules', command: 'lm', result: lm },
    { type: 'commandFinished', echo: true, prompt: '0:000>', entries: [{ command: '.lastevent', prompt: '0:000>', result: { blocks: [{ kind: 'text', lines: ['Last event: 20.24: Access violation - code c0000005 (first/second chance not available)'] }] } }] },
    { type: 'text', text: 'kn' },
  ];
  return actions.reduce(reduce, initialState(width, height));
}

function frame(state: UiState): string[] {
  const r = render(<Screen state={state} theme={makeTheme(false)} />);
  const out = strip(r.lastFrame() ?? '').split('\n');
  r.unmount();
  return out;
}

for (const [w, h] of [[80, 23], [120, 39], [200, 59]] as const) {
  t.test(`screen at ${w}x${h + 1}: every row fits, every pane shows`, async (t) => {
    const lines = frame(synthetic(w, h));
    t.equal(lines.length, h, 'exactly the screen height');
    for (const [i, l] of lines.entries()) if ([...l].length > w) t.fail(`row ${i} is ${[...l].length} columns: ${l}`);
    const text = lines.join('\n');
    t.match(text, /Threads \(6\) current 0/);
    t.match(text, /Stack of thread 0 \(4\)/);
    t.match(text, /crashlab!read_field\+0x10/);
    t.match(text, /Code +c0000005 \(Access violation\)/);
    t.match(text, /Thread +0 \(TID 24\)/);
    t.match(text, /Modules \(2\)/);
    t.match(text, /\. +0 +24 crashlab!read_field\+0x10/, 'the current thread shows its top frame from the Stack pane');
    t.match(text, / +1 +28 crashlab\+0x1f40/, 'other threads: pc as module+offset');
    t.match(text, /0:000> \.lastevent/);
    t.match(text, /0:000> kn/, 'the input line');
    t.notMatch(text, /\u001b/, 'no escape from a thread name reaches the screen');
    if (w >= 120) t.match(text, /Render\\x1b\[31mThread/, 'escaped instead');
    t.matchSnapshot(text, 'frame');
  });
}

t.test('trust markers: blank for context/CFI, ~ frame pointer, ? scan', async (t) => {
  const lines = frame(synthetic(120, 39));
  const row = (site: string) => lines.find((l) => l.includes(site)) ?? '';
  const col = lines.find((l) => l.includes('Stack of thread'))!.indexOf('Stack') - 2;
  t.equal(row('00 crashlab!read_field')[col], ' ');
  t.equal(row('01 crashlab!lookup_customer')[col], ' ');
  t.equal(row('02 crashlab!null_deref')[col], '~');
  t.equal(row('03 crashlab!main+0x2d')[col], '?');
});

t.test('500 threads: only the visible rows are rendered, the selection stays in view', async (t) => {
  let s = synthetic(120, 39, 500);
  // The input line holds text (Tab would complete), so focus the pane directly.
  s = reduce({ ...s, focus: 'threads' }, { type: 'key', name: 'end' });
  const text = frame(s).join('\n');
  t.match(text, /499 +7f0/, 'the last thread (TID 0x24 + 499*4 = 0x7f0) is on screen');
  t.notMatch(text, /\n[.# ] +0 +24 /, 'thread 0 scrolled away');
  const start = Date.now();
  for (let i = 0; i < 50; i++) s = reduce(s, { type: 'key', name: 'pageup' });
  frame(s);
  t.ok(Date.now() - start < 2000, 'paging 50 times and drawing is fast');
});

t.test('the Registers pane opens with F7 and the layout makes room', async (t) => {
  const s = reduce(synthetic(120, 39), { type: 'key', name: 'f7' });
  const lines = frame(s);
  t.equal(lines.length, 39);
  t.match(lines.join('\n'), /▶ Registers/);
});

t.test('reverse search and busy state show on the input and hint lines', async (t) => {
  let s = reduce(synthetic(100, 29), { type: 'historyLoaded', history: ['dq @rsp', 'lm', 'dps @rsp L10'] });
  s = reduce(reduce(s, { type: 'key', name: 'ctrl-u' }), { type: 'key', name: 'ctrl-r' });
  s = reduce(s, { type: 'text', text: 'rsp' });
  let lines = frame(s);
  t.equal(lines[lines.length - 2]!.split('│')[0]!.trimEnd(), "(reverse-i-search)'rsp': dps @rsp L10");
  s = reduce(reduce(s, { type: 'key', name: 'escape' }), { type: 'commandStarted', line: '.reload /f', echo: true });
  s = reduce(s, { type: 'progress', message: 'ntdll.pdb 1.5 MB at 3.0 MB/s' });
  lines = frame(s);
  t.match(lines[lines.length - 3]!, /^Running \.reload \/f: ntdll\.pdb 1\.5 MB at 3\.0 MB\/s +\(Ct/, "progress on the hint line (cut at the pane edge)");
  t.match(lines[lines.length - 2]!, /^\*BUSY\* /);
  t.match(lines[lines.length - 1]!, /^\[\.reload \/f ntdll\.pdb 1\.5 MB at 3\.0 MB\/s\]/, 'and on the status line');
});

t.test('tiny terminals still draw within bounds', async (t) => {
  for (const [w, h] of [[20, 5], [30, 7], [60, 12]] as const) {
    const lines = frame(synthetic(w, h));
    t.ok(lines.length <= Math.max(h, 6), `${w}x${h}: ${lines.length} rows`);
    for (const l of lines) if ([...l].length > Math.max(w, 20)) t.fail(`${w}x${h}: row too wide: ${l}`);
    t.match(lines.join('\n'), /kn/, `${w}x${h}: the input line is there`);
  }
});
