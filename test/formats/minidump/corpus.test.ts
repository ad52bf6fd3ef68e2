import t from 'tap';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { MinidumpFile, fileVersionString } from '../../../src/formats/minidump/index.js';
import { pdbKey } from '../../../src/formats/codeview/index.js';

const repoRoot = resolve(fileURLToPath(new URL('../../..', import.meta.url)));
const CORPUS = resolve(repoRoot, '..', 'shared', 'corpus');
const WIN = join(CORPUS, 'windows');
const WINE = join(CORPUS, 'wine-x64');

if (!existsSync(CORPUS)) {
  t.plan(0, 'corpus not present at ../shared/corpus');
} else {
  const leaf = (p: string) => p.split(/[\\/]/).pop() ?? p;

  /** Breakpad's "Loaded modules:" lines: base, last byte, name, version, debug id. */
  function breakpadModules(txt: string) {
    const out: { base: bigint; last: bigint; name: string; version: string; debugId?: string }[] = [];
    const sec = txt.split('Loaded modules:')[1] ?? '';
    for (const line of sec.split('\n')) {
      const m = /^0x([0-9a-f]+) - 0x([0-9a-f]+)\s+(\S+)\s+(\S+)(.*)$/.exec(line);
      if (!m) continue;
      const id = /No symbols, [^,]*, ([0-9A-Fa-f]+)\)/.exec(m[5] ?? '');
      out.push({ base: BigInt('0x' + m[1]), last: BigInt('0x' + m[2]), name: m[3]!, version: m[4]!, ...(id ? { debugId: id[1] } : {}) });
    }
    return out;
  }

  /** Register values of frame 0 of the crashed thread. */
  function crashedFrame0Regs(txt: string): Record<string, bigint> {
    const sec = txt.split(/^Thread \d+ \(crashed\)$/m)[1];
    if (!sec) return {};
    const frame0 = sec.split(/Found by/)[0] ?? '';
    const regs: Record<string, bigint> = {};
    for (const m of frame0.matchAll(/(\w+) = 0x([0-9a-f]+)/g)) regs[m[1]!] = BigInt('0x' + m[2]);
    return regs;
  }

  for (const file of readdirSync(WIN).filter((f) => f.endsWith('.dmp'))) {
    t.test(`${file} matches Breakpad's report`, async (t) => {
      const f = MinidumpFile.open(join(WIN, file));
      t.teardown(() => f.close());
      const txt = readFileSync(join(WIN, file.replace(/\.dmp$/, '.breakpad.txt')), 'utf8');
      t.same(f.warnings, [], 'no warnings on a good dump');

      // Modules: same ranges, names, versions and debug ids (Breakpad sorts by base).
      const want = breakpadModules(txt);
      const got = [...f.modules()].sort((a, b) => (a.baseOfImage < b.baseOfImage ? -1 : 1));
      t.equal(got.length, want.length, 'module count');
      got.forEach((m, i) => {
        const w = want[i]!;
        t.equal(m.baseOfImage, w.base, `${w.name} base`);
        t.equal(m.baseOfImage + BigInt(m.sizeOfImage) - 1n, w.last, `${w.name} end`);
        t.equal(leaf(m.moduleName), w.name, 'name');
        if (w.version !== '???') t.equal(m.versionInfo && fileVersionString(m.versionInfo), w.version, `${w.name} version`);
        if (w.debugId && m.cvRecord) t.equal(pdbKey(m.cvRecord)?.toUpperCase(), w.debugId.toUpperCase(), `${w.name} debug id`);
      });

      // Exception: code and crash address as Breakpad derives them.
      const reason = /^Crash reason:\s+(\S+)/m.exec(txt)?.[1];
      const addr = /^Crash address: 0x([0-9a-f]+)/m.exec(txt)?.[1];
      const e = f.exception();
      if (!reason) {
        t.equal(e, undefined, 'no crash, no exception stream');
      } else {
        t.ok(e, 'exception stream present');
        const rec = e!.exceptionRecord;
        const codes: Record<string, number> = {
          EXCEPTION_ACCESS_VIOLATION_READ: 0xc0000005, EXCEPTION_ACCESS_VIOLATION_WRITE: 0xc0000005,
          EXCEPTION_STACK_OVERFLOW: 0xc00000fd, FAST_FAIL_FATAL_APP_EXIT: 0xc0000409,
        };
        const code = codes[reason] ?? parseInt(reason, 16);
        t.equal(rec.exceptionCode, code, `code for ${reason}`);
        if (reason.startsWith('EXCEPTION_ACCESS_VIOLATION')) {
          t.equal(rec.exceptionInformation[0], reason.endsWith('WRITE') ? 1n : 0n);
          // Breakpad truncates a non-canonical address to the pointer width (0xffffffffffffffff stays as is).
          t.equal(rec.exceptionInformation[1], BigInt('0x' + addr), 'AV address');
        } else {
          t.equal(rec.exceptionAddress, BigInt('0x' + addr), 'exception address');
        }
        t.ok(f.threads().some((th) => th.threadId === e!.threadId), 'exception thread is in the thread list');
        const regs = crashedFrame0Regs(txt);
        const ctx = f.exceptionContext();
        t.ok(ctx, 'exception context decodes');
        for (const [name, v] of Object.entries(regs)) t.equal(ctx!.regs[name], v, `crash context ${name}`);
      }
      // Every thread's context decodes with the dump's architecture.
      for (const th of f.threads()) {
        const c = f.threadContext(th);
        t.equal(c?.arch, f.arch, `thread ${th.threadId} context arch`);
      }
      // Each thread's stack memory is readable at its recorded start.
      for (const th of f.threads()) {
        if (th.stackSize === 0) continue;
        t.equal(f.memory.read(th.stackStart, th.stackSize).length, th.stackSize, `thread ${th.threadId} stack readable`);
      }
    });
  }

  t.test('minidump2.dmp (x86 XP SP2)', async (t) => {
    const f = MinidumpFile.open(join(WIN, 'minidump2.dmp'));
    t.teardown(() => f.close());
    t.equal(f.arch, 'x86');
    t.equal(f.systemInfo?.csdVersion, 'Service Pack 2');
    t.equal(f.systemInfo?.vendorId, 'GenuineIntel');
    t.equal(`${f.systemInfo?.majorVersion}.${f.systemInfo?.minorVersion}.${f.systemInfo?.buildNumber}`, '5.1.2600');
    const e = f.exception()!;
    t.equal(e.exceptionRecord.exceptionCode, 0xc0000005);
    t.equal(e.exceptionRecord.exceptionAddress, 0x40429en);
    const c = f.exceptionContext()!;
    t.equal(c.pc, 0x40429en);
    t.equal(c.sp, 0x12fe84n);
    t.equal(c.fp, 0x12fe88n);
    // Breakpad info: dump thread 4544 wrote the dump for requesting thread 3060.
    t.same(f.breakpadInfo(), { validity: 3, dumpThreadId: 4544, requestingThreadId: 3060 });
    t.equal(f.miscInfo()?.processId, 3932);
    // Unused (type 0) directory entries exist and are not "other streams".
    t.ok(f.directory.some((d) => d.streamType === 0));
    t.same(f.otherStreams(), []);
    // main's return address (Breakpad frame 1: eip 0x404200, esp 0x12fe90) sits just below frame 1's esp.
    t.equal(f.memory.readU32(0x12fe8cn), 0x404200);
    t.ok(f.memory.findRange(c.sp));
  });

  t.test('thread_name_list.dmp names', async (t) => {
    const f = MinidumpFile.open(join(WIN, 'thread_name_list.dmp'));
    t.teardown(() => f.close());
    t.same([...f.threadNames()], [[6564, 'main thread'], [8820, 'sleep thread'], [10976, 'overflow thread']]);
    t.equal(f.threads().length, 6);
    t.same(f.otherStreams().map((s) => s.typeName), ['SystemMemoryInfoStream', 'ProcessVmCountersStream']);
    const mi = f.miscInfo()!;
    t.equal(mi.sizeOfInfo, 1364);
    t.equal(mi.dbgBldStr, 'dbgcore.i386,10.0.17763.1');
    t.equal(mi.timeZone?.standardName, 'Mitteleuropäische Zeit');
  });

  t.test('tiny-exe-with-cet-xsave.dmp', async (t) => {
    const f = MinidumpFile.open(join(WIN, 'tiny-exe-with-cet-xsave.dmp'));
    t.teardown(() => f.close());
    t.equal(f.arch, 'amd64');
    const th = f.threads();
    t.equal(th.length, 1);
    const c = f.threadContext(th[0]!)!;
    t.equal(c.contextFlags, 0x10005f);
    t.equal(c.rawSize, 1407);
    t.equal(c.cetSsp, 0xcbc83fefc8n);
    t.equal(c.pc, 0x7ff9111e39e4n);
    t.equal(c.regs.r14, 0xaaaaaaaaaaaaaaaan);
    // The shadow stack was captured: return addresses upward from the SSP.
    t.equal(f.memory.readU64(0xcbc83fefc8n), 0x7ff91119b4c3n);
    t.equal(f.memory.readU64(0xcbc83fefd0n), 0x7ff90ec9b281n);
    t.equal(f.memory.readU64(0xcbc83fefd8n), 0x7ff778c6b8can);
    const mi = f.miscInfo()!;
    t.equal(mi.xstate?.contextSize, 1407);
    t.equal(mi.xstate?.enabledFeatures, 0x8000000000000803n);
    t.same(mi.xstate?.features[11], { offset: 576, size: 16 });
    t.equal(mi.dbgBldStr, 'crashpad.amd64,0.8.0,win');
    // Handles (16, 32, 147): v1 descriptors.
    const h = f.handles();
    t.equal(h.length, 147);
    t.equal(h[0]?.handle, 4n);
    t.equal(h[0]?.typeName, 'File');
    // Crashpad leaves TypeNameRva 0 for 46 of them.
    const count = (n: string) => h.filter((x) => x.typeName === n).length;
    t.equal(count(''), 46);
    t.equal(count('Event'), 18);
    t.equal(count('Section'), 31);
    t.equal(count('File'), 11);
    // Memory info (16, 48, 557).
    const mem = f.memoryInfo();
    t.equal(mem.length, 557);
    t.equal(mem[0]?.baseAddress, 0n);
    t.equal(mem[0]?.regionSize, 0x7ffe0000n);
    t.equal(mem[0]?.state, 0x10000);
    // Regions are contiguous and sorted.
    for (let i = 1; i < mem.length; i++) if (mem[i]!.baseAddress < mem[i - 1]!.baseAddress) t.fail('memory info not sorted');
    t.same(f.unloadedModules(), [{ baseOfImage: 0x7ff90f450000n, sizeOfImage: 0xea000, checkSum: 0xed569, timeDateStamp: 0xd40bc30a, moduleName: 'shcore.dll' }]);
    t.equal(f.modules().length, 25);
    t.equal(f.moduleAt(c.pc)?.moduleName, 'C:\\WINDOWS\\SYSTEM32\\ntdll.dll');
  });

  t.test('tiny-exe-fastfail.dmp NT_TIB from captured TEBs', async (t) => {
    const f = MinidumpFile.open(join(WIN, 'tiny-exe-fastfail.dmp'));
    t.teardown(() => f.close());
    let checked = 0;
    for (const th of f.threads()) {
      const tib = f.ntTib(th);
      if (!tib) continue;
      checked++;
      t.equal(tib.self, th.teb, 'NT_TIB.Self points at the TEB');
      const sp = f.threadContext(th)!.sp;
      t.ok(tib.stackLimit <= sp && sp < tib.stackBase, `sp ${sp.toString(16)} within [${tib.stackLimit.toString(16)}, ${tib.stackBase.toString(16)})`);
    }
    t.equal(checked, f.threads().length, 'every TEB captured');
    // minidump2 has no TEB pages.
    const g = MinidumpFile.open(join(WIN, 'minidump2.dmp'));
    t.teardown(() => g.close());
    t.equal(g.ntTib(g.threads()[0]!), undefined);
  });

  t.test('invalid-parameter.dmp assertion stream', async (t) => {
    const f = MinidumpFile.open(join(WIN, 'invalid-parameter.dmp'));
    t.teardown(() => f.close());
    t.same(f.assertionInfo(), { expression: 'format != nullptr', function: 'common_vfprintf', file: 'minkernel\\crts\\ucrt\\src\\appcrt\\stdio\\output.cpp', line: 32, type: 1 });
    t.same(f.breakpadInfo(), { validity: 3, dumpThreadId: 4944, requestingThreadId: 5896 });
  });

  t.test('simple-crashpad.dmp (macOS, Crashpad annotations)', async (t) => {
    const f = MinidumpFile.open(join(WIN, 'simple-crashpad.dmp'));
    t.teardown(() => f.close());
    t.equal(f.systemInfo?.platformId, 0x8101);
    const cp = f.crashpadInfo()!;
    t.equal(cp.version, 1);
    t.equal(cp.reportId, '42f9de72-518a-43dd-97d7-8ddc328d3662');
    t.equal(cp.clientId, '6fd2b3b9-9833-4b2f-bbf7-0bcf501bad7e');
    t.same(cp.simpleAnnotations, [['hello', 'world']]);
    t.same(cp.moduleAnnotations.map((m) => [m.moduleIndex, m.listAnnotations]), [[16, ['abort() called']], [39, ['dyld2 mode']]]);
    t.equal(leaf(f.modules()[16]!.moduleName), 'libsystem_c.dylib');
  });

  const wineMini = existsSync(WINE) ? readdirSync(WINE).filter((f) => f.endsWith('-mini.dmp')) : [];
  for (const file of wineMini) {
    t.test(`wine ${file}`, async (t) => {
      const f = MinidumpFile.open(join(WINE, file));
      t.teardown(() => f.close());
      t.same(f.warnings, []);
      t.equal(f.arch, 'amd64');
      // Wine writes no CodeView records in module entries.
      t.ok(f.modules().length >= 8);
      t.ok(f.modules().every((m) => m.cvRecord === undefined));
      t.equal(leaf(f.modules()[0]!.moduleName), 'crashlab.exe');
      t.equal(f.modules()[0]!.baseOfImage, 0x140000000n);
      // Wine's private 0xFFF0 stream is listed, not fatal.
      t.same(f.otherStreams().map((s) => s.streamType), [0xfff0]);
      // Compare thread ids with LLDB's "thread list".
      const lldb = readFileSync(join(WINE, basename(file, '.dmp') + '.lldb.txt'), 'utf8');
      const tids = [...lldb.matchAll(/thread #\d+: tid = 0x([0-9a-f]+)/g)].map((m) => parseInt(m[1]!, 16));
      t.same(f.threads().map((x) => x.threadId), tids, 'thread ids as LLDB lists them');
      // LLDB's frame #0 pc for threads with a context.
      for (const m of lldb.matchAll(/thread #(\d+): tid = 0x([0-9a-f]+), 0x([0-9a-f]+)/g)) {
        const th = f.threads()[Number(m[1]) - 1]!;
        const c = f.threadContext(th);
        if (c) t.equal(c.pc, BigInt('0x' + m[3]), `thread ${m[1]} pc`);
      }
      if (file.startsWith('deadlock')) {
        t.equal(f.exception(), undefined);
        t.equal(f.threads()[0]!.context.dataSize, 0);
        t.equal(f.threadContext(f.threads()[0]!), undefined, 'hang-dump writer thread has a zero-size context');
      } else {
        t.ok(f.exception());
        t.ok(f.exceptionContext());
      }
    });
  }
}
