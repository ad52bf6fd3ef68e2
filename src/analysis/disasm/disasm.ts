import { createRequire } from 'node:module';
import type { CpuArch } from '../../formats/minidump/types.js';
import { finishInstruction, invalidInstruction, masmNumber, MAX_INSTRUCTION_LENGTH } from './format.js';
import type { Instruction, RawInstruction, SymbolFormatter } from './format.js';
import { quickDecode } from './quick.js';

export type { Instruction, SymbolFormatter } from './format.js';
export { formatInstructionLine, MAX_INSTRUCTION_LENGTH } from './format.js';

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
 * A reusable decoder+formatter for one architecture and symbol resolver.
 * Call `free()` when done (iced objects live in WASM memory).
 */
export interface Disassembler {
  /** Decodes the instruction at the start of `bytes` (which sit at `address`); undefined when `bytes` is empty. */
  decode(bytes: Buffer, address: bigint): Instruction | undefined;
  free(): void;
}

/**
 * Formatting follows WinDbg: lower-case mnemonics, `qword ptr`, upper-case
 * hex immediates with an `h` suffix (leading 0 before a letter), no space
 * after commas, branch targets as `symbol (address)`, RIP-relative and
 * absolute memory operands as `[symbol (address)]` when a symbol is known.
 */
export function createDisassembler(arch: CpuArch, symbolize?: SymbolFormatter, ptrFmt?: (a: bigint) => string): Disassembler | undefined {
  if (!canDisassemble(arch)) return undefined;
  const I = loadIced();
  const bitness = arch === 'amd64' ? 64 : 32;
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
  const fmtAddr = (a: bigint) => (ptrFmt ? ptrFmt(a) : a.toString(16));
  let freed = false;
  return {
    decode(bytes, address) {
      if (bytes.length === 0) return undefined;
      const decoder = new I.Decoder(bitness, new Uint8Array(bytes.subarray(0, MAX_INSTRUCTION_LENGTH)), I.DecoderOptions.None);
      decoder.ip = address;
      const ins = decoder.decode();
      try {
        const truncated = decoder.lastError === I.DecoderError.NoMoreBytes;
        if (ins.code === I.Code.INVALID) return invalidInstruction(bytes, address, truncated);
        const out = finishInstruction(rawInstruction(I, formatter, ins), bytes, address, bitness, symbolize, fmtAddr);
        if (!truncated) return out;
        return { ...out, bytes: bytes.subarray(0, Math.min(bytes.length, MAX_INSTRUCTION_LENGTH)), invalid: true, truncated: true };
      } finally {
        ins.free();
        decoder.free();
      }
    },
    free() {
      if (!freed) formatter.free();
      freed = true;
    },
  };
}

type IcedInstruction = InstanceType<Iced['Instruction']>;

/** What iced decoded and its MASM formatter printed, before WinDbg's touches (format.ts). */
function rawInstruction(I: Iced, formatter: InstanceType<Iced['Formatter']>, ins: IcedInstruction): RawInstruction {
  const flow = ins.flowControl;
  const isConditional = flow === I.FlowControl.ConditionalBranch;
  let target: bigint | undefined;
  if (flow === I.FlowControl.Call || flow === I.FlowControl.UnconditionalBranch || isConditional) {
    const k = ins.op0Kind;
    if (k === I.OpKind.NearBranch64 || k === I.OpKind.NearBranch32 || k === I.OpKind.NearBranch16) target = ins.nearBranchTarget;
  }
  let operands = formatter.formatAllOperands(ins);
  // iced-x86 1.21's formatter prints only the low 32 bits of `mov r64,imm64` (48b80000000001000000 came out as `mov rax,0`).
  if (ins.opCount === 2 && ins.op1Kind === I.OpKind.Immediate64) operands = `${operands.slice(0, operands.indexOf(',') + 1)}${masmNumber(ins.immediate64)}`;
  const imm32: bigint[] = [];
  for (let i = 0; i < ins.opCount; i++) if (ins.opKind(i) === I.OpKind.Immediate32) imm32.push(ins.immediate(i));
  const raw: RawInstruction = {
    length: ins.length,
    mnemonic: formatter.formatMnemonic(ins),
    operands,
    isCall: flow === I.FlowControl.Call || flow === I.FlowControl.IndirectCall,
    isReturn: flow === I.FlowControl.Return,
    isBranch: flow === I.FlowControl.UnconditionalBranch || isConditional || flow === I.FlowControl.IndirectBranch,
    isConditional,
    endsFlow: flow === I.FlowControl.Return || flow === I.FlowControl.UnconditionalBranch || flow === I.FlowControl.IndirectBranch,
    imm32,
  };
  if (target !== undefined) raw.target = target;
  if (ins.segmentPrefix !== I.Register.None) {
    const seg = ['es', 'cs', 'ss', 'ds', 'fs', 'gs'][ins.segmentPrefix - I.Register.ES];
    if (seg) raw.segmentPrefix = seg;
  }
  if (ins.isIpRelMemoryOperand) raw.ipRelAddress = ins.ipRelMemoryAddress;
  else if (hasAbsoluteMemory(I, ins)) raw.absoluteAddress = ins.memoryDisplacementU64;
  return raw;
}

/** A memory operand that is a bare displacement (no base, no index, not RIP-relative). */
function hasAbsoluteMemory(I: Iced, ins: IcedInstruction): boolean {
  for (let i = 0; i < ins.opCount; i++) {
    if (ins.opKind(i) === I.OpKind.Memory) return ins.memoryBase === I.Register.None && ins.memoryIndex === I.Register.None;
  }
  return false;
}

/**
 * Decodes up to `count` instructions from `bytes` starting at `address`
 * (stops at the end of the bytes; a truncated last instruction is dropped).
 * Each instruction the quick decoder (quick.ts) is certain of skips iced-x86,
 * which is loaded only for the first one it declines.
 */
export function disassemble(arch: CpuArch, bytes: Buffer, address: bigint, count: number, symbolize?: SymbolFormatter, ptrFmt?: (a: bigint) => string): Instruction[] {
  if (!canDisassemble(arch)) return [];
  let d: Disassembler | undefined;
  const out: Instruction[] = [];
  try {
    let off = 0;
    while (out.length < count && off < bytes.length) {
      const rest = bytes.subarray(off);
      const at = address + BigInt(off);
      const ins = quickDecode(arch, rest, at, symbolize, ptrFmt) ?? (d ??= createDisassembler(arch, symbolize, ptrFmt)!).decode(rest, at);
      if (!ins || ins.truncated) break;
      out.push(ins);
      off += ins.length;
    }
  } finally {
    d?.free();
  }
  return out;
}

/**
 * The instruction at the start of `bytes` (which sit at `address`), exactly as
 * `createDisassembler(arch, symbolize, ptrFmt).decode(bytes, address)` returns it,
 * invalid and truncated ones included; undefined for empty bytes or an
 * architecture without a decoder. The common case never loads iced-x86, which
 * keeps the open-dump banner, `r` and `.ecxr` off its start-up cost.
 */
export function decodeOne(arch: CpuArch, bytes: Buffer, address: bigint, symbolize?: SymbolFormatter, ptrFmt?: (a: bigint) => string): Instruction | undefined {
  if (!canDisassemble(arch) || bytes.length === 0) return undefined;
  const quick = quickDecode(arch, bytes, address, symbolize, ptrFmt);
  if (quick) return quick;
  const d = createDisassembler(arch, symbolize, ptrFmt)!;
  try {
    return d.decode(bytes, address);
  } finally {
    d.free();
  }
}
