// PeImage.fromMemory over the module images captured in a real full-memory
// minidump (Wine 8.0, cpp-throw-full.dmp.gz): the mapped layout as the loader
// left it. The dump is read here with a few lines of hand-written parsing
// (header, ModuleList, Memory64List) so this test depends on the PE layer only.
import t from 'tap';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import { PeImage } from '../../../src/formats/pe/index.js';

const CORPUS = fileURLToPath(new URL('../../../../shared/corpus', import.meta.url));
const DUMP = `${CORPUS}/wine-x64/cpp-throw-full.dmp.gz`;
const IMAGES = `${CORPUS}/images/wine-8.0-x64`;

interface DumpModule { base: bigint; size: number; timeDateStamp: number; name: string }

function parseDump(dump: Buffer): { modules: DumpModule[]; read: (addr: bigint, len: number) => Buffer } {
  if (dump.toString('latin1', 0, 4) !== 'MDMP') throw new Error('not a minidump');
  const numberOfStreams = dump.readUInt32LE(8);
  const dirRva = dump.readUInt32LE(12);
  const streams = new Map<number, { size: number; rva: number }>();
  for (let i = 0; i < numberOfStreams; i++) {
    const at = dirRva + 12 * i;
    streams.set(dump.readUInt32LE(at), { size: dump.readUInt32LE(at + 4), rva: dump.readUInt32LE(at + 8) });
  }
  const ml = streams.get(4);
  const m64 = streams.get(9);
  if (!ml || !m64) throw new Error('dump lacks ModuleList or Memory64List');
  const modules: DumpModule[] = [];
  for (let i = 0; i < dump.readUInt32LE(ml.rva); i++) {
    const at = ml.rva + 4 + 108 * i;
    const nameRva = dump.readUInt32LE(at + 20);
    const full = dump.toString('utf16le', nameRva + 4, nameRva + 4 + dump.readUInt32LE(nameRva));
    modules.push({
      base: dump.readBigUInt64LE(at),
      size: dump.readUInt32LE(at + 8),
      timeDateStamp: dump.readUInt32LE(at + 16),
      name: full.split(/[\\/]/).pop()!.toLowerCase(),
    });
  }
  const count = Number(dump.readBigUInt64LE(m64.rva));
  let fileAt = Number(dump.readBigUInt64LE(m64.rva + 8));
  const ranges: { start: bigint; size: number; fileAt: number }[] = [];
  for (let i = 0; i < count; i++) {
    const at = m64.rva + 16 + 16 * i;
    const size = Number(dump.readBigUInt64LE(at + 8));
    ranges.push({ start: dump.readBigUInt64LE(at), size, fileAt });
    fileAt += size;
  }
  ranges.sort((a, b) => (a.start < b.start ? -1 : a.start > b.start ? 1 : 0));
  const find = (addr: bigint) => {
    let lo = 0;
    let hi = ranges.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      const r = ranges[mid]!;
      if (addr < r.start) hi = mid - 1;
      else if (addr >= r.start + BigInt(r.size)) lo = mid + 1;
      else return r;
    }
    return undefined;
  };
  // Readable prefix of [addr, addr+len), continuing across adjacent ranges.
  const read = (addr: bigint, len: number): Buffer => {
    const parts: Buffer[] = [];
    let got = 0;
    while (got < len) {
      const r = find(addr + BigInt(got));
      if (!r) break;
      const off = Number(addr + BigInt(got) - r.start);
      const n = Math.min(len - got, r.size - off);
      parts.push(dump.subarray(r.fileAt + off, r.fileAt + off + n));
      got += n;
    }
    return Buffer.concat(parts);
  };
  return { modules, read };
}

if (!existsSync(DUMP)) {
  t.skip('corpus full dump not present');
} else {
  const { modules, read } = parseDump(gunzipSync(readFileSync(DUMP)));

  t.test('every module image in the dump parses in mapped layout and matches its record', (t) => {
    t.ok(modules.length >= 8, `${modules.length} modules`);
    for (const m of modules) {
      const img = PeImage.fromMemory(read, m.base, m.name);
      t.equal(img.timeDateStamp, m.timeDateStamp, `${m.name}: TimeDateStamp`);
      t.equal(img.sizeOfImage, m.size, `${m.name}: SizeOfImage`);
      t.equal(img.base, m.base);
      const onDisk = `${IMAGES}/${m.name}`;
      if (!existsSync(onDisk)) continue;
      const file = PeImage.fromFile(onDisk);
      t.same(img.exports(), file.exports(), `${m.name}: exports as in the file`);
      t.same(img.runtimeFunctions(), file.runtimeFunctions(), `${m.name}: .pdata as in the file`);
      t.same(img.versionInfo(), file.versionInfo(), `${m.name}: version info as in the file`);
      t.same(img.problems, [], `${m.name}: no problems`);
      file.close();
    }
    t.end();
  });

  t.test('crashlab.exe in memory: CodeView via AddressOfRawData', (t) => {
    const m = modules.find((x) => x.name === 'crashlab.exe');
    t.ok(m);
    const img = PeImage.fromMemory(read, m!.base, m!.name);
    t.same(img.codeView(), { format: 'RSDS', guid: 'FA7D232352E4CA304C4C44205044422E', age: 1, pdbFileName: '/src/crashlab/crashlab.pdb' });
    t.end();
  });

  t.test('the exception address names kernelbase!RaiseException+0x4e', (t) => {
    const m = modules.find((x) => x.name === 'kernelbase.dll');
    t.equal(m?.base, 0x7b000000n);
    const img = PeImage.fromMemory(read, m!.base, m!.name);
    const rva = Number(0x7b013d7en - m!.base);
    const hit = img.exportAt(rva);
    t.equal(hit?.export.name, 'RaiseException');
    t.equal(hit?.displacement, 0x4e);
    t.equal(img.findRuntimeFunction(rva)?.beginAddress, 0x13d30);
    t.end();
  });
}
