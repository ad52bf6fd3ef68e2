/**
 * What commands return. Commands never print: they return a CommandResult,
 * which batch mode renders as plain text (render-text.ts), `--json` prints as
 * JSON, and the ink UI renders with colour and feeds into its panes.
 */

/** A block of output lines. `text` is ordinary output; `error`/`warning` are coloured by the UI. */
export type Block =
  | { kind: 'text'; lines: string[] }
  | { kind: 'error'; lines: string[] }
  | { kind: 'warning'; lines: string[] }
  | { kind: 'explain'; lines: string[] };

export type BlockKind = Block['kind'];

/** JSON-safe structured data (bigints are turned into hex strings by toJson). */
export type ResultData = { type: string } & Record<string, unknown>;

export interface CommandResult {
  blocks: Block[];
  /** Structured form of the result: what --json prints and what UI panes read. */
  data?: ResultData;
  /** The command failed (bad syntax, missing stream, memory error). */
  failed?: boolean;
  /** The command changed session state (thread, frame, scope, paths): views should refresh. */
  stateChanged?: boolean;
  /** `q`: end the session after this command. */
  quit?: boolean;
  /** `.cls`: clear the screen/transcript. */
  clear?: boolean;
}

export function text(...lines: string[]): Block {
  return { kind: 'text', lines };
}

export function ok(lines: string[], data?: ResultData, extra: Partial<CommandResult> = {}): CommandResult {
  const r: CommandResult = { blocks: lines.length ? [{ kind: 'text', lines }] : [], ...extra };
  if (data) r.data = data;
  return r;
}

export function fail(lines: string[], data?: ResultData): CommandResult {
  const r: CommandResult = { blocks: [{ kind: 'error', lines }], failed: true };
  if (data) r.data = data;
  return r;
}

/** Appends blocks of `b` to `a` (used when one command runs several, e.g. `~*k`). */
export function concatResults(results: CommandResult[]): CommandResult {
  const out: CommandResult = { blocks: [] };
  for (const r of results) {
    out.blocks.push(...r.blocks);
    if (r.failed) out.failed = true;
    if (r.stateChanged) out.stateChanged = true;
    if (r.quit) out.quit = true;
  }
  return out;
}
