/**
 * x64 unwinding on synthetic stacks. Every .pdata entry, UNWIND_INFO and code
 * byte below is assembled by hand from the Microsoft "x64 exception handling"
 * layout (B.2–B.6), with the prolog it describes written next to it.
 */
import t from 'tap';
import { walkStack } from '../../src/unwind/index.js';
import type { StackFrame } from '../../src/unwind/index.js';
import { FakeImage, FakeMemory, StackBuilder, fakeContext, fakeEnv, le32 } from '../fixtures/synth/stack-builder.js';

const IMG = 0x7ff600000000n;
const IMG_SIZE = 0x8000;
const CALLER = 0x140000000n;
const R1 = CALLER + 0x1234n; // a return address in a module without image bytes
const STACK = 0x14f000n;

const hex = (v: bigint): string => `0x${v.toString(16)}`;
const summary = (frames: StackFrame[]): string[] => frames.map((f) => `${hex(f.pc)} ${hex(f.sp)} ${f.trust}`);

/** An image with pdata at 0x5000 listing `fns` (begin, end, unwind info RVA), sorted. */
function image(fns: [number, number, number][]): FakeImage {
  const img = new FakeImage(IMG_SIZE, { rva: 0x5000, size: 12 * fns.length });
  fns.forEach(([b, e, u], i) => img.put(0x5000 + 12 * i, le32(b, e, u)));
  // Fill code with NOPs so no body address looks like an epilog.
  img.bytes.fill(0x90, 0x1000, 0x5000);
  return img;
}

function env(img: FakeImage | undefined, stack: Buffer, extraModules = true) {
  const memory = new FakeMemory().add(STACK, stack);
  const modules = [{ base: IMG, size: IMG_SIZE, name: 'test.dll', ...(img ? { image: img } : {}) }];
  if (extraModules) modules.push({ base: CALLER, size: 0x10000, name: 'caller.exe' });
  return fakeEnv({ arch: 'amd64', memory, modules, stackBounds: { low: STACK, high: STACK + BigInt(stack.length) } });
}

// Function A at 0x1000: push rbx (ends 1); push rdi (ends 2); sub rsp,28h (ends 6).
// Epilog at 0x1060: add rsp,28h; pop rdi; pop rbx; ret.
const A_INFO = [0x01, 0x06, 0x03, 0x00, /* codes */ 0x06, 0x42, /* alloc_small (4*8+8=0x28) */ 0x02, 0x70, /* push rdi */ 0x01, 0x30, /* push rbx */ 0x00, 0x00];
const A_EPILOG = [0x48, 0x83, 0xc4, 0x28, 0x5f, 0x5b, 0xc3];

function imageA(): FakeImage {
  const img = image([[0x1000, 0x1100, 0x6000]]);
  img.put(0x6000, A_INFO);
  img.put(0x1060, A_EPILOG);
  return img;
}

t.test('PUSH_NONVOL + ALLOC_SMALL in the body restore rbx/rdi and drop volatile registers', async (t) => {
  const s = new StackBuilder(STACK).fill(5, 0x1111n).word(0x7777n /* rdi */).word(0x3333n /* rbx */).mark('ret').word(R1).fill(4);
  const e = env(imageA(), s.build());
  const ctx = fakeContext('amd64', { rip: IMG + 0x1050n, rsp: STACK, rbp: 0n, rbx: 1n, rdi: 2n, rax: 5n, rcx: 6n, r12: 0xc12n });
  const frames = walkStack(e, ctx);
  t.same(summary(frames), [`${hex(IMG + 0x1050n)} ${hex(STACK)} context`, `${hex(R1)} ${hex(s.address('ret') + 8n)} unwind-info`]);
  const regs = frames[1]!.context.regs;
  t.equal(regs.rbx, 0x3333n);
  t.equal(regs.rdi, 0x7777n);
  t.equal(regs.r12, 0xc12n, 'untouched non-volatile register is carried');
  t.equal(regs.rax, undefined, 'volatile rax is not valid in the caller');
  t.equal(regs.rcx, undefined);
  t.match(frames[1]!.note ?? '', /no caller found/);
});

t.test('inside the prolog only the executed codes are undone', async (t) => {
  // RIP = 0x1002: push rbx and push rdi ran (CodeOffset 1, 2 <= 2), sub rsp did not (6 > 2).
  const s = new StackBuilder(STACK).word(0x7777n).word(0x3333n).mark('ret').word(R1).fill(2);
  const e = env(imageA(), s.build());
  const frames = walkStack(e, fakeContext('amd64', { rip: IMG + 0x1002n, rsp: STACK }));
  t.equal(frames[1]?.pc, R1);
  t.equal(frames[1]?.sp, s.address('ret') + 8n);
  t.equal(frames[1]?.context.regs.rdi, 0x7777n);
  t.equal(frames[1]?.context.regs.rbx, 0x3333n);
});

t.test('epilog in progress is simulated from the instruction bytes', async (t) => {
  t.test('at add rsp', async (t) => {
    const s = new StackBuilder(STACK).fill(5).word(0x7777n).word(0x3333n).mark('ret').word(R1).fill(2);
    const frames = walkStack(env(imageA(), s.build()), fakeContext('amd64', { rip: IMG + 0x1060n, rsp: STACK }));
    t.equal(frames[1]?.pc, R1);
    t.equal(frames[1]?.sp, s.address('ret') + 8n);
    t.equal(frames[1]?.context.regs.rdi, 0x7777n);
    t.match(frames[1]?.note ?? '', /epilog/);
  });
  t.test('at pop rbx: rdi was already restored by the epilog', async (t) => {
    const s = new StackBuilder(STACK).word(0x3333n).mark('ret').word(R1).fill(2);
    const frames = walkStack(env(imageA(), s.build()), fakeContext('amd64', { rip: IMG + 0x1065n, rsp: STACK, rdi: 0x4242n }));
    t.equal(frames[1]?.pc, R1);
    t.equal(frames[1]?.sp, STACK + 16n);
    t.equal(frames[1]?.context.regs.rbx, 0x3333n);
    t.equal(frames[1]?.context.regs.rdi, 0x4242n, 'rdi keeps its (already restored) value');
  });
  t.test('at ret', async (t) => {
    const s = new StackBuilder(STACK).mark('ret').word(R1).fill(2);
    const frames = walkStack(env(imageA(), s.build()), fakeContext('amd64', { rip: IMG + 0x1066n, rsp: STACK }));
    t.equal(frames[1]?.pc, R1);
    t.equal(frames[1]?.sp, STACK + 8n);
  });
  t.test('tail call: pop rbx; jmp outside the function', async (t) => {
    const img = imageA();
    // At 0x1070: pop rbx (5B); jmp rel32 to 0x2000 (E9, rel = 0x2000 - 0x1076).
    img.put(0x1070, [0x5b, 0xe9, ...le32(0x2000 - 0x1076)]);
    const s = new StackBuilder(STACK).word(0x3333n).mark('ret').word(R1).fill(2);
    const frames = walkStack(env(img, s.build()), fakeContext('amd64', { rip: IMG + 0x1070n, rsp: STACK }));
    t.equal(frames[1]?.pc, R1);
    t.equal(frames[1]?.context.regs.rbx, 0x3333n);
  });
  t.test('add rsp not followed by ret/jmp is ordinary code (codes are used)', async (t) => {
    const img = imageA();
    img.put(0x1080, [0x48, 0x83, 0xc4, 0x28, 0x90, 0xc3]);
    const s = new StackBuilder(STACK).fill(5).word(0x7777n).word(0x3333n).mark('ret').word(R1).fill(2);
    const frames = walkStack(env(img, s.build()), fakeContext('amd64', { rip: IMG + 0x1080n, rsp: STACK }));
    t.equal(frames[1]?.pc, R1);
    t.equal(frames[1]?.context.regs.rbx, 0x3333n);
    t.notMatch(frames[1]?.note ?? '', /epilog/);
  });
  t.test('a jmp back into the function is not an epilog', async (t) => {
    const img = imageA();
    img.put(0x1090, [0xeb, 0x100 - 0x22]); // jmp short to 0x1070 (inside)
    const s = new StackBuilder(STACK).fill(5).word(0x7777n).word(0x3333n).mark('ret').word(R1).fill(2);
    const frames = walkStack(env(img, s.build()), fakeContext('amd64', { rip: IMG + 0x1090n, rsp: STACK }));
    t.equal(frames[1]?.sp, s.address('ret') + 8n);
  });
});

t.test('ALLOC_LARGE in both forms', async (t) => {
  t.test('OpInfo 0: size = slot * 8', async (t) => {
    const img = image([[0x1000, 0x1100, 0x6000]]);
    // sub rsp,1000h (7 bytes, ends 7): ALLOC_LARGE info 0, slot 0x200.
    img.put(0x6000, [0x01, 0x07, 0x02, 0x00, 0x07, 0x01, 0x00, 0x02]);
    const s = new StackBuilder(STACK).fill(0x200).mark('ret').word(R1).fill(2);
    const frames = walkStack(env(img, s.build()), fakeContext('amd64', { rip: IMG + 0x1040n, rsp: STACK }));
    t.equal(frames[1]?.pc, R1);
    t.equal(frames[1]?.sp, STACK + 0x1008n);
  });
  t.test('OpInfo 1: unscaled 32-bit size', async (t) => {
    const img = image([[0x1000, 0x1100, 0x6000]]);
    // sub rsp,12340h: ALLOC_LARGE info 1, u32 0x00012340 in two slots (3 slots, padded to 4).
    img.put(0x6000, [0x01, 0x07, 0x03, 0x00, 0x07, 0x11, 0x40, 0x23, 0x01, 0x00, 0x00, 0x00]);
    const s = new StackBuilder(STACK).fill(0x12340 / 8).mark('ret').word(R1).fill(2);
    const frames = walkStack(env(img, s.build()), fakeContext('amd64', { rip: IMG + 0x1040n, rsp: STACK }));
    t.equal(frames[1]?.pc, R1);
    t.equal(frames[1]?.sp, STACK + 0x12348n);
  });
});

t.test('SET_FPREG: RSP is recomputed from the frame register (dynamic allocation below)', async (t) => {
  const img = image([[0x1000, 0x1100, 0x6000]]);
  // push rbp (ends 1); sub rsp,40h (ends 5); lea rbp,[rsp+20h] (ends 10). FrameRegister = rbp (5), FrameOffset 2 (32 bytes).
  img.put(0x6000, [0x01, 0x0a, 0x03, 0x25, 0x0a, 0x03, /* set_fpreg */ 0x05, 0x72, /* alloc 0x40 */ 0x01, 0x50, /* push rbp */ 0x00, 0x00]);
  const s = new StackBuilder(STACK).fill(0x20 /* alloca area */).mark('fixed').fill(8 /* 0x40 */).word(0xbbbbn /* saved rbp */).mark('ret').word(R1).fill(2);
  const rbp = s.address('fixed') + 0x20n;
  const frames = walkStack(env(img, s.build()), fakeContext('amd64', { rip: IMG + 0x1040n, rsp: STACK, rbp }));
  t.equal(frames[1]?.pc, R1);
  t.equal(frames[1]?.sp, s.address('ret') + 8n);
  t.equal(frames[1]?.context.regs.rbp, 0xbbbbn);
  t.equal(frames[1]?.fp, 0xbbbbn);
});

t.test('SET_FPREG with lea rsp,[rbp+disp] epilog', async (t) => {
  const img = image([[0x1000, 0x1100, 0x6000]]);
  img.put(0x6000, [0x01, 0x0a, 0x03, 0x25, 0x0a, 0x03, 0x05, 0x72, 0x01, 0x50, 0x00, 0x00]);
  // Epilog at 0x1070: lea rsp,[rbp+20h] (48 8D 65 20); pop rbp (5D); ret.
  img.put(0x1070, [0x48, 0x8d, 0x65, 0x20, 0x5d, 0xc3]);
  const s = new StackBuilder(STACK).fill(0x10).mark('fixed').fill(8).word(0xbbbbn).mark('ret').word(R1).fill(2);
  // rbp = fixed + 0x20, so lea rsp,[rbp+20h] = fixed + 0x40 = the saved rbp slot.
  const rbp = s.address('fixed') + 0x20n;
  const frames = walkStack(env(img, s.build()), fakeContext('amd64', { rip: IMG + 0x1070n, rsp: STACK, rbp }));
  t.equal(frames[1]?.pc, R1);
  t.equal(frames[1]?.context.regs.rbp, 0xbbbbn);
  t.match(frames[1]?.note ?? '', /epilog/);
});

t.test('SET_FPREG with r13 and a lea rsp,[r13+disp] epilog (REX.W+B)', async (t) => {
  const img = image([[0x1000, 0x1100, 0x6000]]);
  // push r13 (41 55, ends 2); sub rsp,40h (ends 6); lea r13,[rsp+20h] (ends 11). FrameRegister = r13 (13), FrameOffset 2.
  img.put(0x6000, [0x01, 0x0b, 0x03, 0x2d, 0x0b, 0x03, 0x06, 0x72, 0x02, 0xd0, 0x00, 0x00]);
  // Epilog at 0x1070: lea rsp,[r13+20h] (49 8D 65 20); pop r13 (41 5D); ret.
  img.put(0x1070, [0x49, 0x8d, 0x65, 0x20, 0x41, 0x5d, 0xc3]);
  const s = new StackBuilder(STACK).fill(0x10).mark('fixed').fill(8).word(0xd13dn).mark('ret').word(R1).fill(2);
  const r13 = s.address('fixed') + 0x20n;
  const frames = walkStack(env(img, s.build()), fakeContext('amd64', { rip: IMG + 0x1070n, rsp: STACK, r13 }));
  t.equal(frames[1]?.pc, R1);
  t.equal(frames[1]?.sp, s.address('ret') + 8n);
  t.equal(frames[1]?.context.regs.r13, 0xd13dn);
  t.match(frames[1]?.note ?? '', /epilog/);
  const body = walkStack(env(img, s.build()), fakeContext('amd64', { rip: IMG + 0x1040n, rsp: STACK, r13 }));
  t.equal(body[1]?.sp, s.address('ret') + 8n, 'body: SET_FPREG through r13');
  t.equal(body[1]?.context.regs.r13, 0xd13dn);
});

t.test('SAVE_NONVOL, SAVE_NONVOL_FAR, SAVE_XMM128, SAVE_XMM128_FAR use the frame base', async (t) => {
  const img = image([[0x1000, 0x1100, 0x6000]]);
  // sub rsp,58h (ends 4); mov [rsp+30h],rsi (ends 9); mov [rsp+38h],r12 (ends 14);
  // movaps [rsp+40h],xmm6 (ends 19); movaps [rsp+20h],xmm7 (ends 24).
  img.put(0x6000, [
    0x01, 0x18, 0x0b, 0x00, // 11 slots
    0x18, 0x79, ...le32(0x20).slice(0, 4), // save_xmm128_far xmm7, u32 offset 0x20 (3 slots)
    0x13, 0x68, 0x04, 0x00, // save_xmm128 xmm6, slot*16 = 0x40
    0x0e, 0xc5, 0x38, 0x00, 0x00, 0x00, // save_nonvol_far r12, u32 0x38
    0x09, 0x64, 0x06, 0x00, // save_nonvol rsi, slot*8 = 0x30
    0x04, 0xa2, // alloc_small (10*8+8 = 0x58)
    0x00, 0x00, // padding to an even slot count
  ]);
  const s = new StackBuilder(STACK)
    .fill(4)
    .mark('xmm7').d64(0x7070707070707070n).d64(0x7171717171717171n)
    .word(0x5151n /* rsi @30 */).word(0xc1c1n /* r12 @38 */)
    .mark('xmm6').d64(0x6060606060606060n).d64(0x6161616161616161n)
    .fill(1)
    .mark('ret').word(R1).fill(2);
  const ctx = fakeContext('amd64', { rip: IMG + 0x1040n, rsp: STACK });
  ctx.vectors = { xmm0: Buffer.alloc(16, 1), xmm6: Buffer.alloc(16, 6), xmm7: Buffer.alloc(16, 7), xmm8: Buffer.alloc(16, 8) };
  const frames = walkStack(env(img, s.build()), ctx);
  t.equal(frames[1]?.sp, s.address('ret') + 8n);
  t.equal(frames[1]?.context.regs.rsi, 0x5151n);
  t.equal(frames[1]?.context.regs.r12, 0xc1c1n);
  const v = frames[1]!.context.vectors!;
  t.equal(v.xmm6!.readBigUInt64LE(0), 0x6060606060606060n);
  t.equal(v.xmm7!.readBigUInt64LE(8), 0x7171717171717171n);
  t.same(v.xmm8, Buffer.alloc(16, 8), 'untouched non-volatile xmm8 carried');
  t.equal(v.xmm0, undefined, 'volatile xmm0 dropped');
});

t.test('PUSH_MACHFRAME: the trap frame gives RIP and RSP, no return address pop', async (t) => {
  for (const errorCode of [false, true]) {
    t.test(errorCode ? 'with error code' : 'without error code', async (t) => {
      const img = image([[0x1000, 0x1100, 0x6000]]);
      // A dispatcher-like function: codes [alloc_small 18h @0][push_machframe @0].
      img.put(0x6000, [0x01, 0x00, 0x02, 0x00, 0x00, 0x22, 0x00, errorCode ? 0x1a : 0x0a]);
      const s = new StackBuilder(STACK).fill(3);
      if (errorCode) s.word(0xdeadn);
      s.mark('mf').word(R1).word(0x33n).word(0x246n).word({ label: 'interrupted' }).word(0x2bn).fill(6).mark('interrupted').fill(4);
      const frames = walkStack(env(img, s.build()), fakeContext('amd64', { rip: IMG + 0x1010n, rsp: STACK, rbx: 9n }));
      t.equal(frames[1]?.pc, R1);
      t.equal(frames[1]?.sp, s.address('interrupted'));
      t.equal(frames[1]?.isMachineFrame, true);
      t.equal(frames[1]?.context.regs.cs, 0x33n);
      t.equal(frames[1]?.context.regs.efl, 0x246n);
    });
  }
});

t.test('chained unwind info: fragment codes, then all parent codes', async (t) => {
  const img = image([[0x1000, 0x1080, 0x6000], [0x1080, 0x1100, 0x6040]]);
  // Parent 0x1000-0x1080: push rbx (ends 1); sub rsp,20h (ends 5).
  img.put(0x6000, [0x01, 0x05, 0x02, 0x00, 0x05, 0x32, 0x01, 0x30]);
  // Fragment 0x1080-0x1100 (CHAININFO, flags 4 → byte0 = 1 | 4<<3 = 0x21): push r12 (ends 2), then chained RUNTIME_FUNCTION of the parent.
  img.put(0x6040, [0x21, 0x02, 0x01, 0x00, 0x02, 0xc0, 0x00, 0x00, ...le32(0x1000, 0x1080, 0x6000)]);
  const s = new StackBuilder(STACK).word(0xc12n).fill(4).word(0x3333n).mark('ret').word(R1).fill(2);
  const frames = walkStack(env(img, s.build()), fakeContext('amd64', { rip: IMG + 0x10c0n, rsp: STACK }));
  t.equal(frames[1]?.pc, R1);
  t.equal(frames[1]?.sp, s.address('ret') + 8n);
  t.equal(frames[1]?.context.regs.r12, 0xc12n);
  t.equal(frames[1]?.context.regs.rbx, 0x3333n);
  t.equal(frames[1]?.trust, 'unwind-info');
});

t.test('indirect RUNTIME_FUNCTION (UnwindInfoAddress bit 0)', async (t) => {
  const img = image([[0x1000, 0x1100, 0x5801]]);
  img.put(0x5800, le32(0x1000, 0x1100, 0x6000));
  img.put(0x6000, A_INFO);
  const s = new StackBuilder(STACK).fill(5).word(0x7777n).word(0x3333n).mark('ret').word(R1).fill(2);
  const frames = walkStack(env(img, s.build()), fakeContext('amd64', { rip: IMG + 0x1050n, rsp: STACK }));
  t.equal(frames[1]?.pc, R1);
  t.equal(frames[1]?.context.regs.rbx, 0x3333n);
});

t.test('version 2: leading UWOP_EPILOG descriptors are skipped', async (t) => {
  const img = image([[0x1000, 0x1100, 0x6000]]);
  // Version 2: [epilog size 7, at end (OpInfo bit0)] [epilog at end-0x20] then A's prolog codes.
  img.put(0x6000, [0x02, 0x06, 0x05, 0x00, 0x07, 0x16, 0x20, 0x06, 0x06, 0x42, 0x02, 0x70, 0x01, 0x30, 0x00, 0x00]);
  const s = new StackBuilder(STACK).fill(5).word(0x7777n).word(0x3333n).mark('ret').word(R1).fill(2);
  const frames = walkStack(env(img, s.build()), fakeContext('amd64', { rip: IMG + 0x1050n, rsp: STACK }));
  t.equal(frames[1]?.pc, R1);
  t.equal(frames[1]?.sp, s.address('ret') + 8n);
  t.equal(frames[1]?.context.regs.rbx, 0x3333n);
});

t.test('version 3 and reserved opcodes fall back instead of guessing', async (t) => {
  const img = image([[0x1000, 0x1100, 0x6000]]);
  img.put(0x6000, [0x03, 0x06, 0x01, 0x00, 0x06, 0x42, 0x00, 0x00]);
  const s = new StackBuilder(STACK).fill(5).mark('ret').word(R1).fill(2);
  const frames = walkStack(env(img, s.build()), fakeContext('amd64', { rip: IMG + 0x1050n, rsp: STACK }));
  t.equal(frames[1]?.pc, R1);
  t.equal(frames[1]?.trust, 'scan', 'found by scanning, not by the unparseable unwind info');
});

t.test('multi-frame walk through two functions of the image, return addresses looked up at pc - 1', async (t) => {
  const img = image([[0x1000, 0x1100, 0x6000], [0x2000, 0x2100, 0x6040]]);
  img.put(0x6000, A_INFO);
  // B at 0x2000: push rsi (ends 1); sub rsp,30h (ends 5).
  img.put(0x6040, [0x01, 0x05, 0x02, 0x00, 0x05, 0x52, 0x01, 0x60]);
  // B calls A at 0x2040: call rel32 (5 bytes), return address 0x2045. A call ending exactly at B's end must look up B, not the next function:
  img.put(0x2040, [0xe8, ...le32(0x1000 - 0x2045)]);
  const s = new StackBuilder(STACK)
    .fill(5).word(0x7777n).word(0x3333n).word(IMG + 0x2045n)
    .fill(6).word(0x5151n).mark('ret2').word(R1).fill(2);
  const frames = walkStack(env(img, s.build()), fakeContext('amd64', { rip: IMG + 0x1050n, rsp: STACK }));
  t.same(summary(frames).slice(1), [`${hex(IMG + 0x2045n)} ${hex(STACK + 0x40n)} unwind-info`, `${hex(R1)} ${hex(s.address('ret2') + 8n)} unwind-info`]);
  t.equal(frames[2]?.context.regs.rsi, 0x5151n);
  t.equal(frames[2]?.context.regs.rbx, 0x3333n, 'rbx restored in frame 1 is carried to frame 2');
});

t.test('return address just past a function that ends with a call (noreturn) uses pc - 1', async (t) => {
  const img = image([[0x1000, 0x1100, 0x6000], [0x2000, 0x2045, 0x6040], [0x2045, 0x2100, 0x6080]]);
  img.put(0x6000, A_INFO);
  img.put(0x6040, [0x01, 0x05, 0x02, 0x00, 0x05, 0x52, 0x01, 0x60]); // push rsi; sub rsp,30h
  img.put(0x6080, [0x01, 0x04, 0x01, 0x00, 0x04, 0xf2, 0x00, 0x00]); // a different function: sub rsp,80h
  img.put(0x2040, [0xe8, ...le32(0x1000 - 0x2045)]);
  const s = new StackBuilder(STACK).fill(5).word(0x7777n).word(0x3333n).word(IMG + 0x2045n).fill(6).word(0x5151n).mark('ret2').word(R1).fill(2);
  const frames = walkStack(env(img, s.build()), fakeContext('amd64', { rip: IMG + 0x1050n, rsp: STACK }));
  t.equal(frames[2]?.pc, R1);
  t.equal(frames[2]?.sp, s.address('ret2') + 8n);
});

t.test('leaf function (no RUNTIME_FUNCTION): return address at [rsp]', async (t) => {
  const s = new StackBuilder(STACK).mark('ret').word(R1).fill(2);
  const frames = walkStack(env(imageA(), s.build()), fakeContext('amd64', { rip: IMG + 0x3000n, rsp: STACK }));
  t.equal(frames[1]?.pc, R1);
  t.equal(frames[1]?.sp, STACK + 8n);
  t.equal(frames[1]?.trust, 'unwind-info');
  t.match(frames[1]?.note ?? '', /leaf/);
});

t.test('a leaf whose [rsp] is not a return address falls back to scanning', async (t) => {
  const s = new StackBuilder(STACK).word(0n).word(0x1234n).word(R1).fill(2);
  const frames = walkStack(env(imageA(), s.build()), fakeContext('amd64', { rip: IMG + 0x3000n, rsp: STACK }));
  t.equal(frames[1]?.pc, R1);
  t.equal(frames[1]?.sp, STACK + 24n);
  t.equal(frames[1]?.trust, 'scan');
});

t.test('call through a null pointer (rip 0) unwinds as a leaf from [rsp]', async (t) => {
  const s = new StackBuilder(STACK).word(R1).fill(2);
  const frames = walkStack(env(imageA(), s.build()), fakeContext('amd64', { rip: 0n, rsp: STACK }));
  t.equal(frames.length, 2);
  t.equal(frames[0]?.pc, 0n);
  t.equal(frames[1]?.pc, R1);
  t.equal(frames[1]?.sp, STACK + 8n);
  t.match(frames[1]?.note ?? '', /null pointer/);
});

t.test('a garbage pc that is not in the null page and not in a module ends or scans, never throws', async (t) => {
  const frames = walkStack(env(imageA(), Buffer.alloc(64)), fakeContext('amd64', { rip: 0x5000n, rsp: STACK }));
  t.equal(frames.length, 1);
  t.match(frames[0]?.note ?? '', /no caller/);
});

t.test('stack scanning', async (t) => {
  t.test('accepts only values preceded by a CALL when the code bytes are readable', async (t) => {
    const img = image([]);
    // 0x1105 follows NOPs (not a call); 0x1205 follows `call rel32`; 0x1306 follows `call [rip+x]` (FF 15).
    img.put(0x1200, [0xe8, 0, 0, 0, 0]);
    img.put(0x1300, [0xff, 0x15, 0, 0, 0, 0]);
    const s = new StackBuilder(STACK).word(0x1234n).word(IMG + 0x1105n).word(IMG + 0x1205n).fill(3).word(IMG + 0x1306n).fill(2);
    const e = env(img, s.build());
    // Context in a module without image bytes → no unwind info, no rbp: scan.
    const frames = walkStack(e, fakeContext('amd64', { rip: CALLER + 0x500n, rsp: STACK }));
    t.same(summary(frames).slice(1), [`${hex(IMG + 0x1205n)} ${hex(STACK + 0x18n)} scan`, `${hex(IMG + 0x1306n)} ${hex(STACK + 0x38n)} scan`]);
  });
  t.test('register and memory call forms', async (t) => {
    const img = image([]);
    img.put(0x1100, [0x41, 0xff, 0xd3]); // call r11 → return 0x1103
    img.put(0x1200, [0xff, 0x50, 0x18]); // call [rax+18h] → return 0x1203
    img.put(0x1300, [0xff, 0x94, 0x24, 0x00, 0x01, 0x00, 0x00]); // call [rsp+100h] (SIB + disp32) → 0x1307
    img.put(0x1400, [0xff, 0xe0]); // jmp rax (FF /4): not a call → 0x1402 rejected
    const s = new StackBuilder(STACK).word(IMG + 0x1402n).word(IMG + 0x1103n).word(IMG + 0x1203n).word(IMG + 0x1307n).fill(2);
    const frames = walkStack(env(img, s.build()), fakeContext('amd64', { rip: CALLER + 0x500n, rsp: STACK }));
    t.same(frames.slice(1).map((f) => f.pc), [IMG + 0x1103n, IMG + 0x1203n, IMG + 0x1307n]);
  });
  t.test('without code bytes, any in-module value is taken', async (t) => {
    const s = new StackBuilder(STACK).word(0x1234n).word(CALLER + 0x777n).fill(2);
    const frames = walkStack(env(undefined, s.build()), fakeContext('amd64', { rip: IMG + 0x10n, rsp: STACK }));
    t.equal(frames[1]?.pc, CALLER + 0x777n);
    t.equal(frames[1]?.trust, 'scan');
  });
  t.test('scan: false stops instead', async (t) => {
    const s = new StackBuilder(STACK).word(CALLER + 0x777n).fill(2);
    const frames = walkStack(env(undefined, s.build()), fakeContext('amd64', { rip: IMG + 0x10n, rsp: STACK }), { scan: false });
    t.equal(frames.length, 1);
  });
  t.test('the window is bounded: 160 words from the context frame', async (t) => {
    const s = new StackBuilder(STACK).fill(170).word(CALLER + 0x777n).fill(2);
    const frames = walkStack(env(undefined, s.build()), fakeContext('amd64', { rip: IMG + 0x10n, rsp: STACK }));
    t.equal(frames.length, 1);
  });
});

t.test('no frame-pointer unwinding on x64: an rbp that skips frames is not followed', async (t) => {
  // rbp holds an ancestor's frame (the current functions do not use it); the true callers are found by scanning.
  const s = new StackBuilder(STACK)
    .fill(2).word(CALLER + 0x100n)
    .fill(2).word(CALLER + 0x200n)
    .mark('anc').word({ label: 'top' }).word(CALLER + 0x300n)
    .mark('top').fill(2);
  const frames = walkStack(env(undefined, s.build()), fakeContext('amd64', { rip: CALLER + 0x50n, rsp: STACK, rbp: s.address('anc') }));
  t.same(frames.slice(1).map((f) => [f.pc, f.trust]), [[CALLER + 0x100n, 'scan'], [CALLER + 0x200n, 'scan'], [CALLER + 0x300n, 'scan']]);
  t.equal(frames[1]?.fp, s.address('anc'), 'rbp is carried (callee-saved) through scanned frames');
});

t.test('STACK CFI rows are used for modules without images', async (t) => {
  const s = new StackBuilder(STACK).fill(3).word(0x3333n).mark('ret').word(R1).fill(2);
  const memory = new FakeMemory().add(STACK, s.build());
  const e = fakeEnv({
    arch: 'amd64', memory,
    modules: [{ base: IMG, size: IMG_SIZE, name: 'test.dll' }, { base: CALLER, size: 0x10000, name: 'caller.exe' }],
    cfiRules: (a) => (a >= IMG + 0x1000n && a < IMG + 0x1100n
      ? { start: IMG + 0x1000n, size: 0x100, init: '.cfa: $rsp 8 + .ra: .cfa 8 - ^', deltas: [{ address: IMG + 0x1001n, rules: '.cfa: $rsp 16 + $rbx: .cfa 16 - ^' }, { address: IMG + 0x1005n, rules: '.cfa: $rsp 40 +' }] }
      : undefined),
  });
  const frames = walkStack(e, fakeContext('amd64', { rip: IMG + 0x1050n, rsp: STACK, rbx: 1n, rsi: 2n }));
  t.equal(frames[1]?.pc, R1);
  t.equal(frames[1]?.sp, s.address('ret') + 8n);
  t.equal(frames[1]?.trust, 'cfi');
  t.equal(frames[1]?.context.regs.rbx, 0x3333n);
  t.equal(frames[1]?.context.regs.rsi, 2n);
});

t.test('termination guards', async (t) => {
  t.test('a machine frame pointing down the stack is rejected (no forward progress)', async (t) => {
    const img = image([[0x1000, 0x1100, 0x6000]]);
    img.put(0x6000, [0x01, 0x00, 0x01, 0x00, 0x00, 0x0a, 0x00, 0x00]);
    const s = new StackBuilder(STACK).word(R1).word(0x33n).word(0x246n).word(STACK - 0x100n).word(0x2bn);
    const frames = walkStack(env(img, s.build()), fakeContext('amd64', { rip: IMG + 0x1010n, rsp: STACK }), { scan: false });
    t.equal(frames.length, 1);
    t.match(frames[0]?.note ?? '', /did not move the stack pointer up/);
  });
  t.test('return address 0 from unwind info ends the walk', async (t) => {
    const s = new StackBuilder(STACK).fill(5).word(0n).word(0n).word(0n).fill(4, 0n);
    const frames = walkStack(env(imageA(), s.build()), fakeContext('amd64', { rip: IMG + 0x1050n, rsp: STACK }));
    t.equal(frames.length, 1);
    t.match(frames[0]?.note ?? '', /end of stack/);
  });
  t.test('maxFrames caps a long walk', async (t) => {
    const s = new StackBuilder(STACK);
    for (let i = 0; i < 50; i++) s.word(0n).word(CALLER + 0x100n + BigInt(i));
    s.fill(2);
    const frames = walkStack(env(undefined, s.build()), fakeContext('amd64', { rip: CALLER + 0x50n, rsp: STACK }), { maxFrames: 10 });
    t.equal(frames.length, 10);
    t.match(frames[9]?.note ?? '', /frame limit/);
    const all = walkStack(env(undefined, s.build()), fakeContext('amd64', { rip: CALLER + 0x50n, rsp: STACK }), { maxFrames: 1e9 });
    t.equal(all.length, 51);
  });
  t.test('random memory and registers: bounded, no throw', async (t) => {
    let seed = 12345;
    const rnd = (): number => { seed = (seed * 1103515245 + 12345) & 0x7fffffff; return seed; };
    for (let round = 0; round < 30; round++) {
      const img = new FakeImage(IMG_SIZE, { rva: 0x5000, size: 0x300 });
      for (let i = 0; i < IMG_SIZE; i++) img.bytes[i] = rnd() & 0xff;
      // Sorted random pdata so the binary search lands on real entries.
      for (let i = 0; i < 64; i++) img.put(0x5000 + 12 * i, le32(0x1000 + i * 0x40, 0x1000 + i * 0x40 + 0x40, (rnd() % IMG_SIZE) & ~3));
      const stack = Buffer.alloc(0x2000);
      for (let i = 0; i < stack.length; i += 8) stack.writeBigUInt64LE(rnd() % 3 === 0 ? IMG + BigInt(rnd() % IMG_SIZE) : BigInt(rnd()) * BigInt(rnd()), i);
      const e = env(img, stack);
      const started = Date.now();
      const frames = walkStack(e, fakeContext('amd64', { rip: IMG + BigInt(0x1000 + (rnd() % 0x1000)), rsp: STACK + BigInt(rnd() % 0x100) * 8n, rbp: STACK + 0x100n }));
      t.ok(frames.length >= 1 && frames.length <= 256);
      t.ok(Date.now() - started < 2000);
      for (let i = 1; i < frames.length; i++) t.ok(frames[i]!.sp > frames[i - 1]!.sp, 'stack pointer strictly increases');
    }
  });
});

t.test('CET shadow stack: return addresses found on the stack in shadow-stack order', async (t) => {
  const img = image([]);
  for (const r of [0x1105, 0x1205, 0x1305]) img.put(r - 5, [0xe8, 0, 0, 0, 0]);
  const SHADOW = 0x90000n;
  // The stack also holds decoys that pass every scanning test (in-module, after a CALL).
  const s = new StackBuilder(STACK)
    .word(IMG + 0x1305n /* decoy */).fill(2).mark('a').word(IMG + 0x1105n)
    .word(IMG + 0x1205n /* decoy */).fill(3).mark('b').word(IMG + 0x1305n)
    .fill(2).mark('c').word(IMG + 0x1205n).fill(2);
  const shadow = new StackBuilder(SHADOW).word(IMG + 0x1105n).word(IMG + 0x1305n).word(IMG + 0x1205n);
  const memory = new FakeMemory().add(STACK, s.build()).add(SHADOW, shadow.build());
  const e = fakeEnv({ arch: 'amd64', memory, modules: [{ base: IMG, size: IMG_SIZE, name: 'test.dll', image: img }], stackBounds: { low: STACK, high: STACK + 0x100n } });
  const ctx = fakeContext('amd64', { rip: CALLER + 0x10n, rsp: STACK });
  ctx.cetSsp = SHADOW;
  const frames = walkStack(e, ctx);
  t.same(frames.slice(1).map((f) => [f.pc, f.sp, f.trust]), [
    [IMG + 0x1105n, s.address('a') + 8n, 'prewalked'],
    [IMG + 0x1305n, s.address('b') + 8n, 'prewalked'],
    [IMG + 0x1205n, s.address('c') + 8n, 'prewalked'],
  ]);
  const plain = walkStack(e, fakeContext('amd64', { rip: CALLER + 0x10n, rsp: STACK }));
  t.equal(plain[1]?.pc, IMG + 0x1305n, 'without the shadow stack the first decoy wins');
});
