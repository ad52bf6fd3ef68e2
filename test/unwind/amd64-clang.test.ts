/**
 * x64 unwinding checked against real compiler output: clang
 * (x86_64-pc-windows-msvc) and lld-link build a DLL with LLVM's UNWIND_INFO
 * (pushes, ALLOC_SMALL/LARGE with __chkstk inside the prolog, SAVE_XMM128,
 * SET_FPREG); llvm-objdump lists the instructions; a small emulator runs each
 * function from its entry and, at every instruction boundary, the unwinder
 * must recover the caller's RIP, RSP and non-volatile registers (XMM6–15
 * included). Skipped when the LLVM tools are not installed.
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
      // try the next one
    }
  }
  return undefined;
}
const versions = ['', '-14', '-15', '-16', '-17', '-18'];
const clang = findTool(versions.map((v) => `clang${v}`));
const lld = findTool(versions.map((v) => `lld-link${v}`));
const objdump = findTool(versions.map((v) => `llvm-objdump${v}`));

const OPTIMIZED = `
extern void callee(long long *);
extern long long ext(long long, long long);
extern double dext(double, double);
long long small_frame(long long a) { long long x = a; callee(&x); return x + 1; }
long long saves(long long a, long long b, long long c, long long d) {
  long long r = ext(a, b); long long s = ext(c, d); long long t = ext(r, s); long long u = ext(t, a);
  long long v = ext(u, b); return r + s + t + u + v + c + d;
}
long long big_frame(long long a) { long long buf[1200]; buf[0] = a; callee(buf); return buf[10]; }
double xmm_saves(double a, double b, long long c) { double x = a * 2; double y = b * 3; double z = dext(x, y); return x + y + z + dext(z, x) * y; }
long long many_saves(long long a) {
  long long r[9]; for (int i = 0; i < 9; i++) r[i] = ext(a, i);
  return r[0] + r[1] * r[2] + r[3] * r[4] + r[5] + r[6] + r[7] + r[8];
}
`;
const FRAMED = `
extern void callee(long long *);
extern long long ext(long long, long long);
long long framed(long long a) { long long buf[8]; buf[0] = a; callee(buf); return buf[0] + ext(a, buf[1]); }
long long framed_big(long long a) { long long buf[700]; buf[0] = a; callee(buf); return buf[0] + ext(a, buf[1]); }
`;
const HELPERS = 'void callee(long long *p) { p[0]++; }\nlong long ext(long long a, long long b) { return a + b; }\ndouble dext(double a, double b) { return a * b; }\nvoid __chkstk(void) {}\nint _fltused = 0;\n';
const FUNCTIONS = ['small_frame', 'saves', 'big_frame', 'xmm_saves', 'many_saves', 'framed', 'framed_big'];

const M64 = (1n << 64n) - 1n;
const STACK_BASE = 0x200000n;
const STACK_SIZE = 0x10000;
const S0 = STACK_BASE + 0xf000n; // RSP at entry: [S0] is the return address
const RA = 0x7ff800001234n;
const NONVOLATILE = ['rbx', 'rbp', 'rsi', 'rdi', 'r12', 'r13', 'r14', 'r15'];
const GPR = ['rax', 'rcx', 'rdx', 'rbx', 'rsp', 'rbp', 'rsi', 'rdi', 'r8', 'r9', 'r10', 'r11', 'r12', 'r13', 'r14', 'r15'];
const GPR32: Record<string, string> = { eax: 'rax', ecx: 'rcx', edx: 'rdx', ebx: 'rbx', esp: 'rsp', ebp: 'rbp', esi: 'rsi', edi: 'rdi' };
for (let i = 8; i < 16; i++) GPR32[`r${i}d`] = `r${i}`;

function originalOf(reg: string): bigint {
  return 0xa000n + BigInt(GPR.indexOf(reg));
}
function originalXmm(n: number): Buffer {
  return Buffer.alloc(16, 0x60 + n);
}

interface Insn { addr: bigint; text: string }

/** Emulates the handful of instruction forms prologs and epilogs use; everything else only clobbers its destination. */
class Machine {
  readonly r = new Map<string, bigint>();
  readonly xmm: Buffer[] = Array.from({ length: 16 }, (_, i) => originalXmm(i));
  readonly stack = Buffer.alloc(STACK_SIZE);

  constructor() {
    for (const g of GPR) this.r.set(g, originalOf(g));
    this.r.set('rsp', S0);
    this.stack.writeBigUInt64LE(RA, Number(S0 - STACK_BASE));
  }

  private off(a: bigint, n: number): number {
    const o = Number(a - STACK_BASE);
    if (o < 0 || o + n > STACK_SIZE) throw new Error(`stack access out of range at 0x${a.toString(16)}`);
    return o;
  }

  private reg64(name: string): string | undefined {
    if (GPR.includes(name)) return name;
    return GPR32[name];
  }

  /** `[rsp + 32]`, `[rbp - 0x10]` → address, when based on rsp/rbp. */
  private mem(operand: string): bigint | undefined {
    const m = /\[(rsp|rbp)(?:\s*([+-])\s*(0x[0-9a-f]+|\d+))?\]/.exec(operand);
    if (m === null) return undefined;
    const base = this.r.get(m[1]!)!;
    const n = m[3] === undefined ? 0n : BigInt(m[3]);
    return (m[2] === '-' ? base - n : base + n) & M64;
  }

  private value(operand: string): bigint | undefined {
    const reg = this.reg64(operand);
    if (reg !== undefined) return this.r.get(reg);
    if (/^(0x[0-9a-f]+|\d+)$/.test(operand)) return BigInt(operand);
    return undefined;
  }

  /** Executes one instruction; false at ret / jmp (leaves the function). */
  step(text: string): boolean {
    const [mnemonic = '', rest = ''] = text.split(/\s+(.*)/s);
    const ops = rest.split(/,\s*/).map((s) => s.trim());
    const [dst = '', src = ''] = ops;
    switch (mnemonic) {
      case 'ret': case 'jmp': return false;
      case 'call': return true; // the callee returns with RSP unchanged; register effects do not matter here
      case 'push': {
        const sp = (this.r.get('rsp')! - 8n) & M64;
        this.r.set('rsp', sp);
        this.stack.writeBigUInt64LE(this.r.get(this.reg64(dst)!)!, this.off(sp, 8));
        return true;
      }
      case 'pop': {
        const sp = this.r.get('rsp')!;
        this.r.set(this.reg64(dst)!, this.stack.readBigUInt64LE(this.off(sp, 8)));
        this.r.set('rsp', sp + 8n);
        return true;
      }
      case 'movaps': case 'movapd': case 'movups': case 'movdqa': {
        const dAddr = this.mem(dst);
        const sAddr = this.mem(src);
        if (dAddr !== undefined && /^xmm\d+$/.test(src)) {
          this.xmm[Number(src.slice(3))]!.copy(this.stack, this.off(dAddr, 16));
          return true;
        }
        if (sAddr !== undefined && /^xmm\d+$/.test(dst)) {
          this.xmm[Number(dst.slice(3))] = Buffer.from(this.stack.subarray(this.off(sAddr, 16), this.off(sAddr, 16) + 16));
          return true;
        }
        break;
      }
      case 'mov': {
        const dAddr = dst.includes('[') ? this.mem(dst) : undefined;
        if (dAddr !== undefined && dst.startsWith('qword ptr')) {
          const v = this.value(src);
          this.stack.writeBigUInt64LE(v ?? 0xdeadn, this.off(dAddr, 8));
          return true;
        }
        const d = this.reg64(dst);
        if (d !== undefined) {
          const sAddr = src.includes('[') ? this.mem(src) : undefined;
          if (sAddr !== undefined && src.startsWith('qword ptr')) {
            this.r.set(d, this.stack.readBigUInt64LE(this.off(sAddr, 8)));
            return true;
          }
          const v = this.value(src);
          if (v !== undefined) {
            this.r.set(d, GPR.includes(dst) ? v : v & 0xffffffffn);
            return true;
          }
        }
        break;
      }
      case 'add': case 'sub': {
        const d = this.reg64(dst);
        const v = this.value(src);
        if (d !== undefined && v !== undefined && GPR.includes(dst)) {
          const cur = this.r.get(d)!;
          this.r.set(d, (mnemonic === 'add' ? cur + v : cur - v) & M64);
          return true;
        }
        break;
      }
      case 'lea': {
        const d = this.reg64(dst);
        const a = this.mem(src);
        if (d !== undefined && a !== undefined) {
          this.r.set(d, a);
          return true;
        }
        break;
      }
      default:
        break;
    }
    // Not modelled: the destination register (if any) now holds junk; RSP must never land here.
    const d = this.reg64(dst);
    if (d === 'rsp') throw new Error(`unmodelled write to rsp: ${text}`);
    if (d !== undefined) this.r.set(d, 0xbad0000n + BigInt(GPR.indexOf(d)));
    if (/^xmm\d+$/.test(dst)) this.xmm[Number(dst.slice(3))] = Buffer.alloc(16, 0xee);
    return true;
  }
}

/** llvm-objdump -d -M intel: address → instruction text, per function symbol. */
function disassemble(tool: string, dll: string): Map<string, Insn[]> {
  const out = new Map<string, Insn[]>();
  const text = execFileSync(tool, ['-d', '-M', 'intel', '--no-show-raw-insn', dll], { encoding: 'utf8' });
  let cur: Insn[] | undefined;
  for (const line of text.split('\n')) {
    const sym = /^[0-9a-f]+ <([^>+]+)>:$/.exec(line);
    if (sym !== null) { cur = []; out.set(sym[1]!, cur); continue; }
    const ins = /^\s*([0-9a-f]+):\s+(.*?)\s*(?:#.*)?$/.exec(line);
    if (ins !== null && cur !== undefined) cur.push({ addr: BigInt(`0x${ins[1]}`), text: ins[2]!.replace(/\s+/g, ' ').trim() });
  }
  return out;
}

if (clang === undefined || lld === undefined || objdump === undefined) {
  t.skip('clang, lld-link and llvm-objdump are needed to build and read the x64 test DLL');
} else {
  const dir = mkdtempSync(join(tmpdir(), 'dumpdbg-x64-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(join(dir, 'f.c'), OPTIMIZED);
  writeFileSync(join(dir, 'h.c'), FRAMED);
  writeFileSync(join(dir, 'g.c'), HELPERS);
  let built = true;
  try {
    const cc = (file: string, extra: string[]): void => {
      execFileSync(clang, ['--target=x86_64-pc-windows-msvc', '-O2', ...extra, '-c', join(dir, `${file}.c`), '-o', join(dir, `${file}.obj`)], { stdio: 'pipe' });
    };
    cc('f', []);
    cc('h', ['-fno-omit-frame-pointer']);
    cc('g', []);
    execFileSync(lld, ['/dll', '/noentry', '/nodefaultlib', '/machine:x64', ...FUNCTIONS.map((f) => `/export:${f}`), ...['f', 'h', 'g'].map((f) => join(dir, `${f}.obj`)), `/out:${join(dir, 'f.dll')}`], { stdio: 'pipe' });
  } catch (e) {
    built = false;
    t.skip(`this clang cannot build x86_64-pc-windows-msvc code: ${String(e).split('\n')[0]}`);
  }
  if (built) {
    const dll = join(dir, 'f.dll');
    const img = PeImage.fromFile(dll);
    t.teardown(() => img.close());
    const module: UnwindModule = {
      base: img.base, size: img.sizeOfImage, name: 'f.dll',
      image: { readRva: (rva, n) => img.readRva(rva, n), exceptionDirectory: () => img.exceptionDirectory() },
    };
    const caller: UnwindModule = { base: RA & ~0xffffn, size: 0x10000, name: 'caller.exe' };
    const code = disassemble(objdump, dll);

    for (const name of FUNCTIONS) {
      t.test(name, async (t) => {
        const insns = code.get(name) ?? [];
        t.ok(insns.length > 3, 'disassembled');
        const m = new Machine();
        let checked = 0;
        for (const ins of insns) {
          const regs: Record<string, bigint> = { rip: ins.addr };
          for (const g of GPR) regs[g] = m.r.get(g)!;
          const ctx = fakeContext('amd64', regs);
          ctx.vectors = Object.fromEntries(m.xmm.map((b, i) => [`xmm${i}`, Buffer.from(b)]));
          const env: UnwindEnvironment = {
            arch: 'amd64',
            memory: new FakeMemory().add(STACK_BASE, Buffer.from(m.stack)),
            moduleAt: (a) => [module, caller].find((x) => a >= x.base && a < x.base + BigInt(x.size)),
          };
          const f = walkStack(env, ctx, { maxFrames: 2, scan: false })[1];
          const where = `${name}+0x${(ins.addr - code.get(name)![0]!.addr).toString(16)} (${ins.text})`;
          if (f === undefined || f.pc !== RA || f.sp !== S0 + 8n) {
            t.fail(`${where}: want rip 0x${RA.toString(16)} rsp 0x${(S0 + 8n).toString(16)}, got ${f === undefined ? 'no caller' : `rip 0x${f.pc.toString(16)} rsp 0x${f.sp.toString(16)}`}`);
          } else {
            const badRegs = NONVOLATILE.filter((r) => f.context.regs[r] !== originalOf(r));
            const badXmm = [6, 7, 8, 9, 10, 11, 12, 13, 14, 15].filter((n) => !f.context.vectors?.[`xmm${n}`]?.equals(originalXmm(n)));
            if (badRegs.length > 0 || badXmm.length > 0) t.fail(`${where}: wrong ${[...badRegs, ...badXmm.map((n) => `xmm${n}`)].join(' ')}`);
            else checked++;
          }
          if (!m.step(ins.text)) break;
        }
        t.ok(checked >= 3, `${checked} instruction boundaries unwound exactly`);
      });
    }
  }
}
