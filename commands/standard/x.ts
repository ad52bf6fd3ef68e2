import { wildcardMatch } from '../../src/interpreter/expr.js';
import type { CommandSpec } from '../../src/interpreter/command.js';
import { CommandError, requireTarget } from '../../src/interpreter/command.js';
import { ptr } from '../../src/results/hex.js';
import { ok } from '../../src/results/types.js';
import { modulesMatching } from '../common/symbol-args.js';
import { moduleSymbolList } from '../common/symbol-list.js';
import type { ListedSymbol } from '../common/symbol-list.js';
import { symbolSignature } from './ln.js';
import { xTypedLine } from '../common/symbol-types.js';

export type XStyle = 'default' | 'verbose' | 'address' | 'name' | 'addressName';

/** WinDbg's name match: wildcards, case-insensitive, a leading `_` matches any number of underscores. */
export function symbolNameMatches(name: string, pattern: string): boolean {
  if (wildcardMatch(name, pattern)) return true;
  return pattern.startsWith('_') && wildcardMatch(name.replace(/^_+/, ''), pattern.replace(/^_+/, ''));
}

export interface XRow {
  address: bigint;
  module: string;
  name: string;
  kind: ListedSymbol['kind'];
  scope: ListedSymbol['scope'];
  size: number | undefined;
}

export function xLine(r: XRow, style: XStyle, ptrSize: number): string {
  const a = ptr(r.address, ptrSize);
  const full = `${r.module}!${r.name}`;
  const sig = symbolSignature(r.module, r);
  switch (style) {
    case 'address':
      return a;
    case 'name':
      return full;
    case 'addressName':
      return `${a}          ${full}`;
    case 'verbose':
      return `${r.scope} ${(r.kind === 'function' ? 'func' : 'global').padEnd(6)} ${a} ${(r.size ?? 0).toString(16).padStart(4)} ${sig}`;
    default:
      return `${a} ${sig}`;
  }
}

export const xCommand: CommandSpec = {
  name: 'x',
  group: 'standard',
  syntax: 'x [/v] [/t] [/0|/1|/2] Module!Pattern',
  summary: 'Examine symbols: every symbol matching a wildcard pattern (* and ?), sorted by address',
  help: 'The module part may be a wildcard too (`*!CreateFileW`). Functions print (<no parameter info>),\ndata prints = <no type information>. /v adds prv/pub, func/global and the size; /0 addresses only,\n/1 names only, /2 address and name.',
  examples: ['x crashlab!*deref*', 'x *!CreateFileW', 'x /v crashlab!main', 'x /2 ntdll!Rtl*Heap*'],
  async run(ctx, inv) {
    const t = requireTarget(ctx);
    let text = inv.args.trim();
    let style: XStyle = 'default';
    let typed = false;
    for (let m = /^\/(\w)\s*/.exec(text); m; m = /^\/(\w)\s*/.exec(text)) {
      const o = m[1]!;
      if (o === 'v') style = 'verbose';
      else if (o === '0') style = 'address';
      else if (o === '1') style = 'name';
      else if (o === '2') style = 'addressName';
      else if (o === 't') typed = true;
      else if (!'tfdaAnNzZpq'.includes(o)) throw new CommandError(`       ^ Syntax error in '${inv.raw}'`);
      text = text.slice(m[0].length);
    }
    if (text === '' || /\s/.test(text)) throw new CommandError(`       ^ Syntax error in '${inv.raw}'`);
    const bang = text.indexOf('!');
    const modPattern = bang < 0 ? '*' : text.slice(0, bang);
    const symPattern = bang < 0 ? text : text.slice(bang + 1);
    const mods = modulesMatching(t, modPattern, wildcardMatch);
    const rows: XRow[] = [];
    for (const m of mods) {
      await t.ensureModule(m);
      const name = t.moduleName(m);
      for (const s of moduleSymbolList(t, m)) {
        if (symbolNameMatches(s.name, symPattern)) rows.push({ address: m.baseOfImage + BigInt(s.rva), module: name, name: s.name, kind: s.kind, scope: s.scope, size: s.size });
      }
    }
    rows.sort((a, b) => (a.address < b.address ? -1 : a.address > b.address ? 1 : a.name.localeCompare(b.name)));
    // /t: private types from the PDB (x /t mod!*), the usual line when a symbol has none.
    const line = (r: XRow) => (typed && style === 'default' ? xTypedLine(t, r) : undefined) ?? xLine(r, style, t.pointerSize);
    return ok(rows.map(line), { type: 'symbols', pattern: text, symbols: rows });
  },
};
