import t from 'tap';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * Import-direction guard (aesthetics.md, "Allowed import direction"):
 * bytes → formats → symbols/unwind → analysis → session → interpreter →
 * commands → ui/cli. A forbidden edge fails this test.
 */
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

type Layer = 'bytes' | 'formats' | 'symbols' | 'unwind' | 'analysis' | 'session' | 'results' | 'interpreter' | 'commands' | 'ui' | 'cli';

const ALLOWED: Record<Layer, Layer[]> = {
  bytes: [],
  formats: ['bytes'],
  symbols: ['formats', 'bytes'],
  unwind: ['formats', 'symbols', 'bytes'],
  // results/ imports nothing, so any layer may use its number formatting (hex.ts) without a cycle.
  analysis: ['unwind', 'symbols', 'formats', 'bytes', 'results'],
  session: ['analysis', 'unwind', 'symbols', 'formats', 'bytes', 'results'],
  results: [],
  interpreter: ['session', 'results', 'analysis', 'formats', 'bytes'],
  commands: ['interpreter', 'session', 'results', 'analysis', 'unwind', 'symbols', 'formats', 'bytes'],
  ui: ['results', 'interpreter'],
  cli: ['commands', 'ui', 'interpreter', 'session', 'results', 'analysis', 'unwind', 'symbols', 'formats', 'bytes'],
};

/** Packages a layer may not import (commands never render; formats never touch the terminal). */
const FORBIDDEN_PACKAGES: Partial<Record<Layer, RegExp>> = {
  bytes: /^(ink|react|minimist)$/,
  formats: /^(ink|react|minimist)$/,
  symbols: /^(ink|react|minimist)$/,
  unwind: /^(ink|react|minimist)$/,
  analysis: /^(ink|react|minimist)$/,
  session: /^(ink|react|minimist)$/,
  interpreter: /^(ink|react|minimist)$/,
  commands: /^(ink|react|minimist)$/,
};

function layerOf(file: string): Layer | undefined {
  const rel = path.relative(root, file).split(path.sep);
  if (rel[0] === 'commands') return 'commands';
  if (rel[0] !== 'src') return undefined;
  const l = rel[1];
  if (l === 'formats') return 'formats';
  return (Object.keys(ALLOWED) as Layer[]).find((x) => x === l);
}

function walk(dir: string): string[] {
  const out: string[] = [];
  for (const e of readdirSync(dir)) {
    const p = path.join(dir, e);
    if (statSync(p).isDirectory()) out.push(...walk(p));
    else if (/\.tsx?$/.test(e)) out.push(p);
  }
  return out;
}

/** Import specifiers of a file: static imports, re-exports and dynamic imports. */
export function importsOf(source: string): string[] {
  const specs: string[] = [];
  const re = /(?:^|\n)\s*(?:import|export)\s[^'"]*?from\s*['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)|(?:^|\n)\s*import\s*['"]([^'"]+)['"]/g;
  let m: RegExpExecArray | null;
  while ((m = re.exec(source))) specs.push((m[1] ?? m[2] ?? m[3])!);
  return specs;
}

const files = [...walk(path.join(root, 'src')), ...walk(path.join(root, 'commands'))];

t.test('every import goes down the layers', async (t) => {
  const violations: string[] = [];
  for (const f of files) {
    const from = layerOf(f);
    if (!from) continue;
    for (const spec of importsOf(readFileSync(f, 'utf8'))) {
      if (spec.startsWith('.')) {
        const to = layerOf(path.resolve(path.dirname(f), spec));
        if (!to || to === from) continue;
        if (!ALLOWED[from].includes(to)) violations.push(`${path.relative(root, f)} (${from}) imports ${spec} (${to})`);
      } else {
        const pkg = spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : spec.split('/')[0]!;
        if (FORBIDDEN_PACKAGES[from]?.test(pkg)) violations.push(`${path.relative(root, f)} (${from}) imports package ${pkg}`);
      }
    }
  }
  t.same(violations, [], 'no forbidden imports');
});

t.test('commands never print', async (t) => {
  const printing = files.filter((f) => layerOf(f) === 'commands' && /process\.(stdout|stderr)|console\.(log|error|warn)/.test(readFileSync(f, 'utf8')));
  t.same(printing.map((f) => path.relative(root, f)), []);
});

t.test('the guard sees a forbidden edge', async (t) => {
  // The checker itself must be able to fail: a formats file importing the session is caught.
  t.same(importsOf("import { Session } from '../../session/session.js';\nexport { x } from './y.js';"), ['../../session/session.js', './y.js']);
  const from = layerOf(path.join(root, 'src/formats/pe/x.ts'))!;
  const to = layerOf(path.resolve(root, 'src/formats/pe', '../../session/session.js'))!;
  t.equal(from, 'formats');
  t.equal(to, 'session');
  t.notOk(ALLOWED[from].includes(to));
});

t.test('the UI shares no module state with the bundled CLI', async (t) => {
  // The CLI runs as one bundle (src/cli/bundle.ts); the UI loads beside it as separate ES modules
  // (ink is ES-module only). A value import from another layer would give the UI its own copy of
  // that module and its state (explain's quiet set, the transcript sinks): only types, and the
  // stateless results/ helpers, may cross. What it needs at run time comes through the Dispatcher.
  const valueImport = /(?:^|\n)\s*import\s+(?!type\b)[^'"]*?from\s*['"](\.[^'"]+)['"]/g;
  const crossing: string[] = [];
  for (const f of files.filter((f) => layerOf(f) === 'ui')) {
    for (const m of readFileSync(f, 'utf8').matchAll(valueImport)) {
      const to = layerOf(path.resolve(path.dirname(f), m[1]!));
      if (to && to !== 'ui' && to !== 'results') crossing.push(`${path.relative(root, f)} imports ${m[1]} (${to})`);
    }
  }
  t.same(crossing, []);
  t.ok([..."import { quietly } from '../interpreter/explain.js';".matchAll(valueImport)].length === 1, 'the check sees a value import');
  t.ok([..."import type { Dispatcher } from '../interpreter/dispatch.js';".matchAll(valueImport)].length === 0, 'and lets a type import through');
});

t.test('the README command reference matches the command table', async (t) => {
  const { builtinCommands } = await import('../commands/index.js');
  const { commandReferenceMarkdown } = await import('../src/cli/docs.js');
  const readme = readFileSync(path.join(root, 'README.md'), 'utf8');
  t.ok(readme.includes(commandReferenceMarkdown(builtinCommands)), 'README.md is up to date (run `npm run docs`)');
  for (const c of builtinCommands) t.ok(c.examples && c.examples.length > 0, `${c.name} has an example`);
});
