import type { CommandSpec } from '../../src/interpreter/command.js';
import { CommandError, requireTarget } from '../../src/interpreter/command.js';
import { formatSymbolic } from '../../src/session/symbolize.js';
import { ptr } from '../../src/results/hex.js';
import { ok } from '../../src/results/types.js';
import { evalArg } from '../common/expr.js';
import { ensureSymbolsForText } from '../common/symbol-args.js';
import { firstAfter, moduleSymbolList } from '../common/symbol-list.js';
import type { ListedSymbol } from '../common/symbol-list.js';

/** `mod!sym (<no parameter info>)` or `mod!sym = <no type information>` (the `Exact matches:` entries). */
export function symbolSignature(mod: string, s: Pick<ListedSymbol, 'name' | 'kind'>): string {
  return s.kind === 'function' ? `${mod}!${s.name} (<no parameter info>)` : `${mod}!${s.name} = <no type information>`;
}

export const lnCommand: CommandSpec = {
  name: 'ln',
  group: 'standard',
  syntax: 'ln Address',
  summary: 'Nearest symbols: the symbol at or before the address and the next one',
  help: 'Prints (start)   symbol+offset   |  (next start)   next symbol, then "Exact matches:" when the address\nis a symbol\'s start. No output when no symbol is near the address.',
  examples: ['ln @rip', 'ln poi(@rsp)', 'ln crashlab!main'],
  async run(ctx, inv) {
    const t = requireTarget(ctx);
    const arg = inv.args.trim();
    if (arg === '') {
      const pc = t.scopeContext()?.pc;
      if (pc === undefined) throw new CommandError('Numeric expression missing from \'<EOL>\'');
    }
    await ensureSymbolsForText(t, arg);
    const addr = arg === '' ? t.scopeContext()!.pc : evalArg(t, arg, inv.raw);
    await t.ensureForAddresses([addr]);
    const r = t.symbolize(addr);
    if (!r.module || !r.symbol || !r.moduleName) return ok([], { type: 'nearestSymbols', address: addr, found: false });
    const p = t.pointerSize;
    const base = r.module.baseOfImage;
    const rva = Number(addr - base);
    const start = base + BigInt(r.symbol.rva);
    const list = moduleSymbolList(t, r.module);
    const next = list[firstAfter(list, rva)];
    const src = r.line ? `[${r.line.file} @ ${r.line.line}] ` : '';
    let line = `${src}(${ptr(start, p)})   ${formatSymbolic(r)}`;
    if (next) line += `   |  (${ptr(base + BigInt(next.rva), p)})   ${r.moduleName}!${next.name}`;
    const lines = [line];
    const exact: string[] = [];
    if (r.displacement === 0n) {
      const here = list.filter((s) => s.rva === rva);
      const seen = new Set<string>();
      for (const s of here.length ? here : [{ name: r.symbol.name, rva, size: r.symbol.size, kind: 'function' as const, scope: 'pub' as const }]) {
        if (seen.has(s.name)) continue;
        seen.add(s.name);
        exact.push(symbolSignature(r.moduleName, s));
      }
      lines.push('Exact matches:', ...exact.map((e) => `    ${e}`));
    }
    return ok(lines, {
      type: 'nearestSymbols',
      address: addr,
      found: true,
      symbol: { module: r.moduleName, name: r.symbol.name, start, displacement: r.displacement },
      next: next ? { module: r.moduleName, name: next.name, start: base + BigInt(next.rva) } : undefined,
      exactMatches: exact,
      line: r.line,
    });
  },
};
