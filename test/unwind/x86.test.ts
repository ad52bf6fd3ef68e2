/**
 * x86 unwinding on synthetic stacks: EBP chains, STACK WIN / FPO records
 * (Breakpad semantics, C.4–C.5), scanning, WOW64 contexts.
 */
import t from 'tap';
import { walkStack } from '../../src/unwind/index.js';
import type { WinFrameInfo } from '../../src/unwind/index.js';
import { FakeImage, FakeMemory, StackBuilder, fakeContext, fakeEnv, le32 } from '../fixtures/synth/stack-builder.js';

const EXE = 0x400000n;
const EXE_SIZE = 0x10000;
const STACK = 0x12f000n;

function exeImage(): FakeImage {
  const img = new FakeImage(EXE_SIZE);
  img.bytes.fill(0x90);
  return img;
}

/** Puts `call rel32` just before each return address so scanning accepts them. */
function withCalls(img: FakeImage, ...returnRvas: number[]): FakeImage {
  for (const r of returnRvas) img.put(r - 5, [0xe8, ...le32(0)]);
  return img;
}

function env(stack: Buffer, opts: { image?: FakeImage; info?: (a: bigint) => WinFrameInfo | undefined } = {}) {
  const memory = new FakeMemory().add(STACK, stack);
  return fakeEnv({
    arch: 'x86', memory,
    modules: [{ base: EXE, size: EXE_SIZE, name: 'test.exe', ...(opts.image ? { image: opts.image } : {}) }],
    stackBounds: { low: STACK, high: STACK + BigInt(stack.length) },
    ...(opts.info ? { x86FrameInfo: opts.info } : {}),
  });
}

function fpo(o: Partial<WinFrameInfo>): WinFrameInfo {
  return { type: 0, prologSize: 0, epilogSize: 0, parameterSize: 0, savedRegisterSize: 0, localSize: 0, maxStackSize: 0, hasProgramString: false, allocatesBasePointer: false, ...o };
}

t.test('EBP chain', async (t) => {
  const s = new StackBuilder(STACK, 4)
    .fill(3)
    .mark('f1').word({ label: 'f2' }).word(EXE + 0x1105n)
    .fill(2)
    .mark('f2').word({ label: 'f3' }).word(EXE + 0x1205n)
    .mark('f3').word(0n).word(0n)
    .fill(2);
  const frames = walkStack(env(s.build(), { image: withCalls(exeImage(), 0x1105, 0x1205) }), fakeContext('x86', { eip: EXE + 0x1000n, esp: STACK, ebp: s.address('f1'), ebx: 7n, eax: 1n }));
  t.same(frames.map((f) => [f.pc, f.sp, f.fp, f.trust]), [
    [EXE + 0x1000n, STACK, s.address('f1'), 'context'],
    [EXE + 0x1105n, s.address('f1') + 8n, s.address('f2'), 'frame-pointer'],
    [EXE + 0x1205n, s.address('f2') + 8n, s.address('f3'), 'frame-pointer'],
  ]);
  t.equal(frames[1]!.context.regs.eax, undefined, 'volatile registers are not carried');
  t.equal(frames[1]!.context.regs.ebx, undefined, 'EBP walking does not know where EBX went');
});

t.test('STACK WIN FrameData program string (MSVC EBP frame)', async (t) => {
  const program = '$T0 $ebp = $eip $T0 4 + ^ = $ebp $T0 ^ = $esp $T0 8 + = $L $T0 .cbSavedRegs - = $P $T0 8 + .cbParams + =';
  const s = new StackBuilder(STACK, 4).fill(6).mark('frame').word(0x12ff00n).word(EXE + 0x2222n).fill(4);
  const info = (a: bigint): WinFrameInfo | undefined =>
    a >= EXE + 0x1000n && a < EXE + 0x1100n ? fpo({ type: 4, hasProgramString: true, programString: program, parameterSize: 8, localSize: 0x10 }) : undefined;
  const e = env(s.build(), { image: withCalls(exeImage(), 0x2222), info });
  const frames = walkStack(e, fakeContext('x86', { eip: EXE + 0x1050n, esp: STACK, ebp: s.address('frame'), esi: 0x51n }));
  t.equal(frames[1]?.pc, EXE + 0x2222n);
  t.equal(frames[1]?.sp, s.address('frame') + 8n);
  t.equal(frames[1]?.fp, 0x12ff00n);
  t.equal(frames[1]?.trust, 'cfi');
  t.equal(frames[1]?.context.regs.esi, 0x51n, 'callee-saved registers the program leaves alone are carried');
});

t.test('FPO records without program string, callee parameter sizes and .raSearch programs', async (t) => {
  // F (frame 0): locals 8, one saved register (4), stdcall params 8. G (frame 1): locals 0x10, no saved registers.
  // H (frame 2): a FrameData program that reads its return address via .raSearch and restores EBX.
  const s = new StackBuilder(STACK, 4)
    .fill(2) // F locals
    .word(0xeeeen) // F saved register
    .word(EXE + 0x2105n) // return into G
    .mark('fparams').word(1n).word(2n) // F's stack parameters, still in G's frame
    .fill(4) // G locals
    .word(EXE + 0x3105n) // return into H
    .mark('hframe').word(0x6b6bn) // G's stack parameter (4 bytes)
    .word(0xb0b0n) // H saved EBX at .raSearch - 4
    .mark('hra').word(EXE + 0x4105n)
    .fill(3);
  const info = (a: bigint): WinFrameInfo | undefined => {
    if (a >= EXE + 0x1000n && a < EXE + 0x1100n) return fpo({ localSize: 8, savedRegisterSize: 4, parameterSize: 8 });
    if (a >= EXE + 0x2000n && a < EXE + 0x2200n) return fpo({ localSize: 0x10, parameterSize: 4 });
    if (a >= EXE + 0x3000n && a < EXE + 0x3200n) {
      return fpo({ type: 4, localSize: 0, savedRegisterSize: 4, hasProgramString: true, programString: '$T0 .raSearch = $eip $T0 ^ = $esp $T0 4 + = $ebx $T0 4 - ^ =' });
    }
    return undefined;
  };
  const img = withCalls(exeImage(), 0x2105, 0x3105, 0x4105);
  const frames = walkStack(env(s.build(), { image: img, info }), fakeContext('x86', { eip: EXE + 0x1010n, esp: STACK, ebp: 0x99n, ebx: 0x77n }));
  t.same(frames.slice(1).map((f) => [f.pc, f.sp, f.trust]), [
    [EXE + 0x2105n, s.address('fparams'), 'cfi'],
    [EXE + 0x3105n, s.address('hframe'), 'cfi'],
    [EXE + 0x4105n, s.address('hra') + 4n, 'cfi'],
  ]);
  t.equal(frames[1]!.context.regs.ebp, 0x99n, 'FPO without fUseBP leaves EBP alone');
  t.equal(frames[3]!.context.regs.ebx, 0xb0b0n, 'EBX restored by the program string');
});

t.test('FPO with fUseBP recovers EBP from the saved-register area', async (t) => {
  // Locals 4, saved registers 8. Breakpad's synthesized program reads EBP at [$esp + .cbCalleeParams + .cbSavedRegs - 8]
  // and the return address at .raSearchStart = $esp + .cbCalleeParams + .cbLocals + .cbSavedRegs.
  const s = new StackBuilder(STACK, 4).word(0xebebn).word(0x5151n).word(0x4444n).word(EXE + 0x2105n).fill(3);
  const info = (a: bigint): WinFrameInfo | undefined => (a < EXE + 0x1100n ? fpo({ localSize: 4, savedRegisterSize: 8, allocatesBasePointer: true }) : undefined);
  const frames = walkStack(env(s.build(), { image: withCalls(exeImage(), 0x2105), info }), fakeContext('x86', { eip: EXE + 0x1010n, esp: STACK, ebp: 1n }));
  t.equal(frames[1]?.pc, EXE + 0x2105n);
  t.equal(frames[1]?.sp, STACK + 16n);
  t.equal(frames[1]?.fp, 0xebebn);
});

t.test('a program whose result is not code is rescued by scanning (cfi-scan), and EBP is searched for', async (t) => {
  // cbSavedRegs says 0 but the function saved registers (the MSVC /LTCG case): four words sit above the computed slot.
  const s = new StackBuilder(STACK, 4).word(0x3333n).word({ label: 'frame' }).word(0x5555n).word(0x6666n).mark('ra').word(EXE + 0x2105n).mark('frame').fill(3);
  const info = (a: bigint): WinFrameInfo | undefined => (a < EXE + 0x1100n ? fpo({ type: 4, hasProgramString: true, programString: '$T0 .raSearch = $eip $T0 ^ = $esp $T0 4 + =' }) : undefined);
  const frames = walkStack(env(s.build(), { image: withCalls(exeImage(), 0x2105), info }), fakeContext('x86', { eip: EXE + 0x1010n, esp: STACK, ebp: 1n }));
  t.equal(frames[1]?.pc, EXE + 0x2105n);
  t.equal(frames[1]?.sp, s.address('ra') + 4n);
  t.equal(frames[1]?.trust, 'cfi-scan');
  t.equal(frames[1]?.fp, s.address('frame'), 'EBP taken from the saved-register area: the highest slot that points at readable memory');
});

t.test('a program that yields $eip = 0 ends the walk', async (t) => {
  const s = new StackBuilder(STACK, 4).word(0n).fill(3);
  const info = (): WinFrameInfo => fpo({ type: 4, hasProgramString: true, programString: '$eip $esp ^ = $esp $esp 4 + =' });
  const frames = walkStack(env(s.build(), { info }), fakeContext('x86', { eip: EXE + 0x1010n, esp: STACK }));
  t.equal(frames.length, 1);
  t.match(frames[0]?.note ?? '', /end of stack/);
});

t.test('a broken program string falls back to the EBP chain', async (t) => {
  const s = new StackBuilder(STACK, 4).fill(2).mark('f1').word(0n).word(EXE + 0x2105n).fill(2);
  const info = (): WinFrameInfo => fpo({ type: 4, hasProgramString: true, programString: '$eip $nosuch ^ =' });
  const frames = walkStack(env(s.build(), { image: withCalls(exeImage(), 0x2105), info }), fakeContext('x86', { eip: EXE + 0x1010n, esp: STACK, ebp: s.address('f1') }));
  t.equal(frames[1]?.pc, EXE + 0x2105n);
  t.equal(frames[1]?.trust, 'frame-pointer');
});

t.test('scanning checks for a preceding CALL and recovers EBP', async (t) => {
  const img = exeImage();
  img.put(0x2100, [0xe8, ...le32(0)]); // call rel32 → 0x2105
  img.put(0x3100, [0xff, 0x15, ...le32(0x401000)]); // call [abs32] → 0x3106
  const s = new StackBuilder(STACK, 4).word(EXE + 0x1234n /* after NOPs: rejected */).mark('saved').word({ label: 'up' }).word(EXE + 0x2105n).fill(3).mark('up').word(1n).word(2n).word(EXE + 0x3106n).fill(2);
  const frames = walkStack(env(s.build(), { image: img }), fakeContext('x86', { eip: 0x7000000n, esp: STACK }));
  t.equal(frames[1]?.pc, EXE + 0x2105n);
  t.equal(frames[1]?.sp, s.address('saved') + 8n);
  t.equal(frames[1]?.trust, 'scan');
  t.equal(frames[1]?.fp, s.address('up'), 'EBP recovered from the word below the return address');
  t.equal(frames[2]?.pc, EXE + 0x3106n);
});

t.test('call through a null pointer', async (t) => {
  const s = new StackBuilder(STACK, 4).word(EXE + 0x2105n).fill(2);
  const frames = walkStack(env(s.build(), { image: withCalls(exeImage(), 0x2105) }), fakeContext('x86', { eip: 0n, esp: STACK }));
  t.equal(frames[1]?.pc, EXE + 0x2105n);
  t.equal(frames[1]?.sp, STACK + 4n);
});

t.test('a WOW64 (x86) context walks as x86 even in an x64 environment', async (t) => {
  const s = new StackBuilder(STACK, 4).fill(1).mark('f1').word(0n).word(EXE + 0x2105n).fill(2);
  const e = env(s.build(), { image: withCalls(exeImage(), 0x2105) });
  const frames = walkStack({ ...e, arch: 'amd64' }, fakeContext('x86', { eip: EXE + 0x1000n, esp: STACK, ebp: s.address('f1') }));
  t.equal(frames[1]?.pc, EXE + 0x2105n);
  t.equal(frames[1]?.sp, s.address('f1') + 8n);
});
