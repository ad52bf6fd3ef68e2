/**
 * Teaching mode (`.explain on`, `--explain`): short notes for newcomers after
 * a command's output — what the columns mean, which frame matters, what an
 * exception code means, what to run next. Notes are pure functions of the
 * command's structured result (`result.data`, keyed by `data.type`), never of
 * its text. The dispatcher calls `afterCommand` for every command it runs;
 * notes go into a block of kind 'explain' that renderers show only in
 * teaching mode. Commands that write their own notes (`!analyze`) are left alone.
 *
 * `afterCommand` also feeds per-session command observers (lessons watch
 * which commands the learner ran).
 */
import type { CommandResult, ResultData } from '../results/types.js';
import type { Session } from '../session/session.js';
import { noteLogTarget } from '../session/transcript.js';

export type CommandObserver = (command: string, result: CommandResult) => void;

const observers = new WeakMap<Session, Set<CommandObserver>>();

/** Calls `fn` after every command the session's dispatcher runs; returns the function that stops it. */
export function observeCommands(session: Session, fn: CommandObserver): () => void {
  let set = observers.get(session);
  if (!set) observers.set(session, (set = new Set()));
  set.add(fn);
  return () => set!.delete(fn);
}

const quiet = new WeakSet<Session>();

/**
 * Runs `fn` with teaching notes and observers off: for commands the user did
 * not type (the UI's pane refreshes run `~`, `kn`, `.exr -1` through the same
 * dispatcher and must not complete lesson steps behind the learner's back).
 */
export async function quietly<T>(session: Session, fn: () => Promise<T>): Promise<T> {
  if (quiet.has(session)) return fn();
  quiet.add(session);
  try {
    return await fn();
  } finally {
    quiet.delete(session);
  }
}

/** What the dispatcher does after each command: teaching notes (when on), then observers. */
export function afterCommand(session: Session, command: string, result: CommandResult): void {
  noteLogTarget(session, result);
  if (quiet.has(session)) return;
  if (session.options.explain && result.data && !result.blocks.some((b) => b.kind === 'explain')) {
    const notes = explainResult(command, result.data).flatMap((n) => wrapText(n, TEACHING_WIDTH, ' '.repeat(NOTE.length)));
    if (notes.length) result.blocks.push({ kind: 'explain', lines: notes });
  }
  for (const fn of observers.get(session) ?? []) fn(command, result);
}

const NOTE = 'note: ';

/** Width teaching text is wrapped to: the UI's command pane truncates longer lines on an 80-column terminal. */
export const TEACHING_WIDTH = 78;

/** Word-wraps `text` to `width` columns; continuation lines start with `indent`. */
export function wrapText(text: string, width = TEACHING_WIDTH, indent = ''): string[] {
  if (text.length <= width) return [text];
  const lead = /^ */.exec(text)![0];
  const out: string[] = [];
  let line = lead;
  for (const word of text.slice(lead.length).split(/ +/)) {
    if (line && line.length + 1 + word.length > width) {
      out.push(line);
      line = indent + word;
    } else line = line.trim() ? `${line} ${word}` : line + word;
  }
  if (line || !out.length) out.push(line);
  return out;
}

function num(v: unknown): bigint | undefined {
  if (typeof v === 'bigint') return v;
  if (typeof v === 'number' && Number.isFinite(v)) return BigInt(Math.trunc(v));
  if (typeof v === 'string' && /^(0x)?[0-9a-f]+$/i.test(v)) return BigInt(v.startsWith('0x') ? v : `0x${v}`);
  return undefined;
}

function hex(v: bigint | undefined): string {
  return v === undefined ? '?' : `0x${v.toString(16)}`;
}

function code8(v: bigint | undefined): string {
  return v === undefined ? '?' : (v & 0xffffffffn).toString(16).padStart(8, '0');
}

/** Modules that belong to the OS or the C runtime: the interesting frame is usually the first one outside them. */
const SYSTEM_MODULES = /^(ntdll|kernel32|kernelbase|ucrtbase|ucrtbased|msvcrt|msvcp\d*|vcruntime\d*|win32u|user32|gdi32|combase|rpcrt4|sechost|advapi32|ole32|oleaut32|ws2_32|clr|coreclr|clrjit|mscorwks|dbghelp|wow64\w*)$/i;

/** What an exception code means and what to look at, for a newcomer. */
export function exceptionCodeNotes(code: bigint | undefined, params: readonly bigint[]): string[] {
  switch (code === undefined ? undefined : Number(code & 0xffffffffn)) {
    case 0xc0000005: {
      const kind = params[0];
      const addr = params[1];
      const what = kind === 0n ? 'read from' : kind === 1n ? 'write to' : kind === 8n ? 'execute code at' : 'access';
      const lines = [`${NOTE}c0000005 is an access violation: the program tried to ${what} address ${hex(addr)}, which is not valid memory.`];
      if (addr !== undefined && addr < 0x10000n) lines.push(`${NOTE}An address this close to zero means a NULL pointer was used: ${hex(addr)} is the offset of the field that was read through it.`);
      return lines;
    }
    case 0xc0000094:
      return [`${NOTE}c0000094 is an integer division by zero (the idiv/div instruction's divisor was 0).`];
    case 0xc00000fd:
      return [`${NOTE}c00000fd is a stack overflow: the thread used up its stack, usually through unbounded recursion. k shows the same function repeated.`];
    case 0xe06d7363:
      return [
        `${NOTE}e06d7363 ("msc" in ASCII) is a C++ exception thrown with throw and not caught.`,
        `${NOTE}Parameters: magic 19930520, the address of the thrown object, its ThrowInfo (type information), and the module's base address.`,
      ];
    case 0xe0434352:
      return [`${NOTE}e0434352 ("CCR") is a .NET (CLR) exception; its first parameter is the HRESULT. The managed details need the SOS extension in WinDbg.`];
    case 0x80000003:
      return [`${NOTE}80000003 is a breakpoint: the code called DebugBreak or __debugbreak (an int 3 instruction), often an assert.`];
    case 0xc0000409:
      return [`${NOTE}c0000409 is a fail-fast (__fastfail or a /GS security check): the program stopped itself on purpose; the first parameter says why.`];
    case 0xc0000374:
      return [`${NOTE}c0000374 is heap corruption detected by the heap manager; the real damage happened earlier.`];
    case 0xc000001d:
      return [`${NOTE}c000001d is an illegal instruction: the CPU met bytes that are not a valid instruction (a bad jump or corrupted code).`];
    default:
      return code === undefined ? [] : [`${NOTE}!error ${code8(code)} looks the code up in the NTSTATUS/Win32/HRESULT tables.`];
  }
}

function exceptionRecordNotes(d: ResultData): string[] {
  if (d['present'] === false) return [`${NOTE}This dump holds no exception (a hang or on-demand dump): look at the threads with ~*k instead.`];
  const code = num(d['exceptionCode']);
  const params = Array.isArray(d['parameters']) ? (d['parameters'] as unknown[]).map((p) => num(p) ?? 0n) : [];
  const lines = [`${NOTE}ExceptionAddress is the instruction that failed; ExceptionCode says what went wrong; Parameters add detail.`, ...exceptionCodeNotes(code, params)];
  if ((num(d['exceptionFlags']) ?? 0n) & 1n) lines.push(`${NOTE}ExceptionFlags 1 (EXCEPTION_NONCONTINUABLE): execution could not have continued after it.`);
  lines.push(`${NOTE}Next: .ecxr switches to the registers at the fault, then kn shows the stack that led there.`);
  return lines;
}

function registerNotes(d: ResultData): string[] {
  const regs = (d['registers'] ?? {}) as Record<string, unknown>;
  const scope = d['scope'];
  const x64 = d['arch'] === 'amd64' || 'rip' in regs;
  const ip = x64 ? 'rip' : 'eip';
  const sp = x64 ? 'rsp' : 'esp';
  if (!(ip in regs)) return [`${NOTE}Register values are hexadecimal.`];
  const lines: string[] = [];
  if (scope === 'exception') lines.push(`${NOTE}These are the registers at the moment of the exception (.ecxr), not where the thread was when the dump was written. k and r now use this context.`);
  lines.push(`${NOTE}${ip} = ${hex(num(regs[ip]))} is the instruction being executed (disassembled after the registers); ${sp} = ${hex(num(regs[sp]))} is the top of the stack.`);
  const zero = Object.entries(regs)
    .filter(([k, v]) => /^(r[a-d]x|r[sd]i|r(8|9|1[0-5])|e[a-d]x|e[sd]i)$/.test(k) && num(v) === 0n)
    .map(([k]) => k);
  if (zero.length) lines.push(`${NOTE}Registers holding 0: ${zero.join(', ')}. Look at the register inside [ ] in the instruction shown above: if it is one of these, the code used a NULL pointer.`);
  lines.push(`${NOTE}efl's letters are flags (zr = zero, nz = not zero, ng = negative); cs/ss/ds are segment selectors you can usually ignore.`);
  lines.push(`${NOTE}Next: kn for the call stack.`);
  return lines;
}

interface FrameLike {
  index?: number;
  module?: string;
  symbol?: string;
  callSite?: string;
  trust?: string;
  source?: { file: string; line: number };
}

function stackNotes(d: ResultData): string[] {
  const frames = Array.isArray(d['frames']) ? (d['frames'] as FrameLike[]) : [];
  const lines = [
    `${NOTE}Frame 00 is where the thread was (innermost); each frame below called the one above it.`,
    `${NOTE}Child-SP is the stack pointer in that frame, RetAddr the address the frame returns to in its caller, Call Site is module!function+offset [source file @ line].`,
  ];
  const own = frames.find((f) => f.module !== undefined && f.symbol !== undefined && !SYSTEM_MODULES.test(f.module));
  const first = frames[0];
  if (own) {
    const n = (own.index ?? 0).toString(16).padStart(2, '0');
    const where = own.source ? ` (${own.source.file.split(/[\\/]/).pop()} line ${own.source.line})` : '';
    if (own === first) lines.push(`${NOTE}Frame ${n}, ${own.module}!${own.symbol}${where}, is both the top frame and the program's own code: this function was running when it stopped.`);
    else lines.push(`${NOTE}Frames above ${n} are in system modules; frame ${n}, ${own.module}!${own.symbol}${where}, is the first frame in the program's own code: start there.`);
  }
  if (frames.length > 1 && own && frames.filter((f) => f.symbol === own.symbol && f.module === own.module).length > 8) lines.push(`${NOTE}${own.symbol} appears ${frames.filter((f) => f.symbol === own.symbol).length} times: recursion.`);
  if (frames.some((f) => f.trust === 'scan')) lines.push(`${NOTE}Frames after the WARNING line were found by scanning the stack for return addresses: they may be wrong.`);
  if (d['scope'] === 'thread') lines.push(`${NOTE}This is the thread's stack when the dump was written. If the dump holds an exception, run .ecxr first to see the stack at the fault.`);
  lines.push(`${NOTE}Next: .frame N selects a frame; ub @rip or u on the frame shows its code; ~*k shows every thread's stack.`);
  return lines;
}

interface ThreadLike {
  index: number;
  threadId: number;
  name?: string;
  event?: boolean;
  current?: boolean;
  hasContext?: boolean;
}

function threadNotes(d: ResultData): string[] {
  const threads = Array.isArray(d['threads']) ? (d['threads'] as ThreadLike[]) : [];
  const lines = [`${NOTE}Columns: index (use it in ~Ns), Id: process.thread ids in hex, Suspend count, Teb (thread environment block address), then the thread's name when the dump has one.`, `${NOTE}"." marks the current thread, "#" the thread that raised the event (the exception).`];
  const ev = threads.find((t) => t.event);
  if (ev) lines.push(`${NOTE}Thread ${ev.index} (id ${ev.threadId.toString(16)}${ev.name ? `, "${ev.name}"` : ''}) raised the event: it is usually the one to look at.`);
  const noCtx = threads.filter((t) => t.hasContext === false);
  if (noCtx.length) lines.push(`${NOTE}Thread${noCtx.length > 1 ? 's' : ''} ${noCtx.map((t) => t.index).join(', ')} ha${noCtx.length > 1 ? 've' : 's'} no registers in the dump (typically the thread that wrote it).`);
  lines.push(`${NOTE}Next: ~Ns switches to thread N; ~*k shows every thread's stack.`);
  return lines;
}

function moduleNotes(d: ResultData): string[] {
  const mods = Array.isArray(d['modules']) ? (d['modules'] as { symbolStatus?: string; name?: string }[]) : [];
  const count = new Map<string, number>();
  for (const m of mods) count.set(m.symbolStatus ?? '', (count.get(m.symbolStatus ?? '') ?? 0) + 1);
  const lines = [`${NOTE}Each line: start and end address of the module in memory, its name, and its symbol status.`];
  const statusText: Record<string, string> = {
    deferred: 'deferred (not looked up yet; loaded when a command needs them)',
    'pdb symbols': 'pdb symbols (full symbols: function names, source lines)',
    'private pdb symbols': 'private pdb symbols (full symbols with types and locals)',
    'export symbols': 'export symbols (only the names the DLL exports: offsets may be far from the real function)',
    'no symbols': 'no symbols (addresses show as module+offset)',
  };
  const parts = [...count.entries()].filter(([k]) => k).map(([k, n]) => `${n} ${statusText[k] ?? k}`);
  if (parts.length) lines.push(`${NOTE}Symbol status here: ${parts.join('; ')}.`);
  lines.push(`${NOTE}Next: lmvm NAME shows one module's file, version and time stamp; .sympath/.reload fix missing symbols.`);
  return lines;
}

function vertargetNotes(d: ResultData): string[] {
  const v = [d['majorVersion'], d['minorVersion'], d['buildNumber']];
  const lines = [`${NOTE}The machine the dump came from: Windows ${v.every((x) => x !== undefined) ? `${v[0]}.${v[1]} build ${v[2]}` : '(version not in the dump)'}, ${d['processors'] ?? '?'} processor(s), ${d['arch'] ?? ''} code.`];
  lines.push(`${NOTE}"Debug session time" is when the dump was written, in the dump's own time zone.`);
  return lines;
}

function memoryNotes(d: ResultData): string[] {
  const size = Number(d['elementSize'] ?? 1);
  const lines = [`${NOTE}The first column is the address; then ${size === 1 ? 'bytes' : `${size * 8}-bit values`} in hex${size === 1 ? ' and, at the right, the same bytes as text' : ''}. x64 values are little-endian: the lowest byte comes first in memory.`];
  lines.push(`${NOTE}?? means that memory is not in the dump: minidumps keep stacks and a little memory, not the whole process.`);
  return lines;
}

function lasteventNotes(d: ResultData): string[] {
  const code = num(d['exceptionCode']);
  return [`${NOTE}The last event is what stopped the process: here ${code === undefined ? 'no exception (a dump taken on demand)' : `exception ${code8(code)}`}.`, ...exceptionCodeNotes(code, [])];
}

/** The teaching notes for one command's structured result (empty when there is nothing useful to say). */
export function explainResult(command: string, data: ResultData): string[] {
  switch (data.type) {
    case 'exceptionRecord':
      return exceptionRecordNotes(data);
    case 'registers':
      return registerNotes(data);
    case 'stack':
      return stackNotes(data);
    case 'threads':
      return threadNotes(data);
    case 'threadSelected':
      return [`${NOTE}Thread ${String(data['index'])} is now the current thread: k and r show it (any .ecxr context was dropped).`];
    case 'modules':
      return moduleNotes(data);
    case 'vertarget':
      return vertargetNotes(data);
    case 'memory':
      return memoryNotes(data);
    case 'lastevent':
      return lasteventNotes(data);
    case 'disassembly':
      return [`${NOTE}Columns: address, the instruction's bytes, then the instruction. In "mov rax,qword ptr [rcx+10h]" the value at address rcx+0x10 is read into rax.`];
    case 'nearestSymbols':
      return [`${NOTE}ln names the symbols just before and after an address; "+0x1a" is how far into the function the address is.`];
    case 'frame':
      return [`${NOTE}The frame is now current: r and u show that frame's registers and code.`];
    case 'peb':
      return [`${NOTE}The PEB (process environment block) holds what the whole process shares: the loaded-module lists (Ldr), the process heap, the command line, current directory and environment.`];
    case 'teb':
      return [`${NOTE}The TEB (thread environment block) is per thread: its stack base and limit, its last error value (LastErrorValue, what GetLastError returns) and its PEB.`];
    case 'gle':
      return [`${NOTE}!gle shows the thread's last Win32 error (what GetLastError would return) and the last NTSTATUS; they are left over from the last call that failed, not necessarily related to the crash.`];
    case 'handles':
      return [`${NOTE}Each handle is an index into the process's handle table with the type of kernel object it refers to; a dump has this only when it was written with handle data.`];
    case 'evaluate':
      return [`${NOTE}? evaluates a MASM expression: numbers are hex unless prefixed 0n (decimal), @rax reads a register, poi(addr) reads a pointer.`];
    case 'time':
      return [`${NOTE}Debug session time is when the dump was written, in the dump's time zone; the uptimes come from the dump's MiscInfo stream when present.`];
    case 'analyze':
      // !analyze writes its own notes.
      return [];
    default:
      void command;
      return [];
  }
}
