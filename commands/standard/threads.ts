import type { CommandSpec } from '../../src/interpreter/command.js';
import { CommandError, requireTarget } from '../../src/interpreter/command.js';
import { parseThreadPrefix } from '../../src/interpreter/split.js';
import type { Target } from '../../src/session/target.js';
import { ptr } from '../../src/results/hex.js';
import { ok } from '../../src/results/types.js';
import { locationLines, prepareSymbols } from '../common/location.js';

export interface ThreadRow {
  index: number;
  threadId: number;
  suspendCount: number;
  teb: bigint;
  name: string | undefined;
  current: boolean;
  event: boolean;
  hasContext: boolean;
  pc: bigint | undefined;
}

/** One thread's row (index = debugger thread number); undefined past the last thread. */
export function threadRow(t: Target, index: number): ThreadRow | undefined {
  const th = t.thread(index);
  if (!th) return undefined;
  const ctx = t.dump.threadContext(th);
  return {
    index,
    threadId: th.threadId,
    suspendCount: th.suspendCount,
    teb: th.teb,
    name: t.dump.threadNames().get(th.threadId),
    current: index === t.currentThread,
    event: index === t.eventThread,
    hasContext: ctx !== undefined,
    pc: ctx?.pc,
  };
}

export function threadRows(t: Target): ThreadRow[] {
  return t.threads().map((_, i) => threadRow(t, i)!);
}

/** `.  0  Id: 10260.107a0 Suspend: 0 Teb: 000000ec`7c04a000 Unfrozen "GameThread"` */
export function threadRowText(t: Target, r: ThreadRow): string {
  const mark = r.current ? '.' : r.event ? '#' : ' ';
  const pid = (t.processId ?? 0).toString(16);
  const name = r.name !== undefined ? ` "${r.name}"` : '';
  // Exactly WinDbg's row, also for a thread without a context (Wine's dump-writing thread):
  // the open banner, `r` and `--explain` say that; the JSON row carries hasContext.
  return `${mark}${String(r.index).padStart(3)}  Id: ${pid}.${r.threadId.toString(16)} Suspend: ${r.suspendCount} Teb: ${ptr(r.teb, t.pointerSize)} Unfrozen${name}`;
}

function selectedIndices(t: Target, text: string): number[] {
  const n = t.threads().length;
  // `~5` (what `~* k` asks for each thread's row): a decimal index, as the selector parser reads it.
  if (/^[0-9]+$/.test(text)) {
    const i = Number(text);
    return i < n ? [i] : [];
  }
  const p = parseThreadPrefix(`~${text}`);
  if (!p || !p.command) return Array.from({ length: n }, (_, i) => i);
  switch (p.threads.kind) {
    case 'all':
      return Array.from({ length: n }, (_, i) => i);
    case 'current':
      return [t.currentThread];
    case 'event':
      return [t.eventThread];
    case 'index':
      return p.threads.value < n ? [p.threads.value] : [];
    case 'tid': {
      const i = t.threadIndexByTid(p.threads.value);
      return i === undefined ? [] : [i];
    }
  }
}

export const tildeCommand: CommandSpec = {
  name: '~',
  group: 'standard',
  syntax: '~ | ~N | ~* | ~. | ~# | ~~[TID] [s]',
  summary: 'List threads (with names, suspend counts, TEB); ~Ns makes thread N current',
  help: 'Markers: "." the current thread, "#" the event (exception) thread. Indices are decimal, TIDs hex.\nAs a prefix, ~N CMD / ~* CMD / ~*e CMD runs CMD for the selected threads (~*k prints every stack).',
  examples: ['~', '~3s', '~#s', '~~[1a2b]s', '~*k'],
  async run(ctx, inv) {
    const t = requireTarget(ctx);
    const text = inv.args.trim();
    const select = /s$/i.test(text);
    const spec = select ? text.slice(0, -1).trim() : text;
    const indices = selectedIndices(t, spec);
    if (select) {
      if (indices.length !== 1 || spec === '' || spec === '*') throw new CommandError(`       ^ Illegal thread error in '~${text}'`);
      t.setThread(indices[0]!);
      const c = t.threadContext();
      if (c) await prepareSymbols(t, [c.pc]);
      const lines = c ? locationLines(t, c.pc, c) : [`Thread ${indices[0]} has no register context in this dump (the thread that wrote the dump may have none).`];
      return ok(lines, { type: 'threadSelected', index: indices[0]!, threadId: t.thread()?.threadId }, { stateChanged: true });
    }
    if (indices.length === 0) throw new CommandError(`       ^ Illegal thread error in '~${text}'`);
    // Only the selected rows: `~* k` asks for one row per thread (building all of them each time was O(n²)).
    // One index is the common case (`~* k` asks for each thread's row): no set, sort or filter.
    const rows = (indices.length === 1 ? indices : [...new Set(indices)].sort((a, b) => a - b)).map((i) => threadRow(t, i)).filter((r): r is ThreadRow => r !== undefined);
    return ok(rows.map((r) => threadRowText(t, r)), { type: 'threads', processId: t.processId, threads: rows });
  },
};
