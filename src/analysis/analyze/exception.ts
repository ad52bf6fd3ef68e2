/**
 * What an exception record means: its class of problem (WinDbg's
 * Failure.ProblemClass / bucket prefix), the decoded parameters, and a
 * plain-language explanation for each finding.
 */
import type { ExceptionRecord } from '../../formats/minidump/types.js';
import { accessViolationKind, exceptionCodeHex, exceptionName, fastFailName, hresultName, ntStatusName, hresultMessage } from '../../analysis/codes/index.js';
import type { CxxExceptionInfo } from './cxx.js';
import { decodeCxxException } from './cxx.js';
import type { AnalysisTarget } from './target.js';
import { moduleAt, readCString, readRuntime } from './target.js';

/** Lowest address Windows maps: anything below 64 KB is a null pointer plus an offset. */
export const NULL_REGION_END = 0x10000n;

export interface ClrExceptionInfo {
  hresult: number;
  hresultName?: string;
  hresultMessage?: string;
  /** The managed exception type that usually carries this HRESULT (a hint: SOS shows the real one). */
  managedType?: string;
  /** The runtime DLL that raised it (P[4] on .NET 4+/Core), when a module is loaded there. */
  runtime?: { name: string; imageName: string; fileVersion?: string };
  /** P[4] when present. */
  runtimeBase?: bigint;
  /** Every CLR runtime module the dump lists. */
  loadedRuntimes: { name: string; imageName: string; fileVersion?: string }[];
}

export interface AccessViolationInfo {
  kind: 'read' | 'write' | 'execute' | 'unknown';
  address: bigint;
  nullPointer: boolean;
  /** x64: the address is not canonical (bits 47..63 not all equal), or Windows reported -1 for a #GP. */
  nonCanonical: boolean;
  /** Execute fault at the instruction pointer itself: DEP / NX. */
  dep: boolean;
  /** Module containing the address, when any. */
  module?: string;
  /** What the dump's memory map says about the address (MemoryInfoList), when present. */
  region?: string;
  /** The address is in a PAGE_GUARD page. */
  guardPage?: boolean;
}

export interface ExceptionAnalysis {
  code: number;
  /** `c0000005` */
  codeHex: string;
  /** Debugger name (`Access violation`). */
  name: string;
  /** Symbolic name (`STATUS_ACCESS_VIOLATION`), when known. */
  symbolicName?: string;
  /** WinDbg-style problem class: NULL_POINTER_READ, INVALID_POINTER_WRITE, STACK_OVERFLOW, … */
  problemClass: string;
  /** One sentence: what happened. */
  summary: string;
  /** Plain notes for newcomers (teaching mode / JSON). */
  explain: string[];
  /** Extra `LABEL:  value` sections for !analyze (READ_ADDRESS, …), in order. */
  sections: [string, string][];
  /** Extra KEY_VALUES_STRING entries. */
  keyValues: [string, string][];
  accessViolation?: AccessViolationInfo;
  fastFail?: { code: number; name?: string };
  cxx?: CxxExceptionInfo;
  clr?: ClrExceptionInfo;
  /** The instruction pointer was outside any module (null or wild function pointer). */
  badInstructionPointer?: boolean;
}

function ptrHex(v: bigint, ps: number): string {
  return (ps === 8 ? v & 0xffffffffffffffffn : v & 0xffffffffn).toString(16).padStart(ps * 2, '0');
}

function isNonCanonical(addr: bigint, ps: number): boolean {
  if (ps !== 8) return false;
  const top = addr >> 47n;
  return top !== 0n && top !== 0x1ffffn;
}

const FAST_FAIL_NOTES: Record<number, string> = {
  0: 'a /GS stack cookie check failed (legacy form): a stack buffer overrun corrupted the frame',
  2: 'a /GS stack cookie check failed: a local buffer was overrun and overwrote the cookie before the function returned',
  3: 'a doubly linked LIST_ENTRY had inconsistent links: heap or list corruption, often a use-after-free',
  4: 'the stack pointer was outside the thread\'s stack',
  5: 'a CRT function got an invalid argument (the invalid-parameter handler ended the process)',
  7: 'the program called abort() (or FatalAppExit): it chose to stop itself',
  8: 'a range check failed (an index outside an array or container)',
  10: 'Control Flow Guard blocked an indirect call to an address that is not a valid call target',
  21: 'the SEH exception-handler chain on the stack was corrupted',
  35: 'the heap raised an exception it did not expect: heap corruption',
  44: 'the return address did not match the CET shadow stack: a return address on the stack was overwritten',
  50: 'the heap found its metadata corrupted',
};

/**
 * HRESULTs the CLR puts in P[0], with the managed exception type that
 * usually carries them (dotnet/runtime corerror.h; the Win32-derived ones
 * are the HRESULTs .NET maps those exceptions to). Not in the Windows
 * header tables, which lack the CLR facility.
 */
const CLR_HRESULTS: ReadonlyMap<number, [string, string]> = new Map([
  [0x80131500, ['COR_E_EXCEPTION', 'System.Exception']],
  [0x80131501, ['COR_E_SYSTEM', 'System.SystemException']],
  [0x80131502, ['COR_E_ARGUMENTOUTOFRANGE', 'System.ArgumentOutOfRangeException']],
  [0x80131503, ['COR_E_ARRAYTYPEMISMATCH', 'System.ArrayTypeMismatchException']],
  [0x80131505, ['COR_E_TIMEOUT', 'System.TimeoutException']],
  [0x80131508, ['COR_E_INDEXOUTOFRANGE', 'System.IndexOutOfRangeException']],
  [0x80131509, ['COR_E_INVALIDOPERATION', 'System.InvalidOperationException']],
  [0x80131515, ['COR_E_NOTSUPPORTED', 'System.NotSupportedException']],
  [0x80131516, ['COR_E_OVERFLOW', 'System.OverflowException']],
  [0x80131537, ['COR_E_FORMAT', 'System.FormatException']],
  [0x8013153b, ['COR_E_OPERATIONCANCELED', 'System.OperationCanceledException']],
  [0x80131577, ['COR_E_KEYNOTFOUND', 'System.Collections.Generic.KeyNotFoundException']],
  [0x80131620, ['COR_E_IO', 'System.IO.IOException']],
  [0x80131622, ['COR_E_OBJECTDISPOSED', 'System.ObjectDisposedException']],
  [0x80004003, ['E_POINTER', 'System.NullReferenceException']],
  [0x80004002, ['E_NOINTERFACE', 'System.InvalidCastException']],
  [0x80004001, ['E_NOTIMPL', 'System.NotImplementedException']],
  [0x80070057, ['E_INVALIDARG', 'System.ArgumentException (or ArgumentNullException)']],
  [0x8007000e, ['E_OUTOFMEMORY', 'System.OutOfMemoryException']],
  [0x80070005, ['E_ACCESSDENIED', 'System.UnauthorizedAccessException']],
  [0x80070002, ['COR_E_FILENOTFOUND', 'System.IO.FileNotFoundException']],
  [0x80020012, ['COR_E_DIVIDEBYZERO', 'System.DivideByZeroException']],
]);

/** Breakpad's PlatformId values for dumps of other systems. */
const PLATFORMS: Record<number, string> = { 0x8000: 'Unix', 0x8101: 'macOS', 0x8102: 'iOS', 0x8201: 'Linux', 0x8202: 'Solaris', 0x8203: 'Android', 0x8204: 'PS3', 0x8205: 'Native Client', 0x8206: 'Fuchsia' };

/** The CLR runtime modules `!analyze` looks for. */
const CLR_RUNTIMES = ['clr', 'coreclr', 'mscorwks', 'libcoreclr'];

function versionOf(m: { name: string; imageName: string; fileVersion?: string }): { name: string; imageName: string; fileVersion?: string } {
  const out: { name: string; imageName: string; fileVersion?: string } = { name: m.name, imageName: m.imageName };
  if (m.fileVersion) out.fileVersion = m.fileVersion;
  return out;
}

const BREAKPOINT_EXCEPTION = { problemClass: 'BREAKPOINT', summary: 'Breakpoint: an int3 instruction (DebugBreak, __debugbreak, an assertion) was executed with no debugger attached.', explain: 'A break instruction is deliberate: code asked for a debugger (an assertion, DebugBreak(), __debugbreak()). Without a debugger it ends the process. If the stack shows DbgUiRemoteBreakin, a debugger broke in and nothing crashed.' };

/**
 * Exceptions whose analysis is only a problem class, a summary and a note for
 * newcomers (the ones that need parameters or memory are cases in analyzeException).
 */
const SIMPLE_EXCEPTIONS: Readonly<Record<number, { problemClass: string; summary: string; explain?: string }>> = {
  [0xc0000374]: { problemClass: 'HEAP_CORRUPTION', summary: 'Heap corruption detected by the heap manager.', explain: 'The heap found its own bookkeeping damaged and stopped the process. The code on the stack is usually the victim: an earlier buffer overrun, double free or use-after-free did the damage. Next: reproduce with full page heap (gflags /p /enable app.exe /full) or Application Verifier to catch the bad write when it happens.' },
  [0x80000003]: BREAKPOINT_EXCEPTION,
  // STATUS_WX86_BREAKPOINT: a breakpoint in a 32-bit (WOW64) process.
  [0x4000001f]: BREAKPOINT_EXCEPTION,
  [0xc0000094]: { problemClass: 'INTEGER_DIVIDE_BY_ZERO', summary: 'Integer division by zero.', explain: 'An integer div/idiv instruction had a zero divisor (the x86 #DE fault). Floating-point division by zero does not fault by default.' },
  [0xc0000095]: { problemClass: 'INTEGER_OVERFLOW', summary: 'Integer overflow in a division (for example INT_MIN / -1).' },
  [0xc000001d]: { problemClass: 'ILLEGAL_INSTRUCTION', summary: 'Illegal instruction.', explain: 'The CPU met an invalid opcode: a ud2 trap the compiler emitted for unreachable code, an instruction this CPU lacks, or a jump into the middle of data.' },
  [0xc0000096]: { problemClass: 'PRIVILEGED_INSTRUCTION', summary: 'Privileged instruction executed in user mode.' },
  [0xc0000602]: { problemClass: 'FAIL_FAST_EXCEPTION', summary: 'RaiseFailFastException: the process stopped itself without running handlers.' },
  [0xc000000d]: { problemClass: 'INVALID_PARAMETER', summary: 'STATUS_INVALID_PARAMETER: a function was called with an invalid argument.', explain: 'Raised as an exception, 0xC000000D usually comes from the C runtime\'s invalid-parameter handler (a CRT function rejected an argument) or from an API that fails fast on bad input: the caller that passed the argument is the one to fix.' },
  [0x40000015]: { problemClass: 'FATAL_APP_EXIT', summary: 'The program called abort() (or FatalAppExit).', explain: 'STATUS_FATAL_APP_EXIT is raised by abort(): the program (or a library: assert, std::terminate, a pure virtual call) decided to stop. The blamed frame is the code that called it.' },
  [0xc0000420]: { problemClass: 'ASSERTION_FAILURE', summary: 'An assertion failed (int 2Ch / __assert).' },
  [0x406d1388]: { problemClass: 'THREAD_NAMING_EXCEPTION', summary: 'MS_VC_EXCEPTION: the old way of naming a thread for a debugger, not a crash.', explain: '0x406D1388 is raised on purpose to tell a debugger a thread\'s name and is normally handled right away; a dump taken here is a first-chance capture, not a crash. Look at the other threads, or take the dump on second-chance exceptions only.' },
  [0xc0000417]: { problemClass: 'INVALID_CRUNTIME_PARAMETER', summary: 'The C runtime was called with an invalid parameter.', explain: 'A CRT function (printf, strcpy_s, fopen, …) rejected an argument and the invalid-parameter handler ended the process. The blamed frame is the caller that passed it.' },
};

export function analyzeException(t: AnalysisTarget, rec: ExceptionRecord): ExceptionAnalysis {
  const code = rec.exceptionCode >>> 0;
  const ps = t.pointerSize;
  const p = rec.exceptionInformation.slice(0, Math.min(rec.numberParameters, 15));
  const out: ExceptionAnalysis = {
    code,
    codeHex: exceptionCodeHex(code),
    name: exceptionName(code),
    problemClass: 'APPLICATION_FAULT',
    summary: '',
    explain: [],
    sections: [],
    keyValues: [],
  };
  const sym = ntStatusName(code);
  if (sym) out.symbolicName = sym;
  if (t.platformId !== undefined && t.platformId !== 2 && t.platformId !== 1 && t.platformId !== 0) {
    const os = PLATFORMS[t.platformId] ?? `platform 0x${t.platformId.toString(16)}`;
    out.explain.push(`This dump comes from ${os}, not Windows: its exception code is the writer's translation of a signal or Mach exception, so Windows meanings may not apply.`);
    out.sections.push(['ADDITIONAL_DEBUG_TEXT', `Not a Windows dump (${os}): exception codes are not NTSTATUS values.`]);
  }
  const ipModule = moduleAt(t, rec.exceptionAddress);
  if (!ipModule && code !== 0xe06d7363) {
    out.badInstructionPointer = true;
  }

  switch (code) {
    case 0xc0000005:
    case 0xc0000006: {
      const inPage = code === 0xc0000006;
      const kindRaw = p[0] !== undefined ? accessViolationKind(p[0]) : undefined;
      const kind = kindRaw ?? 'unknown';
      const addr = p[1] ?? 0n;
      const av: AccessViolationInfo = {
        kind,
        address: addr,
        nullPointer: p.length >= 2 && addr < NULL_REGION_END,
        nonCanonical: isNonCanonical(addr, ps) || (ps === 8 && addr === 0xffffffffffffffffn),
        dep: kind === 'execute' && addr === rec.exceptionAddress && addr >= NULL_REGION_END,
      };
      const am = moduleAt(t, addr);
      if (am) av.module = am.name;
      out.accessViolation = av;
      const region = p.length >= 2 ? t.regionAt?.(addr) : undefined;
      const regionNote = region ? describeRegion(region, kind) : undefined;
      if (regionNote) {
        av.region = regionNote.text;
        if (regionNote.guard) av.guardPage = true;
        if (regionNote.nx && kind === 'execute') av.dep = true;
      }
      const verb = kind === 'read' ? 'READ' : kind === 'write' ? 'WRITE' : kind === 'execute' ? 'EXECUTE' : 'READ';
      const label = kind === 'write' ? 'WRITE_ADDRESS' : kind === 'execute' ? 'EXECUTE_ADDRESS' : 'READ_ADDRESS';
      if (p.length >= 2) out.sections.push([label, `${ptrHex(addr, ps)} `]);
      out.keyValues.push(['AV.Type', kind === 'unknown' ? 'Unknown' : kind[0]!.toUpperCase() + kind.slice(1)]);
      const at = `0x${addr.toString(16)}`;
      if (av.region) out.explain.push(`Memory map: ${av.region}.`);
      if (av.guardPage && !inPage) {
        out.problemClass = `GUARD_PAGE_${verb}`;
        out.summary = `Access to a guard page at ${at}.`;
        out.explain.push('The address is in a PAGE_GUARD page: usually the end of a thread\'s stack (a stack probe past the reservation) or a guard page an allocator placed after a buffer (page heap), which means a buffer overrun.');
      } else if (inPage) {
        out.problemClass = `IN_PAGE_ERROR_${verb}`;
        const st = p[2] !== undefined ? Number(p[2] & 0xffffffffn) : undefined;
        const stName = st !== undefined ? ntStatusName(st) : undefined;
        out.summary = `In-page I/O error on ${kind} at ${at}${st !== undefined ? ` (underlying status 0x${st.toString(16)}${stName ? ` ${stName}` : ''})` : ''}.`;
        out.explain.push('The page was valid but could not be read from its backing file (network share gone, disk error, file truncated while mapped).');
      } else if (av.dep) {
        out.problemClass = 'SOFTWARE_NX_FAULT';
        out.summary = `Data Execution Prevention: the CPU jumped to ${at}, which is not executable memory.`;
        out.explain.push('An execute fault at the instruction pointer itself means the code jumped into data (heap or stack): usually a corrupted function pointer, vtable or return address.');
      } else if (av.nullPointer) {
        out.problemClass = `NULL_POINTER_${verb}`;
        out.keyValues.push(['AV.Dereference', 'NullPtr']);
        out.summary = `Null pointer ${kind === 'unknown' ? 'access' : kind} at ${at}.`;
        out.explain.push(
          addr === 0n
            ? `Address 0 is never mapped: the code ${kind === 'execute' ? 'called' : 'used'} a null pointer.`
            : `Addresses below 0x10000 are never mapped: ${at} is a null pointer plus an offset of ${at} (a field of a struct reached through a null pointer).`,
        );
      } else if (av.nonCanonical) {
        out.problemClass = `INVALID_POINTER_${verb}`;
        out.keyValues.push(['AV.Dereference', 'NonCanonical']);
        out.summary = addr === 0xffffffffffffffffn
          ? 'Access violation at a non-canonical address (Windows reports a general-protection fault with address 0xffffffffffffffff).'
          : `Access violation at the non-canonical address ${at}.`;
        out.explain.push('x64 addresses must have bits 47-63 all equal; a pointer that breaks this rule is garbage (uninitialized, freed and overwritten, or computed from bad data), and the CPU raises a general-protection fault. Windows cannot tell the exact address in that case, so it may report -1.');
      } else {
        out.problemClass = `INVALID_POINTER_${verb}`;
        out.summary = `Access violation: ${kind === 'unknown' ? 'access' : kind} at ${at}${av.module ? ` (inside ${av.module})` : ''}.`;
        out.explain.push(
          kind === 'write' && av.module
            ? `The address is inside ${av.module}'s image: writing there usually means a write to read-only data or code.`
            : 'The address is not null but was not valid: a dangling (freed), uninitialized or corrupted pointer, or a buffer index out of range.',
        );
      }
      break;
    }
    case 0x80000001:
      out.problemClass = 'GUARD_PAGE_VIOLATION';
      out.summary = `Guard page touched${p[1] !== undefined ? ` at 0x${p[1].toString(16)}` : ''}.`;
      out.explain.push('A PAGE_GUARD page was accessed. The stack grows by touching its guard page; an unhandled guard-page exception means code touched a guard page that is not part of normal stack growth (or probed past the stack).');
      break;
    case 0xc00000fd:
      out.problemClass = 'STACK_OVERFLOW';
      out.summary = 'Stack overflow: the thread used up its stack.';
      out.explain.push('The thread touched the guard page at the end of its stack reservation: usually runaway recursion, sometimes a very large local array.');
      if (p.length >= 2) out.sections.push(['STACK_OVERFLOW_ADDRESS', `${ptrHex(p[1]!, ps)} `]);
      break;
    case 0xc0000409: {
      const sub = p[0] !== undefined && p[0] <= 0xffffffffn ? Number(p[0]) : undefined;
      const name = sub !== undefined ? fastFailName(sub) : undefined;
      if (sub !== undefined) {
        out.fastFail = { code: sub };
        if (name) out.fastFail.name = name;
        const short = (name ?? `FAST_FAIL_${sub}`).replace(/^FAST_FAIL_/, '');
        out.problemClass = `FAIL_FAST_${short}`;
        out.keyValues.push(['FailFast.Code', `0x${sub.toString(16)}${name ? ` (${name})` : ''}`]);
        out.summary = `Fail-fast: ${name ?? `code ${sub}`}.`;
        out.explain.push(`__fastfail(${sub}) ended the process at once, without running exception handlers: ${FAST_FAIL_NOTES[sub] ?? 'a security or consistency check in the code or the runtime failed'}.`);
      } else {
        out.problemClass = 'STACK_BUFFER_OVERRUN';
        out.summary = 'Stack buffer overrun detected (/GS), legacy form without a fail-fast code.';
        out.explain.push('The /GS stack cookie check failed: a local buffer was overrun.');
      }
      break;
    }
    case 0xc06d007e:
    case 0xc06d007f: {
      const proc = code === 0xc06d007f;
      out.problemClass = proc ? 'DELAYLOAD_PROC_NOT_FOUND' : 'DELAYLOAD_MODULE_NOT_FOUND';
      const dl = p[0] !== undefined ? readDelayLoadInfo(t, p[0]) : undefined;
      const what = dl?.dll ? `${dl.dll}${proc && dl.proc ? `!${dl.proc}` : ''}` : undefined;
      if (dl?.dll) out.sections.push(['DELAYLOAD_DLL', dl.dll]);
      if (proc && dl?.proc) out.sections.push(['DELAYLOAD_PROCEDURE', dl.proc]);
      out.summary = proc
        ? `Delay-load failed: procedure ${what ?? '(name not in the dump)'} not found.`
        : `Delay-load failed: module ${what ?? '(name not in the dump)'} could not be loaded.`;
      out.explain.push(`The linker's delay-load helper could not ${proc ? 'find an exported function in' : 'load'} a DLL the first time the program called into it: a missing or wrong-version DLL on this machine. Parameter 1 points to the helper's DelayLoadInfo${dl ? '' : ', which is not in this dump'}.`);
      break;
    }
    case 0xe06d7363: {
      out.problemClass = 'CPP_EXCEPTION';
      const cxx = decodeCxxException(t, rec);
      if (cxx) {
        out.cxx = cxx;
        if (cxx.thrownType) out.sections.push(['CPP_EXCEPTION_TYPE', cxx.thrownType]);
        if (cxx.message !== undefined) out.sections.push(['EXCEPTION_MESSAGE', cxx.message]);
        if (cxx.thrownType) out.keyValues.push(['CPP.Exception.Type', cxx.thrownType]);
        out.summary = `Unhandled C++ exception${cxx.thrownType ? ` of type ${cxx.thrownType}` : ''}${cxx.message !== undefined ? `: "${cxx.message}"` : ''}.`;
        out.explain.push('0xE06D7363 ("msc") is how MSVC C++ throws: nothing caught it. The type comes from the ThrowInfo the compiler emitted next to the throw; the message from the object\'s what() string.');
        if (cxx.catchableTypes.length > 1) out.explain.push(`A catch of any of these types would have caught it: ${cxx.catchableTypes.map((c) => c.name ?? '?').join(', ')}.`);
        for (const pr of cxx.problems) out.explain.push(pr);
      } else {
        out.summary = 'C++ exception record with an unknown magic number or parameter count.';
      }
      break;
    }
    case 0xe0434352:
    case 0xe0434f4d: {
      out.problemClass = 'CLR_EXCEPTION';
      const hr = p[0] !== undefined ? Number(p[0] & 0xffffffffn) : undefined;
      const runtimes = t.modules.filter((m) => CLR_RUNTIMES.includes(m.name.toLowerCase())).map(versionOf);
      const clr: ClrExceptionInfo = { hresult: hr ?? 0, loadedRuntimes: runtimes };
      if (hr !== undefined) {
        const known = CLR_HRESULTS.get(hr);
        const n = known?.[0] ?? hresultName(hr);
        if (n) clr.hresultName = n;
        if (known) clr.managedType = known[1];
        const msg = hresultMessage(hr);
        if (msg) clr.hresultMessage = msg;
      }
      if (p.length >= 5) {
        clr.runtimeBase = p[4]!;
        const rm = moduleAt(t, p[4]!);
        if (rm && CLR_RUNTIMES.includes(rm.name.toLowerCase())) clr.runtime = versionOf(rm);
        else if (rm) out.explain.push(`The record's runtime-module parameter points into ${rm.imageName}, which is not a CLR runtime (clr.dll / coreclr.dll).`);
      }
      out.clr = clr;
      if (hr !== undefined) {
        out.sections.push(['CLR_EXCEPTION_HRESULT', `0x${hr.toString(16).padStart(8, '0')}${clr.hresultName ? ` (${clr.hresultName})` : ''}`]);
        out.keyValues.push(['CLR.Exception.HResult', `0x${hr.toString(16).padStart(8, '0')}${clr.hresultName ? ` (${clr.hresultName})` : ''}`]);
      }
      const rt = clr.runtime ?? runtimes[0];
      out.sections.push(['CLR_RUNTIME', rt ? `${rt.imageName}${rt.fileVersion ? ` ${rt.fileVersion}` : ' (no version resource in the dump)'}` : 'none loaded'] as [string, string]);
      out.sections.push(['ADDITIONAL_DEBUG_TEXT', 'The managed exception type, message and managed stack are in the GC heap: they need SOS. In WinDbg: .loadby sos coreclr (or clr), then !pe and !clrstack. Or: dotnet-dump analyze <dump>, then pe and clrstack.']);
      out.summary = `Unhandled .NET (CLR) exception, HRESULT 0x${(hr ?? 0).toString(16).padStart(8, '0')}${clr.hresultName ? ` ${clr.hresultName}` : ''}.`;
      if (clr.managedType) out.explain.push(`HRESULT ${clr.hresultName} usually means a ${clr.managedType}; only SOS can show the actual type and message.`);
      out.explain.push('0xE0434352 is how the .NET runtime raises a managed exception as a Windows exception. The managed exception object, its type, message and managed stack live in the GC heap and need the SOS extension.');
      if (clr.runtimeBase !== undefined && !clr.runtime && !moduleAt(t, clr.runtimeBase)) {
        out.explain.push(`The record names a runtime module at 0x${clr.runtimeBase.toString(16)}, but no module is loaded there${runtimes.length ? '' : ' and no CLR (clr.dll / coreclr.dll) is in the module list'}: the record was raised by something imitating the CLR, or the dump is incomplete.`);
      }
      out.explain.push('Next: open the dump in WinDbg with SOS (`.loadby sos coreclr` or `.loadby sos clr`), then `!pe` (print exception) and `!clrstack`; or `dotnet-dump analyze <dump>` and run `pe` and `clrstack` there. Managed details need a full-memory dump (procdump -ma).');
      break;
    }
    default: {
      const sev = code >>> 30;
      const simple = SIMPLE_EXCEPTIONS[code];
      if (simple) {
        out.problemClass = simple.problemClass;
        out.summary = simple.summary;
        if (simple.explain) out.explain.push(simple.explain);
      } else if ((code & 0x20000000) !== 0) {
        out.problemClass = 'APPLICATION_EXCEPTION';
        out.summary = `Application-defined exception code 0x${out.codeHex} raised by the program or a library.`;
        out.explain.push('Codes with bit 29 set are defined by applications, not Windows: look at the code that called RaiseException.');
      } else {
        out.summary = `${out.symbolicName ?? out.name} (0x${out.codeHex}).`;
        if (sev === 2) out.explain.push('A warning-severity code (0x8…): usually raised on purpose.');
      }
    }
  }
  if (out.badInstructionPointer && !out.accessViolation?.dep) {
    out.sections.push(['FAILED_INSTRUCTION_ADDRESS', `${ptrHex(rec.exceptionAddress, ps)} `]);
    out.explain.push(
      rec.exceptionAddress < NULL_REGION_END
        ? `The instruction pointer is 0x${rec.exceptionAddress.toString(16)}: the program called through a null function pointer (or a null object's vtable), so the caller is blamed.`
        : `The instruction pointer 0x${rec.exceptionAddress.toString(16)} is in no loaded module: a call or jump through a bad function pointer, or code in memory that was freed.`,
    );
  }
  return out;
}

const PAGE_EXECUTE_ANY = 0x10 | 0x20 | 0x40 | 0x80;

/** A sentence about the region an access-violation address falls in. */
function describeRegion(r: { base: bigint; size: bigint; state: number; protect: number; type: number }, kind: string): { text: string; guard: boolean; nx: boolean } | undefined {
  const range = `0x${r.base.toString(16)}-0x${(r.base + r.size).toString(16)}`;
  if (r.state === 0x10000) return { text: `the address is in free (unallocated) memory ${range}: never allocated, or already released`, guard: false, nx: false };
  if (r.state === 0x2000) return { text: `the address is reserved but not committed (${range}): no memory backs it yet`, guard: false, nx: false };
  const guard = (r.protect & 0x100) !== 0;
  const nx = (r.protect & PAGE_EXECUTE_ANY) === 0;
  const base = r.protect & 0xff;
  const what = base === 0x01 ? 'no-access' : base === 0x02 ? 'read-only' : base === 0x04 ? 'read/write' : base === 0x08 ? 'copy-on-write' : nx ? 'data' : 'executable';
  const type = r.type === 0x1000000 ? 'image' : r.type === 0x40000 ? 'mapped' : 'private';
  let text = `the address is in committed ${type} memory ${range}, ${guard ? 'a guard page, ' : ''}${what}`;
  if (kind === 'write' && (base === 0x02 || base === 0x20)) text += ': writing to read-only memory';
  if (kind === 'execute' && nx) text += ': not executable (DEP)';
  return { text, guard, nx };
}

/** DelayLoadInfo (delayimp.h): the DLL name and the procedure (name or ordinal). */
function readDelayLoadInfo(t: AnalysisTarget, addr: bigint): { dll?: string; proc?: string } | undefined {
  const ps = t.pointerSize;
  const size = ps === 8 ? 72 : 36;
  const b = readRuntime(t, addr, size);
  if (!b) return undefined;
  const ptr = (o: number) => (ps === 8 ? b.readBigUInt64LE(o) : BigInt(b.readUInt32LE(o)));
  // x64: cb, pidd @8, ppfn @16, szDll @24, dlp {fImportByName @32, szProcName/dwOrdinal @40}; x86: 4-byte fields.
  const szDll = ptr(ps === 8 ? 24 : 12);
  const byName = b.readUInt32LE(ps === 8 ? 32 : 16) !== 0;
  const procField = ps === 8 ? 40 : 20;
  const out: { dll?: string; proc?: string } = {};
  const dll = readCString(t, szDll, 512);
  if (dll) out.dll = dll;
  if (byName) {
    const name = readCString(t, ptr(procField), 512);
    if (name) out.proc = name;
  } else {
    out.proc = `#${b.readUInt32LE(procField)}`;
  }
  return out;
}
