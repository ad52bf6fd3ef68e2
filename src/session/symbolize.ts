import type { MinidumpModule } from '../formats/minidump/types.js';

import type { SourceLine, SymbolHit } from '../symbols/module-symbols.js';

export type { ModuleSymbols, SourceLine, SymbolHit } from '../symbols/module-symbols.js';

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
