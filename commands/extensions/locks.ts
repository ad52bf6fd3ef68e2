/**
 * `!locks [-v] [Address]`: critical sections and who owns them.
 *
 * WinDbg walks ntdll's process-wide list (RtlCriticalSectionList through
 * each DebugInfo's ProcessLocksList), which needs ntdll's private symbols
 * and the heap pages holding the debug records; a mini dump has neither.
 * So this lists the critical sections that blocked threads are waiting for
 * (recovered from their stacks, see src/analysis/analyze/hang.ts) plus any
 * address given, each read from dump memory with its owner.
 */
import type { CriticalSectionState } from '../../src/analysis/analyze/hang.js';
import { analyzeHang, readCriticalSection } from '../../src/analysis/analyze/hang.js';
import type { CommandSpec } from '../../src/interpreter/command.js';
import { CommandError, requireTarget } from '../../src/interpreter/command.js';
import { ptr } from '../../src/results/hex.js';
import type { Block, CommandResult } from '../../src/results/types.js';
import type { Target } from '../../src/session/target.js';
import { evalArg } from '../common/expr.js';
import { adaptTarget } from './analyze.js';

/** The per-lock block WinDbg's `!locks` prints (addresses as pointers, counts in hex/decimal as it does). */
export function critSecLines(t: Target, cs: CriticalSectionState, waiters: number[]): string[] {
  const p = t.pointerSize;
  const sym = t.symbolize(cs.address);
  const name = sym.moduleName ? `${sym.moduleName}${sym.symbol ? `!${sym.symbol.name}` : ''}+${sym.displacement.toString(16)}` : '';
  const ownerIndex = t.threadIndexByTid(Number(cs.owningThread));
  const lines = [
    `CritSec ${name ? `${name} ` : ''}at ${ptr(cs.address, p)}`,
    `LockCount          ${cs.lockCount}`,
    `RecursionCount     ${cs.recursionCount}`,
    `OwningThread       ${cs.owningThread.toString(16)}${cs.owningThread !== 0n ? (ownerIndex !== undefined ? ` (thread ${ownerIndex})` : ' (not a thread in this dump)') : ''}`,
    `DebugInfo          ${ptr(cs.debugInfo, p)}`,
    `LockSemaphore      ${cs.lockSemaphore.toString(16)}`,
    `SpinCount          ${cs.spinCount.toString(16)}`,
  ];
  if (waiters.length) lines.push(`Waiting threads    ${waiters.join(' ')}`);
  lines.push(cs.locked ? '*** Locked' : '*** Not locked', '');
  return lines;
}

export async function runLocks(t: Target, args: string, raw: string): Promise<CommandResult> {
  const words = args.split(/\s+/).filter(Boolean);
  const verbose = words.includes('-v');
  const rest = words.filter((w) => w !== '-v');
  const explicit = rest.length ? evalArg(t, rest.join(' '), raw) : undefined;
  const { target } = await adaptTarget(t, { allThreads: true });
  const h = analyzeHang(target);
  const found = new Map<bigint, { cs: CriticalSectionState | undefined; waiters: number[] }>();
  for (const b of h.blocked) {
    if (b.wait.kind !== 'critical-section' || b.wait.address === undefined) continue;
    const e = found.get(b.wait.address) ?? { cs: b.wait.criticalSection, waiters: [] };
    e.waiters.push(b.index);
    found.set(b.wait.address, e);
  }
  if (explicit !== undefined && !found.has(explicit)) found.set(explicit, { cs: readCriticalSection(target, explicit), waiters: [] });
  const lines: string[] = [];
  const unread: bigint[] = [];
  let shown = 0;
  for (const [addr, e] of found) {
    if (!e.cs) {
      unread.push(addr);
      continue;
    }
    // Like WinDbg, only locked sections unless -v or an address was asked for.
    if (!e.cs.locked && !verbose && addr !== explicit) continue;
    lines.push(...critSecLines(t, e.cs, e.waiters));
    shown++;
  }
  for (const a of unread) lines.push(`CritSec at ${ptr(a, t.pointerSize)}: memory not in this dump (a mini dump holds stacks, not globals or heap)`, '');
  const unrecovered = h.blocked.filter((b) => b.wait.kind === 'critical-section' && b.wait.address === undefined);
  for (const b of unrecovered) lines.push(`Thread ${b.index} waits for a critical section whose address cannot be recovered from its stack`, '');
  lines.push(`Scanned ${found.size} critical sections${shown !== found.size ? ` (${shown} shown)` : ''}`);
  const blocks: Block[] = [{ kind: 'text', lines }];
  const note = [
    'The critical sections listed are those blocked threads wait for (read from their stacks) and any address you give: WinDbg\'s full list walks ntdll\'s RtlCriticalSectionList, which needs ntdll symbols and heap memory a mini dump lacks.',
    'OwningThread is the owner\'s thread id; a deadlock shows as threads each owning the section another waits for (`!analyze -hang` reports the cycle).',
  ];
  blocks.push({ kind: 'explain', lines: note });
  return {
    blocks,
    data: {
      type: 'locks',
      criticalSections: [...found].map(([address, e]) => ({ address, readable: e.cs !== undefined, ...(e.cs ?? {}), waitingThreads: e.waiters })),
      unrecoveredWaiters: unrecovered.map((b) => b.index),
      explain: note,
    },
  };
}

export const locksCommand: CommandSpec = {
  name: '!locks',
  group: 'extension',
  syntax: '!locks [-v] [Address]',
  summary: 'Critical sections blocked threads wait for, with owner thread, lock and recursion counts',
  help: 'Lists locked critical sections found through the waits of blocked threads (and Address when given).\n-v also shows unlocked ones. The process-wide list WinDbg walks needs ntdll symbols and heap memory.',
  examples: ['!locks', '!locks -v', '!locks 1a9fd88'],
  async run(ctx, inv) {
    const t = requireTarget(ctx);
    if (/^-\w/.test(inv.args.trim()) && !/^-v\b/.test(inv.args.trim())) throw new CommandError(`Unrecognized option in '${inv.raw}': usage !locks [-v] [Address]`);
    return runLocks(t, inv.args, inv.raw);
  },
};
