import type { MinidumpModule } from '../../src/formats/minidump/types.js';
import type { ModuleSymbols } from '../../src/symbols/module-symbols.js';
import type { Target } from '../../src/session/target.js';

/** One symbol of a module as `x` and `ln` list it. */
export interface ListedSymbol {
  name: string;
  rva: number;
  size: number | undefined;
  /** Code or data: WinDbg prints `(<no parameter info>)` for functions, `= <no type information>` for data. */
  kind: 'function' | 'data';
  /** Private (module-stream procs, globals) or public (publics, exports, .sym). */
  scope: 'prv' | 'pub';
}

const cache = new WeakMap<ModuleSymbols, ListedSymbol[]>();

/**
 * Every symbol of a loaded module, sorted by RVA (call ensureModule first).
 * PDB publics and exports are classified code or data by their section.
 */
export function moduleSymbolList(t: Target, m: MinidumpModule): ListedSymbol[] {
  const syms = t.moduleSymbols(m);
  const hit = cache.get(syms);
  if (hit) return hit;
  const img = t.loadReport(m)?.image?.image;
  const isCode = (rva: number): boolean => {
    if (!img) return true;
    try {
      return img.isCodeRva(rva);
    } catch {
      return true;
    }
  };
  const out: ListedSymbol[] = [];
  if (syms.pdb) {
    for (const s of syms.pdb.symbols()) {
      if (s.kind === 'proc') out.push({ name: s.name, rva: s.rva, size: s.size, kind: 'function', scope: 'prv' });
      else if (s.kind === 'data') out.push({ name: s.name, rva: s.rva, size: s.size, kind: 'data', scope: 'prv' });
      else out.push({ name: s.name, rva: s.rva, size: s.size, kind: isCode(s.rva) ? 'function' : 'data', scope: 'pub' });
    }
  } else if (syms.symbols) {
    const fromSym = syms.kind === 'sym';
    for (const s of syms.symbols()) out.push({ name: s.name, rva: s.rva, size: s.size, kind: fromSym || isCode(s.rva) ? 'function' : 'data', scope: 'pub' });
  }
  out.sort((a, b) => a.rva - b.rva || a.name.localeCompare(b.name));
  cache.set(syms, out);
  return out;
}

/** Index of the first symbol with rva > `rva` (binary search), or list.length. */
export function firstAfter(list: readonly ListedSymbol[], rva: number): number {
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (list[mid]!.rva <= rva) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
