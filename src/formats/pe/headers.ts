/**
 * DOS header → NT headers → optional header → data directories → section
 * table (docs/unwind-symbols.md E.1–E.2). Works on "header offsets", which
 * are the same in a file and in a mapped image (the headers sit at RVA 0 and
 * file offset 0 alike).
 */
import { FormatError } from '../../bytes/errors.js';
import { asciiz } from '../../bytes/reader.js';
import {
  IMAGE_DATA_DIRECTORY_SIZE,
  IMAGE_DOS_HEADER_SIZE,
  IMAGE_DOS_SIGNATURE,
  IMAGE_FILE_HEADER_SIZE,
  IMAGE_NT_OPTIONAL_HDR32_MAGIC,
  IMAGE_NT_OPTIONAL_HDR64_MAGIC,
  IMAGE_NT_SIGNATURE,
  IMAGE_NUMBEROF_DIRECTORY_ENTRIES,
  IMAGE_SECTION_HEADER_SIZE,
  ImageDataDirectoryLayout,
  ImageDosHeaderLayout,
  ImageFileHeaderLayout,
  ImageOptionalHeader32Layout,
  ImageOptionalHeader64Layout,
  ImageSectionHeaderLayout,
} from './layouts.js';
import type { ImageDataDirectory, ImageDosHeader, ImageFileHeader, ImageOptionalHeader, ImageSectionHeader } from './types.js';

/** Reads bytes at an offset from the start of the image; returns the available prefix. */
export type HeaderRead = (offset: number, length: number) => Buffer;

/** Everything in the PE headers. */
export interface PeHeaders {
  dosHeader: ImageDosHeader;
  /** e_lfanew: offset of "PE\0\0". */
  ntHeadersOffset: number;
  fileHeader: ImageFileHeader;
  optionalHeader: ImageOptionalHeader;
  /** min(NumberOfRvaAndSizes, 16, what fits in SizeOfOptionalHeader) entries. */
  dataDirectories: ImageDataDirectory[];
  sections: ImageSectionHeader[];
  /** Offset of the section table. */
  sectionTableOffset: number;
}

/**
 * e_lfanew beyond this is not a PE the loader would accept; it also keeps a
 * hostile value from sending us to a far-away read.
 */
const MAX_LFANEW = 0x10000000;

const hex = (n: number) => `0x${n.toString(16)}`;

function readExact(read: HeaderRead, offset: number, length: number, what: string, name: string): Buffer {
  const buf = read(offset, length);
  if (buf.length < length) {
    throw new FormatError('Truncated', `${what} needs ${length} bytes at ${hex(offset)} but only ${buf.length} are readable`, `reading ${what} of ${name}`, offset);
  }
  return buf;
}

/**
 * Parses the PE headers. Throws FormatError ('BadValue' for a wrong magic or
 * offset, 'Truncated' when a header runs past the readable bytes).
 * `resolveLongName` (optional) maps a "/123" section name to its COFF string-table entry.
 */
export function parsePeHeaders(read: HeaderRead, name: string, resolveLongName?: (fileHeader: ImageFileHeader, offset: number) => string | undefined): PeHeaders {
  const head = read(0, IMAGE_DOS_HEADER_SIZE);
  if (head.length < 2) {
    throw new FormatError('Truncated', `not a PE image: only ${head.length} bytes are readable at 0x0`, `reading IMAGE_DOS_HEADER of ${name}`, 0);
  }
  const magic = head.readUInt16LE(0);
  if (magic !== IMAGE_DOS_SIGNATURE) {
    throw new FormatError('BadValue', `not a PE image: e_magic at 0x0 is ${hex(magic)}, expected 0x5a4d ('MZ')`, `reading IMAGE_DOS_HEADER of ${name}`, 0);
  }
  if (head.length < IMAGE_DOS_HEADER_SIZE) {
    throw new FormatError('Truncated', `IMAGE_DOS_HEADER needs ${IMAGE_DOS_HEADER_SIZE} bytes at 0x0 but only ${head.length} are readable`, `reading IMAGE_DOS_HEADER of ${name}`, 0);
  }
  const dosHeader = ImageDosHeaderLayout.decode(head, 0, `reading IMAGE_DOS_HEADER of ${name}`);
  const lfanew = dosHeader.e_lfanew;
  // Tiny hand-made PEs overlap the NT headers with the DOS header (e_lfanew = 4), so only
  // reject values that cannot work: negative, inside the e_magic field, or absurdly far.
  if (lfanew < 4 || lfanew > MAX_LFANEW) {
    throw new FormatError('BadValue', `bad e_lfanew ${lfanew < 0 ? lfanew : hex(lfanew)} at 0x3c (offset of the NT headers)`, `reading IMAGE_DOS_HEADER of ${name}`, 0x3c);
  }

  const ctx = `reading IMAGE_NT_HEADERS of ${name} at ${hex(lfanew)}`;
  const nt = readExact(read, lfanew, 4 + IMAGE_FILE_HEADER_SIZE, 'IMAGE_NT_HEADERS', name);
  const signature = nt.readUInt32LE(0);
  if (signature !== IMAGE_NT_SIGNATURE) {
    throw new FormatError('BadValue', `bad NT signature ${hex(signature)} at ${hex(lfanew)}, expected 0x4550 ('PE\\0\\0')`, ctx, lfanew);
  }
  const fileHeader = ImageFileHeaderLayout.decode(nt, 4, ctx);

  const optOffset = lfanew + 4 + IMAGE_FILE_HEADER_SIZE;
  const optSize = fileHeader.sizeOfOptionalHeader;
  if (optSize < 2) {
    throw new FormatError('BadValue', `SizeOfOptionalHeader is ${optSize}: an image needs an optional header`, ctx, lfanew + 4 + 16);
  }
  const opt = readExact(read, optOffset, optSize, 'IMAGE_OPTIONAL_HEADER', name);
  const optionalHeader = decodeOptionalHeader(opt, optOffset, name);
  const fixed = optionalHeader.is64 ? ImageOptionalHeader64Layout.size : ImageOptionalHeader32Layout.size;

  // Only trust directories the header declares AND that fit in SizeOfOptionalHeader; 16 at most.
  const dirCount = Math.min(
    optionalHeader.numberOfRvaAndSizes,
    IMAGE_NUMBEROF_DIRECTORY_ENTRIES,
    Math.floor((optSize - fixed) / IMAGE_DATA_DIRECTORY_SIZE),
  );
  const dataDirectories: ImageDataDirectory[] = [];
  for (let i = 0; i < dirCount; i++) {
    dataDirectories.push(ImageDataDirectoryLayout.decode(opt, fixed + i * IMAGE_DATA_DIRECTORY_SIZE, `reading data directory ${i} of ${name}`));
  }

  const sectionTableOffset = optOffset + optSize;
  const n = fileHeader.numberOfSections;
  const table = readExact(read, sectionTableOffset, n * IMAGE_SECTION_HEADER_SIZE, 'section table', name);
  const sections: ImageSectionHeader[] = [];
  for (let i = 0; i < n; i++) {
    const at = i * IMAGE_SECTION_HEADER_SIZE;
    const s = ImageSectionHeaderLayout.decode(table, at, `reading IMAGE_SECTION_HEADER ${i} of ${name}`);
    let sectionName = asciiz(s.name, 0, 8);
    // Images built by MinGW/LLD keep long names (".debug_info") in the COFF string table as "/<offset>".
    const m = /^\/(\d+)$/.exec(sectionName);
    if (m && resolveLongName) sectionName = resolveLongName(fileHeader, Number(m[1])) ?? sectionName;
    sections.push({
      index: i,
      name: sectionName,
      virtualSize: s.virtualSize,
      virtualAddress: s.virtualAddress,
      sizeOfRawData: s.sizeOfRawData,
      pointerToRawData: s.pointerToRawData,
      pointerToRelocations: s.pointerToRelocations,
      pointerToLinenumbers: s.pointerToLinenumbers,
      numberOfRelocations: s.numberOfRelocations,
      numberOfLinenumbers: s.numberOfLinenumbers,
      characteristics: s.characteristics,
    });
  }
  return { dosHeader, ntHeadersOffset: lfanew, fileHeader, optionalHeader, dataDirectories, sections, sectionTableOffset };
}

function decodeOptionalHeader(opt: Buffer, at: number, name: string): ImageOptionalHeader {
  const magic = opt.readUInt16LE(0);
  const ctx = `reading IMAGE_OPTIONAL_HEADER of ${name} at ${hex(at)}`;
  if (magic === IMAGE_NT_OPTIONAL_HDR64_MAGIC) {
    if (opt.length < ImageOptionalHeader64Layout.size) {
      throw new FormatError('Truncated', `SizeOfOptionalHeader ${opt.length} is smaller than the ${ImageOptionalHeader64Layout.size} bytes of a PE32+ optional header`, ctx, at);
    }
    const h = ImageOptionalHeader64Layout.decode(opt, 0, ctx);
    return { ...h, is64: true, baseOfData: undefined };
  }
  if (magic === IMAGE_NT_OPTIONAL_HDR32_MAGIC) {
    if (opt.length < ImageOptionalHeader32Layout.size) {
      throw new FormatError('Truncated', `SizeOfOptionalHeader ${opt.length} is smaller than the ${ImageOptionalHeader32Layout.size} bytes of a PE32 optional header`, ctx, at);
    }
    const h = ImageOptionalHeader32Layout.decode(opt, 0, ctx);
    return {
      ...h,
      is64: false,
      imageBase: BigInt(h.imageBase),
      sizeOfStackReserve: BigInt(h.sizeOfStackReserve),
      sizeOfStackCommit: BigInt(h.sizeOfStackCommit),
      sizeOfHeapReserve: BigInt(h.sizeOfHeapReserve),
      sizeOfHeapCommit: BigInt(h.sizeOfHeapCommit),
    };
  }
  throw new FormatError('BadValue', `unknown optional header magic ${hex(magic)} at ${hex(at)} (expected 0x10b PE32 or 0x20b PE32+)`, ctx, at);
}
