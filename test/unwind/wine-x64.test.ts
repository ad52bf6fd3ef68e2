/**
 * Real-data check: walk every thread of the Wine x64 mini dumps with the PE
 * images' .pdata and compare the return addresses with the oracles written
 * beside each dump (winedbg for the exception thread, LLDB for the others).
 */
import t from 'tap';
import { createReadStream, createWriteStream, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { fileURLToPath } from 'node:url';
import { createGunzip } from 'node:zlib';
import { MinidumpFile } from '../../src/formats/minidump/index.js';
import type { MinidumpThread } from '../../src/formats/minidump/index.js';
import { PeImage } from '../../src/formats/pe/index.js';
import { walkStack } from '../../src/unwind/index.js';
import type { StackFrame, UnwindEnvironment, UnwindModule } from '../../src/unwind/index.js';

const CORPUS = fileURLToPath(new URL('../../../shared/corpus', import.meta.url));
const DUMPS = `${CORPUS}/wine-x64`;
const IMAGES = `${CORPUS}/images/wine-8.0-x64`;

if (!existsSync(DUMPS) || !existsSync(IMAGES)) {
  t.skip('corpus (../shared/corpus/wine-x64, images/wine-8.0-x64) not present');
} else {
  const images = new Map<string, PeImage>();
  t.teardown(() => { for (const i of images.values()) i.close(); });

  function imageFor(moduleName: string): PeImage | undefined {
    const file = (moduleName.split(/[\\/]/).pop() ?? '').toLowerCase();
    for (const p of [`${IMAGES}/${file}`, `${DUMPS}/${file}`]) {
      if (!existsSync(p)) continue;
      let img = images.get(p);
      if (img === undefined) {
        img = PeImage.fromFile(p);
        images.set(p, img);
      }
      return img;
    }
    return undefined;
  }

  /** The adapter the session layer builds: dump memory first, then the image bytes. */
  function environment(dump: MinidumpFile, withImages: boolean): UnwindEnvironment & { modules: UnwindModule[] } {
    const modules: UnwindModule[] = dump.modules().map((m) => {
      const u: UnwindModule = { base: m.baseOfImage, size: m.sizeOfImage, name: m.moduleName.split('\\').pop() ?? m.moduleName };
      const img = withImages ? imageFor(m.moduleName) : undefined;
      if (img !== undefined) {
        u.image = {
          readRva: (rva, len) => img.readRva(rva, len),
          exceptionDirectory: () => img.exceptionDirectory(),
          isCodeRva: (rva) => ((img.sectionForRva(rva)?.characteristics ?? 0) & 0x20000000) !== 0,
        };
      }
      return u;
    });
    const moduleAt = (a: bigint): UnwindModule | undefined => modules.find((m) => a >= m.base && a < m.base + BigInt(m.size));
    return {
      arch: dump.arch,
      modules,
      moduleAt,
      memory: {
        read: (a, len) => {
          const b = dump.memory.read(a, len);
          if (b.length > 0) return b;
          const m = moduleAt(a);
          return m?.image ? m.image.readRva(Number(a - m.base), len) : b;
        },
      },
    };
  }

  function walkThread(dump: MinidumpFile, env: UnwindEnvironment, th: MinidumpThread, fromException: boolean): StackFrame[] | undefined {
    const ctx = fromException ? dump.exceptionContext() : dump.threadContext(th);
    if (ctx === undefined) return undefined;
    return walkStack({ ...env, stackBounds: { low: th.stackStart, high: th.stackStart + BigInt(th.stackSize) } }, ctx);
  }

  /** winedbg's first "Backtrace:" block; inline frames repeat the address, so consecutive duplicates are dropped. */
  function winedbgFrames(text: string): bigint[] {
    const out: bigint[] = [];
    const lines = text.split('\n');
    const start = lines.findIndex((l) => l.startsWith('Backtrace:'));
    if (start < 0) return out;
    for (const l of lines.slice(start + 1)) {
      const m = /^(?:=>| )\s*\d+ (?:0x)?([0-9a-f]{8,})\b/.exec(l);
      if (m === null) break;
      const a = BigInt(`0x${m[1]}`);
      if (out[out.length - 1] !== a) out.push(a);
    }
    return out;
  }

  /** LLDB `bt all`: thread number → frame addresses; `thread list`: thread number → tid. */
  function lldbThreads(text: string): Map<number, bigint[]> {
    const tids = new Map<number, number>();
    for (const m of text.matchAll(/thread #(\d+): tid = 0x([0-9a-f]+)/g)) tids.set(Number(m[1]), Number.parseInt(m[2]!, 16));
    const out = new Map<number, bigint[]>();
    const bt = text.slice(text.indexOf('(lldb) bt all'));
    let cur: bigint[] | undefined;
    for (const l of bt.split('\n')) {
      const th = /^\s*\*?\s*thread #(\d+)/.exec(l);
      if (th !== null) {
        const tid = tids.get(Number(th[1]));
        cur = [];
        if (tid !== undefined) out.set(tid, cur);
        continue;
      }
      const fr = /frame #\d+: 0x([0-9a-f]+)/.exec(l);
      if (fr !== null && cur !== undefined) cur.push(BigInt(`0x${fr[1]}`));
    }
    return out;
  }

  /**
   * Ours must be LLDB's list minus LLDB's inline frames; an inline frame shows
   * up as an extra entry right after its container, in the same module and
   * close to it (0x7b075c4e followed by 0x7b075c44 in WaitForSingleObject).
   */
  function matchesLldb(ours: bigint[], lldb: bigint[], env: { moduleAt(a: bigint): UnwindModule | undefined }): boolean {
    let i = 0;
    for (let j = 0; j < lldb.length; j++) {
      const a = lldb[j]!;
      if (i < ours.length && ours[i] === a) { i++; continue; }
      const prev = lldb[j - 1];
      const inline = prev !== undefined && env.moduleAt(prev) === env.moduleAt(a) && (a > prev ? a - prev : prev - a) < 0x100n;
      if (!inline) return false;
    }
    return i === ours.length;
  }

  const hex = (v: bigint): string => `0x${v.toString(16)}`;
  const dumps = readdirSync(DUMPS).filter((f) => f.endsWith('-mini.dmp')).sort();
  t.ok(dumps.length >= 8, 'the corpus has the Wine mini dumps');

  for (const name of dumps) {
    t.test(name, async (t) => {
      const dump = MinidumpFile.open(`${DUMPS}/${name}`);
      t.teardown(() => dump.close());
      const env = environment(dump, true);
      const exc = dump.exception();
      const base = name.replace(/\.dmp$/, '');
      const winedbg = existsSync(`${DUMPS}/${base}.winedbg.txt`) ? winedbgFrames(readFileSync(`${DUMPS}/${base}.winedbg.txt`, 'utf8')) : [];
      const lldb = existsSync(`${DUMPS}/${base}.lldb.txt`) ? lldbThreads(readFileSync(`${DUMPS}/${base}.lldb.txt`, 'utf8')) : new Map<number, bigint[]>();
      let compared = 0;
      const started = Date.now();
      for (const th of dump.threads()) {
        const isException = exc !== undefined && exc.threadId === th.threadId;
        const frames = walkThread(dump, env, th, isException);
        if (frames === undefined) continue;
        const pcs = frames.map((f) => f.pc);
        // Every caller frame of these dumps is described by .pdata: nothing may come from scanning.
        const weak = frames.slice(1).filter((f) => f.trust !== 'unwind-info');
        if (weak.length > 0) t.fail(`thread ${th.threadId.toString(16)}: frames ${weak.map((f) => `${f.index}:${f.trust}`).join(', ')} not from unwind info`);
        if (isException && winedbg.length > 1) {
          t.same(pcs.map(hex), winedbg.map(hex), `exception thread ${th.threadId.toString(16)} matches winedbg`);
          compared++;
          continue;
        }
        const ref = lldb.get(th.threadId);
        if (ref === undefined || ref.length < 2 || ref[0] !== pcs[0]) continue;
        if (!matchesLldb(pcs, ref, env)) t.fail(`thread ${th.threadId.toString(16)}: ours ${pcs.map(hex).join(' ')} vs lldb ${ref.map(hex).join(' ')}`);
        compared++;
      }
      t.ok(compared >= 1, `${compared} threads compared with an oracle`);
      t.ok(Date.now() - started < 20000, 'walking every thread stays fast');
      if (exc !== undefined) {
        const th = dump.threads().find((x) => x.threadId === exc.threadId)!;
        const frames = walkThread(dump, env, th, true)!;
        t.match(frames[frames.length - 1]!.note ?? '', /end of stack/, 'the walk ends at the thread start (return address 0)');
        t.ok(frames.some((f) => env.moduleAt(f.pc)?.name === 'kernel32.dll'), 'reaches BaseThreadInitThunk in kernel32');
      }
    });
  }

  t.test('threadpool-crash: call through a null pointer on a pool thread', async (t) => {
    const dump = MinidumpFile.open(`${DUMPS}/threadpool-crash-mini.dmp`);
    t.teardown(() => dump.close());
    const env = environment(dump, true);
    const exc = dump.exception()!;
    const th = dump.threads().find((x) => x.threadId === exc.threadId)!;
    const frames = walkThread(dump, env, th, true)!;
    t.equal(frames[0]!.pc, 0n);
    t.equal(frames[1]!.pc, 0x140001fecn, 'the return address the null call pushed');
    t.match(frames[1]!.note ?? '', /null pointer/);
    t.same(frames.slice(3).map((f) => `${env.moduleAt(f.pc)?.name}+${hex(f.pc - env.moduleAt(f.pc)!.base)}`), [
      'ntdll.dll+0x5f697', 'ntdll.dll+0x607aa', 'ntdll.dll+0x60b1a', 'kernel32.dll+0x27e49', 'ntdll.dll+0x5dca8',
    ]);
  });

  t.test('without any image the walk degrades to scanning, and still terminates', async (t) => {
    for (const name of ['null-deref-mini.dmp', 'cpp-throw-mini.dmp']) {
      const dump = MinidumpFile.open(`${DUMPS}/${name}`);
      const env = environment(dump, false);
      const exc = dump.exception()!;
      const th = dump.threads().find((x) => x.threadId === exc.threadId)!;
      const frames = walkThread(dump, env, th, true)!;
      const truth = winedbgFrames(readFileSync(`${DUMPS}/${name.replace(/\.dmp$/, '')}.winedbg.txt`, 'utf8'));
      t.ok(frames.length >= 2 && frames.length <= 256, `${name}: ${frames.length} frames`);
      t.ok(frames.slice(1).every((f) => f.trust === 'scan'), `${name}: scan trust is reported`);
      // The true return addresses are on the stack, so the scanner must find most of them.
      const found = truth.filter((a) => frames.some((f) => f.pc === a)).length;
      t.ok(found >= truth.length - 2, `${name}: ${found}/${truth.length} true frames found by scanning`);
      dump.close();
    }
  });

  t.test('full-memory dump: unwind data read from the images mapped in the dump itself', async (t) => {
    const gz = `${DUMPS}/cpp-throw-full.dmp.gz`;
    if (!existsSync(gz)) {
      t.skip('cpp-throw-full.dmp.gz not present');
      return;
    }
    const dir = mkdtempSync(join(tmpdir(), 'dumpdbg-unwind-'));
    t.teardown(() => rmSync(dir, { recursive: true, force: true }));
    const path = join(dir, 'cpp-throw-full.dmp');
    await pipeline(createReadStream(gz), createGunzip(), createWriteStream(path));
    const dump = MinidumpFile.open(path);
    t.teardown(() => dump.close());
    const modules: UnwindModule[] = dump.modules().map((m) => {
      const img = PeImage.fromMemory((a, n) => dump.memory.read(a, n), m.baseOfImage, m.moduleName);
      return {
        base: m.baseOfImage, size: m.sizeOfImage, name: m.moduleName.split('\\').pop() ?? '',
        image: { readRva: (rva, n) => dump.memory.read(m.baseOfImage + BigInt(rva), n), exceptionDirectory: () => img.exceptionDirectory() },
      };
    });
    const moduleAt = (a: bigint): UnwindModule | undefined => modules.find((m) => a >= m.base && a < m.base + BigInt(m.size));
    const env: UnwindEnvironment = { arch: dump.arch, memory: { read: (a, n) => dump.memory.read(a, n) }, moduleAt };
    const lldb = lldbThreads(readFileSync(`${DUMPS}/cpp-throw-full.lldb.txt`, 'utf8'));
    const exc = dump.exception()!;
    let compared = 0;
    for (const th of dump.threads()) {
      const frames = walkThread(dump, env, th, th.threadId === exc.threadId);
      const ref = lldb.get(th.threadId);
      if (frames === undefined || ref === undefined || ref.length < 2) continue;
      const pcs = frames.map((f) => f.pc);
      t.ok(matchesLldb(pcs, ref, { moduleAt }), `thread ${th.threadId.toString(16)}: ${pcs.map(hex).join(' ')} vs lldb ${ref.map(hex).join(' ')}`);
      t.ok(frames.slice(1).every((f) => f.trust === 'unwind-info'));
      compared++;
    }
    t.ok(compared >= 5, `${compared} threads compared`);
  });
}
