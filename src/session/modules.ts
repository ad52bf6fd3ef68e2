import path from 'node:path';
import type { MinidumpModule } from '../formats/minidump/types.js';

/**
 * WinDbg's module name: the file name without its extension, with characters
 * that cannot appear in a symbol name turned into '_' (msvcrt-ruby220.dll →
 * msvcrt_ruby220). Dump paths are Windows paths on every host, hence path.win32.
 */
export function moduleBaseName(fullPath: string): string {
  const file = path.win32.basename(fullPath);
  const stem = file.includes('.') ? file.slice(0, file.lastIndexOf('.')) : file;
  return (stem || file).replace(/[^A-Za-z0-9_]/g, '_');
}

export function moduleFileName(fullPath: string): string {
  return path.win32.basename(fullPath);
}

/**
 * Names for all modules of a dump. Duplicate names get the base address
 * appended (`foo_7ff60000`), as WinDbg does, so `mod!sym` stays unambiguous.
 */
export function moduleNames(modules: readonly MinidumpModule[]): string[] {
  const names = modules.map((m) => moduleBaseName(m.moduleName));
  const counts = new Map<string, number>();
  for (const n of names) counts.set(n.toLowerCase(), (counts.get(n.toLowerCase()) ?? 0) + 1);
  return names.map((n, i) => ((counts.get(n.toLowerCase()) ?? 0) > 1 && i > names.findIndex((x) => x.toLowerCase() === n.toLowerCase()) ? `${n}_${modules[i]!.baseOfImage.toString(16)}` : n));
}
