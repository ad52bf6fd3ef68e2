#!/usr/bin/env node
// Compiles memory-sweep.c to WebAssembly and writes ../memory-sweep-wasm.ts (the bytes, base64).
// Needs clang with the wasm32 target and wasm-ld (Debian: clang, lld). Run it after editing the C
// file; test/formats/minidump/memory-sweep.test.ts checks the generated file belongs to the source.
//
//   node src/formats/minidump/wasm/build-memory-sweep.mjs
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const SOURCE = path.join(HERE, 'memory-sweep.c');
const OUTPUT = path.join(HERE, '..', 'memory-sweep-wasm.ts');

/** The clang command line, also recorded in the generated file. */
export const CLANG_ARGS = ['--target=wasm32', '-Os', '-nostdlib', '-ffreestanding', '-Wall', '-Wextra', '-Werror', '-Wl,--no-entry', '-Wl,--strip-all', '-Wl,-z,stack-size=4096'];

export function clangVersion() {
  return execFileSync('clang', ['--version'], { encoding: 'utf8' }).split('\n')[0].trim();
}

export function sourceHash() {
  return createHash('sha256').update(readFileSync(SOURCE)).digest('hex');
}

/** The module's bytes as this machine's clang builds them. */
export function compile() {
  const dir = mkdtempSync(path.join(tmpdir(), 'memory-sweep-'));
  try {
    const out = path.join(dir, 'memory-sweep.wasm');
    execFileSync('clang', [...CLANG_ARGS, '-o', out, SOURCE], { stdio: ['ignore', 'ignore', 'inherit'] });
    return readFileSync(out);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export function generatedText(bytes) {
  const b64 = bytes.toString('base64');
  const lines = b64.match(/.{1,100}/g) ?? [];
  return `// GENERATED FILE - DO NOT EDIT.
// Written by src/formats/minidump/wasm/build-memory-sweep.mjs from wasm/memory-sweep.c:
//   clang ${CLANG_ARGS.join(' ')}
// ${clangVersion()}
// source sha256 ${sourceHash()}
// Re-run the script after editing the C file; test/formats/minidump/memory-sweep.test.ts checks.

/** memory-sweep.c as a WebAssembly module (${bytes.length} bytes), base64. */
export const MEMORY_SWEEP_WASM =
${lines.map((l, i) => `  '${l}'${i === lines.length - 1 ? ';' : ' +'}`).join('\n')}
`;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const bytes = compile();
  writeFileSync(OUTPUT, generatedText(bytes));
  process.stdout.write(`wrote ${path.relative(process.cwd(), OUTPUT)} (${bytes.length} bytes of WebAssembly)\n`);
}
