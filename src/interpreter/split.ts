/**
 * Thread selection for the dispatcher and the `~` command, on top of the
 * lexer's selector parsing: `~` alone, `~N`, `~*`, `~.`, `~#`, `~~[tid]`,
 * followed by the rest of the command (`s`, `k`, `e cmd`).
 */
import { parseCommand } from './lexer.js';

export type ThreadSpec =
  | { kind: 'all'; value?: undefined }
  | { kind: 'current'; value?: undefined }
  | { kind: 'event'; value?: undefined }
  | { kind: 'index'; value: number }
  | { kind: 'tid'; value: number };

export interface ThreadPrefix {
  threads: ThreadSpec;
  /** True when a thread was named (`~3`, `~*`); false for a bare `~`. */
  command: boolean;
  /** `~*e cmd`: run per thread without the per-thread header. */
  execute: boolean;
  /** The command after the selector (`s`, `k`, `r rip`), or '' for none. */
  rest: string;
}

/** Parses a `~` selector; undefined when the text does not start with `~` or the selector is malformed/unsupported. */
export function parseThreadPrefix(text: string): ThreadPrefix | undefined {
  const s = text.trim();
  if (!s.startsWith('~')) return undefined;
  let p;
  try {
    p = parseCommand(s);
  } catch {
    return undefined;
  }
  const sel = p.prefix;
  const rest = p.command === '~' ? '' : p.command.startsWith('~') ? `${p.command.slice(1)}${p.args ? ` ${p.args}` : ''}` : `${p.command}${p.args ? ` ${p.args}` : ''}`;
  if (!sel) return { threads: { kind: 'all' }, command: false, execute: false, rest };
  let threads: ThreadSpec;
  switch (sel.kind) {
    case 'all':
    case 'current':
    case 'event':
      threads = { kind: sel.kind };
      break;
    case 'index':
      threads = { kind: 'index', value: sel.value ?? -1 };
      break;
    case 'tid':
      if (sel.value === undefined) return undefined;
      threads = { kind: 'tid', value: sel.value };
      break;
    default:
      return undefined; // `~[expr]` needs the evaluator: not supported as a selector yet
  }
  return { threads, command: true, execute: sel.execute, rest };
}

export { splitCommands } from './lexer.js';
