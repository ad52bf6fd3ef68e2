import t from 'tap';
import { existsSync, readFileSync } from 'node:fs';
import { SynthDump } from '../fixtures/synth/minidump-writer.js';
import { runner } from '../fixtures/command-runner.js';

const CORPUS = new URL('../../../shared/corpus/', import.meta.url);

function i32s(...v: number[]): Buffer {
  const b = Buffer.alloc(4 * v.length);
  v.forEach((x, i) => b.writeInt32LE(x, 4 * i));
  return b;
}
function u64s(...v: bigint[]): Buffer {
  const b = Buffer.alloc(8 * v.length);
  v.forEach((x, i) => b.writeBigUInt64LE(x, 8 * i));
  return b;
}

function handleDump(): Buffer {
  // THREAD_BASIC_INFORMATION (x64, 48 bytes): ExitStatus, Teb, ClientId{pid, tid}, AffinityMask, Priority, BasePriority.
  const tbi = Buffer.concat([Buffer.alloc(8), u64s(0x7000n, 0x1144n, 0x2a8n, 0xffn), i32s(10, 0)]);
  return new SynthDump()
    .arch('amd64')
    .thread({ id: 0x2a8, context: { rip: 1n } })
    .handles([
      { handle: 0x4n, typeName: 'Section', objectName: '', grantedAccess: 0x4, handleCount: 1, pointerCount: 2 },
      { handle: 0xacn, typeName: 'Event', objectName: '\\BaseNamedObjects\\FilesMovedEvent', grantedAccess: 0x1f0003, handleCount: 2, pointerCount: 65538, objectInfo: [{ infoType: 6, data: i32s(0, 0) }] },
      { handle: 0xb0n, typeName: 'Event', grantedAccess: 0x100003, handleCount: 1, pointerCount: 3, objectInfo: [{ infoType: 6, data: i32s(1, 1) }] },
      {
        handle: 0xc8n,
        typeName: 'Mutant',
        objectName: '\\Sessions\\1\\BaseNamedObjects\\crashlab-orders-lock',
        grantedAccess: 0x1f0001,
        handleCount: 1,
        pointerCount: 4,
        attributes: 2,
        objectInfo: [
          { infoType: 2, data: Buffer.concat([i32s(0), Buffer.from([0, 0, 0, 0])]) },
          { infoType: 3, data: u64s(0x1144n, 0x2acn) },
        ],
      },
      { handle: 0xd0n, typeName: 'Thread', grantedAccess: 0x1fffff, handleCount: 3, pointerCount: 5, objectInfo: [{ infoType: 1, data: tbi }] },
      { handle: 0xd4n, typeName: 'Semaphore', grantedAccess: 0x1f0003, objectInfo: [{ infoType: 8, data: i32s(0, 1) }] },
      { handle: 0xd8n, typeName: 'ALPC Port', grantedAccess: 0x1f0001 },
      { handle: 0xdcn, typeName: 'File', grantedAccess: 0x12019f },
      { handle: 0xe0n, typeName: 'Key', grantedAccess: 0x1 },
      { handle: 0xe4n, typeName: 'Mutant', grantedAccess: 0x1f0001, objectInfo: [{ infoType: 2, data: Buffer.concat([i32s(1), Buffer.alloc(4)]) }, { infoType: 3, data: u64s(0n, 0n) }] },
    ])
    .build();
}

t.test('!handle lists every handle with its type, then the summary', async (t) => {
  const r = runner(handleDump());
  t.same(await r.lines('!handle'), [
    'Handle 0000000000000004',
    '  Type         \tSection',
    'Handle 00000000000000ac',
    '  Type         \tEvent',
    'Handle 00000000000000b0',
    '  Type         \tEvent',
    'Handle 00000000000000c8',
    '  Type         \tMutant',
    'Handle 00000000000000d0',
    '  Type         \tThread',
    'Handle 00000000000000d4',
    '  Type         \tSemaphore',
    'Handle 00000000000000d8',
    '  Type         \tALPC Port',
    'Handle 00000000000000dc',
    '  Type         \tFile',
    'Handle 00000000000000e0',
    '  Type         \tKey',
    'Handle 00000000000000e4',
    '  Type         \tMutant',
    '10 Handles',
    'Type           \tCount',
    'Event          \t2',
    'Section        \t1',
    'File           \t1',
    'Mutant         \t2',
    'Semaphore      \t1',
    'Key            \t1',
    'Thread         \t1',
    'ALPC Port      \t1',
  ]);
});

t.test('!handle H f: attributes, access, counts, name, object information', async (t) => {
  const r = runner(handleDump());
  t.same(await r.lines('!handle ac f'), [
    'Handle 00000000000000ac',
    '  Type         \tEvent',
    '  Attributes   \t0',
    '  GrantedAccess\t0x1f0003:',
    '         Delete,ReadControl,WriteDac,WriteOwner,Synch',
    '         QueryState,ModifyState',
    '  HandleCount  \t2',
    '  PointerCount \t65538',
    '  Name         \t\\BaseNamedObjects\\FilesMovedEvent',
    '  Object specific information',
    '    Event Type Manual Reset',
    '    Event is Waiting',
  ]);
  t.same((await r.lines('!handle b0 f')).slice(-2), ['    Event Type Auto Reset', '    Event is Set']);
  t.same((await r.lines('!handle c8 f')).slice(2), [
    '  Attributes   \t2',
    '  GrantedAccess\t0x1f0001:',
    '         Delete,ReadControl,WriteDac,WriteOwner,Synch',
    '         QueryState',
    '  HandleCount  \t1',
    '  PointerCount \t4',
    '  Name         \t\\Sessions\\1\\BaseNamedObjects\\crashlab-orders-lock',
    '  Object specific information',
    '    Mutex is Owned',
    '    Mutant Owner 1144.2ac',
  ]);
  // As in WinDbg transcripts: a free mutex still names its (null) owner; a key handle with no
  // standard rights says None; a thread's 0x1fffff lists the ten rights uext knows.
  t.same((await r.lines('!handle e4 8')).slice(-3), ['  Object specific information', '    Mutex is Free', '    Mutant Owner 0.0']);
  t.same((await r.lines('!handle e0 2')).slice(2, 5), ['  GrantedAccess\t0x1:', '         None', '         QueryValue']);
  t.same((await r.lines('!handle d0 2')).slice(2, 5), [
    '  GrantedAccess\t0x1fffff:',
    '         Delete,ReadControl,WriteDac,WriteOwner,Synch',
    '         Terminate,Suspend,Alert,GetContext,SetContext,SetInfo,QueryInfo,SetToken,Impersonate,DirectImpersonate',
  ]);
  t.same((await r.lines('!handle dc 2')).slice(3, 5), ['         ReadControl,Synch', '         Read/List,Write/Add,Append/SubDir/CreatePipe,ReadEA,WriteEA,ReadAttr,WriteAttr']);
  t.same((await r.lines('!handle d0 f')).slice(-4), ['  Object specific information', '    Thread Id   1144.2a8', '    Priority    10', '    Base Priority 0']);
  t.same((await r.lines('!handle d4 8')).slice(-3), ['  Object specific information', '    Semaphore Count 0', '    Semaphore Limit 1']);
  t.same(await r.lines('!handle dc 4'), ['Handle 00000000000000dc', '  Name         \t<none>']);
  const [res] = await r.results('!handle c8 f');
  const h = (res?.data?.['handles'] as Record<string, unknown>[])[0];
  t.equal((h?.['objectInfo'] as Record<string, unknown>)['ownerThreadId'], 0x2acn);
});

t.test('!handle 0 f Type filters by type name', async (t) => {
  const r = runner(handleDump());
  const lines = await r.lines('!handle 0 1 Event');
  t.same(lines, ['Handle 00000000000000ac', '  Type         \tEvent', 'Handle 00000000000000b0', '  Type         \tEvent', '2 handles of type Event']);
  t.equal((await r.lines('!handle 0 1 event')).at(-1), '2 handles of type Event', 'any case, as in a transcript of `!handle 0 f mutant`');
  t.same(await r.lines('!handle 0 1 Timer'), ['0 handles of type Timer']);
});

t.test('the summary counts unnamed and unknown types as None, first (as in WinDbg transcripts)', async (t) => {
  const r = runner(
    new SynthDump()
      .arch('amd64')
      .thread({ id: 1, context: { rip: 1n } })
      .handles([{ handle: 4n, typeName: 'WaitCompletionPacket' }, { handle: 8n, typeName: 'IRTimer' }, { handle: 0xcn }, { handle: 0x10n, typeName: 'Event' }])
      .build(),
  );
  t.same((await r.lines('!handle')).slice(-5), ['4 Handles', 'Type           \tCount', 'None           \t2', 'Event          \t1', 'WaitCompletionPacket\t1']);
});

t.test('x86 dumps pad handles to 8 digits', async (t) => {
  const r = runner(new SynthDump().arch('x86').thread({ id: 1, context: { eip: 1n } }).handles([{ handle: 0x5bcn, typeName: 'Thread' }]).build());
  t.same(await r.lines('!handle 5bc'), ['Handle 000005bc', '  Type         \tThread']);
});

t.test('missing stream and unknown handles', async (t) => {
  const r = runner(new SynthDump().arch('amd64').thread({ id: 1, context: { rip: 1n } }).build());
  const [res] = await r.results('!handle');
  t.equal(res?.failed, true);
  t.same(await r.lines('!handle'), ['!handle needs the HandleData stream (12), which this dump does not have (it was written without MiniDumpWithHandleData; procdump -ma and .dump /ma include it).']);
  const h = runner(handleDump());
  t.same(await h.lines('!handle 1234'), ["Handle 0000000000001234 is not in the dump's handle data (10 handles)."]);
});

/** Counts handle descriptors and their type names by walking the raw HandleDataStream (independent of the parser). */
function rawHandleTypes(file: Buffer): Map<string, number> {
  const n = file.readUInt32LE(8);
  const dir = file.readUInt32LE(12);
  const out = new Map<string, number>();
  for (let i = 0; i < n; i++) {
    if (file.readUInt32LE(dir + 12 * i) !== 12) continue;
    const rva = file.readUInt32LE(dir + 12 * i + 8);
    const header = file.readUInt32LE(rva);
    const size = file.readUInt32LE(rva + 4);
    const count = file.readUInt32LE(rva + 8);
    for (let j = 0; j < count; j++) {
      const d = rva + header + j * size;
      const typeRva = file.readUInt32LE(d + 8);
      const name = typeRva ? file.toString('utf16le', typeRva + 4, typeRva + 4 + file.readUInt32LE(typeRva)) : '';
      out.set(name, (out.get(name) ?? 0) + 1);
    }
  }
  return out;
}

t.test('corpus: 147 handles of tiny-exe-with-cet-xsave.dmp', async (t) => {
  const path = new URL('windows/tiny-exe-with-cet-xsave.dmp', CORPUS).pathname;
  if (!existsSync(path)) {
    t.skip('corpus not present');
    return;
  }
  const r = runner(path, 'tiny-exe-with-cet-xsave.dmp');
  const lines = await r.lines('!handle');
  const at = lines.indexOf('147 Handles');
  t.ok(at > 0, 'summary line');
  t.equal(lines.filter((l) => l.startsWith('Handle ')).length, 147);
  const expected = rawHandleTypes(readFileSync(path));
  // uext's summary table: unnamed types and types it does not know (IRTimer here) count as None.
  const table = ['Event', 'Section', 'File', 'Directory', 'Mutant', 'Semaphore', 'Key', 'Thread', 'Desktop', 'WindowStation', 'IoCompletion', 'TpWorkerFactory', 'ALPC Port', 'WaitCompletionPacket'];
  let none = 0;
  for (const [name, n] of expected) if (!table.includes(name)) none += n;
  let total = 0;
  for (const row of lines.slice(at + 2)) {
    const [name, count] = row.split('\t');
    const key = (name ?? '').trimEnd();
    t.equal(Number(count), key === 'None' ? none : expected.get(key), `count of ${key}`);
    total += Number(count);
  }
  t.equal(total, 147);
  t.equal(lines[at + 2]?.split('\t')[0]?.trimEnd(), 'None', 'None comes first');
  const events = await r.lines('!handle 0 f Event');
  t.equal(events.at(-1), `${expected.get('Event')} handles of type Event`);
});
