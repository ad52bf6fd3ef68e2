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
  isCall: boolean;
  isReturn: boolean;
  /** Any jump (conditional, unconditional, indirect). */
  isBranch: boolean;
  /** Conditional jump (jcc, loop, jrcxz): execution may also fall through. */
  isConditional: boolean;
  /** Control never falls through to the next instruction (ret, jmp, int3-less ud2...). */
  endsFlow: boolean;
  invalid: boolean;
  /** The bytes ran out before the instruction ended (unreadable memory after it). */
  truncated: boolean;
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

/** The longest x86 instruction: decoding needs at most this many bytes. */
export const MAX_INSTRUCTION_LENGTH = 15;

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
        const invalid = ins.code === I.Code.INVALID;
        const len = invalid ? 1 : ins.length;
        const flow = ins.flowControl;
        const isCall = flow === I.FlowControl.Call || flow === I.FlowControl.IndirectCall;
        const isReturn = flow === I.FlowControl.Return;
        const isConditional = flow === I.FlowControl.ConditionalBranch;
        const isBranch = flow === I.FlowControl.UnconditionalBranch || isConditional || flow === I.FlowControl.IndirectBranch;
        const endsFlow = isReturn || flow === I.FlowControl.UnconditionalBranch || flow === I.FlowControl.IndirectBranch;
        let target: bigint | undefined;
        if (flow === I.FlowControl.Call || flow === I.FlowControl.UnconditionalBranch || isConditional) {
          const k = ins.op0Kind;
          if (k === I.OpKind.NearBranch64 || k === I.OpKind.NearBranch32 || k === I.OpKind.NearBranch16) target = ins.nearBranchTarget;
        }
        let mnemonic = invalid ? '???' : formatter.formatMnemonic(ins);
        let operands = invalid ? '' : formatter.formatAllOperands(ins);
        if (!invalid && operands === '') {
          const str = stringInstruction(mnemonic, bitness);
          if (str) ({ mnemonic, operands } = str);
        }
        if (!invalid && ins.segmentPrefix !== I.Register.None && operands.includes('[')) {
          // An explicit segment override WinDbg prints even where the CPU ignores it (`nop word ptr cs:[rax+rax]`).
          const seg = ['es', 'cs', 'ss', 'ds', 'fs', 'gs'][ins.segmentPrefix - I.Register.ES];
          if (seg && !operands.includes(`${seg}:`)) operands = operands.replace('[', `${seg}:[`);
        }
        if (!invalid && bitness === 32) {
          operands = padAbsolute32(operands);
          // `push offset app!g_table (00403000)`: 32-bit immediates that are addresses of symbols.
          for (let i = 0; i < ins.opCount && target === undefined; i++) {
            if (ins.opKind(i) !== I.OpKind.Immediate32) continue;
            const v = ins.immediate(i) & 0xffffffffn;
            const sym = v >= 0x10000n ? symbolize?.(v) : undefined;
            if (!sym || !sym.includes('!')) continue;
            const h = v.toString(16).toUpperCase();
            const text = `${/^[A-F]/.test(h) ? '0' : ''}${h}h`;
            const at = operands.lastIndexOf(text);
            if (at >= 0 && (at === 0 || operands[at - 1] === ',')) operands = `${operands.slice(0, at)}offset ${sym} (${fmtAddr(v)})${operands.slice(at + text.length)}`;
          }
        }
        if (!invalid && target !== undefined) {
          const sym = symbolize?.(target);
          operands = sym ? `${sym} (${fmtAddr(target)})` : fmtAddr(target);
        } else if (!invalid && ins.isIpRelMemoryOperand) {
          // RIP-relative: WinDbg shows the absolute address, with its symbol when there is one.
          const ea = ins.ipRelMemoryAddress;
          const sym = symbolize?.(ea);
          operands = operands.replace(/\[[0-9A-F]+h\]/, `[${sym ? `${sym} (${fmtAddr(ea)})` : fmtAddr(ea)}]`);
        } else if (!invalid && hasAbsoluteMemory(I, ins)) {
          // `call dword ptr [ole32!_imp__CoTaskMemFree (74b5116c)]`: absolute addresses inside a module get their symbol.
          const ea = bitness === 32 ? ins.memoryDisplacementU64 & 0xffffffffn : ins.memoryDisplacementU64;
          const sym = symbolize?.(ea);
          if (sym) operands = operands.replace(/(?:ds:)?\[[0-9A-F]+h\]/, `[${sym} (${fmtAddr(ea)})]`);
        }
        const out: Instruction = {
          address,
          bytes: bytes.subarray(0, truncated ? Math.min(bytes.length, MAX_INSTRUCTION_LENGTH) : len),
          length: len,
          mnemonic,
          operands,
          isCall,
          isReturn,
          isBranch,
          isConditional,
          endsFlow,
          invalid: invalid || truncated,
          truncated,
        };
        if (target !== undefined) out.target = target;
        return out;
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

const STRING_OPS: Record<string, 'd' | 's' | 'sd' | 'ds'> = { stos: 'd', scas: 'd', lods: 's', movs: 'ds', cmps: 'sd' };
const SIZES: Record<string, string> = { b: 'byte', w: 'word', d: 'dword', q: 'qword' };

/**
 * String instructions in WinDbg's explicit form: `rep stos byte ptr [rdi]`,
 * `movs dword ptr es:[edi],dword ptr [esi]` (iced prints `rep stosb`).
 */
function stringInstruction(mnemonic: string, bitness: number): { mnemonic: string; operands: string } | undefined {
  const m = /^((?:rep|repe|repne) )?(stos|scas|lods|movs|cmps)([bwdq])$/.exec(mnemonic);
  if (!m) return undefined;
  const size = SIZES[m[3]!]!;
  const dst = bitness === 64 ? `${size} ptr [rdi]` : `${size} ptr es:[edi]`;
  const src = bitness === 64 ? `${size} ptr [rsi]` : `${size} ptr [esi]`;
  const forms = { d: dst, s: src, ds: `${dst},${src}`, sd: `${src},${dst}` };
  return { mnemonic: `${m[1] ?? ''}${m[2]}`, operands: forms[STRING_OPS[m[2]!]!] };
}

/** x86 absolute memory operands print 8 hex digits: `dword ptr fs:[00000018h]`. */
function padAbsolute32(operands: string): string {
  return operands.replace(/([a-z]s:)\[0?([0-9A-F]{1,8})h\]/g, (_all, seg: string, hex: string) => {
    const h = hex.padStart(8, '0');
    return `${seg}[${/^[A-F]/.test(h) ? '0' : ''}${h}h]`;
  });
}

/** A memory operand that is a bare displacement (no base, no index, not RIP-relative). */
function hasAbsoluteMemory(I: Iced, ins: InstanceType<Iced['Instruction']>): boolean {
  for (let i = 0; i < ins.opCount; i++) {
    if (ins.opKind(i) === I.OpKind.Memory) return ins.memoryBase === I.Register.None && ins.memoryIndex === I.Register.None;
  }
  return false;
}

/**
 * Decodes up to `count` instructions from `bytes` starting at `address`
 * (stops at the end of the bytes; a truncated last instruction is dropped).
 */
export function disassemble(arch: CpuArch, bytes: Buffer, address: bigint, count: number, symbolize?: SymbolFormatter, ptrFmt?: (a: bigint) => string): Instruction[] {
  const d = createDisassembler(arch, symbolize, ptrFmt);
  if (!d) return [];
  const out: Instruction[] = [];
  try {
    let off = 0;
    while (out.length < count && off < bytes.length) {
      const ins = d.decode(bytes.subarray(off), address + BigInt(off));
      if (!ins || ins.truncated) break;
      out.push(ins);
      off += ins.length;
    }
  } finally {
    d.free();
  }
  return out;
}

/**
 * `00007fff`912bb796 488b08          mov     rcx,qword ptr [rax]`: opcode bytes
 * padded to 15 plus one space, mnemonic padded to 7 plus one space.
 */
export function formatInstructionLine(ins: Instruction, addrText: string): string {
  if (ins.invalid) {
    // Undecodable bytes: WinDbg shows the first byte and `???`; unreadable memory: `??`.
    const hex = ins.truncated || ins.bytes.length === 0 ? '??' : ins.bytes.subarray(0, 1).toString('hex');
    return `${addrText} ${hex.padEnd(15)} ???`;
  }
  const hex = ins.bytes.toString('hex');
  const mn = ins.operands ? ins.mnemonic.padEnd(7) + ' ' + ins.operands : ins.mnemonic;
  return `${addrText} ${hex.padEnd(15)} ${mn}`.trimEnd();
}
