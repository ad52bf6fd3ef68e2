import type { MinidumpFile } from '../formats/minidump/minidump-file.js';
import type { CpuContext, MinidumpModule, MinidumpThread } from '../formats/minidump/types.js';
import { moduleNames } from './modules.js';
import type { ModuleSymbols, ResolvedAddress } from './symbolize.js';

/** Loads a module's symbols (PDB, .sym, exports) on first use; set by the symbol layer's wiring. */
export type SymbolLoader = (module: MinidumpModule, name: string) => ModuleSymbols;

const NO_SYMBOLS: ModuleSymbols = { kind: 'none', lookup: () => undefined };

/**
 * Which register context commands see: the thread's own (as the dump stored
 * it), the exception context (.ecxr), or a context record read from memory (.cxr ADDR).
 */
export type Scope =
  | { kind: 'thread' }
  | { kind: 'exception' }
  | { kind: 'cxr'; address: bigint; context: CpuContext };

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
  scope: Scope = { kind: 'thread' };
  frameIndex = 0;
  /** Readers consulted for memory the dump does not hold (mapped images). */
  readonly imageReaders: ImageMemoryReader[] = [];
  symbolLoader: SymbolLoader | undefined;
  private names: string[] | undefined;
  private readonly symbolCache = new Map<number, ModuleSymbols>();

  constructor(dump: MinidumpFile, path: string, filePath = path) {
    this.dump = dump;
    this.path = path;
    this.filePath = filePath;
    this.eventThread = computeEventThread(dump);
    this.currentThread = this.eventThread;
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

  /** The symbols of a module, loaded on first use (never throws: a failed load gives no symbols). */
  moduleSymbols(m: MinidumpModule): ModuleSymbols {
    let s = this.symbolCache.get(m.index);
    if (!s) {
      try {
        s = this.symbolLoader ? this.symbolLoader(m, this.moduleName(m)) : NO_SYMBOLS;
      } catch {
        s = NO_SYMBOLS;
      }
      this.symbolCache.set(m.index, s);
    }
    return s;
  }

  /** The module's symbols if they were loaded already (for `lm`'s status column), else undefined (deferred). */
  loadedSymbols(m: MinidumpModule): ModuleSymbols | undefined {
    return this.symbolCache.get(m.index);
  }

  /** Forgets loaded symbols (.reload). */
  resetSymbols(index?: number): void {
    if (index === undefined) this.symbolCache.clear();
    else this.symbolCache.delete(index);
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
    const fromDump = this.dump.memory.read(addr, len);
    if (fromDump.length >= len || this.imageReaders.length === 0) return fromDump;
    const parts: Buffer[] = [fromDump];
    let have = fromDump.length;
    while (have < len) {
      const at = addr + BigInt(have);
      let chunk: Buffer = Buffer.alloc(0);
      for (const r of this.imageReaders) {
        chunk = r(at, len - have);
        if (chunk.length) break;
      }
      if (!chunk.length) {
        chunk = this.dump.memory.read(at, len - have);
        if (!chunk.length) break;
      }
      parts.push(chunk);
      have += chunk.length;
    }
    return Buffer.concat(parts);
  }

  readExact(addr: bigint, len: number): Buffer | undefined {
    const b = this.readMemory(addr, len);
    return b.length === len ? b : undefined;
  }

  readPointer(addr: bigint, size: number = this.pointerSize): bigint | undefined {
    const b = this.readExact(addr, size);
    if (!b) return undefined;
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
