import type { CpuContext, MinidumpModule } from '../formats/minidump/types.js';
import type { CfiRules } from '../formats/sym/types.js';
import { walkStack } from '../unwind/walk.js';
import type { CfiRows, StackFrame, UnwindEnvironment, UnwindModule, WalkOptions, WinFrameInfo } from '../unwind/types.js';
import type { Target } from './target.js';

export type { StackFrame };

function rulesText(r: CfiRules): string {
  return Object.entries(r).map(([k, v]) => `${k}: ${v}`).join(' ');
}

/** The unwinder's view of a target: dump memory then mapped images, loaded modules, frame data. */
export function unwindEnvironment(t: Target, stackBounds?: { low: bigint; high: bigint }): UnwindEnvironment {
  const dumpMemory = t.dump.memory;
  // Stack words come as views of the stack's range, read once (the walker and scanner read
  // them 8 bytes at a time); mapped images fill in what the dump lacks, as readMemory does.
  const read = (a: bigint, n: number): Buffer => t.readMemoryView(a, n);
  // One UnwindModule per module for this environment's life (a walk pass): scanning asks for
  // the module of every stack word. Modules load only between passes, never during a walk.
  const modules = new Map<number, UnwindModule>();
  const env: UnwindEnvironment = {
    arch: t.dump.arch,
    // The dump's bytes come first (images only fill what it lacks), so whatever the dump holds
    // whole can be answered from its held ranges directly.
    memory: { read, readPointer: (a, n) => dumpMemory.viewPointer(a, n), readView: (a, n) => dumpMemory.dataView(a, n) },
    moduleAt(addr) {
      const m = t.dump.moduleAt(addr);
      if (!m) return undefined;
      const known = modules.get(m.index);
      if (known !== undefined) return known;
      const um: UnwindModule = { base: m.baseOfImage, size: m.sizeOfImage, name: t.moduleName(m) };
      const img = t.loadReport(m)?.image?.image;
      if (img) {
        um.image = {
          readRva: (rva, len) => read(m.baseOfImage + BigInt(rva), len),
          readSpan: (rva, len) => t.stableSpan(m.baseOfImage + BigInt(rva), len),
          exceptionDirectory: () => img.exceptionDirectory(),
          isCodeRva: (rva) => {
            const s = img.sectionForRva(rva);
            // IMAGE_SCN_MEM_EXECUTE (0x20000000) or IMAGE_SCN_CNT_CODE (0x20)
            return s ? (s.characteristics & 0x20000020) !== 0 : false;
          },
        };
      }
      modules.set(m.index, um);
      return um;
    },
    x86FrameInfo(addr) {
      const m = t.dump.moduleAt(addr);
      if (!m) return undefined;
      return frameInfo(t, m, Number(addr - m.baseOfImage));
    },
    cfiRules(addr) {
      const m = t.dump.moduleAt(addr);
      const sym = m ? t.loadReport(m)?.symbols.sym : undefined;
      if (!m || !sym) return undefined;
      const at = sym.cfiAt(Number(addr - m.baseOfImage));
      if (!at || at.rows.length === 0) return undefined;
      const [init, ...deltas] = at.rows;
      return {
        start: m.baseOfImage + BigInt(at.rva),
        size: at.size,
        init: rulesText(init!.rules),
        deltas: deltas.map((d) => ({ address: m.baseOfImage + BigInt(d.rva), rules: rulesText(d.rules) })),
      } satisfies CfiRows;
    },
  };
  if (stackBounds) env.stackBounds = stackBounds;
  return env;
}

function frameInfo(t: Target, m: MinidumpModule, rva: number): WinFrameInfo | undefined {
  const syms = t.loadReport(m)?.symbols;
  if (!syms) return undefined;
  if (syms.pdb) {
    const fd = syms.pdb.frameData(rva);
    if (!fd) return undefined;
    const info: WinFrameInfo = {
      type: fd.frameType,
      start: m.baseOfImage + BigInt(fd.rvaStart),
      codeSize: fd.codeSize,
      prologSize: fd.prologSize,
      epilogSize: 0,
      parameterSize: fd.paramsSize,
      savedRegisterSize: fd.savedRegsSize,
      localSize: fd.localSize,
      maxStackSize: fd.maxStackSize ?? 0,
      hasProgramString: fd.programString !== undefined,
      allocatesBasePointer: fd.allocatesBasePointer,
    };
    if (fd.programString !== undefined) info.programString = fd.programString;
    return info;
  }
  if (syms.sym) {
    const w = syms.sym.stackWin(rva);
    if (!w) return undefined;
    const info: WinFrameInfo = {
      type: w.type,
      start: m.baseOfImage + BigInt(w.rva),
      codeSize: w.codeSize,
      prologSize: w.prologSize,
      epilogSize: w.epilogSize,
      parameterSize: w.paramSize,
      savedRegisterSize: w.savedRegsSize,
      localSize: w.localSize,
      maxStackSize: w.maxStackSize,
      hasProgramString: w.programString !== undefined,
      allocatesBasePointer: w.allocatesBasePointer,
    };
    if (w.programString !== undefined) info.programString = w.programString;
    return info;
  }
  return undefined;
}

/** The thread's stack range from its TEB (NT_TIB StackLimit/StackBase), when that memory is in the dump. */
export function stackBoundsOf(t: Target, threadIndex: number): { low: bigint; high: bigint } | undefined {
  const th = t.thread(threadIndex);
  if (!th || th.teb === 0n) return undefined;
  const p = t.pointerSize;
  const base = t.readPointer(th.teb + BigInt(p), p);
  const limit = t.readPointer(th.teb + BigInt(2 * p), p);
  if (base === undefined || limit === undefined || limit >= base) return undefined;
  return { low: limit, high: base };
}

/**
 * Walks a stack, loading the images and symbols of every module it passes
 * through (lazily, as WinDbg does), and walks again while that reveals
 * new unwind data. Bounded: at most four passes.
 */
export async function walkWithModules(t: Target, context: CpuContext, threadIndex: number, opts: WalkOptions = {}): Promise<StackFrame[]> {
  await t.ensureForAddresses([context.pc]);
  const bounds = stackBoundsOf(t, threadIndex);
  let frames: StackFrame[] = [];
  for (let pass = 0; pass < 4; pass++) {
    frames = walkStack(unwindEnvironment(t, bounds), context, opts);
    const missing: MinidumpModule[] = [];
    for (const f of frames) {
      const m = t.dump.moduleAt(f.pc);
      if (m !== undefined && t.loadReport(m) === undefined) missing.push(m);
    }
    if (missing.length === 0) break;
    for (const m of missing) await t.ensureModule(m);
  }
  return frames;
}
