/**
 * Which frame `!analyze` blames. Like WinDbg's triage rules, it skips
 * frames that only report or dispatch a failure (RaiseException, the
 * exception dispatcher, C++ throw helpers and EH frames, breakpoints,
 * heap failure reporting) and frames in the OS and language runtimes, so
 * the blamed frame is the first one in the program's own code.
 */
import type { AnalysisFrame, AnalysisModule } from './target.js';

/**
 * Modules of the OS, the C/C++ runtimes and the CLR: frames there are
 * skipped while a frame in other code exists further down the stack.
 * Matched on the lower-case module name; `*` at the end is a prefix match.
 */
const RUNTIME_MODULES = [
  'ntdll', 'kernelbase', 'kernel32', 'wow64*', 'user32', 'win32u', 'gdi32', 'gdi32full', 'combase', 'ole32',
  'oleaut32', 'rpcrt4', 'sechost', 'advapi32', 'ws2_32', 'mswsock', 'ucrtbase', 'ucrtbased', 'msvcrt', 'msvcrt*',
  'msvcp*', 'msvcr*', 'vcruntime*', 'concrt*', 'api-ms-win-*', 'ext-ms-*', 'verifier', 'clr', 'coreclr', 'clrjit',
  'mscorwks', 'mscoree', 'mscoreei', 'mscorlib*', 'system.private.corelib', 'libstdc++*', 'libgcc_s*', 'libc++',
  'libwinpthread*', 'kernel.appcore', 'shcore', 'shell32', 'shlwapi', 'comctl32', 'dbghelp', 'dbgcore',
  'wer', 'faultrep', 'apphelp',
];

/**
 * Functions that raise, dispatch or report a failure rather than cause it,
 * wherever they are linked (a static CRT puts the throw helpers in the exe).
 * Compared after normalizing: lower case, leading underscores and the
 * stdcall `@N` suffix removed. `*` at the end is a prefix match.
 */
const HELPER_FUNCTIONS = [
  // Raising and dispatching exceptions.
  'raiseexception', 'rtlraiseexception', 'rtlraisestatus', 'kiuserexceptiondispatcher', 'rtldispatchexception',
  'rtlpexecutehandlerforexception', 'rtlpexecutehandlerforunwind', 'rtlunwind', 'rtlunwindex', 'rtlpunwindex*',
  'rtlvirtualunwind*', 'rtlraisenoncontinuableexception', 'zwraiseexception', 'ntraiseexception',
  'executehandler*', 'rtlpcalltargethandler', 'rtlcapturecontext*',
  // C++ throw helpers and EH machinery (MSVC, mingw/Itanium).
  'cxxthrowexception', 'cxxthrowexception*', 'std::_throw*', 'std::_x*', 'scrt_throw_std_bad_alloc',
  'scrt_throw_std_bad_array_new_length', 'cxxframehandler*', 'cxxcallcatchblock', 'callsettingframe*',
  'framehandler*', 'internalcxxframehandler*', 'gshandlercheck*', 'nlg_*', 'cxx_throw', 'cxa_throw',
  'cxa_rethrow', 'unwind_raiseexception', 'unwind_resume', 'gcc_personality*', 'gxx_personality*',
  'std::rethrow_exception', 'rethrowexception',
  // Aborts, assertions, CRT failure reporting.
  'abort', 'terminate', 'std::terminate', 'std_terminate', 'invoke_watson', 'invalid_parameter*',
  'invalid_parameter_noinfo*', 'report_gsfailure', 'report_rangecheckfailure', 'report_securityfailure*',
  'fastfail', 'security_check_cookie', 'purecall', 'wassert', 'assert', 'crtdbgreport*', 'crtdbgbreak',
  'raise', 'exit', 'fatalappexit*', 'scrt_unhandled_exception_filter',
  // Breakpoints.
  'dbgbreakpoint', 'debugbreak', 'dbguserbreakpoint', 'dbguiremotebreakin', 'dbgbreakpointwithstatus',
  // Heap failure reporting and fail-fast.
  'rtlreportcriticalfailure', 'rtlpreportheapfailure', 'rtlpheaphandleerror', 'rtlpheaperror', 'rtlplogheapfailure',
  'rtlfailfast', 'raisefailfastexception', 'rtlraisefailfastexception',
  // C runtime internals linked into the program (a static or mingw CRT): never the program's
  // own code, and on a scanned stack often a stale return address (cpp-throw.dmp without
  // kernelbase's image shows `crashlab!__acrt_iob_func+0xc` above parse_request).
  'acrt_*', 'vcrt_*', 'scrt_*', 'mingw_*', 'maincrtstartup', 'wmaincrtstartup', 'tmaincrtstartup', 'winmaincrtstartup',
  'dllmaincrtstartup',
  // Unhandled-exception filters (when the stack was captured inside them).
  'unhandledexceptionfilter', 'rtluserthreadstart', 'basethreadinitthunk',
];

function normalize(name: string): string {
  return name.toLowerCase().replace(/@\d+$/, '').replace(/^_+/, '').replace(/\(.*$/, '');
}

function matches(value: string, patterns: readonly string[]): boolean {
  return patterns.some((p) => (p.endsWith('*') ? value.startsWith(p.slice(0, -1)) : value === p));
}

/** True for OS / runtime modules (by name, or living under a Windows system directory). */
export function isRuntimeModule(name: string, path?: string): boolean {
  if (matches(name.toLowerCase(), RUNTIME_MODULES)) return true;
  if (path && /\\windows\\(system32|syswow64|sysnative|winsxs|microsoft\.net)\\/i.test(path)) return true;
  return false;
}

/** True for functions that raise, dispatch or report failures (`RaiseException`, `_CxxThrowException`, …). */
export function isHelperFunction(symbol: string): boolean {
  return matches(normalize(symbol), HELPER_FUNCTIONS);
}

export type SkipReason = 'no-module' | 'helper' | 'runtime';

export interface BlameResult {
  /** Index of the blamed frame in the frames given. */
  index: number;
  frame: AnalysisFrame;
  /** Frames above it that were passed over, with why. */
  skipped: { index: number; reason: SkipReason }[];
  /** How the frame was chosen. */
  rule: 'first-own-code' | 'first-non-helper' | 'top-frame' | 'recursion';
}

/** Why one frame would be skipped, or undefined when it is blame-worthy own code. */
export function skipReason(f: AnalysisFrame, modules: readonly AnalysisModule[]): SkipReason | undefined {
  if (!f.module) return 'no-module';
  if (f.symbol && isHelperFunction(f.symbol)) return 'helper';
  const m = modules.find((x) => x.name === f.module);
  if (isRuntimeModule(f.module, m?.path)) return 'runtime';
  return undefined;
}

/**
 * Picks the blamed frame: the first frame in the program's own code; when
 * every frame is OS/runtime code, the first one that is not a raise/report
 * helper; when nothing else qualifies, frame 0.
 */
export function pickBlameFrame(frames: readonly AnalysisFrame[], modules: readonly AnalysisModule[]): BlameResult | undefined {
  if (frames.length === 0) return undefined;
  const reasons = frames.map((f) => skipReason(f, modules));
  // A stack that runs through the user-mode exception dispatcher (a thread context captured inside an
  // unhandled-exception filter, not the exception context): the fault is below the dispatcher, and
  // the program's own filter code above it is not to blame.
  const dispatcher = frames.findLastIndex((f) => f.symbol !== undefined && /^(KiUserExceptionDispatcher|KiUserExceptionDispatch)$/i.test(f.symbol));
  if (dispatcher >= 0 && dispatcher + 1 < frames.length) {
    for (let i = 0; i <= dispatcher; i++) reasons[i] ??= 'helper';
  }
  const own = reasons.findIndex((r) => r === undefined);
  if (own >= 0) return result(frames, reasons, own, 'first-own-code');
  const nonHelper = reasons.findIndex((r) => r === 'runtime');
  if (nonHelper >= 0) return result(frames, reasons, nonHelper, 'first-non-helper');
  return result(frames, reasons, 0, 'top-frame');
}

function result(frames: readonly AnalysisFrame[], reasons: (SkipReason | undefined)[], index: number, rule: BlameResult['rule']): BlameResult {
  const skipped: BlameResult['skipped'] = [];
  for (let i = 0; i < index; i++) skipped.push({ index: i, reason: reasons[i] ?? 'runtime' });
  return { index, frame: frames[index]!, skipped, rule };
}
