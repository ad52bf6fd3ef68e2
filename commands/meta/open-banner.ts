import type { Session } from '../../src/session/session.js';
import type { Target } from '../../src/session/target.js';
import type { CommandResult } from '../../src/results/types.js';
import { ok } from '../../src/results/types.js';
import { dumpKindLine, timeLines, vertargetLines } from '../common/target-info.js';
import { eventLine } from '../common/event.js';
import { dumpKindSummary } from '../common/dump-kind.js';
import { locationLines, prepareSymbols } from '../common/location.js';

/**
 * What cdb prints when it opens a dump (windbg-commands.md §1): the file, its
 * kind, comment, paths, OS and time block, one dot per module, the exception
 * notice and event line, and where the event thread's saved context stands.
 */
export async function openBanner(session: Session, t: Target): Promise<CommandResult> {
  await prepareSymbols(t, [t.threadContext(t.currentThread)?.pc]);
  const lines: string[] = ['', `Loading Dump File [${t.path}]`];
  const a = t.intake?.archive;
  if (a) {
    lines.push(`${a.unpacked ? 'Unpacked' : 'Using cached copy of'} ${a.chosen} from ${a.kind} archive ${a.path} (cache: ${a.dir})`);
    if (a.dumps.length > 1) lines.push(`The archive holds ${a.dumps.length} dumps: ${a.dumps.join(', ')}; open another with ${a.path}#NAME`);
  }
  lines.push(dumpKindLine(t), dumpKindSummary(t), '');
  // Comments may span lines (procdump writes one `*** ...` item per line): printed verbatim between quotes.
  for (const c of [t.dump.commentA(), t.dump.commentW()]) if (c) lines.push(...`Comment: '${c}'`.split(/\r?\n/), '');
  lines.push(`Symbol search path is: ${session.options.symbolPath || '*** Invalid ***'}`);
  if (!session.options.symbolPath) lines.push(...NO_SYMBOL_PATH_BOX);
  lines.push(`Executable search path is: ${session.options.imagePath}`);
  lines.push(...vertargetLines(t), ...timeLines(t).filter((l) => !l.startsWith('  ')));
  const mods = t.modules().length;
  for (let i = 0; i < mods; i += 64) lines.push('.'.repeat(Math.min(64, mods - i)));
  const unloaded = t.dump.unloadedModules().length;
  if (unloaded) {
    lines.push('Loading unloaded module list');
    for (let i = 0; i < unloaded; i += 64) lines.push('.'.repeat(Math.min(64, unloaded - i)));
  }
  lines.push(...warningLines(t.dump.warnings));
  const ev = eventLine(t);
  if (ev) {
    lines.push('This dump file has an exception of interest stored in it.', 'The stored exception information can be accessed via .ecxr.', ev.text, 'For analysis of this file, run !analyze -v');
  }
  const c = t.threadContext(t.currentThread);
  if (c) lines.push(...locationLines(t, c.pc, c));
  else lines.push(`WARNING: thread ${t.currentThread} has no register context in this dump`);
  return ok(lines, { type: 'open', path: t.path, exception: ev?.code, eventThread: t.eventThread });
}

/** cdb's 76-column notice after `Symbol search path is: *** Invalid ***` (windbg-commands.md §1). */
const NO_SYMBOL_PATH_BOX = [
  '*'.repeat(76),
  '* Symbol loading may be unreliable without a symbol search path.           *',
  '* Use .symfix to have the debugger choose a symbol path.                   *',
  '* After setting your symbol path, use .reload to refresh symbol locations. *',
  '*'.repeat(76),
];

/** Warnings shown per stream before the rest are counted (a truncated full dump can warn for 100k memory ranges). */
const WARNINGS_PER_STREAM = 4;

/** The dump's warnings, at most a few per stream, then one line counting the rest. */
export function warningLines(warnings: readonly { stream: string; offset: number; message: string }[]): string[] {
  const lines: string[] = [];
  const shown = new Map<string, number>();
  const hidden = new Map<string, number>();
  for (const w of warnings) {
    const n = shown.get(w.stream) ?? 0;
    if (n < WARNINGS_PER_STREAM) {
      lines.push(`WARNING: ${w.message}${warningPlace(w)}`);
      shown.set(w.stream, n + 1);
    } else {
      hidden.set(w.stream, (hidden.get(w.stream) ?? 0) + 1);
    }
  }
  for (const [stream, n] of hidden) lines.push(`WARNING: ${n} more warning${n > 1 ? 's' : ''} like these about ${stream}`);
  return lines;
}

/** ` (ModuleListStream at file offset 0x1525)` when the sentence does not already say which stream and where. */
function warningPlace(w: { stream: string; offset: number; message: string }): string {
  const named = w.message.toLowerCase().includes(w.stream.toLowerCase());
  if (named && /0x[0-9a-f]+/i.test(w.message)) return '';
  return ` (${w.stream} at file offset 0x${w.offset.toString(16)})`;
}
