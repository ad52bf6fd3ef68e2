import t from 'tap';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  accessViolationKind,
  analyzeErrorCodeText,
  describeError,
  errorLine,
  exceptionCodeHex,
  exceptionCodeString,
  exceptionName,
  exceptionRecordTrailer,
  fastFailName,
  hexAlt,
  hresultMessage,
  hresultName,
  lastErrorValueText,
  lastStatusValueText,
  lookupHresult,
  lookupNtStatus,
  lookupWin32Error,
  ntStatusName,
  tableSizes,
  win32ErrorMessage,
  win32ErrorName,
} from '../../src/analysis/codes/index.js';
import { ntstatusEntries } from '../../src/analysis/codes/ntstatus-table.js';
import { win32ErrorEntries, hresultEntries } from '../../src/analysis/codes/winerror-table.js';
import { fastFailEntries } from '../../src/analysis/codes/fast-fail-table.js';

const NTSTATUS_ENTRIES = ntstatusEntries();
const WIN32_ERROR_ENTRIES = win32ErrorEntries();
const HRESULT_ENTRIES = hresultEntries();
const FAST_FAIL_ENTRIES = fastFailEntries();

const repoRoot = resolve(fileURLToPath(new URL('../..', import.meta.url)));
const codesDir = join(repoRoot, 'src', 'analysis', 'codes');
const generator = join(codesDir, 'gen', 'generate-tables.mjs');
const MINGW_INCLUDE = '/usr/share/mingw-w64/include';
const TABLE_FILES = ['ntstatus-table.ts', 'winerror-table.ts', 'fast-fail-table.ts'];

t.test('NTSTATUS names', async (t) => {
  t.equal(ntStatusName(0xc0000005), 'STATUS_ACCESS_VIOLATION');
  t.equal(ntStatusName(-1073741819), 'STATUS_ACCESS_VIOLATION', 'negative int32 form accepted');
  t.equal(ntStatusName(0x80000003), 'STATUS_BREAKPOINT');
  t.equal(ntStatusName(0xc0000409), 'STATUS_STACK_BUFFER_OVERRUN');
  t.equal(ntStatusName(0xc00000fd), 'STATUS_STACK_OVERFLOW');
  t.equal(ntStatusName(0xc0000374), 'STATUS_HEAP_CORRUPTION');
  t.equal(ntStatusName(0x40010005), 'DBG_CONTROL_C');
  t.equal(ntStatusName(0x4000001f), 'STATUS_WX86_BREAKPOINT');
  t.equal(ntStatusName(0x40000003), 'STATUS_IMAGE_NOT_AT_BASE', 'a real code whose name ends in _BASE is kept');
  t.equal(ntStatusName(0xe06d7363), undefined);
  t.equal(ntStatusName(1.5), undefined);
  t.equal(ntStatusName(2 ** 33), undefined);
  const success = lookupNtStatus(0);
  t.equal(success?.name, 'STATUS_SUCCESS', 'first definition is canonical');
  t.same(success?.aliases, ['STATUS_WAIT_0'], 'later definitions with the same value become aliases');
  t.equal(lookupNtStatus(0xc0000005)?.message, 'The instruction at 0x%p referenced memory at 0x%p. The memory could not be %s.');
});

t.test('Win32 error names and messages', async (t) => {
  t.equal(win32ErrorName(2), 'ERROR_FILE_NOT_FOUND');
  t.equal(win32ErrorMessage(2), 'The system cannot find the file specified.');
  t.equal(win32ErrorName(5), 'ERROR_ACCESS_DENIED');
  t.equal(win32ErrorName(87), 'ERROR_INVALID_PARAMETER');
  t.equal(win32ErrorName(10054), 'WSAECONNRESET', '(WSABASEERR + 54) evaluated');
  t.equal(win32ErrorName(9505), 'DNS_ERROR_UNSECURE_PACKET');
  const zero = lookupWin32Error(0);
  t.equal(zero?.name, 'ERROR_SUCCESS');
  t.ok(zero?.aliases.includes('NO_ERROR'));
  t.same(lookupWin32Error(14)?.aliases, ['DNS_ERROR_NO_MEMORY'], 'alias defined by name is resolved');
  t.equal(win32ErrorName(0x10000), undefined, 'Win32 table holds 16-bit codes only');
});

t.test('HRESULT names', async (t) => {
  t.equal(hresultName(0x80004003), 'E_POINTER');
  t.equal(hresultMessage(0x80004003), 'Invalid pointer');
  t.equal(hresultName(0x80004005), 'E_FAIL');
  t.equal(hresultName(0x80070005), 'E_ACCESSDENIED');
  t.equal(hresultMessage(0x80070005), 'Access is denied.', 'FACILITY_WIN32 HRESULT takes the Win32 text');
  t.equal(hresultName(0x8007007a), 'E_NOT_SUFFICIENT_BUFFER', 'HRESULT_FROM_WIN32(ERROR_INSUFFICIENT_BUFFER) evaluated');
  t.equal(hresultName(0x80070002), 'HRESULT_FROM_WIN32(ERROR_FILE_NOT_FOUND)');
  t.equal(hresultName(0xd0000005), 'HRESULT_FROM_NT(STATUS_ACCESS_VIOLATION)');
  t.equal(lookupHresult(0)?.name, 'S_OK');
  t.equal(hresultName(1), 'S_FALSE');
  t.equal(hresultName(0x80090302), 'SEC_E_UNSUPPORTED_FUNCTION');
  t.ok(lookupHresult(0x80090302)?.aliases.includes('SEC_E_NOT_SUPPORTED'));
  t.equal(hresultName(0x8032001f), 'FWP_E_INVALID_NET_MASK');
});

t.test('FAST_FAIL codes', async (t) => {
  t.equal(fastFailName(7), 'FAST_FAIL_FATAL_APP_EXIT');
  t.equal(fastFailName(0), 'FAST_FAIL_LEGACY_GS_VIOLATION');
  t.equal(fastFailName(10), 'FAST_FAIL_GUARD_ICALL_CHECK_FAILURE');
  t.equal(fastFailName(44), 'FAST_FAIL_GUARD_SS_FAILURE');
  t.equal(fastFailName(76), 'FAST_FAIL_INVALID_EXTENDED_STATE');
  t.equal(fastFailName(0xffffffff), 'FAST_FAIL_INVALID_FAST_FAIL_CODE');
  t.equal(fastFailName(15), undefined, '15..17 are unassigned');
});

t.test('table sizes and ordering', async (t) => {
  const sizes = tableSizes();
  // mingw-w64-common 10.0.0: ntstatus.h has 1,797 typed STATUS/DBG defines (1,794 distinct values);
  // winerror.h ~2,090 distinct Win32 codes and ~1,380 HRESULTs.
  t.ok(sizes.ntstatus > 1700, `NTSTATUS entries: ${sizes.ntstatus}`);
  t.ok(sizes.win32 > 2000, `Win32 entries: ${sizes.win32}`);
  t.ok(sizes.hresult > 1300, `HRESULT entries: ${sizes.hresult}`);
  t.ok(sizes.fastFail >= 75, `FAST_FAIL entries: ${sizes.fastFail}`);
  for (const [label, table] of [
    ['ntstatus', NTSTATUS_ENTRIES],
    ['win32', WIN32_ERROR_ENTRIES],
    ['hresult', HRESULT_ENTRIES],
    ['fastfail', FAST_FAIL_ENTRIES],
  ] as const) {
    let sorted = true;
    for (let i = 1; i < table.length; i++) if (!(table[i]![0] > table[i - 1]![0])) sorted = false;
    t.ok(sorted, `${label} strictly ascending (unique values)`);
    t.ok(table.every(([v]) => Number.isInteger(v) && v >= 0 && v <= 0xffffffff), `${label} values are u32`);
  }
  t.ok(WIN32_ERROR_ENTRIES.every(([v]) => v <= 0xffff), 'Win32 codes fit in 16 bits');
});

t.test('describeError / !error lines (windbg-commands.md 2.7)', async (t) => {
  t.equal(errorLine(2), 'Error code: (Win32) 0x2 (2) - The system cannot find the file specified.');
  t.equal(
    errorLine(0xc0000005),
    'Error code: (NTSTATUS) 0xc0000005 (3221225477) - The instruction at 0x%p referenced memory at 0x%p. The memory could not be %s.',
  );
  t.equal(errorLine(0x80070005), 'Error code: (HRESULT) 0x80070005 (2147942405) - Access is denied.');
  t.equal(errorLine(2, { ntstatus: true }), 'Error code: (NTSTATUS) 0x2 - STATUS_WAIT_2');
  t.equal(errorLine(0x80004003), 'Error code: (HRESULT) 0x80004003 (2147500035) - Invalid pointer');
  t.equal(errorLine(0x80000003), 'Error code: (NTSTATUS) 0x80000003 (2147483651) - {EXCEPTION}  Breakpoint  A breakpoint has been reached.',
    '0x8… without an HRESULT name falls back to NTSTATUS');

  const d = describeError(0x80070005);
  t.equal(d[0]?.kind, 'HRESULT');
  t.equal(d[0]?.name, 'E_ACCESSDENIED');
  t.same(d[0]?.wraps, { kind: 'Win32', value: 5, name: 'ERROR_ACCESS_DENIED' });

  const nt = describeError(0xc0000005);
  t.equal(nt[0]?.kind, 'NTSTATUS');
  t.equal(nt[0]?.name, 'STATUS_ACCESS_VIOLATION');

  const small = describeError(2);
  t.same(small.map((x) => x.kind), ['Win32', 'NTSTATUS'], 'small value: Win32 first, NTSTATUS reading too');
  t.equal(small[1]?.name, 'STATUS_WAIT_2');
  t.same(describeError(5).map((x) => x.kind), ['Win32'], 'readings without a name are left out');

  const fromNt = describeError(0xd0000094);
  t.equal(fromNt[0]?.kind, 'HRESULT');
  t.equal(fromNt[0]?.name, 'HRESULT_FROM_NT(STATUS_INTEGER_DIVIDE_BY_ZERO)');
  t.equal(fromNt[0]?.message, '{EXCEPTION}  Integer division by zero.');

  const unknown = describeError(0xe06d7363);
  t.equal(unknown.length, 1);
  t.equal(unknown[0]?.kind, 'NTSTATUS');
  t.equal(errorLine(0xe06d7363), 'Error code: (NTSTATUS) 0xe06d7363 (3765269347) - <Unable to get error code text>');
  t.same(describeError(Number.NaN), []);
  t.same(describeError(-1.5), []);
});

t.test('!gle and !analyze fragments', async (t) => {
  t.equal(lastErrorValueText(87), '(Win32) 0x57 (87) - The parameter is incorrect.');
  t.equal(lastErrorValueText(0), '(Win32) 0 (0) - The operation completed successfully.');
  t.equal(lastStatusValueText(0xc0000045), '(NTSTATUS) 0xc0000045 - The specified page protection was not valid.');
  t.equal(lastStatusValueText(0), '(NTSTATUS) 0 - STATUS_SUCCESS');
  t.equal(
    analyzeErrorCodeText(0xc0000005),
    '(NTSTATUS) 0xc0000005 - The instruction at 0x%p referenced memory at 0x%p. The memory could not be %s.',
  );
  t.equal(analyzeErrorCodeText(0xe0434352), '(NTSTATUS) 0xe0434352 - <Unable to get error code text>');
  t.equal(hexAlt(0), '0');
  t.equal(hexAlt(-1), '0xffffffff');
});

t.test('exception names (windbg-commands.md 1)', async (t) => {
  t.equal(exceptionName(0xc0000005), 'Access violation');
  t.equal(exceptionName(0x80000003), 'Break instruction exception');
  t.equal(exceptionName(0x80000004), 'Single step exception');
  t.equal(exceptionName(0xc0000094), 'Integer divide-by-zero');
  t.equal(exceptionName(0xc00000fd), 'Stack overflow');
  t.equal(exceptionName(0xc000001d), 'Illegal instruction');
  t.equal(exceptionName(0xc0000409), 'Security check failure or stack buffer overrun');
  t.equal(exceptionName(0xe06d7363), 'C++ EH exception');
  t.equal(exceptionName(0xe0434352), 'CLR exception');
  t.equal(exceptionName(0x40010005), 'Control-C exception');
  t.equal(exceptionName(0x4000001f), 'WOW64 breakpoint');
  for (const unknown of [0xc0000374, 0x8898008d, 0]) t.equal(exceptionName(unknown), 'Unknown exception');

  // The value-keyed names agree with the header names of the same codes.
  const expect: [number, string][] = [
    [0xc0000420, 'STATUS_ASSERTION_FAILURE'],
    [0x80000002, 'STATUS_DATATYPE_MISALIGNMENT'],
    [0x40010009, 'DBG_COMMAND_EXCEPTION'],
    [0x80000001, 'STATUS_GUARD_PAGE_VIOLATION'],
    [0xc0000006, 'STATUS_IN_PAGE_ERROR'],
    [0xc0000095, 'STATUS_INTEGER_OVERFLOW'],
    [0xc0000008, 'STATUS_INVALID_HANDLE'],
    [0xc000001e, 'STATUS_INVALID_LOCK_SEQUENCE'],
    [0xc000001c, 'STATUS_INVALID_SYSTEM_SERVICE'],
    [0xc0000037, 'STATUS_PORT_DISCONNECTED'],
    [0xc0000421, 'STATUS_VERIFIER_STOP'],
    [0x80000007, 'STATUS_WAKE_SYSTEM_DEBUGGER'],
    [0x40010008, 'DBG_CONTROL_BREAK'],
  ];
  for (const [code, name] of expect) {
    t.equal(ntStatusName(code), name);
    t.not(exceptionName(code), 'Unknown exception', `${name} has an event name`);
  }

  t.equal(exceptionCodeHex(0xc0000005), 'c0000005');
  t.equal(exceptionCodeHex(0x80000003), '80000003');
  t.equal(exceptionCodeHex(0x517a7ed), '0517a7ed');
  t.equal(exceptionCodeString(0xc0000005), 'STATUS_ACCESS_VIOLATION');
  t.equal(exceptionCodeString(0xe06d7363), '0xE06D7363');
});

t.test('.exr parameter decoding', async (t) => {
  t.equal(accessViolationKind(0), 'read');
  t.equal(accessViolationKind(1n), 'write');
  t.equal(accessViolationKind(8), 'execute');
  t.equal(accessViolationKind(2), undefined);
  t.same(exceptionRecordTrailer(0xc0000005, [0n, 0x38n], 8), ['Attempt to read from address 0000000000000038']);
  t.same(exceptionRecordTrailer(0xc0000005, [1n, 0x1234n], 4), ['Attempt to write to address 00001234']);
  t.same(exceptionRecordTrailer(0xc0000005, [8n, 0x7ff719493489n], 8), [
    'Attempt to execute non-executable address 00007ff719493489',
  ]);
  t.same(exceptionRecordTrailer(0xc0000409, [7n], 8), ['Subcode: 0x7 FAST_FAIL_FATAL_APP_EXIT']);
  t.same(exceptionRecordTrailer(0xc0000409, [0x99n], 8), ['Subcode: 0x99']);
  t.same(exceptionRecordTrailer(0xc0000409, [], 8), [], 'legacy GS failure without parameters');
  t.same(exceptionRecordTrailer(0xc0000005, [0n], 8), [], 'too few parameters');
  t.same(exceptionRecordTrailer(0xe06d7363, [0x19930520n, 1n, 2n, 3n], 8), []);
});

function mingwVersion(): string | undefined {
  try {
    return execFileSync('dpkg-query', ['-W', '-f=${Version}', 'mingw-w64-common'], { encoding: 'utf8' }).trim();
  } catch {
    return undefined;
  }
}

const checkedInVersion = /mingw-w64-common (\S+):/.exec(readFileSync(join(codesDir, 'ntstatus-table.ts'), 'utf8'))?.[1];

function driftSkipReason(): string | false {
  const headersPresent = ['ntstatus.h', 'winerror.h', 'winnt.h'].every((f) => existsSync(join(MINGW_INCLUDE, f)));
  if (!headersPresent) return 'mingw-w64 headers not installed (apt-get install mingw-w64-common)';
  const installed = mingwVersion();
  if (installed !== undefined && installed !== checkedInVersion) {
    return `installed mingw-w64-common ${installed} differs from the tables' ${checkedInVersion}: re-run the generator`;
  }
  return false;
}

t.test('checked-in tables equal the generator output', { skip: driftSkipReason() }, async (t) => {
  const version = checkedInVersion;
  t.ok(version, 'checked-in table names its package version');
  const out = mkdtempSync(join(tmpdir(), 'codes-gen-'));
  t.teardown(() => rmSync(out, { recursive: true, force: true }));
  execFileSync(process.execPath, [generator, '--include', MINGW_INCLUDE, '--out', out, '--package-version', version!], {
    encoding: 'utf8',
  });
  for (const f of TABLE_FILES) {
    const fresh = readFileSync(join(out, f), 'utf8');
    const committed = readFileSync(join(codesDir, f), 'utf8');
    t.ok(fresh === committed, `${f} is up to date (${fresh.length} chars)`);
  }
});

t.test('generator: macro forms and MessageText blocks (synthetic headers)', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'codes-hdr-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(
    join(dir, 'ntstatus.h'),
    [
      '#define FACILITY_DEBUGGER 0x1',
      '//',
      '// MessageId: STATUS_FOO',
      '//',
      '// MessageText:',
      '//',
      '// {EXCEPTION}',
      '// Foo happened.',
      '//',
      '#define STATUS_FOO ((NTSTATUS)0xC0001234L)',
      '#define STATUS_FOO_ALIAS STATUS_FOO',
      '#define NDIS_STATUS_BAR _NDIS_ERROR_TYPEDEF_(0xC0235555L)',
      '#define STATUS_IMAGE_AT_BASE ((NTSTATUS)0x40000999)',
    ].join('\n'),
  );
  writeFileSync(
    join(dir, 'winerror.h'),
    [
      '#define FACILITY_WIN32 7',
      '// MessageId: ERROR_FIVE',
      '// MessageText:',
      '//',
      '//  Five went wrong.',
      '//',
      '#define ERROR_FIVE 5L',
      '#define ERROR_SIX __MSABI_LONG(6)',
      '#define XBASEERR 100',
      '#define XERR_ONE (XBASEERR + 1)',
      '#define E_SEVEN _HRESULT_TYPEDEF_(0x80070007L)',
      '#define E_FIVE HRESULT_FROM_WIN32(ERROR_FIVE)',
      '#define E_NTFOO HRESULT_FROM_NT(0xC0001234)',
      '#define S_TYPED ((HRESULT)0x00000002)',
      '#define WIDE_PLAIN __MSABI_LONG(0xC0090001)',
      '#define RANGE_E_FIRST __MSABI_LONG(0x80041000)',
      '#define SOME_BASE 9000',
      '#define NOT_A_CODE "text"',
      '#define MACRO(x) ((x) + 1)',
    ].join('\n'),
  );
  writeFileSync(join(dir, 'winnt.h'), '#define FAST_FAIL_FATAL_APP_EXIT 7\n#define FAST_FAIL_SOMETHING_NEW 99\n');
  const out = join(dir, 'out');
  execFileSync(process.execPath, [generator, '--include', dir, '--out', out, '--package-version', 'test-1'], {
    encoding: 'utf8',
  });
  const nt = readFileSync(join(out, 'ntstatus-table.ts'), 'utf8');
  t.match(nt, '// mingw-w64-common test-1: include/ntstatus.h');
  t.match(nt, 'GENERATED FILE - DO NOT EDIT');
  t.match(nt, '[0x40000999, "STATUS_IMAGE_AT_BASE"],');
  t.match(nt, '[0xC0001234, "STATUS_FOO", "{EXCEPTION}  Foo happened.", ["STATUS_FOO_ALIAS"]],');
  t.match(nt, '[0xC0235555, "NDIS_STATUS_BAR"],');
  t.notMatch(nt, 'FACILITY_DEBUGGER');
  t.match(nt, '(3 values, sorted ascending)');

  const we = readFileSync(join(out, 'winerror-table.ts'), 'utf8');
  const [win32Part, hrPart] = we.split('export const hresultEntries');
  t.match(win32Part, '[5, "ERROR_FIVE", "Five went wrong."],');
  t.match(win32Part, '[6, "ERROR_SIX"],');
  t.match(win32Part, '[101, "XERR_ONE"],');
  t.notMatch(we, 'XBASEERR');
  t.notMatch(we, 'SOME_BASE');
  t.notMatch(we, 'RANGE_E_FIRST');
  t.notMatch(we, 'NOT_A_CODE');
  t.notMatch(we, 'MACRO');
  t.notMatch(we, 'FACILITY_WIN32');
  t.match(hrPart, '[0x00000002, "S_TYPED"],');
  t.match(hrPart, '[0x80070005, "E_FIVE"],');
  t.match(hrPart, '[0x80070007, "E_SEVEN"],');
  t.match(hrPart, '[0xC0090001, "WIDE_PLAIN"],');
  t.match(hrPart, '[0xD0001234, "E_NTFOO"],');
  t.ok(hrPart!.indexOf('E_FIVE') < hrPart!.indexOf('E_SEVEN'), 'sorted by value');

  const ff = readFileSync(join(out, 'fast-fail-table.ts'), 'utf8');
  t.match(ff, '[7, "FAST_FAIL_FATAL_APP_EXIT"],');
  t.match(ff, '[99, "FAST_FAIL_SOMETHING_NEW"],');
  t.match(ff, '[10, "FAST_FAIL_GUARD_ICALL_CHECK_FAILURE"],', 'SDK names fill in what winnt.h lacks');
  t.match(ff, 'winnt.h defines 2 FAST_FAIL_* codes');
});

t.test('generator fails clearly without headers', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'codes-empty-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  let status: number | null = null;
  let stderr = '';
  try {
    execFileSync(process.execPath, [generator, '--include', dir, '--out', join(dir, 'out')], {
      encoding: 'utf8',
      stdio: 'pipe',
    });
  } catch (e) {
    const err = e as { status: number | null; stderr: string };
    status = err.status;
    stderr = err.stderr;
  }
  t.equal(status, 2);
  t.match(stderr, /ntstatus\.h not found/);
  t.notOk(existsSync(join(dir, 'out')), 'nothing written');
});

// Real dumps: the exception stream is read here with a few lines of independent code (MINIDUMP_HEADER →
// stream directory → ExceptionStream 6 / SystemInfo 7), then decoded with this module.
const CORPUS = resolve(repoRoot, '..', 'shared', 'corpus');

interface DumpException {
  code: number;
  parameters: bigint[];
  pointerSize: 4 | 8;
}

function readDumpException(path: string): DumpException | undefined {
  const b = readFileSync(path);
  const count = b.readUInt32LE(8);
  const dirRva = b.readUInt32LE(12);
  let exc: number | undefined;
  let arch: number | undefined;
  for (let i = 0; i < count; i++) {
    const o = dirRva + 12 * i;
    const type = b.readUInt32LE(o);
    const rva = b.readUInt32LE(o + 8);
    if (type === 6) exc = rva;
    if (type === 7) arch = b.readUInt16LE(rva);
  }
  if (exc === undefined) return undefined;
  // MINIDUMP_EXCEPTION_STREAM: ThreadId, align, MINIDUMP_EXCEPTION { code @8, flags @12, record @16,
  // address @24, NumberParameters @32, align @36, ExceptionInformation[15] @40 }
  const n = Math.min(b.readUInt32LE(exc + 32), 15);
  const parameters: bigint[] = [];
  for (let i = 0; i < n; i++) parameters.push(b.readBigUInt64LE(exc + 40 + 8 * i));
  return { code: b.readUInt32LE(exc + 8), parameters, pointerSize: arch === 0 ? 4 : 8 };
}

t.test('corpus dumps: exception names and .exr trailers', { skip: existsSync(CORPUS) ? false : 'corpus absent' }, async (t) => {
  const cases: [string, string, string, string[]][] = [
    ['windows/ascii_read_av.dmp', 'c0000005', 'Access violation', ['Attempt to read from address 41414141']],
    ['windows/minidump2.dmp', 'c0000005', 'Access violation', ['Attempt to write to address 00000045']],
    ['windows/null_read_av.dmp', 'c0000005', 'Access violation', ['Attempt to read from address 00000000']],
    ['windows/thread_name_list.dmp', 'c0000005', 'Access violation', ['Attempt to read from address 000f1004']],
    ['windows/stack_exhaustion.dmp', 'c00000fd', 'Stack overflow', []],
    ['windows/tiny-exe-fastfail.dmp', 'c0000409', 'Security check failure or stack buffer overrun', ['Subcode: 0x7 FAST_FAIL_FATAL_APP_EXIT']],
    ['windows/write_av_non_canonical.dmp', 'c0000005', 'Access violation', ['Attempt to read from address ffffffffffffffff']],
    ['windows/invalid-parameter.dmp', 'c000000d', 'Unknown exception', []],
    ['wine-x64/null-deref-mini.dmp', 'c0000005', 'Access violation', ['Attempt to read from address 0000000000000010']],
    ['wine-x64/av-write-mini.dmp', 'c0000005', 'Access violation', ['Attempt to write to address 0000000000000075']],
    ['wine-x64/threadpool-crash-mini.dmp', 'c0000005', 'Access violation', ['Attempt to execute non-executable address 0000000000000000']],
    ['wine-x64/div-zero-mini.dmp', 'c0000094', 'Integer divide-by-zero', []],
    ['wine-x64/breakpoint-mini.dmp', '80000003', 'Break instruction exception', []],
    ['wine-x64/cpp-throw-mini.dmp', 'e06d7363', 'C++ EH exception', []],
    ['wine-x64/clr-exception-mini.dmp', 'e0434352', 'CLR exception', []],
  ];
  for (const [file, hex, name, trailer] of cases) {
    const path = join(CORPUS, file);
    if (!existsSync(path)) {
      t.comment(`${file} missing`);
      continue;
    }
    const e = readDumpException(path);
    t.ok(e, `${file} has an exception stream`);
    if (!e) continue;
    t.equal(exceptionCodeHex(e.code), hex, `${file} code`);
    t.equal(exceptionName(e.code), name, `${file} event name`);
    t.same(exceptionRecordTrailer(e.code, e.parameters, e.pointerSize), trailer, `${file} .exr trailer`);
  }
  const invalid = readDumpException(join(CORPUS, 'windows/invalid-parameter.dmp'));
  if (invalid) {
    t.equal(exceptionCodeString(invalid.code), 'STATUS_INVALID_PARAMETER');
    t.equal(analyzeErrorCodeText(invalid.code), '(NTSTATUS) 0xc000000d - An invalid parameter was passed to a service or function.');
  }
  const clr = readDumpException(join(CORPUS, 'wine-x64/clr-exception-mini.dmp'));
  if (clr) t.equal(hresultName(Number(clr.parameters[0])), 'E_POINTER', 'CLR P[0] is the managed HRESULT');
  const div = readDumpException(join(CORPUS, 'wine-x64/div-zero-mini.dmp'));
  if (div) t.equal(analyzeErrorCodeText(div.code), '(NTSTATUS) 0xc0000094 - {EXCEPTION}  Integer division by zero.');
});
