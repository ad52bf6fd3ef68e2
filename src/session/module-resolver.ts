import { existsSync } from 'node:fs';
import path from 'node:path';
import type { MinidumpModule } from '../formats/minidump/types.js';
import { PeImage } from '../formats/pe/image.js';
import { PdbFile } from '../formats/pdb/pdb-file.js';
import { SymFile } from '../formats/sym/index.js';
import { pdbKey } from '../formats/codeview/index.js';
import type { CodeViewRecord } from '../formats/codeview/index.js';
import { parseSymbolPath } from '../symbols/symbol-path.js';
import type { SymbolPathElement } from '../symbols/symbol-path.js';
import { locateSymbolFile } from '../symbols/store.js';
import type { LocateAttempt, LocateOptions, LocateResult } from '../symbols/store.js';
import { formatCodeId, leafName } from '../symbols/identity.js';
import { NO_SYMBOLS, breakpadSymbols, exportSymbols, pdbSymbols } from '../symbols/module-symbols.js';
import type { ModuleSymbols } from '../symbols/module-symbols.js';

/** Where a module's image bytes come from. */
export type ImageOrigin = 'dump' | 'file';

export interface LoadedImage {
  image: PeImage;
  origin: ImageOrigin;
  /** The file it was mapped from (origin 'file'). */
  path?: string;
}

/** What happened while loading one module, for `.reload`, `!sym noisy`, `lm` and `!lmi`. */
export interface ModuleLoadReport {
  image?: LoadedImage;
  imageMessage?: string;
  symbols: ModuleSymbols;
  symbolMessage?: string;
  /** The CodeView record used (from the dump's module record, else from the image's debug directory). */
  cv?: CodeViewRecord;
  attempts: LocateAttempt[];
  /** WinDbg-style warning lines printed the first time the module's symbols are needed. */
  warnings: string[];
}

export interface ResolverPaths {
  symbolPath: string;
  imagePath: string;
  offline?: boolean;
  signal?: AbortSignal;
  progress?: (message: string) => void;
}

/** Reads the dump's own memory only (images inside full-memory dumps). */
export type DumpMemoryRead = (addr: bigint, len: number) => Buffer;

/**
 * Finds a module's image (in dump memory, on the image path, on the symbol
 * path) and its symbols (PDB by GUID+age, Breakpad .sym, else the export table),
 * checking identities: a file with the wrong TimeDateStamp/SizeOfImage or
 * GUID/age is reported as a mismatch and never used.
 */
export async function loadModule(m: MinidumpModule, dumpRead: DumpMemoryRead, paths: ResolverPaths): Promise<ModuleLoadReport> {
  const attempts: LocateAttempt[] = [];
  const warnings: string[] = [];
  const opts: LocateOptions = { offline: paths.offline ?? false };
  if (paths.signal) opts.signal = paths.signal;
  if (paths.progress) {
    const progress = paths.progress;
    opts.http = { onProgress: (p) => progress(`SYMSRV:  ${p.file}: ${p.bytes}${p.total ? `/${p.total}` : ''} bytes, ${Math.round(p.rate / 1024)} KB/s${p.done ? ' - done' : ''}`) };
  }
  const report: ModuleLoadReport = { symbols: NO_SYMBOLS, attempts, warnings };
  const file = leafName(m.moduleName);

  // 1. The image: mapped in the dump (full-memory dumps) or a file found by identity.
  const inDump = imageFromDump(m, dumpRead);
  if (inDump) report.image = { image: inDump, origin: 'dump' };
  else {
    const codeId = formatCodeId(m.timeDateStamp, m.sizeOfImage);
    const elements = [...safeParse(paths.imagePath), ...safeParse(paths.symbolPath)];
    if (elements.length) {
      const r = await locateSymbolFile({ kind: 'image', name: file, key: codeId }, elements, opts);
      attempts.push(...r.attempts);
      if (r.status === 'found') {
        try {
          report.image = { image: PeImage.fromFile(r.path), origin: 'file', path: r.path };
        } catch (e) {
          report.imageMessage = `Unable to load image ${r.path}: ${(e as Error).message}`;
        }
      } else if (r.status === 'mismatch') {
        report.imageMessage = `Image ${r.path} does not match (TimeDateStamp/SizeOfImage differ from the dump's ${codeId}); not used`;
      }
    }
    if (!report.image && !report.imageMessage) report.imageMessage = `Unable to load image ${m.moduleName}, Win32 error 0n2`;
  }

  // 2. The CodeView record: from the dump, else from the image (Wine writes modules without one).
  const cv = m.cvRecord && m.cvRecord.format !== 'other' ? m.cvRecord : report.image?.image.codeView();
  if (cv && cv.format !== 'other') report.cv = cv;
  const symElements = safeParse(paths.symbolPath);
  const key = cv ? pdbKey(cv) : undefined;
  if (cv && key && cv.pdbFileName) {
    const pdbName = leafName(cv.pdbFileName);
    if (symElements.length) {
      const r = await locateSymbolFile({ kind: 'pdb', name: pdbName, key }, symElements, opts);
      attempts.push(...r.attempts);
      const loaded = tryPdb(r, report);
      if (loaded) return loaded;
      const rs = await locateSymbolFile({ kind: 'sym', name: pdbName, key, codeFile: file, codeId: formatCodeId(m.timeDateStamp, m.sizeOfImage) }, symElements, opts);
      attempts.push(...rs.attempts);
      if (rs.status === 'found') {
        try {
          report.symbols = breakpadSymbols(SymFile.loadSync(rs.path), rs.path);
          return report;
        } catch (e) {
          report.symbolMessage = `Unable to read ${rs.path}: ${(e as Error).message}`;
        }
      }
    }
    // WinDbg also tries the full path recorded in the CodeView record (builds on this machine).
    if (report.symbols.kind === 'none' && existsSync(cv.pdbFileName)) {
      const r = await locateSymbolFile({ kind: 'pdb', name: pdbName, key }, [{ kind: 'local', text: path.dirname(cv.pdbFileName), path: path.dirname(cv.pdbFileName) }], opts);
      const loaded = tryPdb(r, report);
      if (loaded) return loaded;
    }
  }
  if (report.image) {
    report.symbols = exportSymbols(report.image.image, file);
    warnings.push(`*** ERROR: Symbol file could not be found.  Defaulted to export symbols for ${file} - `);
  } else {
    warnings.push(`*** ERROR: Module load completed but symbols could not be loaded for ${file}`);
  }
  return report;
}

function tryPdb(r: LocateResult, report: ModuleLoadReport): ModuleLoadReport | undefined {
  if (r.status === 'found') {
    try {
      report.symbols = pdbSymbols(PdbFile.open(r.path), r.path);
      return report;
    } catch (e) {
      report.symbolMessage = `Unable to read ${r.path}: ${(e as Error).message}`;
    }
  } else if (r.status === 'mismatch') {
    report.symbolMessage = `${r.path} does not match the module (GUID/age ${r.identity.key}); not used`;
    report.warnings.push(`*** WARNING: Unable to verify checksum for ${r.path}`, `DBGHELP: ${r.path} - mismatched pdb`);
  }
  return undefined;
}

function safeParse(text: string): SymbolPathElement[] {
  if (!text.trim()) return [];
  try {
    return parseSymbolPath(text);
  } catch {
    return [];
  }
}

/**
 * A PE image mapped in the dump's memory (full-memory dumps, or dumps with
 * module headers and code): used when its headers are captured and its
 * TimeDateStamp and SizeOfImage match the module record.
 */
function imageFromDump(m: MinidumpModule, read: DumpMemoryRead): PeImage | undefined {
  const head = read(m.baseOfImage, 2);
  if (head.length < 2 || head.toString('latin1') !== 'MZ') return undefined;
  try {
    const img = PeImage.fromMemory(read, m.baseOfImage, m.moduleName);
    if (img.timeDateStamp !== m.timeDateStamp || img.sizeOfImage !== m.sizeOfImage) return undefined;
    // Mini dumps may hold only the header page: without .pdata or code the image is no use.
    const pdata = img.exceptionDirectory();
    if (pdata && pdata.size > 0 && read(m.baseOfImage + BigInt(pdata.rva), 12).length < 12) return undefined;
    return img;
  } catch {
    return undefined;
  }
}
