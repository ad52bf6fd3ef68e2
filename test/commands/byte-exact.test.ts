/**
 * Byte-exact checks of the state commands (`~`, `lm`, `.exr -1`, `.ecxr`/`r`,
 * `db`/`dd`/`dq`, `dps @$csp`) on every real dump we have: the project's
 * examples and, when present, the shared corpus. The expected text is built
 * from test/fixtures/independent-dump.ts, a second minidump reader that shares
 * no code with src/, using the formats of windbg-commands.md §2.1, §2.2, §3.1,
 * §5.1, §6.1, §6.2 and §8.1.
 */
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import t from 'tap';
import { readIndependentDump, readIndependentDumpBuffer, type IndDump, type IndModule } from '../fixtures/independent-dump.js';
import { SynthDump } from '../fixtures/synth/minidump-writer.js';
import { CORPUS, REPO, sessionFromBuffer, sessionFromFile, type TestSession } from '../fixtures/session.js';
import { resolveDumpInput } from '../../src/session/intake.js';

function dumpsIn(dir: string, filter: (f: string) => boolean): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter(filter)
    .sort()
    .map((f) => path.join(dir, f));
}

const DUMPS = [
  ...dumpsIn(path.join(REPO, 'examples', 'dumps'), (f) => f.endsWith('.dmp')),
  ...dumpsIn(path.join(CORPUS, 'windows'), (f) => f.endsWith('.dmp')),
  ...dumpsIn(path.join(CORPUS, 'wine-x64'), (f) => f.endsWith('-mini.dmp')),
  // Full-memory dumps (Memory64List), gzipped in the corpus: the session opens .gz directly.
  ...dumpsIn(path.join(CORPUS, 'wine-x64'), (f) => f.endsWith('-full.dmp.gz')),
];

// ---- independent formatting (windbg-commands.md §0.3) ----

const hex = (v: bigint | number, width: number): string => BigInt(v).toString(16).padStart(width, '0');
/** Pointer as in tables: x64 with a backtick between the halves, x86 8 digits. */
const ptr = (v: bigint, size: 4 | 8): string => (size === 8 ? `${hex(v >> 32n, 8)}\`${hex(v & 0xffffffffn, 8)}` : hex(v & 0xffffffffn, 8));

function windbgModuleName(p: string): string {
  const file = p.split(/[\\/]/).pop() ?? p;
  const dot = file.lastIndexOf('.');
  const stem = dot > 0 ? file.slice(0, dot) : file;
  return stem.replace(/[^A-Za-z0-9_]/g, '_');
}

function moduleNames(mods: IndModule[]): Map<IndModule, string> {
  const seen = new Set<string>();
  const out = new Map<IndModule, string>();
  for (const m of mods) {
    const n = windbgModuleName(m.path);
    out.set(m, seen.has(n.toLowerCase()) ? `${n}_${m.base.toString(16)}` : n);
    seen.add(n.toLowerCase());
  }
  return out;
}

function inModule(d: IndDump, a: bigint): boolean {
  return d.modules.some((m) => a >= m.base && a < m.base + BigInt(m.size));
}

function bytesAt(d: IndDump, addr: bigint, n: number): (number | undefined)[] {
  return Array.from({ length: n }, (_, i) => d.byte(addr + BigInt(i)));
}

/**
 * The bytes one display line shows. dbgeng reads a line at a time and a read
 * stops at the first byte the dump lacks, so everything after it in that line
 * is `??` even when a later range resumes inside the line (the partial-line
 * sample of windbg-commands.md §6.1); the next line reads afresh.
 */
function lineBytes(d: IndDump, addr: bigint, n: number): (number | undefined)[] {
  const b = bytesAt(d, addr, n);
  const gap = b.indexOf(undefined);
  return gap < 0 ? b : b.map((x, i) => (i < gap ? x : undefined));
}

function lineElement(line: (number | undefined)[], at: number, size: number): bigint | undefined {
  const b = line.slice(at, at + size);
  if (b.length < size || b.some((x) => x === undefined)) return undefined;
  return b.reduceRight((acc: bigint, x) => (acc << 8n) | BigInt(x!), 0n);
}

function element(d: IndDump, addr: bigint, size: number): bigint | undefined {
  const b = bytesAt(d, addr, size);
  if (b.some((x) => x === undefined)) return undefined;
  return b.reduceRight((acc: bigint, x) => (acc << 8n) | BigInt(x!), 0n);
}

function expectDb(d: IndDump, addr: bigint, lines: number): string[] {
  const out: string[] = [];
  for (let l = 0; l < lines; l++) {
    const a = addr + BigInt(16 * l);
    const b = lineBytes(d, a, 16);
    const cells = b.map((x) => (x === undefined ? '??' : hex(x, 2)));
    const ascii = b.map((x) => (x === undefined ? '?' : x >= 0x20 && x <= 0x7e ? String.fromCharCode(x) : '.')).join('');
    out.push(`${ptr(a, d.pointerSize)}  ${cells.slice(0, 8).join(' ')}-${cells.slice(8).join(' ')}  ${ascii}`);
  }
  return out;
}

function expectDd(d: IndDump, addr: bigint, lines: number): string[] {
  const out: string[] = [];
  for (let l = 0; l < lines; l++) {
    const a = addr + BigInt(16 * l);
    const line = lineBytes(d, a, 16);
    const cells = [0, 1, 2, 3].map((i) => {
      const v = lineElement(line, 4 * i, 4);
      return v === undefined ? '????????' : hex(v, 8);
    });
    out.push(`${ptr(a, d.pointerSize)}  ${cells.join(' ')}`);
  }
  return out;
}

function expectDq(d: IndDump, addr: bigint, lines: number): string[] {
  const out: string[] = [];
  for (let l = 0; l < lines; l++) {
    const a = addr + BigInt(16 * l);
    const line = lineBytes(d, a, 16);
    const cells = [0, 1].map((i) => {
      const v = lineElement(line, 8 * i, 8);
      return v === undefined ? '????????`????????' : `${hex(v >> 32n, 8)}\`${hex(v & 0xffffffffn, 8)}`;
    });
    out.push(`${ptr(a, d.pointerSize)}  ${cells.join(' ')}`);
  }
  return out;
}

/** Flag words from EFlags bits (OF DF IF SF ZF AF PF CF); pe = PF set (the project's documented choice). */
function flagWords(efl: number): string {
  const on = (b: number) => ((efl >>> b) & 1) === 1;
  const pairs: [number, string, string][] = [
    [11, 'ov', 'nv'],
    [10, 'dn', 'up'],
    [9, 'ei', 'di'],
    [7, 'ng', 'pl'],
    [6, 'zr', 'nz'],
    [4, 'ac', 'na'],
    [2, 'pe', 'po'],
    [0, 'cy', 'nc'],
  ];
  return `iopl=${(efl >>> 12) & 3}         ${pairs.map(([b, s, c]) => (on(b) ? s : c)).join(' ')}`;
}

function expectRegisters(d: IndDump, r: Record<string, bigint>): string[] {
  const efl = Number(r.efl ?? 0n);
  const segs = ['cs', 'ss', 'ds', 'es', 'fs', 'gs'].map((s) => `${s}=${hex(r[s]!, 4)}`).join('  ');
  const segLine = `${segs}             efl=${hex(efl, 8)}`;
  if (d.arch === 'amd64') {
    const f = (n: string) => `${n.padStart(3)}=${hex(r[n]!, 16)}`;
    const rows = [
      ['rax', 'rbx', 'rcx'],
      ['rdx', 'rsi', 'rdi'],
      ['rip', 'rsp', 'rbp'],
      ['r8', 'r9', 'r10'],
      ['r11', 'r12', 'r13'],
      ['r14', 'r15'],
    ];
    return [...rows.map((row) => row.map(f).join(' ')), flagWords(efl), segLine];
  }
  const f = (n: string) => `${n}=${hex(r[n]!, 8)}`;
  return [['eax', 'ebx', 'ecx', 'edx', 'esi', 'edi'].map(f).join(' '), `${['eip', 'esp', 'ebp'].map(f).join(' ')} ${flagWords(efl)}`, segLine];
}

/**
 * The disassembly line of `r` ends with the effective-address note for a
 * `[reg]` / `[reg+disp]` / `[reg+reg]` operand (§5.1): recomputed here from the context bytes
 * and the memory the independent reader sees.
 */
function checkEffectiveAddress(t: Test, d: IndDump, regs: Record<string, bigint>, line: string): void {
  const m = /\b(byte|word|dword|qword) ptr \[([a-z0-9]+)(?:\+([a-z0-9]+))?(?:([+-])([0-9A-F]+)h)?\]/.exec(line);
  if (!m || /\b(lea|nop)\b/.test(line)) return;
  const size = { byte: 1, word: 2, dword: 4, qword: 8 }[m[1] as 'byte']!;
  const base = regs[m[2]!];
  const index = m[3] ? regs[m[3]] : 0n;
  if (base === undefined || index === undefined) return;
  const disp = m[5] ? BigInt(`0x${m[5]}`) * (m[4] === '-' ? -1n : 1n) : 0n;
  const mask = d.pointerSize === 8 ? (1n << 64n) - 1n : 0xffffffffn;
  const ea = (base + index + disp) & mask;
  const seg = /^[er](sp|bp)$/.test(m[2]!) ? 'ss' : 'ds';
  const where = d.pointerSize === 8 ? `${seg}:${ptr(ea, 8)}` : `${seg}:${hex(regs[seg]!, 4)}:${hex(ea, 8)}`;
  const v = element(d, ea, size);
  const note = `${where}=${v === undefined ? '?'.repeat(2 * size) : hex(v, 2 * size)}`;
  if (v !== undefined && size === d.pointerSize && inModule(d, v)) t.ok(line.endsWith('}') && line.includes(` ${where}={`), `effective address ${where} names a symbol`);
  else t.ok(line.endsWith(` ${note}`), `effective address note ${note}`);
  totals.effectiveAddresses++;
}

const EXCEPTION_NAMES: Record<number, string> = {
  0xc0000005: 'Access violation',
  0x80000003: 'Break instruction exception',
  0xc0000094: 'Integer divide-by-zero',
  0xe06d7363: 'C++ EH exception',
  0xc00000fd: 'Stack overflow',
};

function expectExr(d: IndDump): { exact: string[]; addressLine: RegExp; codeLine: RegExp } {
  const ex = d.exception!;
  const w = d.pointerSize * 2;
  const mask = d.pointerSize === 8 ? (1n << 64n) - 1n : 0xffffffffn;
  const p = (v: bigint) => hex(v & mask, w);
  const exact = [`  ExceptionFlags: ${hex(ex.flags, 8)}`, `NumberParameters: ${ex.parameters.length}`, ...ex.parameters.map((v, i) => `   Parameter[${i}]: ${p(v)}`)];
  if (ex.code === 0xc0000005 && ex.parameters.length >= 2) {
    const verb: Record<string, string> = { '0': 'Attempt to read from address', '1': 'Attempt to write to address', '8': 'Attempt to execute non-executable address' };
    const v = verb[ex.parameters[0]!.toString()];
    if (v) exact.push(`${v} ${p(ex.parameters[1]!)}`);
  }
  const addr = p(ex.address);
  const addressLine = inModule(d, ex.address) ? new RegExp(`^ExceptionAddress: ${addr} \\([^ ]+\\+0x[0-9a-f]{${w}}\\)$|^ExceptionAddress: ${addr} \\([^ +]+\\)$`) : new RegExp(`^ExceptionAddress: ${addr}$`);
  const name = EXCEPTION_NAMES[ex.code];
  const codeLine = new RegExp(`^   ExceptionCode: ${hex(ex.code, 8)} \\(${name ? name.replace(/[+.]/g, '\\$&') : '[^)]+'}\\)$`);
  return { exact, addressLine, codeLine };
}

/** Picks up to n ranges spread over the list (first and last included). */
function sample<T>(xs: T[], n: number): T[] {
  if (xs.length <= n) return xs;
  return Array.from({ length: n }, (_, i) => xs[Math.round((i * (xs.length - 1)) / (n - 1))]!);
}

const totals = { dumps: 0, threads: 0, modules: 0, unloaded: 0, ranges: 0, memoryCommands: 0, registers: 0, stackSlots: 0, effectiveAddresses: 0 };

type Test = Parameters<Parameters<typeof t.test>[1]>[0];

async function checkFile(t: Test, file: string): Promise<void> {
  const d = readIndependentDump(file);
  // The product opens .gz through its intake (unpacked to its cache); the reader above gunzips on its own.
  const s: TestSession = sessionFromFile(file.endsWith('.gz') ? (await resolveDumpInput(file)).filePath : file);
  await checkDump(t, d, s);
}

async function checkDump(t: Test, d: IndDump, s: TestSession): Promise<void> {
  const ps = d.pointerSize;
  totals.dumps++;

  // ~ : one row per thread, the exception thread current on open.
  const eventIndex = d.exception ? Math.max(0, d.threads.findIndex((th) => th.threadId === d.exception!.threadId)) : 0;
  const pid = (d.processId ?? 0).toString(16);
  const row = (i: number, mark: string) => {
    const th = d.threads[i]!;
    const name = d.threadNames.get(th.threadId);
    return `${mark}${String(i).padStart(3)}  Id: ${pid}.${th.threadId.toString(16)} Suspend: ${th.suspendCount} Teb: ${ptr(th.teb, ps)} Unfrozen${name !== undefined ? ` "${name}"` : ''}`;
  };
  const tilde = await s.run('~');
  const rows = tilde.filter((l) => /^[.# ] *\d+  Id: /.test(l));
  t.equal(rows.length, d.threads.length, '~ lists every thread');
  for (let i = 0; i < d.threads.length; i++) {
    const got = rows[i] ?? '';
    t.equal(got, row(i, i === eventIndex ? '.' : ' '), `~ row ${i}`);
  }
  totals.threads += d.threads.length;
  if (d.exception && d.threads.length > 1) {
    const other = eventIndex === 0 ? 1 : 0;
    await s.run(`~${other}s`);
    const rows2 = (await s.run('~')).filter((l) => /^[.# ] *\d+  Id: /.test(l));
    t.equal(rows2[other]?.slice(0, 4), `.${String(other).padStart(3)}`, 'after ~Ns the new thread is current');
    t.equal(rows2[eventIndex]?.slice(0, 4), `#${String(eventIndex).padStart(3)}`, 'the event thread is marked #');
    await s.run(`~${eventIndex}s`);
  }

  // lm: sorted by base, start/end exact, WinDbg module names.
  const names = moduleNames(d.modules);
  const lm = await s.run('lm');
  t.equal(lm[0], ps === 8 ? 'start             end                 module name' : 'start    end        module name', 'lm header');
  const byBase = [...d.modules].sort((a, b) => (a.base < b.base ? -1 : a.base > b.base ? 1 : 0));
  byBase.forEach((m, i) => {
    const line = lm[i + 1] ?? '';
    const prefix = `${ptr(m.base, ps)} ${ptr(m.base + BigInt(m.size), ps)}   ${names.get(m)!.padEnd(8)} `;
    t.equal(line.slice(0, prefix.length), prefix, `lm row ${names.get(m)}`);
    t.match(line.slice(prefix.length), /^[ CT#M] \((deferred|pdb symbols|private pdb symbols|export symbols|no symbols|codeview symbols|coff symbols)\)/, `lm status ${names.get(m)}`);
  });
  totals.modules += d.modules.length;
  if (d.unloadedModules.length) {
    const at = lm.indexOf('Unloaded modules:');
    t.ok(at > 0 && lm[at - 1] === '', 'a blank line, then Unloaded modules:');
    t.same(
      lm.slice(at + 1),
      d.unloadedModules.map((u) => `${ptr(u.base, ps)} ${ptr(u.base + BigInt(u.size), ps)}   ${u.path.split(/[\\/]/).pop()}`),
      'unloaded modules',
    );
    totals.unloaded += d.unloadedModules.length;
  } else {
    t.equal(lm.length, d.modules.length + 1, 'no other lines in lm');
  }

  // .exr -1
  const exr = await s.run('.exr -1');
  if (!d.exception) {
    t.same(exr, ['Last event was not an exception'], '.exr -1 without an exception stream');
    t.same(await s.run('.ecxr'), ['Minidump doesn\'t have an exception context', 'Unable to get exception context, HRESULT 0x80004002'], '.ecxr without an exception stream');
  } else {
    const e = expectExr(d);
    t.match(exr[0], e.addressLine, '.exr ExceptionAddress');
    t.match(exr[1], e.codeLine, '.exr ExceptionCode');
    t.same(exr.slice(2, 2 + e.exact.length), e.exact, '.exr fields, parameters and trailer');
    if (d.exception.code === 0xc0000409 && d.exception.parameters.length) t.match(exr[2 + e.exact.length], new RegExp(`^Subcode: 0x${d.exception.parameters[0]!.toString(16)} \\S+`), 'fast-fail subcode');
    else t.equal(exr.length, 2 + e.exact.length, 'no extra .exr lines');

    // .ecxr then r: the register block from the exception context bytes.
    const regs = d.context(d.exception.contextSize, d.exception.contextRva);
    if (regs && (d.arch === 'amd64' || d.arch === 'x86')) {
      const want = expectRegisters(d, regs);
      const ecxr = await s.run('.ecxr');
      t.same(ecxr.slice(0, want.length), want, '.ecxr register block');
      const r = await s.run('r');
      t.same(r.slice(0, want.length), want, 'r after .ecxr');
      checkEffectiveAddress(t, d, regs, r[r.length - 1] ?? '');
      totals.registers += d.arch === 'amd64' ? 17 + 7 : 9 + 7;
    }
  }

  // dps @$csp L8: the stack slots of the current context.
  const ctxRegs = d.exception ? d.context(d.exception.contextSize, d.exception.contextRva) : (() => {
    const th = d.threads[0];
    return th ? d.context(th.contextSize, th.contextRva) : undefined;
  })();
  const sp = ctxRegs ? (ctxRegs.rsp ?? ctxRegs.esp ?? ctxRegs.sp) : undefined;
  if (sp !== undefined && d.arch !== 'other') {
    const dps = await s.run('dps @$csp L8');
    const lines = dps.filter((l) => !l.startsWith('***') && !/^(Unable|WARNING)/.test(l));
    t.equal(lines.length, 8, 'dps L8 prints eight slots');
    for (let i = 0; i < 8; i++) {
      const a = sp + BigInt(ps * i);
      const v = element(d, a, ps);
      const prefix = `${ptr(a, ps)}  ${v === undefined ? (ps === 8 ? '????????`????????' : '????????') : ptr(v, ps)}`;
      const got = lines[i] ?? '';
      t.equal(got.slice(0, prefix.length), prefix, `dps slot ${i}`);
      if (v === undefined || !inModule(d, v)) t.equal(got, prefix, `dps slot ${i}: no symbol outside modules`);
      else t.match(got.slice(prefix.length), /^ \S+/, `dps slot ${i}: a symbol for a module address`);
    }
    totals.stackSlots += 8;
  }

  // Commands that need an optional stream name it when the dump lacks it.
  const needs: [string, number, RegExp][] = [
    ['!address -summary', 16, /MemoryInfoList stream \(16\)/],
    ['!handle', 12, /HandleData stream \(12\)/],
    ['!runaway', 17, /ThreadInfoList stream \(17\)/],
  ];
  for (const [cmd, stream, sentence] of needs) {
    const text = (await s.run(cmd)).join('\n');
    if (d.hasStream(stream)) t.notMatch(text, sentence, `${cmd} works with stream ${stream} present`);
    else t.match(text, sentence, `${cmd} says it needs stream ${stream}`);
  }

  // db/dd/dq at the start, middle and end of memory ranges, and across the end.
  const ranges = sample(
    d.ranges.filter((r) => r.size >= 32),
    24,
  );
  for (const r of ranges) {
    const end = r.start + BigInt(r.size);
    const mid = r.start + BigInt(Math.floor(r.size / 2));
    const cases: [string, string[]][] = [
      [`db ${ptr(r.start, ps)} L20`, expectDb(d, r.start, 2)],
      [`dd ${ptr(mid, ps)} L8`, expectDd(d, mid, 2)],
      [`dq ${ptr(end - 16n, ps)} L2`, expectDq(d, end - 16n, 1)],
      [`db ${ptr(end - 5n, ps)} L10`, expectDb(d, end - 5n, 1)],
      [`dd ${ptr(end - 8n, ps)} L4`, expectDd(d, end - 8n, 1)],
      [`dq ${ptr(end - 8n, ps)} L2`, expectDq(d, end - 8n, 1)],
    ];
    for (const [cmd, want] of cases) {
      t.same(await s.run(cmd), want, cmd);
      totals.memoryCommands++;
    }
    totals.ranges++;
  }
}

t.test('state commands match an independent reading of every dump', async (t) => {
  if (!DUMPS.length) {
    t.skip('no dumps found');
    return;
  }
  if (!existsSync(CORPUS)) t.comment('shared corpus absent: only the examples are checked');
  for (const file of DUMPS) {
    await t.test(path.basename(file), async (t) => {
      await checkFile(t, file);
    });
  }
  t.comment(`compared: ${JSON.stringify(totals)}`);
});

// Layouts the real dumps above may not show: 4-byte padding after list counts,
// ThreadExList, Memory64List on x86, ranges that touch or leave a gap, names
// WinDbg has to rewrite, duplicate module names, the exception on a later thread.
function pattern(n: number, seed: number): Buffer {
  return Buffer.from(Array.from({ length: n }, (_, i) => (i * 37 + seed) & 0xff));
}

const SYNTHETIC: Record<string, () => Buffer> = {
  'x86, padded lists, ThreadExList, Memory64List': () =>
    new SynthDump()
      .arch('x86')
      .listPadding()
      .threadEx()
      .thread({ id: 0x1a4, teb: 0x7ffdf000n, suspendCount: 1, context: { eip: 0x401000n, esp: 0x12ff00n, efl: 0x10246n, cs: 0x1bn, ss: 0x23n, ds: 0x23n, es: 0x23n, fs: 0x3bn } })
      .thread({ id: 0x2c8, teb: 0x7ffde000n, context: { eip: 0x7c90e514n, esp: 0x22ff80n } })
      .thread({ id: 0x3d0, teb: 0x7ffdd000n, context: { eip: 0x401010n, esp: 0x32ff00n } })
      .module({ base: 0x400000n, size: 0x17000, name: 'C:\\app\\msvcrt-ruby220.dll' })
      .module({ base: 0x7c900000n, size: 0xb0000, name: 'C:\\WINDOWS\\system32\\ntdll.dll' })
      .module({ base: 0x10000000n, size: 0x8000, name: 'D:\\other\\NTDLL.DLL' })
      .memory64(0x12ff00n, pattern(0x100, 1))
      .memory64(0x130000n, pattern(0x40, 2))
      .memory64(0x130040n, pattern(0x40, 3))
      .memory64(0x401000n, pattern(0x80, 4))
      .exception({ threadId: 0x3d0, code: 0xc0000005, flags: 1, address: 0x401010n, parameters: [8n, 0x401010n], context: { eip: 0x401010n, esp: 0x12ff00n, eax: 0xdeadbeefn, efl: 0x10a97n, cs: 0x1bn, ss: 0x23n, ds: 0x23n, es: 0x23n, fs: 0x3bn } })
      .miscInfo({ processId: 0xf5c })
      .threadNames([{ threadId: 0x2c8, name: 'worker "two"' }])
      .build(),
  'x64, padded MemoryList with a gap inside a line, unloaded modules': () =>
    new SynthDump()
      .arch('amd64')
      .listPadding()
      .thread({ id: 0x10, teb: 0xec7c04a000n, context: { rip: 0x7ff600001000n, rsp: 0x8e77e7f0f0n } })
      .thread({ id: 0x14, teb: 0xec7c04c000n, context: { rip: 0x7ff600001000n, rsp: 0x8e77e7f0f0n } })
      .module({ base: 0x7ff600000000n, size: 0x20000, name: 'C:\\app\\app.exe' })
      .module({ base: 0x7ff9850a0000n, size: 0x1f5000, name: 'C:\\Windows\\System32\\ntdll.dll' })
      .memory(0x8e77e7f0f0n, pattern(0x80, 5))
      .memory(0x8e77e7f173n, pattern(0x30, 6))
      .memory(0x1000n, pattern(0x20, 7))
      .exception({ threadId: 0x14, code: 0xc0000409, address: 0x7ff600001000n, parameters: [7n], context: { rip: 0x7ff600001000n, rsp: 0x8e77e7f0f0n, rax: 0x1234n, r8: 0x8n, r15: 0xffffffffffffffffn, efl: 0x202n, cs: 0x33n, ss: 0x2bn, ds: 0x2bn, es: 0x2bn, fs: 0x53n, gs: 0x2bn } })
      .miscInfo({ processId: 0x10260 })
      .unloadedModules([{ base: 0x7ff8aa000000n, size: 0x2a000, name: 'C:\\Windows\\System32\\luafv.sys' }])
      .build(),
};

t.test('state commands match an independent reading of synthetic layouts', async (t) => {
  for (const [name, build] of Object.entries(SYNTHETIC)) {
    await t.test(name, async (t) => {
      const buf = build();
      await checkDump(t, readIndependentDumpBuffer(buf, name), sessionFromBuffer(buf, `${name}.dmp`));
    });
  }
});
