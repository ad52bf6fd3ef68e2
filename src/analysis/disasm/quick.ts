/**
 * A small table-driven x86/x64 decoder for ONE instruction of the common
 * general-purpose integer subset, so that the open-dump banner (`r`, `.ecxr`,
 * `~Ns`) can print the instruction at the current IP without loading iced-x86
 * (its JS glue, WASM and formatter tables cost more than our whole start-up).
 *
 * It answers only when it is certain to produce exactly what iced-x86 plus the
 * post-processing in format.ts produce (test/analysis/disasm-quick.test.ts
 * compares the two instruction by instruction); anything else (SSE/AVX/x87,
 * far and segment-register forms, 67h, odd prefix combinations, branch hints,
 * truncated or invalid bytes) returns undefined and the caller asks iced.
 * This module must not import iced-x86.
 */
import type { CpuArch } from '../../formats/minidump/types.js';
import { finishInstruction, masmNumber, MAX_INSTRUCTION_LENGTH } from './format.js';
import type { Instruction, RawInstruction, SymbolFormatter } from './format.js';

/** Thrown (and caught in quickDecode) for "not certain": iced decides instead. */
const DECLINE = Symbol('decline');

const R64 = ['rax', 'rcx', 'rdx', 'rbx', 'rsp', 'rbp', 'rsi', 'rdi', 'r8', 'r9', 'r10', 'r11', 'r12', 'r13', 'r14', 'r15'];
const R32 = ['eax', 'ecx', 'edx', 'ebx', 'esp', 'ebp', 'esi', 'edi', 'r8d', 'r9d', 'r10d', 'r11d', 'r12d', 'r13d', 'r14d', 'r15d'];
const R16 = ['ax', 'cx', 'dx', 'bx', 'sp', 'bp', 'si', 'di', 'r8w', 'r9w', 'r10w', 'r11w', 'r12w', 'r13w', 'r14w', 'r15w'];
/** Byte registers with any REX prefix (spl..dil instead of ah..bh). */
const R8X = ['al', 'cl', 'dl', 'bl', 'spl', 'bpl', 'sil', 'dil', 'r8b', 'r9b', 'r10b', 'r11b', 'r12b', 'r13b', 'r14b', 'r15b'];
const R8 = ['al', 'cl', 'dl', 'bl', 'ah', 'ch', 'dh', 'bh'];
const PTR: Record<number, string> = { 8: 'byte ptr ', 16: 'word ptr ', 32: 'dword ptr ', 64: 'qword ptr ', 128: 'xmmword ptr ' };
/** iced's condition-code spellings (jb not jc, je not jz, ...). */
const CC = ['o', 'no', 'b', 'ae', 'e', 'ne', 'be', 'a', 's', 'ns', 'p', 'np', 'l', 'ge', 'le', 'g'];
const ALU = ['add', 'or', 'adc', 'sbb', 'and', 'sub', 'xor', 'cmp'];
const SHIFT = ['rol', 'ror', 'rcl', 'rcr', 'shl', 'shr', 'sal', 'sar'];
const UNARY = ['test', 'test', 'not', 'neg', 'mul', 'imul', 'div', 'idiv'];
const BT = ['bt', 'bts', 'btr', 'btc'];
const SEGMENT: Record<number, string> = { 0x26: 'es', 0x2e: 'cs', 0x36: 'ss', 0x3e: 'ds', 0x64: 'fs', 0x65: 'gs' };
const STRING: Record<number, string> = { 0xa4: 'movs', 0xa6: 'cmps', 0xaa: 'stos', 0xac: 'lods', 0xae: 'scas' };
const MASK64 = 0xffffffffffffffffn;

const num = masmNumber;

/** `v` (a signed or unsigned value) as an unsigned number of `bits`. */
function unsigned(v: bigint, bits: number): bigint {
  return BigInt.asUintN(bits, v);
}

/** A memory operand from ModRM/SIB. */
interface Memory {
  /** Register number, -1 for none. */
  base: number;
  index: number;
  scale: number;
  /** Signed displacement. */
  disp: number;
  rip: boolean;
}

/** Decoding state for one instruction. */
class Decoding {
  p = 0;
  o16 = false;
  rex = 0;
  seg: string | undefined;
  lock = false;
  rep = 0;
  mod = 0;
  /** ModRM reg field (with REX.R) and r/m field (with REX.B when it names a register). */
  reg = 0;
  rm = 0;
  mem: Memory | undefined;
  /** Values of iced `Immediate32` operands. */
  imm32: bigint[] = [];
  constructor(readonly b: Buffer, readonly x64: boolean) {}

  u8(): number {
    if (this.p >= this.b.length || this.p >= MAX_INSTRUCTION_LENGTH) throw DECLINE;
    return this.b[this.p++]!;
  }
  s8(): number {
    const v = this.u8();
    return v >= 0x80 ? v - 0x100 : v;
  }
  u16(): number {
    return this.u8() | (this.u8() << 8);
  }
  s32(): number {
    return this.u8() | (this.u8() << 8) | (this.u8() << 16) | (this.u8() << 24);
  }

  /** Operand size of a `v` operand: REX.W wins over 66h. */
  get osz(): 16 | 32 | 64 {
    return this.rex & 8 ? 64 : this.o16 ? 16 : 32;
  }

  modrm(): void {
    const m = this.u8();
    this.mod = m >> 6;
    this.reg = ((m >> 3) & 7) | ((this.rex & 4) << 1);
    const rm = m & 7;
    if (this.mod === 3) {
      this.rm = rm | ((this.rex & 1) << 3);
      return;
    }
    const mem: Memory = { base: -1, index: -1, scale: 1, disp: 0, rip: false };
    if (rm === 4) {
      const sib = this.u8();
      const index = ((sib >> 3) & 7) | ((this.rex & 2) << 2);
      if (index !== 4) {
        mem.index = index;
        mem.scale = 1 << (sib >> 6);
      }
      if ((sib & 7) === 5 && this.mod === 0) mem.disp = this.s32();
      else mem.base = (sib & 7) | ((this.rex & 1) << 3);
    } else if (rm === 5 && this.mod === 0) {
      mem.disp = this.s32();
      mem.rip = this.x64;
    } else mem.base = rm | ((this.rex & 1) << 3);
    if (this.mod === 1) mem.disp = this.s8();
    else if (this.mod === 2) mem.disp = this.s32();
    this.mem = mem;
  }

  /** The register named `n` at `size` bits. */
  r(n: number, size: number): string {
    const name = size === 64 ? R64[n] : size === 32 ? R32[n] : size === 16 ? R16[n] : this.rex ? R8X[n] : R8[n];
    if (name === undefined) throw DECLINE;
    return name;
  }
  /** The ModRM reg operand. */
  g(size: number): string {
    return this.r(this.reg, size);
  }
  /** The ModRM r/m operand; memory prints `size ptr [\0]` and \0 becomes the address once the length is known. */
  e(size: number): string {
    if (this.mod === 3) return this.r(this.rm, size);
    // 32-bit code prints `ds:` on a bare displacement (iced's MasmAddDsPrefix32).
    const seg = this.seg ? `${this.seg}:` : !this.x64 && this.mem!.base < 0 && this.mem!.index < 0 ? 'ds:' : '';
    return `${size ? PTR[size] : ''}${seg}[\0]`;
  }
  /** A memory-only r/m operand (lea, lock, bit tests): mod 3 is another instruction or invalid. */
  m(size: number): string {
    if (this.mod === 3) throw DECLINE;
    return this.e(size);
  }

  /** An immediate of `bytes` bytes shown as `bits` wide (sign-extended when wider). */
  imm(bytes: 1 | 2 | 4, bits: number): string {
    const v = bytes === 1 ? this.s8() : bytes === 2 ? this.u16() : this.s32();
    if (bytes === 4 && bits === 32) this.imm32.push(unsigned(BigInt(v), 32));
    return num(unsigned(BigInt(v), bits));
  }
  /** `Iz`: imm16 / imm32 / imm32 sign-extended to 64. */
  immz(size: number): string {
    return size === 16 ? this.imm(2, 16) : this.imm(4, size);
  }
  /** Unsigned imm8 (shift counts, `int`, byte operations). */
  ib(): string {
    return num(BigInt(this.u8()));
  }

  /** The r/m address text, once the instruction length is known (RIP-relative counts from the next instruction). */
  address(ip: bigint): { text: string; ipRel?: bigint; absolute?: bigint } {
    const m = this.mem!;
    const regs = this.x64 ? R64 : R32;
    if (m.rip) {
      const ea = unsigned(ip + BigInt(this.p) + BigInt(m.disp), 64);
      return { text: num(ea), ipRel: ea };
    }
    if (m.base < 0 && m.index < 0) {
      const abs = unsigned(BigInt(m.disp), this.x64 ? 64 : 32);
      return { text: num(abs), absolute: unsigned(BigInt(m.disp), 64) };
    }
    let text = m.base >= 0 ? regs[m.base]! : '';
    if (m.index >= 0) {
      text += `${text ? '+' : ''}${regs[m.index]!}`;
      // iced writes `*1` only when there is no base: `[rcx*1+10h]`, `[rax+rcx]`.
      if (m.scale !== 1 || m.base < 0) text += `*${m.scale}`;
    }
    if (m.disp > 0) text += `+${num(BigInt(m.disp))}`;
    else if (m.disp < 0) text += `-${num(BigInt(-m.disp))}`;
    return { text };
  }
}

interface Shape {
  mnemonic: string;
  operands: string[];
  flow?: 'call' | 'indirectCall' | 'return' | 'jump' | 'indirectJump' | 'conditional';
  /** Signed displacement of a relative branch. */
  rel?: number;
  /** Allowed with a lock prefix (when its destination is memory). */
  lockable?: boolean;
  /** 66h is part of this instruction's meaning (operand size); otherwise it must be absent. */
  sized?: boolean;
}

/** A decoded instruction's text and traits; without `sized`, a 66h prefix makes decodeRaw decline. */
function shape(mnemonic: string, operands: string[], extra: Partial<Shape> = {}): Shape {
  return { mnemonic, operands, ...extra };
}

/** One-byte opcodes. */
function oneByte(d: Decoding, op: number): Shape {
  const x64 = d.x64;
  const v = d.osz;
  if (op < 0x40 && (op & 7) < 6) {
    const name = ALU[op >> 3]!;
    const lockable = name !== 'cmp';
    switch (op & 7) {
      case 0: d.modrm(); return shape(name, [d.e(8), d.g(8)], { lockable });
      case 1: d.modrm(); return shape(name, [d.e(v), d.g(v)], { lockable, sized: true });
      case 2: d.modrm(); return shape(name, [d.g(8), d.e(8)]);
      case 3: d.modrm(); return shape(name, [d.g(v), d.e(v)], { sized: true });
      case 4: return shape(name, ['al', d.imm(1, 8)]);
      default: return shape(name, [d.r(0, v), d.immz(v)], { sized: true });
    }
  }
  if (op >= 0x40 && op <= 0x4f && !x64) return shape(op < 0x48 ? 'inc' : 'dec', [d.r(op & 7, 32)]);
  if (op >= 0x50 && op <= 0x5f) return shape(op < 0x58 ? 'push' : 'pop', [d.r((op & 7) | ((d.rex & 1) << 3), x64 ? 64 : 32)]);
  if (op >= 0x70 && op <= 0x7f) return shape(`j${CC[op & 15]}`, [], { flow: 'conditional', rel: d.s8() });
  if (op >= 0x91 && op <= 0x97) return shape('xchg', [d.r((op & 7) | ((d.rex & 1) << 3), v), d.r(0, v)], { sized: true });
  if (op >= 0xb0 && op <= 0xb7) return shape('mov', [d.r((op & 7) | ((d.rex & 1) << 3), 8), d.imm(1, 8)]);
  if (op >= 0xb8 && op <= 0xbf) {
    const reg = d.r((op & 7) | ((d.rex & 1) << 3), v);
    if (v !== 64) return shape('mov', [reg, d.immz(v)], { sized: true });
    const lo = BigInt(d.s32() >>> 0);
    const hi = BigInt(d.s32() >>> 0);
    return shape('mov', [reg, num((hi << 32n) | lo)], { sized: true });
  }
  if (STRING[op & 0xfe]) return stringOp(d, op);
  switch (op) {
    case 0x63:
      if (!x64 || v !== 64) throw DECLINE;
      d.modrm();
      return shape('movsxd', [d.g(64), d.e(32)], { sized: true });
    case 0x68: return shape('push', [x64 ? d.imm(4, 64) : d.imm(4, 32)]);
    case 0x69: d.modrm(); return shape('imul', imul3(d, v, d.immz(v)), { sized: true });
    case 0x6a: return shape('push', [d.imm(1, x64 ? 64 : 32)]);
    case 0x6b: d.modrm(); return shape('imul', imul3(d, v, d.imm(1, v)), { sized: true });
    case 0x80: d.modrm(); return shape(ALU[d.reg & 7]!, [d.e(8), d.imm(1, 8)], { lockable: (d.reg & 7) !== 7 });
    case 0x81: d.modrm(); return shape(ALU[d.reg & 7]!, [d.e(v), d.immz(v)], { lockable: (d.reg & 7) !== 7, sized: true });
    case 0x83: d.modrm(); return shape(ALU[d.reg & 7]!, [d.e(v), d.imm(1, v)], { lockable: (d.reg & 7) !== 7, sized: true });
    case 0x84: d.modrm(); return shape('test', [d.e(8), d.g(8)]);
    case 0x85: d.modrm(); return shape('test', [d.e(v), d.g(v)], { sized: true });
    // iced prints xchg as reg,r/m: `xchg eax,dword ptr [rax]`.
    case 0x86: d.modrm(); return shape('xchg', [d.g(8), d.e(8)], { lockable: true });
    case 0x87: d.modrm(); return shape('xchg', [d.g(v), d.e(v)], { lockable: true, sized: true });
    case 0x88: d.modrm(); return shape('mov', [d.e(8), d.g(8)]);
    case 0x89: d.modrm(); return shape('mov', [d.e(v), d.g(v)], { sized: true });
    case 0x8a: d.modrm(); return shape('mov', [d.g(8), d.e(8)]);
    case 0x8b: d.modrm(); return shape('mov', [d.g(v), d.e(v)], { sized: true });
    case 0x8d: d.modrm(); return shape('lea', [d.g(v), d.m(0)], { sized: true });
    case 0x8f:
      d.modrm();
      if ((d.reg & 7) !== 0) throw DECLINE;
      return shape('pop', [d.e(x64 ? 64 : 32)]);
    case 0x90:
      // 90 is `nop` only without REX.B/REX.W/66h: `41 90` is xchg r8d,eax, `66 90` xchg ax,ax, F3 90 pause.
      if (d.rep === 0xf3 && !d.o16 && !d.rex) {
        d.rep = 0;
        return shape('pause', []);
      }
      if (d.rex & 9 || d.o16) return shape('xchg', [d.r((d.rex & 1) << 3, v), d.r(0, v)], { sized: true });
      return shape('nop', []);
    case 0x98: return shape(v === 64 ? 'cdqe' : v === 32 ? 'cwde' : 'cbw', [], { sized: true });
    case 0x99: return shape(v === 64 ? 'cqo' : v === 32 ? 'cdq' : 'cwd', [], { sized: true });
    case 0xa0: case 0xa1: case 0xa2: case 0xa3: {
      // moffs: only the 32-bit form (64-bit code has an 8-byte address here).
      if (x64) throw DECLINE;
      const size = op & 1 ? v : 8;
      d.mem = { base: -1, index: -1, scale: 1, disp: d.s32(), rip: false };
      const m = d.e(size);
      const acc = d.r(0, size);
      return shape('mov', op < 0xa2 ? [acc, m] : [m, acc], { sized: (op & 1) === 1 });
    }
    case 0xa8: return shape('test', ['al', d.imm(1, 8)]);
    case 0xa9: return shape('test', [d.r(0, v), d.immz(v)], { sized: true });
    case 0xc0: d.modrm(); return shape(SHIFT[d.reg & 7]!, [d.e(8), d.ib()]);
    case 0xc1: d.modrm(); return shape(SHIFT[d.reg & 7]!, [d.e(v), d.ib()], { sized: true });
    case 0xc2: return shape('ret', [num(BigInt(d.u16()))], { flow: 'return' });
    case 0xc3: return shape('ret', [], { flow: 'return' });
    case 0xc6:
      d.modrm();
      if ((d.reg & 7) !== 0) throw DECLINE;
      return shape('mov', [d.e(8), d.imm(1, 8)]);
    case 0xc7:
      d.modrm();
      if ((d.reg & 7) !== 0) throw DECLINE;
      return shape('mov', [d.e(v), d.immz(v)], { sized: true });
    case 0xc9: return shape('leave', []);
    case 0xcc: return shape('int', ['3']);
    case 0xcd: return shape('int', [d.ib()]);
    case 0xd0: d.modrm(); return shape(SHIFT[d.reg & 7]!, [d.e(8), '1']);
    case 0xd1: d.modrm(); return shape(SHIFT[d.reg & 7]!, [d.e(v), '1'], { sized: true });
    case 0xd2: d.modrm(); return shape(SHIFT[d.reg & 7]!, [d.e(8), 'cl']);
    case 0xd3: d.modrm(); return shape(SHIFT[d.reg & 7]!, [d.e(v), 'cl'], { sized: true });
    case 0xe8: return shape('call', [], { flow: 'call', rel: d.s32() });
    case 0xe9: return shape('jmp', [], { flow: 'jump', rel: d.s32() });
    case 0xeb: return shape('jmp', [], { flow: 'jump', rel: d.s8() });
    case 0xf6: case 0xf7: {
      d.modrm();
      const size = op === 0xf6 ? 8 : v;
      const n = d.reg & 7;
      const operands = [d.e(size)];
      if (n < 2) operands.push(size === 8 ? d.imm(1, 8) : d.immz(size));
      return shape(UNARY[n]!, operands, { lockable: n === 2 || n === 3, sized: op === 0xf7 });
    }
    case 0xfe:
      d.modrm();
      if ((d.reg & 7) > 1) throw DECLINE;
      return shape(d.reg & 7 ? 'dec' : 'inc', [d.e(8)], { lockable: true });
    case 0xff: {
      d.modrm();
      const ptr = x64 ? 64 : 32;
      switch (d.reg & 7) {
        case 0: return shape('inc', [d.e(v)], { lockable: true, sized: true });
        case 1: return shape('dec', [d.e(v)], { lockable: true, sized: true });
        case 2: return shape('call', [d.e(ptr)], { flow: 'indirectCall' });
        case 4: return shape('jmp', [d.e(ptr)], { flow: 'indirectJump' });
        case 6: return shape('push', [d.e(ptr)]);
      }
    }
  }
  throw DECLINE;
}

/** `imul eax,ecx,10h`, but iced drops the source when it is the destination: `imul eax,10h`. */
function imul3(d: Decoding, v: number, imm: string): string[] {
  return d.mod === 3 && d.rm === d.reg ? [d.g(v), imm] : [d.g(v), d.e(v), imm];
}

/** movs/cmps/stos/lods/scas: iced prints `rep stosb` with no operands; format.ts spells them out. */
function stringOp(d: Decoding, op: number): Shape {
  const base = STRING[op & 0xfe]!;
  if (d.seg !== undefined) throw DECLINE;
  const suffix = op & 1 ? ({ 16: 'w', 32: 'd', 64: 'q' } as const)[d.osz] : 'b';
  const repeat = base === 'cmps' || base === 'scas' ? { 0xf3: 'repe ', 0xf2: 'repne ' } : { 0xf3: 'rep ', 0xf2: 'repne ' };
  const prefix = (repeat as Record<number, string>)[d.rep] ?? '';
  d.rep = 0;
  return shape(`${prefix}${base}${suffix}`, [], { sized: (op & 1) === 1 });
}

/** Two-byte opcodes (0F xx). */
function twoByte(d: Decoding, op: number): Shape {
  const v = d.osz;
  if (op >= 0x40 && op <= 0x4f) {
    d.modrm();
    return shape(`cmov${CC[op & 15]}`, [d.g(v), d.e(v)], { sized: true });
  }
  if (op >= 0x80 && op <= 0x8f) return shape(`j${CC[op & 15]}`, [], { flow: 'conditional', rel: d.s32() });
  if (op >= 0x90 && op <= 0x9f) {
    d.modrm();
    return shape(`set${CC[op & 15]}`, [d.e(8)]);
  }
  if (op >= 0xc8 && op <= 0xcf) {
    if (d.o16) throw DECLINE;
    return shape('bswap', [d.r((op & 7) | ((d.rex & 1) << 3), v)]);
  }
  if (SSE[op]) return sse(d, op);
  switch (op) {
    case 0x05:
      if (!d.x64) throw DECLINE;
      return shape('syscall', [], { flow: 'call' });
    case 0x0b: return shape('ud2', []);
    case 0x1f:
      d.modrm();
      if ((d.reg & 7) !== 0) throw DECLINE;
      return shape('nop', [d.e(v)], { sized: true });
    case 0xa3: case 0xab: case 0xb3: case 0xbb:
      d.modrm();
      return shape(BT[(op >> 3) & 3]!, [d.e(v), d.g(v)], { lockable: op !== 0xa3, sized: true });
    case 0xaf: d.modrm(); return shape('imul', [d.g(v), d.e(v)], { sized: true });
    case 0xb0: d.modrm(); return shape('cmpxchg', [d.e(8), d.g(8)], { lockable: true });
    case 0xb1: d.modrm(); return shape('cmpxchg', [d.e(v), d.g(v)], { lockable: true, sized: true });
    case 0xb6: case 0xbe: d.modrm(); return shape(op === 0xb6 ? 'movzx' : 'movsx', [d.g(v), d.e(8)], { sized: true });
    case 0xb7: case 0xbf:
      if (d.o16) throw DECLINE;
      d.modrm();
      return shape(op === 0xb7 ? 'movzx' : 'movsx', [d.g(v), d.e(16)]);
    case 0xba: {
      d.modrm();
      if ((d.reg & 7) < 4) throw DECLINE;
      return shape(BT[d.reg & 3]!, [d.e(v), d.ib()], { lockable: (d.reg & 7) !== 4, sized: true });
    }
    case 0xbc: case 0xbd: d.modrm(); return shape(op === 0xbc ? 'bsf' : 'bsr', [d.g(v), d.e(v)], { sized: true });
    case 0xc0: d.modrm(); return shape('xadd', [d.e(8), d.g(8)], { lockable: true });
    case 0xc1: d.modrm(); return shape('xadd', [d.e(v), d.g(v)], { lockable: true, sized: true });
  }
  throw DECLINE;
}

/**
 * SSE data moves and the scalar arithmetic that compilers emit around them
 * (inlined memset/memcpy stores are common crash sites): per mandatory prefix
 * (none, 66, F3, F2), the mnemonic and the memory operand size; `store` puts
 * the r/m operand first. Everything else with an xmm register is left to iced.
 */
const SSE: Record<number, { names: [string?, string?, string?, string?]; sizes: [number, number, number, number]; store?: boolean }> = {
  0x10: { names: ['movups', 'movupd', 'movss', 'movsd'], sizes: [128, 128, 32, 64] },
  0x11: { names: ['movups', 'movupd', 'movss', 'movsd'], sizes: [128, 128, 32, 64], store: true },
  0x28: { names: ['movaps', 'movapd'], sizes: [128, 128, 0, 0] },
  0x29: { names: ['movaps', 'movapd'], sizes: [128, 128, 0, 0], store: true },
  0x57: { names: ['xorps', 'xorpd'], sizes: [128, 128, 0, 0] },
  0x58: { names: [undefined, undefined, 'addss', 'addsd'], sizes: [0, 0, 32, 64] },
  0x59: { names: [undefined, undefined, 'mulss', 'mulsd'], sizes: [0, 0, 32, 64] },
  0x5c: { names: [undefined, undefined, 'subss', 'subsd'], sizes: [0, 0, 32, 64] },
  0x5e: { names: [undefined, undefined, 'divss', 'divsd'], sizes: [0, 0, 32, 64] },
  0x6f: { names: [undefined, 'movdqa', 'movdqu'], sizes: [0, 128, 128, 0] },
  0x7f: { names: [undefined, 'movdqa', 'movdqu'], sizes: [0, 128, 128, 0], store: true },
  0xd6: { names: [undefined, 'movq'], sizes: [0, 64, 0, 0], store: true },
  0xef: { names: [undefined, 'pxor'], sizes: [0, 128, 0, 0] },
};

function sse(d: Decoding, op: number): Shape {
  if (d.o16 && d.rep) throw DECLINE;
  const which = d.rep === 0xf3 ? 2 : d.rep === 0xf2 ? 3 : d.o16 ? 1 : 0;
  const entry = SSE[op]!;
  const name = entry.names[which];
  if (name === undefined) throw DECLINE;
  d.rep = 0;
  d.modrm();
  const xmm = (n: number) => `xmm${n}`;
  const reg = xmm(d.reg);
  const rm = d.mod === 3 ? xmm(d.rm) : d.e(entry.sizes[which]!);
  return shape(name, entry.store ? [rm, reg] : [reg, rm], { sized: true });
}

/**
 * Decodes the instruction at the start of `bytes` the way iced-x86's decoder and
 * MASM formatter (configured as in disasm.ts) would, or returns undefined when
 * it is not certain to.
 */
export function quickRaw(bytes: Buffer, address: bigint, bitness: 32 | 64): RawInstruction | undefined {
  const d = new Decoding(bytes, bitness === 64);
  try {
    return decodeRaw(d, address);
  } catch (e) {
    if (e === DECLINE) return undefined;
    throw e;
  }
}

function decodeRaw(d: Decoding, address: bigint): RawInstruction {
  let op: number;
  for (;;) {
    op = d.u8();
    if (op === 0x66) d.o16 = true;
    else if (op === 0xf0) {
      if (d.lock) throw DECLINE;
      d.lock = true;
    } else if (op === 0xf2 || op === 0xf3) {
      if (d.rep) throw DECLINE;
      d.rep = op;
    } else if (SEGMENT[op] !== undefined) {
      if (d.seg !== undefined) throw DECLINE;
      d.seg = SEGMENT[op];
    } else break;
  }
  if (d.x64 && (op & 0xf0) === 0x40) {
    d.rex = op;
    op = d.u8();
    // A REX that is not the last prefix is ignored by the CPU: leave that to iced.
    if ((op & 0xf0) === 0x40 || op === 0x66 || op === 0x67 || op === 0xf0 || op === 0xf2 || op === 0xf3 || SEGMENT[op] !== undefined) throw DECLINE;
  }
  const s = op === 0x0f ? twoByte(d, d.u8()) : oneByte(d, op);
  // Prefixes the instruction did not consume: iced prints or rejects them in ways not worth copying.
  if (d.rep) throw DECLINE;
  if (d.o16 && !s.sized) throw DECLINE;
  if (d.lock && (!s.lockable || d.mem === undefined || d.mod === 3)) throw DECLINE;
  if (d.seg !== undefined && (d.mem === undefined || d.mod === 3)) throw DECLINE;
  // 3E before an indirect call/jmp is CET's `notrack`.
  if (d.seg === 'ds' && (s.flow === 'indirectCall' || s.flow === 'indirectJump')) throw DECLINE;
  const raw: RawInstruction = {
    length: d.p,
    mnemonic: d.lock ? `lock ${s.mnemonic}` : s.mnemonic,
    operands: '',
    isCall: s.flow === 'call' || s.flow === 'indirectCall',
    isReturn: s.flow === 'return',
    isBranch: s.flow === 'jump' || s.flow === 'conditional' || s.flow === 'indirectJump',
    isConditional: s.flow === 'conditional',
    endsFlow: s.flow === 'return' || s.flow === 'jump' || s.flow === 'indirectJump',
    imm32: d.imm32,
  };
  let operands = s.operands.join(',');
  if (s.rel !== undefined) {
    const target = address + BigInt(d.p) + BigInt(s.rel);
    raw.target = d.x64 ? unsigned(target, 64) : unsigned(target, 32);
    operands = num(raw.target);
  }
  if (d.mem !== undefined && d.mod !== 3) {
    const a = d.address(address);
    operands = operands.replace('\0', a.text);
    if (a.ipRel !== undefined) raw.ipRelAddress = a.ipRel;
    if (a.absolute !== undefined) raw.absoluteAddress = a.absolute;
    if (d.seg !== undefined) raw.segmentPrefix = d.seg;
  }
  raw.operands = operands;
  return raw;
}

/**
 * The start-up fast path: the same `Instruction` as
 * `createDisassembler(arch, symbolize, ptrFmt).decode(bytes, address)`, or
 * undefined when this decoder is not certain of it (then ask iced).
 */
export function quickDecode(arch: CpuArch, bytes: Buffer, address: bigint, symbolize?: SymbolFormatter, ptrFmt?: (a: bigint) => string): Instruction | undefined {
  const bitness = arch === 'amd64' ? 64 : arch === 'x86' ? 32 : undefined;
  if (bitness === undefined) return undefined;
  const raw = quickRaw(bytes, address, bitness);
  if (!raw) return undefined;
  return finishInstruction(raw, bytes, address, bitness, symbolize, ptrFmt ?? ((a) => a.toString(16)));
}
