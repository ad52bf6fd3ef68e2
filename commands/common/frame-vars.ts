import { frameVariables } from '../../src/analysis/locals.js';
import type { FrameSite, FrameVariables } from '../../src/analysis/locals.js';
import type { ValueMemory } from '../../src/analysis/typed-values.js';
import type { StackFrame } from '../../src/session/stack.js';
import type { Target } from '../../src/session/target.js';

/**
 * Glue between the session (target, walked frames) and the PDB variable
 * reader: which frame, which registers, which memory. Also the `kp`/`kP`
 * parameter text that commands/standard/k.ts asks for.
 */
export function targetMemory(t: Target): ValueMemory {
  return { pointerSize: t.pointerSize, read: (a, n) => t.readMemory(a, n) };
}

/** The variables of frame `index` of `frames`, when its module has a PDB with a procedure there. */
export function variablesOfFrame(t: Target, frames: StackFrame[], index: number): FrameVariables | undefined {
  const f = frames[index];
  if (!f) return undefined;
  const m = t.dump.moduleAt(f.pc);
  const pdb = m ? t.loadReport(m)?.symbols.pdb : undefined;
  if (!m || !pdb) return undefined;
  const site: FrameSite = {
    arch: f.context.arch,
    pdb,
    moduleBase: m.baseOfImage,
    pc: f.pc,
    // Inline rows and machine frames hold an exact pc; others a return address.
    frameNumber: index,
    regs: f.context.regs,
    mem: targetMemory(t),
  };
  if (index > 0 && f.isMachineFrame) site.frameNumber = 0;
  // x86 VFRAME: the return address sits just below the caller's stack pointer.
  const caller = frames[index + 1];
  if (f.context.arch === 'x86' && caller) site.returnAddressSlot = caller.sp - 4n;
  return frameVariables(site);
}

/** A parameter as kp shows it, plus why its value is missing (structured output). */
export interface FrameParameter { type: string; name: string; value: string; unavailable?: string }

/** The parameters of frame `index`; undefined without private symbols for it. */
export function frameParameters(t: Target, frames: StackFrame[], index: number): FrameParameter[] | undefined {
  const fv = variablesOfFrame(t, frames, index);
  if (!fv) return undefined;
  return fv.variables.filter((v) => v.isParam).map((v) => ({ type: v.typeName, name: v.name, value: v.value, ...(v.unavailable ? { unavailable: v.unavailable } : {}) }));
}

/** `type name = value` of each parameter, as kp prints them; undefined without private symbols. */
export function parameterTexts(t: Target, frames: StackFrame[], index: number): string[] | undefined {
  return frameParameters(t, frames, index)?.map((p) => `${p.type} ${p.name} = ${p.value}`);
}

/**
 * Adds parameters to the call sites of `kp` (one line) and `kP` (one
 * parameter per line, tab-indented, as WinDbg prints them): the text goes
 * between the function name and `+0x...`. Rows without private symbols are
 * left as they are. kP rows contain newlines: split them when rendering.
 */
export function addFrameParameters(t: Target, frames: StackFrame[], rows: Array<{ callSite: string; symbol?: string; module?: string; parameters?: FrameParameter[] }>, variant: string): void {
  if (variant !== 'p' && variant !== 'P') return;
  rows.forEach((row, i) => {
    if (!row.symbol || !row.module) return;
    const found = frameParameters(t, frames, i);
    if (!found) return;
    row.parameters = found;
    const params = found.map((p) => `${p.type} ${p.name} = ${p.value}`);
    const head = `${row.module}!${row.symbol}`;
    if (!row.callSite.startsWith(head)) return;
    const rest = row.callSite.slice(head.length);
    let list: string;
    if (params.length === 0) list = '(void)';
    else if (variant === 'p') list = `(${params.join(', ')})`;
    else list = `(\n${params.map((p, k) => `\t\t\t${p}${k < params.length - 1 ? ', ' : ''}`).join('\n')})`;
    row.callSite = head + list + rest;
  });
}
