import { disassemble, formatInstructionLine, canDisassemble } from '../../src/analysis/disasm/index.js';
import type { Target } from '../../src/session/target.js';
import { formatSymbolic } from '../../src/session/symbolize.js';
import { ptr } from '../../src/results/hex.js';

/** Loads the modules (image + symbols) holding these addresses, so that display can name them. */
export async function prepareSymbols(t: Target, addrs: Iterable<bigint | undefined>): Promise<void> {
  await t.ensureForAddresses([...addrs].filter((a): a is bigint => a !== undefined));
}

/** `mod!sym+0x12` for an address, or undefined outside any module. */
export function symbolText(t: Target, addr: bigint): string | undefined {
  return formatSymbolic(t.symbolize(addr));
}

/** Lines for "where is this address": `mod!sym+0x35:` then the instruction there, as cdb prints after `~Ns`, `.ecxr`, `r`. */
export function locationLines(t: Target, addr: bigint): string[] {
  const lines: string[] = [];
  const sym = symbolText(t, addr);
  if (sym) lines.push(`${sym}:`);
  lines.push(instructionLine(t, addr));
  return lines;
}

export function instructionLine(t: Target, addr: bigint): string {
  const p = t.pointerSize;
  const bytes = t.readMemory(addr, 16);
  if (bytes.length === 0 || !canDisassemble(t.dump.arch)) {
    if (bytes.length >= 4 && t.dump.arch === 'arm64') return `${ptr(addr, p)} ${bytes.readUInt32LE(0).toString(16).padStart(8, '0')}`;
    return `${ptr(addr, p)} ??              ???`;
  }
  const [ins] = disassemble(t.dump.arch, bytes, addr, 1, (a) => symbolText(t, a), (a) => ptr(a, p));
  if (!ins || ins.invalid) return `${ptr(addr, p)} ??              ???`;
  return formatInstructionLine(ins, ptr(addr, p));
}
