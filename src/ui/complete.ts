/**
 * Tab completion for the command line: command names (from the command
 * table), module names, `module!symbol` and file paths. Gathering candidates
 * is separate from applying them, so both halves are testable.
 */
import { readdirSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import path from 'node:path';

export type CompletionKind = 'command' | 'module' | 'symbol' | 'file';

export interface Completion {
  /** The word being completed: input[start, end). */
  start: number;
  end: number;
  kind: CompletionKind;
  candidates: string[];
}

export interface WordAt {
  start: number;
  end: number;
  word: string;
  /** The word is a command token (first on the line, after `;` or a thread prefix). */
  isCommand: boolean;
  /** The command token of the word's command (`lmvm` for `lmvm ntd`). */
  command: string;
}

/** Commands whose arguments are file or directory paths. */
const PATH_COMMANDS = /^(\.opendump|\.logopen|\.logappend|\.sympath\+?|\.srcpath\+?|\.exepath\+?|\.dump|\$<|\$><|\$\$<|\.writemem|\.readmem|\.cd)$/i;

export function wordAt(input: string, cursor: number): WordAt {
  const before = input.slice(0, cursor);
  // `$<file` glues the path to the token; split it off so the path completes.
  const m = /(?:^|[\s;])([^\s;]*)$/.exec(before);
  let start = cursor - (m?.[1]?.length ?? 0);
  let word = input.slice(start, cursor);
  const glued = /^(\$\$?><?|\$<)(.*)$/.exec(word);
  if (glued) {
    start += glued[1]!.length;
    word = glued[2]!;
  }
  const lineStart = before.lastIndexOf(';') + 1;
  const head = before.slice(lineStart, start).replace(/^\s*~(?:\d+|\*|\.|#|~\[[0-9a-f]+\])\s*(?:e\s+)?/i, '');
  const isCommand = head.trim() === '' && !glued;
  const command = glued ? glued[1]! : (/^\s*(\S+)/.exec(head)?.[1] ?? '');
  return { start, end: cursor, word, isCommand, command };
}

export interface CandidateSources {
  commands: readonly string[];
  modules: readonly string[];
  /** `module!prefix` → full `module!name` symbols (may be slow: dispatches a command). */
  symbols?(module: string, prefix: string): Promise<string[]> | string[];
  /** Directory listing (tests pass a fake). */
  listDir?(dir: string): { name: string; dir: boolean }[];
}

function listDirFs(dir: string): { name: string; dir: boolean }[] {
  try {
    return readdirSync(dir).map((name) => {
      let d = false;
      try {
        d = statSync(path.join(dir, name)).isDirectory();
      } catch {
        d = false;
      }
      return { name, dir: d };
    });
  } catch {
    return [];
  }
}

function looksLikePath(word: string): boolean {
  return /[/\\]/.test(word) || word.startsWith('.') || word.startsWith('~');
}

/** Completions of file names for `word` (a path typed so far). */
export function fileCandidates(word: string, list: (dir: string) => { name: string; dir: boolean }[] = listDirFs): string[] {
  const expanded = word.startsWith('~/') ? path.join(homedir(), word.slice(2)) : word;
  const cut = Math.max(expanded.lastIndexOf('/'), expanded.lastIndexOf('\\'));
  const dirPart = cut >= 0 ? expanded.slice(0, cut + 1) : '';
  const base = cut >= 0 ? expanded.slice(cut + 1) : expanded;
  const typedDir = cut >= 0 ? word.slice(0, Math.max(word.lastIndexOf('/'), word.lastIndexOf('\\')) + 1) : '';
  return list(dirPart || '.')
    .filter((e) => e.name.startsWith(base) && (base.startsWith('.') || !e.name.startsWith('.')))
    .map((e) => typedDir + e.name + (e.dir ? '/' : ''))
    .sort();
}

export async function collectCompletion(input: string, cursor: number, src: CandidateSources): Promise<Completion> {
  const w = wordAt(input, cursor);
  const lower = w.word.toLowerCase();
  const base = { start: w.start, end: w.end };
  if (w.isCommand) {
    const names = [...new Set(src.commands)].filter((c) => c.toLowerCase().startsWith(lower)).sort();
    return { ...base, kind: 'command', candidates: names };
  }
  const bang = w.word.indexOf('!');
  if (bang > 0 && src.symbols) {
    const mod = w.word.slice(0, bang);
    const found = await src.symbols(mod, w.word.slice(bang + 1));
    return { ...base, kind: 'symbol', candidates: [...new Set(found.filter((s) => s.toLowerCase().startsWith(lower)))].sort() };
  }
  if (PATH_COMMANDS.test(w.command) || looksLikePath(w.word)) {
    return { ...base, kind: 'file', candidates: fileCandidates(w.word, src.listDir) };
  }
  const mods = [...new Set(src.modules)].filter((m) => m.toLowerCase().startsWith(lower)).sort();
  return { ...base, kind: 'module', candidates: mods };
}

function commonPrefix(list: readonly string[]): string {
  if (!list.length) return '';
  let p = list[0]!;
  for (const s of list) {
    let i = 0;
    while (i < p.length && i < s.length && p[i]!.toLowerCase() === s[i]!.toLowerCase()) i++;
    p = p.slice(0, i);
  }
  return p;
}

/** Applies a completion to the input line: the unique candidate, or the common prefix plus a hint listing them. */
export function applyCompletion(input: string, cursor: number, c: Completion): { input: string; cursor: number; hint: string | undefined } {
  const word = input.slice(c.start, c.end);
  const replace = (s: string) => {
    const next = input.slice(0, c.start) + s + input.slice(c.end);
    return { input: next, cursor: c.start + s.length };
  };
  if (!c.candidates.length) return { input, cursor, hint: `No ${c.kind} completions for '${word}'` };
  if (c.candidates.length === 1) {
    const only = c.candidates[0]!;
    const tail = c.kind === 'command' || (c.kind === 'file' && !only.endsWith('/')) ? ' ' : '';
    const after = input.slice(c.end);
    return { ...replace(only + (after.startsWith(' ') ? '' : tail)), hint: undefined };
  }
  const prefix = commonPrefix(c.candidates);
  const shown = c.candidates.slice(0, 30).join('  ') + (c.candidates.length > 30 ? `  … (${c.candidates.length})` : '');
  return { ...(prefix.length > word.length ? replace(prefix) : { input, cursor }), hint: shown };
}

/** `module!name` symbols in lines of `x` output (`00000001`40001e40 crashlab!read_field (...)`). */
export function symbolsInText(lines: readonly string[]): string[] {
  const out: string[] = [];
  for (const l of lines) {
    const m = /(?:^|\s)([\w.$@?-]+![^\s(]+)/.exec(l);
    if (m) out.push(m[1]!);
  }
  return out;
}
