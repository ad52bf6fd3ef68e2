/**
 * The decoder-independent half of disassembly: the `Instruction` record and the
 * WinDbg-style post-processing applied to a decoder's raw MASM text. Both the
 * iced-x86 path (disasm.ts) and the start-up fast path (quick.ts) end here, so
 * the two can only differ in what they decode, never in how it is printed.
 * This module must not load iced-x86.
 */

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

/** The longest x86 instruction: decoding needs at most this many bytes. */
export const MAX_INSTRUCTION_LENGTH = 15;

/** iced's MASM number style as configured in disasm.ts: 0-9 in decimal, else upper-case hex with `h` and a leading 0 before a letter. */
export function masmNumber(v: bigint): string {
  if (v < 10n) return v.toString();
  const h = v.toString(16).toUpperCase();
  return h.charCodeAt(0) >= 65 ? `0${h}h` : `${h}h`;
}

/**
 * A valid instruction as a decoder sees it, before WinDbg's touches: the text
 * is what iced's MASM formatter prints with the options set in disasm.ts
 * (upper-case hex, `h` suffix, no space after commas, `xxx ptr` always,
 * RIP-relative operands as the absolute address `[140002000h]`).
 */
export interface RawInstruction extends Pick<Instruction, 'length' | 'target' | 'isCall' | 'isReturn' | 'isBranch' | 'isConditional' | 'endsFlow'> {
  /** iced `formatMnemonic`: lower-case, with its prefixes (`lock add`, `rep stosb`). */
  mnemonic: string;
  /** iced `formatAllOperands`. */
  operands: string;
  /** The segment override prefix the decoder recorded (`es`…`gs`). */
  segmentPrefix?: string;
  /** Values of the operands that are 32-bit immediates (not sign-extended imm8/imm32→64), in operand order. */
  imm32: readonly bigint[];
  /** Effective address of a RIP-relative memory operand. */
  ipRelAddress?: bigint;
  /** Displacement (as a u64) of the first memory operand when it has neither base nor index. */
  absoluteAddress?: bigint;
}

/**
 * Formatting follows WinDbg: branch targets as `symbol (address)`, RIP-relative
 * and absolute memory operands as `[symbol (address)]` when a symbol is known,
 * explicit string-instruction operands, every segment override shown, x86
 * absolute addresses with 8 digits and 32-bit symbol addresses as `offset sym (addr)`.
 */
export function finishInstruction(
  raw: RawInstruction,
  bytes: Buffer,
  address: bigint,
  bitness: 32 | 64,
  symbolize: SymbolFormatter | undefined,
  fmtAddr: (a: bigint) => string,
): Instruction {
  let mnemonic = raw.mnemonic;
  let operands = raw.operands;
  const target = raw.target;
  if (operands === '') {
    const str = stringInstruction(mnemonic, bitness);
    if (str) ({ mnemonic, operands } = str);
  }
  if (raw.segmentPrefix !== undefined && operands.includes('[')) {
    // An explicit segment override WinDbg prints even where the CPU ignores it (`nop word ptr cs:[rax+rax]`).
    const seg = raw.segmentPrefix;
    if (!operands.includes(`${seg}:`)) operands = operands.replace('[', `${seg}:[`);
  }
  if (bitness === 32) {
    operands = padAbsolute32(operands);
    // `push offset app!g_table (00403000)`: 32-bit immediates that are addresses of symbols.
    for (let i = 0; i < raw.imm32.length && target === undefined; i++) {
      const v = raw.imm32[i]! & 0xffffffffn;
      const sym = v >= 0x10000n ? symbolize?.(v) : undefined;
      if (!sym || !sym.includes('!')) continue;
      const h = v.toString(16).toUpperCase();
      const text = `${/^[A-F]/.test(h) ? '0' : ''}${h}h`;
      const at = operands.lastIndexOf(text);
      if (at >= 0 && (at === 0 || operands[at - 1] === ',')) operands = `${operands.slice(0, at)}offset ${sym} (${fmtAddr(v)})${operands.slice(at + text.length)}`;
    }
  }
  if (target !== undefined) {
    const sym = symbolize?.(target);
    operands = sym ? `${sym} (${fmtAddr(target)})` : fmtAddr(target);
  } else if (raw.ipRelAddress !== undefined) {
    // RIP-relative: WinDbg shows the absolute address, with its symbol when there is one.
    const ea = raw.ipRelAddress;
    const sym = symbolize?.(ea);
    operands = operands.replace(/\[[0-9A-F]+h\]/, `[${sym ? `${sym} (${fmtAddr(ea)})` : fmtAddr(ea)}]`);
  } else if (raw.absoluteAddress !== undefined) {
    // `call dword ptr [ole32!_imp__CoTaskMemFree (74b5116c)]`: absolute addresses inside a module get their symbol.
    const ea = bitness === 32 ? raw.absoluteAddress & 0xffffffffn : raw.absoluteAddress;
    const sym = symbolize?.(ea);
    if (sym) operands = operands.replace(/(?:ds:)?\[[0-9A-F]+h\]/, `[${sym} (${fmtAddr(ea)})]`);
  }
  const out: Instruction = {
    address,
    bytes: bytes.subarray(0, raw.length),
    length: raw.length,
    mnemonic,
    operands,
    isCall: raw.isCall,
    isReturn: raw.isReturn,
    isBranch: raw.isBranch,
    isConditional: raw.isConditional,
    endsFlow: raw.endsFlow,
    invalid: false,
    truncated: false,
  };
  if (target !== undefined) out.target = target;
  return out;
}

/** What the decoders return for undecodable bytes (`truncated`: the bytes ran out first). */
export function invalidInstruction(bytes: Buffer, address: bigint, truncated: boolean): Instruction {
  return {
    address,
    bytes: bytes.subarray(0, truncated ? Math.min(bytes.length, MAX_INSTRUCTION_LENGTH) : 1),
    length: 1,
    mnemonic: '???',
    operands: '',
    isCall: false,
    isReturn: false,
    isBranch: false,
    isConditional: false,
    endsFlow: false,
    invalid: true,
    truncated,
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
