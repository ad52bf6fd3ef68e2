import t from 'tap';
import { SynthDump } from '../fixtures/synth/minidump-writer.js';
import { sessionFromBuffer } from '../fixtures/session.js';

// A synthetic x64 dump whose every value is chosen here, so the expected text
// below is derived from these numbers, not from the parser.
function dump(): Buffer {
  const stack = Buffer.alloc(0x40);
  stack.writeBigUInt64LE(0x140001234n, 0); // a return address into app.exe
  stack.writeBigUInt64LE(0x1122334455667788n, 8);
  return new SynthDump()
    .arch('amd64')
    .thread({ id: 0x1a4, teb: 0x7ffde000n, suspendCount: 1, context: { rip: 0x140001010n, rsp: 0x22f000n, rax: 0xdeadn, rbx: 1n, efl: 0x246n, cs: 0x33n, ss: 0x2bn }, stack: { addr: 0x22f000n, bytes: stack } })
    .thread({ id: 0x2b8, teb: 0x7ffdc000n, context: { rip: 0x7ff00010n, rsp: 0x33f000n } })
    .module({ base: 0x140000000n, size: 0x20000, name: 'C:\\svc\\app.exe', timeDateStamp: 0x5f5e1000 })
    .module({ base: 0x7ff00000n, size: 0x1000, name: 'C:\\Windows\\System32\\ntdll.dll' })
    .exception({ threadId: 0x2b8, code: 0xc0000005, address: 0x140001010n, parameters: [1n, 0x45n], context: { rip: 0x140001010n, rsp: 0x22f000n, rax: 0x45n } })
    .miscInfo({ processId: 0x1f4, processCreateTime: 1600000000 })
    .threadNames([{ threadId: 0x1a4, name: 'worker' }])
    .build();
}

t.test('~ lists threads with names, the event thread current', async (t) => {
  const s = sessionFromBuffer(dump());
  t.equal(s.session.prompt(), '0:001>', 'the exception thread is current on open');
  t.same(await s.run('~'), [
    '   0  Id: 1f4.1a4 Suspend: 1 Teb: 00000000`7ffde000 Unfrozen "worker"',
    '.  1  Id: 1f4.2b8 Suspend: 0 Teb: 00000000`7ffdc000 Unfrozen',
  ]);
  await s.run('~0s');
  t.equal(s.session.prompt(), '0:000>');
  const lines = await s.run('~');
  t.match(lines[0], /^\.  0 /);
  t.match(lines[1], /^#  1 /, 'the event thread is marked # when not current');
  t.same(await s.run('~9s'), ["       ^ Illegal thread error in '~9s'"]);
});

t.test('lm lists modules sorted by address with the deferred status', async (t) => {
  const s = sessionFromBuffer(dump());
  t.same(await s.run('lm'), [
    'start             end                 module name',
    '00000000`7ff00000 00000000`7ff01000   ntdll    C (deferred)             ',
    '00000001`40000000 00000001`40020000   app      C (deferred)             ',
  ]);
  t.same(await s.run('lm m nt*'), ['start             end                 module name', '00000000`7ff00000 00000000`7ff01000   ntdll    C (deferred)             ']);
  const v = await s.run('lmvm app');
  t.ok(v.includes('    Image path: C:\\svc\\app.exe'));
  t.ok(v.includes('    Timestamp:        Sun Sep 13 12:26:40 2020 (5F5E1000)'));
});

t.test('.exr -1 decodes the stored exception', async (t) => {
  const s = sessionFromBuffer(dump());
  t.same(await s.run('.exr -1'), [
    'ExceptionAddress: 0000000140001010 (app+0x0000000000001010)',
    '   ExceptionCode: c0000005 (Access violation)',
    '  ExceptionFlags: 00000000',
    'NumberParameters: 2',
    '   Parameter[0]: 0000000000000001',
    '   Parameter[1]: 0000000000000045',
    'Attempt to write to address 0000000000000045',
  ]);
});

t.test('.ecxr switches to the exception context; r shows it', async (t) => {
  const s = sessionFromBuffer(dump());
  const lines = await s.run('.ecxr');
  t.equal(lines[0], 'rax=0000000000000045 rbx=0000000000000000 rcx=0000000000000000');
  t.equal(lines[2], 'rip=0000000140001010 rsp=000000000022f000 rbp=0000000000000000');
  t.same(await s.run('r rax'), ['rax=0000000000000045']);
  t.same(await s.run('r eax'), ['eax=45']);
  t.same(await s.run('.cxr'), ['Resetting default scope']);
  t.same(await s.run('r rax'), ['rax=0000000000000000'], 'back to thread 1, whose own context has rax 0');
  t.same(await s.run('r zz'), ["       ^ Bad register error in 'r zz'"]);
});

t.test('flags line and segment line of r', async (t) => {
  const s = sessionFromBuffer(dump());
  await s.run('~0s');
  const lines = await s.run('r');
  t.equal(lines[6], 'iopl=0         nv up ei pl zr na pe nc', 'efl 0x246: ZF, PF, IF set');
  t.equal(lines[7], 'cs=0033  ss=002b  ds=0000  es=0000  fs=0000  gs=0000             efl=00000246');
});

t.test('missing streams and unknown commands give WinDbg text', async (t) => {
  const s = sessionFromBuffer(new SynthDump().arch('amd64').thread({ id: 1, context: { rip: 1n } }).build());
  t.same(await s.run('.exr -1'), ['Last event was not an exception']);
  t.same(await s.run('.ecxr'), ["Minidump doesn't have an exception context", 'Unable to get exception context, HRESULT 0x80004002']);
  t.same(await s.run('!nosuch'), ['nosuch is not extension gallery command', 'No export nosuch found']);
  t.same(await s.run('.echo hi; .echo "a;b"'), ['hi', 'a;b']);
});

t.test('thread prefixes run a command per thread', async (t) => {
  const s = sessionFromBuffer(dump());
  const lines = await s.run('~* r rip');
  t.same(lines, ['', '   0  Id: 1f4.1a4 Suspend: 1 Teb: 00000000`7ffde000 Unfrozen "worker"', 'rip=0000000140001010', '', '.  1  Id: 1f4.2b8 Suspend: 0 Teb: 00000000`7ffdc000 Unfrozen', 'rip=000000007ff00010']);
  t.same(await s.run('~0 r rip'), ['rip=0000000140001010']);
  t.equal(s.session.prompt(), '0:001>', 'a prefix does not change the current thread');
});

t.test('~*e runs a command per thread without the per-thread header', async (t) => {
  const s = sessionFromBuffer(dump());
  t.same(await s.run('~*e r rip'), ['rip=0000000140001010', 'rip=000000007ff00010']);
  t.same(await s.run('~~[2b8] r rip'), ['rip=000000007ff00010'], '~~[tid] selects by hex thread id');
  t.same(await s.run('~~[999]s'), ["       ^ Illegal thread error in '~~[999]s'"]);
});

t.test('a thread prefix keeps the structured result', async (t) => {
  const s = sessionFromBuffer(dump());
  const one = await s.result('~0 r rip');
  t.same(one.data?.['registers'], { rip: 0x140001010n });
  const all = await s.result('~* r rip');
  t.equal(all.data?.type, 'perThread');
  t.same((all.data?.['threads'] as { threadIndex: number }[]).map((x) => x.threadIndex), [0, 1]);
});

t.test('batch text output: a dispatcher told not to keep per-thread records prints the same, with no records', async (t) => {
  const { Dispatcher } = await import('../../src/interpreter/dispatch.js');
  const { CommandRegistry } = await import('../../src/interpreter/registry.js');
  const { builtinCommands } = await import('../../commands/index.js');
  const s = sessionFromBuffer(dump());
  const lean = new Dispatcher(s.session, new CommandRegistry(builtinCommands), { mode: 'batch', resultData: false });
  const kept = await s.result('~* r rip');
  const [entry] = await lean.dispatch('~* r rip');
  t.same(entry!.result.blocks, kept.blocks, 'the same text');
  t.equal(entry!.result.data, undefined, 'no per-thread records');
  const [single] = await lean.dispatch('~1 r rip');
  t.same(single!.result.data?.['registers'], { rip: 0x7ff00010n }, 'one thread still gives its command\'s own record');
  // k reads the argument words only for kb/kv or a reader of the data: the same text either way.
  for (const cmd of ['~* kn', 'kb', 'kv', 'k']) {
    const [lone] = await lean.dispatch(cmd);
    t.same(lone!.result.blocks, (await s.result(cmd)).blocks, `${cmd}: the same text`);
  }
  const frames = (r: { data?: Record<string, unknown> }) => r.data?.['frames'] as { args: bigint[] }[];
  const [leanK] = await lean.dispatch('k');
  t.ok(frames(leanK!.result).length >= 1, 'a stack to look at');
  t.same(frames(leanK!.result).map((f) => f.args.length), frames(leanK!.result).map(() => 0), 'plain k: no argument words read');
  t.ok(frames(await s.result('k')).every((f) => f.args.length === 4), 'with a data reader: four per x64 frame');
  const [leanKb] = await lean.dispatch('kb');
  t.ok(frames(leanKb!.result).every((f) => f.args.length === 4), 'kb prints them, so reads them');
});
