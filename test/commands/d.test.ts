import t from 'tap';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { SynthDump } from '../fixtures/synth/minidump-writer.js';
import { runner } from '../fixtures/command-runner.js';

const CORPUS = new URL('../../../shared/corpus/', import.meta.url);

// 64 printable bytes at 0x1000; the captured range ends at 0x1040.
const TEXT = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz!?';

function amd64Dump(): Buffer {
  const stack = Buffer.alloc(0x40);
  stack.writeBigUInt64LE(0x140001234n, 0); // return address into app.exe
  stack.writeBigUInt64LE(0x12345678n, 8); // not in any module
  stack.writeBigUInt64LE(0x7ff800000010n, 16); // inside ntdll
  return new SynthDump()
    .arch('amd64')
    .thread({ id: 0x10, context: { rip: 0x140001000n, rsp: 0x8000n }, stack: { addr: 0x8000n, bytes: stack }, teb: 0x3000n })
    .module({ base: 0x140000000n, size: 0x10000, name: 'C:\\app\\app.exe' })
    .module({ base: 0x7ff800000000n, size: 0x100000, name: 'C:\\Windows\\System32\\ntdll.dll' })
    .memory(0x1000n, Buffer.from(TEXT, 'latin1'))
    .memory(0x2000n, Buffer.concat([Buffer.from('Hello, dump\0more', 'latin1')]))
    .memory(0x2100n, Buffer.from('W\0i\0d\0e\0!\0\0\0', 'latin1'))
    .memory(0x2200n, Buffer.from([0x00, 0x00, 0x80, 0x3f, 0x00, 0x00, 0x00, 0xc0])) // 1.0f, -2.0f
    .memory(0x2300n, Buffer.from('你好世界\0\0', 'utf8')) // UTF-8 bytes, all above 0x7e
    .build();
}

t.test('db: 16 bytes a line, dash after the 8th, ASCII column', async (t) => {
  const r = runner(amd64Dump());
  t.same(await r.lines('db 1000 L20'), [
    '00000000`00001000  30 31 32 33 34 35 36 37-38 39 41 42 43 44 45 46  0123456789ABCDEF',
    '00000000`00001010  47 48 49 4a 4b 4c 4d 4e-4f 50 51 52 53 54 55 56  GHIJKLMNOPQRSTUV',
  ]);
  // A short last line keeps the character column aligned; no dash without a 9th byte.
  t.same(await r.lines('db 1000 L5'), ['00000000`00001000  30 31 32 33 34                                   01234']);
  t.same(await r.lines('db 1003 L9'), ['00000000`00001003  33 34 35 36 37 38 39 41-42                       3456789AB']);
});

t.test('unreadable bytes print as ?? and lines start exactly at the address', async (t) => {
  const r = runner(amd64Dump());
  // The captured range ends at 0x1040: the line that crosses it is partial.
  t.same(await r.lines('db 1038 L10'), ['00000000`00001038  75 76 77 78 79 7a 21 3f-?? ?? ?? ?? ?? ?? ?? ??  uvwxyz!?????????']);
  t.same(await r.lines('dd 103c L4'), ['00000000`0000103c  3f217a79 ???????? ???????? ????????']);
  t.same(await r.lines('dq 1038 L2'), ['00000000`00001038  3f217a79`78777675 ????????`????????']);
  // Nothing readable at all: rows of ?.
  const rows = await r.lines('dq 50000');
  t.equal(rows.length, 8, 'dq shows 16 qwords by default');
  t.equal(rows[0], '00000000`00050000  ????????`???????? ????????`????????');
  t.equal(rows[7], '00000000`00050070  ????????`???????? ????????`????????');
  t.same(await r.lines('dc 50000 L2'), ['00000000`00050000  ???????? ????????                    ????????']);
});

t.test('dw, dW, dd, dc, dq, dp layouts and default counts', async (t) => {
  const r = runner(amd64Dump());
  t.same(await r.lines('dw 1000 L9'), [
    '00000000`00001000  3130 3332 3534 3736 3938 4241 4443 4645',
    '00000000`00001010  4847',
  ]);
  t.same(await r.lines('dW 1000 L3'), ['00000000`00001000  3130 3332 3534                           012345']);
  t.same(await r.lines('dd 1000 L6'), ['00000000`00001000  33323130 37363534 42413938 46454443', '00000000`00001010  4a494847 4e4d4c4b']);
  t.same(await r.lines('dc 1000 L5'), [
    '00000000`00001000  33323130 37363534 42413938 46454443  0123456789ABCDEF',
    '00000000`00001010  4a494847                             GHIJ',
  ]);
  t.same(await r.lines('dq 1000 L3'), ['00000000`00001000  37363534`33323130 46454443`42413938', '00000000`00001010  4e4d4c4b`4a494847']);
  t.same(await r.lines('dp 1000 L1'), ['00000000`00001000  37363534`33323130'], 'dp is dq on x64');
  t.equal((await r.lines('db 1000')).length, 8, 'db: 128 bytes by default');
  t.equal((await r.lines('dd 1000')).length, 8, 'dd: 32 dwords by default');
  t.equal((await r.lines('dw 1000')).length, 8, 'dw: 64 words by default');
});

t.test('ranges: inclusive end address, L?, L-, glued tokens, errors', async (t) => {
  const r = runner(amd64Dump());
  t.same(await r.lines('dd 1000 1007'), ['00000000`00001000  33323130 37363534'], 'the end address is inclusive');
  t.same(await r.lines('dd 1000 1005'), ['00000000`00001000  33323130 37363534'], 'a partial element is shown whole');
  t.same(await r.lines('db 1010 L-4'), ['00000000`0000100c  43 44 45 46                                      CDEF']);
  t.same(await r.lines('dq@rsp L1'), ['00000000`00008000  00000001`40001234'], 'glued register argument');
  t.same(await r.lines('DB 1000 L2'), ['00000000`00001000  30 31                                            01'], 'tokens are case-insensitive');
  t.same(await r.lines('db 1000 L?2'), ['00000000`00001000  30 31                                            01']);
  t.same(await r.lines('db 1000 L20000000'), ["^ Range error in 'db 1000 L20000000'"].map((l) => ' '.repeat(16) + l), 'over 256 MB needs L?');
  t.same(await r.lines('dd 1000 fff'), ["          ^ Range error in 'dd 1000 fff'"], 'an end below the start');
  t.same(await r.lines('dzq 1000'), ["       ^ Syntax error in 'dzq 1000'"], 'other d-words are not ours');
});

t.test('continuation: a bare d* goes on where the last display ended; d repeats the type', async (t) => {
  const r = runner(amd64Dump());
  await r.lines('dd 1000 L4');
  t.same(await r.lines('dd 1010 L2'), ['00000000`00001010  4a494847 4e4d4c4b']);
  const next = await r.lines('d');
  t.equal(next[0], '00000000`00001018  5251504f 56555453 5a595857 64636261', 'd continues with dd at 0x1018');
  t.equal(next[2], '00000000`00001038  78777675 3f217a79 ???????? ????????');
  t.equal(next.length, 8);
  // Without any previous display, the display starts at the instruction pointer.
  const fresh = runner(amd64Dump());
  t.match((await fresh.lines('dq'))[0], /^00000001`40001000  \?{8}`\?{8} /);
});

t.test('dps / dqs / dds: symbols for values inside modules', async (t) => {
  const r = runner(amd64Dump());
  t.same(await r.lines('dps @rsp L3'), [
    '00000000`00008000  00000001`40001234 app+0x1234',
    '00000000`00008008  00000000`12345678',
    '00000000`00008010  00007ff8`00000010 ntdll+0x10',
  ]);
  t.same(await r.lines('dds @rsp L2'), ['00000000`00008000  40001234', '00000000`00008004  00000001']);
  t.same(await r.lines('dqs 50000 L1'), ['00000000`00050000  ????????`????????']);
  t.equal((await r.lines('dps @rsp')).length, 16, 'dps: 128 bytes of pointers by default');
});

t.test('da / du: quoted strings up to the NUL, 32 characters a line', async (t) => {
  const r = runner(amd64Dump());
  t.same(await r.lines('da 2000'), ['00000000`00002000  "Hello, dump"']);
  t.same(await r.lines('da 2000 L5'), ['00000000`00002000  "Hello"']);
  t.same(await r.lines('du 2100'), ['00000000`00002100  "Wide!"']);
  t.same(await r.lines('da 1000'), ['00000000`00001000  "0123456789ABCDEFGHIJKLMNOPQRSTUV"', '00000000`00001020  "WXYZabcdefghijklmnopqrstuvwxyz!?"', '00000000`00001040  "????????????????????????????????"']);
  t.same(await r.lines('da 50000'), ['00000000`00050000  "????????????????????????????????"']);
  // Seen in a WinDbg transcript of these bytes: da shows bytes above 0x7e as dots; du shows the
  // UTF-16 code units as characters, except private-use ones (0xe5a0, 0xe796).
  t.same(await r.lines('da 2300'), ['00000000`00002300  "............"']);
  t.same(await r.lines('du 2300'), ['00000000`00002300  "뷤.붥룤.貕"']);
});

t.test('df: single floats', async (t) => {
  const r = runner(amd64Dump());
  t.same(await r.lines('df 2200 L2'), ['00000000`00002200                1              -2']);
});

t.test('x86 targets: 8-digit addresses, dp = dd, dq keeps the backtick', async (t) => {
  const buf = new SynthDump()
    .arch('x86')
    .thread({ id: 4, context: { eip: 0x401000n, esp: 0x9000n }, stack: { addr: 0x9000n, bytes: Buffer.from([0x10, 0x10, 0x40, 0x00, 1, 2, 3, 4]) } })
    .module({ base: 0x400000n, size: 0x10000, name: 'C:\\app\\app.exe' })
    .memory(0x1000n, Buffer.from(TEXT, 'latin1'))
    .build();
  const r = runner(buf);
  t.same(await r.lines('db 1000 L10'), ['00001000  30 31 32 33 34 35 36 37-38 39 41 42 43 44 45 46  0123456789ABCDEF']);
  t.same(await r.lines('dp 1000 L2'), ['00001000  33323130 37363534']);
  t.same(await r.lines('dq 1000 L1'), ['00001000  37363534`33323130']);
  t.same(await r.lines('dds @esp L2'), ['00009000  00401010 app+0x1010', '00009004  04030201']);
  t.same(await r.lines('dd 50000 L1'), ['00050000  ????????']);
});

t.test('structured data carries the real values', async (t) => {
  const r = runner(amd64Dump());
  const [res] = await r.results('dd 103c L2');
  t.equal(res?.data?.type, 'memory');
  const rows = res?.data?.['rows'] as { address: bigint; values: (bigint | null)[] }[];
  t.same(rows[0]?.values, [0x3f217a79n, null]);
  t.equal(res?.data?.['next'], 0x1044n);
});

/** Reads `len` bytes at `addr` from a dump's MemoryListStream, walking the raw file (independent of the parser). */
function rawMemoryListRead(file: Buffer, addr: bigint, len: number): Buffer | undefined {
  const streams = file.readUInt32LE(8);
  const dir = file.readUInt32LE(12);
  for (let i = 0; i < streams; i++) {
    const at = dir + 12 * i;
    if (file.readUInt32LE(at) !== 5) continue;
    const rva = file.readUInt32LE(at + 8);
    const n = file.readUInt32LE(rva);
    for (let j = 0; j < n; j++) {
      const d = rva + 4 + 16 * j;
      const start = file.readBigUInt64LE(d);
      const size = file.readUInt32LE(d + 8);
      const off = file.readUInt32LE(d + 12);
      if (addr >= start && addr + BigInt(len) <= start + BigInt(size)) {
        const o = off + Number(addr - start);
        return file.subarray(o, o + len);
      }
    }
  }
  return undefined;
}

t.test('corpus: dq @$csp L4 equals the bytes in the file', async (t) => {
  const dir = new URL('wine-x64/', CORPUS);
  if (!existsSync(dir)) {
    t.skip('corpus not present');
    return;
  }
  const dumps = readdirSync(dir).filter((f) => f.endsWith('-mini.dmp'));
  t.ok(dumps.length > 0);
  for (const name of dumps) {
    const path = new URL(name, dir).pathname;
    const r = runner(path, name);
    const target = r.target!;
    const sp = target.scopeContext()?.sp;
    if (sp === undefined) continue;
    const raw = rawMemoryListRead(readFileSync(path), sp, 32);
    if (!raw) continue;
    const q = (i: number) => {
      const h = raw.readBigUInt64LE(8 * i).toString(16).padStart(16, '0');
      return `${h.slice(0, 8)}\`${h.slice(8)}`;
    };
    const a = (v: bigint) => {
      const h = v.toString(16).padStart(16, '0');
      return `${h.slice(0, 8)}\`${h.slice(8)}`;
    };
    t.same(await r.lines('dq @$csp L4'), [`${a(sp)}  ${q(0)} ${q(1)}`, `${a(sp + 16n)}  ${q(2)} ${q(3)}`], name);
    const bytes = [...raw.subarray(0, 16)].map((b) => b.toString(16).padStart(2, '0'));
    const chars = [...raw.subarray(0, 16)].map((b) => (b >= 0x20 && b <= 0x7e ? String.fromCharCode(b) : '.')).join('');
    t.same(await r.lines('db @$csp L10'), [`${a(sp)}  ${bytes.slice(0, 8).join(' ')}-${bytes.slice(8).join(' ')}  ${chars}`], `${name} db`);
  }
});

t.test('Enter after a d* command continues the display', async (t) => {
  const { repeatLineFor } = await import('../../commands/standard/d.js');
  t.equal(repeatLineFor('dq @rsp L4'), 'dq');
  t.equal(repeatLineFor('dps@rsp'), 'dps');
  t.equal(repeatLineFor('k'), 'k');
  t.equal(repeatLineFor('dt foo'), 'dt foo');
  const r = runner(amd64Dump());
  await r.lines('dd 1000 L4');
  t.same(await r.lines(repeatLineFor('dd 1000 L4')).then((l) => l[0]), '00000000`00001010  4a494847 4e4d4c4b 5251504f 56555453');
});
