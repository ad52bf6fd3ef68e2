#!/usr/bin/env node
// Generates the NTSTATUS / Win32 error / HRESULT / FAST_FAIL name tables in src/analysis/codes/
// from the public-domain mingw-w64 headers (Debian package mingw-w64-common).
//
// Usage:
//   node src/analysis/codes/gen/generate-tables.mjs [--include DIR] [--out DIR] [--package-version V]
//
//   --include          folder holding ntstatus.h, winerror.h and winnt.h
//                      (default /usr/share/mingw-w64/include)
//   --out              where the .ts files are written (default: src/analysis/codes next to this script)
//   --package-version  version written into the file headers (default: asked from dpkg-query)
//
// Plain Node, no dependencies. The output is deterministic: same headers + same version => same bytes,
// which test/analysis/codes.test.ts checks against the checked-in tables.

import { readFileSync, writeFileSync, mkdirSync, existsSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const PACKAGE = 'mingw-w64-common';
const DEFAULT_INCLUDE = '/usr/share/mingw-w64/include';

// FAST_FAIL codes after 9: mingw-w64's winnt.h stops at FAST_FAIL_UNSAFE_REGISTRY_ACCESS (9). The names and
// values below are the Windows SDK winnt.h identifiers as listed in the project's reference notes
// (shared/docs/unwind-symbols.md H.3). Values defined in winnt.h itself take precedence.
// (`UNHANDLED_LSS_EXCEPTON` is Microsoft's spelling.)
const SDK_FAST_FAIL_NAMES = [
  [10, 'GUARD_ICALL_CHECK_FAILURE'], [11, 'GUARD_WRITE_CHECK_FAILURE'], [12, 'INVALID_FIBER_SWITCH'],
  [13, 'INVALID_SET_OF_CONTEXT'], [14, 'INVALID_REFERENCE_COUNT'], [18, 'INVALID_JUMP_BUFFER'],
  [19, 'MRDATA_MODIFIED'], [20, 'CERTIFICATION_FAILURE'], [21, 'INVALID_EXCEPTION_CHAIN'],
  [22, 'CRYPTO_LIBRARY'], [23, 'INVALID_CALL_IN_DLL_CALLOUT'], [24, 'INVALID_IMAGE_BASE'],
  [25, 'DLOAD_PROTECTION_FAILURE'], [26, 'UNSAFE_EXTENSION_CALL'], [27, 'DEPRECATED_SERVICE_INVOKED'],
  [28, 'INVALID_BUFFER_ACCESS'], [29, 'INVALID_BALANCED_TREE'], [30, 'INVALID_NEXT_THREAD'],
  [31, 'GUARD_ICALL_CHECK_SUPPRESSED'], [32, 'APCS_DISABLED'], [33, 'INVALID_IDLE_STATE'],
  [34, 'MRDATA_PROTECTION_FAILURE'], [35, 'UNEXPECTED_HEAP_EXCEPTION'], [36, 'INVALID_LOCK_STATE'],
  [37, 'GUARD_JUMPTABLE'], [38, 'INVALID_LONGJUMP_TARGET'], [39, 'INVALID_DISPATCH_CONTEXT'],
  [40, 'INVALID_THREAD'], [41, 'INVALID_SYSCALL_NUMBER'], [42, 'INVALID_FILE_OPERATION'],
  [43, 'LPAC_ACCESS_DENIED'], [44, 'GUARD_SS_FAILURE'], [45, 'LOADER_CONTINUITY_FAILURE'],
  [46, 'GUARD_EXPORT_SUPPRESSION_FAILURE'], [47, 'INVALID_CONTROL_STACK'], [48, 'SET_CONTEXT_DENIED'],
  [49, 'INVALID_IAT'], [50, 'HEAP_METADATA_CORRUPTION'], [51, 'PAYLOAD_RESTRICTION_VIOLATION'],
  [52, 'LOW_LABEL_ACCESS_DENIED'], [53, 'ENCLAVE_CALL_FAILURE'], [54, 'UNHANDLED_LSS_EXCEPTON'],
  [55, 'ADMINLESS_ACCESS_DENIED'], [56, 'UNEXPECTED_CALL'], [57, 'CONTROL_INVALID_RETURN_ADDRESS'],
  [58, 'UNEXPECTED_HOST_BEHAVIOR'], [59, 'FLAGS_CORRUPTION'], [60, 'VEH_CORRUPTION'], [61, 'ETW_CORRUPTION'],
  [62, 'RIO_ABORT'], [63, 'INVALID_PFN'], [64, 'GUARD_ICALL_CHECK_FAILURE_XFG'], [65, 'CAST_GUARD'],
  [66, 'HOST_VISIBILITY_CHANGE'], [67, 'KERNEL_CET_SHADOW_STACK_ASSIST'], [68, 'PATCH_CALLBACK_FAILED'],
  [69, 'NTDLL_PATCH_FAILED'], [70, 'INVALID_FLS_DATA'], [71, 'ASAN_ERROR'], [72, 'CLR_EXCEPTION_AOT'],
  [73, 'POINTER_AUTH_INVALID_RETURN_ADDRESS'], [74, 'INVALID_THREAD_STATE'], [75, 'CORRUPT_WOW64_STATE'],
  [76, 'INVALID_EXTENDED_STATE'], [0xffffffff, 'INVALID_FAST_FAIL_CODE'],
];

// ---------------------------------------------------------------------------------------------------------
// Arguments

function parseArgs(argv) {
  const here = dirname(fileURLToPath(import.meta.url));
  const opts = { include: DEFAULT_INCLUDE, out: resolve(here, '..'), packageVersion: undefined };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const next = () => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${arg} needs a value`);
      return v;
    };
    if (arg === '--include') opts.include = next();
    else if (arg === '--out') opts.out = next();
    else if (arg === '--package-version') opts.packageVersion = next();
    else throw new Error(`unknown argument ${arg}`);
  }
  return opts;
}

function detectPackageVersion() {
  try {
    return execFileSync('dpkg-query', ['-W', '-f=${Version}', PACKAGE], { encoding: 'utf8' }).trim() || 'unknown';
  } catch {
    return 'unknown';
  }
}

// ---------------------------------------------------------------------------------------------------------
// A tiny evaluator for the constant expressions used in these headers:
//   ((NTSTATUS)0xC0000005L)  _HRESULT_TYPEDEF_(0x80004003L)  _NDIS_ERROR_TYPEDEF_(0x…)  __MSABI_LONG(5)
//   5L  (WSABASEERR + 4)  HRESULT_FROM_WIN32(ERROR_X)  HRESULT_FROM_NT(STATUS_X)  OTHER_NAME

const CAST_TYPES = new Set(['NTSTATUS', 'HRESULT', 'SCODE', 'DWORD', 'LONG', 'ULONG', 'long', 'int', 'unsigned']);
const KIND_MACROS = {
  _HRESULT_TYPEDEF_: 'hresult',
  _NDIS_ERROR_TYPEDEF_: 'ntstatus',
  __MSABI_LONG: undefined,
};

function tokenize(text) {
  const tokens = [];
  const re = /\s*(0[xX][0-9a-fA-F]+|\d+)[uUlL]*|\s*([A-Za-z_][A-Za-z0-9_]*)|\s*([()+|\-~])|\s*(\S)/gy;
  text = text.trim();
  let m;
  while (re.lastIndex < text.length && (m = re.exec(text)) !== null) {
    if (m[1] !== undefined) tokens.push({ t: 'num', v: parseCNumber(m[1]) });
    else if (m[2] !== undefined) tokens.push({ t: 'id', v: m[2] });
    else if (m[3] !== undefined) tokens.push({ t: 'op', v: m[3] });
    else return undefined; // anything else (strings, pointer casts, …): not a code
  }
  if (re.lastIndex < text.length) return undefined;
  return tokens;
}

function parseCNumber(s) {
  if (/^0[xX]/.test(s)) return Number.parseInt(s.slice(2), 16);
  if (/^0\d/.test(s)) return Number.parseInt(s, 8);
  return Number.parseInt(s, 10);
}

/**
 * Evaluates a define's body. Returns { value, kind, aliasOf } or undefined when the body is not a constant
 * we understand. kind: 'ntstatus' | 'hresult' | undefined (decide by value); aliasOf: the name when the body
 * is just another code's name.
 */
function evaluate(body, symbols) {
  const tokens = tokenize(body);
  if (!tokens || tokens.length === 0) return undefined;
  if (tokens.length === 1 && tokens[0].t === 'id') {
    const target = symbols.get(tokens[0].v);
    return target ? { value: target.value, kind: target.kind, aliasOf: tokens[0].v } : undefined;
  }
  let pos = 0;
  let kind;
  const peek = () => tokens[pos];
  const isOp = (v) => peek()?.t === 'op' && peek().v === v;

  function primary() {
    const tok = tokens[pos];
    if (!tok) throw new Error('eof');
    if (tok.t === 'num') { pos++; return tok.v; }
    if (tok.t === 'op' && tok.v === '-') { pos++; return -primary(); }
    if (tok.t === 'op' && tok.v === '~') { pos++; return ~primary(); }
    if (tok.t === 'op' && tok.v === '(') {
      // a cast: (NTSTATUS) / (HRESULT) / (unsigned long) …
      const save = pos;
      pos++;
      const ids = [];
      while (peek()?.t === 'id' && CAST_TYPES.has(peek().v)) ids.push(tokens[pos++].v);
      if (ids.length > 0 && isOp(')')) {
        pos++;
        if (ids[0] === 'NTSTATUS') kind = 'ntstatus';
        else if (ids[0] === 'HRESULT' || ids[0] === 'SCODE') kind = 'hresult';
        return primary();
      }
      pos = save + 1;
      const v = expr();
      if (!isOp(')')) throw new Error('missing )');
      pos++;
      return v;
    }
    if (tok.t === 'id') {
      pos++;
      if (isOp('(')) {
        pos++;
        const arg = expr();
        if (!isOp(')')) throw new Error('missing )');
        pos++;
        if (tok.v in KIND_MACROS) {
          if (KIND_MACROS[tok.v]) kind = KIND_MACROS[tok.v];
          return arg;
        }
        if (tok.v === 'HRESULT_FROM_WIN32') {
          kind = 'hresult';
          const a = arg >>> 0;
          return a <= 0 || a > 0xffff ? a : ((a & 0xffff) | (7 << 16) | 0x80000000) >>> 0;
        }
        if (tok.v === 'HRESULT_FROM_NT') {
          kind = 'hresult';
          return (arg | 0x10000000) >>> 0;
        }
        throw new Error(`unknown macro ${tok.v}`);
      }
      const target = symbols.get(tok.v);
      if (!target) throw new Error(`unknown name ${tok.v}`);
      if (target.kind && !kind) kind = target.kind;
      return target.value;
    }
    throw new Error('unexpected token');
  }

  function expr() {
    let v = primary();
    while (isOp('+') || isOp('|') || isOp('-')) {
      const op = tokens[pos++].v;
      const r = primary();
      v = op === '+' ? v + r : op === '-' ? v - r : v | r;
    }
    return v;
  }

  try {
    const value = expr();
    if (pos !== tokens.length || !Number.isFinite(value)) return undefined;
    return { value: value >>> 0, kind, aliasOf: undefined };
  } catch {
    return undefined;
  }
}

// ---------------------------------------------------------------------------------------------------------
// Header scanning

const DEFINE_RE = /^\s*#\s*define\s+([A-Za-z_][A-Za-z0-9_]*)[ \t]+(.+?)\s*(?:\/\/.*|\/\*.*)?$/;

/**
 * Reads `MessageId: NAME` / `MessageText:` comment blocks (the Windows SDK layout of these headers). Lines of
 * a message are joined with two spaces, which is how a CRLF-separated message table text reads on one line
 * in the debugger. mingw-w64's copies carry no such blocks today; other header versions may.
 */
function scanMessages(lines) {
  const messages = new Map();
  let id;
  let collecting = false;
  let parts = [];
  const flush = () => {
    if (id && parts.length > 0) messages.set(id, parts.join('  '));
    id = undefined;
    collecting = false;
    parts = [];
  };
  for (const line of lines) {
    const c = /^\s*\/\/\s?(.*)$/.exec(line);
    if (!c) {
      flush();
      continue;
    }
    const text = c[1].trim();
    const mid = /^MessageId:\s*([A-Za-z_][A-Za-z0-9_]*)/.exec(text);
    if (mid) {
      flush();
      id = mid[1];
      continue;
    }
    if (/^MessageText:/.test(text)) {
      collecting = true;
      const rest = text.slice('MessageText:'.length).trim();
      if (rest) parts.push(rest);
      continue;
    }
    if (collecting && text) parts.push(text);
  }
  flush();
  return messages;
}

/**
 * Names that are bookkeeping, not codes: facility numbers, severities, range markers (OLE_E_FIRST…, DNS_ERROR_*_BASE,
 * WSABASEERR)
 * and masks. `_BASE`/`_MASK` only count as markers on untyped numbers: STATUS_IMAGE_NOT_AT_BASE and
 * FWP_E_INVALID_NET_MASK are real codes.
 */
function isNonCodeName(name, kind) {
  return (
    /^(FACILITY_|SEVERITY_|STATUS_SEVERITY_|_)/.test(name) ||
    /(_FIRST|_LAST)$/.test(name) ||
    (kind === undefined && /(_BASE|_MASK|_BIT|BASEERR)$/.test(name))
  );
}

/**
 * Returns the defines of one header in file order: { name, value, kind, aliasOf, message }.
 * Symbols (including non-code helper names like WSABASEERR) are shared through `symbols` so a later header
 * can refer to an earlier one.
 */
function scanHeader(text, symbols) {
  const lines = text.split(/\r?\n/);
  const messages = scanMessages(lines);
  const out = [];
  for (const line of lines) {
    const m = DEFINE_RE.exec(line);
    if (!m) continue;
    const [, name, body] = m;
    if (symbols.has(name)) continue; // redefinition inside #ifndef guards: the first one wins
    const ev = evaluate(body, symbols);
    if (!ev) continue;
    symbols.set(name, { value: ev.value, kind: ev.kind });
    if (isNonCodeName(name, ev.kind)) continue;
    out.push({ name, value: ev.value, kind: ev.kind, aliasOf: ev.aliasOf, message: messages.get(name) });
  }
  return out;
}

// Names that become canonical even when the header defines another name for the value first
// (winerror.h defines SEC_E_OK before S_OK).
const PREFERRED_NAMES = new Set(['S_OK']);

/** Collapses defines into one entry per value (first name canonical, later names as aliases), sorted by value. */
function buildTable(defines) {
  const byValue = new Map();
  for (const d of defines) {
    const e = byValue.get(d.value);
    if (!e) {
      byValue.set(d.value, { value: d.value, name: d.name, message: d.message, aliases: [] });
      continue;
    }
    if (PREFERRED_NAMES.has(d.name)) {
      e.aliases = [e.name, ...e.aliases.filter((a) => a !== d.name)];
      e.name = d.name;
    } else if (e.name !== d.name && !e.aliases.includes(d.name)) e.aliases.push(d.name);
    if (!e.message && d.message) e.message = d.message;
  }
  return [...byValue.values()].sort((a, b) => a.value - b.value);
}

// ---------------------------------------------------------------------------------------------------------
// Output

function hex(v) {
  return '0x' + v.toString(16).toUpperCase().padStart(8, '0');
}

function renderEntry(e, decimal) {
  const parts = [decimal && e.value <= 0xffff ? String(e.value) : hex(e.value), JSON.stringify(e.name)];
  if (e.message || e.aliases.length > 0) parts.push(e.message ? JSON.stringify(e.message) : 'null');
  if (e.aliases.length > 0) parts.push('[' + e.aliases.map((a) => JSON.stringify(a)).join(', ') + ']');
  return `  [${parts.join(', ')}],`;
}

function header(sources, version, note) {
  return [
    '// GENERATED FILE - DO NOT EDIT.',
    '// Written by src/analysis/codes/gen/generate-tables.mjs from the Debian package',
    `// ${PACKAGE} ${version}: ${sources.join(', ')} (public domain headers).`,
    '// Re-run the script to update; test/analysis/codes.test.ts checks this file matches its output.',
    ...(note ? note.map((l) => `// ${l}`) : []),
    '// Entry layout: [value, canonical name, message | null, aliases] (trailing parts omitted when empty).',
    '',
    "import type { CodeEntry } from './types.js';",
    '',
  ];
}

/**
 * A table is a function returning its literal (index.ts calls it once, on the first lookup): V8
 * compiles a function body only when it is called, so start-up neither builds these thousands of
 * entries nor carries them in the CLI's code cache (they were about half of it).
 */
function renderTable(exportName, doc, entries, decimal) {
  return [
    `/** ${doc} (${entries.length} values, sorted ascending); a new array on each call. */`,
    `export const ${exportName} = (): readonly CodeEntry[] => [`,
    ...entries.map((e) => renderEntry(e, decimal)),
    '];',
    '',
  ];
}

export function generate({ include, packageVersion }) {
  const read = (f) => readFileSync(join(include, f), 'utf8');
  const ntSymbols = new Map();
  const ntDefines = scanHeader(read('ntstatus.h'), ntSymbols);
  const ntTable = buildTable(ntDefines);

  const weSymbols = new Map();
  const weDefines = scanHeader(read('winerror.h'), weSymbols);
  // Classification: an explicit HRESULT/NTSTATUS form decides; plain numbers are Win32 error codes when
  // they fit in 16 bits (ERROR_*, WSA*, DNS_*) and HRESULT-shaped otherwise (e.g. __MSABI_LONG(0x8009…)).
  const isHresult = (d) => d.kind === 'hresult' || d.kind === 'ntstatus' || d.value > 0xffff;
  const win32Table = buildTable(weDefines.filter((d) => !isHresult(d)));
  const hrTable = buildTable(weDefines.filter(isHresult));

  const ffSymbols = new Map();
  const ffDefines = scanHeader(read('winnt.h'), ffSymbols).filter((d) => /^FAST_FAIL_/.test(d.name));
  const known = new Set(ffDefines.map((d) => d.value));
  const winntCount = ffDefines.length;
  for (const [value, short] of SDK_FAST_FAIL_NAMES) {
    if (!known.has(value >>> 0)) ffDefines.push({ name: `FAST_FAIL_${short}`, value: value >>> 0 });
  }
  const ffTable = buildTable(ffDefines);

  const files = {
    'ntstatus-table.ts': [
      ...header(['include/ntstatus.h'], packageVersion),
      ...renderTable('ntstatusEntries', 'NTSTATUS values (STATUS_*, DBG_*, RPC_NT_*, …) by value', ntTable, false),
    ].join('\n'),
    'winerror-table.ts': [
      ...header(['include/winerror.h'], packageVersion, [
        'Win32 error codes: plain 16-bit values (ERROR_*, WSA*, DNS_*, …). HRESULTs: values written as',
        'HRESULT/_HRESULT_TYPEDEF_/HRESULT_FROM_* or wider than 16 bits (E_*, S_*, CO_E_*, RPC_E_*, …).',
      ]),
      ...renderTable('win32ErrorEntries', 'Win32 error codes by value', win32Table, true),
      ...renderTable('hresultEntries', 'HRESULT / SCODE values by value', hrTable, false),
    ].join('\n'),
    'fast-fail-table.ts': [
      ...header(['include/winnt.h'], packageVersion, [
        `winnt.h defines ${winntCount} FAST_FAIL_* codes; the rest are the Windows SDK names listed in the`,
        'generator (SDK_FAST_FAIL_NAMES, from shared/docs/unwind-symbols.md H.3).',
      ]),
      ...renderTable('fastFailEntries', 'FAST_FAIL_* codes (Parameter[0] of STATUS_STACK_BUFFER_OVERRUN) by value', ffTable, true),
    ].join('\n'),
  };
  return {
    files,
    counts: { ntstatus: ntTable.length, win32: win32Table.length, hresult: hrTable.length, fastFail: ffTable.length },
  };
}

function main() {
  const opts = parseArgs(process.argv.slice(2));
  for (const f of ['ntstatus.h', 'winerror.h', 'winnt.h']) {
    if (!existsSync(join(opts.include, f))) {
      console.error(`generate-tables: ${join(opts.include, f)} not found (apt-get install ${PACKAGE})`);
      process.exit(2);
    }
  }
  const packageVersion = opts.packageVersion ?? detectPackageVersion();
  const { files, counts } = generate({ include: opts.include, packageVersion });
  mkdirSync(opts.out, { recursive: true });
  for (const [name, text] of Object.entries(files)) writeFileSync(join(opts.out, name), text);
  console.log(
    `generate-tables: ${counts.ntstatus} NTSTATUS, ${counts.win32} Win32, ${counts.hresult} HRESULT, ` +
      `${counts.fastFail} FAST_FAIL values -> ${opts.out}`,
  );
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) main();
