/**
 * ARM64 unwinding on synthetic stacks. .pdata entries, packed unwind words and
 * .xdata records are assembled by hand from the Microsoft "ARM64 exception
 * handling" layout (D.1–D.4); each test shows the prolog it describes.
 */
import t from 'tap';
import { walkStack } from '../../src/unwind/index.js';
import { stripPac } from '../../src/unwind/arm64.js';
import { FakeImage, FakeMemory, StackBuilder, fakeContext, fakeEnv, le32 } from '../fixtures/synth/stack-builder.js';

const IMG = 0x7ff700000000n;
const IMG_SIZE = 0x8000;
const CALLER = 0x7ff800000000n;
const RA = CALLER + 0x1004n; // return address in a module without image
const STACK = 0x5f000n;

/** Packed .pdata second word (Flag 1 unless given): FunctionLength in instructions, FrameSize in 16-byte units. */
function packed(o: { len: number; regF?: number; regI?: number; h?: number; cr: number; frameSize: number; flag?: number }): number {
  return ((o.flag ?? 1) | (o.len << 2) | ((o.regF ?? 0) << 13) | ((o.regI ?? 0) << 16) | ((o.h ?? 0) << 20) | (o.cr << 21) | (o.frameSize << 23)) >>> 0;
}

/** .xdata header word 0. */
function xdataHeader(o: { len: number; x?: number; e?: number; epilogs: number; codeWords: number }): number {
  return (o.len | ((o.x ?? 0) << 20) | ((o.e ?? 0) << 21) | (o.epilogs << 22) | (o.codeWords << 27)) >>> 0;
}

function image(entries: [number, number][]): FakeImage {
  const img = new FakeImage(IMG_SIZE, { rva: 0x5000, size: 8 * entries.length });
  entries.forEach(([begin, word], i) => img.put(0x5000 + 8 * i, le32(begin, word)));
  return img;
}

function env(img: FakeImage | undefined, stack: Buffer) {
  const memory = new FakeMemory().add(STACK, stack);
  return fakeEnv({
    arch: 'arm64', memory,
    modules: [{ base: IMG, size: IMG_SIZE, name: 'test.dll', ...(img ? { image: img } : {}) }, { base: CALLER, size: 0x10000, name: 'caller.exe' }],
    stackBounds: { low: STACK, high: STACK + BigInt(stack.length) },
  });
}

t.test('packed, CR=3 (chained x29/lr), RegI=2, FrameSize 64', async (t) => {
  // stp x19,x20,[sp,#-16]!; stp x29,lr,[sp,#-48]!; mov x29,sp. Function 0x40 instructions at 0x1000.
  const word = packed({ len: 0x40, regI: 2, cr: 3, frameSize: 4 });
  t.test('in the body', async (t) => {
    const s = new StackBuilder(STACK).mark('S').word(0x2929n /* saved x29 */).word(RA).fill(4).word(0x1919n).word(0x2020n).mark('top').fill(2);
    const frames = walkStack(env(image([[0x1000, word]]), s.build()), fakeContext('arm64', { pc: IMG + 0x1080n, sp: s.address('S'), fp: s.address('S'), lr: 0xdeadn, x19: 1n, x0: 5n }));
    t.equal(frames[1]?.pc, RA);
    t.equal(frames[1]?.sp, s.address('top'));
    t.equal(frames[1]?.fp, 0x2929n);
    t.equal(frames[1]?.context.regs.x19, 0x1919n);
    t.equal(frames[1]?.context.regs.x20, 0x2020n);
    t.equal(frames[1]?.context.regs.x0, undefined, 'volatile x0 dropped');
    t.equal(frames[1]?.trust, 'unwind-info');
  });
  t.test('in the prolog after the first instruction', async (t) => {
    const s = new StackBuilder(STACK).word(0x1919n).word(0x2020n).mark('top').fill(2);
    const frames = walkStack(env(image([[0x1000, word]]), s.build()), fakeContext('arm64', { pc: IMG + 0x1004n, sp: STACK, fp: 0x77n, lr: RA }));
    t.equal(frames[1]?.pc, RA);
    t.equal(frames[1]?.sp, s.address('top'));
    t.equal(frames[1]?.context.regs.x19, 0x1919n);
    t.equal(frames[1]?.fp, 0x77n, 'x29 not saved yet: unchanged');
  });
  t.test('in the epilog, x29/lr already reloaded', async (t) => {
    // Epilog = last 4 instructions: ldp x29,lr,[sp],#48; ldp x19,x20,[sp],#16; ret (+ mov sp,x29). PC at the second ldp.
    const s = new StackBuilder(STACK).word(0x1919n).word(0x2020n).mark('top').fill(2);
    const frames = walkStack(env(image([[0x1000, word]]), s.build()), fakeContext('arm64', { pc: IMG + 0x1000n + 4n * 0x3en, sp: STACK, fp: 0x77n, lr: RA }));
    t.equal(frames[1]?.pc, RA);
    t.equal(frames[1]?.sp, s.address('top'));
    t.equal(frames[1]?.context.regs.x20, 0x2020n);
  });
});

t.test('packed, CR=1 (lr saved with x19), RegI=1, RegF=1 (d8,d9), H=0', async (t) => {
  // intsz = 8 + 8 (lr) = 16, fpsz = 16, regsave = 32, FrameSize 48 → local 16.
  // stp x19,lr,[sp,#-32]!; stp d8,d9,[sp,#16]; sub sp,sp,#16.
  const word = packed({ len: 0x20, regI: 1, regF: 1, cr: 1, frameSize: 3 });
  const s = new StackBuilder(STACK).fill(2).word(0x1919n).word(RA).d64(0x8888n).d64(0x9999n).mark('top').fill(2);
  const ctx = fakeContext('arm64', { pc: IMG + 0x1040n, sp: STACK, fp: 0x55n, lr: 0xbadn });
  ctx.vectors = { v8: Buffer.alloc(16, 0xaa), v0: Buffer.alloc(16, 1) };
  const frames = walkStack(env(image([[0x1000, word]]), s.build()), ctx);
  t.equal(frames[1]?.pc, RA);
  t.equal(frames[1]?.sp, s.address('top'));
  t.equal(frames[1]?.context.regs.x19, 0x1919n);
  t.equal(frames[1]?.fp, 0x55n);
  const v = frames[1]!.context.vectors!;
  t.equal(v.v8!.readBigUInt64LE(0), 0x8888n, 'd8 restored into the low half of v8');
  t.equal(v.v8!.readBigUInt64LE(8), 0xaaaaaaaaaaaaaaaan, 'high half unchanged');
  t.equal(v.v9!.readBigUInt64LE(0), 0x9999n);
  t.equal(v.v0, undefined);
});

t.test('packed, Flag 2 (fragment without prolog): CR=0 alloc only', async (t) => {
  const word = packed({ flag: 2, len: 0x10, cr: 0, frameSize: 2 });
  const s = new StackBuilder(STACK).fill(4).mark('top').fill(2);
  // Even at offset 0 nothing is skipped: a fragment has no prolog.
  const frames = walkStack(env(image([[0x1000, word]]), s.build()), fakeContext('arm64', { pc: IMG + 0x1000n, sp: STACK, lr: RA }));
  t.equal(frames[1]?.pc, RA);
  t.equal(frames[1]?.sp, s.address('top'));
});

// Full .xdata: stp x19,x20,[sp,#-32]!; stp x29,lr,[sp,#16]; add x29,sp,#16; sub sp,sp,#0x40.
// Unwind codes (reverse order): alloc_s 4 (04), add_fp 2 (E2 02), save_fplr 2 (42), save_r19r20_x 4 (24), end (E4).
// Epilog at instruction 0x3d: ldp x29,lr,[sp,#16]; ldp x19,x20,[sp],#32; ret — codes at byte 6: save_fplr, save_r19r20_x, end.
const FULL_CODES = [0x04, 0xe2, 0x02, 0x42, 0x24, 0xe4, 0x42, 0x24, 0xe4, 0xe3, 0xe3, 0xe3];
function fullImage(): FakeImage {
  const img = image([[0x1000, 0x6000]]);
  img.put(0x6000, le32(xdataHeader({ len: 0x40, epilogs: 1, codeWords: 3 }), (6 << 22) | 0x3d));
  img.put(0x6008, FULL_CODES);
  return img;
}

t.test('full .xdata unwind codes', async (t) => {
  t.test('body, with a dynamic allocation below the fixed frame', async (t) => {
    const s = new StackBuilder(STACK).fill(0x20 /* alloca */).mark('S').fill(8 /* 0x40 */).mark('sp1').word(0x1919n).word(0x2020n).word(0x2929n).word(RA).mark('top').fill(2);
    const frames = walkStack(env(fullImage(), s.build()), fakeContext('arm64', { pc: IMG + 0x1080n, sp: STACK, fp: s.address('sp1') + 16n, lr: 0xbadn }));
    t.equal(frames[1]?.pc, RA);
    t.equal(frames[1]?.sp, s.address('top'));
    t.equal(frames[1]?.fp, 0x2929n);
    t.equal(frames[1]?.context.regs.x19, 0x1919n);
    t.equal(frames[1]?.context.regs.x20, 0x2020n);
  });
  t.test('prolog: two of four instructions done', async (t) => {
    const s = new StackBuilder(STACK).word(0x1919n).word(0x2020n).word(0x2929n).word(RA).mark('top').fill(2);
    const frames = walkStack(env(fullImage(), s.build()), fakeContext('arm64', { pc: IMG + 0x1008n, sp: STACK, fp: 0x1n, lr: 0xbadn }));
    t.equal(frames[1]?.pc, RA, 'lr reloaded from the save_fplr slot');
    t.equal(frames[1]?.sp, s.address('top'));
    t.equal(frames[1]?.fp, 0x2929n);
  });
  t.test('prolog: nothing done yet', async (t) => {
    const s = new StackBuilder(STACK).fill(2);
    const frames = walkStack(env(fullImage(), s.build()), fakeContext('arm64', { pc: IMG + 0x1000n, sp: STACK, fp: 0x1n, lr: RA }));
    t.equal(frames[1]?.pc, RA);
    t.equal(frames[1]?.sp, STACK, 'leaf-like: sp unchanged on the first unwind');
  });
  t.test('epilog scope: x29/lr already reloaded', async (t) => {
    const s = new StackBuilder(STACK).word(0x1919n).word(0x2020n).fill(2).mark('top').fill(2);
    const frames = walkStack(env(fullImage(), s.build()), fakeContext('arm64', { pc: IMG + 0x1000n + 4n * 0x3en, sp: STACK, fp: 0x2929n, lr: RA }));
    t.equal(frames[1]?.pc, RA);
    t.equal(frames[1]?.sp, s.address('top'));
    t.equal(frames[1]?.context.regs.x19, 0x1919n);
  });
});

t.test('more unwind codes: save_next, save_reg(p), save_lrpair, save_fregp, alloc_m, alloc_l, set_fp, extended header', async (t) => {
  // Prolog: stp x19,x20,[sp,#-48]!; stp x21,x22,[sp,#16] (save_next); stp x23,lr,[sp,#32] (save_lrpair x23 @32);
  //         str x25,[sp,#-16]! (save_reg_x x25, 16 → Z=1); stp d8,d9,[sp,#-16]! (save_fregp_x d8 Z=1);
  //         mov x29,sp (set_fp); sub sp,sp,#0x200 (alloc_m 0x20); sub sp,sp,#0x100000 (alloc_l 0x10000).
  // Codes, reverse order, written with a leading extended header (EpilogCount = CodeWords = 0).
  const codes = [
    0xe0, 0x01, 0x00, 0x00, // alloc_l 0x10000 * 16
    0xc0, 0x20, // alloc_m 0x20 * 16 = 0x200
    0xe1, // set_fp
    0xda, 0x01, // save_fregp_x d8,d9 Z=1 → pre-index 16
    0xd4, 0xc0, // save_reg_x: 1101010x xxxzzzzz, X = 6 (x25), Z = 0 → pre-index (Z+1)*8 = 8
    0xd6, 0x84, // save_lrpair: 1101011x xxzzzzzz, X = 2 (x19+4 = x23), Z = 4 → [sp+32]
    0xe6, // save_next
    0x26, // save_r19r20_x Z = 6 → 48
    0xe4, 0xe3, 0xe3, 0xe3, 0xe3, // end, padding to 5 words
  ];
  const img = image([[0x1000, 0x6000]]);
  img.put(0x6000, le32(xdataHeader({ len: 0x100, epilogs: 0, codeWords: 0 }), (5 << 16) | 0)); // extended: 5 code words, 0 epilogs
  img.put(0x6008, codes);
  // After alloc_l/alloc_m the frame base is x29 (set_fp), so the big allocations need no stack bytes.
  const s = new StackBuilder(STACK)
    .mark('fp').d64(0x8888n).d64(0x9999n) // d8, d9 (save_fregp_x, 16 bytes)
    .word(0x2525n) // x25 (save_reg_x, 8 bytes)
    .mark('regs').word(0x1919n).word(0x2020n).word(0x2121n).word(0x2222n).word(0x2323n).word(RA)
    .mark('top').fill(2);
  const ctx = fakeContext('arm64', { pc: IMG + 0x1200n, sp: STACK - 0x100200n, fp: s.address('fp'), lr: 0xbadn });
  ctx.vectors = {};
  const memory = new FakeMemory().add(STACK, s.build());
  const e = fakeEnv({ arch: 'arm64', memory, modules: [{ base: IMG, size: IMG_SIZE, name: 'test.dll', image: img }, { base: CALLER, size: 0x10000, name: 'caller.exe' }] });
  const frames = walkStack(e, ctx);
  t.equal(frames[1]?.pc, RA);
  t.equal(frames[1]?.sp, s.address('top'));
  const r = frames[1]!.context.regs;
  t.same([r.x19, r.x20, r.x21, r.x22, r.x23, r.x25], [0x1919n, 0x2020n, 0x2121n, 0x2222n, 0x2323n, 0x2525n]);
  t.equal(frames[1]!.context.vectors?.v9?.readBigUInt64LE(0), 0x9999n);
});

t.test('MSFT_OP_MACHINE_FRAME: SP and PC from the machine frame', async (t) => {
  const img = image([[0x1000, 0x6000]]);
  img.put(0x6000, le32(xdataHeader({ len: 0x10, epilogs: 0, codeWords: 1, e: 1 })));
  img.put(0x6004, [0x02, 0xe9, 0xe4, 0xe3]); // alloc_s 32; machine frame; end
  const s = new StackBuilder(STACK).fill(4).word({ label: 'interrupted' }).word(RA).fill(4).mark('interrupted').fill(2);
  const frames = walkStack(env(img, s.build()), fakeContext('arm64', { pc: IMG + 0x1010n, sp: STACK, lr: 0xbadn }));
  t.equal(frames[1]?.pc, RA);
  t.equal(frames[1]?.sp, s.address('interrupted'));
});

t.test('leaf without .pdata entry: caller pc = lr, sp unchanged', async (t) => {
  const s = new StackBuilder(STACK).fill(2);
  const frames = walkStack(env(image([[0x1000, packed({ len: 0x10, cr: 0, frameSize: 1 })]]), s.build()), fakeContext('arm64', { pc: IMG + 0x3000n, sp: STACK, lr: RA }));
  t.equal(frames[1]?.pc, RA);
  t.equal(frames[1]?.sp, STACK);
  t.match(frames[1]?.note ?? '', /leaf/);
});

t.test('call through a null pointer: pc = lr', async (t) => {
  const s = new StackBuilder(STACK).fill(2);
  const frames = walkStack(env(undefined, s.build()), fakeContext('arm64', { pc: 0n, sp: STACK, lr: RA }));
  t.equal(frames[1]?.pc, RA);
  t.match(frames[1]?.note ?? '', /null pointer/);
});

t.test('frame-record chain (x29/x30) with PAC-signed return addresses, ending at a zero record', async (t) => {
  const pac = 0x002d000000000000n;
  const s = new StackBuilder(STACK)
    .fill(2)
    .mark('r1').word({ label: 'r2' }).word(RA | pac)
    .fill(2)
    .mark('r2').word({ label: 'r3' }).word(CALLER + 0x2008n)
    .mark('r3').word(0n).word(0n)
    .fill(2);
  const frames = walkStack(env(undefined, s.build()), fakeContext('arm64', { pc: CALLER + 0x100n, sp: STACK, fp: s.address('r1'), lr: 0x1234n }));
  t.same(frames.slice(1).map((f) => [f.pc, f.sp, f.fp, f.trust]), [
    [RA, s.address('r1') + 16n, s.address('r2'), 'frame-pointer'],
    [CALLER + 0x2008n, s.address('r2') + 16n, s.address('r3'), 'frame-pointer'],
  ]);
  t.match(frames[2]?.note ?? '', /end of stack/);
  t.equal(stripPac(0xffff800012345678n), 0xffff800012345678n, 'kernel pointers are left alone');
});

t.test('scanning requires a BL/BLR before the candidate when code is readable', async (t) => {
  const img = image([]);
  img.put(0x1100, le32(0xd503201f)); // nop → 0x1104 rejected
  img.put(0x1200, le32(0x94000010)); // bl → 0x1204
  img.put(0x1300, le32(0xd63f0100)); // blr x8 → 0x1304
  const s = new StackBuilder(STACK).word(IMG + 0x1104n).word(IMG + 0x1206n /* misaligned */).word(IMG + 0x1204n).word(IMG + 0x1304n).fill(2);
  const frames = walkStack(env(img, s.build()), fakeContext('arm64', { pc: 0x9000000n, sp: STACK }));
  t.same(frames.slice(1).map((f) => [f.pc, f.trust]), [[IMG + 0x1204n, 'scan'], [IMG + 0x1304n, 'scan']]);
});

t.test('garbage unwind data never throws', async (t) => {
  let seed = 99;
  const rnd = (): number => { seed = (seed * 1103515245 + 12345) & 0x7fffffff; return seed; };
  for (let round = 0; round < 40; round++) {
    const img = new FakeImage(IMG_SIZE, { rva: 0x5000, size: 0x200 });
    for (let i = 0; i < IMG_SIZE; i++) img.bytes[i] = rnd() & 0xff;
    for (let i = 0; i < 64; i++) img.put(0x5000 + 8 * i, le32(0x1000 + i * 0x40, rnd() | 0));
    const stack = Buffer.alloc(0x1000);
    for (let i = 0; i < stack.length; i += 8) stack.writeBigUInt64LE(rnd() % 2 ? IMG + BigInt(rnd() % IMG_SIZE) : BigInt(rnd()), i);
    const frames = walkStack(env(img, stack), fakeContext('arm64', { pc: IMG + BigInt(0x1000 + (rnd() % 0x1000)), sp: STACK + 0x100n, fp: STACK + 0x200n, lr: IMG + 0x1100n }));
    t.ok(frames.length >= 1 && frames.length <= 256);
    for (let i = 2; i < frames.length; i++) t.ok(frames[i]!.sp > frames[i - 1]!.sp);
  }
});
