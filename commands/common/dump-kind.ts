import type { Target } from '../../src/session/target.js';
import { hexN } from '../../src/results/hex.js';
import { isFullMemory } from './target-info.js';

export interface DumpKind {
  memory: 'full' | 'mini';
  handleData: boolean;
  kind: 'crash' | 'hang';
  exceptionCode?: number;
  chance: 'first' | 'second' | 'unknown';
  wow64: boolean;
  writer: string;
}

/** Stream types that identify the writer (unwind-symbols.md A.2/A.18; 0xFFF0 is Wine-private). */
const WINE_STREAM = 0xfff0;
const BREAKPAD_INFO = 0x47670001;
const CRASHPAD_INFO = 0x43500001;

/** What the user has, from the header flags, the streams, the comment and the modules. */
export function dumpKind(t: Target): DumpKind {
  const d = t.dump;
  const has = (type: number) => d.directory.some((e) => e.streamType === type);
  const comment = `${d.commentA() ?? ''}\n${d.commentW() ?? ''}`;
  const exc = d.exception();
  // procdump writes its command line and the event into the comment stream:
  // "*** procdump -ma -e 1 ..." / "*** First chance exception: C0000005..." / "Second chance".
  const chance = /first[ -]chance/i.test(comment) ? 'first' : /second[ -]chance|unhandled exception/i.test(comment) ? 'second' : 'unknown';
  const bld = d.miscInfo()?.dbgBldStr ?? '';
  let writer = 'unknown writer';
  if (has(WINE_STREAM)) writer = "Wine's dbghelp";
  else if (has(CRASHPAD_INFO)) writer = 'Crashpad';
  else if (has(BREAKPAD_INFO)) writer = 'Breakpad';
  else if (/procdump/i.test(comment)) writer = 'ProcDump';
  else if (/^dbgcore/i.test(bld)) writer = `Windows dbgcore (${bld})`;
  else if (/^dbghelp/i.test(bld)) writer = `Windows dbghelp (${bld})`;
  else if (d.systemInfo?.platformId === 2) writer = 'Windows (dbghelp/WER)';
  const wow64 = d.arch === 'amd64' && t.modules().some((m) => /[\\/]wow64cpu\.dll$/i.test(m.moduleName) || /^wow64cpu\.dll$/i.test(m.moduleName));
  const k: DumpKind = { memory: isFullMemory(t) ? 'full' : 'mini', handleData: has(12), kind: exc ? 'crash' : 'hang', chance, wow64, writer };
  if (exc) k.exceptionCode = exc.exceptionRecord.exceptionCode;
  return k;
}

/** One line for the banner: what kind of dump this is. */
export function dumpKindSummary(t: Target): string {
  const k = dumpKind(t);
  const parts = [
    k.memory === 'full' ? 'full memory dump' : 'mini dump (stacks and some memory only)',
    k.kind === 'crash' ? `crash dump (exception ${hexN(k.exceptionCode ?? 0, 8)}${k.chance === 'unknown' ? '' : `, ${k.chance} chance`})` : 'hang dump (no exception stored)',
    k.handleData ? 'with handle data' : 'without handle data',
  ];
  if (k.wow64) parts.push('32-bit process in a 64-bit dump (WOW64)');
  parts.push(`written by ${k.writer}`);
  return `Dump summary: ${parts.join(', ')}`;
}
