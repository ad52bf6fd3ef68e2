import t from 'tap';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { SynthDump } from '../fixtures/synth/minidump-writer.js';
import { runner } from '../fixtures/command-runner.js';
import { CORPUS, HAVE_CORPUS, sessionFromFile } from '../fixtures/session.js';

const WINE = path.join(CORPUS, 'wine-x64');
const IMAGES = path.join(CORPUS, 'images', 'wine-8.0-x64');

/** Independent PE reading for the oracle: ImageBase and RVA → file bytes, straight from the headers. */
function peFile(file: string): { imageBase: bigint; bytesAt(rva: number, len: number): Buffer } {
  const buf = readFileSync(file);
  const pe = buf.readUInt32LE(0x3c);
  const sections = buf.readUInt16LE(pe + 6);
  const optSize = buf.readUInt16LE(pe + 20);
  const opt = pe + 24;
  const imageBase = buf.readBigUInt64LE(opt + 24); // PE32+
  const table = opt + optSize;
  return {
    imageBase,
    bytesAt(rva, len) {
      for (let i = 0; i < sections; i++) {
        const s = table + i * 40;
        const va = buf.readUInt32LE(s + 12);
        const vsize = Math.max(buf.readUInt32LE(s + 8), buf.readUInt32LE(s + 16));
        if (rva >= va && rva < va + vsize) {
          const off = buf.readUInt32LE(s + 20) + (rva - va);
          return buf.subarray(off, off + len);
        }
      }
      throw new Error(`rva ${rva.toString(16)} not in any section`);
    },
  };
}

/** `00000001`40001e40 8b042510000000  mov ...` → address and opcode bytes. */
function parseRow(line: string): { address: bigint; bytes: string } | undefined {
  const m = /^([0-9a-f]{8})`([0-9a-f]{8}) ([0-9a-f?]+)\s/.exec(line);
  return m ? { address: BigInt(`0x${m[1]}${m[2]}`), bytes: m[3]! } : undefined;
}

t.test('crashlab null-deref: u @rip after .ecxr, bytes equal the image file', { skip: !HAVE_CORPUS && 'corpus absent' }, async (t) => {
  const s = sessionFromFile(path.join(WINE, 'null-deref-mini.dmp'), { symbolPath: WINE, imagePath: IMAGES });
  await s.run('.ecxr');
  const out = await s.run('u @rip');
  t.equal(out[0], 'crashlab!read_field:', 'label line first');
  // The faulting read at 0x10 (the exception address of the dump, read_field+0 per the winedbg oracle).
  t.equal(out[1], '00000001`40001e40 8b042510000000  mov     eax,dword ptr [10h]');
  const rows = out.map(parseRow).filter((r) => r !== undefined);
  t.equal(rows.length, 8, 'eight instructions by default');
  const pe = peFile(path.join(WINE, 'crashlab.exe'));
  for (const r of rows) {
    const expect = pe.bytesAt(Number(r.address - pe.imageBase), r.bytes.length / 2).toString('hex');
    t.equal(r.bytes, expect, `bytes at ${r.address.toString(16)}`);
  }
  // Contiguous: each row starts where the previous ended.
  for (let i = 1; i < rows.length; i++) t.equal(rows[i]!.address, rows[i - 1]!.address + BigInt(rows[i - 1]!.bytes.length / 2));
  t.match(out[2], /^00000001`40001e47 c3 {14}ret$/);

  // A bare `u` continues after the last instruction shown.
  const next = await s.run('u');
  const firstNext = next.map(parseRow).find((r) => r !== undefined)!;
  const last = rows[rows.length - 1]!;
  t.equal(firstNext.address, last.address + BigInt(last.bytes.length / 2));

  // A new register context restarts at its instruction pointer.
  await s.run('~1s');
  // LLDB's oracle: thread #2 waits in ntdll!NtWaitForMultipleObjects+20.
  t.equal((await s.run('u')).map(parseRow).find((r) => r !== undefined)!.address, 0x17000ebe4n);
  await s.run('~0s');
  await s.run('.ecxr');

  // `u addr L2` and a range.
  const two = (await s.run('u crashlab!read_field L2')).map(parseRow).filter((r) => r !== undefined);
  t.equal(two.length, 2);
  const range = (await s.run('u 140001e40 140001e47')).map(parseRow).filter((r) => r !== undefined);
  t.same(range.map((r) => r.address), [0x140001e40n, 0x140001e47n], 'range end is inclusive of an instruction starting there');
});

t.test('crashlab: calls show their target symbol; ub ends right before the address', { skip: !HAVE_CORPUS && 'corpus absent' }, async (t) => {
  const s = sessionFromFile(path.join(WINE, 'null-deref-mini.dmp'), { symbolPath: WINE, imagePath: IMAGES });
  // lookup_customer calls read_field; the return address of frame 0 is 0x140001e39.
  const out = await s.run('ub 140001e39 L2');
  t.same(out, [
    'crashlab!lookup_customer:',
    '00000001`40001e30 4883ec28        sub     rsp,28h',
    '00000001`40001e34 e807000000      call    crashlab!read_field (00000001`40001e40)',
  ]);
  const pe = peFile(path.join(WINE, 'crashlab.exe'));
  t.equal(pe.bytesAt(0x1e34, 5).toString('hex'), 'e807000000', 'call bytes from the file');
});

t.test('crashlab div-zero: uf crashlab!divide covers the whole function', { skip: !HAVE_CORPUS && 'corpus absent' }, async (t) => {
  const s = sessionFromFile(path.join(WINE, 'div-zero-mini.dmp'), { symbolPath: WINE, imagePath: IMAGES });
  const out = await s.run('uf crashlab!divide');
  t.equal(out[0], 'crashlab!divide:');
  const rows = out.map(parseRow).filter((r) => r !== undefined);
  t.equal(rows[0]!.address, 0x140001ea0n, 'starts at the function start');
  // winedbg's oracle: the fault is at divide+0x15 (0x140001eb5), an idiv.
  const idiv = out.find((l) => l.startsWith('00000001`40001eb5'));
  t.match(idiv, /idiv {4}dword ptr \[rsp\]$/);
  t.match(out[out.length - 1], /ret$/, 'ends with the return');
  const pe = peFile(path.join(WINE, 'crashlab.exe'));
  for (const r of rows) t.equal(r.bytes, pe.bytesAt(Number(r.address - pe.imageBase), r.bytes.length / 2).toString('hex'));
  // The listing is exactly the function: its bytes sum to the PDB size (next symbol at 0x140001ec0 minus padding).
  const last = rows[rows.length - 1]!;
  t.ok(last.address + BigInt(last.bytes.length / 2) <= 0x140001ec0n);
  // `uf @rip` after .ecxr picks the same function from the middle.
  await s.run('.ecxr');
  t.same(await s.run('uf @rip'), out);
  const calls = await s.run('uf /c crashlab!main');
  t.equal(calls[0], 'crashlab!main (00000001`40001510)');
  t.ok(calls.some((l) => /^ {4}call to crashlab!null_deref \(00000001`40001930\)$/.test(l)), 'main calls null_deref');
});

// ---------------------------------------------------------------- synthetic

/**
 * Code at 0x10000 (no module: no symbols, so ub must decode backwards by itself).
 * The 10-byte mov rax,imm64 hides valid instructions in its immediate: decodings
 * that start inside it must lose.
 */
const CODE: [string, string][] = [
  ['cc', 'int     3'],
  ['55', 'push    rbp'],
  ['4889e5', 'mov     rbp,rsp'],
  ['48b8c3905090e8c3cc90', 'mov     rax,90CCC3E8905090C3h'],
  ['4889c1', 'mov     rcx,rax'],
  ['90', 'nop'],
  ['4883c420', 'add     rsp,20h'],
  ['5d', 'pop     rbp'],
  ['c3', 'ret'],
];
const BASE = 0x10000n;

function codeDump(arch: 'amd64' | 'arm64' = 'amd64'): { buf: Buffer; addrs: bigint[] } {
  const addrs: bigint[] = [];
  let a = BASE + 0x20n;
  for (const [hex] of CODE) {
    addrs.push(a);
    a += BigInt(hex.length / 2);
  }
  const code = Buffer.concat([Buffer.alloc(0x20, 0xcc), ...CODE.map(([h]) => Buffer.from(h, 'hex'))]);
  const buf = new SynthDump()
    .arch(arch)
    .thread({ id: 1, context: arch === 'amd64' ? { rip: addrs[6]!, rsp: 0x8000n } : { pc: addrs[6]!, sp: 0x8000n }, stack: { addr: 0x8000n, bytes: Buffer.alloc(0x40) } })
    .memory(BASE, code)
    .memory(0x20000n, Buffer.from('85c9740331c0c3b801000000c3', 'hex'))
    .build();
  return { buf, addrs };
}

const row = (addr: bigint, i: number) => `00000000\`${addr.toString(16).padStart(8, '0')} ${CODE[i]![0].padEnd(15)} ${CODE[i]![1]}`;

t.test('u on synthetic code: columns, no labels outside modules, memory access error', async (t) => {
  const { buf, addrs } = codeDump();
  const r = runner(buf);
  t.same(await r.lines(`u ${addrs[1]!.toString(16)} L3`), [row(addrs[1]!, 1), row(addrs[2]!, 2), row(addrs[3]!, 3)]);
  // Without an address: continues after the previous u, or starts at the instruction pointer.
  t.equal((await r.lines('u'))[0], row(addrs[4]!, 4));
  t.equal((await runner(buf).lines('u'))[0], row(addrs[6]!, 6));
  // The code ends after `ret`: the next instruction is unreadable.
  const end = addrs[8]! + 1n;
  const res = (await r.results(`u ${addrs[7]!.toString(16)}`))[0]!;
  t.ok(res.failed);
  t.same(res.blocks[0]!.lines, [row(addrs[7]!, 7), row(addrs[8]!, 8), `00000000\`${end.toString(16).padStart(8, '0')} ??              ???`]);
  t.equal(res.blocks[1]!.lines[0]!.trimStart(), `^ Memory access error in 'u ${addrs[7]!.toString(16)}'`);
});

t.test('ub decodes backwards: picks the decoding that ends exactly at the address', async (t) => {
  const { buf, addrs } = codeDump();
  const r = runner(buf);
  const retAt = addrs[8]!.toString(16);
  t.same(await r.lines(`ub ${retAt} L6`), [2, 3, 4, 5, 6, 7].map((i) => row(addrs[i]!, i)));
  // Default count 8: everything from the int 3 padding on.
  const all = await r.lines(`ub ${retAt}`);
  t.equal(all.length, 8);
  t.same(all.slice(-7), [1, 2, 3, 4, 5, 6, 7].map((i) => row(addrs[i]!, i)));
  // Right after the 10-byte immediate: the mov must come back whole.
  t.same(await r.lines(`ub ${addrs[4]!.toString(16)} L1`), [row(addrs[3]!, 3)]);
  // Nothing readable before the address: memory access error.
  const res = (await r.results(`ub ${BASE.toString(16)}`))[0]!;
  t.ok(res.failed);
  t.match(res.blocks.at(-1)!.lines[0], /Memory access error/);
});

t.test('uf without symbols follows flow from the address; ARM64 is refused', async (t) => {
  const { buf, addrs } = codeDump();
  const r = runner(buf);
  t.same(await r.lines(`uf ${addrs[1]!.toString(16)}`), [1, 2, 3, 4, 5, 6, 7, 8].map((i) => row(addrs[i]!, i)));
  // Two exits behind a conditional jump: three blocks, blank lines between them, the jump marked.
  t.same(await r.lines('uf 20000'), [
    '00000000`00020000 85c9            test    ecx,ecx',
    '00000000`00020002 7403            je      00000000`00020007  Branch',
    '',
    '00000000`00020004 31c0            xor     eax,eax',
    '00000000`00020006 c3              ret',
    '',
    '00000000`00020007 b801000000      mov     eax,1',
    '00000000`0002000c c3              ret',
  ]);
  const arm = runner(codeDump('arm64').buf);
  const res = (await arm.results('u 10020'))[0]!;
  t.ok(res.failed);
  t.match(res.blocks[0]!.lines[0], /not supported for this architecture/);
});
