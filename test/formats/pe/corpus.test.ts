// PeImage over the real Wine 8.0 x64 DLLs and crashlab.exe from the shared
// corpus. Oracles: values checked by hand with llvm-objdump/llvm-readobj, the
// PDB's own info/DBI streams (read here byte by byte), and — when the LLVM
// tools are installed — their full export and .pdata listings.
import t from 'tap';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { PeImage, formatCodeId } from '../../../src/formats/pe/index.js';
import type { PeExport } from '../../../src/formats/pe/index.js';

const CORPUS = fileURLToPath(new URL('../../../../shared/corpus', import.meta.url));
const IMAGES = `${CORPUS}/images/wine-8.0-x64`;
const CRASHLAB = `${CORPUS}/wine-x64/crashlab.exe`;
const CRASHLAB_PDB = `${CORPUS}/wine-x64/crashlab.pdb`;
const DLLS = ['dbghelp', 'kernel32', 'kernelbase', 'msimg32', 'msvcrt', 'ntdll', 'ucrtbase', 'zlib1'];

if (!existsSync(IMAGES) || !existsSync(CRASHLAB)) {
  t.skip('corpus not present (../shared/corpus)');
} else {
  run();
}

function tool(name: string, args: string[]): string | undefined {
  try {
    return execFileSync(name, args, { maxBuffer: 256 * 1024 * 1024, stdio: ['ignore', 'pipe', 'ignore'] }).toString();
  } catch {
    return undefined;
  }
}

/** The image as the loader would map it, built here by hand from the file (independent of the parser). */
function mapByHand(file: Buffer): Buffer {
  const nt = file.readInt32LE(0x3c);
  const nSections = file.readUInt16LE(nt + 6);
  const optSize = file.readUInt16LE(nt + 20);
  const opt = nt + 24;
  const sizeOfImage = file.readUInt32LE(opt + 56);
  const sizeOfHeaders = file.readUInt32LE(opt + 60);
  const mapped = Buffer.alloc(sizeOfImage);
  file.copy(mapped, 0, 0, sizeOfHeaders);
  for (let i = 0; i < nSections; i++) {
    const sh = opt + optSize + 40 * i;
    const virtualSize = file.readUInt32LE(sh + 8);
    const va = file.readUInt32LE(sh + 12);
    const rawSize = file.readUInt32LE(sh + 16);
    const ptr = file.readUInt32LE(sh + 20);
    const n = Math.min(rawSize, virtualSize || rawSize, sizeOfImage - va);
    if (n > 0) file.copy(mapped, va, ptr, ptr + n);
  }
  return mapped;
}

function mappedImage(path: string, base: bigint): PeImage {
  const mapped = mapByHand(readFileSync(path));
  return PeImage.fromMemory((addr, len) => {
    const off = Number(addr - base);
    return off < 0 || off >= mapped.length ? Buffer.alloc(0) : mapped.subarray(off, off + len);
  }, base, path);
}

/** GUID (as symbol servers print it) and age from the PDB: info stream (1) and DBI stream (3). */
function pdbIdentity(path: string): { guid: string; infoAge: number; dbiAge: number } {
  const pdb = readFileSync(path);
  if (pdb.toString('latin1', 0, 24) !== 'Microsoft C/C++ MSF 7.00') throw new Error(`${path} is not an MSF 7.00 PDB`);
  const blockSize = pdb.readUInt32LE(32);
  const dirBytes = pdb.readUInt32LE(44);
  const blockMapAddr = pdb.readUInt32LE(52);
  const dirBlocks = Math.ceil(dirBytes / blockSize);
  const dir = Buffer.concat(Array.from({ length: dirBlocks }, (_, i) => {
    const b = pdb.readUInt32LE(blockMapAddr * blockSize + 4 * i);
    return pdb.subarray(b * blockSize, (b + 1) * blockSize);
  }));
  const numStreams = dir.readUInt32LE(0);
  const sizes = Array.from({ length: numStreams }, (_, i) => dir.readUInt32LE(4 + 4 * i));
  let at = 4 + 4 * numStreams;
  const firstBlock: number[] = [];
  for (const size of sizes) {
    const n = size === 0xffffffff ? 0 : Math.ceil(size / blockSize);
    firstBlock.push(n ? dir.readUInt32LE(at) : -1);
    at += 4 * n;
  }
  const info = pdb.subarray(firstBlock[1]! * blockSize);
  const dbi = pdb.subarray(firstBlock[3]! * blockSize);
  const g = info.subarray(12, 28);
  const hex = (n: number, w: number) => n.toString(16).toUpperCase().padStart(w, '0');
  const guid = hex(g.readUInt32LE(0), 8) + hex(g.readUInt16LE(4), 4) + hex(g.readUInt16LE(6), 4) + [...g.subarray(8)].map((b) => hex(b, 2)).join('');
  return { guid, infoAge: info.readUInt32LE(8), dbiAge: dbi.readUInt32LE(8) };
}

function run(): void {
  t.test('crashlab.exe: headers, identity and long section names', (t) => {
    const img = PeImage.fromFile(CRASHLAB);
    t.teardown(() => img.close());
    t.equal(img.machine, 0x8664);
    t.equal(img.fileHeader.numberOfSections, 16);
    t.equal(img.timeDateStamp, 0x6b0151c7);
    t.equal(img.fileHeader.characteristics, 0x22);
    t.equal(img.optionalHeader.magic, 0x20b);
    t.equal(img.optionalHeader.imageBase, 0x140000000n);
    t.equal(img.sizeOfImage, 253952);
    t.equal(img.optionalHeader.sizeOfHeaders, 1024);
    t.equal(img.optionalHeader.subsystem, 3);
    t.equal(img.optionalHeader.dllCharacteristics, 0x8160);
    t.equal(img.optionalHeader.addressOfEntryPoint, 0x14d0);
    t.same(img.dataDirectory(6), { rva: 0xc000, size: 0x1c });
    t.same(img.exceptionDirectory(), { rva: 0xe000, size: 0x57c });
    t.same(img.sections.map((s) => s.name), [
      '.text', '.rdata', '.buildid', '.data', '.pdata', '.tls', '.reloc', '.debug_abbrev', '.debug_aranges',
      '.debug_frame', '.debug_info', '.debug_line', '.debug_line_str', '.debug_loclists', '.debug_rnglists', '.debug_str',
    ]);
    t.same(img.imageIdentity(), { timeDateStamp: 0x6b0151c7, sizeOfImage: 0x3e000, codeId: '6B0151C73e000', machine: 0x8664 });
    t.equal(formatCodeId(0x542d5742, 0x32000), '542D574232000', 'the E.7 example');
    t.same(img.exports(), [], 'an exe without exports');
    t.equal(img.versionInfo(), undefined, 'no resources');
    t.end();
  });

  t.test('crashlab.exe: RSDS record matches crashlab.pdb', (t) => {
    const pdb = pdbIdentity(CRASHLAB_PDB);
    for (const img of [PeImage.fromFile(CRASHLAB), mappedImage(CRASHLAB, 0x140000000n)]) {
      t.same(img.debugDirectories().map((d) => d.type), [2]);
      const entry = img.debugDirectories()[0]!;
      t.equal(entry.addressOfRawData, 0xc01c);
      t.equal(entry.pointerToRawData, 0x9e1c);
      const cv = img.codeView();
      t.equal(cv?.format, 'RSDS', `${img.layout}: RSDS`);
      t.equal(cv?.guid, pdb.guid, `${img.layout}: GUID matches the PDB info stream`);
      t.equal(cv?.guid, 'FA7D232352E4CA304C4C44205044422E');
      t.equal(cv?.age, pdb.dbiAge, `${img.layout}: age matches the DBI stream`);
      t.equal(cv?.age, pdb.infoAge);
      t.equal(cv?.pdbFileName, '/src/crashlab/crashlab.pdb');
      t.equal(img.isReproducible(), false);
      img.close();
    }
    t.end();
  });

  t.test('crashlab.exe: .pdata', (t) => {
    const img = PeImage.fromFile(CRASHLAB);
    t.teardown(() => img.close());
    const rf = img.runtimeFunctions();
    t.equal(rf.length, 0x57c / 12);
    t.same(rf.slice(0, 2), [
      { kind: 'x64', index: 0, beginAddress: 0x1000, endAddress: 0x1001, unwindInfoAddress: 0xab10 },
      { kind: 'x64', index: 1, beginAddress: 0x1010, endAddress: 0x112e, unwindInfoAddress: 0xab14 },
    ]);
    t.equal(img.findRuntimeFunction(0x1100)?.beginAddress, 0x1010);
    t.equal(img.findRuntimeFunction(0x1001), undefined, 'gap between functions');
    t.same(img.problems, []);
    t.end();
  });

  for (const dll of DLLS) {
    const path = `${IMAGES}/${dll}.dll`;
    if (!existsSync(path)) continue;
    t.test(`${dll}.dll: exports, .pdata, file vs mapped`, (t) => {
      const img = PeImage.fromFile(path);
      t.teardown(() => img.close());
      t.equal(img.machine, 0x8664);
      t.equal(img.exportDirectory()?.dllName.toLowerCase(), `${dll}.dll`);
      const ex = img.exports();
      t.ok(ex.length > 0, 'has exports');
      t.ok(ex.every((e, i) => i === 0 || ex[i - 1]!.rva <= e.rva), 'sorted by rva');

      const rf = img.runtimeFunctions();
      const dir = img.exceptionDirectory();
      t.ok(dir && rf.length === Math.floor(dir.size / 12) && rf.length > 0, '.pdata count = Size / 12, > 0');
      t.ok(rf.every((r, i) => i === 0 || rf[i - 1]!.beginAddress <= r.beginAddress), '.pdata sorted');
      t.ok(rf.every((r) => r.kind === 'x64' && r.beginAddress < r.endAddress && r.endAddress <= img.sizeOfImage), 'entries inside the image');
      t.same(img.problems, [], 'no problems');

      // Every code export that starts a .pdata function is found by its own RVA.
      const starts = new Set(rf.map((r) => r.beginAddress));
      const code = ex.filter((e) => !e.forwarder && starts.has(e.rva));
      t.ok(code.every((e) => img.findRuntimeFunction(e.rva)?.beginAddress === e.rva), 'findRuntimeFunction at export starts');

      // The same answers from a hand-mapped copy of the image (mapped layout).
      const m = mappedImage(path, 0x6fff0000000n);
      t.same(m.exports(), ex, 'mapped: same exports');
      t.same(m.runtimeFunctions(), rf, 'mapped: same .pdata');
      t.same(m.versionInfo(), img.versionInfo(), 'mapped: same version info');
      t.ok(img.bytesRead < 1.5 * 1024 * 1024, `lazy: read ${img.bytesRead} bytes`);
      t.end();
    });
  }

  t.test('named exports used by the symbolizer', (t) => {
    const kb = PeImage.fromFile(`${IMAGES}/kernelbase.dll`);
    const nt = PeImage.fromFile(`${IMAGES}/ntdll.dll`);
    t.teardown(() => { kb.close(); nt.close(); });
    const raise = kb.exports().find((e) => e.name === 'RaiseException');
    t.same(raise, { name: 'RaiseException', ordinal: 953, rva: 0x13d30 });
    t.same(kb.exportAt(0x13d30 + 0x5c), { export: raise, displacement: 0x5c }, 'kernelbase!RaiseException+0x5c');
    t.equal(kb.findRuntimeFunction(0x13d30 + 0x5c)?.beginAddress, 0x13d30);
    t.same(kb.exports().find((e) => e.name === 'AcquireSRWLockExclusive'), {
      name: 'AcquireSRWLockExclusive', ordinal: 8, rva: 752972, forwarder: 'ntdll.RtlAcquireSRWLockExclusive',
    });
    t.same(nt.exports().find((e) => e.name === 'KiUserExceptionDispatcher'), { name: 'KiUserExceptionDispatcher', ordinal: 60, rva: 0x5541c });
    t.equal(nt.exportAt(0x5541c + 3)?.export.name, 'KiUserExceptionDispatcher');
    t.end();
  });

  t.test('version resources', (t) => {
    const nt = PeImage.fromFile(`${IMAGES}/ntdll.dll`);
    const kb = PeImage.fromFile(`${IMAGES}/kernelbase.dll`);
    t.teardown(() => { nt.close(); kb.close(); });
    const v = nt.versionInfo();
    t.equal(v?.fixed?.fileVersionMS, 0x00060001);
    t.equal(v?.fixed?.fileVersionLS, 0x1db15dfb);
    t.equal(v?.fileVersion, '6.1.7601.24059');
    t.equal(v?.fixed?.fileFlagsMask, 0x3f);
    t.equal(v?.fixed?.fileType, 2, 'VFT_DLL');
    t.same(v?.strings.map((s) => s.key), ['CompanyName', 'FileDescription', 'FileVersion', 'InternalName', 'LegalCopyright', 'OriginalFilename', 'ProductName', 'ProductVersion']);
    const get = (k: string) => v?.strings.find((s) => s.key === k)?.value;
    t.equal(get('FileDescription'), 'Wine ntdll');
    t.equal(get('FileVersion'), '6.1.7601.24059');
    t.equal(get('OriginalFilename'), 'ntdll.dll');
    t.equal(get('ProductName'), 'Wine');
    t.equal(get('CompanyName'), 'Microsoft Corporation');
    t.equal(kb.versionInfo(), undefined, 'kernelbase has resources but no RT_VERSION');
    t.same(kb.problems, []);
    t.end();
  });

  const objdump = tool('llvm-objdump', ['--version']) !== undefined;
  t.test('exports equal llvm-objdump -p', { skip: objdump ? false : 'llvm-objdump not installed' }, (t) => {
    for (const dll of DLLS) {
      const path = `${IMAGES}/${dll}.dll`;
      const img = PeImage.fromFile(path);
      const fmt = (e: PeExport) => `${e.ordinal} ${e.forwarder ? '' : `0x${e.rva.toString(16)}`} ${e.noName ? '' : e.name}${e.forwarder ? ` (forwarded to ${e.forwarder})` : ''}`.replace(/\s+/g, ' ').trim();
      const mine = img.exports().map(fmt).sort();
      img.close();
      const out = tool('llvm-objdump', ['-p', path]) ?? '';
      const theirs: string[] = [];
      for (const line of out.slice(out.indexOf('Export Table:')).split('\n').slice(1)) {
        if (!line.trim()) break;
        if (/^\s+\d+\s/.test(line)) theirs.push(line.replace(/\s+/g, ' ').trim());
      }
      t.same(mine, theirs.sort(), `${dll}.dll: ${mine.length} exports`);
    }
    t.end();
  });

  const readobj = tool('llvm-readobj', ['--version']) !== undefined;
  t.test('.pdata equals llvm-readobj --unwind', { skip: readobj ? false : 'llvm-readobj not installed' }, (t) => {
    for (const path of [CRASHLAB, ...DLLS.map((d) => `${IMAGES}/${d}.dll`)]) {
      const img = PeImage.fromFile(path);
      const base = img.optionalHeader.imageBase;
      const mine = img.runtimeFunctions().map((r) => (r.kind === 'x64' ? [r.beginAddress, r.endAddress, r.unwindInfoAddress].join(',') : ''));
      img.close();
      const out = tool('llvm-readobj', ['--unwind', path]) ?? '';
      const theirs: string[] = [];
      const re = /StartAddress: .*?\((0x[0-9A-F]+)\)\s+EndAddress: .*?\((0x[0-9A-F]+)\)\s+UnwindInfoAddress: .*?\((0x[0-9A-F]+)\)/g;
      for (const m of out.matchAll(re)) {
        theirs.push([m[1], m[2], m[3]].map((v) => Number(BigInt(v!) - base)).join(','));
      }
      t.same(mine, theirs, `${path.split('/').pop()}: ${mine.length} entries`);
    }
    t.end();
  });
}
