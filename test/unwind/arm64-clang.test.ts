/**
 * ARM64 unwinding checked against real compiler output, independently of the
 * unwinder's own reading of the spec: clang (aarch64-pc-windows-msvc) and
 * lld-link build a DLL whose .pdata/.xdata LLVM generates (packed and full
 * records); a tiny emulator runs each function from its entry with known
 * register values, and at every instruction boundary the unwinder must
 * recover the caller's PC, SP, frame pointer and callee-saved registers.
 * Skipped when clang or lld-link is not installed.
 */
import t from 'tap';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PeImage } from '../../src/formats/pe/index.js';
import { walkStack } from '../../src/unwind/index.js';
import type { UnwindEnvironment, UnwindModule } from '../../src/unwind/index.js';
import { FakeMemory, fakeContext } from '../fixtures/synth/stack-builder.js';

function findTool(names: string[]): string | undefined {
  for (const n of names) {
    try {
      execFileSync(n, ['--version'], { stdio: 'ignore' });
      return n;
    } catch {
      // try the next name
    }
  }
  return undefined;
}

const SOURCE = `
extern void callee(long *);
extern long ext(long, long);
long leafy(long a, long b) { return a * b + 3; }
long small_frame(long a) { long x = a; callee(&x); return x + 1; }
long saves(long a, long b, long c, long d) {
  long r = ext(a, b); long s = ext(c, d); long t = ext(r, s); long u = ext(t, a);
  long v = ext(u, b); return r + s + t + u + v + c + d;
}
long big_frame(long a) { long buf[600]; buf[0] = a; callee(buf); return buf[10]; }
double fp_saves(double a, double b, long c) { double x = a * 2; double y = b * 3; long r = ext(c, c); return x + y + r + ext(r, (long)x); }
long varargs_like(long n, ...) { long buf[4] = {n, n, n, n}; callee(buf); return buf[1]; }
long alloca_user(long n) { long *p = __builtin_alloca(n * 8); p[0] = n; callee(p); return p[0]; }
long many_saves(long a) {
  long r[9]; for (int i = 0; i < 9; i++) r[i] = ext(a, i);
  double d = (double)a * 1.5; long z = ext(r[0], (long)d);
  return r[0] + r[1] + r[2] + r[3] + r[4] + r[5] + r[6] + r[7] + r[8] + z + (long)(d * d);
}
long chained(long a) { long buf[8]; buf[0] = a; callee(buf); return buf[0] + ext(a, buf[1]); }
`;
const HELPERS = 'void callee(long *p) { p[0]++; }\nlong ext(long a, long b) { return a + b; }\nvoid __chkstk(void) {}\n';
const FUNCTIONS = ['leafy', 'small_frame', 'saves', 'big_frame', 'fp_saves', 'varargs_like', 'alloca_user', 'many_saves', 'chained'];

const M64 = (1n << 64n) - 1n;
const STACK_BASE = 0x100000n;
const STACK_SIZE = 0x8000;
const S0 = STACK_BASE + 0x7000n; // SP at function entry
const RA = 0x7ff800001234n; // return address into the caller
const FP0 = S0 + 0x40n; // the caller's frame pointer
const CALLER_SAVED = Array.from({ length: 10 }, (_, i) => [`x${19 + i}`, 0x1900n + BigInt(i)] as const);

/** Just enough of AArch64 to run function prologs, bodies (without following calls) and epilogs. */
class Machine {
  readonly x: bigint[] = Array.from({ length: 31 }, (_, i) => BigInt(i) + 5n);
  readonly v: bigint[] = Array.from({ length: 32 }, (_, i) => 0x4000000000000000n + BigInt(i));
  sp = S0;
  readonly stack = Buffer.alloc(STACK_SIZE);

  constructor() {
    for (const [name, value] of CALLER_SAVED) this.x[Number(name.slice(1))] = value;
    this.x[29] = FP0;
    this.x[30] = RA;
  }

  private reg(n: number, spForm: boolean): bigint {
    return n === 31 ? (spForm ? this.sp : 0n) : this.x[n]!;
  }

  private setReg(n: number, v: bigint, spForm: boolean, sf: boolean): void {
    const val = sf ? v & M64 : v & 0xffffffffn;
    if (n === 31) {
      if (spForm) this.sp = val;
    } else {
      this.x[n] = val;
    }
  }

  private addr(a: bigint, size: number): number {
    const off = Number(a - STACK_BASE);
    if (off < 0 || off + size > STACK_SIZE) throw new Error(`stack access out of range at 0x${a.toString(16)}`);
    return off;
  }

  private store(a: bigint, size: number, value: bigint): void {
    const off = this.addr(a, size);
    for (let i = 0; i < size; i++) this.stack[off + i] = Number((value >> BigInt(8 * i)) & 0xffn);
  }

  private load(a: bigint, size: number): bigint {
    const off = this.addr(a, size);
    let v = 0n;
    for (let i = 0; i < Math.min(size, 8); i++) v |= BigInt(this.stack[off + i]!) << BigInt(8 * i);
    return v;
  }

  private transfer(isLoad: boolean, vec: boolean, rt: number, a: bigint, size: number): void {
    if (isLoad) {
      const val = this.load(a, size);
      if (vec) this.v[rt] = val;
      else if (rt !== 31) this.x[rt] = size === 4 ? val & 0xffffffffn : val;
    } else {
      const val = vec ? this.v[rt]! : rt === 31 ? 0n : this.x[rt]!;
      this.store(a, size, val);
    }
  }

  /** Executes one instruction at `pc`; returns false at `ret`. */
  step(insn: number, pc: bigint): boolean {
    const rd = insn & 31;
    const rn = (insn >>> 5) & 31;
    if (insn >>> 0 === 0xd65f03c0) return false; // ret
    if ((insn & 0xfc000000) >>> 0 === 0x94000000) { this.x[30] = pc + 4n; return true; } // bl
    // Load/store pair: opc:2 101 V 0 mode:2 L imm7 Rt2 Rn Rt.
    if (((insn >>> 27) & 7) === 5 && ((insn >>> 25) & 1) === 0 && [1, 2, 3].includes((insn >>> 23) & 3)) {
      const vec = ((insn >>> 26) & 1) === 1;
      const opc = insn >>> 30;
      const size = vec ? 4 << opc : opc === 2 ? 8 : 4;
      const mode = (insn >>> 23) & 3;
      const isLoad = ((insn >>> 22) & 1) === 1;
      let imm = (insn >>> 15) & 0x7f;
      if (imm & 0x40) imm -= 0x80;
      const rt2 = (insn >>> 10) & 31;
      const base = this.reg(rn, true);
      const a = mode === 1 ? base : (base + BigInt(imm * size)) & M64;
      this.transfer(isLoad, vec, rd, a, size);
      this.transfer(isLoad, vec, rt2, (a + BigInt(size)) & M64, size);
      if (mode !== 2) this.setReg(rn, (base + BigInt(imm * size)) & M64, true, true);
      return true;
    }
    // Load/store register (immediate): size:2 111 V 0 0/1 opc:2 ...
    if (((insn >>> 27) & 7) === 7 && ((insn >>> 25) & 1) === 0 && ((insn >>> 24) & 1) <= 1) {
      const vec = ((insn >>> 26) & 1) === 1;
      const sizeBits = insn >>> 30;
      const opc = (insn >>> 22) & 3;
      const size = vec && sizeBits === 0 && opc >= 2 ? 16 : 1 << sizeBits;
      const isLoad = (opc & 1) === 1;
      const base = this.reg(rn, true);
      if (((insn >>> 24) & 1) === 1) { // unsigned offset
        this.transfer(isLoad, vec, rd, (base + BigInt(((insn >>> 10) & 0xfff) * size)) & M64, size);
        return true;
      }
      if (((insn >>> 21) & 1) === 0) {
        let imm = (insn >>> 12) & 0x1ff;
        if (imm & 0x100) imm -= 0x200;
        const kind = (insn >>> 10) & 3; // 1 post-index, 3 pre-index, 0 unscaled
        const a = kind === 1 ? base : (base + BigInt(imm)) & M64;
        this.transfer(isLoad, vec, rd, a, size);
        if (kind === 1 || kind === 3) this.setReg(rn, (base + BigInt(imm)) & M64, true, true);
        return true;
      }
    }
    // ADD/SUB (immediate): sf op S 100010 sh imm12 Rn Rd — register 31 is SP.
    if (((insn >>> 23) & 0x3f) === 0x22) {
      const sf = (insn >>> 31) === 1;
      const sub = ((insn >>> 30) & 1) === 1;
      const imm = BigInt(((insn >>> 10) & 0xfff) << (((insn >>> 22) & 1) * 12));
      const a = this.reg(rn, true);
      this.setReg(rd, sub ? a - imm : a + imm, ((insn >>> 29) & 1) === 0, sf);
      return true;
    }
    // ORR (shifted register) with XZR = MOV.
    if ((insn & 0x7f200000) >>> 0 === 0x2a000000 && rn === 31 && ((insn >>> 10) & 0x3f) === 0) {
      this.setReg(rd, this.reg((insn >>> 16) & 31, false), false, (insn >>> 31) === 1);
      return true;
    }
    // ADD/SUB (shifted register), LSL only.
    if ((insn & 0x1f200000) >>> 0 === 0x0b000000 && ((insn >>> 22) & 3) === 0) {
      const sf = (insn >>> 31) === 1;
      const m = this.reg((insn >>> 16) & 31, false) << BigInt((insn >>> 10) & 0x3f);
      const a = this.reg(rn, false);
      this.setReg(rd, ((insn >>> 30) & 1) === 1 ? a - m : a + m, false, sf);
      return true;
    }
    // UBFM / SBFM as LSR, LSL, SXTW.
    if (((insn >>> 23) & 0x3f) === 0x26) {
      const sf = (insn >>> 31) === 1;
      const width = sf ? 64 : 32;
      const opc = (insn >>> 29) & 3;
      const immr = (insn >>> 16) & 0x3f;
      const imms = (insn >>> 10) & 0x3f;
      const src = this.reg(rn, false) & (sf ? M64 : 0xffffffffn);
      if (opc === 2 && imms === width - 1) { this.setReg(rd, src >> BigInt(immr), false, sf); return true; }
      if (opc === 2 && imms + 1 === immr) { this.setReg(rd, src << BigInt(width - 1 - imms), false, sf); return true; }
      if (opc === 0 && sf && immr === 0 && imms === 31) { this.setReg(rd, BigInt.asIntN(32, src & 0xffffffffn), false, true); return true; }
    }
    // Anything else (FP arithmetic, immediates...): the destination becomes unknown.
    if (rd !== 31) this.x[rd] = 0xbad00000n + BigInt(rd);
    return true;
  }
}

const clang = findTool(['clang', 'clang-14', 'clang-15', 'clang-16', 'clang-17', 'clang-18']);
const lld = findTool(['lld-link', 'lld-link-14', 'lld-link-15', 'lld-link-16', 'lld-link-17', 'lld-link-18']);

if (clang === undefined || lld === undefined) {
  t.skip('clang and lld-link are needed to build the ARM64 test DLL');
} else {
  const dir = mkdtempSync(join(tmpdir(), 'dumpdbg-arm64-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(join(dir, 'f.c'), SOURCE);
  writeFileSync(join(dir, 'g.c'), HELPERS);
  let built = true;
  try {
    for (const f of ['f', 'g']) execFileSync(clang, ['--target=aarch64-pc-windows-msvc', '-O2', '-c', join(dir, `${f}.c`), '-o', join(dir, `${f}.obj`)], { stdio: 'pipe' });
    execFileSync(lld, ['/dll', '/noentry', '/nodefaultlib', '/machine:arm64', ...FUNCTIONS.map((f) => `/export:${f}`), join(dir, 'f.obj'), join(dir, 'g.obj'), `/out:${join(dir, 'f.dll')}`], { stdio: 'pipe' });
  } catch (e) {
    built = false;
    t.skip(`this clang cannot build aarch64-pc-windows-msvc code: ${String(e).split('\n')[0]}`);
  }
  if (built) {
    const img = PeImage.fromFile(join(dir, 'f.dll'));
    t.teardown(() => img.close());
    const base = img.base;
    const module: UnwindModule = {
      base, size: img.sizeOfImage, name: 'f.dll',
      image: { readRva: (rva, n) => img.readRva(rva, n), exceptionDirectory: () => img.exceptionDirectory() },
    };
    const caller: UnwindModule = { base: RA & ~0xffffn, size: 0x10000, name: 'caller.exe' };
    const code = (rva: number): number => img.readRva(rva, 4).readUInt32LE(0);

    let pdataKinds = { packed: 0, full: 0 };
    const dirEntry = img.exceptionDirectory()!;
    for (let i = 0; i < dirEntry.size / 8; i++) {
      const w = img.readRva(dirEntry.rva + 8 * i + 4, 4).readUInt32LE(0);
      if ((w & 3) === 0) pdataKinds.full++;
      else pdataKinds.packed++;
    }
    t.ok(pdataKinds.packed >= 2 && pdataKinds.full >= 2, `the DLL has packed (${pdataKinds.packed}) and full (${pdataKinds.full}) unwind records`);

    for (const name of FUNCTIONS) {
      t.test(name, async (t) => {
        const exp = img.exports().find((e) => e.name === name);
        t.ok(exp, 'exported');
        if (exp === undefined) return;
        const m = new Machine();
        let checked = 0;
        for (let k = 0; k < 256; k++) {
          const pcRva = exp.rva + 4 * k;
          const pc = base + BigInt(pcRva);
          // The state before instruction k is a context frame somewhere in the function.
          const regs: Record<string, bigint> = { pc, sp: m.sp, fp: m.x[29]!, lr: m.x[30]! };
          for (let i = 0; i <= 28; i++) regs[`x${i}`] = m.x[i]!;
          const memory = new FakeMemory().add(STACK_BASE, Buffer.from(m.stack));
          const env: UnwindEnvironment = { arch: 'arm64', memory, moduleAt: (a) => [module, caller].find((x) => a >= x.base && a < x.base + BigInt(x.size)) };
          const frames = walkStack(env, fakeContext('arm64', regs), { maxFrames: 2, scan: false });
          const f = frames[1];
          const where = `${name}+0x${(4 * k).toString(16)}`;
          const got = f === undefined ? 'no caller' : `pc 0x${f.pc.toString(16)} sp 0x${f.sp.toString(16)} fp 0x${f.fp.toString(16)} (${f.trust})`;
          if (f === undefined || f.pc !== RA || f.sp !== S0 || f.fp !== FP0) {
            t.fail(`${where}: want pc 0x${RA.toString(16)} sp 0x${S0.toString(16)} fp 0x${FP0.toString(16)}, got ${got}`);
          } else {
            const bad = CALLER_SAVED.filter(([r, v]) => f.context.regs[r] !== v);
            if (bad.length > 0) t.fail(`${where}: ${bad.map(([r]) => `${r}=0x${f.context.regs[r]?.toString(16)}`).join(' ')}`);
            else checked++;
          }
          if (!m.step(code(pcRva), pc)) break;
        }
        t.ok(checked >= 3, `${checked} instruction boundaries unwound exactly`);
      });
    }
  }
}
