import type { CpuContext } from '../../src/formats/minidump/types.js';
import { hexN } from '../../src/results/hex.js';

/** Register names in WinDbg's `r` order per architecture. */
export const AMD64_GPRS = ['rax', 'rbx', 'rcx', 'rdx', 'rsi', 'rdi', 'rip', 'rsp', 'rbp', 'r8', 'r9', 'r10', 'r11', 'r12', 'r13', 'r14', 'r15'] as const;
export const X86_GPRS = ['eax', 'ebx', 'ecx', 'edx', 'esi', 'edi', 'eip', 'esp', 'ebp'] as const;

const get = (c: CpuContext, n: string): bigint => c.regs[n] ?? 0n;

/**
 * `iopl=0         nv up ei pl zr na po nc`. Flag words in WinDbg order: OF DF IF SF ZF AF PF CF.
 * Parity: x86 shows pe when PF is set. On x64 cdb up to 10.0.26100 prints parity inverted
 * (efl=...246 with PF set shows `po`, MicrosoftDocs/windows-driver-docs#3293); newer builds
 * print it correctly. We print the architectural truth on both: pe = PF set.
 */
export function flagsText(efl: number): string {
  const bit = (n: number) => (efl >> n) & 1;
  const iopl = (efl >> 12) & 3;
  const words = [bit(11) ? 'ov' : 'nv', bit(10) ? 'dn' : 'up', bit(9) ? 'ei' : 'di', bit(7) ? 'ng' : 'pl', bit(6) ? 'zr' : 'nz', bit(4) ? 'ac' : 'na', bit(2) ? 'pe' : 'po', bit(0) ? 'cy' : 'nc'];
  return `iopl=${iopl}         ${words.join(' ')}`;
}

function segLine(c: CpuContext): string {
  const seg = (n: string) => `${n}=${hexN(get(c, n), 4)}`;
  return `${seg('cs')}  ${seg('ss')}  ${seg('ds')}  ${seg('es')}  ${seg('fs')}  ${seg('gs')}             efl=${hexN(get(c, 'efl'), 8)}`;
}

/** The full register block of `r` / `.ecxr` (without the symbol and disassembly lines). */
export function registerBlock(c: CpuContext): string[] {
  if (c.arch === 'amd64') {
    const r = (n: string) => `${n.padStart(3)}=${hexN(get(c, n), 16)}`;
    const rows = [
      ['rax', 'rbx', 'rcx'],
      ['rdx', 'rsi', 'rdi'],
      ['rip', 'rsp', 'rbp'],
      ['r8', 'r9', 'r10'],
      ['r11', 'r12', 'r13'],
      ['r14', 'r15'],
    ];
    return [...rows.map((row) => row.map(r).join(' ')), flagsText(Number(get(c, 'efl'))), segLine(c)];
  }
  if (c.arch === 'x86') {
    const r = (n: string) => `${n}=${hexN(get(c, n), 8)}`;
    return [['eax', 'ebx', 'ecx', 'edx', 'esi', 'edi'].map(r).join(' '), `${['eip', 'esp', 'ebp'].map(r).join(' ')} ${flagsText(Number(get(c, 'efl')))}`, segLine(c)];
  }
  if (c.arch === 'arm64') {
    const lines: string[] = [];
    const names = [...Array.from({ length: 29 }, (_, i) => `x${i}`), 'fp', 'lr', 'sp', 'pc'];
    const r = (n: string) => `${n.padStart(3)}=${hexN(get(c, n), 16)}`;
    for (let i = 0; i < names.length; i += 3) lines.push(names.slice(i, i + 3).map(r).join(' '));
    const cpsr = Number(get(c, 'cpsr'));
    const f = (b: number, ch: string) => ((cpsr >>> b) & 1 ? ch.toUpperCase() : ch);
    lines.push(`cpsr=${hexN(cpsr, 8)}  ${f(31, 'n')}${f(30, 'z')}${f(29, 'c')}${f(28, 'v')}`);
    return lines;
  }
  return Object.entries(c.regs).map(([k, v]) => `${k}=${v.toString(16)}`);
}

/** Sub-registers WinDbg accepts on x64 (`r eax` → low 32 bits). */
const SUBREGS: Record<string, [string, bigint, number]> = {
  eax: ['rax', 0xffffffffn, 0], ebx: ['rbx', 0xffffffffn, 0], ecx: ['rcx', 0xffffffffn, 0], edx: ['rdx', 0xffffffffn, 0],
  esi: ['rsi', 0xffffffffn, 0], edi: ['rdi', 0xffffffffn, 0], esp: ['rsp', 0xffffffffn, 0], ebp: ['rbp', 0xffffffffn, 0], eip: ['rip', 0xffffffffn, 0],
  ax: ['rax', 0xffffn, 0], bx: ['rbx', 0xffffn, 0], cx: ['rcx', 0xffffn, 0], dx: ['rdx', 0xffffn, 0],
  al: ['rax', 0xffn, 0], bl: ['rbx', 0xffn, 0], cl: ['rcx', 0xffn, 0], dl: ['rdx', 0xffn, 0],
  ah: ['rax', 0xffn, 8], bh: ['rbx', 0xffn, 8], ch: ['rcx', 0xffn, 8], dh: ['rdx', 0xffn, 8],
  r8d: ['r8', 0xffffffffn, 0], r9d: ['r9', 0xffffffffn, 0], r10d: ['r10', 0xffffffffn, 0], r11d: ['r11', 0xffffffffn, 0],
  r12d: ['r12', 0xffffffffn, 0], r13d: ['r13', 0xffffffffn, 0], r14d: ['r14', 0xffffffffn, 0], r15d: ['r15', 0xffffffffn, 0],
};

/** Reads one register by WinDbg name (incl. x64 sub-registers and `efl`/`eflags`); undefined if unknown. */
export function registerValue(c: CpuContext, name: string): { value: bigint; width: number } | undefined {
  const n = name.toLowerCase().replace(/^@/, '');
  const alias = n === 'eflags' ? 'efl' : n;
  if (alias in c.regs) {
    const width = c.arch === 'x86' ? 8 : ['cs', 'ss', 'ds', 'es', 'fs', 'gs'].includes(alias) ? 4 : alias === 'efl' || alias === 'mxcsr' || alias === 'cpsr' ? 8 : 16;
    return { value: c.regs[alias]!, width };
  }
  if (c.arch === 'amd64' && SUBREGS[alias]) {
    const [full, mask, shift] = SUBREGS[alias]!;
    return { value: (get(c, full) >> BigInt(shift)) & mask, width: 0 };
  }
  if (c.arch === 'x86') {
    const x86sub: Record<string, [string, bigint, number]> = { ax: ['eax', 0xffffn, 0], bx: ['ebx', 0xffffn, 0], cx: ['ecx', 0xffffn, 0], dx: ['edx', 0xffffn, 0], al: ['eax', 0xffn, 0], ah: ['eax', 0xffn, 8], bl: ['ebx', 0xffn, 0], cl: ['ecx', 0xffn, 0], dl: ['edx', 0xffn, 0] };
    const s = x86sub[alias];
    if (s) return { value: (get(c, s[0]) >> BigInt(s[2])) & s[1], width: 0 };
  }
  return undefined;
}
