import type { ExprEnv } from '../../src/interpreter/expr.js';
import { evaluate, isExprError, parseExpression } from '../../src/interpreter/expr.js';
import { formatExprError } from '../../src/interpreter/errors.js';
import { CommandError } from '../../src/interpreter/command.js';
import type { Target } from '../../src/session/target.js';
import { registerValue } from './registers.js';
import { pseudoRegister } from './pseudo.js';

/** Resolves `mod!sym`, `mod` (its base) or a bare symbol searched in every module. */
export function resolveSymbolName(t: Target, name: string): bigint | undefined {
  const bang = name.indexOf('!');
  if (bang < 0) {
    const m = t.findModule(name);
    if (m) return m.baseOfImage;
    for (const mod of t.modules()) {
      const hit = t.moduleSymbols(mod).findByName?.(name);
      if (hit) return mod.baseOfImage + BigInt(hit.rva);
    }
    return undefined;
  }
  const modName = name.slice(0, bang);
  const sym = name.slice(bang + 1);
  const mods = modName === '' || modName === '*' ? t.modules() : [t.findModule(modName)].filter((m) => m !== undefined);
  for (const m of mods) {
    if (!m) continue;
    const hit = t.moduleSymbols(m).findByName?.(sym);
    if (hit) return m.baseOfImage + BigInt(hit.rva);
  }
  return undefined;
}

/** The evaluator's view of a target: scope-aware registers, dump memory, symbols. */
export function exprEnv(t: Target | undefined): ExprEnv {
  return {
    pointerSize: t ? t.pointerSize : 8,
    register(name) {
      const c = t?.scopeContext();
      return c ? registerValue(c, name)?.value : undefined;
    },
    pseudoRegister(name) {
      return t ? pseudoRegister(t, name) : undefined;
    },
    readMemory(addr, size) {
      return t?.readPointer(addr, size);
    },
    symbol(name) {
      return t ? resolveSymbolName(t, name) : undefined;
    },
  };
}

/** Evaluates a whole argument as one expression; errors become WinDbg's error lines. */
export function evalArg(t: Target | undefined, text: string, commandText: string): bigint {
  try {
    return evaluate(text, exprEnv(t));
  } catch (e) {
    if (isExprError(e)) {
      const offsetInCommand = commandText.indexOf(text);
      const adjusted = Object.assign(Object.create(Object.getPrototypeOf(e)), e, { offset: e.offset + Math.max(0, offsetInCommand) });
      throw new CommandError(formatExprError(adjusted, commandText));
    }
    throw e;
  }
}

/**
 * Evaluates the expression at the start of `text`, returning the value and
 * the rest (for `dq ADDR L8`, `k = sp ip`): WinDbg ends an expression at white space
 * followed by something that cannot continue it.
 */
export function evalPrefix(t: Target | undefined, text: string, commandText: string): { value: bigint; rest: string } {
  try {
    const r = parseExpression(text, exprEnv(t));
    return { value: r.value, rest: text.slice(r.end).trim() };
  } catch (e) {
    if (isExprError(e)) {
      const offsetInCommand = commandText.indexOf(text);
      const adjusted = Object.assign(Object.create(Object.getPrototypeOf(e)), e, { offset: e.offset + Math.max(0, offsetInCommand) });
      throw new CommandError(formatExprError(adjusted, commandText));
    }
    throw e;
  }
}
