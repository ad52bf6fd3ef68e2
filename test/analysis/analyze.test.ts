/** Pure tests of src/analysis/analyze over synthetic targets (memory, frames and modules built here). */
import t from 'tap';
import { undecorateTypeName } from '../../src/analysis/analyze/demangle.js';
import { pickBlameFrame, isHelperFunction } from '../../src/analysis/analyze/blame.js';
import { findRecursion } from '../../src/analysis/analyze/recursion.js';
import { analyzeException } from '../../src/analysis/analyze/exception.js';
import { decodeCxxException } from '../../src/analysis/analyze/cxx.js';
import { readCriticalSection, analyzeHang } from '../../src/analysis/analyze/hang.js';
import type { AnalysisFrame, AnalysisModule, AnalysisTarget, AnalysisThread } from '../../src/analysis/analyze/target.js';
import type { ExceptionRecord } from '../../src/formats/minidump/types.js';

/** Sparse memory: chunks at addresses. */
function memory(chunks: [bigint, Buffer][]): (a: bigint, n: number) => Buffer {
  return (a, n) => {
    for (const [base, buf] of chunks) {
      if (a >= base && a < base + BigInt(buf.length)) {
        const off = Number(a - base);
        return buf.subarray(off, Math.min(buf.length, off + n));
      }
    }
    return Buffer.alloc(0);
  };
}

const APP: AnalysisModule = { name: 'app', imageName: 'app.exe', path: 'C:\\app\\app.exe', base: 0x140000000n, size: 0x10000, timeDateStamp: 0 };
const NTDLL: AnalysisModule = { name: 'ntdll', imageName: 'ntdll.dll', path: 'C:\\Windows\\System32\\ntdll.dll', base: 0x7ff800000000n, size: 0x100000, timeDateStamp: 0 };
const KB: AnalysisModule = { name: 'KERNELBASE', imageName: 'KERNELBASE.dll', path: 'C:\\Windows\\System32\\KERNELBASE.dll', base: 0x7ff700000000n, size: 0x100000, timeDateStamp: 0 };

function target(read: (a: bigint, n: number) => Buffer, extra: Partial<AnalysisTarget> = {}): AnalysisTarget {
  return { arch: 'amd64', pointerSize: 8, read, modules: [APP, NTDLL, KB], threads: [], symbolize: () => undefined, ...extra };
}

function frame(index: number, module: string | undefined, symbol: string | undefined, sp = 0x1000n + BigInt(index) * 0x40n): AnalysisFrame {
  const f: AnalysisFrame = { index, pc: 0x140001000n + BigInt(index), sp, fp: 0n, displacement: 4n, trust: index ? 'unwind-info' : 'context', regs: {} };
  if (module) f.module = module;
  if (symbol) f.symbol = symbol;
  return f;
}

function rec(code: number, params: bigint[], address = 0x140001000n): ExceptionRecord {
  return { exceptionCode: code, exceptionFlags: 0, exceptionRecord: 0n, exceptionAddress: address, numberParameters: params.length, exceptionInformation: params };
}

t.test('undecorateTypeName', async (t) => {
  t.equal(undecorateTypeName('.?AVruntime_error@std@@'), 'class std::runtime_error');
  t.equal(undecorateTypeName('.?AUerr@ns1@ns2@@'), 'struct ns2::ns1::err');
  t.equal(undecorateTypeName('.?AW4code@@'), 'enum code');
  t.equal(undecorateTypeName('.H'), 'int');
  t.equal(undecorateTypeName('.PEBD'), 'char const *');
  t.equal(undecorateTypeName('.PEAVfoo@@'), 'class foo *');
  t.equal(undecorateTypeName('.?AV?$basic_error@D@std@@'), 'class std::basic_error<char>');
  t.equal(undecorateTypeName('.?AV?$holder@V?$box@H@@@@'), 'class holder<class box<int> >');
  t.equal(undecorateTypeName('.?AV?$basic_string@DU?$char_traits@D@std@@V?$allocator@D@2@@std@@'), 'class std::basic_string<char,struct std::char_traits<char>,class std::allocator<char> >', 'back-reference inside template arguments');
  t.equal(undecorateTypeName('.?AV?$_Func_base@X$$V@std@@'), 'class std::_Func_base<void>', 'empty pack');
  t.equal(undecorateTypeName('garbage'), undefined);
});

t.test('blame skips dispatch helpers and runtime modules', async (t) => {
  t.ok(isHelperFunction('_CxxThrowException@8'));
  t.ok(isHelperFunction('RaiseException'));
  t.notOk(isHelperFunction('parse_request'));
  const frames = [frame(0, 'KERNELBASE', 'RaiseException'), frame(1, 'app', '_CxxThrowException'), frame(2, 'app', 'parse'), frame(3, 'app', 'main')];
  const b = pickBlameFrame(frames, [APP, NTDLL, KB])!;
  t.equal(b.index, 2);
  t.equal(b.rule, 'first-own-code');
  t.same(b.skipped.map((s) => s.reason), ['helper', 'helper']);
  const sys = pickBlameFrame([frame(0, 'ntdll', 'DbgBreakPoint'), frame(1, 'ntdll', 'RtlpHeapCheck')], [APP, NTDLL, KB])!;
  t.equal(sys.index, 1, 'all system: first frame that is not a reporting helper');
  const filter = pickBlameFrame([frame(0, 'ntdll', 'NtWaitForSingleObject'), frame(1, 'app', 'my_unhandled_filter'), frame(2, 'KERNELBASE', 'UnhandledExceptionFilter'), frame(3, 'ntdll', 'KiUserExceptionDispatcher'), frame(4, 'app', 'crasher')], [APP, NTDLL, KB])!;
  t.equal(filter.index, 4, 'frames above the exception dispatcher (the filter) are not blamed');
  const nomod = pickBlameFrame([frame(0, undefined, undefined), frame(1, 'app', 'cb')], [APP])!;
  t.equal(nomod.index, 1);
});

t.test('findRecursion: direct and mutual recursion', async (t) => {
  const direct = [frame(0, 'app', 'leaf'), ...Array.from({ length: 20 }, (_, i) => frame(i + 1, 'app', 'rec', 0x1000n + BigInt(i) * 0x230n)), frame(21, 'app', 'main')];
  const r = findRecursion(direct)!;
  t.same(r.cycle, ['app!rec']);
  t.equal(r.repeats, 20);
  t.equal(r.bytesPerCycle, 0x230);
  t.equal(r.entry?.symbol, 'main');
  const mutual = Array.from({ length: 30 }, (_, i) => frame(i, 'app', i % 2 ? 'odd' : 'even'));
  const m = findRecursion(mutual)!;
  t.equal(m.cycle.length, 2);
  t.equal(m.repeats, 15);
  t.equal(findRecursion([frame(0, 'app', 'a'), frame(1, 'app', 'b')]), undefined);
});

t.test('access violations: null, non-canonical, DEP, write', async (t) => {
  const tg = target(() => Buffer.alloc(0));
  const n = analyzeException(tg, rec(0xc0000005, [0n, 0x10n]));
  t.equal(n.problemClass, 'NULL_POINTER_READ');
  t.same(n.sections[0], ['READ_ADDRESS', '0000000000000010 ']);
  const nc = analyzeException(tg, rec(0xc0000005, [1n, 0xffffffffffffffffn]));
  t.equal(nc.problemClass, 'INVALID_POINTER_WRITE');
  t.ok(nc.accessViolation?.nonCanonical);
  t.ok(analyzeException(tg, rec(0xc0000005, [0n, 0x0000900000000000n])).accessViolation?.nonCanonical);
  const dep = analyzeException(tg, rec(0xc0000005, [8n, 0x2a0000n], 0x2a0000n));
  t.equal(dep.problemClass, 'SOFTWARE_NX_FAULT');
  t.ok(dep.badInstructionPointer);
  const ff = analyzeException(tg, rec(0xc0000409, [2n]));
  t.equal(ff.problemClass, 'FAIL_FAST_STACK_COOKIE_CHECK_FAILURE');
  t.equal(analyzeException(tg, rec(0xc0000374, [])).problemClass, 'HEAP_CORRUPTION');
  t.equal(analyzeException(tg, rec(0x80000003, [0n])).problemClass, 'BREAKPOINT');
});

t.test('C++ exception decode from synthetic EH tables (x64, image-relative)', async (t) => {
  const base = 0x140000000n;
  const rdata = Buffer.alloc(0x200); // the image's bytes from RVA 0x1000
  // ThrowInfo at +0x100: attributes, pmfnUnwind, pForwardCompat, pCatchableTypeArray (RVA 0x1120).
  rdata.writeUInt32LE(0x1120, 0x10c);
  // CatchableTypeArray at RVA 0x1120: 2 entries → CatchableTypes at 0x1140, 0x1160.
  rdata.writeUInt32LE(2, 0x120);
  rdata.writeUInt32LE(0x1140, 0x124);
  rdata.writeUInt32LE(0x1160, 0x128);
  rdata.writeUInt32LE(0x1180, 0x144); // CT[0].pType
  rdata.writeUInt32LE(0x11c0, 0x164); // CT[1].pType
  rdata.write('.?AVbad_thing@app@@\0', 0x180 + 16, 'latin1');
  rdata.write('.?AVexception@std@@\0', 0x1c0 + 16, 'latin1');
  rdata.write('disk on fire\0', 0x1f0, 'latin1');
  const obj = Buffer.alloc(24);
  obj.writeBigUInt64LE(base + 0x11f0n, 8);
  const tg = target(memory([[base + 0x1000n, rdata], [0x5000n, obj]]), { isCaptured: (a) => a >= 0x5000n && a < 0x5018n });
  const info = decodeCxxException(tg, rec(0xe06d7363, [0x19930520n, 0x5000n, base + 0x1100n, base]))!;
  t.equal(info.thrownType, 'class app::bad_thing');
  t.same(info.catchableTypes.map((c) => c.name), ['class app::bad_thing', 'class std::exception']);
  t.equal(info.message, 'disk on fire');
  const unread = decodeCxxException(target(() => Buffer.alloc(0)), rec(0xe06d7363, [0x19930520n, 0x5000n, base + 0x1100n, base]))!;
  t.equal(unread.thrownType, undefined);
  t.match(unread.problems[0], /ThrowInfo at 0x140001100 is not readable/);
  t.equal(decodeCxxException(tg, rec(0xe06d7363, [0x12345678n, 0n, 0n, 0n])), undefined, 'unknown magic');
});

t.test('RTL_CRITICAL_SECTION layouts (x64 and x86)', async (t) => {
  const b64 = Buffer.alloc(40);
  b64.writeBigUInt64LE(0x24b430n, 0);
  b64.writeInt32LE(1, 8);
  b64.writeInt32LE(1, 12);
  b64.writeBigUInt64LE(0x114n, 16);
  b64.writeBigUInt64LE(0x88n, 24);
  b64.writeBigUInt64LE(0x20007d0n, 32);
  const cs = readCriticalSection(target(memory([[0x9000n, b64]])), 0x9000n)!;
  t.same([cs.debugInfo, cs.lockCount, cs.recursionCount, cs.owningThread, cs.lockSemaphore, cs.spinCount, cs.locked], [0x24b430n, 1, 1, 0x114n, 0x88n, 0x20007d0n, true]);
  const b32 = Buffer.alloc(24);
  b32.writeUInt32LE(0x5000, 0);
  b32.writeInt32LE(-1, 4);
  b32.writeInt32LE(0, 8);
  b32.writeUInt32LE(0, 12);
  const free = readCriticalSection({ ...target(memory([[0x8000n, b32]])), arch: 'x86', pointerSize: 4 }, 0x8000n)!;
  t.same([free.debugInfo, free.lockCount, free.owningThread, free.locked], [0x5000n, -1, 0n, false]);
  t.equal(readCriticalSection(target(() => Buffer.alloc(0)), 0x9000n), undefined);
});

t.test('hang: critical-section cycle from home-slot arguments', async (t) => {
  // Two threads in EnterCriticalSection; each callee spilled rcx into its home slot (caller sp + 0).
  const csA = 0x20000n;
  const csB = 0x20040n;
  const mk = (owner: bigint) => {
    const b = Buffer.alloc(40);
    b.writeInt32LE(1, 8);
    b.writeInt32LE(1, 12);
    b.writeBigUInt64LE(owner, 16);
    return b;
  };
  const stack = (cs: bigint) => {
    const b = Buffer.alloc(0x40);
    b.writeBigUInt64LE(cs, 0);
    return b;
  };
  const thread = (index: number, tid: number, sp: bigint): AnalysisThread => ({
    index,
    threadId: tid,
    suspendCount: 0,
    frames: [frame(0, 'ntdll', 'NtWaitForAlertByThreadId', sp - 0x100n), frame(1, 'ntdll', 'RtlEnterCriticalSection', sp - 0x40n), frame(2, 'app', 'worker', sp), frame(3, 'app', 'thread_main', sp + 0x40n)],
  });
  const tg = target(memory([[csA, mk(0x20n)], [csB, mk(0x10n)], [0x7000n, stack(csA)], [0x9000n, stack(csB)]]), {
    threads: [thread(0, 0x10, 0x7000n), thread(1, 0x20, 0x9000n), { index: 2, threadId: 0x30, suspendCount: 0, frames: undefined, noFramesReason: 'no context' }],
  });
  const h = analyzeHang(tg);
  t.equal(h.blocked.length, 2);
  t.equal(h.blocked[0]!.wait.address, csA);
  t.equal(h.blocked[0]!.wait.recovered?.source, 'home-slot');
  t.same(h.cycles, [{ threads: [0, 1], proven: true }]);
  t.equal(h.problemClass, 'APPLICATION_HANG_DEADLOCK');
  t.equal(h.unknown.length, 1);
  t.equal(h.primary?.index, 0);
});

t.test('hang: handles resolved through the handle stream; x86 arguments from the stack', async (t) => {
  const sp = 0x7000n;
  const slot = Buffer.alloc(0x40);
  slot.writeBigUInt64LE(0x48n, 0); // WaitForSingleObject's home slot: the handle
  const th: AnalysisThread = {
    index: 3,
    threadId: 0x77,
    suspendCount: 0,
    frames: [frame(0, 'ntdll', 'NtWaitForSingleObject', sp - 0x80n), frame(1, 'KERNELBASE', 'WaitForSingleObjectEx', sp - 0x40n), frame(2, 'app', 'writer', sp), frame(3, 'app', 'main', sp + 0x40n)],
  };
  // Frame 1 (WaitForSingleObjectEx) is the outer wait; its caller's sp + 0 is rcx's home slot.
  th.frames![1]!.symbol = 'WaitForSingleObject';
  const tg = target(memory([[sp, slot]]), { threads: [th], handles: [{ handle: 0x48n, typeName: 'Mutant', objectName: '\\Sessions\\1\\BaseNamedObjects\\orders-lock' }] });
  const h = analyzeHang(tg);
  t.equal(h.blocked[0]?.wait.handles?.[0], 0x48n);
  t.same(h.blocked[0]?.wait.handleInfo?.[0]?.typeName, 'Mutant');
  t.match(h.data['blockedThreads'], [{ text: /on mutant handle 0x48 "\\Sessions\\1\\BaseNamedObjects\\orders-lock"/ }]);
  t.notOk(h.limits.some((l) => l.includes('no handle stream')), 'the handle stream is present');
  t.ok(h.limits.some((l) => l.includes('kernel state')));

  // x86: EnterCriticalSection(cs) with cs at [ebp+8] of the callee's frame.
  const cs = Buffer.alloc(24);
  cs.writeInt32LE(0, 4);
  cs.writeInt32LE(1, 8);
  cs.writeUInt32LE(0x99, 12);
  const args = Buffer.alloc(16);
  args.writeUInt32LE(0x30000, 8);
  const f0 = frame(0, 'ntdll', 'ZwWaitForKeyedEvent', 0x5000n);
  const f1 = { ...frame(1, 'ntdll', 'RtlEnterCriticalSection', 0x5100n), fp: 0x6000n };
  const f2 = frame(2, 'app', 'worker', 0x6010n);
  const x86: AnalysisTarget = {
    ...target(memory([[0x30000n, cs], [0x6000n, args]])),
    arch: 'x86',
    pointerSize: 4,
    threads: [{ index: 0, threadId: 0x98, suspendCount: 0, frames: [f0, f1, f2] }, { index: 1, threadId: 0x99, suspendCount: 0, frames: [frame(0, 'app', 'busy')] }],
  };
  const hx = analyzeHang(x86);
  t.equal(hx.blocked[0]?.wait.address, 0x30000n);
  t.equal(hx.blocked[0]?.wait.criticalSection?.owningThread, 0x99n);
  t.same(hx.edges.map((e) => [e.from, e.to, e.proven]), [[0, 1, true]]);
  t.equal(hx.running.length, 1);
  t.equal(hx.cycles.length, 0);
});

t.test('delay-load failures name the DLL and procedure from DelayLoadInfo', async (t) => {
  const info = Buffer.alloc(72);
  info.writeUInt32LE(72, 0);
  info.writeBigUInt64LE(0x140005000n, 24); // szDll
  info.writeUInt32LE(1, 32); // fImportByName
  info.writeBigUInt64LE(0x140005020n, 40); // szProcName
  const names = Buffer.alloc(0x40);
  names.write('missing.dll\0', 0, 'latin1');
  names.write('DoThing\0', 0x20, 'latin1');
  const tg = target(memory([[0x8000n, info], [0x140005000n, names]]), { isCaptured: (a) => a >= 0x8000n && a < 0x8048n });
  const e = analyzeException(tg, rec(0xc06d007f, [0x8000n]));
  t.equal(e.problemClass, 'DELAYLOAD_PROC_NOT_FOUND');
  t.same(e.sections, [['DELAYLOAD_DLL', 'missing.dll'], ['DELAYLOAD_PROCEDURE', 'DoThing']]);
  t.equal(e.summary, 'Delay-load failed: procedure missing.dll!DoThing not found.');
  const none = analyzeException(target(() => Buffer.alloc(0)), rec(0xc06d007e, [0x8000n]));
  t.equal(none.summary, 'Delay-load failed: module (name not in the dump) could not be loaded.');
});

t.test('C++ exception decode on x86: absolute pointers, name at +8', async (t) => {
  const m = Buffer.alloc(0x100);
  m.writeUInt32LE(0x401020, 12); // ThrowInfo at 0x401000 → CTA 0x401020
  m.writeUInt32LE(1, 0x20);
  m.writeUInt32LE(0x401040, 0x24); // CT
  m.writeUInt32LE(0x401080, 0x44); // CT.pType
  m.write('.H\0', 0x80 + 8, 'latin1');
  const tg: AnalysisTarget = { ...target(memory([[0x401000n, m]])), arch: 'x86', pointerSize: 4 };
  const info = decodeCxxException(tg, rec(0xe06d7363, [0x19930520n, 0x12ff00n, 0x401000n]))!;
  t.equal(info.thrownType, 'int');
  t.equal(info.imageBase, 0n);
  t.equal(info.message, undefined, 'an int has no what()');
});
