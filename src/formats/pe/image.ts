/**
 * A PE image, either a file on disk (file layout: RVAs translated to file
 * offsets through the section table) or an image already mapped in memory,
 * e.g. a module inside a full-memory minidump (mapped layout: address =
 * base + RVA, no translation; only captured pages are readable). Headers are
 * parsed on construction; every directory is decoded on first use and cached.
 * Nothing reads the whole file.
 *
 * Construction throws FormatError for malformed headers. Directory accessors
 * never throw for bad or missing data: they return empty/undefined and add a
 * sentence to `problems`.
 */
import { FileSource, MAX_READ } from '../../bytes/source.js';
import type { ByteSource } from '../../bytes/source.js';
import { asciiz } from '../../bytes/reader.js';
import { parseCodeViewRecord } from '../codeview/index.js';
import type { CodeViewRecord } from '../codeview/index.js';
import { MAX_CODEVIEW_SIZE, readDebugDirectories } from './debug.js';
import { nearestExport, readExports } from './exports.js';
import type { ExportMatch } from './exports.js';
import { parsePeHeaders } from './headers.js';
import type { PeHeaders } from './headers.js';
import { findRuntimeFunctionIn, readRuntimeFunctionX64, readRuntimeFunctions } from './pdata.js';
import type { PdataFormat } from './pdata.js';
import { hex } from './rva-reader.js';
import type { RvaRange, RvaReader } from './rva-reader.js';
import { IMAGE_DEBUG_TYPE, IMAGE_DIRECTORY_ENTRY, IMAGE_FILE_MACHINE, IMAGE_SCN } from './types.js';
import type {
  ImageDataDirectory,
  ImageDebugDirectory,
  ImageDosHeader,
  ImageFileHeader,
  ImageOptionalHeader,
  ImageSectionHeader,
  PeExport,
  PeExportDirectory,
  PeImageIdentity,
  PeVersionInfo,
  RuntimeFunction,
  RuntimeFunctionX64,
} from './types.js';
import { readVersionInfo } from './version.js';

/** Reads memory at an address; returns the readable prefix (possibly empty). */
export type MemoryRead = (addr: bigint, len: number) => Buffer;

/** 'file': a PE file on disk (section-table translation). 'mapped': an image as the loader mapped it. */
export type PeLayoutKind = 'file' | 'mapped';

/** Symbol-server code id (E.7): TimeDateStamp as %08X followed by SizeOfImage as %x. */
export function formatCodeId(timeDateStamp: number, sizeOfImage: number): string {
  return (timeDateStamp >>> 0).toString(16).toUpperCase().padStart(8, '0') + (sizeOfImage >>> 0).toString(16);
}

/** COFF symbol records are 18 bytes; the string table follows them. */
const COFF_SYMBOL_SIZE = 18;
/** RVAs are u32. */
const MAX_RVA = 0xffffffff;

export class PeImage implements RvaReader {
  readonly name: string;
  readonly layout: PeLayoutKind;
  /** Load address for mapped images; the preferred ImageBase for files. */
  readonly base: bigint;
  readonly dosHeader: ImageDosHeader;
  readonly ntHeadersOffset: number;
  readonly fileHeader: ImageFileHeader;
  readonly optionalHeader: ImageOptionalHeader;
  /** At most 16; only the ones NumberOfRvaAndSizes declares and SizeOfOptionalHeader holds. */
  readonly dataDirectories: readonly ImageDataDirectory[];
  readonly sections: readonly ImageSectionHeader[];
  /** One sentence per problem met while decoding directories (truncated tables, unreadable pages). */
  readonly problems: string[] = [];

  private readonly source: ByteSource | undefined;
  private readonly ownsSource: boolean;
  private readonly memRead: MemoryRead | undefined;
  private cache = new Map<string, unknown>();

  private constructor(opts: { name: string; layout: PeLayoutKind; base?: bigint; source?: ByteSource; ownsSource?: boolean; memRead?: MemoryRead }) {
    this.name = opts.name;
    this.layout = opts.layout;
    this.source = opts.source;
    this.ownsSource = opts.ownsSource ?? false;
    this.memRead = opts.memRead;
    const headerRead = this.source
      ? (off: number, len: number) => this.source!.read(off, len)
      : (off: number, len: number) => this.memRead!((opts.base ?? 0n) + BigInt(off), len);
    let h: PeHeaders;
    try {
      h = parsePeHeaders(headerRead, this.name, this.source ? (fh, off) => this.longSectionName(fh, off) : undefined);
    } catch (e) {
      if (this.ownsSource) this.source?.close();
      throw e;
    }
    this.dosHeader = h.dosHeader;
    this.ntHeadersOffset = h.ntHeadersOffset;
    this.fileHeader = h.fileHeader;
    this.optionalHeader = h.optionalHeader;
    this.dataDirectories = h.dataDirectories;
    this.sections = h.sections;
    this.base = opts.base ?? h.optionalHeader.imageBase;
  }

  /** Opens a PE file (read lazily through a FileSource). Throws FormatError for I/O errors and malformed headers. */
  static fromFile(path: string): PeImage {
    return new PeImage({ name: path, layout: 'file', source: new FileSource(path), ownsSource: true });
  }

  /** A PE file whose bytes come from any ByteSource (e.g. a download held in memory). The caller keeps ownership. */
  static fromSource(source: ByteSource): PeImage {
    return new PeImage({ name: source.name, layout: 'file', source });
  }

  /**
   * An image mapped at `base` (e.g. a module inside a full-memory minidump).
   * `read(addr, len)` returns the readable prefix. Throws FormatError when the
   * headers are not readable or malformed; callers should cross-check
   * timeDateStamp/sizeOfImage with their module record (E.6).
   */
  static fromMemory(read: MemoryRead, base: bigint, name: string): PeImage {
    return new PeImage({ name, layout: 'mapped', base, memRead: read });
  }

  /** Closes the file when this image opened it. */
  close(): void {
    if (this.ownsSource) this.source?.close();
  }

  /** Bytes read from the file so far (file layout only). */
  get bytesRead(): number {
    return this.source?.bytesRead ?? 0;
  }

  get machine(): number { return this.fileHeader.machine; }
  get timeDateStamp(): number { return this.fileHeader.timeDateStamp; }
  get sizeOfImage(): number { return this.optionalHeader.sizeOfImage; }
  get is64(): boolean { return this.optionalHeader.is64; }

  // ---------------------------------------------------------------- addressing

  /** The section whose [VirtualAddress, VirtualAddress + max(VirtualSize, SizeOfRawData)) holds `rva`. */
  sectionForRva(rva: number): ImageSectionHeader | undefined {
    for (const s of this.sections) {
      const extent = Math.max(s.virtualSize, s.sizeOfRawData);
      if (rva >= s.virtualAddress && rva < s.virtualAddress + extent) return s;
    }
    return undefined;
  }

  /**
   * True when `rva` lies in a section marked executable or as code
   * (IMAGE_SCN_MEM_EXECUTE / IMAGE_SCN_CNT_CODE): used to vet return
   * addresses found by stack scanning.
   */
  isCodeRva(rva: number): boolean {
    const s = this.sectionForRva(rva);
    return s !== undefined && (s.characteristics & (IMAGE_SCN.MEM_EXECUTE | IMAGE_SCN.CNT_CODE)) !== 0;
  }

  /**
   * File offset of `rva` (E.2): headers map 1:1; inside a section,
   * PointerToRawData + delta while delta < SizeOfRawData; undefined for
   * zero-fill bytes and RVAs outside every section. For mapped images the
   * file offset is unknown (undefined).
   */
  rvaToFileOffset(rva: number): number | undefined {
    if (this.layout !== 'file') return undefined;
    const seg = this.fileSegment(rva);
    return seg && seg.fileOffset !== undefined ? seg.fileOffset : undefined;
  }

  /**
   * The run of bytes starting at `rva` that maps to one place: `fileOffset`
   * (undefined = zero-fill) and how many bytes the run has.
   */
  private fileSegment(rva: number): { fileOffset: number | undefined; length: number } | undefined {
    const sizeOfHeaders = this.optionalHeader.sizeOfHeaders;
    if (rva < sizeOfHeaders) {
      // A section starting inside SizeOfHeaders (odd, but seen in packed files) takes over from its start.
      const next = this.sections.reduce((m, s) => (s.virtualAddress > rva && s.virtualAddress < m ? s.virtualAddress : m), sizeOfHeaders);
      return { fileOffset: rva, length: next - rva };
    }
    const s = this.sectionForRva(rva);
    if (!s) return undefined;
    const delta = rva - s.virtualAddress;
    const end = s.virtualAddress + Math.max(s.virtualSize, s.sizeOfRawData);
    if (delta >= s.sizeOfRawData) return { fileOffset: undefined, length: end - rva };
    // The loader rounds PointerToRawData down to a 512-byte boundary (for normal, ≥512 file alignment).
    const ptr = this.optionalHeader.fileAlignment >= 0x200 ? s.pointerToRawData & ~0x1ff : s.pointerToRawData;
    return { fileOffset: ptr + delta, length: s.sizeOfRawData - delta };
  }

  /** Bytes at [rva, rva+len): the available prefix (short at unmapped RVAs, end of file, or uncaptured memory). */
  readRva(rva: number, len: number): Buffer {
    if (!Number.isInteger(rva) || rva < 0 || rva > MAX_RVA || len <= 0) return Buffer.alloc(0);
    len = Math.min(len, MAX_READ, MAX_RVA + 1 - rva);
    if (this.layout === 'mapped') {
      // Past SizeOfImage the memory belongs to something else: stop there, as the file layout stops outside its sections.
      if (rva >= this.sizeOfImage) return Buffer.alloc(0);
      const want = Math.min(len, this.sizeOfImage - rva);
      const b = this.memRead!(this.base + BigInt(rva), want);
      return b.length > want ? b.subarray(0, want) : b;
    }
    const parts: Buffer[] = [];
    let done = 0;
    while (done < len) {
      const seg = this.fileSegment(rva + done);
      if (!seg || seg.length <= 0) break;
      const n = Math.min(len - done, seg.length);
      if (seg.fileOffset === undefined) {
        parts.push(Buffer.alloc(n)); // zero-fill past SizeOfRawData, as the loader does
        done += n;
        continue;
      }
      const b = this.source!.read(seg.fileOffset, n);
      parts.push(b);
      done += b.length;
      if (b.length < n) break; // file ends early
    }
    return parts.length === 1 ? parts[0]! : Buffer.concat(parts);
  }

  /** Exactly `len` bytes at `rva`, or undefined when not all are readable. */
  readRvaExact(rva: number, len: number): Buffer | undefined {
    const b = this.readRva(rva, len);
    return b.length === len ? b : undefined;
  }

  /** The virtual address of `rva` at this image's base. */
  rvaToVa(rva: number): bigint {
    return this.base + BigInt(rva);
  }

  /** Data directory `index` when declared and non-empty. */
  dataDirectory(index: number): RvaRange | undefined {
    const d = this.dataDirectories[index];
    if (!d || d.virtualAddress === 0 || d.size === 0) return undefined;
    return { rva: d.virtualAddress, size: d.size };
  }

  private cached<T>(key: string, compute: () => T): T {
    if (this.cache.has(key)) return this.cache.get(key) as T;
    const v = compute();
    this.cache.set(key, v);
    return v;
  }

  private note(problems: string[]): void {
    for (const p of problems) if (!this.problems.includes(p)) this.problems.push(p);
  }

  // ---------------------------------------------------------------- exports

  private exportData(): { directory: PeExportDirectory | undefined; exports: PeExport[]; code: PeExport[] } {
    return this.cached('exports', () => {
      const dir = this.dataDirectory(IMAGE_DIRECTORY_ENTRY.EXPORT);
      if (!dir) return { directory: undefined, exports: [], code: [] };
      const r = readExports(this, dir);
      this.note(r.problems);
      return { directory: r.directory, exports: r.exports, code: r.exports.filter((e) => e.forwarder === undefined) };
    });
  }

  /** IMAGE_EXPORT_DIRECTORY with the DLL name, or undefined. */
  exportDirectory(): PeExportDirectory | undefined {
    return this.exportData().directory;
  }

  /** Every export, sorted by rva (named before ordinal-only at the same rva). */
  exports(): readonly PeExport[] {
    return this.exportData().exports;
  }

  /**
   * The nearest code export at or before `rva` (binary search; forwarders
   * skipped), e.g. RaiseException + 0x5c. Undefined before the first export
   * or outside the image. A guess: see nearestExport.
   */
  exportAt(rva: number): ExportMatch | undefined {
    if (rva < 0 || rva >= this.sizeOfImage) return undefined;
    return nearestExport(this.exportData().code, rva);
  }

  // ---------------------------------------------------------------- debug directory

  /** IMAGE_DEBUG_DIRECTORY entries (empty when absent or unreadable). */
  debugDirectories(): readonly ImageDebugDirectory[] {
    return this.cached('debug', () => {
      const dir = this.dataDirectory(IMAGE_DIRECTORY_ENTRY.DEBUG);
      if (!dir) return [];
      const r = readDebugDirectories(this, dir);
      this.note(r.problems);
      return r.entries;
    });
  }

  /** True when a REPRO debug entry says the TimeDateStamp is a build hash (/Brepro). */
  isReproducible(): boolean {
    return this.debugDirectories().some((d) => d.type === IMAGE_DEBUG_TYPE.REPRO);
  }

  /**
   * The CodeView record (RSDS/NB10) of the first CODEVIEW entry: read via
   * PointerToRawData in a file (AddressOfRawData when that is 0) and via
   * AddressOfRawData in a mapped image.
   */
  codeView(): CodeViewRecord | undefined {
    return this.cached('codeview', () => {
      const entry = this.debugDirectories().find((d) => d.type === IMAGE_DEBUG_TYPE.CODEVIEW);
      if (!entry) return undefined;
      const size = Math.min(entry.sizeOfData, MAX_CODEVIEW_SIZE);
      let buf: Buffer | undefined;
      // A file is read at PointerToRawData; a mapped image only has AddressOfRawData (0 when the
      // payload is not mapped). A file whose PointerToRawData is stale falls back to the RVA.
      if (this.layout === 'file' && entry.pointerToRawData !== 0) {
        const b = this.source!.read(entry.pointerToRawData, size);
        if (b.length === size) buf = b;
      }
      if (!buf && entry.addressOfRawData !== 0) buf = this.readRvaExact(entry.addressOfRawData, size);
      if (!buf) {
        const where = this.layout === 'file' ? `file offset ${hex(entry.pointerToRawData)}` : `RVA ${hex(entry.addressOfRawData)}`;
        this.note([`CodeView record (${size} bytes at ${where}) is not readable`]);
        return undefined;
      }
      return parseCodeViewRecord(buf);
    });
  }

  // ---------------------------------------------------------------- exception directory

  /** Location of the exception directory (.pdata), if any. */
  exceptionDirectory(): RvaRange | undefined {
    return this.dataDirectory(IMAGE_DIRECTORY_ENTRY.EXCEPTION);
  }

  /** Which RUNTIME_FUNCTION layout this machine uses, if any (x86 has none). */
  pdataFormat(): PdataFormat | undefined {
    switch (this.machine) {
      case IMAGE_FILE_MACHINE.AMD64: return 'x64';
      case IMAGE_FILE_MACHINE.ARM64:
      case IMAGE_FILE_MACHINE.ARMNT: return 'arm64';
      default: return undefined;
    }
  }

  /** The RUNTIME_FUNCTION table, sorted by beginAddress (x64: 12-byte entries; ARM64/ARMNT: 8-byte). */
  runtimeFunctions(): readonly RuntimeFunction[] {
    return this.cached('pdata', () => {
      const dir = this.exceptionDirectory();
      const format = this.pdataFormat();
      if (!dir || !format) return [];
      const r = readRuntimeFunctions(this, dir, format, this.sizeOfImage);
      this.note(r.problems);
      return r.functions;
    });
  }

  /**
   * The RUNTIME_FUNCTION covering `rva` (binary search), or undefined (a leaf
   * function, or not code). x64 indirect entries (unwindInfoAddress bit 0)
   * are returned unfollowed. For return addresses look up `pc − 1`.
   */
  findRuntimeFunction(rva: number): RuntimeFunction | undefined {
    return findRuntimeFunctionIn(this, this.runtimeFunctions(), rva);
  }

  /** Decodes the x64 RUNTIME_FUNCTION stored at `rva` (for following chained/indirect entries). */
  runtimeFunctionAt(rva: number): RuntimeFunctionX64 | undefined {
    return readRuntimeFunctionX64(this, rva);
  }

  // ---------------------------------------------------------------- resources

  /** The version resource (fixed part and StringFileInfo strings), or undefined. */
  versionInfo(): PeVersionInfo | undefined {
    return this.cached('version', () => {
      const dir = this.dataDirectory(IMAGE_DIRECTORY_ENTRY.RESOURCE);
      if (!dir) return undefined;
      const r = readVersionInfo(this, dir);
      this.note(r.problems);
      return r.info;
    });
  }

  // ---------------------------------------------------------------- identity

  /** TimeDateStamp, SizeOfImage, the symbol-server code id and the machine. */
  imageIdentity(): PeImageIdentity {
    return {
      timeDateStamp: this.timeDateStamp,
      sizeOfImage: this.sizeOfImage,
      codeId: formatCodeId(this.timeDateStamp, this.sizeOfImage),
      machine: this.machine,
    };
  }

  /** "/4" section names live in the COFF string table after the symbols (file layout only). */
  private longSectionName(fh: ImageFileHeader, offset: number): string | undefined {
    if (!this.source || fh.pointerToSymbolTable === 0) return undefined;
    const at = fh.pointerToSymbolTable + fh.numberOfSymbols * COFF_SYMBOL_SIZE + offset;
    if (!Number.isSafeInteger(at) || at >= this.source.size) return undefined;
    const name = asciiz(this.source.read(at, 256));
    return name || undefined;
  }
}
