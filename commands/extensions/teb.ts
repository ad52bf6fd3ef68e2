/**
 * `!teb` (windbg-commands.md §3.7) and the TEB reader that `!gle`, `!peb` and
 * `!address` share. Minidumps carry a TEB only when the writer captured it
 * (procdump/WER full dumps, Crashpad); the thread list always has its address.
 */
import type { CommandSpec } from '../../src/interpreter/command.js';
import { CommandError, requireTarget } from '../../src/interpreter/command.js';
import type { Target } from '../../src/session/target.js';
import { hexN } from '../../src/results/hex.js';
import { ok } from '../../src/results/types.js';
import { evalArg } from '../common/expr.js';

/**
 * Field offsets of the public `_TEB` layout. NT_TIB and ClientId have been
 * stable since NT 4; LastStatusValue and HardErrorMode are from the Windows 10
 * `_TEB` (same offsets since Windows 7 for both architectures).
 */
export interface TebLayout {
  ptrSize: 4 | 8;
  exceptionList: number;
  stackBase: number;
  stackLimit: number;
  subSystemTib: number;
  fiberData: number;
  arbitraryUserPointer: number;
  self: number;
  environmentPointer: number;
  clientIdProcess: number;
  clientIdThread: number;
  activeRpcHandle: number;
  threadLocalStoragePointer: number;
  processEnvironmentBlock: number;
  lastErrorValue: number;
  countOfOwnedCriticalSections: number;
  lastStatusValue: number;
  hardErrorMode: number;
  /** Bytes read: enough to reach HardErrorMode. */
  size: number;
}

export const TEB64: TebLayout = {
  ptrSize: 8,
  exceptionList: 0x0,
  stackBase: 0x8,
  stackLimit: 0x10,
  subSystemTib: 0x18,
  fiberData: 0x20,
  arbitraryUserPointer: 0x28,
  self: 0x30,
  environmentPointer: 0x38,
  clientIdProcess: 0x40,
  clientIdThread: 0x48,
  activeRpcHandle: 0x50,
  threadLocalStoragePointer: 0x58,
  processEnvironmentBlock: 0x60,
  lastErrorValue: 0x68,
  countOfOwnedCriticalSections: 0x6c,
  lastStatusValue: 0x1250,
  hardErrorMode: 0x16b0,
  size: 0x16b4,
};

export const TEB32: TebLayout = {
  ptrSize: 4,
  exceptionList: 0x0,
  stackBase: 0x4,
  stackLimit: 0x8,
  subSystemTib: 0xc,
  fiberData: 0x10,
  arbitraryUserPointer: 0x14,
  self: 0x18,
  environmentPointer: 0x1c,
  clientIdProcess: 0x20,
  clientIdThread: 0x24,
  activeRpcHandle: 0x28,
  threadLocalStoragePointer: 0x2c,
  processEnvironmentBlock: 0x30,
  lastErrorValue: 0x34,
  countOfOwnedCriticalSections: 0x38,
  lastStatusValue: 0xbf4,
  hardErrorMode: 0xf28,
  size: 0xf2c,
};

/** A WOW64 process's 32-bit TEB follows its 64-bit TEB at this distance (two pages on x64). */
export const WOW64_TEB32_OFFSET = 0x2000n;

/** Decoded TEB fields; undefined where the dump lacks those bytes. */
export interface TebInfo {
  address: bigint;
  layout: 'x64' | 'x86';
  /** How many bytes of the TEB the dump holds (from its start). */
  captured: number;
  exceptionList?: bigint;
  stackBase?: bigint;
  stackLimit?: bigint;
  subSystemTib?: bigint;
  fiberData?: bigint;
  arbitraryUserPointer?: bigint;
  self?: bigint;
  environmentPointer?: bigint;
  clientIdProcess?: bigint;
  clientIdThread?: bigint;
  activeRpcHandle?: bigint;
  threadLocalStoragePointer?: bigint;
  processEnvironmentBlock?: bigint;
  lastErrorValue?: number;
  countOfOwnedCriticalSections?: number;
  lastStatusValue?: number;
  hardErrorMode?: number;
}

/** Decodes the TEB at `address` with `layout` from whatever prefix of it the dump holds. */
export function readTebAt(t: Target, address: bigint, layout: TebLayout = t.pointerSize === 8 ? TEB64 : TEB32): TebInfo {
  const buf = t.readMemory(address, layout.size);
  const p = layout.ptrSize;
  const ptrAt = (o: number) => (o + p <= buf.length ? (p === 8 ? buf.readBigUInt64LE(o) : BigInt(buf.readUInt32LE(o))) : undefined);
  const u32At = (o: number) => (o + 4 <= buf.length ? buf.readUInt32LE(o) : undefined);
  const info: TebInfo = { address, layout: p === 8 ? 'x64' : 'x86', captured: buf.length };
  const set = <K extends keyof TebInfo>(k: K, v: TebInfo[K] | undefined) => {
    if (v !== undefined) info[k] = v;
  };
  set('exceptionList', ptrAt(layout.exceptionList));
  set('stackBase', ptrAt(layout.stackBase));
  set('stackLimit', ptrAt(layout.stackLimit));
  set('subSystemTib', ptrAt(layout.subSystemTib));
  set('fiberData', ptrAt(layout.fiberData));
  set('arbitraryUserPointer', ptrAt(layout.arbitraryUserPointer));
  set('self', ptrAt(layout.self));
  set('environmentPointer', ptrAt(layout.environmentPointer));
  set('clientIdProcess', ptrAt(layout.clientIdProcess));
  set('clientIdThread', ptrAt(layout.clientIdThread));
  set('activeRpcHandle', ptrAt(layout.activeRpcHandle));
  set('threadLocalStoragePointer', ptrAt(layout.threadLocalStoragePointer));
  set('processEnvironmentBlock', ptrAt(layout.processEnvironmentBlock));
  set('lastErrorValue', u32At(layout.lastErrorValue));
  set('countOfOwnedCriticalSections', u32At(layout.countOfOwnedCriticalSections));
  set('lastStatusValue', u32At(layout.lastStatusValue));
  set('hardErrorMode', u32At(layout.hardErrorMode));
  return info;
}

/** The current (or given) thread's TEB; undefined when the thread has no TEB address. */
export function threadTeb(t: Target, index = t.currentThread): TebInfo | undefined {
  const th = t.thread(index);
  if (!th || th.teb === 0n) return undefined;
  return readTebAt(t, th.teb);
}

/**
 * A WOW64 process (32-bit code in an x64 dump): wow64.dll is loaded. Its
 * threads have a second, 32-bit TEB two pages after the 64-bit one.
 */
export function isWow64(t: Target): boolean {
  if (t.pointerSize !== 8) return false;
  return t.modules().some((m) => /(^|[\\/])wow64\.dll$/i.test(m.moduleName));
}

/**
 * The PEB address: from the current thread's TEB, else from any thread whose
 * TEB the dump holds (minidumps have no other record of it).
 */
export function pebAddress(t: Target): bigint | undefined {
  const own = threadTeb(t)?.processEnvironmentBlock;
  if (own !== undefined) return own;
  for (let i = 0; i < t.threads().length; i++) {
    const p = threadTeb(t, i)?.processEnvironmentBlock;
    if (p !== undefined) return p;
  }
  return undefined;
}

/** A pointer as !teb/!peb print it: pointer width, no backtick. */
export function plainPtr(v: bigint, ptrSize: number): string {
  return hexN(ptrSize === 4 ? v & 0xffffffffn : v, ptrSize * 2);
}

/** One sentence naming the memory a dump lacks, for the commands that read process structures. */
export function missingMemorySentence(what: string, address: bigint, size: number, ptrSize: number): string {
  return `The dump does not hold the ${what} (0x${size.toString(16)} bytes at ${plainPtr(address, ptrSize)}): it was written without that memory (a full-memory dump, e.g. procdump -ma or .dump /ma, has it).`;
}

/** The `!teb` block for one TEB (§3.7): labels padded so values start at column 26. */
export function tebLines(info: TebInfo, title: string): string[] {
  const p = info.layout === 'x64' ? 8 : 4;
  const v = (x: bigint | undefined) => (x === undefined ? '?'.repeat(p * 2) : plainPtr(x, p));
  const row = (label: string, value: string) => `    ${(label + ':').padEnd(22)}${value}`;
  return [
    `${title} at ${plainPtr(info.address, p)}`,
    row('ExceptionList', v(info.exceptionList)),
    row('StackBase', v(info.stackBase)),
    row('StackLimit', v(info.stackLimit)),
    row('SubSystemTib', v(info.subSystemTib)),
    row('FiberData', v(info.fiberData)),
    row('ArbitraryUserPointer', v(info.arbitraryUserPointer)),
    row('Self', v(info.self)),
    row('EnvironmentPointer', v(info.environmentPointer)),
    row('ClientId', `${v(info.clientIdProcess)} . ${v(info.clientIdThread)}`),
    row('RpcHandle', v(info.activeRpcHandle)),
    row('Tls Storage', v(info.threadLocalStoragePointer)),
    row('PEB Address', v(info.processEnvironmentBlock)),
    row('LastErrorValue', info.lastErrorValue === undefined ? '?' : String(info.lastErrorValue)),
    row('LastStatusValue', info.lastStatusValue === undefined ? '?' : info.lastStatusValue.toString(16)),
    row('Count Owned Locks', info.countOfOwnedCriticalSections === undefined ? '?' : String(info.countOfOwnedCriticalSections)),
    row('HardErrorMode', info.hardErrorMode === undefined ? '?' : String(info.hardErrorMode)),
  ];
}

function tebData(info: TebInfo): Record<string, unknown> {
  return { ...info };
}

export const tebCommand: CommandSpec = {
  name: '!teb',
  group: 'extension',
  syntax: '!teb [Address]',
  summary: 'Thread environment block of the current thread: stack bounds, ClientId, PEB, last error/status',
  help: 'Reads the TEB from the dump\'s memory (captured by full and Crashpad dumps; plain minidumps usually lack it).\nFor WOW64 processes the 32-bit TEB\'s address comes first, then the native TEB (the 32-bit fields are in the JSON data).',
  examples: ['!teb', '~3 !teb', '!teb 000000d2`de29d000'],
  threadPrefix: true,
  run(ctx, inv) {
    const t = requireTarget(ctx);
    const p = t.pointerSize;
    let address: bigint;
    if (inv.args.trim()) address = evalArg(t, inv.args.trim(), inv.raw);
    else {
      const th = t.thread();
      if (!th) throw new CommandError('No current thread');
      address = th.teb;
      if (address === 0n) throw new CommandError(`Thread ${t.currentThread} has no TEB address in the dump's thread list.`);
    }
    const layout = p === 8 ? TEB64 : TEB32;
    const info = readTebAt(t, address, layout);
    if (info.captured === 0) {
      return {
        blocks: [
          { kind: 'text', lines: [`TEB at ${plainPtr(address, p)}`] },
          { kind: 'error', lines: ['error InitTypeRead( TEB )...', missingMemorySentence('TEB', address, layout.size, p)] },
        ],
        failed: true,
        data: { type: 'teb', address, captured: 0 },
      };
    }
    const lines: string[] = [];
    const data: Record<string, unknown> = { type: 'teb', ...tebData(info) };
    if (!inv.args.trim() && isWow64(t)) {
      // As WinDbg prints it for WOW64 processes: the 32-bit TEB's address, then the native TEB's fields.
      const t32 = readTebAt(t, address + WOW64_TEB32_OFFSET, TEB32);
      lines.push(`Wow64 TEB32 at ${plainPtr(t32.address, 8)}`);
      if (t32.captured > 0) data['wow64Teb32'] = tebData(t32);
      lines.push(...tebLines(info, 'Wow64 TEB'));
    } else {
      lines.push(...tebLines(info, 'TEB'));
    }
    const r = ok(lines, { type: 'teb', ...data });
    if (info.captured < layout.size) {
      r.blocks.push({ kind: 'warning', lines: [`Only 0x${info.captured.toString(16)} of the TEB's 0x${layout.size.toString(16)} bytes are in the dump; fields past that print as ?.`] });
    }
    return r;
  },
};
