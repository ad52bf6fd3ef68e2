/**
 * What `!analyze` needs to know about a dump, as plain data plus a memory
 * reader. The command layer adapts the session's Target to this interface
 * (walking every thread's stack and loading symbols first), so the analysis
 * itself is a set of pure functions that tests can feed synthetic inputs.
 */
import type { CpuArch, ExceptionRecord } from '../../formats/minidump/types.js';

/** One frame of a walked stack, symbolized. */
export interface AnalysisFrame {
  index: number;
  /** Instruction pointer (frame 0) or return address (callers). */
  pc: bigint;
  /** The frame's stack pointer (for callers: the stack pointer after the callee returned). */
  sp: bigint;
  /** Frame pointer register when known, else 0n. */
  fp: bigint;
  /** WinDbg module name (`crashlab`, `ntdll`), when pc is inside a module. */
  module?: string;
  /** Function name without module (`parse_request`), when symbols name it. */
  symbol?: string;
  /** Start address of that function, when known. */
  symbolStart?: bigint;
  /** From the function start when `symbol` is set, else from the module base. */
  displacement: bigint;
  /** Source line of the frame (the call for callers). */
  source?: { file: string; line: number };
  /** How the unwinder found the frame (`context`, `unwind-info`, `scan`, ...). */
  trust: string;
  /** Registers known valid in this frame (nonvolatiles recovered by unwinding). */
  regs: Record<string, bigint>;
}

export interface AnalysisModule {
  /** WinDbg module name (`crashlab`). */
  name: string;
  /** Image file name (`crashlab.exe`). */
  imageName: string;
  /** Path as the dump stores it. */
  path: string;
  base: bigint;
  size: number;
  timeDateStamp: number;
  /** `a.b.c.d` from the module's VS_FIXEDFILEINFO, when the dump has one. */
  fileVersion?: string;
  /** What kind of symbols were found: 'pdb', 'sym', 'export', 'none'. */
  symbolKind?: string;
}

export interface AnalysisThread {
  /** Debugger thread number (position in the thread list). */
  index: number;
  threadId: number;
  suspendCount: number;
  /** Frames of the thread (for the faulting thread: of the exception context); undefined when the thread has no context. */
  frames: AnalysisFrame[] | undefined;
  /** Why there are no frames (no context, unreadable stack). */
  noFramesReason?: string;
}

/** One entry of the dump's handle stream. */
export interface AnalysisHandle {
  handle: bigint;
  typeName: string;
  objectName: string;
}

export interface AnalysisTarget {
  arch: CpuArch;
  pointerSize: 4 | 8;
  /** Reads process memory (dump first, then mapped images): the readable prefix, possibly empty. */
  read(addr: bigint, len: number): Buffer;
  modules: AnalysisModule[];
  threads: AnalysisThread[];
  /** The dump's stored exception, with the index of its thread (-1 when the thread is not in the list). */
  exception?: {
    threadId: number;
    threadIndex: number;
    record: ExceptionRecord;
    /** The exception context's stack when its thread is not in the thread list (threadIndex -1). */
    thread?: AnalysisThread;
  };
  /** Entries of the handle stream; undefined when the dump has none. */
  handles?: AnalysisHandle[];
  /** Image name of the main executable (`crashlab.exe`), when known. */
  processName?: string;
  /** Nearest symbol `mod!fn+0x12` / `mod+0x1234` for an address; undefined outside modules. */
  symbolize(addr: bigint): string | undefined;
  /** The captured memory ranges of the dump (used to say what a mini dump lacks). */
  isCaptured?(addr: bigint, len: number): boolean;
  /** The MemoryInfoList region holding an address, when the dump has that stream. */
  regionAt?(addr: bigint): MemoryRegion | undefined;
  /** SystemInfo PlatformId (2 = Windows NT; Breakpad: 0x8101 macOS, 0x8201 Linux, …), when known. */
  platformId?: number;
}

/** One MINIDUMP_MEMORY_INFO region (protection and state constants as in winnt.h). */
export interface MemoryRegion {
  base: bigint;
  size: bigint;
  /** MEM_COMMIT 0x1000, MEM_RESERVE 0x2000, MEM_FREE 0x10000. */
  state: number;
  /** PAGE_* flags; PAGE_GUARD is 0x100. */
  protect: number;
  /** MEM_PRIVATE 0x20000, MEM_MAPPED 0x40000, MEM_IMAGE 0x1000000. */
  type: number;
}

/** Finds the module containing an address. */
export function moduleAt(t: AnalysisTarget, addr: bigint): AnalysisModule | undefined {
  return t.modules.find((m) => addr >= m.base && addr < m.base + BigInt(m.size));
}

/** Reads exactly `len` bytes or undefined. */
export function readExact(t: AnalysisTarget, addr: bigint, len: number): Buffer | undefined {
  if (addr < 0n) return undefined;
  const b = t.read(addr, len);
  return b.length >= len ? b.subarray(0, len) : undefined;
}

/**
 * Reads data that changes at run time (globals, heap, stack) only from the
 * dump itself: a mapped image file holds a global's initial value, not the
 * value the process had.
 */
export function readRuntime(t: AnalysisTarget, addr: bigint, len: number): Buffer | undefined {
  if (t.isCaptured && !t.isCaptured(addr, len)) return undefined;
  return readExact(t, addr, len);
}

export function readU32(t: AnalysisTarget, addr: bigint): number | undefined {
  return readExact(t, addr, 4)?.readUInt32LE(0);
}

export function readI32(t: AnalysisTarget, addr: bigint): number | undefined {
  return readExact(t, addr, 4)?.readInt32LE(0);
}

export function readPtr(t: AnalysisTarget, addr: bigint, size: number = t.pointerSize): bigint | undefined {
  const b = readExact(t, addr, size);
  if (!b) return undefined;
  return size === 8 ? b.readBigUInt64LE(0) : BigInt(b.readUInt32LE(0));
}

/** A NUL-terminated 8-bit string (at most `max` bytes); undefined when unreadable or unterminated. */
export function readCString(t: AnalysisTarget, addr: bigint, max = 1024): string | undefined {
  if (addr === 0n) return undefined;
  let out = '';
  let at = addr;
  while (out.length < max) {
    // Read in small chunks: the string may end just before unreadable memory.
    const chunk = t.read(at, Math.min(64, max - out.length));
    if (chunk.length === 0) return undefined;
    const nul = chunk.indexOf(0);
    if (nul >= 0) return out + chunk.subarray(0, nul).toString('latin1');
    out += chunk.toString('latin1');
    at += BigInt(chunk.length);
  }
  return undefined;
}

/** `mod!fn` of a frame (no offset), or its call-site text without module symbols. */
export function frameFunction(f: AnalysisFrame): string | undefined {
  if (!f.module) return undefined;
  return f.symbol ? `${f.module}!${f.symbol}` : undefined;
}

/** `mod!fn+0x12` / `mod+0x1234` / `0x…` as WinDbg prints a call site. */
export function frameText(f: AnalysisFrame): string {
  if (f.module && f.symbol) return f.displacement === 0n ? `${f.module}!${f.symbol}` : `${f.module}!${f.symbol}+0x${f.displacement.toString(16)}`;
  if (f.module) return `${f.module}+0x${f.displacement.toString(16)}`;
  return `0x${f.pc.toString(16)}`;
}
