/**
 * `!handle` (windbg-commands.md §11.1) over the dump's HandleDataStream (A.11):
 * per-handle lines, the "N Handles / Type Count" summary, and with flags the
 * attributes, granted access (decoded), counts, name and the object-specific
 * information of MINIDUMP_HANDLE_DESCRIPTOR_2's object-information chain.
 */
import type { CommandSpec } from '../../src/interpreter/command.js';
import { CommandError, requireTarget } from '../../src/interpreter/command.js';
import type { MinidumpHandle } from '../../src/formats/minidump/types.js';
import type { Target } from '../../src/session/target.js';
import { hexMin, hexN } from '../../src/results/hex.js';
import { fail, ok } from '../../src/results/types.js';
import { evalPrefix } from '../common/expr.js';

/** HandleDataStream's stream type number. */
const HANDLE_DATA_STREAM = 12;

/**
 * The rows of `!handle`'s summary, in order. uext counts handles in a fixed
 * table of object types: `None` first (handles without a type name and, as
 * WinDbg transcripts show for `IRTimer`, types missing from its table), then
 * the documented TypeName list, then the types added since Windows 8.
 */
export const HANDLE_TYPE_ORDER = [
  'None', 'Event', 'Section', 'File', 'Port', 'Directory', 'SymbolicLink', 'Mutant', 'WindowStation', 'Semaphore',
  'Key', 'Token', 'Process', 'Thread', 'Desktop', 'IoCompletion', 'Timer', 'Job', 'WaitablePort',
  'TpWorkerFactory', 'ALPC Port', 'WaitCompletionPacket',
];

/** Standard access rights (winnt.h), as `!handle` names them on the first GrantedAccess line. */
const STANDARD_RIGHTS: [number, string][] = [
  [0x10000, 'Delete'],
  [0x20000, 'ReadControl'],
  [0x40000, 'WriteDac'],
  [0x80000, 'WriteOwner'],
  [0x100000, 'Synch'],
];

/** Object-type-specific rights (winnt.h / ntifs.h), low 16 bits. */
const SPECIFIC_RIGHTS: Record<string, [number, string][]> = {
  Event: [[0x1, 'QueryState'], [0x2, 'ModifyState']],
  Mutant: [[0x1, 'QueryState']],
  Semaphore: [[0x1, 'QueryState'], [0x2, 'ModifyState']],
  Timer: [[0x1, 'QueryState'], [0x2, 'ModifyState']],
  IoCompletion: [[0x1, 'QueryState'], [0x2, 'ModifyState']],
  Section: [[0x1, 'Query'], [0x2, 'MapWrite'], [0x4, 'MapRead'], [0x8, 'MapExecute'], [0x10, 'ExtendSize'], [0x20, 'MapExecuteExplicit']],
  File: [[0x1, 'Read/List'], [0x2, 'Write/Add'], [0x4, 'Append/SubDir/CreatePipe'], [0x8, 'ReadEA'], [0x10, 'WriteEA'], [0x20, 'Execute/Traverse'], [0x40, 'DeleteChild'], [0x80, 'ReadAttr'], [0x100, 'WriteAttr']],
  Key: [[0x1, 'QueryValue'], [0x2, 'SetValue'], [0x4, 'CreateSubKey'], [0x8, 'EnumSubKey'], [0x10, 'Notify'], [0x20, 'CreateLink']],
  Directory: [[0x1, 'Query'], [0x2, 'Traverse'], [0x4, 'Create'], [0x8, 'CreateSubdir']],
  SymbolicLink: [[0x1, 'Query']],
  Thread: [[0x1, 'Terminate'], [0x2, 'Suspend'], [0x4, 'Alert'], [0x8, 'GetContext'], [0x10, 'SetContext'], [0x20, 'SetInfo'], [0x40, 'QueryInfo'], [0x80, 'SetToken'], [0x100, 'Impersonate'], [0x200, 'DirectImpersonate']],
  Process: [[0x1, 'Terminate'], [0x2, 'CreateThread'], [0x4, 'SetSessionId'], [0x8, 'VMOp'], [0x10, 'VMRead'], [0x20, 'VMWrite'], [0x40, 'DupHandle'], [0x80, 'CreateProcess'], [0x100, 'SetQuota'], [0x200, 'SetInfo'], [0x400, 'QueryInfo'], [0x800, 'SuspendResume'], [0x1000, 'QueryLimitedInfo'], [0x2000, 'SetLimitedInfo']],
  Token: [[0x1, 'AssignAsPrimary'], [0x2, 'Duplicate'], [0x4, 'Impersonate'], [0x8, 'Query'], [0x10, 'QuerySource'], [0x20, 'AdjustPrivileges'], [0x40, 'AdjustGroups'], [0x80, 'AdjustDefault'], [0x100, 'AdjustSessionId']],
  Job: [[0x1, 'AssignProcess'], [0x2, 'SetAttributes'], [0x4, 'Query'], [0x8, 'Terminate'], [0x10, 'SetSecurityAttributes']],
};

/**
 * The GrantedAccess value and its decoded lines: the standard rights (`None`
 * when there are none, as in `!handle` transcripts of key handles), then the
 * type-specific ones uext knows (it names only these bits: a thread's
 * 0x1fffff lists Terminate .. DirectImpersonate).
 */
export function grantedAccessLines(typeName: string, access: number): string[] {
  const lines = [`  GrantedAccess\t0x${access.toString(16)}:`];
  const std = STANDARD_RIGHTS.filter(([bit]) => (access & bit) !== 0).map(([, n]) => n);
  const specific = (SPECIFIC_RIGHTS[typeName] ?? []).filter(([bit]) => (access & bit) !== 0).map(([, n]) => n);
  lines.push(`         ${std.length ? std.join(',') : 'None'}`);
  if (specific.length) lines.push(`         ${specific.join(',')}`);
  return lines;
}

/** MINIDUMP_HANDLE_OBJECT_INFORMATION_TYPE values (A.11). */
const INFO = { thread1: 1, mutant1: 2, mutant2: 3, process1: 4, process2: 5, event1: 6, section1: 7, semaphore1: 8 } as const;

/** Decoded object-specific information, plus the lines `!handle` prints for it. */
export interface ObjectInfo {
  lines: string[];
  fields: Record<string, unknown>;
}

/**
 * Decodes the object-information chain. dbghelp stores the result of the
 * matching NtQuery* call: EVENT_BASIC_INFORMATION, MUTANT_BASIC_INFORMATION,
 * MUTANT_OWNER_INFORMATION (a CLIENT_ID), SEMAPHORE_BASIC_INFORMATION,
 * SECTION_BASIC_INFORMATION, THREAD_BASIC_INFORMATION and
 * PROCESS_BASIC_INFORMATION; pointer-sized members follow the dumped process's
 * bitness, told apart here by the payload's size.
 */
export function decodeObjectInfo(h: MinidumpHandle): ObjectInfo {
  const lines: string[] = [];
  const fields: Record<string, unknown> = {};
  for (const { infoType, data } of h.objectInfo) {
    const u32 = (o: number) => (o + 4 <= data.length ? data.readUInt32LE(o) : undefined);
    const i32 = (o: number) => (o + 4 <= data.length ? data.readInt32LE(o) : undefined);
    const ptrOf = (o: number, size: number) => (o + size <= data.length ? (size === 8 ? data.readBigUInt64LE(o) : BigInt(data.readUInt32LE(o))) : undefined);
    switch (infoType) {
      case INFO.event1: {
        // EVENT_BASIC_INFORMATION { EVENT_TYPE EventType (0 Notification = manual reset, 1 Synchronization = auto reset); LONG EventState }
        const type = u32(0);
        const state = i32(4);
        if (type !== undefined) lines.push(`    Event Type ${type === 0 ? 'Manual Reset' : 'Auto Reset'}`);
        if (state !== undefined) lines.push(`    Event is ${state ? 'Set' : 'Waiting'}`);
        Object.assign(fields, { eventType: type === 0 ? 'ManualReset' : type === 1 ? 'AutoReset' : type, eventSet: state === undefined ? undefined : state !== 0 });
        break;
      }
      case INFO.mutant1: {
        // MUTANT_BASIC_INFORMATION { LONG CurrentCount; BOOLEAN OwnedByCaller; BOOLEAN AbandonedState }
        const count = i32(0);
        if (count !== undefined) {
          // A mutant is free when its count is 1; each acquisition decrements it.
          lines.push(`    Mutex is ${count > 0 ? 'Free' : 'Owned'}`);
          fields['mutantCurrentCount'] = count;
          fields['mutantOwned'] = count <= 0;
        }
        if (data.length >= 6) {
          fields['ownedByCaller'] = data[4] !== 0;
          fields['abandoned'] = data[5] !== 0;
          if (data[5]) lines.push('    Mutex is Abandoned');
        }
        break;
      }
      case INFO.mutant2: {
        // MUTANT_OWNER_INFORMATION { CLIENT_ID ClientId } = { UniqueProcess, UniqueThread } pointers.
        const size = data.length >= 16 ? 8 : 4;
        const pid = ptrOf(0, size);
        const tid = ptrOf(size, size);
        if (pid !== undefined && tid !== undefined) {
          // Printed for free mutexes too (`Mutant Owner 0.0`).
          lines.push(`    Mutant Owner ${hexMin(pid)}.${hexMin(tid)}`);
          fields['ownerProcessId'] = pid;
          fields['ownerThreadId'] = tid;
        }
        break;
      }
      case INFO.semaphore1: {
        // SEMAPHORE_BASIC_INFORMATION { LONG CurrentCount; LONG MaximumCount }
        const cur = i32(0);
        const max = i32(4);
        if (cur !== undefined) lines.push(`    Semaphore Count ${cur}`);
        if (max !== undefined) lines.push(`    Semaphore Limit ${max}`);
        Object.assign(fields, { semaphoreCount: cur, semaphoreLimit: max });
        break;
      }
      case INFO.section1: {
        // SECTION_BASIC_INFORMATION { PVOID BaseAddress; ULONG AllocationAttributes; LARGE_INTEGER MaximumSize }
        const size = data.length >= 24 ? 8 : 4;
        const base = ptrOf(0, size);
        const attrs = u32(size);
        const maxOff = size === 8 ? 16 : 8;
        const max = maxOff + 8 <= data.length ? data.readBigUInt64LE(maxOff) : undefined;
        if (base !== undefined) lines.push(`    Section base address ${hexMin(base)}`);
        if (attrs !== undefined) lines.push(`    Section attributes ${hexMin(attrs)}`);
        if (max !== undefined) lines.push(`    Section max size ${hexMin(max)}`);
        Object.assign(fields, { sectionBase: base, sectionAttributes: attrs, sectionMaximumSize: max });
        break;
      }
      case INFO.thread1: {
        // THREAD_BASIC_INFORMATION { NTSTATUS ExitStatus; PVOID TebBaseAddress; CLIENT_ID ClientId; KAFFINITY AffinityMask; KPRIORITY Priority; KPRIORITY BasePriority }
        const size = data.length >= 48 ? 8 : 4;
        const teb = ptrOf(size, size);
        const pid = ptrOf(size * 2, size);
        const tid = ptrOf(size * 3, size);
        const prio = i32(size * 5);
        const basePrio = i32(size * 5 + 4);
        if (pid !== undefined && tid !== undefined) lines.push(`    Thread Id   ${hexMin(pid)}.${hexMin(tid)}`);
        if (prio !== undefined) lines.push(`    Priority    ${prio}`);
        if (basePrio !== undefined) lines.push(`    Base Priority ${basePrio}`);
        Object.assign(fields, { exitStatus: u32(0), teb, processId: pid, threadId: tid, priority: prio, basePriority: basePrio });
        break;
      }
      case INFO.process1: {
        // PROCESS_BASIC_INFORMATION { NTSTATUS ExitStatus; PPEB PebBaseAddress; KAFFINITY AffinityMask; KPRIORITY BasePriority; ULONG_PTR UniqueProcessId; ULONG_PTR InheritedFromUniqueProcessId }
        const size = data.length >= 48 ? 8 : 4;
        const peb = ptrOf(size, size);
        const basePrio = i32(size * 3);
        const pid = ptrOf(size * 4, size);
        const parent = ptrOf(size * 5, size);
        if (pid !== undefined) lines.push(`    Process Id  ${pid}`);
        if (parent !== undefined) lines.push(`    Parent Process  ${parent}`);
        if (basePrio !== undefined) lines.push(`    Base Priority ${basePrio}`);
        Object.assign(fields, { exitStatus: u32(0), peb, processId: pid, parentProcessId: parent, basePriority: basePrio });
        break;
      }
      default:
        fields[`info${infoType}`] = data.toString('hex');
    }
  }
  return { lines, fields };
}

function handleText(h: bigint, ptrSize: number): string {
  // Modern debuggers pad to the pointer width (`Handle 00000000000001e3`, x86 `Handle 000005bc`);
  // the short form (`Handle 1cc`) is from older builds.
  return hexN(ptrSize === 8 ? h : h & 0xffffffffn, ptrSize * 2);
}

/** The lines for one handle with the `!handle` flag bits: 1 type, 2 basic, 4 name, 8 object-specific. */
export function handleLines(h: MinidumpHandle, flags: number, ptrSize: number): string[] {
  const lines = [`Handle ${handleText(h.handle, ptrSize)}`];
  if (flags & 1) lines.push(`  Type         \t${h.typeName}`);
  if (flags & 2) {
    lines.push(`  Attributes   \t${h.attributes.toString(16)}`);
    lines.push(...grantedAccessLines(h.typeName, h.grantedAccess));
    lines.push(`  HandleCount  \t${h.handleCount}`);
    lines.push(`  PointerCount \t${h.pointerCount}`);
  }
  if (flags & 4) lines.push(`  Name         \t${h.objectName || '<none>'}`);
  if (flags & 8) {
    const info = decodeObjectInfo(h);
    if (info.lines.length) lines.push('  Object specific information', ...info.lines);
    else if (h.objectInfo.length === 0) lines.push('  No object specific information available');
  }
  return lines;
}

/** `N Handles` then `Type <tab> Count` rows in uext's type order; unnamed and unknown types count as None. */
export function summaryLines(handles: MinidumpHandle[]): { lines: string[]; counts: [string, number][] } {
  const counts = new Map<string, number>();
  for (const h of handles) {
    const name = HANDLE_TYPE_ORDER.includes(h.typeName) ? h.typeName : 'None';
    counts.set(name, (counts.get(name) ?? 0) + 1);
  }
  const ordered: [string, number][] = HANDLE_TYPE_ORDER.filter((n) => counts.has(n)).map((n) => [n, counts.get(n) ?? 0]);
  const lines = [`${handles.length} Handles`, `Type           \tCount`, ...ordered.map(([n, c]) => `${n.padEnd(15)}\t${c}`)];
  return { lines, counts: ordered };
}

/** What `!handle` says when the dump has no HandleDataStream. */
export function missingHandleStream(): string {
  return `!handle needs the HandleData stream (${HANDLE_DATA_STREAM}), which this dump does not have (it was written without MiniDumpWithHandleData; procdump -ma and .dump /ma include it).`;
}

function handleData(h: MinidumpHandle): Record<string, unknown> {
  return {
    handle: h.handle,
    typeName: h.typeName,
    objectName: h.objectName,
    attributes: h.attributes,
    grantedAccess: h.grantedAccess,
    handleCount: h.handleCount,
    pointerCount: h.pointerCount,
    objectInfo: decodeObjectInfo(h).fields,
  };
}

export function runHandle(t: Target, args: string, raw: string) {
  if (!t.dump.streamEntry(HANDLE_DATA_STREAM)) return fail([missingHandleStream()], { type: 'handles', available: false });
  const handles = t.dump.handles();
  let handle = 0n;
  let flags: number | undefined;
  let typeName: string | undefined;
  let rest = args.trim();
  if (rest === '-?') return ok(['!handle [<handle> [<flags> [<type>]]]', '  <handle> - handle value, 0 or -1 for all', '  <flags> - 1 type, 2 basic info, 4 name, 8 object-specific info (f: all)', '  <type> - only handles of this object type: Event, File, Key, Mutant, ...']);
  if (rest) {
    const h = evalPrefix(t, rest, raw);
    handle = h.value;
    rest = h.rest;
  }
  if (rest) {
    const f = evalPrefix(t, rest, raw);
    flags = Number(f.value & 0xffn);
    rest = f.rest;
  }
  if (rest) {
    typeName = rest.split(/\s+/)[0];
    if (rest.split(/\s+/).length > 1) throw new CommandError(`       ^ Extra character error in '${raw}'`);
  }
  const p = t.pointerSize;
  const all = handle === 0n || handle === (1n << 64n) - 1n;
  if (!all) {
    const h = handles.find((x) => x.handle === handle);
    if (!h) return fail([`Handle ${handleText(handle, p)} is not in the dump's handle data (${handles.length} handles).`], { type: 'handles', handle, found: false });
    return ok(handleLines(h, flags ?? 1, p), { type: 'handles', handles: [handleData(h)] });
  }
  // The type name matches case-insensitively (a transcript's `!handle 0 f mutant` lists Mutant handles and
  // ends `2 handles of type Mutant`), though the documentation calls it case-sensitive.
  const want = typeName?.toLowerCase();
  const selected = want === undefined ? handles : handles.filter((h) => h.typeName.toLowerCase() === want);
  const lines: string[] = [];
  for (const h of selected) lines.push(...handleLines(h, flags ?? 1, p));
  if (typeName !== undefined) {
    lines.push(`${selected.length} handles of type ${selected[0]?.typeName ?? typeName}`);
    return ok(lines, { type: 'handles', typeFilter: typeName, handles: selected.map(handleData) });
  }
  const s = summaryLines(selected);
  lines.push(...s.lines);
  return ok(lines, { type: 'handles', handles: selected.map(handleData), counts: Object.fromEntries(s.counts) });
}

export const handleCommand: CommandSpec = {
  name: '!handle',
  group: 'extension',
  syntax: '!handle [Handle [Flags [TypeName]]]',
  summary: 'Handles open in the process (from the dump\'s HandleData stream): type, access, counts, name, object details',
  help: 'Handle 0 or omitted = all. Flags: 1 type, 2 attributes/access/counts, 4 name, 8 object-specific (f = all).\nTypeName: Event, File, Key, Mutant, Section, Semaphore, Thread, Process, Token, ... (any case).\nNeeds a dump written with handle data (procdump -ma, .dump /ma or /mh).',
  examples: ['!handle', '!handle 0 f', '!handle 0 f Mutant', '!handle 4 f'],
  run(ctx, inv) {
    return runHandle(requireTarget(ctx), inv.args, inv.raw);
  },
};
