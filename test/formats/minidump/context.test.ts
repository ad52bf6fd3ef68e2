import t from 'tap';
import { decodeContext, detectContextArch, xstateComponent } from '../../../src/formats/minidump/index.js';

/** An AMD64 CONTEXT (1232 bytes) with XSTATE set, then CONTEXT_EX at 1232 and an XSave chunk, written by hand. */
function amd64WithXsave(mask: bigint, xcomp: bigint, payload: Buffer): Buffer {
  const ctx = Buffer.alloc(1232);
  ctx.writeUInt32LE(0x0010005f, 0x30);
  ctx.writeBigUInt64LE(0x140001000n, 0xf8);
  const ex = Buffer.alloc(32); // 24-byte CONTEXT_EX + 8 bytes of slack; XState chunk starts 32 bytes in
  const xlen = 64 + payload.length;
  ex.writeInt32LE(-1232, 0); ex.writeUInt32LE(1232 + 32 + xlen, 4);
  ex.writeInt32LE(-1232, 8); ex.writeUInt32LE(1232, 12);
  ex.writeInt32LE(32, 16); ex.writeUInt32LE(xlen, 20);
  const hdr = Buffer.alloc(64);
  hdr.writeBigUInt64LE(mask, 0);
  hdr.writeBigUInt64LE(xcomp, 8);
  return Buffer.concat([ctx, ex, hdr, payload]);
}

t.test('compacted XSAVE: CET_U after AVX', async (t) => {
  const avx = Buffer.alloc(256, 0x11);
  const cet = Buffer.alloc(16);
  cet.writeBigUInt64LE(1n, 0);
  cet.writeBigUInt64LE(0x7ffe12345678n, 8);
  const buf = amd64WithXsave(0x804n, (1n << 63n) | 0x807n, Buffer.concat([avx, cet]));
  const c = decodeContext(buf, 'amd64', 0x100);
  t.equal(c?.cetSsp, 0x7ffe12345678n);
  t.equal(c?.pc, 0x140001000n);
  t.equal(c?.rva, 0x100);
  t.same(xstateComponent(buf, 1232, 2), avx);
  // With the MiscInfo table giving a different AVX size, the offset follows the table.
  const alt = amd64WithXsave(0x804n, (1n << 63n) | 0x804n, Buffer.concat([Buffer.alloc(128), cet]));
  const features = Array.from({ length: 64 }, () => ({ offset: 0, size: 0 }));
  features[2] = { offset: 576, size: 128 };
  features[11] = { offset: 704, size: 16 };
  t.equal(decodeContext(alt, 'amd64', 0, { enabledFeatures: 0x807n, features })?.cetSsp, 0x7ffe12345678n);
});

t.test('standard-format XSAVE uses the MiscInfo offsets', async (t) => {
  const payload = Buffer.alloc(512);
  // CET_U at standard offset 960 → 960 - 512 = 448 bytes into the chunk, minus the 64-byte header.
  payload.writeBigUInt64LE(1n, 448 - 64);
  payload.writeBigUInt64LE(0xabcdef00n, 448 - 64 + 8);
  const buf = amd64WithXsave(0x800n, 0n, payload);
  const features = Array.from({ length: 64 }, () => ({ offset: 0, size: 0 }));
  features[11] = { offset: 960, size: 16 };
  t.equal(decodeContext(buf, 'amd64', 0, { enabledFeatures: 0x803n, features })?.cetSsp, 0xabcdef00n);
  // Without the table the standard-format offset is unknown: no SSP rather than a wrong one.
  t.equal(decodeContext(buf, 'amd64', 0)?.cetSsp, undefined);
});

t.test('a component in its initial state (XSTATE_BV bit clear) is absent', async (t) => {
  const buf = amd64WithXsave(0n, (1n << 63n) | 0x800n, Buffer.alloc(16, 0xff));
  t.equal(decodeContext(buf, 'amd64', 0)?.cetSsp, undefined);
});

t.test('bogus CONTEXT_EX offsets are ignored', async (t) => {
  const buf = amd64WithXsave(0x800n, (1n << 63n) | 0x800n, Buffer.alloc(16, 0xff));
  buf.writeInt32LE(0x7fffffff, 1232 + 16);
  t.equal(decodeContext(buf, 'amd64', 0)?.cetSsp, undefined);
  buf.writeInt32LE(-5000, 1232 + 16);
  t.equal(decodeContext(buf, 'amd64', 0)?.cetSsp, undefined);
});

t.test('layout detection', async (t) => {
  const amd = Buffer.alloc(1232);
  amd.writeUInt32LE(0x0010000b, 0x30);
  const x86 = Buffer.alloc(716);
  x86.writeUInt32LE(0x0001003f, 0);
  const arm = Buffer.alloc(912);
  arm.writeUInt32LE(0x00400007, 0);
  t.equal(detectContextArch(amd, 'amd64'), 'amd64');
  t.equal(detectContextArch(amd, 'unknown'), 'amd64');
  t.equal(detectContextArch(x86, 'amd64'), 'x86', 'WOW64 context');
  t.equal(detectContextArch(x86, 'unknown'), 'x86');
  t.equal(detectContextArch(arm, 'unknown'), 'arm64');
  t.equal(detectContextArch(arm, 'arm64'), 'arm64');
  // No CPU bits at all: sizes decide.
  t.equal(detectContextArch(Buffer.alloc(1232), 'unknown'), 'amd64');
  t.equal(detectContextArch(Buffer.alloc(716), 'unknown'), 'x86');
  t.equal(detectContextArch(Buffer.alloc(912), 'unknown'), 'arm64');
  t.equal(detectContextArch(Buffer.alloc(100), 'amd64'), 'unknown');
  t.equal(decodeContext(Buffer.alloc(100), 'amd64', 0), undefined);
  t.equal(decodeContext(Buffer.alloc(0), 'x86', 0), undefined);
  // Breakpad ARM bit 0x40000000 is also EXCEPTION_REQUEST: an x86 context with status bits stays x86.
  const x86s = Buffer.alloc(716);
  x86s.writeUInt32LE(0x4001003f, 0);
  t.equal(detectContextArch(x86s, 'x86'), 'x86');
});

t.test('vectors', async (t) => {
  const amd = Buffer.alloc(1232);
  amd.writeUInt32LE(0x0010000f, 0x30);
  amd.fill(0x5a, 0x1a0 + 16 * 3, 0x1a0 + 16 * 4); // Xmm3
  amd.writeUInt32LE(0x1f80, 0x34);
  const c = decodeContext(amd, 'amd64', 0)!;
  t.same(c.vectors?.xmm3, Buffer.alloc(16, 0x5a));
  t.equal(c.regs.mxcsr, 0x1f80n);
  const x86 = Buffer.alloc(716);
  x86.writeUInt32LE(0x0001003f, 0);
  x86.fill(0x77, 0x16c + 16, 0x16c + 32); // Xmm1 in ExtendedRegisters
  t.same(decodeContext(x86, 'x86', 0)!.vectors?.xmm1, Buffer.alloc(16, 0x77));
  const arm = Buffer.alloc(912);
  arm.writeUInt32LE(0x00400007, 0);
  arm.fill(0x33, 0x110 + 16 * 31, 0x110 + 16 * 32); // V31
  arm.writeUInt32LE(0x03000000, 0x310);
  const a = decodeContext(arm, 'arm64', 0)!;
  t.same(a.vectors?.v31, Buffer.alloc(16, 0x33));
  t.equal(a.regs.fpcr, 0x03000000n);
});

t.test('vectors are built on first read and behave as a plain property', async (t) => {
  const amd = Buffer.alloc(1232);
  amd.writeUInt32LE(0x0010000f, 0x30);
  amd.fill(0x11, 0x1a0 + 16 * 6, 0x1a0 + 16 * 7); // Xmm6
  const c = decodeContext(amd, 'amd64', 0)!;
  // Spread and JSON see the registers like any other field.
  t.same({ ...c }.vectors?.xmm6, Buffer.alloc(16, 0x11));
  const fresh = decodeContext(amd, 'amd64', 0)!;
  t.ok(Object.keys(fresh).includes('vectors'));
  t.equal(Object.keys(JSON.parse(JSON.stringify(fresh, (_k, v: unknown) => (typeof v === 'bigint' ? String(v) : v))).vectors).length, 16);
  t.equal(c.vectors, c.vectors, 'built once');
  const d = decodeContext(amd, 'amd64', 0)!;
  d.vectors = undefined;
  t.equal(d.vectors, undefined, 'an assignment replaces the lazy value');
  const noFp = Buffer.alloc(1232);
  noFp.writeUInt32LE(0x00100003, 0x30);
  t.equal(decodeContext(noFp, 'amd64', 0)!.vectors, undefined, 'no FLOATING_POINT flag: no vectors');
});
