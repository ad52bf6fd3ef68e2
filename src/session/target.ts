import type { MinidumpFile } from '../formats/minidump/minidump-file.js';
import type { CpuContext, MinidumpModule, MinidumpThread } from '../formats/minidump/types.js';
import { moduleNames } from './modules.js';
import type { ResolvedAddress } from './symbolize.js';
import type { ModuleSymbols } from '../symbols/module-symbols.js';
import { NO_SYMBOLS } from '../symbols/module-symbols.js';
import { loadModule } from './module-resolver.js';
import { formatAttempts } from '../symbols/store.js';
import type { IntakeResult } from './intake.js';
import type { ModuleLoadReport, ResolverPaths } from './module-resolver.js';


/**
 * Which register context commands see: the thread's own (as the dump stored
 * it), the exception context (.ecxr), or a context record read from memory (.cxr ADDR).
 */
export type Scope =
  | { kind: 'thread' }
  | { kind: 'exception' }
  | { kind: 'cxr'; address: bigint; context: CpuContext };

/** A zero-length answer for the image readers (nothing in it to modify, so one is shared). */
const NOTHING = Buffer.alloc(0);

/** Reads bytes that the dump does not hold, e.g. from a module image mapped from the image path. */
export type ImageMemoryReader = (addr: bigint, len: number) => Buffer;

/**
 * One open dump and the debugger's position in it: current thread, scope
 * (.ecxr/.cxr) and frame (.frame). Caches live here; parsing lives in formats/.
 */
export class Target {
  readonly dump: MinidumpFile;
  /** The path the user gave. */
  readonly path: string;
  /** The file actually read (differs from `path` for archives unpacked to the cache). */
  readonly filePath: string;
  currentThread: number;
  readonly eventThread: number;
  private scopeValue: Scope = { kind: 'thread' };
  frameIndex = 0;
  /**
   * Registers of the frame chosen by `.frame /c`: scopeContext() returns them
   * until the scope or the thread changes (~Ns, .ecxr, .cxr clear it).
   */
  frameContext: CpuContext | undefined;
  /** Readers consulted for memory the dump does not hold (mapped images). */
  readonly imageReaders: ImageMemoryReader[] = [];
  /** How the dump was obtained (archive unpacked to the cache), when not a bare file. */
  intake: IntakeResult | undefined;
  /** Symbol and image paths (the session's, read when a module is first loaded). */
  paths: () => ResolverPaths = () => ({ symbolPath: '', imagePath: '' });
  private names: string[] | undefined;
  private readonly reports = new Map<number, ModuleLoadReport>();
  private readonly pending = new Map<number, Promise<ModuleLoadReport>>();
  private readonly freshlyLoaded: ModuleLoadReport[] = [];
  /** stableSpan's answers (null: not one source, read the parts), until images are forgotten. */
  private readonly spans = new Map<string, Buffer | null>();

  constructor(dump: MinidumpFile, path: string, filePath = path) {
    this.dump = dump;
    this.path = path;
    this.filePath = filePath;
    this.eventThread = computeEventThread(dump);
    this.currentThread = this.eventThread;
    // Mapped image files fill in what a mini dump lacks (code, .pdata, .rdata).
    this.imageReaders.push((addr, len) => this.readFromImageFile(addr, len));
  }

  get scope(): Scope {
    return this.scopeValue;
  }

  set scope(s: Scope) {
    this.scopeValue = s;
    this.frameContext = undefined;
  }

  private readFromImageFile(addr: bigint, len: number): Buffer {
    const m = this.dump.moduleAt(addr);
    if (!m) return NOTHING;
    const img = this.reports.get(m.index)?.image;
    if (!img || img.origin !== 'file') return NOTHING;
    const rva = Number(addr - m.baseOfImage);
    const room = m.sizeOfImage - rva;
    return room > 0 ? img.image.readRva(rva, Math.min(len, room)) : Buffer.alloc(0);
  }

  /**
   * Loads a module's image and symbols once (searching the image and symbol
   * paths, possibly downloading). Concurrent callers share one load.
   */
  async ensureModule(m: MinidumpModule): Promise<ModuleLoadReport> {
    const done = this.reports.get(m.index);
    if (done) return done;
    let p = this.pending.get(m.index);
    if (!p) {
      p = loadModule(m, (a, n) => this.dump.memory.read(a, n), this.paths()).catch((e: unknown) => ({
        symbols: NO_SYMBOLS,
        symbolMessage: `symbol load failed: ${e instanceof Error ? e.message : String(e)}`,
        attempts: [],
        warnings: [],
      }));
      this.pending.set(m.index, p);
    }
    const r = await p;
    if (!this.reports.has(m.index)) this.freshlyLoaded.push(r);
    this.reports.set(m.index, r);
    this.pending.delete(m.index);
    return r;
  }

  /**
   * Lines about modules loaded since the last call: WinDbg prints symbol
   * warnings lazily, the first time a module's symbols are needed (with
   * `!sym noisy`, every place searched too).
   */
  /** Whether modules were loaded since the last drainLoadMessages (most commands load none). */
  hasLoadMessages(): boolean {
    return this.freshlyLoaded.length > 0;
  }

  drainLoadMessages(noisy: boolean): string[] {
    const out: string[] = [];
    for (const r of this.freshlyLoaded) {
      if (noisy) out.push(...formatAttempts(r.attempts));
      if (noisy && r.imageMessage) out.push(r.imageMessage);
      if (r.symbolMessage) out.push(`*** WARNING: ${r.symbolMessage}`);
      out.push(...r.warnings);
    }
    this.freshlyLoaded.length = 0;
    return out;
  }

  /** Loads the modules containing these addresses. */
  async ensureForAddresses(addrs: Iterable<bigint>): Promise<void> {
    const mods = new Map<number, MinidumpModule>();
    for (const a of addrs) {
      const m = this.dump.moduleAt(a);
      if (m && !this.reports.has(m.index)) mods.set(m.index, m);
    }
    for (const m of mods.values()) await this.ensureModule(m);
  }

  async ensureAllModules(): Promise<void> {
    for (const m of this.dump.modules()) await this.ensureModule(m);
  }

  /** What loading reported for a module (undefined while deferred). */
  loadReport(m: MinidumpModule): ModuleLoadReport | undefined {
    return this.reports.get(m.index);
  }

  get pointerSize(): 4 | 8 {
    return this.dump.arch === 'x86' || this.dump.arch === 'arm' ? 4 : 8;
  }

  threads(): MinidumpThread[] {
    return this.dump.threads();
  }

  thread(index = this.currentThread): MinidumpThread | undefined {
    return this.dump.threads()[index];
  }

  threadIndexByTid(tid: number): number | undefined {
    const i = this.dump.threads().findIndex((t) => t.threadId === tid);
    return i < 0 ? undefined : i;
  }

  /** The dump's process id, when MiscInfo has it. */
  get processId(): number | undefined {
    return this.dump.miscInfo()?.processId;
  }

  /** The stored context of a thread (for the exception thread the exception context is separate: see scope). */
  threadContext(index = this.currentThread): CpuContext | undefined {
    const t = this.thread(index);
    return t ? this.dump.threadContext(t) : undefined;
  }

  /** The register context commands use now: scope-aware (.ecxr / .cxr / thread). */
  scopeContext(): CpuContext | undefined {
    if (this.frameContext) return this.frameContext;
    switch (this.scope.kind) {
      case 'exception':
        return this.dump.exceptionContext();
      case 'cxr':
        return this.scope.context;
      case 'thread':
        return this.threadContext();
    }
  }

  modules(): MinidumpModule[] {
    return this.dump.modules();
  }

  /** WinDbg module names (`ntdll`, `crashlab`), index-aligned with modules(). */
  moduleNames(): string[] {
    return (this.names ??= moduleNames(this.dump.modules()));
  }

  moduleName(m: MinidumpModule): string {
    return this.moduleNames()[m.index] ?? m.moduleName;
  }

  /** Finds a module by WinDbg name or file name, case-insensitively. */
  findModule(name: string): MinidumpModule | undefined {
    const want = name.toLowerCase();
    const names = this.moduleNames();
    const i = names.findIndex((n) => n.toLowerCase() === want);
    if (i >= 0) return this.dump.modules()[i];
    return this.dump.modules().find((m) => m.moduleName.toLowerCase().split(/[\\/]/).pop() === want);
  }

  /** The symbols of a loaded module; NO_SYMBOLS while the module is deferred (call ensureModule first). */
  moduleSymbols(m: MinidumpModule): ModuleSymbols {
    return this.reports.get(m.index)?.symbols ?? NO_SYMBOLS;
  }

  /** The module's symbols if they were loaded already (for `lm`'s status column), else undefined (deferred). */
  loadedSymbols(m: MinidumpModule): ModuleSymbols | undefined {
    return this.reports.get(m.index)?.symbols;
  }

  /** Forgets loaded images and symbols (.reload). */
  resetSymbols(index?: number): void {
    this.spans.clear();
    const drop = (i: number) => {
      const r = this.reports.get(i);
      r?.symbols.pdb?.close();
      if (r?.image?.origin === 'file') r.image.image.close();
      this.reports.delete(i);
    };
    if (index === undefined) for (const i of [...this.reports.keys()]) drop(i);
    else drop(index);
  }

  /** Resolves an address to module, symbol and displacement for display. */
  symbolize(addr: bigint): ResolvedAddress {
    const m = this.dump.moduleAt(addr);
    if (!m) return { address: addr, displacement: addr };
    const rva = Number(addr - m.baseOfImage);
    const syms = this.moduleSymbols(m);
    const hit = syms.lookup(rva);
    const r: ResolvedAddress = { address: addr, module: m, moduleName: this.moduleName(m), displacement: BigInt(rva) };
    if (hit) {
      r.symbol = hit;
      r.displacement = BigInt(rva - hit.rva);
    }
    const line = syms.lineAt?.(rva);
    if (line) r.line = line;
    return r;
  }

  /** The source line at an address (what symbolize() puts in `line`), without the symbol lookup. */
  sourceLine(addr: bigint): ResolvedAddress['line'] {
    const m = this.dump.moduleAt(addr);
    return m ? this.moduleSymbols(m).lineAt?.(Number(addr - m.baseOfImage)) : undefined;
  }

  /** Switches the current thread, resetting scope and frame as WinDbg does for `~Ns`. */
  setThread(index: number): void {
    this.currentThread = index;
    this.scope = { kind: 'thread' };
    this.frameIndex = 0;
  }

  /**
   * Reads memory: the dump's captured memory first, then mapped images for
   * whatever the dump lacks (WinDbg does the same with the image path).
   * Returns the contiguous available prefix, possibly empty.
   */
  readMemory(addr: bigint, len: number): Buffer {
    if (len <= 0) return Buffer.alloc(0);
    return this.fillFromImages(addr, len, this.dump.memory.read(addr, len));
  }

  /**
   * readMemory for hot readers (the stack walker): the same bytes, but the dump's part is a
   * view into its held range where it can be (no copy per stack word). Never modify the result.
   */
  readMemoryView(addr: bigint, len: number): Buffer {
    if (len <= 0) return Buffer.alloc(0);
    const fromDump = this.dump.memory.viewRead(addr, len);
    return fromDump === undefined ? this.readMemory(addr, len) : this.fillFromImages(addr, len, fromDump);
  }

  /** readMemory's answer given the dump's contiguous bytes at addr: mapped images (then the dump again) continue them. */
  private fillFromImages(addr: bigint, len: number, fromDump: Buffer): Buffer {
    const readers = this.imageReaders;
    if (fromDump.length >= len || readers.length === 0) return fromDump;
    let parts: Buffer[] | undefined;
    let have = fromDump.length;
    while (have < len) {
      const at = have === 0 ? addr : addr + BigInt(have);
      let chunk: Buffer = NOTHING;
      for (let i = 0; i < readers.length && chunk.length === 0; i++) chunk = (readers[i] as ImageMemoryReader)(at, len - have);
      if (!chunk.length) {
        // Nothing of the dump at addr (have = 0) was read just above: no second look.
        if (have === 0) break;
        chunk = this.dump.memory.read(at, len - have);
        if (!chunk.length) break;
      }
      (parts ??= [fromDump]).push(chunk);
      have += chunk.length;
    }
    // Nothing found beyond the dump's bytes (the stack scanner's code probes in a mini dump): no copy.
    return parts === undefined ? fromDump : Buffer.concat(parts);
  }

  /**
   * readMemory(addr, len) for a span that is read piece by piece over and over (a mapped
   * image's exception directory, binary-searched for every frame of every walk), read
   * once and kept. Only when one source gives all of it, so that any part of the answer
   * is what readMemory gives for that part: one captured dump range covering it, or no
   * dump byte in it and one module image under it. Otherwise undefined: read the parts.
   */
  stableSpan(addr: bigint, len: number): Buffer | undefined {
    const key = `${addr}:${len}`;
    const known = this.spans.get(key);
    if (known !== undefined) return known ?? undefined;
    let bytes: Buffer | null = null;
    if (len > 0 && addr >= 0n) {
      const end = addr + BigInt(len);
      const mem = this.dump.memory;
      const range = mem.findRange(addr);
      const inOneRange = range !== undefined && range.start + BigInt(range.size) >= end;
      const noDumpBytes = range === undefined && (mem.nextRange(addr)?.start ?? end) >= end;
      const m = this.dump.moduleAt(addr);
      // Another module starting inside the span would answer for the bytes after its base.
      const oneImage = m !== undefined && end <= m.baseOfImage + BigInt(m.sizeOfImage) && !this.dump.modules().some((o) => o.baseOfImage > addr && o.baseOfImage < end);
      if (inOneRange || (noDumpBytes && oneImage)) bytes = this.readMemory(addr, len);
    }
    this.spans.set(key, bytes);
    return bytes ?? undefined;
  }

  readExact(addr: bigint, len: number): Buffer | undefined {
    const b = this.readMemory(addr, len);
    return b.length === len ? b : undefined;
  }

  readPointer(addr: bigint, size: number = this.pointerSize): bigint | undefined {
    // A pointer inside one captured range: read in place (readMemory would take the same bytes).
    if (size === 8 || size === 4) {
      const v = this.dump.memory.viewPointer(addr, size);
      if (v !== undefined) return v;
    }
    const b = this.readMemoryView(addr, size);
    if (b.length !== size) return undefined;
    return size === 8 ? b.readBigUInt64LE(0) : size === 4 ? BigInt(b.readUInt32LE(0)) : size === 2 ? BigInt(b.readUInt16LE(0)) : BigInt(b.readUInt8(0));
  }

}

/** The event thread: the exception stream's thread, or thread 0 when there is none (as cdb). */
export function computeEventThread(dump: MinidumpFile): number {
  const exc = dump.exception();
  if (!exc) return 0;
  const i = dump.threads().findIndex((t) => t.threadId === exc.threadId);
  return i < 0 ? 0 : i;
}
