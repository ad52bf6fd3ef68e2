/**
 * The expression evaluators (MASM `?`, C++ `??`, and every command that takes
 * an address expression) on garbage: random token soup, deep nesting, huge
 * numbers and long inputs end in an error sentence or a value, bounded in
 * time, never an internal error.
 */
import t from 'tap';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { rng } from '../fixtures/robustness/mutate.js';
import { crashLine } from '../fixtures/robustness/fuzz-case.js';
import { REPO, sessionFromFile } from '../fixtures/session.js';

const EXAMPLES = path.join(REPO, 'examples', 'dumps');
const DUMP = path.join(EXAMPLES, 'null-deref.dmp');
const CASES = Math.max(200, Math.floor(Number(process.env['FUZZ_CASES'] ?? 2000) / 4));
const SEED = Number(process.env['FUZZ_SEED'] ?? 20261121);

const TOKENS = [
  '0', '1', '0x10', '0n10', '0t17', '0y101', '18446744073709551615', '0xffffffffffffffffffffffff', '99999999999999999999999999', '1e10', '`', '00000001`40001000',
  '@rip', '@rsp', '@eax', '@$ip', '@$csp', '$ra', '@$t0', '@nosuch', 'rip', 'crashlab!main', 'crashlab!read_field', 'crashlab', 'nosuch!x', 'crashlab!*', 'ntdll!',
  '+', '-', '*', '/', '%', '<<', '>>', '&', '|', '^', '==', '!=', '<', '>', 'and', 'or', 'xor', 'mod', 'not', '~', '!', '?', ':', ',', '.', '->', '::', '[', ']',
  '(', ')', '(', ')', 'poi(', 'by(', 'wo(', 'dwo(', 'qwo(', 'hi(', 'low(', 'sizeof(', '(int)', '(char*)', '(customer*)', '(unsigned __int64)', 'L', 'l?', '"', "'", '\\', '${', '}', ';', '$$', '@@c++(', '@@masm(',
];

function randomExpr(pick: () => number): string {
  const r = pick();
  if (r < 0.05) return '('.repeat(1 + Math.floor(pick() * 20000)) + '1' + ')'.repeat(Math.floor(pick() * 20000));
  if (r < 0.1) return 'poi('.repeat(1 + Math.floor(pick() * 5000)) + '@rsp' + ')'.repeat(Math.floor(pick() * 5000));
  if (r < 0.13) return '-'.repeat(1 + Math.floor(pick() * 50000)) + '1';
  if (r < 0.16) return '1' + '+1'.repeat(Math.floor(pick() * 50000));
  if (r < 0.18) return 'f'.repeat(1 + Math.floor(pick() * 5000));
  const n = 1 + Math.floor(pick() * 12);
  const parts: string[] = [];
  for (let i = 0; i < n; i++) parts.push(TOKENS[Math.floor(pick() * TOKENS.length)] as string);
  return parts.join(pick() < 0.5 ? ' ' : '');
}

const COMMANDS = ['? ', '?? ', 'dq ', 'db ', 'da ', 'u ', 'ln ', '.formats ', 'dt crashlab!customer ', 'k = ', 'dps ', 'r @rax = ', '.frame '];

t.test('expression fuzz', { skip: existsSync(DUMP) ? false : 'no example dump' }, async (t) => {
  const s = sessionFromFile(DUMP, { symbolPath: EXAMPLES, imagePath: EXAMPLES });
  t.teardown(() => s.session.close());
  const pick = rng(SEED);
  const failures: string[] = [];
  let slowest = 0;
  for (let i = 0; i < CASES; i++) {
    const cmd = (COMMANDS[Math.floor(pick() * COMMANDS.length)] as string) + randomExpr(pick);
    const t0 = performance.now();
    let lines: string[];
    try {
      lines = await s.run(cmd);
    } catch (e) {
      failures.push(`${cmd.slice(0, 120)}: threw ${(e as Error).message}`);
      continue;
    }
    const ms = performance.now() - t0;
    slowest = Math.max(slowest, ms);
    const bad = crashLine(lines);
    if (bad) failures.push(`${cmd.slice(0, 120)} (${cmd.length} chars): ${bad}`);
    if (ms > 5000) failures.push(`${cmd.slice(0, 120)} (${cmd.length} chars): took ${ms.toFixed(0)} ms`);
  }
  t.comment(`${CASES} expressions, slowest ${slowest.toFixed(0)} ms`);
  t.same(failures.slice(0, 20), [], `no internal errors or slow cases (${failures.length})`);
});
