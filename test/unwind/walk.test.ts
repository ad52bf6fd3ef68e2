/**
 * The walker's own guarantees, whatever the architecture: options are
 * clamped, broken environments never throw out, unsupported architectures
 * give the context frame with a note.
 */
import t from 'tap';
import { walkStack, HARD_MAX_FRAMES } from '../../src/unwind/index.js';
import type { UnwindEnvironment } from '../../src/unwind/index.js';
import { FakeMemory, StackBuilder, fakeContext, fakeEnv } from '../fixtures/synth/stack-builder.js';
import { decodeContext } from '../../src/formats/minidump/index.js';

const STACK = 0x20000n;
const MOD = 0x140000000n;

/** A stack of `n` in-module words: every word is a scan hit, so the walk only ends at a limit. */
function longStack(n: number): FakeMemory {
  const s = new StackBuilder(STACK);
  for (let i = 0; i < n; i++) s.word(MOD + 0x100n + BigInt(i));
  return new FakeMemory().add(STACK, s.build());
}

t.test('maxFrames is clamped to [1, 10000]; non-numbers fall back to the default', async (t) => {
  const env = fakeEnv({ arch: 'amd64', memory: longStack(12000), modules: [{ base: MOD, size: 0x100000, name: 'm.exe' }] });
  const ctx = fakeContext('amd64', { rip: MOD + 0x10n, rsp: STACK });
  t.equal(walkStack(env, ctx, { maxFrames: 0 }).length, 1);
  t.equal(walkStack(env, ctx, { maxFrames: -5 }).length, 1);
  t.equal(walkStack(env, ctx, { maxFrames: 3.7 }).length, 3);
  t.equal(walkStack(env, ctx, { maxFrames: Number.NaN }).length, 256);
  t.equal(walkStack(env, ctx).length, 256, 'default 256');
  const started = Date.now();
  const all = walkStack(env, ctx, { maxFrames: Number.MAX_SAFE_INTEGER });
  t.equal(all.length, HARD_MAX_FRAMES, 'hard cap');
  t.match(all[all.length - 1]!.note ?? '', /frame limit \(10000\)/);
  t.ok(Date.now() - started < 20000, `10000 scanned frames in ${Date.now() - started} ms`);
});

t.test('environment callbacks that throw end the walk with a note instead of an exception', async (t) => {
  const memory = longStack(8);
  const throwingModules: UnwindEnvironment = {
    arch: 'amd64', memory,
    moduleAt: () => { throw new Error('module list exploded'); },
  };
  const a = walkStack(throwingModules, fakeContext('amd64', { rip: MOD + 0x10n, rsp: STACK }));
  t.equal(a.length, 1);
  const throwingMemory: UnwindEnvironment = {
    arch: 'amd64',
    memory: { read: () => { throw new Error('io error'); } },
    moduleAt: (x) => (x >= MOD && x < MOD + 0x100000n ? { base: MOD, size: 0x100000, name: 'm.exe' } : undefined),
  };
  const b = walkStack(throwingMemory, fakeContext('amd64', { rip: MOD + 0x10n, rsp: STACK }));
  t.equal(b.length, 1);
  t.match(b[0]!.note ?? '', /no caller/);
  const throwingImage = fakeEnv({
    arch: 'amd64', memory,
    modules: [{ base: MOD, size: 0x100000, name: 'm.exe', image: { readRva: () => { throw new Error('bad'); }, exceptionDirectory: () => { throw new Error('bad'); } } }],
    cfiRules: () => { throw new Error('bad sym file'); },
    x86FrameInfo: () => { throw new Error('bad pdb'); },
  });
  t.ok(walkStack(throwingImage, fakeContext('amd64', { rip: MOD + 0x10n, rsp: STACK })).length >= 2, 'falls back to scanning');
  t.ok(walkStack({ ...throwingImage, arch: 'x86' }, fakeContext('x86', { eip: 0x401000n, esp: STACK })).length >= 1);
});

t.test('unsupported architectures return the context frame with a note', async (t) => {
  const env = fakeEnv({ arch: 'arm', memory: new FakeMemory() });
  const ctx = fakeContext('arm', { pc: 0x1000n, sp: STACK });
  const frames = walkStack(env, ctx);
  t.equal(frames.length, 1);
  t.equal(frames[0]!.trust, 'context');
  t.match(frames[0]!.note ?? '', /not supported/);
});

t.test('frame 0 carries every context register; callers carry only what is known', async (t) => {
  const env = fakeEnv({ arch: 'amd64', memory: longStack(4), modules: [{ base: MOD, size: 0x100000, name: 'm.exe' }] });
  const frames = walkStack(env, fakeContext('amd64', { rip: MOD + 0x10n, rsp: STACK, rax: 1n, rbx: 2n, efl: 0x246n, cs: 0x33n }));
  t.same(frames[0]!.context.regs, { rip: MOD + 0x10n, rsp: STACK, rax: 1n, rbx: 2n, efl: 0x246n, cs: 0x33n });
  t.same(Object.keys(frames[1]!.context.regs).sort(), ['cs', 'rip', 'rsp']);
  t.equal(frames[1]!.context.pc, frames[1]!.pc);
  t.equal(frames[1]!.context.sp, frames[1]!.sp);
  t.equal(frames[1]!.index, 1);
});

t.test('stack bounds: a caller above the stack top is rejected', async (t) => {
  const s = new StackBuilder(STACK).word(0n).word(MOD + 0x500n);
  const env = fakeEnv({ arch: 'amd64', memory: new FakeMemory().add(STACK, s.build()), modules: [{ base: MOD, size: 0x100000, name: 'm.exe' }], stackBounds: { low: STACK - 0x1000n, high: STACK + 8n } });
  const frames = walkStack(env, fakeContext('amd64', { rip: MOD + 0x10n, rsp: STACK }));
  t.equal(frames.length, 1);
  t.match(frames[0]!.note ?? '', /left the stack/);
});

t.test("the context frame carries a decoded context's vector registers (built only when read)", async (t) => {
  const raw = Buffer.alloc(1232);
  raw.writeUInt32LE(0x0010000f, 0x30);
  raw.writeBigUInt64LE(MOD + 0x10n, 0xf8); // Rip
  raw.writeBigUInt64LE(STACK, 0x98); // Rsp
  raw.fill(0x66, 0x1a0 + 16 * 6, 0x1a0 + 16 * 7); // Xmm6
  const ctx = decodeContext(raw, 'amd64', 0)!;
  const env = fakeEnv({ arch: 'amd64', memory: longStack(4), modules: [{ base: MOD, size: 0x100000, name: 'm.exe' }] });
  const frames = walkStack(env, ctx, { maxFrames: 3 });
  t.same(frames[0]!.context.vectors?.xmm6, Buffer.alloc(16, 0x66));
  t.equal(frames[0]!.context.vectors, ctx.vectors, 'the same registers as the thread context');
  t.equal(frames[1]!.context.vectors, undefined, 'a scanned caller restores none');
});
