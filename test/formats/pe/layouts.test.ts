// Layout checks: the C structs re-declared by hand (winnt.h field order and
// sizes), compared with the parser's layouts, and every field decoded from a
// sentinel at offsets 0 and 32.
import t from 'tap';
import {
  ImageDataDirectoryLayout,
  ImageDebugDirectoryLayout,
  ImageDosHeaderLayout,
  ImageExportDirectoryLayout,
  ImageFileHeaderLayout,
  ImageOptionalHeader32Layout,
  ImageOptionalHeader64Layout,
  ImageResourceDataEntryLayout,
  ImageResourceDirectoryEntryLayout,
  ImageResourceDirectoryLayout,
  ImageSectionHeaderLayout,
  RuntimeFunctionArm64Layout,
  RuntimeFunctionX64Layout,
  VsFixedFileInfoLayout,
} from '../../../src/formats/pe/index.js';
import type { Layout } from '../../../src/formats/layout.js';

type Field = readonly [name: string, size: number];

const FILE_HEADER: Field[] = [
  ['machine', 2], ['numberOfSections', 2], ['timeDateStamp', 4], ['pointerToSymbolTable', 4],
  ['numberOfSymbols', 4], ['sizeOfOptionalHeader', 2], ['characteristics', 2],
];
const SECTION_HEADER: Field[] = [
  ['name', 8], ['virtualSize', 4], ['virtualAddress', 4], ['sizeOfRawData', 4], ['pointerToRawData', 4],
  ['pointerToRelocations', 4], ['pointerToLinenumbers', 4], ['numberOfRelocations', 2], ['numberOfLinenumbers', 2],
  ['characteristics', 4],
];
const EXPORT_DIRECTORY: Field[] = [
  ['characteristics', 4], ['timeDateStamp', 4], ['majorVersion', 2], ['minorVersion', 2], ['name', 4], ['base', 4],
  ['numberOfFunctions', 4], ['numberOfNames', 4], ['addressOfFunctions', 4], ['addressOfNames', 4], ['addressOfNameOrdinals', 4],
];
const DEBUG_DIRECTORY: Field[] = [
  ['characteristics', 4], ['timeDateStamp', 4], ['majorVersion', 2], ['minorVersion', 2], ['type', 4],
  ['sizeOfData', 4], ['addressOfRawData', 4], ['pointerToRawData', 4],
];
const RESOURCE_DIRECTORY: Field[] = [
  ['characteristics', 4], ['timeDateStamp', 4], ['majorVersion', 2], ['minorVersion', 2],
  ['numberOfNamedEntries', 2], ['numberOfIdEntries', 2],
];
const FIXED_FILE_INFO: Field[] = [
  'signature', 'strucVersion', 'fileVersionMS', 'fileVersionLS', 'productVersionMS', 'productVersionLS',
  'fileFlagsMask', 'fileFlags', 'fileOS', 'fileType', 'fileSubtype', 'fileDateMS', 'fileDateLS',
].map((n) => [n, 4] as const);

function offsetsOf(fields: Field[]): Map<string, number> {
  const m = new Map<string, number>();
  let at = 0;
  for (const [n, s] of fields) { m.set(n, at); at += s; }
  m.set('$size', at);
  return m;
}

function writeSentinel(buf: Buffer, at: number, size: number, value: number): void {
  if (size === 1) buf.writeUInt8(value & 0xff, at);
  else if (size === 2) buf.writeUInt16LE(value & 0xffff, at);
  else if (size === 4) buf.writeUInt32LE(value >>> 0, at);
  else if (size === 8) buf.writeBigUInt64LE(BigInt(value), at);
  else for (let i = 0; i < size; i++) buf[at + i] = (value + i) & 0xff;
}

/** Every difference between `layout` and the hand-declared `fields`, as sentences (empty = match). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
function layoutMismatches(layout: Layout<any>, fields: Field[]): string[] {
  const bad: string[] = [];
  const offs = offsetsOf(fields);
  if (layout.size !== offs.get('$size')) bad.push(`${layout.name} size ${layout.size} != ${offs.get('$size')}`);
  for (const [n] of fields) {
    const got = (layout.offsets as Record<string, number>)[n];
    if (got !== offs.get(n)) bad.push(`${layout.name}.${n} at ${got}, expected ${offs.get(n)}`);
  }
  for (const base of [0, 32]) {
    const buf = Buffer.alloc(base + layout.size);
    fields.forEach(([n, s], i) => writeSentinel(buf, base + (offs.get(n) ?? 0), s, 0x11 * (i + 1)));
    const d = layout.decode(buf, base) as Record<string, unknown>;
    fields.forEach(([n, s], i) => {
      const v = d[n];
      const want = 0x11 * (i + 1);
      const ok = Buffer.isBuffer(v) ? v[0] === (want & 0xff)
        : typeof v === 'bigint' ? v === BigInt(want)
        : v === (want & (s === 1 ? 0xff : s === 2 ? 0xffff : 0xffffffff));
      if (!ok) bad.push(`${layout.name}.${n} decoded ${String(v)} at base ${base}`);
    });
  }
  return bad;
}

t.test('IMAGE_FILE_HEADER and friends match winnt.h', (t) => {
  t.same(layoutMismatches(ImageFileHeaderLayout, FILE_HEADER), []);
  t.equal(ImageFileHeaderLayout.size, 20);
  t.same(layoutMismatches(ImageSectionHeaderLayout, SECTION_HEADER), []);
  t.equal(ImageSectionHeaderLayout.size, 40);
  t.same(layoutMismatches(ImageExportDirectoryLayout, EXPORT_DIRECTORY), []);
  t.equal(ImageExportDirectoryLayout.size, 40);
  t.same(layoutMismatches(ImageDebugDirectoryLayout, DEBUG_DIRECTORY), []);
  t.equal(ImageDebugDirectoryLayout.size, 28);
  t.same(layoutMismatches(ImageResourceDirectoryLayout, RESOURCE_DIRECTORY), []);
  t.same(layoutMismatches(ImageResourceDirectoryEntryLayout, [['nameOrId', 4], ['offsetToData', 4]]), []);
  t.same(layoutMismatches(ImageResourceDataEntryLayout, [['offsetToData', 4], ['size', 4], ['codePage', 4], ['reserved', 4]]), []);
  t.same(layoutMismatches(ImageDataDirectoryLayout, [['virtualAddress', 4], ['size', 4]]), []);
  t.same(layoutMismatches(RuntimeFunctionX64Layout, [['beginAddress', 4], ['endAddress', 4], ['unwindInfoAddress', 4]]), []);
  t.equal(RuntimeFunctionX64Layout.size, 12);
  t.same(layoutMismatches(RuntimeFunctionArm64Layout, [['beginAddress', 4], ['unwindData', 4]]), []);
  t.same(layoutMismatches(VsFixedFileInfoLayout, FIXED_FILE_INFO), []);
  t.equal(VsFixedFileInfoLayout.size, 52);
  t.end();
});

t.test('IMAGE_DOS_HEADER: 64 bytes, e_lfanew at 0x3C', (t) => {
  t.equal(ImageDosHeaderLayout.size, 64);
  t.equal(ImageDosHeaderLayout.offsets.e_magic, 0);
  t.equal(ImageDosHeaderLayout.offsets.e_lfanew, 0x3c);
  t.end();
});

// The E.1 table of optional-header offsets, PE32 and PE32+.
t.test('optional header offsets follow the PE32 / PE32+ table', (t) => {
  const table: [string, number, number | undefined][] = [
    ['magic', 0, 0], ['sizeOfCode', 4, 4], ['addressOfEntryPoint', 16, 16], ['baseOfCode', 20, 20],
    ['baseOfData', 24, undefined], ['imageBase', 28, 24], ['sectionAlignment', 32, 32], ['fileAlignment', 36, 36],
    ['sizeOfImage', 56, 56], ['sizeOfHeaders', 60, 60], ['checkSum', 64, 64], ['subsystem', 68, 68],
    ['dllCharacteristics', 70, 70], ['sizeOfStackReserve', 72, 72], ['sizeOfHeapCommit', 84, 96],
    ['loaderFlags', 88, 104], ['numberOfRvaAndSizes', 92, 108],
  ];
  const o32 = ImageOptionalHeader32Layout.offsets as Record<string, number>;
  const o64 = ImageOptionalHeader64Layout.offsets as Record<string, number>;
  for (const [name, pe32, pe64] of table) {
    t.equal(o32[name], pe32, `PE32 ${name}`);
    t.equal(o64[name], pe64, `PE32+ ${name}`);
  }
  // DataDirectory[16] follows: 96 + 128 = 224 and 112 + 128 = 240 bytes.
  t.equal(ImageOptionalHeader32Layout.size + 16 * 8, 224);
  t.equal(ImageOptionalHeader64Layout.size + 16 * 8, 240);
  t.end();
});
