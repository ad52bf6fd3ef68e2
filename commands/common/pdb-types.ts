import type { MinidumpModule } from '../../src/formats/minidump/types.js';
import { typeStreamsOf } from '../../src/formats/pdb/tpi.js';
import type { TypeStream } from '../../src/formats/pdb/tpi.js';
import type { Target } from '../../src/session/target.js';
import { typedefType } from './symbol-types.js';

/** A named type found in a module's PDB. */
export interface FoundType { module: MinidumpModule; moduleName: string; types: TypeStream; ti: number; name: string }

/** Modules whose PDB is loaded, optionally one module by name; loads them when none is loaded yet. */
export async function pdbModules(t: Target, moduleName?: string): Promise<MinidumpModule[]> {
  if (moduleName !== undefined) {
    const m = t.findModule(moduleName);
    if (!m) return [];
    await t.ensureModule(m);
    return t.loadReport(m)?.symbols.pdb ? [m] : [];
  }
  const loaded = () => t.modules().filter((m) => t.loadReport(m)?.symbols.pdb);
  let mods = loaded();
  if (mods.length === 0) {
    await t.ensureAllModules();
    mods = loaded();
  }
  return mods;
}

export function moduleTypes(t: Target, m: MinidumpModule): TypeStream | undefined {
  const pdb = t.loadReport(m)?.symbols.pdb;
  return pdb ? typeStreamsOf(pdb.msf).tpi : undefined;
}

/** Splits `mod!Name` (mod optional). */
export function splitModuleName(text: string): { module?: string; name: string } {
  const bang = text.indexOf('!');
  return bang < 0 ? { name: text } : { module: text.slice(0, bang), name: text.slice(bang + 1) };
}

/**
 * Types matching `[mod!]pattern` (`*`, `?` wildcards, case-insensitive like
 * WinDbg's dt), definitions preferred over forward references, sorted by name.
 */
export async function findTypes(t: Target, spec: string): Promise<FoundType[]> {
  const { module, name } = splitModuleName(spec);
  const wild = /[*?]/.test(name);
  const re = new RegExp(`^${name.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.')}$`, 'i');
  const out: FoundType[] = [];
  for (const m of await pdbModules(t, module === '' || module === '*' ? undefined : module)) {
    const ts = moduleTypes(t, m);
    if (!ts) continue;
    if (!wild) {
      // A tag name first, then a typedef (S_UDT: `DWORD`, `OVERLAPPED`).
      const pdb = t.loadReport(m)?.symbols.pdb;
      const ti = ts.findByName(name) ?? (pdb ? typedefType(pdb, name) : undefined);
      if (ti !== undefined) out.push({ module: m, moduleName: t.moduleName(m), types: ts, ti, name });
      continue;
    }
    const names = [...ts.namesIndex().keys()].filter((n) => re.test(n)).sort();
    for (const n of names) {
      const ti = ts.findByName(n);
      if (ti !== undefined) out.push({ module: m, moduleName: t.moduleName(m), types: ts, ti, name: n });
    }
  }
  return out;
}
