/**
 * !analyze and !locks through the real dispatcher, on the project's example
 * dumps (always present) and on the shared corpus (skipped when absent).
 * Expected values come from examples/dumps/PROVENANCE.md and the corpus
 * README/oracles, not from this code.
 */
import t from 'tap';
import { createReadStream, createWriteStream, existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import { renderLines } from '../../src/results/render-text.js';
import { CORPUS, HAVE_CORPUS, REPO, sessionFromBuffer, sessionFromFile } from '../fixtures/session.js';
import { SynthDump } from '../fixtures/synth/minidump-writer.js';

const EXAMPLES = path.join(REPO, 'examples', 'dumps');
const WINE = path.join(CORPUS, 'wine-x64');
const IMAGES = path.join(CORPUS, 'images', 'wine-8.0-x64');
const HAVE_IMAGES = existsSync(IMAGES);

const example = (name: string) => sessionFromFile(path.join(EXAMPLES, `${name}.dmp`), { symbolPath: EXAMPLES, imagePath: HAVE_IMAGES ? IMAGES : '' });
const corpus = (name: string, withImages = true) => sessionFromFile(path.join(WINE, name), { symbolPath: WINE, imagePath: withImages ? IMAGES : '' });

/** `LABEL:  value` → value (first occurrence). */
function field(lines: string[], label: string): string | undefined {
  const l = lines.find((x) => x.startsWith(`${label}:`));
  return l?.slice(label.length + 1).trim();
}

t.test('!analyze -v on the example crash dumps names the exception and the faulting function', async (t) => {
  // needsImages: the walk from RaiseException up to the program's frames needs kernelbase's
  // .pdata (Wine's DLLs are in the corpus only); without it the stack is scanned and ends early.
  const cases: { dump: string; code: string; bucket: string; symbol: RegExp; extra?: [string, string][]; needsImages?: boolean }[] = [
    { dump: 'null-deref', code: 'c0000005', bucket: 'NULL_POINTER_READ_c0000005_crashlab.exe!read_field', symbol: /^crashlab!read_field\+0$/, extra: [['READ_ADDRESS', '0000000000000010']] },
    { dump: 'threadpool-av', code: 'c0000005', bucket: 'NULL_POINTER_READ_c0000005_crashlab.exe!dispatch_message', symbol: /^crashlab!dispatch_message\+1f$/, extra: [['READ_ADDRESS', '0000000000000020'], ['FAULTING_THREAD', '10c']] },
    { dump: 'div-zero', code: 'c0000094', bucket: 'INTEGER_DIVIDE_BY_ZERO_c0000094_crashlab.exe!divide', symbol: /^crashlab!divide\+6$/ },
    { dump: 'breakpoint', code: '80000003', bucket: 'BREAKPOINT_80000003_crashlab.exe!check_invariants', symbol: /^crashlab!check_invariants\+a$/ },
    { dump: 'cpp-throw', code: 'e06d7363', bucket: 'CPP_EXCEPTION_e06d7363_crashlab.exe!parse_request', symbol: /^crashlab!parse_request\+68$/, extra: [['CPP_EXCEPTION_TYPE', 'class std::runtime_error'], ['EXCEPTION_MESSAGE', 'configuration file is missing the [server] section']] },
    { dump: 'clr-exception', code: 'e0434352', bucket: 'CLR_EXCEPTION_e0434352_crashlab.exe!raise_managed_exception', symbol: /^crashlab!raise_managed_exception\+49$/, needsImages: true, extra: [['CLR_EXCEPTION_HRESULT', '0x80131509 (COR_E_INVALIDOPERATION)'], ['CLR_RUNTIME', 'none loaded']] },
    { dump: 'stack-overflow', code: 'c00000fd', bucket: 'STACK_OVERFLOW_c00000fd_crashlab.exe!recurse', symbol: /^crashlab!recurse\+2b$/, extra: [['FAULTING_THREAD', '114']] },
  ];
  for (const c of cases) {
    const s = example(c.dump);
    const lines = await s.run('!analyze -v');
    t.equal(field(lines, 'EXCEPTION_CODE_STR'), c.code, `${c.dump}: code`);
    if (!c.needsImages || HAVE_IMAGES) {
      t.equal(field(lines, 'FAILURE_BUCKET_ID'), c.bucket, `${c.dump}: bucket`);
      t.match(field(lines, 'SYMBOL_NAME'), c.symbol, `${c.dump}: blamed function`);
      t.equal(field(lines, 'IMAGE_NAME'), 'crashlab.exe');
    }
    for (const [label, value] of c.extra ?? []) t.equal(field(lines, label), value, `${c.dump}: ${label}`);
  }
});

t.test('!analyze -v layout: banner, KEY_VALUES_STRING first, WinDbg section order', async (t) => {
  const lines = await example('null-deref').run('!analyze -v');
  // Symbol-load warnings may come first (modules load on demand).
  const b = lines.indexOf('*'.repeat(79));
  t.ok(b >= 0);
  t.equal(lines[b + 2], `*${' '.repeat(24)}Exception Analysis${' '.repeat(35)}*`);
  const order = ['KEY_VALUES_STRING', 'CONTEXT', 'EXCEPTION_RECORD', 'PROCESS_NAME', 'READ_ADDRESS', 'ERROR_CODE', 'EXCEPTION_CODE_STR', 'EXCEPTION_PARAMETER1', 'FAULTING_THREAD', 'STACK_TEXT', 'STACK_COMMAND', 'SYMBOL_NAME', 'MODULE_NAME', 'IMAGE_NAME', 'FAILURE_BUCKET_ID', 'FAILURE_ID_HASH'];
  const at = order.map((l) => lines.findIndex((x) => x.startsWith(`${l}:`)));
  t.ok(at.every((i) => i >= 0), `all sections present: ${order.filter((_, i) => at[i]! < 0).join(',')}`);
  t.same([...at].sort((a, b) => a - b), at, 'in order');
  t.equal(lines[at[0]!], 'KEY_VALUES_STRING: 1');
  t.equal(field(lines, 'ERROR_CODE'), '(NTSTATUS) 0xc0000005 - The instruction at 0x%p referenced memory at 0x%p. The memory could not be %s.');
  t.ok(lines.includes('    Key  : AV.Type') && lines.includes('    Value: Read'));
  t.equal(field(lines, 'STACK_COMMAND'), '~0s; .ecxr ; kb');
  t.ok(lines.includes('MODULE_NAME: crashlab'), 'MODULE_NAME has one space');
  // STACK_TEXT rows: Child-SP RetAddr : 4 args : call site; the faulting frame first, the caller next.
  const st = lines.findIndex((x) => x.startsWith('STACK_TEXT:'));
  t.match(lines[st + 1], /^[0-9a-f]{8}`[0-9a-f]{8} 00000001`400022a1     : ([0-9a-f]{8}`[0-9a-f]{8} ){3}[0-9a-f]{8}`[0-9a-f]{8} : crashlab!read_field$/);
  t.match(lines[st + 2], /: crashlab!lookup_customer\+0x11$/);
  t.equal(lines.at(-2), '---------');
});

t.test('!analyze without -v is the short form; explain notes only in teaching mode and JSON', async (t) => {
  const s = example('cpp-throw');
  const r = await s.result('!analyze');
  const plain = renderLines(r);
  t.ok(plain.includes('Use !analyze -v to get detailed debugging information.'));
  t.notOk(plain.some((l) => l.startsWith('STACK_TEXT')), 'no stack in the short form');
  t.equal(field(plain, 'CPP_EXCEPTION_TYPE'), 'class std::runtime_error');
  t.notOk(plain.some((l) => l.startsWith('What happened')), 'explain hidden in classic output');
  const taught = renderLines(r, { explain: true });
  t.ok(taught.some((l) => l.startsWith('What happened: Unhandled C++ exception of type class std::runtime_error')));
  t.ok(taught.some((l) => /^Blamed crashlab!parse_request\+0x68: the first frame in the program's own code\. Skipped /.test(l)));
  const data = r.data as Record<string, unknown>;
  t.equal(data['type'], 'analyze');
  t.ok(Array.isArray(data['explain']) && (data['explain'] as string[]).length >= 3);
  t.equal((data['cxxException'] as { thrownType: string }).thrownType, 'class std::runtime_error');
});

t.test('stack overflow: the recursion is found and counted', async (t) => {
  const r = await example('stack-overflow').result('!analyze -v');
  const lines = renderLines(r);
  // PROVENANCE: recurse+0x2b, then recurse+0x30 1,856 times (1,857 frames of recurse), 0x230 bytes each.
  t.equal(field(lines, 'RECURSION'), 'crashlab!recurse (1857 times, 0x230 bytes of stack each)');
  t.same((r.data as { recursion: { repeats: number } }).recursion.repeats, 1857);
  t.ok(lines.some((l) => /^\.\.\. \d+ frames omitted/.test(l)), 'STACK_TEXT elides the middle');
});

t.test('clr-exception: HRESULT named, SOS commands given, missing runtime said plainly', async (t) => {
  const r = await example('clr-exception').result('!analyze -v');
  const notes = renderLines(r, { explain: true });
  t.ok(notes.some((l) => l.includes('!pe') && l.includes('!clrstack') && l.includes('dotnet-dump analyze')));
  t.ok(notes.some((l) => l.includes('no module is loaded there') && l.includes('no CLR')));
});

t.test('deadlock-cs: critical-section owners read from memory give a proven cycle', { skip: !HAVE_IMAGES && 'Wine images (corpus) absent: wait functions are named from their exports' }, async (t) => {
  const s = example('deadlock-cs');
  const lines = await s.run('!analyze -v');
  // PROVENANCE: packer [5] owns orders_cs 0x1A9FD88 and waits for inventory_cs 0x1A9FDB0 owned by restocker [6] (0x118), and vice versa.
  t.ok(lines.includes('    thread 5 waits for critical section 0x1a9fdb0 owned by thread 6 (id 0x118)'));
  t.ok(lines.includes('    thread 6 waits for critical section 0x1a9fd88 owned by thread 5 (id 0x114)'));
  t.equal(field(lines, 'DEADLOCK'), 'threads 5 -> 6 -> 5 (owners read from memory)');
  t.equal(field(lines, 'BLOCKING_THREAD'), '118');
  t.equal(field(lines, 'FAULTING_THREAD'), '114');
  t.equal(field(lines, 'FAILURE_BUCKET_ID'), 'APPLICATION_HANG_DEADLOCK_cfffffff_crashlab.exe!take_both_sections');
  t.ok(lines.some((l) => l.includes('CritSec 0x1a9fd88: LockCount 1, RecursionCount 1, OwningThread 0x114') && l.includes('DebugInfo 0x24b430')));
  t.ok(lines.some((l) => l.includes('Thread 0 (id 24): no stack')));
  const locks = await s.run('!locks');
  t.ok(locks.includes('OwningThread       118 (thread 6)'));
  t.ok(locks.includes('OwningThread       114 (thread 5)'));
  t.equal(locks.filter((l) => l === '*** Locked').length, 2);
  t.equal(locks.at(-1), 'Scanned 2 critical sections');
  const one = await s.run('!locks 1a9fd88');
  t.ok(one.includes('CritSec at 00000000`01a9fd88'));
});

t.test('deadlock (mutexes): both blocked threads and their handles; owners not provable', { skip: !HAVE_IMAGES && 'Wine images (corpus) absent' }, async (t) => {
  const lines = await example('deadlock').run('!analyze -v');
  // PROVENANCE: order-writer [4] waits on 0x48, inventory-sync [5] waits on 0x44.
  t.ok(lines.some((l) => /^ {4}Thread 4 \(id 110\) in crashlab!take_both_mutexes\+0x[0-9a-f]+ waits in kernelbase!WaitForSingleObject on handle 0x48, timeout INFINITE$/.test(l)));
  t.ok(lines.some((l) => /^ {4}Thread 5 \(id 114\) in crashlab!take_both_mutexes\+0x[0-9a-f]+ waits in kernelbase!WaitForSingleObject on handle 0x44, timeout INFINITE$/.test(l)));
  t.ok(lines.some((l) => l.includes('Mutex owners') && l.includes('kernel state')));
  t.ok(lines.some((l) => l.includes('no handle stream')));
  t.ok(lines.some((l) => l.includes('Threads 4 and 5 wait forever on different handles (0x48, 0x44)')));
  t.equal(field(lines, 'FAULTING_THREAD'), '110', 'the pool workers (identical stacks) are not blamed');
  t.notOk(lines.some((l) => l.startsWith('DEADLOCK:')), 'no proven cycle from handles alone');
});

t.test('corpus: cpp-throw mini dump with the image path (the issue\'s done criterion)', { skip: !HAVE_CORPUS && 'corpus absent' }, async (t) => {
  const lines = await corpus('cpp-throw-mini.dmp').run('!analyze -v');
  t.equal(field(lines, 'CPP_EXCEPTION_TYPE'), 'class std::runtime_error');
  t.equal(field(lines, 'EXCEPTION_MESSAGE'), 'invalid request envelope: missing Action header');
  t.match(field(lines, 'SYMBOL_NAME'), /^crashlab!parse_request\+/);
});

t.test('corpus: without the image path the EH tables of a mini dump are unreadable, and it says so', { skip: !HAVE_CORPUS && 'corpus absent' }, async (t) => {
  const s = sessionFromFile(path.join(WINE, 'cpp-throw-mini.dmp'), { symbolPath: '', imagePath: '' });
  const r = await s.result('!analyze -v');
  const lines = renderLines(r, { explain: true });
  t.notOk(field(lines, 'CPP_EXCEPTION_TYPE'));
  t.ok(lines.some((l) => l.includes('ThrowInfo at 0x140009150 is not readable')));
});

t.test('corpus: cpp-throw full dump (gunzipped) without an image path', { skip: !HAVE_CORPUS && 'corpus absent' }, async (t) => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'dumpdbg-analyze-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const file = path.join(dir, 'cpp-throw-full.dmp');
  await pipeline(createReadStream(path.join(WINE, 'cpp-throw-full.dmp.gz')), createGunzip(), createWriteStream(file));
  const lines = await sessionFromFile(file, { symbolPath: WINE, imagePath: '' }).run('!analyze -v');
  t.equal(field(lines, 'CPP_EXCEPTION_TYPE'), 'class std::runtime_error');
  t.equal(field(lines, 'EXCEPTION_MESSAGE'), 'invalid request envelope: missing Action header');
  t.match(field(lines, 'SYMBOL_NAME'), /^crashlab!parse_request\+/);
});

t.test('corpus: deadlock full dump (gunzipped): earlier waits make a suspected cycle, still not called proven', { skip: !HAVE_CORPUS && 'corpus absent' }, async (t) => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'dumpdbg-analyze-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const file = path.join(dir, 'deadlock-full.dmp');
  await pipeline(createReadStream(path.join(WINE, 'deadlock-full.dmp.gz')), createGunzip(), createWriteStream(file));
  const lines = await sessionFromFile(file, { symbolPath: WINE, imagePath: '' }).run('!analyze -v');
  // take_a_then_b waits on g_lock_b after taking g_lock_a; take_b_then_a the reverse (globals are in a full dump).
  const t5 = lines.find((l) => l.startsWith('    Thread 5 '));
  const t6 = lines.find((l) => l.startsWith('    Thread 6 '));
  const h5 = /on handle (0x[0-9a-f]+)/.exec(t5 ?? '')?.[1];
  const h6 = /on handle (0x[0-9a-f]+)/.exec(t6 ?? '')?.[1];
  t.ok(h5 && h6 && h5 !== h6, 'two different handles');
  t.ok(lines.includes(`        earlier in this function: WaitForSingleObject(${h6}) at 0x140001f48 returned`));
  t.equal(field(lines, 'SUSPECTED_DEADLOCK'), 'threads 5 -> 6 -> 5 (not proven: mutex owners are kernel state)');
  t.notOk(lines.some((l) => l.startsWith('DEADLOCK:')));
});

t.test('corpus: crash scenarios blame the crash program\'s own function', { skip: !HAVE_CORPUS && 'corpus absent' }, async (t) => {
  // The corpus README names what happened in each scenario.
  const cases: [string, string, string][] = [
    ['null-deref-mini.dmp', 'NULL_POINTER_READ_c0000005', 'read_field'],
    ['av-write-mini.dmp', 'NULL_POINTER_WRITE_c0000005', 'write_config'],
    ['div-zero-mini.dmp', 'INTEGER_DIVIDE_BY_ZERO_c0000094', 'divide'],
    ['breakpoint-mini.dmp', 'BREAKPOINT_80000003', 'breakpoint'],
    ['clr-exception-mini.dmp', 'CLR_EXCEPTION_e0434352', 'clr_exception'],
    ['threadpool-crash-mini.dmp', 'NULL_POINTER_EXECUTE_c0000005', 'on_io_complete'],
    ['many-threads-mini.dmp', 'NULL_POINTER_READ_c0000005', 'read_field'],
  ];
  for (const [dump, prefix, fn] of cases) {
    const lines = await corpus(dump).run('!analyze -v');
    t.equal(field(lines, 'FAILURE_BUCKET_ID'), `${prefix}_crashlab.exe!${fn}`, dump);
  }
  const tp = await corpus('threadpool-crash-mini.dmp').run('!analyze -v');
  t.equal(field(tp, 'FAILED_INSTRUCTION_ADDRESS'), '0000000000000000');
  const clr = await corpus('clr-exception-mini.dmp').run('!analyze -v');
  t.equal(field(clr, 'CLR_EXCEPTION_HRESULT'), '0x80004003 (E_POINTER)');
});

t.test('corpus: deadlock mini dump names the two blocked threads and their handles', { skip: !HAVE_CORPUS && 'corpus absent' }, async (t) => {
  const lines = await corpus('deadlock-mini.dmp').run('!analyze -v');
  t.ok(lines.some((l) => /^ {4}Thread 5 \(id 188\) in crashlab!take_a_then_b\+0x3b waits in kernelbase!WaitForSingleObject on handle 0x[0-9a-f]+, timeout INFINITE$/.test(l)));
  t.ok(lines.some((l) => /^ {4}Thread 6 \(id 18c\) in crashlab!take_b_then_a\+0x3b waits in kernelbase!WaitForSingleObject on handle 0x[0-9a-f]+, timeout INFINITE$/.test(l)));
  t.ok(lines.some((l) => l.includes('Mutex owners') && l.includes('cannot be proven')));
  t.equal(field(lines, 'FAULTING_THREAD'), '188');
});

t.test('corpus: real-Windows dumps (no images): fail-fast code and non-canonical AV', { skip: !HAVE_CORPUS && 'corpus absent' }, async (t) => {
  const ff = await sessionFromFile(path.join(CORPUS, 'windows', 'tiny-exe-fastfail.dmp')).run('!analyze -v');
  t.match(field(ff, 'FAILURE_BUCKET_ID'), /^FAIL_FAST_FATAL_APP_EXIT_c0000409_/);
  const nc = await sessionFromFile(path.join(CORPUS, 'windows', 'write_av_non_canonical.dmp')).run('!analyze -v');
  t.ok(nc.some((l) => l === '    Value: NonCanonical'));
  const so = await sessionFromFile(path.join(CORPUS, 'windows', 'stack_exhaustion.dmp')).run('!analyze -v');
  t.match(field(so, 'FAILURE_BUCKET_ID'), /^STACK_OVERFLOW_c00000fd_/);
});

t.test('!analyze -hang on a crash dump analyzes the waits; !locks with no critical sections', { skip: !HAVE_IMAGES && 'Wine images (corpus) absent' }, async (t) => {
  const s = example('null-deref');
  const lines = await s.run('!analyze -hang');
  t.equal(lines[lines.indexOf('*'.repeat(79)) + 2], `*${' '.repeat(24)}Hang Analysis${' '.repeat(40)}*`);
  // PROVENANCE: pool workers wait in WaitForSingleObject, heartbeat sleeps.
  t.ok(lines.some((l) => /^ {4}Thread 1 \(id fc\) in crashlab!pool_worker_main\+0x[0-9a-f]+ waits in kernelbase!WaitForSingleObject on handle 0x[0-9a-f]+, timeout INFINITE/.test(l)));
  t.ok(lines.some((l) => /^ {4}Thread 3 \(id 108\) in crashlab!heartbeat_main\+0x[0-9a-f]+ sleeps in kernelbase!Sleep for 1000 ms$/.test(l)));
  const locks = await s.run('!locks');
  t.equal(locks.at(-1), 'Scanned 0 critical sections');
});

t.test('synthetic: guard-page AV from the memory map; exception thread missing from the thread list', async (t) => {
  // Values chosen here: an AV writing 0x22e000, which the MemoryInfoList says is a committed PAGE_READWRITE|PAGE_GUARD page.
  const stack = Buffer.alloc(0x40);
  const dump = new SynthDump()
    .arch('amd64')
    .thread({ id: 0x10, context: { rip: 0x140001010n, rsp: 0x22f000n }, stack: { addr: 0x22f000n, bytes: stack } })
    .module({ base: 0x140000000n, size: 0x20000, name: 'C:\\svc\\app.exe' })
    .memoryInfo([{ baseAddress: 0x22e000n, regionSize: 0x1000n, state: 0x1000, protect: 0x104, type: 0x20000 }])
    .exception({ threadId: 0x99, code: 0xc0000005, address: 0x140001010n, parameters: [1n, 0x22e010n], context: { rip: 0x140001010n, rsp: 0x22f000n } })
    .build();
  const r = await sessionFromBuffer(dump).result('!analyze -v');
  const lines = renderLines(r, { explain: true });
  t.equal(field(lines, 'FAILURE_BUCKET_ID'), 'GUARD_PAGE_WRITE_c0000005_app.exe!Unknown');
  t.equal(field(lines, 'WRITE_ADDRESS'), '000000000022e010');
  t.ok(lines.some((l) => l.startsWith('Memory map: the address is in committed private memory 0x22e000-0x22f000, a guard page, read/write')));
  t.equal(field(lines, 'FAULTING_THREAD'), '99');
  t.equal(field(lines, 'STACK_COMMAND'), '~-1s; .ecxr ; kb');
  t.equal(field(lines, 'SYMBOL_NAME'), 'app+1010', 'the exception context is walked even without its thread');
});

t.test('synthetic: 0xCFFFFFFF (a dump taken on request) is analyzed as a hang', async (t) => {
  const dump = new SynthDump()
    .arch('amd64')
    .thread({ id: 0x10, context: { rip: 0x140001010n, rsp: 0x22f000n }, stack: { addr: 0x22f000n, bytes: Buffer.alloc(0x40) } })
    .module({ base: 0x140000000n, size: 0x20000, name: 'C:\\svc\\app.exe' })
    .exception({ threadId: 0x10, code: 0xcfffffff, address: 0x140001010n, parameters: [], context: { rip: 0x140001010n, rsp: 0x22f000n } })
    .build();
  const lines = await sessionFromBuffer(dump).run('!analyze -v');
  t.ok(lines.includes('Exception code cfffffff marks a dump taken on request, not a crash: analyzing it as a hang.'));
  t.ok(lines.includes('    (none: no thread is in a recognized wait function)'));
});

t.test('synthetic: CLR exception raised by coreclr.dll names the runtime and its file version', async (t) => {
  const dump = new SynthDump()
    .arch('amd64')
    .thread({ id: 0x10, context: { rip: 0x7ffb10001000n, rsp: 0x22f000n }, stack: { addr: 0x22f000n, bytes: Buffer.alloc(0x40) } })
    .module({ base: 0x140000000n, size: 0x20000, name: 'C:\\svc\\svc.exe' })
    .module({ base: 0x7ffb10000000n, size: 0x500000, name: 'C:\\Program Files\\dotnet\\shared\\Microsoft.NETCore.App\\8.0.1\\coreclr.dll', version: [8, 0, 123, 60105] })
    .exception({ threadId: 0x10, code: 0xe0434352, address: 0x7ffb10001000n, parameters: [0x80131509n, 0n, 0n, 0n, 0x7ffb10000000n], context: { rip: 0x7ffb10001000n, rsp: 0x22f000n } })
    .build();
  const r = await sessionFromBuffer(dump).result('!analyze -v');
  const lines = renderLines(r, { explain: true });
  t.equal(field(lines, 'CLR_RUNTIME'), 'coreclr.dll 8.0.123.60105');
  t.equal(field(lines, 'CLR_EXCEPTION_HRESULT'), '0x80131509 (COR_E_INVALIDOPERATION)');
  t.match(field(lines, 'ADDITIONAL_DEBUG_TEXT'), /need SOS.*!pe and !clrstack.*dotnet-dump analyze/);
  t.ok(lines.some((l) => l.includes('usually means a System.InvalidOperationException')));
  t.same((r.data as { clrException: { runtime: unknown } }).clrException.runtime, { name: 'coreclr', imageName: 'coreclr.dll', fileVersion: '8.0.123.60105' });
});

t.test('argument errors', async (t) => {
  const lines = await example('null-deref').run('!analyze -x');
  t.match(lines.join('\n'), /Unrecognized option '-x'/);
});
