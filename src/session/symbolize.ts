import type { MinidumpModule } from '../formats/minidump/types.js';

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
 * What the session knows of one module's symbols, whatever their source
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
}

/** An address resolved for display. */
export interface ResolvedAddress {
  address: bigint;
  module?: MinidumpModule;
  moduleName?: string;
  symbol?: SymbolHit;
  /** From the symbol start when `symbol` is set, else from the module base, else the address itself. */
  displacement: bigint;
  line?: SourceLine;
}

/** `mod!sym+0x12` / `mod!sym` / `mod+0x1234` / undefined (no module). */
export function formatSymbolic(r: ResolvedAddress, opts: { padOffsetTo?: number; noPrefix?: boolean } = {}): string | undefined {
  if (!r.moduleName) return undefined;
  const off = (d: bigint) => {
    const h = d.toString(16);
    const padded = opts.padOffsetTo ? h.padStart(opts.padOffsetTo, '0') : h;
    return opts.noPrefix ? padded : `0x${padded}`;
  };
  if (r.symbol) return r.displacement === 0n && !opts.padOffsetTo ? `${r.moduleName}!${r.symbol.name}` : `${r.moduleName}!${r.symbol.name}+${off(r.displacement)}`;
  return `${r.moduleName}+${off(r.displacement)}`;
}
