import t from 'tap';
import { existsSync, readFileSync } from 'node:fs';
import { SynthDump } from '../fixtures/synth/minidump-writer.js';
import { runner } from '../fixtures/command-runner.js';

const CORPUS = new URL('../../../shared/corpus/', import.meta.url);

const COMMIT = 0x1000;
const RESERVE = 0x2000;
const FREE = 0x10000;
const PRIVATE = 0x20000;
const IMAGE = 0x1000000;

/** A small x64 address space: free, shared user data, a stack (reserve/guard/commit), a TEB, an image, and unknown memory. */
function addressDump(): Buffer {
  return new SynthDump()
    .arch('amd64')
    .miscInfo({ processId: 0x1144 })
    .thread({ id: 0x364, teb: 0x30000n, context: { rip: 0x140001010n, rsp: 0x2ff00n }, stack: { addr: 0x2ff00n, bytes: Buffer.alloc(0x100) } })
    .module({ base: 0x140000000n, size: 0x3000, name: 'C:\\app\\app.exe' })
    .memory(0x50000n, Buffer.from('MZ..unknown-data', 'latin1'))
    .memoryInfo([
      { baseAddress: 0x0n, allocationBase: 0n, allocationProtect: 0, regionSize: 0x10000n, state: FREE, protect: 1, type: 0 },
      { baseAddress: 0x10000n, allocationBase: 0x10000n, regionSize: 0x1d000n, state: RESERVE, protect: 0, allocationProtect: 4, type: PRIVATE },
      { baseAddress: 0x2d000n, allocationBase: 0x10000n, regionSize: 0x1000n, state: COMMIT, protect: 0x104, allocationProtect: 4, type: PRIVATE },
      { baseAddress: 0x2e000n, allocationBase: 0x10000n, regionSize: 0x2000n, state: COMMIT, protect: 4, allocationProtect: 4, type: PRIVATE },
      { baseAddress: 0x30000n, allocationBase: 0x30000n, regionSize: 0x2000n, state: COMMIT, protect: 4, type: PRIVATE },
      { baseAddress: 0x32000n, allocationBase: 0n, allocationProtect: 0, regionSize: 0x1e000n, state: FREE, protect: 1, type: 0 },
      { baseAddress: 0x50000n, allocationBase: 0x50000n, regionSize: 0x1000n, state: COMMIT, protect: 0x40, type: PRIVATE },
      { baseAddress: 0x51000n, allocationBase: 0n, allocationProtect: 0, regionSize: 0x7ffe0000n - 0x51000n, state: FREE, protect: 1, type: 0 },
      { baseAddress: 0x7ffe0000n, allocationBase: 0x7ffe0000n, regionSize: 0x1000n, state: COMMIT, protect: 2, type: PRIVATE },
      { baseAddress: 0x7ffe1000n, allocationBase: 0n, allocationProtect: 0, regionSize: 0x140000000n - 0x7ffe1000n, state: FREE, protect: 1, type: 0 },
      { baseAddress: 0x140000000n, allocationBase: 0x140000000n, regionSize: 0x1000n, state: COMMIT, protect: 2, allocationProtect: 0x80, type: IMAGE },
      { baseAddress: 0x140001000n, allocationBase: 0x140000000n, regionSize: 0x2000n, state: COMMIT, protect: 0x20, allocationProtect: 0x80, type: IMAGE },
    ])
    .build();
}

t.test('!address: the region table with usage', async (t) => {
  const r = runner(addressDump());
  const all = await r.lines('!address');
  // dbgeng's progress lines come first: a blank line, 37 spaces, nine "Mapping ... regions..." lines, a blank line.
  t.same(all.slice(0, 3), ['', ' '.repeat(37), 'Mapping file section regions...']);
  t.equal(all[10], 'Mapping activation context regions...');
  const lines = all.slice(11);
  t.same(lines.slice(0, 15), [
    '',
    '        BaseAddress      EndAddress+1        RegionSize     Type       State                 Protect             Usage',
    '-'.repeat(122),
    '+        0`00000000        0`00010000        0`00010000             MEM_FREE    PAGE_NOACCESS                      Free       ',
    '+        0`00010000        0`0002d000        0`0001d000 MEM_PRIVATE MEM_RESERVE                                    Stack      [~0; 1144.364]',
    '         0`0002d000        0`0002e000        0`00001000 MEM_PRIVATE MEM_COMMIT  PAGE_READWRITE | PAGE_GUARD        Stack      [~0; 1144.364]',
    '         0`0002e000        0`00030000        0`00002000 MEM_PRIVATE MEM_COMMIT  PAGE_READWRITE                     Stack      [~0; 1144.364]',
    '+        0`00030000        0`00032000        0`00002000 MEM_PRIVATE MEM_COMMIT  PAGE_READWRITE                     TEB        [~0; 1144.364]',
    '+        0`00032000        0`00050000        0`0001e000             MEM_FREE    PAGE_NOACCESS                      Free       ',
    '+        0`00050000        0`00051000        0`00001000 MEM_PRIVATE MEM_COMMIT  PAGE_EXECUTE_READWRITE             <unknown>  [MZ..unknown-data]',
    '+        0`00051000        0`7ffe0000        0`7ff8f000             MEM_FREE    PAGE_NOACCESS                      Free       ',
    '+        0`7ffe0000        0`7ffe1000        0`00001000 MEM_PRIVATE MEM_COMMIT  PAGE_READONLY                      Other      [User Shared Data]',
    '+        0`7ffe1000        1`40000000        0`c001f000             MEM_FREE    PAGE_NOACCESS                      Free       ',
    '+        1`40000000        1`40001000        0`00001000 MEM_IMAGE   MEM_COMMIT  PAGE_READONLY                      Image      [app; "C:\\app\\app.exe"]',
    '         1`40001000        1`40003000        0`00002000 MEM_IMAGE   MEM_COMMIT  PAGE_EXECUTE_READ                  Image      [app; "C:\\app\\app.exe"]',
  ]);
  t.equal(lines[15], '');
  t.equal(lines[16], '--- Usage Summary ---------------- RgnCount ----------- Total Size -------- %ofBusy %ofTotal');
});

t.test('x86 table columns (as in a WinDbg x86 transcript)', async (t) => {
  const buf = new SynthDump()
    .arch('x86')
    .miscInfo({ processId: 0x3804 })
    .thread({ id: 0x4ccc, teb: 0x7f000n, context: { eip: 0x401000n, esp: 0x8ff2ecn }, stack: { addr: 0x8ff000n, bytes: Buffer.alloc(0x1000) } })
    .memoryInfo([
      { baseAddress: 0x0n, allocationBase: 0n, allocationProtect: 0, regionSize: 0x10000n, state: FREE, protect: 1, type: 0 },
      { baseAddress: 0x10000n, allocationBase: 0n, allocationProtect: 0, regionSize: 0x800000n - 0x10000n, state: FREE, protect: 1, type: 0 },
      { baseAddress: 0x800000n, allocationBase: 0x800000n, regionSize: 0xfd000n, state: RESERVE, protect: 0, allocationProtect: 4, type: PRIVATE },
      { baseAddress: 0x8fd000n, allocationBase: 0x800000n, regionSize: 0x3000n, state: COMMIT, protect: 4, allocationProtect: 4, type: PRIVATE },
    ])
    .build();
  const lines = (await runner(buf).lines('!address')).slice(12);
  t.same(lines.slice(0, 3), [
    '  BaseAddr EndAddr+1 RgnSize     Type       State                 Protect             Usage',
    '-'.repeat(95),
    '+        0    10000    10000             MEM_FREE    PAGE_NOACCESS                      Free       ',
  ]);
  t.equal(lines[5], '    8fd000   900000     3000 MEM_PRIVATE MEM_COMMIT  PAGE_READWRITE                     Stack      [~0; 3804.4ccc]');
});

t.test('!address -summary: sizes and percentages', async (t) => {
  const r = runner(addressDump());
  const lines = await r.lines('!address -summary');
  // Busy = 0x20000 (stack) + 0x2000 (TEB) + 0x1000 + 0x1000 + 0x3000 (image) = 0x27000; total = 0x140003000,
  // so Stack is 0x20000 / 0x27000 = 82.05% of busy and every busy share of the total rounds to 0.00%.
  t.same(lines.slice(0, 8), [
    '',
    '--- Usage Summary ---------------- RgnCount ----------- Total Size -------- %ofBusy %ofTotal',
    'Free                                      4        1`3ffdc000 (   5.000 GB)          100.00%',
    'Stack                                     3        0`00020000 ( 128.000 kB)  82.05%    0.00%',
    'Image                                     2        0`00003000 (  12.000 kB)   7.69%    0.00%',
    'TEB                                       1        0`00002000 (   8.000 kB)   5.13%    0.00%',
    '<unknown>                                 1        0`00001000 (   4.000 kB)   2.56%    0.00%',
    'Other                                     1        0`00001000 (   4.000 kB)   2.56%    0.00%',
  ]);
  t.ok(lines.includes('--- Type Summary (for busy) ------ RgnCount ----------- Total Size -------- %ofBusy %ofTotal'));
  t.ok(lines.includes('MEM_PRIVATE                               6        0`00024000 ( 144.000 kB)  92.31%    0.00%'));
  t.ok(lines.includes('MEM_RESERVE                               1        0`0001d000 ( 116.000 kB)  74.36%    0.00%'));
  t.ok(lines.includes('PAGE_READWRITE | PAGE_GUARD               1        0`00001000 (   4.000 kB)   2.56%    0.00%'));
  t.ok(lines.includes('--- Largest Region by Usage ----------- Base Address -------- Region Size ----------'));
  t.ok(lines.includes('Stack' + ' '.repeat(37) + '0`00010000        0`0001d000 ( 116.000 kB)'), 'base address ends in column 52');
});

t.test('the PEB page and each TEB are cut out of the region that holds them', async (t) => {
  const teb = Buffer.alloc(0x100);
  teb.writeBigUInt64LE(0x2f000n, 0x60); // ProcessEnvironmentBlock
  const buf = new SynthDump()
    .arch('amd64')
    .miscInfo({ processId: 0x1144 })
    .thread({ id: 0x364, teb: 0x30000n, context: { rip: 1n, rsp: 1n } })
    .memory(0x30000n, teb)
    .memoryInfo([
      { baseAddress: 0x20000n, allocationBase: 0x20000n, regionSize: 0xf000n, state: RESERVE, protect: 0, allocationProtect: 4, type: PRIVATE },
      { baseAddress: 0x2f000n, allocationBase: 0x20000n, regionSize: 0x4000n, state: COMMIT, protect: 4, allocationProtect: 4, type: PRIVATE },
    ])
    .build();
  const rows = (await runner(buf).lines('!address')).slice(14, 19);
  t.same(rows, [
    '+        0`00020000        0`0002f000        0`0000f000 MEM_PRIVATE MEM_RESERVE                                    <unknown>  ',
    '         0`0002f000        0`00030000        0`00001000 MEM_PRIVATE MEM_COMMIT  PAGE_READWRITE                     PEB        [1144]',
    '         0`00030000        0`00032000        0`00002000 MEM_PRIVATE MEM_COMMIT  PAGE_READWRITE                     TEB        [~0; 1144.364]',
    '         0`00032000        0`00033000        0`00001000 MEM_PRIVATE MEM_COMMIT  PAGE_READWRITE                     <unknown>  ',
    '',
  ]);
});

t.test('!address -f: filters (no allocation marks, no summary)', async (t) => {
  const r = runner(addressDump());
  const rows = (await r.lines('!address -f:PAGE_EXECUTE_READWRITE')).slice(14);
  t.same(rows, ['         0`00050000        0`00051000        0`00001000 MEM_PRIVATE MEM_COMMIT  PAGE_EXECUTE_READWRITE             <unknown>  [MZ..unknown-data]']);
  const stack = (await r.lines('!address -f:Stack,TEB')).slice(14);
  t.equal(stack.length, 4);
  t.equal((await r.lines('!address -f:Stack,MEM_COMMIT')).slice(14).length, 2, 'kinds combine with AND');
  t.equal((await r.lines('!address -f:PAGE_GUARD')).slice(14).length, 1);
  t.same(await r.lines('!address -f:Bogus'), ["Unknown !address filter 'Bogus': use Free, Image, Stack, TEB, PEB, Heap, Other, VAR, MEM_* or PAGE_* names"]);
});

t.test('!address ADDR: the region block', async (t) => {
  const r = runner(addressDump());
  const block = await r.lines('!address @rsp');
  t.equal(block[12], 'Usage:                  Stack', 'after the mapping lines');
  t.same(block.slice(12), [
    'Usage:                  Stack',
    'Base Address:           00000000`0002e000',
    'End Address:            00000000`00030000',
    'Region Size:            00000000`00002000 (   8.000 kB)',
    'State:                  00001000          MEM_COMMIT',
    'Protect:                00000004          PAGE_READWRITE',
    'Type:                   00020000          MEM_PRIVATE',
    'Allocation Base:        00000000`00010000',
    'Allocation Protect:     00000004          PAGE_READWRITE',
    'More info:              ~0k',
    '',
    '',
    'Content source: 1 (target), length: 100',
  ]);
  const img = await r.lines('!address @rip');
  t.equal(img[12], 'Usage:                  Image');
  t.ok(img.includes('Image Path:             C:\\app\\app.exe'));
  t.ok(img.includes('More info:              lmv m app'));
  t.ok(img.includes('More info:              ln 0x140001010'));
  t.same((await r.lines('!address 40000')).slice(-6), [
    'State:                  00010000          MEM_FREE',
    'Protect:                00000001          PAGE_NOACCESS',
    'Type:                   <info not present at the target>',
    '',
    '',
    'Content source: 0 (invalid), length: 10000',
  ]);
  const [res] = await r.results('!address 50010');
  t.equal((res?.data?.['region'] as Record<string, unknown>)['usage'], '<unknown>');
});

t.test('without MemoryInfoList: one sentence, and what the other streams know', async (t) => {
  const r = runner(
    new SynthDump()
      .arch('amd64')
      .thread({ id: 0x10, context: { rip: 0x140001000n, rsp: 0x8000n }, stack: { addr: 0x8000n, bytes: Buffer.alloc(0x100) } })
      .module({ base: 0x140000000n, size: 0x10000, name: 'C:\\app\\app.exe' })
      .build(),
  );
  const [res] = await r.results('!address');
  t.equal(res?.failed, true);
  t.equal(res?.blocks[0]?.lines[0], '!address needs the MemoryInfoList stream (16), which this dump does not have (it was written without MiniDumpWithFullMemoryInfo).');
  t.same(await r.lines('!address 140000010'), [
    '!address needs the MemoryInfoList stream (16), which this dump does not have (it was written without MiniDumpWithFullMemoryInfo).',
    'Usage:                  Image (from the module list)',
    'Module:                 app (C:\\app\\app.exe)',
    'Image range:            00000001`40000000 - 00000001`40010000',
    'Captured memory:        none: the dump holds no bytes at this address',
  ]);
  const stack = await r.lines('!address 8010');
  t.ok(stack.includes('Usage:                  Stack of thread 0 (id 10): captured 00000000`00008000 - 00000000`00008100'));
  t.ok(stack.includes('Captured memory:        00000000`00008000 - 00000000`00008100 (0x100 bytes in the dump)'));
});

/** The number of MINIDUMP_MEMORY_INFO entries and their total size, read from the raw file. */
function rawMemoryInfo(file: Buffer): { count: number; total: bigint; free: bigint } {
  const n = file.readUInt32LE(8);
  const dir = file.readUInt32LE(12);
  for (let i = 0; i < n; i++) {
    if (file.readUInt32LE(dir + 12 * i) !== 16) continue;
    const rva = file.readUInt32LE(dir + 12 * i + 8);
    const header = file.readUInt32LE(rva);
    const size = file.readUInt32LE(rva + 4);
    const count = Number(file.readBigUInt64LE(rva + 8));
    let total = 0n;
    let free = 0n;
    for (let j = 0; j < count; j++) {
      const e = rva + header + j * size;
      const s = file.readBigUInt64LE(e + 24);
      total += s;
      if (file.readUInt32LE(e + 32) === 0x10000) free += s;
    }
    return { count, total, free };
  }
  return { count: 0, total: 0n, free: 0n };
}

t.test('corpus: 557 regions of tiny-exe-with-cet-xsave.dmp', async (t) => {
  const path = new URL('windows/tiny-exe-with-cet-xsave.dmp', CORPUS).pathname;
  if (!existsSync(path)) {
    t.skip('corpus not present');
    return;
  }
  const raw = rawMemoryInfo(readFileSync(path));
  t.equal(raw.count, 557);
  const r = runner(path, 'tiny-exe-with-cet-xsave.dmp');
  const [res] = await r.results('!address');
  const regions = res?.data?.['regions'] as { usage: string; regionSize: bigint }[];
  // One row per region, except that the PEB page is cut out of the region it shares with thread 0's TEB.
  t.equal(regions.length, 558);
  t.same(regions.filter((x) => x.usage === 'PEB' || x.usage === 'TEB').map((x) => [x.usage, x.regionSize]), [['PEB', 0x1000n], ['TEB', 0x2000n]]);
  const lines = await r.lines('!address');
  t.equal(lines.filter((l) => /^[+ ] +[0-9a-f]+`[0-9a-f]{8} /.test(l)).length, 558, 'one table row per region or part');
  const summary = res?.data?.['summary'] as { total: bigint; usage: { name: string; regions: number; size: bigint }[] };
  t.equal(summary.total, raw.total);
  t.equal(summary.usage.reduce((s, u) => s + u.regions, 0), 558);
  t.equal(summary.usage.find((u) => u.name === 'Free')?.size, raw.free);
  // The current thread's stack pointer lies in a Stack region; the instruction pointer in ntdll's image.
  t.match((await r.lines('!address @rsp'))[12], /^Usage: {18}Stack$/);
  const ip = await r.lines('!address @rip');
  t.equal(ip[12], 'Usage:                  Image');
  t.ok(ip.includes('Module Name:            ntdll'));
});
