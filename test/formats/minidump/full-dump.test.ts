import t from 'tap';
import { createReadStream, createWriteStream, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { fileURLToPath } from 'node:url';
import { createGunzip } from 'node:zlib';
import { MinidumpFile } from '../../../src/formats/minidump/index.js';

const repoRoot = resolve(fileURLToPath(new URL('../../..', import.meta.url)));
const WINE = resolve(repoRoot, '..', 'shared', 'corpus', 'wine-x64');
const GZ = join(WINE, 'cpp-throw-full.dmp.gz');

if (!existsSync(GZ)) {
  t.plan(0, 'corpus not present (wine-x64/cpp-throw-full.dmp.gz)');
} else {
  const dir = mkdtempSync(join(tmpdir(), 'md-full-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const path = join(dir, 'cpp-throw-full.dmp');

  t.test('cpp-throw-full.dmp: Memory64List reads', async (t) => {
    await pipeline(createReadStream(GZ), createGunzip(), createWriteStream(path));
    const f = MinidumpFile.open(path);
    t.teardown(() => f.close());
    t.same(f.warnings, []);
    t.ok(f.streamEntry(9), 'has a Memory64ListStream');
    t.ok(f.source.bytesRead < 64 * 1024 * 4, `open reads little (${f.source.bytesRead} bytes)`);

    const mem = f.memory;
    t.ok(mem.ranges.length > 100, `${mem.ranges.length} ranges`);
    // The Memory64 bytes fill the file up to its end: the running sum of sizes lands exactly on EOF.
    const last = mem.ranges.reduce((a, r) => (r.fileOffset > a.fileOffset ? r : a));
    t.equal(last.fileOffset + last.size, f.source.size, 'last range ends at EOF');
    for (let i = 1; i < mem.ranges.length; i++) {
      if (mem.ranges[i]!.start < mem.ranges[i - 1]!.start + BigInt(mem.ranges[i - 1]!.size)) {
        t.fail(`ranges ${i - 1}/${i} overlap`);
        break;
      }
    }

    // Every module image is in memory: "MZ" at the base, "PE\0\0" at e_lfanew, and the
    // optional header's SizeOfImage matches the module list.
    const mods = f.modules();
    t.ok(mods.length >= 8);
    for (const m of mods) {
      const mz = mem.readExact(m.baseOfImage, 2);
      t.equal(mz?.toString('latin1'), 'MZ', `MZ at ${m.moduleName}`);
      const lfanew = mem.readU32(m.baseOfImage + 0x3cn)!;
      t.equal(mem.readU32(m.baseOfImage + BigInt(lfanew)), 0x00004550, `PE signature in ${m.moduleName}`);
      // IMAGE_FILE_HEADER is 20 bytes after the signature; SizeOfImage is at +56 in the optional header.
      t.equal(mem.readU32(m.baseOfImage + BigInt(lfanew) + 24n + 56n), m.sizeOfImage, `SizeOfImage of ${m.moduleName}`);
      t.equal(mem.readU32(m.baseOfImage + BigInt(lfanew) + 8n), m.timeDateStamp, `TimeDateStamp of ${m.moduleName}`);
    }
    // A large read across many adjacent pages of crashlab.exe returns the whole image.
    const exe = mods[0]!;
    const img = mem.read(exe.baseOfImage, exe.sizeOfImage);
    t.equal(img.length, exe.sizeOfImage, 'the whole crashlab.exe image is contiguous');

    // Exception: the C++ throw raised through kernelbase!RaiseException (LLDB: "Exception 0xe06d7363 encountered at address 0x7b013d7e").
    const e = f.exception()!;
    t.equal(e.exceptionRecord.exceptionCode, 0xe06d7363);
    t.equal(e.exceptionRecord.exceptionAddress, 0x7b013d7en);
    const lldb = readFileSync(join(WINE, 'cpp-throw-full.lldb.txt'), 'utf8');
    const tids = [...lldb.matchAll(/thread #\d+: tid = 0x([0-9a-f]+)/g)].map((m) => parseInt(m[1]!, 16));
    t.same(f.threads().map((x) => x.threadId), tids);
    t.equal(f.threads()[0]!.threadId, e.threadId);
    // The thread stacks are captured: every thread's SP is readable.
    for (const th of f.threads()) {
      const c = f.threadContext(th);
      if (!c) continue;
      t.ok(mem.readU64(c.sp) !== undefined, `stack of thread ${th.threadId} readable at sp`);
    }
    // The module images live in kernelbase: RaiseException's address is inside it.
    t.match(f.moduleAt(e.exceptionRecord.exceptionAddress)?.moduleName ?? '', /kernelbase\.dll$/i);
    t.ok(f.source.bytesRead < f.source.size / 2, `lazy: read ${f.source.bytesRead} of ${f.source.size} bytes`);
  });
}
