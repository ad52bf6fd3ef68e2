import { FormatError } from '../../bytes/errors.js';
import { BufferSource, FileSource, MAX_READ, type ByteSource } from '../../bytes/source.js';
import { MINIDUMP_DIRECTORY_SIZE, MINIDUMP_HEADER_SIZE, parseDirectory, parseHeader } from './header.js';
import { archFromProcessorArchitecture, parseSystemInfo } from './system-info.js';
import { parseThreadList } from './thread-list.js';
import { parseModuleList } from './module-list.js';
import { cleanMemory64List, cleanMemoryList, parseMemory64List, parseMemoryList } from './memory-list.js';
import { sweepInWasm, type SweepInput } from './memory-sweep.js';
import { MemoryColumns, MemoryIndex } from './memory-index.js';
import { decodeNativeExceptionRecord, nativeExceptionRecordSize, parseExceptionStream } from './exception.js';
import { parseMiscInfo } from './misc-info.js';
import { decodeContext, detectContextArch, type XstateConfig } from './context.js';
import { parseHandleData } from './handle-data.js';
import { parseThreadInfoList } from './thread-info.js';
import { parseThreadNames } from './thread-names.js';
import { parseUnloadedModuleList } from './unloaded-modules.js';
import { parseMemoryInfoList } from './memory-info.js';
import { parseFunctionTables, type FunctionTableDescriptor } from './function-table.js';
import { parseAssertionInfo, parseBreakpadInfo } from './breakpad.js';
import { parseCrashpadInfo } from './crashpad.js';
import { StreamType, streamTypeName } from './streams.js';
import { decodeNtTib, NT_TIB32_SIZE, NT_TIB64_SIZE, type NtTib } from './teb.js';
import type { StreamContext } from './stream-context.js';
import type {
  AssertionInfo,
  BreakpadInfo,
  CpuArch,
  CpuContext,
  CrashpadInfo,
  DumpWarning,
  ExceptionRecord,
  LocationDescriptor,
  MemoryRange,
  MinidumpDirectoryEntry,
  MinidumpExceptionStream,
  MinidumpHandle,
  MinidumpHeader,
  MinidumpMemoryInfo,
  MinidumpMiscInfo,
  MinidumpModule,
  MinidumpSystemInfo,
  MinidumpThread,
  MinidumpThreadInfo,
  MinidumpUnloadedModule,
} from './types.js';

/** A stream the parser does not decode (Linux /proc blobs, Wine's private stream, vendor streams). */
export interface OtherStream { index: number; streamType: number; typeName: string; dataSize: number; rva: number }

/** Largest context record accepted: AMD64 CONTEXT + XSAVE with AVX-512 and AMX is under 16 KiB (Breakpad's cap). */
const MAX_CONTEXT_SIZE = 1232 + 16 * 1024;
/** Comment streams are free text; anything larger is shown truncated. */
const MAX_COMMENT_BYTES = 1024 * 1024;

/** Streams decoded by a member of MinidumpFile; everything else is listed by otherStreams(). */
const DECODED_STREAMS = new Set<number>([
  StreamType.ThreadList, StreamType.ModuleList, StreamType.MemoryList, StreamType.Exception, StreamType.SystemInfo,
  StreamType.ThreadExList, StreamType.Memory64List, StreamType.CommentA, StreamType.CommentW, StreamType.HandleData,
  StreamType.FunctionTable, StreamType.UnloadedModuleList, StreamType.MiscInfo, StreamType.MemoryInfoList,
  StreamType.ThreadInfoList, StreamType.ThreadNames, StreamType.BreakpadInfo, StreamType.AssertionInfo, StreamType.CrashpadInfo,
]);

/**
 * A user-mode minidump (MDMP). Opening reads the header, the stream directory
 * and SystemInfo; every other stream is decoded on first use and cached.
 * Damaged dumps stay usable: what cannot be read is skipped and described in
 * `warnings`.
 */
export class MinidumpFile {
  readonly source: ByteSource;
  readonly path: string;
  readonly header: MinidumpHeader;
  readonly directory: MinidumpDirectoryEntry[];
  readonly systemInfo: MinidumpSystemInfo | undefined;
  readonly warnings: DumpWarning[] = [];
  private readonly warned = new Set<string>();
  private readonly cache = new Map<string, unknown>();
  private readonly streams = new Map<number, unknown>();
  // The lists asked for per stack frame, in fields of their own (no map lookup, no closure per call).
  private threadList: MinidumpThread[] | undefined;
  private moduleList: MinidumpModule[] | undefined;
  private sortedModules: { mods: MinidumpModule[]; ends: bigint[] } | undefined;
  private memoryIndex: MemoryIndex | undefined;
  private readonly contexts = new Map<string, CpuContext | undefined>();
  private readonly ctx: StreamContext;
  private archCache: CpuArch | undefined;

  /** Opens a dump file; throws FormatError (NotADump, KernelDump, Truncated, UnsupportedVersion, Io). */
  static open(path: string): MinidumpFile {
    const src = new FileSource(path);
    try {
      return new MinidumpFile(src);
    } catch (e) {
      src.close();
      throw e;
    }
  }

  /** A dump held by any ByteSource (a Buffer in tests: `MinidumpFile.fromSource(new BufferSource(buf))`). */
  static fromSource(src: ByteSource): MinidumpFile {
    return new MinidumpFile(src);
  }

  /** Shorthand for an in-memory dump. */
  static fromBuffer(buf: Buffer, name = '<buffer>'): MinidumpFile {
    return new MinidumpFile(new BufferSource(buf, name));
  }

  private constructor(source: ByteSource) {
    this.source = source;
    this.path = source.name;
    this.ctx = {
      fileSize: source.size,
      read: (rva, length) => this.readFile(rva, length),
      warn: (stream, offset, message) => this.warn(stream, offset, message),
    };
    this.header = parseHeader(source.read(0, MINIDUMP_HEADER_SIZE), source.name, source.size);
    this.directory = this.readDirectory();
    this.noteTruncation();
    this.systemInfo = this.cached('systemInfo', () => {
      const e = this.streamEntry(StreamType.SystemInfo);
      const buf = e && this.entryBytes(e);
      if (!e || !buf) return undefined;
      return this.guard('SystemInfoStream', e.rva, () => parseSystemInfo(buf, e.rva, this.ctx));
    });
  }

  private readDirectory(): MinidumpDirectoryEntry[] {
    const { numberOfStreams: n, streamDirectoryRva: rva } = this.header;
    const size = this.source.size;
    const fits = rva >= size ? 0 : Math.floor((size - rva) / MINIDUMP_DIRECTORY_SIZE);
    let count = n;
    if (n > fits) {
      if (fits === 0) {
        throw new FormatError('Truncated', `${this.path} is truncated: its stream directory (${n} entries at 0x${rva.toString(16)}) lies past the end of the ${size}-byte file`, 'reading MINIDUMP_DIRECTORY', rva);
      }
      this.warn('directory', rva, `the stream directory claims ${n} entries but the file holds only ${fits}`);
      count = fits;
    }
    return parseDirectory(this.source.read(rva, count * MINIDUMP_DIRECTORY_SIZE), count);
  }

  /**
   * One sentence for a dump cut short (a failed copy): streams the directory
   * places past the end of the file. Each stream's own warning follows when it is read.
   */
  private noteTruncation(): void {
    const size = this.source.size;
    const past = this.directory.filter((e) => e.streamType !== StreamType.Unused && e.dataSize > 0 && e.rva + e.dataSize > size);
    if (past.length === 0) return;
    const first = past.reduce((a, b) => (b.rva < a.rva ? b : a));
    const others = past.length > 1 ? ` and ${past.length - 1} other stream${past.length > 2 ? 's' : ''}` : '';
    this.warn('file', size, `${this.path} is truncated or damaged: the file ends at 0x${size.toString(16)} but ${first.typeName} (0x${first.dataSize.toString(16)} bytes at 0x${first.rva.toString(16)})${others} reach${past.length === 1 ? 'es' : ''} past it; what the file still holds is shown`);
  }

  private warn(stream: string, offset: number, message: string): void {
    const key = `${stream}\0${message}`;
    if (this.warned.has(key)) return;
    this.warned.add(key);
    this.warnings.push({ stream, offset, message });
  }

  private cached<T>(key: string, compute: () => T): T {
    // One lookup for the usual hit (thread and module lists are asked for per stack frame).
    const hit = this.cache.get(key);
    if (hit !== undefined || this.cache.has(key)) return hit as T;
    const v = compute();
    this.cache.set(key, v);
    return v;
  }

  /** Runs a decoder; a FormatError becomes a warning and an undefined result. */
  private guard<T>(stream: string, offset: number, f: () => T): T | undefined {
    try {
      return f();
    } catch (e) {
      if (e instanceof FormatError && e.kind !== 'Io') {
        this.warn(stream, offset, e.message);
        return undefined;
      }
      throw e;
    }
  }

  private readFile(rva: number, length: number): Buffer {
    if (rva < 0 || length <= 0 || rva >= this.source.size) return Buffer.alloc(0);
    return this.source.read(rva, Math.min(length, MAX_READ, this.source.size - rva));
  }

  /** Architecture from SystemInfo; without it, guessed from the first thread context's size and flags. */
  get arch(): CpuArch {
    if (this.archCache !== undefined) return this.archCache;
    let arch: CpuArch = this.systemInfo ? archFromProcessorArchitecture(this.systemInfo.processorArchitecture) : 'unknown';
    if (arch === 'unknown') {
      const loc = this.threads().find((t) => t.context.dataSize > 0)?.context ?? this.exception()?.threadContext;
      if (loc && loc.dataSize > 0) arch = detectContextArch(this.readFile(loc.rva, Math.min(loc.dataSize, MAX_CONTEXT_SIZE)), 'unknown');
    }
    this.archCache = arch;
    return arch;
  }

  /** Pointer size in bytes for the dump's architecture. */
  get pointerSize(): 4 | 8 {
    return this.arch === 'x86' || this.arch === 'arm' ? 4 : 8;
  }

  /** The first directory entry of that type (type 0, UnusedStream, never matches). */
  streamEntry(type: number): MinidumpDirectoryEntry | undefined {
    if (type === StreamType.Unused) return undefined;
    return this.directory.find((e) => e.streamType === type);
  }

  /** Every directory entry of that type (comment streams may repeat). */
  streamEntries(type: number): MinidumpDirectoryEntry[] {
    return this.directory.filter((e) => e.streamType === type && type !== StreamType.Unused);
  }

  /**
   * The bytes of the first stream of that type, at most `maxBytes`; shorter
   * (with a warning) when the file ends early; undefined when there is no such stream.
   */
  streamBytes(type: number, maxBytes?: number): Buffer | undefined {
    const e = this.streamEntry(type);
    return e ? this.entryBytes(e, maxBytes) : undefined;
  }

  private entryBytes(e: MinidumpDirectoryEntry, maxBytes = MAX_READ): Buffer | undefined {
    const want = Math.min(e.dataSize, maxBytes, MAX_READ);
    const buf = this.readFile(e.rva, want);
    if (buf.length < want) {
      this.warn(e.typeName, e.rva, `${e.typeName} (${e.dataSize} bytes at 0x${e.rva.toString(16)}) is cut short by the end of the file: ${buf.length} bytes can be read`);
    }
    if (e.dataSize > MAX_READ && maxBytes >= MAX_READ) this.warn(e.typeName, e.rva, `${e.typeName} claims ${e.dataSize} bytes; only the first ${MAX_READ} are read`);
    return buf;
  }

  /** Decodes the first stream of a type with `parse`, caching the result; undefined when absent or unreadable. */
  private stream<T>(type: number, parse: (buf: Buffer, e: MinidumpDirectoryEntry) => T): T | undefined {
    // Keyed by the type number in a map of its own: MiscInfo is asked for once per CONTEXT decoded.
    const hit = this.streams.get(type);
    if (hit !== undefined || this.streams.has(type)) return hit as T | undefined;
    const e = this.streamEntry(type);
    const buf = e && this.entryBytes(e);
    const v = e && buf ? this.guard(e.typeName, e.rva, () => parse(buf, e)) : undefined;
    this.streams.set(type, v);
    return v;
  }

  /** ThreadListStream, or ThreadExListStream when that is what the dump has. Position = debugger thread number. */
  threads(): MinidumpThread[] {
    return (this.threadList ??=
      this.stream(StreamType.ThreadList, (b, e) => parseThreadList(b, e.dataSize, e.rva, false, this.ctx)) ??
      this.stream(StreamType.ThreadExList, (b, e) => parseThreadList(b, e.dataSize, e.rva, true, this.ctx)) ??
      []);
  }

  /** The thread's CONTEXT; undefined for a zero-size context (Wine's hang-dump writer thread) or an unreadable one. */
  threadContext(thread: MinidumpThread): CpuContext | undefined {
    return this.contextAt(thread.context);
  }

  /** Decodes the CONTEXT record at a location (cached). */
  contextAt(loc: LocationDescriptor): CpuContext | undefined {
    if (loc.dataSize === 0) return undefined;
    const key = `${loc.rva}:${loc.dataSize}`;
    if (this.contexts.has(key)) return this.contexts.get(key);
    const want = Math.min(loc.dataSize, MAX_CONTEXT_SIZE);
    const buf = this.readFile(loc.rva, want);
    if (buf.length < want) this.warn('context', loc.rva, `CONTEXT record at 0x${loc.rva.toString(16)} (${loc.dataSize} bytes) is cut short by the end of the file`);
    const ctx = this.guard('context', loc.rva, () => decodeContext(buf, this.arch, loc.rva, this.xstateConfig()));
    if (!ctx && buf.length > 0) this.warn('context', loc.rva, `CONTEXT record at 0x${loc.rva.toString(16)} (${buf.length} bytes) matches no known layout`);
    this.contexts.set(key, ctx);
    return ctx;
  }

  private xstateConfig(): XstateConfig | undefined {
    const x = this.miscInfo()?.xstate;
    return x ? { enabledFeatures: x.enabledFeatures, features: x.features } : undefined;
  }

  /**
   * NT_TIB from the thread's TEB (stack base/limit, SEH chain head), when the
   * TEB page was captured. A WOW64 process has a 64-bit TEB at `teb`; its
   * 32-bit TEB is not located here.
   */
  ntTib(thread: MinidumpThread): NtTib | undefined {
    if (thread.teb === 0n) return undefined;
    const ps = this.pointerSize;
    const buf = this.memory.readExact(thread.teb, ps === 8 ? NT_TIB64_SIZE : NT_TIB32_SIZE);
    return buf ? decodeNtTib(buf, ps) : undefined;
  }

  /** ModuleListStream, in dump order (index 0 is usually the main executable). */
  modules(): MinidumpModule[] {
    return (this.moduleList ??= this.stream(StreamType.ModuleList, (b, e) => parseModuleList(b, e.dataSize, e.rva, this.ctx)) ?? []);
  }

  /** Modules sorted by base, with each one's end (base + size) computed once: moduleAt runs per stack word scanned. */
  private modulesByBase(): { mods: MinidumpModule[]; ends: bigint[] } {
    if (this.sortedModules === undefined) {
      const mods = [...this.modules()].sort((a, b) => (a.baseOfImage < b.baseOfImage ? -1 : a.baseOfImage > b.baseOfImage ? 1 : 0));
      this.sortedModules = { mods, ends: mods.map((m) => m.baseOfImage + BigInt(m.sizeOfImage)) };
    }
    return this.sortedModules;
  }

  /** The loaded module whose [base, base+size) contains addr. */
  moduleAt(addr: bigint): MinidumpModule | undefined {
    const { mods, ends } = this.modulesByBase();
    let lo = 0;
    let hi = mods.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      if ((mods[mid] as MinidumpModule).baseOfImage <= addr) lo = mid + 1;
      else hi = mid - 1;
    }
    // Walk back over modules starting below addr; overlapping images are rare but possible.
    for (let i = hi; i >= 0 && i >= hi - 4; i--) {
      if (addr < (ends[i] as bigint)) return mods[i];
    }
    return undefined;
  }

  unloadedModules(): MinidumpUnloadedModule[] {
    return this.cached('unloaded', () => this.stream(StreamType.UnloadedModuleList, (b, e) => parseUnloadedModuleList(b, e.rva, this.ctx)) ?? []);
  }

  /** MemoryList ranges, then Memory64List ranges, then thread stacks not already covered. */
  get memory(): MemoryIndex {
    return (this.memoryIndex ??= this.buildMemoryIndex());
  }

  private buildMemoryIndex(): MemoryIndex {
    return this.memoryIndexInWasm() ?? this.memoryIndexInJavaScript();
  }

  /**
   * The two builds of `memory` (use that: it is built once), public for the tests that compare them.
   *
   * memoryIndexInWasm: the index memoryIndexInJavaScript() builds, built in WebAssembly (memory-sweep.ts): when both
   * memory lists read whole and their headers draw no warning, and the kernel finds no range it
   * would warn about. Otherwise undefined, and the JavaScript build runs (and warns).
   */
  memoryIndexInWasm(): MemoryIndex | undefined {
    const fileSize = this.source.size;
    const input: SweepInput = { fileSize, stacks: this.stackRanges() };
    const list = this.wholeStream(StreamType.MemoryList);
    if (list === null) return undefined;
    if (list !== undefined) {
      const d = cleanMemoryList(list.bytes, list.entry.dataSize, list.entry.rva);
      if (d === undefined) return undefined;
      input.memoryList = d;
    }
    const list64 = this.wholeStream(StreamType.Memory64List);
    if (list64 === null) return undefined;
    if (list64 !== undefined) {
      const d = cleanMemory64List(list64.bytes, list64.entry.rva, fileSize);
      if (d === undefined) return undefined;
      input.memory64List = d;
    }
    const cols = sweepInWasm(input);
    return cols === undefined ? undefined : new MemoryIndex(this.source, cols);
  }

  /** All of a stream's bytes; undefined when there is no such stream, null when they cannot all be read. */
  private wholeStream(type: number): { entry: MinidumpDirectoryEntry; bytes: Buffer } | null | undefined {
    const entry = this.streamEntry(type);
    if (entry === undefined) return undefined;
    if (entry.dataSize > MAX_READ) return null;
    const bytes = this.readFile(entry.rva, entry.dataSize);
    return bytes.length === entry.dataSize ? { entry, bytes } : null;
  }

  /** Each thread's stack as far as the file holds it (the index's last source). */
  private stackRanges(): { start: bigint; size: number; fileOffset: number }[] {
    const out: { start: bigint; size: number; fileOffset: number }[] = [];
    for (const t of this.threads()) {
      if (t.stackSize === 0 || t.stackRva === 0) continue;
      const avail = Math.max(0, Math.min(t.stackSize, this.source.size - t.stackRva));
      if (avail > 0) out.push({ start: t.stackStart, size: avail, fileOffset: t.stackRva });
    }
    return out;
  }

  /** The index in JavaScript, warning about whatever does not read cleanly (see memoryIndexInWasm). */
  memoryIndexInJavaScript(): MemoryIndex {
    // Priority order: MemoryList, Memory64List, then the thread stacks. Columns, not objects (see MemoryColumns).
    const cols = new MemoryColumns(1024);
    // A stream whose parse fails (guard() reports it) adds none of its ranges, as before columns.
    let mark = cols.count;
    if (this.stream(StreamType.MemoryList, (b, e) => (parseMemoryList(b, e.dataSize, e.rva, this.ctx, cols), true)) !== true) cols.count = mark;
    mark = cols.count;
    if (this.stream(StreamType.Memory64List, (b, e) => (parseMemory64List(b, e.rva, this.ctx, cols), true)) !== true) cols.count = mark;
    const stacks = this.stackRanges();
    cols.reserve(stacks.length);
    for (const r of stacks) cols.push(r.start, r.size, r.fileOffset);
    return new MemoryIndex(this.source, cols);
  }

  memoryInfo(): MinidumpMemoryInfo[] {
    return this.cached('memoryInfo', () => this.stream(StreamType.MemoryInfoList, (b, e) => parseMemoryInfoList(b, e.rva, this.ctx)) ?? []);
  }

  exception(): MinidumpExceptionStream | undefined {
    const hit = this.streams.get(StreamType.Exception);
    if (hit !== undefined) return hit as MinidumpExceptionStream;
    return this.stream(StreamType.Exception, (b, e) => parseExceptionStream(b, e.rva));
  }

  /** The context at the time of the exception (the one to unwind for the faulting thread). */
  exceptionContext(): CpuContext | undefined {
    const e = this.exception();
    return e ? this.contextAt(e.threadContext) : undefined;
  }

  /** A native EXCEPTION_RECORD at `addr` in the process (ExceptionRecord chain), when that memory was captured. */
  nestedExceptionRecord(addr: bigint): ExceptionRecord | undefined {
    if (addr === 0n) return undefined;
    const size = nativeExceptionRecordSize(this.arch);
    const buf = this.memory.readExact(addr, size);
    return buf ? decodeNativeExceptionRecord(buf, this.arch) : undefined;
  }

  miscInfo(): MinidumpMiscInfo | undefined {
    // Asked for once per CONTEXT decoded and per `~` row: a hit makes no parse closure.
    const hit = this.streams.get(StreamType.MiscInfo);
    if (hit !== undefined) return hit as MinidumpMiscInfo;
    return this.stream(StreamType.MiscInfo, (b, e) => parseMiscInfo(b, e.rva, this.ctx));
  }

  handles(): MinidumpHandle[] {
    return this.cached('handles', () => this.stream(StreamType.HandleData, (b, e) => parseHandleData(b, e.rva, this.ctx)) ?? []);
  }

  threadInfo(): MinidumpThreadInfo[] {
    return this.cached('threadInfo', () => this.stream(StreamType.ThreadInfoList, (b, e) => parseThreadInfoList(b, e.rva, this.ctx)) ?? []);
  }

  /** Thread id → name from ThreadNamesStream (SetThreadDescription). */
  threadNames(): Map<number, string> {
    return this.cached('threadNames', () => this.stream(StreamType.ThreadNames, (b, e) => parseThreadNames(b, e.dataSize, e.rva, this.ctx)) ?? new Map<number, string>());
  }

  /** CommentStreamA (8-bit text up to the first NUL); all such streams joined by newlines. */
  commentA(): string | undefined {
    return this.cached('commentA', () => {
      const parts = this.streamEntries(StreamType.CommentA).map((e) => {
        const b = this.entryBytes(e, MAX_COMMENT_BYTES) ?? Buffer.alloc(0);
        const nul = b.indexOf(0);
        return b.toString('latin1', 0, nul < 0 ? b.length : nul);
      });
      return parts.length ? parts.join('\n') : undefined;
    });
  }

  /** CommentStreamW (UTF-16LE up to the first NUL); all such streams joined by newlines. */
  commentW(): string | undefined {
    return this.cached('commentW', () => {
      const parts = this.streamEntries(StreamType.CommentW).map((e) => {
        const b = this.entryBytes(e, MAX_COMMENT_BYTES) ?? Buffer.alloc(0);
        let end = 0;
        while (end + 1 < b.length && (b[end] !== 0 || b[end + 1] !== 0)) end += 2;
        return b.toString('utf16le', 0, end);
      });
      return parts.length ? parts.join('\n') : undefined;
    });
  }

  breakpadInfo(): BreakpadInfo | undefined {
    return this.stream(StreamType.BreakpadInfo, (b, e) => parseBreakpadInfo(b, e.rva));
  }

  assertionInfo(): AssertionInfo | undefined {
    return this.stream(StreamType.AssertionInfo, (b, e) => parseAssertionInfo(b, e.rva));
  }

  crashpadInfo(): CrashpadInfo | undefined {
    return this.stream(StreamType.CrashpadInfo, (b, e) => parseCrashpadInfo(b, e.rva, this.ctx));
  }

  /** FunctionTableStream descriptors (dynamic unwind tables), raw. */
  functionTables(): FunctionTableDescriptor[] {
    return this.cached('functionTables', () => this.stream(StreamType.FunctionTable, (b, e) => parseFunctionTables(b, e.rva, this.ctx)) ?? []);
  }

  /** Streams with no decoder here (unknown types, Linux /proc blobs, CE streams, reserved ones): listed, never fatal. */
  otherStreams(): OtherStream[] {
    return this.directory
      .filter((e) => e.streamType !== StreamType.Unused && !DECODED_STREAMS.has(e.streamType))
      .map((e) => ({ index: e.index, streamType: e.streamType, typeName: streamTypeName(e.streamType), dataSize: e.dataSize, rva: e.rva }));
  }

  close(): void {
    this.source.close();
  }
}
