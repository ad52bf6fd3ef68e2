/**
 * `!analyze [-v] [-f | -hang]` (windbg-commands.md §2.5): what happened, in
 * whose code, and what to run next. Exceptions are decoded by
 * src/analysis/analyze (access violations, fail-fast codes, stack overflow
 * recursion, C++ and CLR exceptions); dumps without an exception (hang
 * dumps) get the blocked threads, what they wait on, and wait chains.
 *
 * This file adapts the session's Target to the analysis' AnalysisTarget
 * (walking stacks and loading the modules they pass through) and renders
 * the result in WinDbg's section order.
 */
import { nodeCrypto } from '../../src/bytes/builtins.js';
import { analyzeErrorCodeText } from '../../src/analysis/codes/index.js';
import type { CrashAnalysis } from '../../src/analysis/analyze/crash.js';
import { analyzeCrash, failureNames } from '../../src/analysis/analyze/crash.js';
import type { DumpHangState } from '../../src/analysis/analyze/across.js';
import { acrossExplain, acrossLines, compareAcrossDumps } from '../../src/analysis/analyze/across.js';
import type { HangAnalysis } from '../../src/analysis/analyze/hang.js';
import { analyzeHang, hangLines } from '../../src/analysis/analyze/hang.js';
import type { AnalysisFrame, AnalysisModule, AnalysisTarget, AnalysisThread } from '../../src/analysis/analyze/target.js';
import type { CpuContext, MinidumpModule } from '../../src/formats/minidump/types.js';
import type { CommandSpec } from '../../src/interpreter/command.js';
import { CommandError, requireTarget } from '../../src/interpreter/command.js';
import { hexMin, ptr } from '../../src/results/hex.js';
import type { Block, CommandResult } from '../../src/results/types.js';
import type { Session } from '../../src/session/session.js';
import { walkWithModules } from '../../src/session/stack.js';
import type { StackFrame } from '../../src/session/stack.js';
import type { Target } from '../../src/session/target.js';
import { formatSymbolic } from '../../src/session/symbolize.js';
import { exceptionRecordLines } from '../meta/exr.js';
import { fullRegisterLines } from '../standard/r.js';

/** Deep enough to see the whole of a 1 MB stack overflow (about 2,000 small frames). */
const FAULT_STACK_FRAMES = 10000;
const OTHER_STACK_FRAMES = 256;
/** STACK_TEXT rows printed before eliding the middle of a very deep stack. */
const STACK_TEXT_HEAD = 48;
const STACK_TEXT_TAIL = 16;
const HANDLE_DATA_STREAM = 12;
/** Codes that mark dumps written on request rather than at a fault: 0xCFFFFFFF (WER/WinDbg "application hang"), 0x0517A7ED (Crashpad DumpWithoutCrash). */
const NO_FAULT_CODES = new Set([0xcfffffff, 0x0517a7ed]);

export interface AnalyzeOptions {
  verbose: boolean;
  hang: boolean;
  force: boolean;
}

export function parseAnalyzeArgs(args: string): AnalyzeOptions {
  const o: AnalyzeOptions = { verbose: false, hang: false, force: false };
  for (const a of args.split(/\s+/).filter(Boolean)) {
    const w = a.toLowerCase();
    if (/^-v{1,2}\d*$/.test(w)) o.verbose = true;
    else if (w === '-hang') o.hang = true;
    else if (w === '-f') o.force = true;
    else throw new CommandError(`Unrecognized option '${a}': usage !analyze [-v] [-f | -hang]`);
  }
  return o;
}

function basename(path: string): string {
  return path.split(/[\\/]/).pop() ?? path;
}

function fileVersion(m: MinidumpModule): string | undefined {
  const v = m.versionInfo;
  if (!v || v.signature !== 0xfeef04bd || (v.fileVersionMS === 0 && v.fileVersionLS === 0)) return undefined;
  return `${v.fileVersionMS >>> 16}.${v.fileVersionMS & 0xffff}.${v.fileVersionLS >>> 16}.${v.fileVersionLS & 0xffff}`;
}

/** Symbolizes walked frames for the analysis. */
export function analysisFrames(t: Target, frames: StackFrame[]): AnalysisFrame[] {
  return frames.map((f, i) => {
    const r = t.symbolize(f.pc);
    const lineAt = i === 0 || f.isMachineFrame ? f.pc : f.pc - 1n;
    const line = i === 0 ? r.line : t.symbolize(lineAt).line;
    const out: AnalysisFrame = { index: i, pc: f.pc, sp: f.sp, fp: f.fp, displacement: r.displacement, trust: f.trust, regs: { ...f.context.regs } };
    if (r.moduleName) out.module = r.moduleName;
    if (r.symbol && r.module) {
      out.symbol = r.symbol.name;
      out.symbolStart = r.module.baseOfImage + BigInt(r.symbol.rva);
    }
    if (line) out.source = line;
    return out;
  });
}

export interface AdaptedTarget {
  target: AnalysisTarget;
  /** Walked frames per thread index (for STACK_TEXT). */
  walked: Map<number, StackFrame[]>;
}

/**
 * Builds the analysis view of a Target: the stored exception, thread stacks
 * (the exception thread from the exception context; others from their own,
 * or all of them when `allThreads`), modules, handles. Loads the modules
 * that stacks and exception parameters point into, so reads of .rdata fall
 * back to the image files.
 */
export async function adaptTarget(t: Target, opts: { allThreads: boolean }): Promise<AdaptedTarget> {
  const dump = t.dump;
  const exc = dump.exception();
  const excIndex = exc ? dump.threads().findIndex((th) => th.threadId === exc.threadId) : -1;
  if (exc) await t.ensureForAddresses([exc.exceptionRecord.exceptionAddress, ...exc.exceptionRecord.exceptionInformation]);
  const walked = new Map<number, StackFrame[]>();
  const threads: AnalysisThread[] = [];
  for (const [i, th] of dump.threads().entries()) {
    const isEvent = i === excIndex;
    const entry: AnalysisThread = { index: i, threadId: th.threadId, suspendCount: th.suspendCount, frames: undefined };
    if (isEvent || opts.allThreads) {
      const ctx: CpuContext | undefined = isEvent ? dump.exceptionContext() ?? dump.threadContext(th) : dump.threadContext(th);
      if (!ctx && th.context.dataSize === 0) entry.noFramesReason = 'the thread has no register context in this dump (typically the thread that wrote the dump)';
      else if (!ctx) entry.noFramesReason = 'the thread\'s context could not be decoded';
      if (ctx) {
        try {
          const frames = await walkWithModules(t, ctx, i, { maxFrames: isEvent ? FAULT_STACK_FRAMES : OTHER_STACK_FRAMES });
          walked.set(i, frames);
          entry.frames = analysisFrames(t, frames);
        } catch (e) {
          entry.noFramesReason = `its stack could not be walked (${e instanceof Error ? e.message : String(e)})`;
        }
      }
    }
    threads.push(entry);
  }
  // An exception whose thread is missing from the thread list still has its context: walk that.
  let exceptionThread: AnalysisThread | undefined;
  if (exc && excIndex < 0) {
    exceptionThread = { index: -1, threadId: exc.threadId, suspendCount: 0, frames: undefined, noFramesReason: 'the exception\'s thread is not in the thread list and its context is missing' };
    const ctx = dump.exceptionContext();
    if (ctx) {
      try {
        const frames = await walkWithModules(t, ctx, -1, { maxFrames: FAULT_STACK_FRAMES });
        walked.set(-1, frames);
        exceptionThread.frames = analysisFrames(t, frames);
      } catch (e) {
        exceptionThread.noFramesReason = `its stack could not be walked (${e instanceof Error ? e.message : String(e)})`;
      }
    }
  }
  const modules: AnalysisModule[] = dump.modules().map((m) => {
    const am: AnalysisModule = {
      name: t.moduleName(m),
      imageName: basename(m.moduleName),
      path: m.moduleName,
      base: m.baseOfImage,
      size: m.sizeOfImage,
      timeDateStamp: m.timeDateStamp,
    };
    const v = fileVersion(m);
    if (v) am.fileVersion = v;
    const kind = t.loadedSymbols(m)?.kind;
    if (kind) am.symbolKind = kind;
    return am;
  });
  const target: AnalysisTarget = {
    arch: dump.arch,
    pointerSize: t.pointerSize,
    read: (a, n) => t.readMemory(a, n),
    modules,
    threads,
    symbolize: (a) => formatSymbolic(t.symbolize(a)),
    isCaptured: (a, n) => dump.memory.read(a, n).length >= n,
  };
  const regions = dump.memoryInfo();
  if (regions.length) {
    target.regionAt = (a) => {
      const r = regions.find((x) => a >= x.baseAddress && a < x.baseAddress + x.regionSize);
      return r ? { base: r.baseAddress, size: r.regionSize, state: r.state, protect: r.protect, type: r.type } : undefined;
    };
  }
  if (dump.systemInfo) target.platformId = dump.systemInfo.platformId;
  if (exc) {
    target.exception = { threadId: exc.threadId, threadIndex: excIndex, record: exc.exceptionRecord };
    if (exceptionThread) target.exception.thread = exceptionThread;
  }
  if (dump.streamEntry(HANDLE_DATA_STREAM)) target.handles = dump.handles().map((h) => ({ handle: h.handle, typeName: h.typeName, objectName: h.objectName }));
  const main = dump.modules()[0];
  if (main) target.processName = basename(main.moduleName);
  return { target, walked };
}

/** Banner: 79 columns, title centred as WinDbg prints it. */
export function analyzeBanner(title = 'Exception Analysis'): string[] {
  const stars = '*'.repeat(79);
  const blank = `*${' '.repeat(77)}*`;
  const pad = 77 - 24 - title.length;
  return [stars, blank, `*${' '.repeat(24)}${title}${' '.repeat(Math.max(1, pad))}*`, blank, stars];
}

/** `Key  : K` / `Value: V` pairs, sorted by key, as KEY_VALUES_STRING shows them. */
function keyValueLines(kv: [string, string][]): string[] {
  const lines = ['KEY_VALUES_STRING: 1', ''];
  for (const [k, v] of [...kv].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))) {
    lines.push(`    Key  : ${k}`, `    Value: ${v}`, '');
  }
  return lines;
}

/** WinDbg prints these labels with one space after the colon. */
const ONE_SPACE = new Set(['ERROR_CODE', 'MODULE_NAME', 'STACK_COMMAND', 'EXECUTE_ADDRESS', 'KEY_VALUES_STRING']);

function section(label: string, value: string): string[] {
  return [`${label}:${ONE_SPACE.has(label) ? ' ' : '  '}${value}`, ''];
}

/** `{xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx}` from the bucket text (stable across runs). */
export function failureHash(bucket: string): string {
  const h = nodeCrypto().createHash('md5').update(bucket).digest('hex');
  return `{${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}}`;
}

/** STACK_TEXT rows (windbg-commands.md §2.5: `kb` with Child-SP on x64; ChildEBP + 3 args on x86). */
export function stackTextLines(t: Target, frames: StackFrame[]): string[] {
  const p = t.pointerSize;
  const rows: string[] = [];
  const row = (i: number): string => {
    const f = frames[i]!;
    const ret = frames[i + 1]?.pc ?? 0n;
    const sym = formatSymbolic(t.symbolize(f.pc)) ?? `0x${ptr(f.pc, p)}`;
    if (p === 4) {
      const args = [0, 1, 2].map((k) => t.readPointer(f.fp + 8n + BigInt(k * 4), 4) ?? 0n);
      return `${ptr(f.fp, 4)} ${ptr(ret, 4)}     ${args.map((a) => ptr(a, 4)).join(' ')} ${sym}`;
    }
    // x64 home space: the four slots after the return address of this frame.
    const home = (frames[i + 1]?.sp ?? f.sp + 8n);
    const args = [0, 1, 2, 3].map((k) => t.readPointer(home + BigInt(k * 8), 8) ?? 0n);
    return `${ptr(f.sp, 8)} ${ptr(ret, 8)}     : ${args.map((a) => ptr(a, 8)).join(' ')} : ${sym}`;
  };
  if (frames.length <= STACK_TEXT_HEAD + STACK_TEXT_TAIL) {
    for (let i = 0; i < frames.length; i++) rows.push(row(i));
  } else {
    for (let i = 0; i < STACK_TEXT_HEAD; i++) rows.push(row(i));
    rows.push(`... ${frames.length - STACK_TEXT_HEAD - STACK_TEXT_TAIL} frames omitted (run kb ${hexMin(frames.length)} to see them all) ...`);
    for (let i = frames.length - STACK_TEXT_TAIL; i < frames.length; i++) rows.push(row(i));
  }
  return rows;
}

function osLines(t: Target): string[] {
  const s = t.dump.systemInfo;
  if (!s) return [];
  const arch = t.dump.arch === 'amd64' ? 'x64' : t.dump.arch === 'x86' ? 'x86' : t.dump.arch;
  return [...section('OS_VERSION', `${s.majorVersion}.${s.minorVersion}.${s.buildNumber}.0`), ...section('OSPLATFORM_TYPE', arch)];
}

function hex8(v: bigint, p: number): string {
  return ptr(v, p).replace('`', '');
}

/** The `-v` body for a crash, in WinDbg's modern order. */
function crashVerboseLines(t: Target, a: CrashAnalysis, walked: StackFrame[] | undefined, excIndex: number): string[] {
  const p = t.pointerSize;
  const exc = t.dump.exception()!;
  const rec = exc.exceptionRecord;
  const ea = a.exception;
  const lines: string[] = [];
  const kv: [string, string][] = [
    ['Failure.Bucket', a.names.bucketId],
    ['Failure.Exception.Code', `0x${ea.codeHex}`],
    ['Failure.Exception.IP.Address', `0x${hex8(rec.exceptionAddress, p)}`],
    ['Failure.ProblemClass.Primary', ea.problemClass],
    ...ea.keyValues,
  ];
  const ipSym = t.symbolize(rec.exceptionAddress);
  if (ipSym.moduleName && ipSym.module) {
    kv.push(['Failure.Exception.IP.Module', ipSym.moduleName]);
    kv.push(['Failure.Exception.IP.Offset', `0x${(rec.exceptionAddress - ipSym.module.baseOfImage).toString(16)}`]);
  }
  lines.push(...keyValueLines(kv), '');
  const ctx = t.dump.exceptionContext();
  if (ctx) lines.push('CONTEXT:  (.ecxr)', ...fullRegisterLines(t, ctx), 'Resetting default scope', '');
  lines.push('EXCEPTION_RECORD:  (.exr -1)', ...exceptionRecordLines(t, rec), '');
  if (t.dump.modules()[0]) lines.push(...section('PROCESS_NAME', basename(t.dump.modules()[0]!.moduleName)));
  const own = ea.sections.filter(([l]) => /_ADDRESS$/.test(l) && l !== 'FAILED_INSTRUCTION_ADDRESS');
  for (const [l, v] of own) lines.push(...section(l, v));
  lines.push(...section('ERROR_CODE', analyzeErrorCodeText(rec.exceptionCode)));
  lines.push(...section('EXCEPTION_CODE_STR', ea.codeHex));
  const n = Math.min(rec.numberParameters, 15);
  for (let i = 0; i < n; i++) lines.push(...section(`EXCEPTION_PARAMETER${i + 1}`, `${hex8(rec.exceptionInformation[i] ?? 0n, p)}`));
  for (const [l, v] of ea.sections) if (!own.some(([o]) => o === l)) lines.push(...section(l, v));
  lines.push(...section('FAULTING_THREAD', exc.threadId.toString(16)));
  if (walked?.length) {
    lines.push('STACK_TEXT:  ', ...stackTextLines(t, walked), '', '');
  } else {
    lines.push(...section('STACK_TEXT', a.thread?.noFramesReason ?? 'the faulting thread has no stack in this dump'));
  }
  lines.push(...section('STACK_COMMAND', `~${excIndex}s; .ecxr ; kb`));
  const src = a.blame?.frame.source;
  if (src) {
    lines.push(...section('FAULTING_SOURCE_LINE', src.file), ...section('FAULTING_SOURCE_FILE', src.file), ...section('FAULTING_SOURCE_LINE_NUMBER', String(src.line)));
  }
  if (a.blame) lines.push(...section('SYMBOL_NAME', a.names.symbolName));
  lines.push(...section('MODULE_NAME', a.names.moduleName));
  lines.push(...section('IMAGE_NAME', a.names.imageName));
  const mod = a.blame?.frame.module ? t.findModule(a.blame.frame.module) : undefined;
  const v = mod ? fileVersion(mod) : undefined;
  if (v) lines.push(...section('IMAGE_VERSION', v));
  lines.push(...section('FAILURE_BUCKET_ID', a.names.bucketId));
  lines.push(...osLines(t));
  lines.push(...section('FAILURE_ID_HASH', failureHash(a.names.bucketId)));
  lines.push('Followup:     MachineOwner', '---------', '');
  return lines;
}

/** `!analyze` without -v: the banner and the essentials. */
function crashShortLines(t: Target, a: CrashAnalysis): string[] {
  const rec = t.dump.exception()!.exceptionRecord;
  const lines = ['Use !analyze -v to get detailed debugging information.', ''];
  if (t.dump.modules()[0]) lines.push(...section('PROCESS_NAME', basename(t.dump.modules()[0]!.moduleName)));
  lines.push(...section('ERROR_CODE', analyzeErrorCodeText(rec.exceptionCode)));
  for (const [l, v] of a.exception.sections) if (l === 'CPP_EXCEPTION_TYPE' || l === 'EXCEPTION_MESSAGE' || l === 'CLR_EXCEPTION_HRESULT') lines.push(...section(l, v));
  if (a.blame) lines.push(...section('SYMBOL_NAME', a.names.symbolName));
  lines.push(...section('MODULE_NAME', a.names.moduleName));
  lines.push(...section('IMAGE_NAME', a.names.imageName));
  lines.push(...section('FAILURE_BUCKET_ID', a.names.bucketId));
  lines.push('Followup:     MachineOwner', '---------', '');
  return lines;
}

function crashData(a: CrashAnalysis, excIndex: number): Record<string, unknown> {
  const ea = a.exception;
  const d: Record<string, unknown> = {
    kind: 'exception',
    exceptionCode: ea.code,
    exceptionName: ea.name,
    symbolicName: ea.symbolicName,
    problemClass: ea.problemClass,
    summary: ea.summary,
    faultingThread: { index: excIndex, threadId: a.thread?.threadId },
    symbolName: a.names.symbolName,
    moduleName: a.names.moduleName,
    imageName: a.names.imageName,
    failureBucketId: a.names.bucketId,
  };
  if (a.blame) {
    d['blamedFrame'] = { index: a.blame.index, rule: a.blame.rule, module: a.blame.frame.module, function: a.blame.frame.symbol, pc: a.blame.frame.pc, source: a.blame.frame.source, skipped: a.blame.skipped };
  }
  if (ea.accessViolation) d['accessViolation'] = ea.accessViolation;
  if (ea.fastFail) d['fastFail'] = ea.fastFail;
  if (ea.cxx) d['cxxException'] = ea.cxx;
  if (ea.clr) d['clrException'] = ea.clr;
  if (a.recursion) d['recursion'] = { cycle: a.recursion.cycle, repeats: a.recursion.repeats, bytesPerCycle: a.recursion.bytesPerCycle };
  return d;
}

/** Hang report: key values, blocked threads and chains, then the blamed thread's stack and names. */
function hangBodyLines(t: Target, h: HangAnalysis, walked: Map<number, StackFrame[]>, verbose: boolean): string[] {
  const p = h.primary;
  const blamed = p?.caller ?? p?.waitFrame;
  const names = failureNames(blamed, t.modules().map((m) => ({ name: t.moduleName(m), imageName: basename(m.moduleName), path: m.moduleName, base: m.baseOfImage, size: m.sizeOfImage, timeDateStamp: m.timeDateStamp })), h.problemClass, 'cfffffff');
  const lines: string[] = [];
  const kv: [string, string][] = [
    ['Failure.Bucket', names.bucketId],
    ['Failure.ProblemClass.Primary', h.problemClass],
    ['Hang.BlockedThreads', String(h.blocked.length)],
  ];
  if (h.cycles.length) kv.push(['Hang.WaitCycle', h.cycles[0]!.threads.join(' -> ')]);
  lines.push(...keyValueLines(kv), '');
  if (t.dump.modules()[0]) lines.push(...section('PROCESS_NAME', basename(t.dump.modules()[0]!.moduleName)));
  lines.push(...hangLines(h, { verbose, pointerSize: t.pointerSize }));
  if (p) {
    // The thread the blamed one waits for, when an edge names it (proven for critical sections).
    const edge = h.edges.find((e) => e.from === p.index && e.to !== undefined);
    const blocker = edge?.to !== undefined ? t.thread(edge.to) : undefined;
    if (blocker) lines.push(...section('BLOCKING_THREAD', `${blocker.threadId.toString(16)}${edge!.proven ? '' : ' (suspected)'}`));
    lines.push(...section('FAULTING_THREAD', p.threadId.toString(16)));
    const frames = walked.get(p.index);
    if (frames?.length) lines.push('STACK_TEXT:  ', ...stackTextLines(t, frames), '', '');
    lines.push(...section('STACK_COMMAND', `~${p.index}s ; kb`));
    lines.push(...section('SYMBOL_NAME', names.symbolName));
    lines.push(...section('MODULE_NAME', names.moduleName));
    lines.push(...section('IMAGE_NAME', names.imageName));
  }
  lines.push(...section('FAILURE_BUCKET_ID', names.bucketId));
  lines.push(...osLines(t));
  lines.push(...section('FAILURE_ID_HASH', failureHash(names.bucketId)));
  lines.push('Followup:     MachineOwner', '---------', '');
  return lines;
}

/** One open dump as the cross-dump comparison sees it (its own hang analysis, time, identity). */
async function dumpHangState(t: Target, dumpIndex: number, known?: { hang: HangAnalysis; target: AnalysisTarget }): Promise<DumpHangState> {
  const { hang, target } = known ?? await (async () => {
    const a = await adaptTarget(t, { allThreads: true });
    return { hang: analyzeHang(a.target), target: a.target };
  })();
  const misc = t.dump.miscInfo();
  const main = t.dump.modules()[0];
  return {
    dumpIndex,
    name: basename(t.path),
    time: t.dump.header.timeDateStamp,
    identity: {
      ...(misc?.processId !== undefined ? { processId: misc.processId } : {}),
      ...(misc?.processCreateTime !== undefined ? { processCreateTime: misc.processCreateTime } : {}),
      ...(main ? { mainModule: { path: main.moduleName, timeDateStamp: main.timeDateStamp } } : {}),
      modules: t.dump.modules().map((m) => ({ path: m.moduleName, base: m.baseOfImage })),
    },
    hang,
    threads: target.threads,
  };
}

export async function runAnalyze(t: Target, o: AnalyzeOptions, session?: Session): Promise<CommandResult> {
  const exc = t.dump.exception();
  const hang = o.hang || !exc || NO_FAULT_CODES.has(exc.exceptionRecord.exceptionCode >>> 0);
  const { target, walked } = await adaptTarget(t, { allThreads: hang });
  const blocks: Block[] = [];
  let explain: string[];
  let data: Record<string, unknown>;
  if (!hang) {
    const a = analyzeCrash(target)!;
    const excIndex = target.exception!.threadIndex;
    const body = o.verbose ? crashVerboseLines(t, a, walked.get(excIndex), excIndex) : crashShortLines(t, a);
    blocks.push({ kind: 'text', lines: [...analyzeBanner(), '', ...body] });
    explain = a.explain;
    data = crashData(a, excIndex);
  } else {
    const h: HangAnalysis = analyzeHang(target);
    const lines = [...analyzeBanner(o.hang ? 'Hang Analysis' : 'Exception Analysis'), ''];
    if (!exc && !o.hang) lines.push('This dump has no exception record: analyzing it as a hang (threads blocked in waits).', '');
    else if (exc && !o.hang) lines.push(`Exception code ${(exc.exceptionRecord.exceptionCode >>> 0).toString(16)} marks a dump taken on request, not a crash: analyzing it as a hang.`, '');
    lines.push(...hangBodyLines(t, h, walked, o.verbose));
    explain = h.explain;
    data = { kind: 'hang', ...h.data };
    // Several dumps open: compare the blocked threads of every dump of this process (src/analysis/analyze/across.ts).
    if (session && session.targets.length > 1) {
      const states: DumpHangState[] = [];
      const failed: { dumpIndex: number; name: string; reason: string }[] = [];
      for (const [i, other] of session.targets.entries()) {
        try {
          states.push(await dumpHangState(other, i, other === t ? { hang: h, target } : undefined));
        } catch (e) {
          failed.push({ dumpIndex: i, name: basename(other.path), reason: `could not be analyzed (${e instanceof Error ? e.message : String(e)})` });
        }
      }
      const across = compareAcrossDumps(states, session.targets.indexOf(t));
      across.excluded.push(...failed);
      lines.push(...acrossLines(across));
      explain = [...explain, ...acrossExplain(across)];
      data['acrossDumps'] = across;
    }
    blocks.push({ kind: 'text', lines });
  }
  if (explain.length) blocks.push({ kind: 'explain', lines: explain });
  return { blocks, data: { type: 'analyze', verbose: o.verbose, ...data, explain } };
}

export const analyzeCommand: CommandSpec = {
  name: '!analyze',
  group: 'extension',
  syntax: '!analyze [-v] [-f | -hang]',
  summary: 'What happened, in whose code, and what to run next (exceptions and hangs)',
  help: [
    '-v: every section (exception record, context, stack, bucket); without it a short summary.',
    '-hang: analyze blocked threads (waits, critical sections, wait chains) even when the dump has an exception;',
    'dumps without an exception are analyzed as hangs. -f: analyze the exception even if it looks benign.',
    'With several dumps of one process open (-z twice, .opendump), -hang also compares their blocked threads in dump time order (HANG_ACROSS_DUMPS): a wait that never moved is the hang.',
    'With --explain (or the UI\'s teaching mode) each finding gets a plain one-line explanation.',
  ].join('\n'),
  examples: ['!analyze -v', '!analyze', '!analyze -hang'],
  async run(ctx, inv) {
    const t = requireTarget(ctx);
    return runAnalyze(t, parseAnalyzeArgs(inv.args), ctx.session);
  },
};
