/**
 * Public shapes of the stack walker. The walker depends only on these
 * interfaces: the session layer adapts the parsed dump, PE images and symbol
 * files to them, so the unwinder can be tested with synthetic stacks.
 */
import type { CpuArch, CpuContext } from '../formats/minidump/types.js';

/**
 * How a frame was found, best first (rust-minidump / Breakpad `FrameTrust`):
 * `context` the thread's context record; `prewalked` supplied by the dump
 * writer; `unwind-info` PE .pdata/.xdata (RtlVirtualUnwind); `cfi` Breakpad
 * STACK CFI or STACK WIN / FPO / FrameData; `frame-pointer` rbp/ebp/x29 chain;
 * `cfi-scan` CFI/STACK WIN followed by a short scan; `scan` stack scanning
 * (may be spurious); `prewalked` the return address comes from a list the
 * dump carries (the CET shadow stack), located on the stack; `none` unknown.
 */
export type FrameTrust = 'context' | 'cfi' | 'unwind-info' | 'frame-pointer' | 'cfi-scan' | 'scan' | 'prewalked' | 'none';

export interface StackFrame {
  /** 0 for the context frame. */
  index: number;
  /** The instruction pointer for frame 0, the return address as found on the stack for callers. */
  pc: bigint;
  /** Stack pointer of this frame (the caller's stack pointer after the callee returned). */
  sp: bigint;
  /** Frame pointer register (rbp / ebp / x29) when known, else 0n. */
  fp: bigint;
  trust: FrameTrust;
  /** Recovered registers of this frame; `regs` holds only the registers known valid. */
  context: CpuContext;
  /** The frame was reached through a machine frame (trap frame, exception dispatcher). */
  isMachineFrame?: boolean;
  /** Why the walk stopped after this frame, or anything notable about it. */
  note?: string;
}

/** Reads the process address space. Returns the readable prefix of [addr, addr+len), possibly empty. */
export interface UnwindMemory {
  read(addr: bigint, len: number): Buffer;
  /**
   * Optional fast path for one little-endian word: the value read() would give, or
   * undefined when this path cannot tell (read() is asked then). Saves a Buffer per stack word.
   */
  readPointer?(addr: bigint, size: 4 | 8): bigint | undefined;
  /**
   * Optional fast path for a span read word by word (stack scanning): all `len` bytes at addr
   * as `data` from byte `offset` on, exactly what read() would give, or undefined when this
   * path cannot give all of them (read() is asked then). Saves a Buffer per scan.
   */
  readView?(addr: bigint, len: number): { data: DataView; offset: number } | undefined;
}

/** A loaded PE image, addressed by RVA (mapped layout). */
export interface UnwindImage {
  /** Readable prefix of [rva, rva+len), possibly empty. */
  readRva(rva: number, len: number): Buffer;
  /**
   * Optional: readRva for a span read many times (the exception directory), from a copy the
   * environment keeps; any part of it is what readRva gives for that part. Undefined when the
   * environment cannot keep one (then the entries are read one by one).
   */
  readSpan?(rva: number, len: number): Buffer | undefined;
  /** Data directory 3 (IMAGE_DIRECTORY_ENTRY_EXCEPTION), when present. */
  exceptionDirectory(): { rva: number; size: number } | undefined;
  /** Optional: true when the RVA lies in an executable section (used to vet scanned return addresses). */
  isCodeRva?(rva: number): boolean;
}

export interface UnwindModule {
  base: bigint;
  size: number;
  name: string;
  image?: UnwindImage;
}

/**
 * Breakpad `STACK WIN` record (also built from PDB FPO_DATA / FRAMEDATA).
 * `type`: 0 FPO, 1 trap, 2 TSS, 3 standard, 4 FrameData. Sizes in bytes.
 */
export interface WinFrameInfo {
  type: number;
  /** Function (or block) start address, absolute. */
  start?: bigint;
  codeSize?: number;
  prologSize: number;
  epilogSize: number;
  parameterSize: number;
  savedRegisterSize: number;
  localSize: number;
  maxStackSize: number;
  hasProgramString: boolean;
  programString?: string;
  /** FPO fUseBP: the function saved EBP (only meaningful without a program string). */
  allocatesBasePointer: boolean;
}

/**
 * Breakpad `STACK CFI` rows covering one address range. Addresses are
 * absolute. `init` and each delta are rule strings such as
 * `.cfa: $rsp 8 + .ra: .cfa 8 - ^`; a delta applies when its address <= pc.
 */
export interface CfiRows {
  start: bigint;
  size: number;
  init: string;
  deltas: { address: bigint; rules: string }[];
}

export interface UnwindEnvironment {
  arch: CpuArch;
  memory: UnwindMemory;
  moduleAt(addr: bigint): UnwindModule | undefined;
  /** x86: FPO / FrameData / STACK WIN record covering addr. */
  x86FrameInfo?(addr: bigint): WinFrameInfo | undefined;
  /** Breakpad STACK CFI rows covering addr. */
  cfiRules?(addr: bigint): CfiRows | undefined;
  /** The thread's stack memory range [low, high), when known. */
  stackBounds?: { low: bigint; high: bigint };
}

export interface WalkOptions {
  /** Default 256, hard cap 10000. */
  maxFrames?: number;
  /** Allow stack scanning (default true). */
  scan?: boolean;
}

/** A caller frame proposed by one strategy, before the walker's sanity checks. */
export interface CallerCandidate {
  /** A fresh object per candidate: the walker keeps the accepted one's as the frame's registers. */
  regs: Record<string, bigint>;
  pc: bigint;
  sp: bigint;
  trust: FrameTrust;
  vectors?: Record<string, Buffer>;
  isMachineFrame?: boolean;
  /** x86 STACK WIN: parameter size of the function just unwound (Breakpad's callee parameter size). */
  calleeParameterSize?: number;
  note?: string;
}

/** What a per-architecture strategy chain sees of the frame being unwound. */
export interface CalleeFrame {
  index: number;
  regs: Record<string, bigint>;
  vectors?: Record<string, Buffer>;
  pc: bigint;
  sp: bigint;
  trust: FrameTrust;
  /** x86: parameter size of the frame below this one (its callee), 0 for the context frame. */
  calleeParameterSize: number;
  /** The caller's return address according to the CET shadow stack, when the context carries one. */
  shadowReturn?: bigint;
}
