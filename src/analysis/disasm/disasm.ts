import { createRequire } from 'node:module';
import type { CpuArch } from '../../formats/minidump/types.js';

/** One decoded instruction, formatted as WinDbg prints it. */
export interface Instruction {
  address: bigint;
  bytes: Buffer;
  length: number;
  mnemonic: string;
  operands: string;
  /** Direct branch/call target, if any. */
  target?: bigint;
  /** Memory operand's effective address when it can be computed without registers (RIP-relative, absolute). */
  isCall: boolean;
  isReturn: boolean;
  isBranch: boolean;
  invalid: boolean;
}

/** Resolves an address to `mod!sym+0x12` for branch targets and RIP-relative operands. */
export type SymbolFormatter = (addr: bigint) => string | undefined;

type Iced = typeof import('iced-x86');
let iced: Iced | undefined;

/** iced-x86 is loaded on first use only (start-up stays fast: it brings a WASM module). */
function loadIced(): Iced {
  if (!iced) {
    const require = createRequire(import.meta.url);
    iced = require('iced-x86') as Iced;
  }
  return iced;
}

export function canDisassemble(arch: CpuArch): boolean {
  return arch === 'x86' || arch === 'amd64';
}

/**
 * Decodes up to `count` instructions from `bytes` starting at `address`.
 * Formatting follows WinDbg: lower-case mnemonics, `qword ptr`, hex
 * immediates with an `h` suffix (leading 0 before a letter), no space after commas,
 * branch targets as `symbol (address)`.
 */
export function disassemble(arch: CpuArch, bytes: Buffer, address: bigint, count: number, symbolize?: SymbolFormatter, ptrFmt?: (a: bigint) => string): Instruction[] {
  if (!canDisassemble(arch)) return [];
  const I = loadIced();
  const bitness = arch === 'amd64' ? 64 : 32;
  const decoder = new I.Decoder(bitness, new Uint8Array(bytes), I.DecoderOptions.None);
  decoder.ip = address;
  const formatter = new I.Formatter(I.FormatterSyntax.Masm);
  formatter.uppercaseHex = true;
  formatter.hexSuffix = 'h';
  formatter.hexPrefix = '';
  formatter.addLeadingZeroToHexNumbers = true;
  formatter.spaceAfterOperandSeparator = false;
  formatter.memorySizeOptions = I.MemorySizeOptions.Always;
  formatter.showBranchSize = false;
  formatter.branchLeadingZeros = true;
  formatter.ripRelativeAddresses = false;
  const out: Instruction[] = [];
  try {
    while (out.length < count && decoder.canDecode) {
      const ins = decoder.decode();
      try {
        const len = ins.length;
        const ip = ins.ip;
        const start = Number(ip - address);
        const invalid = ins.code === I.Code.INVALID;
        const flow = ins.flowControl;
        const isCall = flow === I.FlowControl.Call || flow === I.FlowControl.IndirectCall;
        const isReturn = flow === I.FlowControl.Return;
        const isBranch = flow === I.FlowControl.UnconditionalBranch || flow === I.FlowControl.ConditionalBranch || flow === I.FlowControl.IndirectBranch;
        let target: bigint | undefined;
        if (flow === I.FlowControl.Call || flow === I.FlowControl.UnconditionalBranch || flow === I.FlowControl.ConditionalBranch) {
          if (ins.op0Kind === I.OpKind.NearBranch64 || ins.op0Kind === I.OpKind.NearBranch32 || ins.op0Kind === I.OpKind.NearBranch16) target = ins.nearBranchTarget;
        }
        const mnemonic = invalid ? '???' : formatter.formatMnemonic(ins).toLowerCase();
        let operands = invalid ? '' : formatter.formatAllOperands(ins);
        operands = lowerRegisters(operands);
        if (target !== undefined) {
          const a = ptrFmt ? ptrFmt(target) : target.toString(16);
          const sym = symbolize?.(target);
          operands = sym ? `${sym} (${a})` : a;
        } else if (!invalid && ins.isIPRelativeMemoryOperand) {
          const ea = ins.ipRelativeMemoryAddress;
          const a = ptrFmt ? ptrFmt(ea) : ea.toString(16);
          const sym = symbolize?.(ea);
          operands = operands.replace(/\[[0-9A-F]+h\]/i, `[${sym ? `${sym} (${a})` : a}]`);
        }
        const ibytes = bytes.subarray(start, start + len);
        const insn: Instruction = { address: ip, bytes: ibytes, length: len, mnemonic, operands, isCall, isReturn, isBranch, invalid };
        if (target !== undefined) insn.target = target;
        out.push(insn);
      } finally {
        ins.free();
      }
    }
  } finally {
    decoder.free();
    formatter.free();
  }
  return out;
}

/** iced prints registers lower-case already; keep hex immediates upper-case as WinDbg does (`0FFFFFFFFh`). */
function lowerRegisters(s: string): string {
  return s;
}

/** `00007fff`912bb796 488b08          mov     rcx,qword ptr [rax]` */
export function formatInstructionLine(ins: Instruction, addrText: string): string {
  const hex = ins.bytes.toString('hex');
  const mn = ins.operands ? ins.mnemonic.padEnd(7) + ' ' + ins.operands : ins.mnemonic;
  return `${addrText} ${hex.padEnd(15)} ${mn}`.trimEnd();
}
