import { decodeOne, formatInstructionLine, canDisassemble } from '../../src/analysis/disasm/index.js';
import type { Instruction } from '../../src/analysis/disasm/index.js';
import type { CpuContext } from '../../src/formats/minidump/types.js';
import type { Target } from '../../src/session/target.js';
import { formatSymbolic } from '../../src/session/symbolize.js';
import { hexN, ptr } from '../../src/results/hex.js';
import { registerValue } from './registers.js';

/** Loads the modules (image + symbols) holding these addresses, so that display can name them. */
export async function prepareSymbols(t: Target, addrs: Iterable<bigint | undefined>): Promise<void> {
  await t.ensureForAddresses([...addrs].filter((a): a is bigint => a !== undefined));
}

/** `mod!sym+0x12` for an address, or undefined outside any module. */
export function symbolText(t: Target, addr: bigint): string | undefined {
  return formatSymbolic(t.symbolize(addr));
}

/**
 * Lines for "where is this address": `mod!sym+0x35:` then the instruction there, as cdb prints after `~Ns`, `.ecxr`, `r`.
 * With the register context (`r`, `.ecxr`), the instruction line ends with the effective-address note.
 */
export function locationLines(t: Target, addr: bigint, context?: CpuContext): string[] {
  const lines: string[] = [];
  const sym = symbolText(t, addr);
  if (sym) lines.push(`${sym}:`);
  lines.push(instructionLine(t, addr, context));
  return lines;
}

export function instructionLine(t: Target, addr: bigint, context?: CpuContext): string {
  const p = t.pointerSize;
  const bytes = t.readMemory(addr, 16);
  if (bytes.length === 0 || !canDisassemble(t.dump.arch)) {
    if (bytes.length >= 4 && t.dump.arch === 'arm64') return `${ptr(addr, p)} ${bytes.readUInt32LE(0).toString(16).padStart(8, '0')}`;
    return `${ptr(addr, p)} ??              ???`;
  }
  // The quick decoder answers for common instructions; iced-x86 loads only for the rest.
  const ins = decodeOne(t.dump.arch, bytes, addr, (a) => symbolText(t, a), (a) => ptr(a, p));
  if (!ins || ins.invalid) return `${ptr(addr, p)} ??              ???`;
  const line = formatInstructionLine(ins, ptr(addr, p));
  const note = context ? effectiveAddressNote(t, ins, context) : '';
  return note ? `${line} ${note}` : line;
}

const OPERAND_BYTES: Record<string, number> = { byte: 1, word: 2, dword: 4, qword: 8 };

/** Instructions whose memory operand is not read or written (lea, hinting nops) or that have two (string moves). */
const NO_NOTE = /^(lea|nop|prefetch|rep|repne|repe|movs|cmps|stos|lods|scas|ins|outs)/;

/**
 * WinDbg's effective-address note on the `r` disassembly line (windbg-commands.md §5.1):
 * x64 `ds:00000000`00000038=????????????????`, x86 with the selector `ds:002b:06700ff8=????????`,
 * `ss:` when the base register is the stack or frame pointer, the value at operand width,
 * a pointer-sized value that lands in a module as `{mod!sym (address)}`. Empty when the
 * operand is not a plain byte/word/dword/qword memory reference we can evaluate.
 */
export function effectiveAddressNote(t: Target, ins: Instruction, c: CpuContext): string {
  if (c.arch !== 'x86' && c.arch !== 'amd64') return '';
  if (NO_NOTE.test(ins.mnemonic)) return '';
  const m = /\b(byte|word|dword|qword) ptr (?:([c-gs]s):)?\[([^\]]+)\]/.exec(ins.operands);
  if (!m) return '';
  const size = OPERAND_BYTES[m[1]!]!;
  const explicitSeg = m[2];
  // fs:/gs: are based on the TEB, not on the selector value: no note rather than a wrong address.
  if (explicitSeg === 'fs' || explicitSeg === 'gs') return '';
  const inner = m[3]!;
  const mask = c.arch === 'x86' ? 0xffffffffn : 0xffffffffffffffffn;
  // A resolved absolute operand prints as `[mod!sym (00007ff6`3be11064)]`.
  const abs = /\(([0-9a-f`]+)\)$/i.exec(inner);
  let ea = 0n;
  let base: string | undefined;
  if (abs) ea = BigInt(`0x${abs[1]!.replace('`', '')}`);
  else {
    for (const term of inner.replace(/\s+/g, '').match(/[+-]?[^+-]+/g) ?? []) {
      const neg = term.startsWith('-');
      const body = term.replace(/^[+-]/, '');
      let v: bigint | undefined;
      const [reg, scale] = body.split('*');
      const r = reg ? registerValue(c, reg) : undefined;
      if (r && /^[a-z]/i.test(reg!)) {
        // rip-relative operands count from the next instruction.
        v = r.value * BigInt(scale ?? 1) + (reg!.toLowerCase() === 'rip' ? BigInt(ins.bytes.length) : 0n);
        if (!scale && base === undefined) base = reg!.toLowerCase();
      } else if (/^[0-9a-f]+h?$/i.test(body)) v = BigInt(`0x${body.replace(/h$/i, '')}`);
      if (v === undefined) return '';
      ea += neg ? -v : v;
    }
  }
  ea &= mask;
  const seg = explicitSeg ?? (base && /^[er]?(sp|bp)$/.test(base) ? 'ss' : 'ds');
  const where = c.arch === 'x86' ? `${seg}:${hexN(c.regs[seg] ?? 0n, 4)}:${hexN(ea, 8)}` : `${seg}:${ptr(ea, 8)}`;
  const bytes = t.readExact(ea, size);
  if (!bytes) return `${where}=${'?'.repeat(size * 2)}`;
  const value = size === 8 ? bytes.readBigUInt64LE(0) : BigInt(bytes.readUIntLE(0, size));
  const sym = size === t.pointerSize ? symbolText(t, value) : undefined;
  return sym ? `${where}={${sym} (${ptr(value, t.pointerSize)})}` : `${where}=${hexN(value, size * 2)}`;
}
