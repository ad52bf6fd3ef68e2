import t from 'tap';
import path from 'node:path';
import { afterCommand, exceptionCodeNotes, explainResult, observeCommands, quietly } from '../../src/interpreter/explain.js';
import { renderJson, renderLines } from '../../src/results/render-text.js';
import type { CommandResult } from '../../src/results/types.js';
import { Session } from '../../src/session/session.js';
import { REPO, sessionFromFile } from '../fixtures/session.js';

const DUMPS = path.join(REPO, 'examples', 'dumps');

t.test('exception notes come from the code and parameters', async (t) => {
  const read = exceptionCodeNotes(0xc0000005n, [0n, 0x10n]).join('\n');
  t.match(read, 'read from address 0x10');
  t.match(read, 'NULL pointer');
  const write = exceptionCodeNotes(0xc0000005n, [1n, 0x7ff612340000n]).join('\n');
  t.match(write, 'write to address 0x7ff612340000');
  t.notMatch(write, 'NULL', 'a high address is not called a NULL pointer');
  t.match(exceptionCodeNotes(0xe06d7363n, []).join('\n'), 'C++ exception');
  t.match(exceptionCodeNotes(0xc00000fdn, []).join('\n'), 'stack overflow');
  t.match(exceptionCodeNotes(0x12345678n, []).join('\n'), '!error 12345678');
  const rec = explainResult('.exr -1', { type: 'exceptionRecord', present: true, exceptionCode: 0xc0000094, exceptionFlags: 1, parameters: [] }).join('\n');
  t.match(rec, 'division by zero');
  t.match(rec, 'NONCONTINUABLE');
  t.match(explainResult('.exr -1', { type: 'exceptionRecord', present: false }).join('\n'), 'no exception');
});

t.test('stack notes pick the first frame outside system modules', async (t) => {
  const frames = [
    { index: 0, module: 'ntdll', symbol: 'NtWaitForSingleObject', trust: 'cfi' },
    { index: 1, module: 'KERNELBASE', symbol: 'WaitForSingleObjectEx', trust: 'cfi' },
    { index: 2, module: 'app', symbol: 'worker', source: { file: 'C:\\src\\app\\worker.c', line: 42 }, trust: 'cfi' },
    { index: 3, module: 'app', symbol: 'main', trust: 'scan' },
  ];
  const notes = explainResult('kn', { type: 'stack', scope: 'thread', frames }).join('\n');
  t.match(notes, 'frame 02, app!worker (worker.c line 42), is the first frame in the program\'s own code');
  t.match(notes, 'found by scanning');
  t.match(notes, 'run .ecxr first');
  const own = explainResult('kn', { type: 'stack', scope: 'exception', frames: [{ ...frames[2]!, index: 0 }] }).join('\n');
  t.match(own, 'Frame 00, app!worker');
  t.notMatch(own, '.ecxr first');
  const rec = Array.from({ length: 12 }, (_, i) => ({ index: i, module: 'app', symbol: 'recurse', trust: 'cfi' }));
  t.match(explainResult('k', { type: 'stack', frames: rec }).join('\n'), 'recurse appears 12 times: recursion');
});

t.test('threads, modules and unknown types', async (t) => {
  const th = explainResult('~', {
    type: 'threads',
    threads: [
      { index: 0, threadId: 0x24, hasContext: false },
      { index: 4, threadId: 0x10c, event: true, name: 'worker', hasContext: true },
    ],
  }).join('\n');
  t.match(th, 'Thread 4 (id 10c, "worker") raised the event');
  t.match(th, 'Thread 0 has no registers');
  const lm = explainResult('lm', { type: 'modules', modules: [{ symbolStatus: 'deferred' }, { symbolStatus: 'deferred' }, { symbolStatus: 'export symbols' }] }).join('\n');
  t.match(lm, '2 deferred');
  t.match(lm, '1 export symbols');
  t.same(explainResult('x', { type: 'somethingElse' }), []);
  t.same(explainResult('!analyze -v', { type: 'analyze' }), [], '!analyze writes its own notes');
});

t.test('afterCommand: notes only in teaching mode, never twice; observers see every command', async (t) => {
  const session = new Session({ symbolPath: '', imagePath: '' });
  const r: CommandResult = { blocks: [{ kind: 'text', lines: ['x'] }], data: { type: 'exceptionRecord', present: false } };
  const seen: string[] = [];
  const stop = observeCommands(session, (c) => seen.push(c));
  afterCommand(session, '.exr -1', r);
  t.equal(r.blocks.length, 1, 'off: no notes');
  session.options.explain = true;
  afterCommand(session, '.exr -1', r);
  t.equal(r.blocks.filter((b) => b.kind === 'explain').length, 1);
  afterCommand(session, '.exr -1', r);
  t.equal(r.blocks.filter((b) => b.kind === 'explain').length, 1, 'a result that has notes gets no more');
  stop();
  afterCommand(session, 'k', r);
  t.same(seen, ['.exr -1', '.exr -1', '.exr -1']);
  t.same(renderLines(r), ['x'], 'renderers hide notes unless asked');
  t.match(renderLines(r, { explain: true }).join('\n'), 'no exception');
  t.match(renderJson('.exr -1', r), '"explain":[');
});

t.test('.explain on|off over a real dump', async (t) => {
  const s = sessionFromFile(path.join(DUMPS, 'null-deref.dmp'), { symbolPath: DUMPS, imagePath: DUMPS });
  const quiet = await s.result('.exr -1');
  t.notOk(quiet.blocks.some((b) => b.kind === 'explain'));
  t.same(await s.run('.explain on'), ['Teaching notes are on.', 'Each command is now followed by notes marked "note:"; .explain off hides them.']);
  t.equal(s.session.options.explain, true);
  const exr = await s.result('.exr -1');
  const notes = exr.blocks.filter((b) => b.kind === 'explain').flatMap((b) => b.lines).join(' ').replace(/\s+/g, ' ');
  t.match(notes, 'read from address 0x10');
  const ecxr = await s.result('.ecxr');
  t.match(ecxr.blocks.filter((b) => b.kind === 'explain').flatMap((b) => b.lines).join(' ').replace(/\s+/g, ' '), /Registers holding 0: rax, rcx/);
  const k = await s.result('kn');
  t.match(k.blocks.filter((b) => b.kind === 'explain').flatMap((b) => b.lines).join(' ').replace(/\s+/g, ' '), 'Frame 00, crashlab!read_field (crashlab.c line 194)');
  t.same(await s.run('.explain off'), ['Teaching notes are off.']);
  t.notOk((await s.result('kn')).blocks.some((b) => b.kind === 'explain'));
  t.ok((await s.result('.explain maybe')).failed);
});

t.test('quietly: pane refreshes neither get notes nor reach observers', async (t) => {
  const session = new Session({ symbolPath: '', imagePath: '', explain: true });
  const seen: string[] = [];
  observeCommands(session, (c) => seen.push(c));
  const r: CommandResult = { blocks: [], data: { type: 'exceptionRecord', present: false } };
  const v = await quietly(session, async () => {
    afterCommand(session, 'kn', r);
    return 7;
  });
  t.equal(v, 7);
  t.same(seen, []);
  t.equal(r.blocks.length, 0);
  afterCommand(session, 'kn', r);
  t.same(seen, ['kn'], 'back to normal afterwards');
});
