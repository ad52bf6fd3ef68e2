/**
 * Export directory (docs/unwind-symbols.md E.3) and the nearest-export lookup
 * used to name code when no PDB is available (`kernelbase!RaiseException+0x5c`).
 */
import { asciiz } from '../../bytes/reader.js';
import { IMAGE_EXPORT_DIRECTORY_SIZE, ImageExportDirectoryLayout } from './layouts.js';
import { hex } from './rva-reader.js';
import type { RvaRange, RvaReader } from './rva-reader.js';
import type { PeExport, PeExportDirectory } from './types.js';

/** Ordinals are 16-bit, so a real table never has more entries than this. */
export const MAX_EXPORTS = 0x10000;
/** Longest export or forwarder name we read. */
const MAX_NAME = 512;
/** Read all names in one go when they span at most this many bytes. */
const NAME_BLOCK_LIMIT = 4 * 1024 * 1024;

export interface ExportsResult {
  directory: PeExportDirectory | undefined;
  /** Sorted by rva, then named before ordinal-only, then by name. */
  exports: PeExport[];
  /** One sentence per problem met (unreadable or truncated tables). */
  problems: string[];
}

/** Decodes the export directory at `dir` and every export it lists. Never throws for bad data. */
export function readExports(img: RvaReader, dir: RvaRange): ExportsResult {
  const problems: string[] = [];
  const raw = img.readRvaExact(dir.rva, IMAGE_EXPORT_DIRECTORY_SIZE);
  if (!raw) {
    problems.push(`export directory at RVA ${hex(dir.rva)} is not readable`);
    return { directory: undefined, exports: [], problems };
  }
  const d = ImageExportDirectoryLayout.decode(raw, 0, 'reading IMAGE_EXPORT_DIRECTORY');
  const directory: PeExportDirectory = {
    characteristics: d.characteristics,
    timeDateStamp: d.timeDateStamp,
    majorVersion: d.majorVersion,
    minorVersion: d.minorVersion,
    nameRva: d.name,
    dllName: d.name ? asciiz(img.readRva(d.name, MAX_NAME)) : '',
    base: d.base,
    numberOfFunctions: d.numberOfFunctions,
    numberOfNames: d.numberOfNames,
    addressOfFunctions: d.addressOfFunctions,
    addressOfNames: d.addressOfNames,
    addressOfNameOrdinals: d.addressOfNameOrdinals,
  };

  let nFunctions = d.numberOfFunctions;
  let nNames = d.numberOfNames;
  if (nFunctions > MAX_EXPORTS) {
    problems.push(`export directory claims ${nFunctions} functions; reading the first ${MAX_EXPORTS}`);
    nFunctions = MAX_EXPORTS;
  }
  if (nNames > MAX_EXPORTS) {
    problems.push(`export directory claims ${nNames} names; reading the first ${MAX_EXPORTS}`);
    nNames = MAX_EXPORTS;
  }

  const fnBuf = nFunctions ? img.readRva(d.addressOfFunctions, 4 * nFunctions) : Buffer.alloc(0);
  if (fnBuf.length < 4 * nFunctions) {
    problems.push(`AddressOfFunctions at RVA ${hex(d.addressOfFunctions)}: only ${Math.floor(fnBuf.length / 4)} of ${nFunctions} entries are readable`);
    nFunctions = Math.floor(fnBuf.length / 4);
  }
  const namePtrs = nNames ? img.readRva(d.addressOfNames, 4 * nNames) : Buffer.alloc(0);
  const ordBuf = nNames ? img.readRva(d.addressOfNameOrdinals, 2 * nNames) : Buffer.alloc(0);
  const namesReadable = Math.min(Math.floor(namePtrs.length / 4), Math.floor(ordBuf.length / 2));
  if (namesReadable < nNames) {
    problems.push(`export name tables at RVA ${hex(d.addressOfNames)}/${hex(d.addressOfNameOrdinals)}: only ${namesReadable} of ${nNames} names are readable`);
    nNames = namesReadable;
  }

  // funcIndex → names exported for it.
  const nameRvas: number[] = [];
  for (let i = 0; i < nNames; i++) nameRvas.push(namePtrs.readUInt32LE(4 * i));
  const readName = nameReader(img, nameRvas);
  const namesByIndex = new Map<number, string[]>();
  let badOrdinals = 0;
  for (let i = 0; i < nNames; i++) {
    const funcIndex = ordBuf.readUInt16LE(2 * i);
    if (funcIndex >= nFunctions) { badOrdinals++; continue; }
    const name = readName(nameRvas[i] ?? 0);
    if (!name) continue;
    const list = namesByIndex.get(funcIndex);
    if (list) list.push(name); else namesByIndex.set(funcIndex, [name]);
  }
  if (badOrdinals) problems.push(`${badOrdinals} export names point past AddressOfFunctions`);

  const exports: PeExport[] = [];
  const dirEnd = dir.rva + dir.size;
  for (let funcIndex = 0; funcIndex < nFunctions; funcIndex++) {
    const rva = fnBuf.readUInt32LE(4 * funcIndex);
    if (rva === 0) continue; // unused ordinal slot
    const ordinal = d.base + funcIndex;
    // An RVA inside the export directory itself is a forwarder string ("NTDLL.RtlAllocateHeap"), not code.
    const forwarder = rva >= dir.rva && rva < dirEnd ? asciiz(img.readRva(rva, MAX_NAME)) : undefined;
    const names = namesByIndex.get(funcIndex);
    if (names) {
      for (const name of names) exports.push(forwarder === undefined ? { name, ordinal, rva } : { name, ordinal, rva, forwarder });
    } else {
      const e: PeExport = { name: `#${ordinal}`, ordinal, rva, noName: true };
      if (forwarder !== undefined) e.forwarder = forwarder;
      exports.push(e);
    }
  }
  exports.sort(compareExports);
  return { directory, exports, problems };
}

function compareExports(a: PeExport, b: PeExport): number {
  if (a.rva !== b.rva) return a.rva - b.rva;
  if (!a.noName !== !b.noName) return a.noName ? 1 : -1;
  return a.name < b.name ? -1 : a.name > b.name ? 1 : a.ordinal - b.ordinal;
}

/** Reads export names, in one block when they are close together (they usually are). */
function nameReader(img: RvaReader, rvas: number[]): (rva: number) => string {
  if (rvas.length === 0) return () => '';
  let lo = Infinity;
  let hi = 0;
  for (const r of rvas) {
    if (r === 0) continue;
    lo = Math.min(lo, r);
    hi = Math.max(hi, r);
  }
  if (lo <= hi && hi - lo + MAX_NAME <= NAME_BLOCK_LIMIT) {
    const block = img.readRva(lo, hi - lo + MAX_NAME);
    return (rva) => {
      const at = rva - lo;
      if (rva === 0 || at < 0 || at >= block.length) return '';
      return asciiz(block, at, MAX_NAME);
    };
  }
  return (rva) => (rva ? asciiz(img.readRva(rva, MAX_NAME)) : '');
}

/** The result of a nearest-export lookup. */
export interface ExportMatch {
  export: PeExport;
  /** rva − export.rva. */
  displacement: number;
}

/**
 * The code export with the greatest rva ≤ `rva` (forwarders skipped), found by
 * binary search over `sorted` (as returned by readExports). Among aliases at
 * the same rva the first in sort order wins (named before ordinal-only). This
 * is a guess — private functions between exports are invisible — so callers
 * should cap the displacement or check .pdata (E.3).
 */
export function nearestExport(sorted: readonly PeExport[], rva: number): ExportMatch | undefined {
  let lo = 0;
  let hi = sorted.length - 1;
  let found = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    const e = sorted[mid];
    if (e && e.rva <= rva) { found = mid; lo = mid + 1; } else hi = mid - 1;
  }
  // Step back over forwarders (not code) and to the first alias of the chosen rva.
  while (found >= 0 && sorted[found]?.forwarder !== undefined) found--;
  if (found < 0) return undefined;
  const target = sorted[found]!.rva;
  while (found > 0 && sorted[found - 1]!.rva === target && sorted[found - 1]!.forwarder === undefined) found--;
  const e = sorted[found]!;
  return { export: e, displacement: rva - e.rva };
}
