import type { PdbFile } from '../formats/pdb/pdb-file.js';
import type { PeImage } from '../formats/pe/image.js';
import type { SymFile } from '../formats/sym/index.js';

/** A symbol in one module, by RVA. */
export interface SymbolHit {
  name: string;
  rva: number;
  size?: number;
}

export interface SourceLine {
  file: string;
  line: number;
}

/**
 * What the debugger knows of one module's symbols, whatever their source
 * (PDB, Breakpad .sym, export table). Loaded lazily per module.
 */
export interface ModuleSymbols {
  kind: 'pdb' | 'sym' | 'export' | 'none';
  /** File the symbols came from, for `lm`/`lmv`. */
  path?: string;
  lookup(rva: number): SymbolHit | undefined;
  lineAt?(rva: number): SourceLine | undefined;
  symbols?(): Iterable<SymbolHit>;
  findByName?(name: string): SymbolHit | undefined;
  /** The PDB behind a 'pdb' provider (frame data, types). */
  pdb?: PdbFile;
  /** The .sym behind a 'sym' provider (STACK WIN/CFI). */
  sym?: SymFile;
}

export const NO_SYMBOLS: ModuleSymbols = { kind: 'none', lookup: () => undefined };

function hit(name: string, rva: number, size: number | undefined): SymbolHit {
  return size === undefined ? { name, rva } : { name, rva, size };
}

export function pdbSymbols(pdb: PdbFile, path: string): ModuleSymbols {
  return {
    kind: 'pdb',
    path,
    pdb,
    lookup: (rva) => {
      const s = pdb.lookup(rva);
      return s ? hit(s.name, s.rva, s.size) : undefined;
    },
    lineAt: (rva) => {
      const l = pdb.lineAt(rva);
      return l ? { file: l.file, line: l.line } : undefined;
    },
    symbols: () => pdb.symbols().map((s) => hit(s.name, s.rva, s.size)),
    findByName: (name) => {
      const s = pdb.findByName(name);
      return s ? hit(s.name, s.rva, s.size) : undefined;
    },
  };
}

export function breakpadSymbols(sym: SymFile, path: string): ModuleSymbols {
  return {
    kind: 'sym',
    path,
    sym,
    lookup: (rva) => {
      const s = sym.lookup(rva);
      return s ? hit(s.name, s.rva, s.size) : undefined;
    },
    lineAt: (rva) => {
      const l = sym.lineAt(rva);
      return l ? { file: l.file, line: l.line } : undefined;
    },
    symbols: () => sym.symbols().map((s) => hit(s.name, s.rva, s.size)),
    findByName: (name) => {
      const lower = name.toLowerCase();
      const s = sym.symbols().find((x) => x.name.toLowerCase() === lower || x.name.toLowerCase().startsWith(lower + '('));
      return s ? hit(s.name, s.rva, s.size) : undefined;
    },
  };
}

/** Export-table names, used when no PDB or .sym is found (WinDbg's "export symbols"). */
export function exportSymbols(image: PeImage, displayPath: string): ModuleSymbols {
  return {
    kind: 'export',
    path: displayPath,
    lookup: (rva) => {
      const m = image.exportAt(rva);
      return m ? { name: m.export.name, rva: m.export.rva } : undefined;
    },
    symbols: () => image.exports().filter((e) => !e.forwarder).map((e) => ({ name: e.name, rva: e.rva })),
    findByName: (name) => {
      const lower = name.toLowerCase();
      const e = image.exports().find((x) => !x.forwarder && x.name.toLowerCase() === lower);
      return e ? { name: e.name, rva: e.rva } : undefined;
    },
  };
}
