// PeImage over synthetic images written by test/fixtures/synth/pe-writer.ts
// (which does not use the parser's layouts), in both file and mapped layout.
import t from 'tap';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FormatError } from '../../../src/bytes/errors.js';
import { PeImage } from '../../../src/formats/pe/index.js';
import type { RuntimeFunctionArm64 } from '../../../src/formats/pe/index.js';
import {
  DIR_DEBUG,
  DIR_EXCEPTION,
  DIR_EXPORT,
  DIR_RESOURCE,
  MACHINE_ARM64,
  MACHINE_I386,
  PeWriter,
  SCN_CNT_CODE,
  SCN_MEM_EXECUTE,
  SCN_MEM_READ,
  SCN_MEM_WRITE,
  SCN_CNT_INITIALIZED_DATA,
  encodeDebugDirectory,
  encodeExportDirectory,
  encodePdataArm64,
  encodePdataX64,
  encodeResourceSection,
  encodeRsds,
  encodeVersionInfo,
} from '../../fixtures/synth/pe-writer.js';
import type { BuiltPe, PeWriterOptions } from '../../fixtures/synth/pe-writer.js';

const tmp = mkdtempSync(join(tmpdir(), 'dumpdbg-pe-'));
t.teardown(() => rmSync(tmp, { recursive: true, force: true }));
let fileNo = 0;
const opened: PeImage[] = [];
t.teardown(() => opened.forEach((i) => i.close()));

function openFile(bytes: Buffer): PeImage {
  const p = join(tmp, `image${fileNo++}.dll`);
  writeFileSync(p, bytes);
  const img = PeImage.fromFile(p);
  opened.push(img);
  return img;
}

/** A mapped image at `base`; `captured` limits how many bytes from the base are readable (like a dump's memory). */
function openMapped(mapped: Buffer, base: bigint, captured = mapped.length): PeImage {
  const read = (addr: bigint, len: number) => {
    const off = addr - base;
    if (off < 0n || off >= BigInt(captured)) return Buffer.alloc(0);
    const start = Number(off);
    return mapped.subarray(start, Math.min(captured, start + len));
  };
  return PeImage.fromMemory(read, base, 'sample.dll');
}

const GUID = Buffer.from('00112233445566778899aabbccddeeff', 'hex');
const GUID_TEXT = '33221100554477668899AABBCCDDEEFF'; // Data1/2/3 little-endian, then Data4 bytes

interface Sample {
  pe: BuiltPe;
  text: number;
  funcs: { f0: number; f1: number; f2: number; f3: number };
  exportDir: { rva: number; size: number };
  rsdsRva: number;
  rsdsFile: number;
  pdataRva: number;
  dataRva: number;
}

/**
 * An x64 DLL: .text with four functions, .rdata (exports, RSDS, debug
 * directory, fake unwind info), .pdata, .data (16 raw bytes + 0x1800 zero-fill),
 * .rsrc with a version resource.
 */
function buildSample(opts: PeWriterOptions = {}, tweak: { codeViewRva0?: boolean } = {}): Sample {
  const w = new PeWriter({ timeDateStamp: 0x6b0151c7, imageBase: 0x180000000n, ...opts });
  const text = w.section('.text', SCN_CNT_CODE | SCN_MEM_EXECUTE | SCN_MEM_READ);
  const code = Buffer.alloc(0x300, 0xcc);
  code.writeUInt32LE(0xdeadbeef, 0x40);
  const textRva = text.add(code, 16);
  const funcs = { f0: textRva, f1: textRva + 0x40, f2: textRva + 0x100, f3: textRva + 0x200 };

  const rdata = w.section('.rdata');
  const exportDir = rdata.addAt((rva) => encodeExportDirectory(rva, {
    dllName: 'sample.dll',
    base: 5,
    functions: [funcs.f0, funcs.f1, 'NTDLL.RtlForwarded', 0, funcs.f2, funcs.f3],
    names: [['Alpha', 0], ['Beta', 1], ['Forwarded', 2], ['Gamma', 4], ['AliasOfAlpha', 0]],
  }));
  const rsds = encodeRsds(GUID, 7, 'C:\\build\\sample.pdb');
  const rsdsRva = rdata.add(rsds);
  const rsdsFile = rdata.fileOffsetOf(rsdsRva);
  const debug = encodeDebugDirectory([
    { type: 13, sizeOfData: 0, addressOfRawData: 0, pointerToRawData: 0 },
    { type: 2, sizeOfData: rsds.length, addressOfRawData: tweak.codeViewRva0 ? 0 : rsdsRva, pointerToRawData: rsdsFile },
    { type: 16, sizeOfData: 0, addressOfRawData: 0, pointerToRawData: 0 },
  ]);
  const debugRva = rdata.add(debug);
  const unwind = [0, 1, 2, 3].map((i) => rdata.add(Buffer.from([1, i, 0, 0])));

  const pdata = w.section('.pdata');
  const pdataRva = pdata.nextRva(4);
  const pdataBytes = encodePdataX64([
    [funcs.f0, funcs.f0 + 0x40, unwind[0]!],
    [funcs.f1, funcs.f1 + 0x60, unwind[1]!],
    [funcs.f2, funcs.f2 + 0x80, unwind[2]!],
    // Indirect/chained entry (bit 0 set): points at entry 2 of this table.
    [funcs.f3, funcs.f3 + 0xf0, (pdataRva + 24) | 1],
  ]);
  pdata.add(pdataBytes, 4);

  const data = w.section('.data', SCN_CNT_INITIALIZED_DATA | SCN_MEM_READ | SCN_MEM_WRITE);
  const dataRva = data.add(Buffer.from('0123456789abcdef', 'latin1'));
  data.extraVirtual = 0x1800;

  const rsrc = w.section('.rsrc');
  const version = encodeVersionInfo({
    fileVersion: [10, 0, 19041, 3636],
    productVersion: [10, 0, 19041, 1],
    language: 0x409,
    codePage: 0x4b0,
    strings: [
      ['CompanyName', 'Sample Corp'],
      ['FileDescription', 'Sample library'],
      ['FileVersion', '10.0.19041.3636 (WinBuild.160101.0800)'],
      ['InternalName', 'sample'],
      ['LegalCopyright', '© Sample Corp. All rights reserved.'],
      ['OriginalFilename', 'sample.dll'],
      ['ProductName', 'Sample® Product'],
      ['ProductVersion', '10.0.19041.1'],
      ['Empty', ''],
    ],
  });
  const rsrcDir = rsrc.addAt((rva) => encodeResourceSection(rva, version));

  w.setDirectory(DIR_EXPORT, exportDir.rva, exportDir.size);
  w.setDirectory(DIR_DEBUG, debugRva, debug.length);
  w.setDirectory(DIR_EXCEPTION, pdataRva, pdataBytes.length);
  w.setDirectory(DIR_RESOURCE, rsrcDir.rva, rsrcDir.size);
  const pe = w.build();
  return { pe, text: textRva, funcs, exportDir, rsdsRva, rsdsFile, pdataRva, dataRva };
}

const sample = buildSample();
const BASE = 0x7ffb00000000n;

for (const [kind, open] of [
  ['fromFile', () => openFile(sample.pe.file)],
  ['fromMemory', () => openMapped(sample.pe.mapped, BASE)],
] as const) {
  t.test(`${kind}: headers`, (t) => {
    const img = open();
    t.equal(img.layout, kind === 'fromFile' ? 'file' : 'mapped');
    t.equal(img.base, kind === 'fromFile' ? 0x180000000n : BASE);
    t.equal(img.dosHeader.e_magic, 0x5a4d);
    t.equal(img.ntHeadersOffset, 0x80);
    t.equal(img.fileHeader.machine, 0x8664);
    t.equal(img.fileHeader.numberOfSections, 5);
    t.equal(img.fileHeader.timeDateStamp, 0x6b0151c7);
    t.equal(img.fileHeader.sizeOfOptionalHeader, 240);
    t.equal(img.fileHeader.characteristics, 0x2022);
    const oh = img.optionalHeader;
    t.equal(oh.magic, 0x20b);
    t.equal(oh.is64, true);
    t.equal(oh.imageBase, 0x180000000n);
    t.equal(oh.baseOfData, undefined);
    t.equal(oh.sizeOfImage, sample.pe.sizeOfImage);
    t.equal(oh.sizeOfHeaders, sample.pe.sizeOfHeaders);
    t.equal(oh.checkSum, 0x1f00d);
    t.equal(oh.subsystem, 3);
    t.equal(oh.dllCharacteristics, 0x160);
    t.equal(oh.sectionAlignment, 0x1000);
    t.equal(oh.fileAlignment, 0x200);
    t.equal(oh.sizeOfStackReserve, 0x100000n);
    t.equal(oh.sizeOfHeapCommit, 0x1000n);
    t.equal(oh.numberOfRvaAndSizes, 16);
    t.equal(img.dataDirectories.length, 16);
    t.same(img.dataDirectory(0), sample.exportDir);
    t.equal(img.dataDirectory(1), undefined, 'empty directory');
    t.same(img.exceptionDirectory(), { rva: sample.pdataRva, size: 48 });
    t.same(img.sections.map((s) => s.name), ['.text', '.rdata', '.pdata', '.data', '.rsrc']);
    t.same(img.sections.map((s) => s.virtualAddress), [0x1000, 0x2000, 0x3000, 0x4000, 0x6000]);
    t.equal(img.sections[3]!.virtualSize, 0x1810);
    t.equal(img.sections[3]!.sizeOfRawData, 0x200);
    t.same(img.imageIdentity(), { timeDateStamp: 0x6b0151c7, sizeOfImage: sample.pe.sizeOfImage, codeId: `6B0151C7${sample.pe.sizeOfImage.toString(16)}`, machine: 0x8664 });
    t.equal(img.imageIdentity().codeId, '6B0151C77000');
    t.end();
  });

  t.test(`${kind}: RVA reads`, (t) => {
    const img = open();
    for (const s of img.sections) {
      const got = img.readRva(s.virtualAddress, s.virtualSize);
      t.ok(got.equals(sample.pe.mapped.subarray(s.virtualAddress, s.virtualAddress + s.virtualSize)), `${s.name} reads as mapped`);
    }
    t.equal(img.readRva(sample.funcs.f1, 4).readUInt32LE(0), 0xdeadbeef);
    t.equal(img.readRva(sample.dataRva, 16).toString('latin1'), '0123456789abcdef');
    // .data: zero-fill between SizeOfRawData and VirtualSize.
    const zero = img.readRvaExact(sample.dataRva + 0x1000, 16);
    t.ok(zero && zero.equals(Buffer.alloc(16)), 'zero-fill past the raw data');
    // A read spanning the end of .rdata raw data into the next section's gap.
    t.equal(img.readRvaExact(0xffff0, 0x20), undefined, 'beyond the image');
    t.equal(img.readRva(-1, 4).length, 0);
    t.equal(img.readRva(0, 2).toString('latin1'), 'MZ');
    t.equal(img.isCodeRva(sample.funcs.f2 + 3), true, '.text is code');
    t.equal(img.isCodeRva(sample.rsdsRva), false, '.rdata is not');
    t.equal(img.isCodeRva(0x10), false, 'headers are not');
    t.end();
  });

  t.test(`${kind}: exports`, (t) => {
    const img = open();
    const f = sample.funcs;
    const dir = img.exportDirectory();
    t.equal(dir?.dllName, 'sample.dll');
    t.equal(dir?.base, 5);
    t.equal(dir?.numberOfFunctions, 6);
    t.equal(dir?.numberOfNames, 5);
    const fwdRva = img.exports().find((e) => e.forwarder)?.rva ?? -1;
    t.same(img.exports(), [
      { name: 'AliasOfAlpha', ordinal: 5, rva: f.f0 },
      { name: 'Alpha', ordinal: 5, rva: f.f0 },
      { name: 'Beta', ordinal: 6, rva: f.f1 },
      { name: 'Gamma', ordinal: 9, rva: f.f2 },
      { name: '#10', ordinal: 10, rva: f.f3, noName: true },
      { name: 'Forwarded', ordinal: 7, rva: fwdRva, forwarder: 'NTDLL.RtlForwarded' },
    ]);
    t.ok(fwdRva >= sample.exportDir.rva && fwdRva < sample.exportDir.rva + sample.exportDir.size, 'forwarder string inside the directory');
    t.same(img.exportAt(f.f1 + 0x5c), { export: { name: 'Beta', ordinal: 6, rva: f.f1 }, displacement: 0x5c });
    t.equal(img.exportAt(f.f0)?.export.name, 'AliasOfAlpha', 'first alias wins, displacement 0');
    t.equal(img.exportAt(f.f0)?.displacement, 0);
    t.equal(img.exportAt(f.f3 + 0x10)?.export.name, '#10');
    t.equal(img.exportAt(f.f0 - 1), undefined, 'before the first export');
    t.equal(img.exportAt(sample.pe.sizeOfImage), undefined, 'outside the image');
    // Inside the export directory (after the forwarder's rva): the preceding code export, never the forwarder.
    t.equal(img.exportAt(fwdRva + 2)?.export.name, '#10');
    t.same(img.problems, []);
    t.end();
  });

  t.test(`${kind}: debug directory and CodeView`, (t) => {
    const img = open();
    t.same(img.debugDirectories().map((d) => d.type), [13, 2, 16]);
    const cv = img.debugDirectories()[1]!;
    t.equal(cv.addressOfRawData, sample.rsdsRva);
    t.equal(cv.pointerToRawData, sample.rsdsFile);
    t.not(sample.rsdsRva, sample.rsdsFile, 'file offset differs from the RVA');
    t.same(img.codeView(), { format: 'RSDS', guid: GUID_TEXT, age: 7, pdbFileName: 'C:\\build\\sample.pdb' });
    t.equal(img.isReproducible(), true);
    t.end();
  });

  t.test(`${kind}: .pdata`, (t) => {
    const img = open();
    const f = sample.funcs;
    const rf = img.runtimeFunctions();
    t.equal(rf.length, 4);
    t.same(rf.map((r) => r.beginAddress), [f.f0, f.f1, f.f2, f.f3]);
    t.same(img.findRuntimeFunction(f.f1 + 0x10), { kind: 'x64', index: 1, beginAddress: f.f1, endAddress: f.f1 + 0x60, unwindInfoAddress: rf[1]!.kind === 'x64' ? rf[1]!.unwindInfoAddress : -1 });
    t.equal(img.findRuntimeFunction(f.f1 + 0x60), undefined, 'end is exclusive (gap before f2)');
    t.equal(img.findRuntimeFunction(f.f0 - 1), undefined, 'before the first entry');
    t.equal(img.findRuntimeFunction(f.f2)?.index, 2);
    const chained = img.findRuntimeFunction(f.f3 + 0x20);
    t.equal(chained?.kind === 'x64' ? chained.unwindInfoAddress : -1, (sample.pdataRva + 24) | 1, 'indirect entry returned unfollowed');
    const target = img.runtimeFunctionAt((sample.pdataRva + 24));
    t.equal(target?.beginAddress, f.f2);
    t.equal(img.runtimeFunctionAt(0xfffffff0), undefined);
    t.end();
  });

  t.test(`${kind}: version resource`, (t) => {
    const img = open();
    const v = img.versionInfo();
    t.ok(v);
    t.equal(v?.fixed?.signature, 0xfeef04bd);
    t.equal(v?.fixed?.fileVersionMS, 0x000a0000);
    t.equal(v?.fixed?.fileVersionLS, ((19041 << 16) | 3636) >>> 0);
    t.equal(v?.fixed?.fileOS, 0x40004);
    t.equal(v?.fixed?.fileType, 2);
    t.equal(v?.fileVersion, '10.0.19041.3636');
    t.equal(v?.productVersion, '10.0.19041.1');
    t.same(v?.translations, [{ language: 0x409, codePage: 0x4b0 }]);
    t.equal(v?.stringTables[0]?.key, '040904B0');
    t.same(v?.strings, [
      { key: 'CompanyName', value: 'Sample Corp' },
      { key: 'FileDescription', value: 'Sample library' },
      { key: 'FileVersion', value: '10.0.19041.3636 (WinBuild.160101.0800)' },
      { key: 'InternalName', value: 'sample' },
      { key: 'LegalCopyright', value: '© Sample Corp. All rights reserved.' },
      { key: 'OriginalFilename', value: 'sample.dll' },
      { key: 'ProductName', value: 'Sample® Product' },
      { key: 'ProductVersion', value: '10.0.19041.1' },
      { key: 'Empty', value: '' },
    ]);
    t.end();
  });
}

t.test('fromFile: RVA → file offset through the section table', (t) => {
  const img = openFile(sample.pe.file);
  t.equal(img.rvaToFileOffset(sample.rsdsRva), sample.rsdsFile);
  t.equal(img.rvaToFileOffset(0x10), 0x10, 'headers map 1:1');
  t.equal(img.rvaToFileOffset(sample.dataRva + 0x1000), undefined, 'zero-fill has no file offset');
  t.equal(img.rvaToFileOffset(0x5000_0000), undefined, 'outside every section');
  t.equal(img.sectionForRva(sample.funcs.f2)?.name, '.text');
  t.ok(img.bytesRead < sample.pe.file.length + 64 * 1024, 'reads lazily through the page cache');
  t.end();
});

t.test('CodeView: file uses PointerToRawData, mapped uses AddressOfRawData', (t) => {
  const s = buildSample({}, { codeViewRva0: true });
  t.equal(openFile(s.pe.file).codeView()?.guid, GUID_TEXT, 'file: AddressOfRawData 0 does not matter');
  const mapped = openMapped(s.pe.mapped, BASE);
  t.equal(mapped.codeView(), undefined, 'mapped: no AddressOfRawData, no record');
  t.match(mapped.problems, [/CodeView record \(\d+ bytes at RVA 0x0\) is not readable/]);
  // A file whose PointerToRawData points past the end falls back to AddressOfRawData.
  const stale = Buffer.from(sample.pe.file);
  const entryAt = sample.pe.file.indexOf(Buffer.from(new Uint32Array([sample.rsdsRva, sample.rsdsFile]).buffer));
  t.ok(entryAt > 0, 'found the CODEVIEW entry bytes');
  stale.writeUInt32LE(0x7fff0000, entryAt + 4);
  t.equal(openFile(stale).codeView()?.guid, GUID_TEXT, 'file: stale PointerToRawData → AddressOfRawData');
  t.end();
});

t.test('fromMemory: reads stop at SizeOfImage', (t) => {
  // Memory beyond the image is readable here, but it is not the image's.
  const big = Buffer.concat([sample.pe.mapped, Buffer.alloc(0x1000, 0xee)]);
  const img = openMapped(big, BASE);
  const end = sample.pe.sizeOfImage;
  t.equal(img.readRva(end - 4, 16).length, 4);
  t.equal(img.readRva(end, 16).length, 0);
  t.end();
});

t.test('fromMemory: only the headers captured', (t) => {
  const img = openMapped(sample.pe.mapped, BASE, 0x1000);
  t.equal(img.sizeOfImage, sample.pe.sizeOfImage);
  t.same(img.exports(), []);
  t.equal(img.codeView(), undefined);
  t.same(img.runtimeFunctions(), []);
  t.equal(img.versionInfo(), undefined);
  t.equal(img.exportAt(sample.funcs.f1), undefined);
  t.match(img.problems.join('\n'), /export directory at RVA 0x2000 is not readable/);
  t.match(img.problems.join('\n'), /exception directory at RVA 0x3000: only 0 of 4 entries are readable/);
  t.end();
});

t.test('fromMemory: a table cut by missing pages keeps its readable part', (t) => {
  // Capture up to the middle of the .pdata table (entry 2 of 4 cut).
  const img = openMapped(sample.pe.mapped, BASE, sample.pdataRva + 30);
  t.equal(img.runtimeFunctions().length, 2);
  t.match(img.problems.join('\n'), /only 2 of 4 entries/);
  t.end();
});

t.test('malformed headers give typed errors', (t) => {
  const good = sample.pe.file;
  const expectError = (bytes: Buffer, kind: string, re: RegExp, name: string) => {
    let err: unknown;
    try { openFile(bytes); } catch (e) { err = e; }
    t.ok(err instanceof FormatError, `${name}: FormatError`);
    if (err instanceof FormatError) {
      t.equal(err.kind, kind, `${name}: kind`);
      t.match(err.message, re, `${name}: message`);
    }
    // Same through the mapped constructor.
    let err2: unknown;
    try { openMapped(bytes, BASE); } catch (e) { err2 = e; }
    t.ok(err2 instanceof FormatError && err2.kind === kind, `${name}: mapped too`);
  };
  const notMz = Buffer.from(good); notMz.write('ZM', 0, 'latin1');
  expectError(notMz, 'BadValue', /not a PE image: e_magic at 0x0 is 0x4d5a.*'MZ'/, 'not MZ');
  expectError(Buffer.from('M'), 'Truncated', /only 1 bytes/, 'one byte');
  expectError(good.subarray(0, 0x30), 'Truncated', /IMAGE_DOS_HEADER needs 64 bytes/, 'short DOS header');
  const negLfanew = Buffer.from(good); negLfanew.writeInt32LE(-8, 0x3c);
  expectError(negLfanew, 'BadValue', /bad e_lfanew -8 at 0x3c/, 'negative e_lfanew');
  const farLfanew = Buffer.from(good); farLfanew.writeInt32LE(0x7ffffff0, 0x3c);
  expectError(farLfanew, 'BadValue', /bad e_lfanew 0x7ffffff0/, 'far e_lfanew');
  const pastEnd = Buffer.from(good.subarray(0, 0x100)); pastEnd.writeInt32LE(0xf0, 0x3c);
  expectError(pastEnd, 'Truncated', /IMAGE_NT_HEADERS needs 24 bytes at 0xf0 but only 16/, 'e_lfanew near the end');
  const badSig = Buffer.from(good); badSig.write('PX', 0x80, 'latin1');
  expectError(badSig, 'BadValue', /bad NT signature 0x5850 at 0x80/, 'bad NT signature');
  const badMagic = Buffer.from(good); badMagic.writeUInt16LE(0x30b, 0x80 + 24);
  expectError(badMagic, 'BadValue', /unknown optional header magic 0x30b at 0x98/, 'bad optional magic');
  const smallOpt = Buffer.from(good); smallOpt.writeUInt16LE(100, 0x80 + 20);
  expectError(smallOpt, 'Truncated', /SizeOfOptionalHeader 100 is smaller than the 112 bytes/, 'small optional header');
  expectError(good.subarray(0, 0x80 + 24 + 240 + 40 * 2), 'Truncated', /section table needs 200 bytes at 0x188 but only 80/, 'truncated section table');
  t.end();
});

t.test('NumberOfRvaAndSizes bounds the data directories', (t) => {
  const many = Buffer.from(sample.pe.file);
  many.writeUInt32LE(0x40, 0x80 + 24 + 108);
  t.equal(openFile(many).dataDirectories.length, 16, 'never more than 16');
  // Only two directories declared: export (0) is trusted, debug (6) is not.
  const s = buildSample({ numberOfRvaAndSizes: 2 });
  const img = openFile(s.pe.file);
  t.equal(img.fileHeader.sizeOfOptionalHeader, 112 + 16);
  t.equal(img.dataDirectories.length, 2);
  t.equal(img.exports().length, 6);
  t.same(img.debugDirectories(), []);
  t.equal(img.exceptionDirectory(), undefined);
  t.end();
});

t.test('PE32 (x86) image', (t) => {
  const w = new PeWriter({ machine: MACHINE_I386, pe32: true, imageBase: 0x400000n, characteristics: 0x0102 });
  const text = w.section('.text', SCN_CNT_CODE | SCN_MEM_EXECUTE | SCN_MEM_READ);
  const code = text.add(Buffer.alloc(0x80, 0x90));
  const rdata = w.section('.rdata');
  const ed = rdata.addAt((rva) => encodeExportDirectory(rva, { dllName: 'x86.exe', base: 1, functions: [code + 0x10], names: [['_main', 0]] }));
  w.setDirectory(DIR_EXPORT, ed.rva, ed.size);
  w.setDirectory(DIR_EXCEPTION, ed.rva, 12); // nonsense for x86: ignored
  const pe = w.build();
  for (const img of [openFile(pe.file), openMapped(pe.mapped, 0x400000n)]) {
    t.equal(img.optionalHeader.magic, 0x10b);
    t.equal(img.is64, false);
    t.equal(img.optionalHeader.imageBase, 0x400000n);
    t.equal(img.optionalHeader.baseOfData, 0x2000);
    t.equal(img.optionalHeader.sizeOfStackReserve, 0x100000n);
    t.equal(img.optionalHeader.numberOfRvaAndSizes, 16);
    t.equal(img.fileHeader.sizeOfOptionalHeader, 224);
    t.equal(img.pdataFormat(), undefined);
    t.same(img.runtimeFunctions(), []);
    t.same(img.exportAt(code + 0x15), { export: { name: '_main', ordinal: 1, rva: code + 0x10 }, displacement: 5 });
    t.equal(img.machine, 0x14c);
  }
  t.end();
});

t.test('ARM64 .pdata: packed and .xdata entries', (t) => {
  const w = new PeWriter({ machine: MACHINE_ARM64 });
  const text = w.section('.text', SCN_CNT_CODE | SCN_MEM_EXECUTE | SCN_MEM_READ);
  const base = text.add(Buffer.alloc(0x400));
  const rdata = w.section('.rdata');
  // .xdata header word 0: FunctionLength (bits 0–17, ×4) = 0x40 → 0x100 bytes.
  const xdata = Buffer.alloc(8);
  xdata.writeUInt32LE(0x40, 0);
  const xdataRva = rdata.add(xdata);
  const pdata = w.section('.pdata');
  // Packed (flag 1): FunctionLength bits 2–12 = 0x10 → 0x40 bytes; FrameSize etc. arbitrary.
  const packed = 1 | (0x10 << 2) | (2 << 13) | (3 << 23);
  const rf = encodePdataArm64([[base, packed], [base + 0x100, xdataRva], [base + 0x300, 2 | (0x8 << 2)]]);
  const pdataRva = pdata.add(rf);
  w.setDirectory(DIR_EXCEPTION, pdataRva, rf.length);
  const pe = w.build();
  for (const img of [openFile(pe.file), openMapped(pe.mapped, 0x140000000n)]) {
    t.equal(img.pdataFormat(), 'arm64');
    const all = img.runtimeFunctions() as RuntimeFunctionArm64[];
    t.equal(all.length, 3);
    t.same(all[0], { kind: 'arm64', index: 0, beginAddress: base, unwindData: packed, flag: 1, xdataRva: undefined, functionLength: 0x40 });
    t.same(all[1], { kind: 'arm64', index: 1, beginAddress: base + 0x100, unwindData: xdataRva, flag: 0, xdataRva, functionLength: undefined });
    t.equal(all[2]?.flag, 2);
    t.equal(all[2]?.functionLength, 0x20);
    t.equal(img.findRuntimeFunction(base + 0x3c)?.index, 0);
    t.equal(img.findRuntimeFunction(base + 0x40), undefined, 'past the packed length');
    t.equal(img.findRuntimeFunction(base + 0x1fc)?.index, 1, 'inside the .xdata length');
    t.equal(img.findRuntimeFunction(base + 0x200), undefined, 'past the .xdata length');
    t.equal(img.findRuntimeFunction(base + 0x31c)?.index, 2);
    t.equal(img.findRuntimeFunction(base + 0x320), undefined);
  }
  t.end();
});

t.test('unsorted .pdata is sorted with a problem noted', (t) => {
  const w = new PeWriter();
  const text = w.section('.text', SCN_CNT_CODE | SCN_MEM_EXECUTE | SCN_MEM_READ);
  const c = text.add(Buffer.alloc(0x100));
  const pdata = w.section('.pdata');
  const rf = encodePdataX64([[c + 0x80, c + 0x90, 0], [c, c + 0x10, 0]]);
  w.setDirectory(DIR_EXCEPTION, pdata.add(rf), rf.length);
  const img = openFile(w.build().file);
  t.same(img.runtimeFunctions().map((r) => r.beginAddress), [c, c + 0x80]);
  t.equal(img.findRuntimeFunction(c + 0x85)?.beginAddress, c + 0x80);
  t.match(img.problems, [/not sorted/]);
  t.end();
});

t.test('hostile directory sizes do not run away', (t) => {
  const w = new PeWriter();
  const rdata = w.section('.rdata');
  // Export directory claiming 0xFFFFFFFF functions and names, arrays pointing nowhere.
  const ed = Buffer.alloc(40);
  ed.writeUInt32LE(0xffffffff, 20);
  ed.writeUInt32LE(0xffffffff, 24);
  ed.writeUInt32LE(0x7fff0000, 28);
  const edRva = rdata.add(ed);
  // Resource root whose only entry points back at the root (a loop) as a directory.
  const loop = Buffer.alloc(24);
  loop.writeUInt16LE(1, 14);
  loop.writeUInt32LE(16, 16);
  loop.writeUInt32LE(0x80000000, 20);
  const rsrcRva = rdata.add(loop);
  w.setDirectory(DIR_EXPORT, edRva, 40);
  w.setDirectory(DIR_RESOURCE, rsrcRva, 24);
  w.setDirectory(DIR_DEBUG, edRva, 0xfffffff0);
  w.setDirectory(DIR_EXCEPTION, edRva, 0xfffffff0);
  const img = openFile(w.build().file);
  t.same(img.exports(), []);
  t.equal(img.versionInfo(), undefined);
  t.ok(img.debugDirectories().length <= 64);
  t.ok(img.runtimeFunctions().length <= 0x200 / 12, 'only what the section holds');
  t.match(img.problems.join('\n'), /claims 4294967295 functions/);
  t.match(img.problems.join('\n'), /resource directory loop/);
  t.end();
});
