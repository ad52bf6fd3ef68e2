import type { Block, CommandResult } from './types.js';

// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u0008\u000a-\u001f\u007f-\u009f]/;

/** Escapes C0/C1 control characters (except tab) so text from a dump cannot drive the terminal. */
export function escapeControl(s: string): string {
  // eslint-disable-next-line no-control-regex
  return s.replace(/[\u0000-\u0008\u000a-\u001f\u007f-\u009f]/g, (c) => {
    const code = c.charCodeAt(0);
    return code < 0x100 ? `\\x${code.toString(16).padStart(2, '0')}` : c;
  });
}

export function blockLines(b: Block): string[] {
  return b.lines;
}

/** Plain text lines of a result, as cdb prints them. */
export function renderLines(r: CommandResult, opts: { explain?: boolean } = {}): string[] {
  const out: string[] = [];
  for (const b of r.blocks) {
    if (b.kind === 'explain' && !opts.explain) continue;
    // One test per block, on its lines joined by a tab (which is never escaped): most blocks
    // have nothing to escape, and `~*k` renders two thousand lines in a few hundred blocks
    // (a test per line measured 10M more instructions there, the join's string notwithstanding).
    if (!CONTROL.test(b.lines.join('\t'))) for (const line of b.lines) out.push(line);
    else for (const line of b.lines) out.push(escapeControl(line));
  }
  return out;
}

/** Converts a value to JSON-safe data: bigint → "0x..." hex string, Buffer → hex. */
export function toJsonValue(v: unknown): unknown {
  if (typeof v === 'bigint') return '0x' + v.toString(16);
  if (Buffer.isBuffer(v)) return v.toString('hex');
  if (Array.isArray(v)) return v.map(toJsonValue);
  if (v instanceof Map) return Object.fromEntries([...v.entries()].map(([k, x]) => [String(k), toJsonValue(x)]));
  if (v && typeof v === 'object') {
    const o: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) if (x !== undefined) o[k] = toJsonValue(x);
    return o;
  }
  return v;
}

/** One JSON record per command, as `--json` prints it. */
export function renderJson(command: string, r: CommandResult): string {
  const rec: Record<string, unknown> = { command, ok: !r.failed };
  if (r.data) rec['data'] = toJsonValue(r.data);
  const errors = r.blocks.filter((b) => b.kind === 'error').flatMap((b) => b.lines);
  if (errors.length) rec['error'] = errors.join('\n');
  rec['text'] = r.blocks.filter((b) => b.kind !== 'explain').flatMap((b) => b.lines);
  const notes = r.blocks.filter((b) => b.kind === 'explain').flatMap((b) => b.lines);
  if (notes.length) rec['explain'] = notes;
  return jsonSafe(JSON.stringify(rec));
}

/**
 * JSON.stringify leaves DEL and the C1 controls (U+007F–U+009F) raw; U+009B is
 * CSI to some terminals, so they are written as \u escapes (same JSON value).
 */
export function jsonSafe(json: string): string {
  // eslint-disable-next-line no-control-regex
  return json.replace(/[\u007f-\u009f]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/**
 * A failure outside any command (bad arguments, a dump that cannot be opened)
 * as a `--json` record of the same shape: ok false, `error` the sentence, and
 * `data.type` saying what failed (`usageError`, `openError`).
 */
export function renderJsonError(message: string, data: { type: string; [k: string]: unknown }, command = ''): string {
  return jsonSafe(JSON.stringify({ command, ok: false, data: toJsonValue(data), error: message, text: [message] }));
}
