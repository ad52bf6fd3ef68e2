import type { MinidumpModule } from '../../src/formats/minidump/types.js';
import type { Target } from '../../src/session/target.js';

/**
 * Loads the modules an argument names before it is evaluated, so that
 * `mod!sym` resolves (modules load lazily: their symbols are empty until
 * ensureModule ran). `*!sym` and `!sym` load every module.
 */
export async function ensureSymbolsForText(t: Target, text: string): Promise<void> {
  // `mod!sym`, `*!sym` or `!sym`; not MASM's `!=`.
  const re = /(^|[^\w$@.])([A-Za-z_][\w.\-]*|\*)?!(?=[A-Za-z_?*])/g;
  for (const m of text.matchAll(re)) {
    const name = m[2];
    if (name === undefined || name === '*') {
      await t.ensureAllModules();
      return;
    }
    const mod = t.findModule(name);
    if (mod) await t.ensureModule(mod);
  }
}

/** The modules a `mod!pattern` module part selects: wildcards allowed, `*` = all. */
export function modulesMatching(t: Target, pattern: string, match: (text: string, pattern: string) => boolean): MinidumpModule[] {
  if (pattern === '*' || pattern === '') return [...t.modules()];
  return t.modules().filter((m) => match(t.moduleName(m), pattern));
}
