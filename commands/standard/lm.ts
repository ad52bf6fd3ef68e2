import { wildcardMatch } from '../../src/interpreter/expr.js';
import type { CommandSpec } from '../../src/interpreter/command.js';
import { CommandError, requireTarget } from '../../src/interpreter/command.js';
import type { MinidumpModule, VsFixedFileInfo } from '../../src/formats/minidump/types.js';
import type { Target } from '../../src/session/target.js';
import { moduleFileName } from '../../src/session/modules.js';
import { hexN, ptr } from '../../src/results/hex.js';
import { ok } from '../../src/results/types.js';
import { evalArg } from '../common/expr.js';
import { imageDetailLines } from '../common/image-details.js';

export interface LmOptions {
  verbose: boolean;
  loadedOnly: boolean;
  symbolsLoadedOnly: boolean;
  namesOnly: boolean;
  fullPath: boolean;
  sortByName: boolean;
  pattern: string | undefined;
  pathPattern: string | undefined;
  address: string | undefined;
}

/** Parses `lm[v][o][l][f][1m][sm] [m Pattern | M Pattern | a Address]` and `lmvm name`. */
export function parseLmArgs(token: string, args: string): LmOptions {
  let flags = token.slice(2);
  const o: LmOptions = { verbose: false, loadedOnly: false, symbolsLoadedOnly: false, namesOnly: false, fullPath: false, sortByName: false, pattern: undefined, pathPattern: undefined, address: undefined };
  if (flags.includes('1m')) { o.namesOnly = true; flags = flags.replace('1m', ''); }
  if (flags.includes('sm')) { o.sortByName = true; flags = flags.replace('sm', ''); }
  let words = args.split(/\s+/).filter(Boolean);
  if (/[mM]$/.test(flags)) {
    // `lmvm ntdll` = `lmv m ntdll`
    const kind = flags.slice(-1);
    flags = flags.slice(0, -1);
    if (!words.length) throw new CommandError(`       ^ Syntax error in '${token}'`);
    if (kind === 'm') o.pattern = words[0]; else o.pathPattern = words[0];
    words = words.slice(1);
  }
  for (const f of flags) {
    if (f === 'v') o.verbose = true;
    else if (f === 'o') o.loadedOnly = true;
    else if (f === 'l') o.symbolsLoadedOnly = true;
    else if (f === 'f') o.fullPath = true;
    else if ('ecDtpni'.includes(f)) continue;
    else throw new CommandError(`       ^ Syntax error in '${token} ${args}'`.trimEnd() + '');
  }
  while (words.length) {
    const w = words.shift()!;
    if ((w === 'm' || w === 'M' || w === 'a') && words.length) {
      const v = words.shift()!;
      if (w === 'm') o.pattern = v;
      else if (w === 'M') o.pathPattern = v;
      else o.address = v;
    } else if (w === 'v') o.verbose = true;
    else throw new CommandError(`       ^ Syntax error in '${token} ${args}'`);
  }
  return o;
}

/** `(pdb symbols)`, `(deferred)`, ... and the symbol file path, from what has been loaded. */
export function symbolStatus(t: Target, m: MinidumpModule): { status: string; path: string } {
  const s = t.loadedSymbols(m);
  if (!s) return { status: 'deferred', path: '' };
  switch (s.kind) {
    case 'pdb':
      return { status: 'private pdb symbols', path: s.path ?? '' };
    case 'sym':
      return { status: 'pdb symbols', path: s.path ?? '' };
    case 'export':
      return { status: 'export symbols', path: s.path ?? moduleFileName(m.moduleName) };
    default:
      return { status: 'no symbols', path: '' };
  }
}

export function lmHeader(ptrSize: number): string {
  return ptrSize === 8 ? 'start             end                 module name' : 'start    end        module name';
}

export function lmRow(t: Target, m: MinidumpModule, opts: { fullPath?: boolean } = {}): string {
  const p = t.pointerSize;
  const name = t.moduleName(m);
  const start = `${ptr(m.baseOfImage, p)} ${ptr(m.baseOfImage + BigInt(m.sizeOfImage), p)}   ${name.padEnd(8)}`;
  if (opts.fullPath) return `${start} ${m.moduleName}`;
  const { status, path } = symbolStatus(t, m);
  const flag = m.checkSum === 0 ? 'C' : ' ';
  return `${start} ${flag} ${`(${status})`.padEnd(22)} ${path}`;
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];

/** `Mon Oct 14 12:38:17 2019` in UTC (a PE timestamp has no time zone). */
export function ctimeUtc(secs: number): string {
  const d = new Date(secs * 1000);
  const p = (n: number) => String(n).padStart(2, '0');
  return `${DAYS[d.getUTCDay()]} ${MONTHS[d.getUTCMonth()]} ${String(d.getUTCDate()).padStart(2, ' ')} ${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())} ${d.getUTCFullYear()}`;
}

function versionText(ms: number, ls: number): string {
  return `${ms >>> 16}.${ms & 0xffff}.${ls >>> 16}.${ls & 0xffff}`;
}

const FILE_TYPES: Record<number, string> = { 1: 'App', 2: 'Dll', 3: 'Driver', 4: 'Font', 5: 'VXD', 7: 'Static library' };

function fileOsText(os: number): string {
  const hi = os >>> 16;
  const lo = os & 0xffff;
  const parts = [hi === 4 ? 'NT' : hi === 1 ? 'DOS' : hi === 2 ? 'OS216' : hi === 3 ? 'OS232' : ''].filter(Boolean);
  if (lo === 4) parts.push('Win32');
  return `${os.toString(16).toUpperCase()} ${parts.join(' ')}`.trimEnd();
}

/** The `lmv` block under a module row (windbg-commands.md §8.2). Hex here is UPPER-case. */
export function lmVerboseLines(t: Target, m: MinidumpModule): string[] {
  const H = (v: number, w = 8) => hexN(v, w).toUpperCase();
  const file = moduleFileName(m.moduleName);
  const img = imageDetailLines(t, m);
  const lines = [...img.head, `    Image path: ${m.moduleName}`, `    Image name: ${file}`];
  const ts = m.timeDateStamp;
  lines.push(ts === 0 || ts === 0xfffffffe ? `    Timestamp:        unavailable (${H(ts)})` : `    Timestamp:        ${ctimeUtc(ts)} (${H(ts)})`);
  lines.push(m.checkSum === 0 ? '    CheckSum:         missing' : `    CheckSum:         ${H(m.checkSum)}`);
  lines.push(`    ImageSize:        ${H(m.sizeOfImage)}`);
  const v: VsFixedFileInfo | undefined = m.versionInfo && m.versionInfo.signature === 0xfeef04bd ? m.versionInfo : undefined;
  if (v) {
    lines.push(`    File version:     ${versionText(v.fileVersionMS, v.fileVersionLS)}`);
    lines.push(`    Product version:  ${versionText(v.productVersionMS, v.productVersionLS)}`);
    lines.push(`    File flags:       ${v.fileFlags.toString(16).toUpperCase()} (Mask ${v.fileFlagsMask.toString(16).toUpperCase()})`);
    lines.push(`    File OS:          ${fileOsText(v.fileOS)}`);
    lines.push(`    File type:        ${v.fileType}.${v.fileSubtype} ${FILE_TYPES[v.fileType] ?? ''}`.trimEnd());
    lines.push(`    File date:        ${H(v.fileDateMS)}.${H(v.fileDateLS)}`);
  }
  lines.push(...img.resources);
  const cv = m.cvRecord;
  if (cv && cv.format !== 'other') {
    lines.push(`    PDB name:         ${cv.pdbFileName}`);
    if (cv.guid) lines.push(`    PDB GUID:         {${cv.guid.slice(0, 8)}-${cv.guid.slice(8, 12)}-${cv.guid.slice(12, 16)}-${cv.guid.slice(16, 20)}-${cv.guid.slice(20)}}, age ${cv.age}`);
  }
  return lines;
}

export const lmCommand: CommandSpec = {
  name: 'lm',
  pattern: /^lm[a-zA-Z1]*/,
  group: 'standard',
  syntax: 'lm[v][o][l][f][1m][sm] [m Pattern | M PathPattern | a Address]; lmvm Name',
  summary: 'List modules: range, name, symbol status; v for version and identity details',
  examples: ['lm', 'lmv', 'lm m kernel*', 'lmvm ntdll', 'lm a @rip', 'lmo', 'lml'],
  async run(ctx, inv) {
    const t = requireTarget(ctx);
    const o = parseLmArgs(inv.token, inv.args);
    let mods = [...t.modules()].sort((a, b) => (a.baseOfImage < b.baseOfImage ? -1 : a.baseOfImage > b.baseOfImage ? 1 : 0));
    if (o.pattern) mods = mods.filter((m) => wildcardMatch(t.moduleName(m), o.pattern!));
    if (o.pathPattern) mods = mods.filter((m) => wildcardMatch(m.moduleName, o.pathPattern!));
    if (o.address) {
      const a = evalArg(t, o.address, inv.raw);
      mods = mods.filter((m) => a >= m.baseOfImage && a < m.baseOfImage + BigInt(m.sizeOfImage));
    }
    if (o.symbolsLoadedOnly) mods = mods.filter((m) => t.loadedSymbols(m) !== undefined);
    if (o.sortByName) mods.sort((a, b) => t.moduleName(a).localeCompare(t.moduleName(b)));
    const rows = mods.map((m) => ({ index: m.index, name: t.moduleName(m), start: m.baseOfImage, end: m.baseOfImage + BigInt(m.sizeOfImage), imagePath: m.moduleName, timeDateStamp: m.timeDateStamp, checkSum: m.checkSum, symbolStatus: symbolStatus(t, m).status, symbolFile: symbolStatus(t, m).path, pdb: m.cvRecord }));
    if (o.namesOnly) return ok(rows.map((r) => r.name), { type: 'modules', modules: rows });
    // lmv shows the image file and its version strings: load the listed modules first.
    if (o.verbose) for (const m of mods) await t.ensureModule(m);
    const lines = [lmHeader(t.pointerSize)];
    for (const m of mods) {
      lines.push(lmRow(t, m, { fullPath: o.fullPath }));
      if (o.verbose) lines.push(...lmVerboseLines(t, m));
    }
    const unloaded = o.pattern || o.pathPattern || o.address || o.loadedOnly || o.symbolsLoadedOnly ? [] : t.dump.unloadedModules();
    if (unloaded.length) {
      lines.push('', 'Unloaded modules:');
      for (const u of unloaded) lines.push(`${ptr(u.baseOfImage, t.pointerSize)} ${ptr(u.baseOfImage + BigInt(u.sizeOfImage), t.pointerSize)}   ${moduleFileName(u.moduleName)}`);
    }
    return ok(lines, { type: 'modules', modules: rows, unloaded: unloaded.map((u) => ({ start: u.baseOfImage, end: u.baseOfImage + BigInt(u.sizeOfImage), name: moduleFileName(u.moduleName), path: u.moduleName })) });
  },
};
