/**
 * Thread-prefix parsing for the dispatcher: `~` alone, `~N`, `~*`, `~.`,
 * `~#`, `~~[tid]` followed by the rest of the command (`s`, `k`, `e cmd`).
 */
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
  rest: string;
}

export function parseThreadPrefix(text: string): ThreadPrefix | undefined {
  const s = text.trim();
  if (!s.startsWith('~')) return undefined;
  let m: RegExpExecArray | null;
  if ((m = /^~~\[\s*(?:0x)?([0-9a-f`]+)\s*\]\s*/i.exec(s))) {
    return { threads: { kind: 'tid', value: parseInt(m[1]!.replace(/`/g, ''), 16) }, command: true, rest: s.slice(m[0].length) };
  }
  if ((m = /^~\s*(\d+)\s*/.exec(s))) return { threads: { kind: 'index', value: parseInt(m[1]!, 10) }, command: true, rest: s.slice(m[0].length) };
  if ((m = /^~\s*\*\s*/.exec(s))) return { threads: { kind: 'all' }, command: true, rest: s.slice(m[0].length) };
  if ((m = /^~\s*\.\s*/.exec(s))) return { threads: { kind: 'current' }, command: true, rest: s.slice(m[0].length) };
  if ((m = /^~\s*#\s*/.exec(s))) return { threads: { kind: 'event' }, command: true, rest: s.slice(m[0].length) };
  return { threads: { kind: 'all' }, command: false, rest: s.slice(1).trim() };
}

export { splitCommands } from './lexer.js';
