/**
 * Command history: persisted one command a line in the user's config dir
 * (`$XDG_CONFIG_HOME/dumpdbg/history`, else `~/.config/dumpdbg/history`).
 * Failures to read or write are silent: history is a convenience.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import path from 'node:path';

export const HISTORY_LIMIT = 1000;

export function historyPath(env: NodeJS.ProcessEnv = process.env): string {
  const base = env['XDG_CONFIG_HOME'] && path.isAbsolute(env['XDG_CONFIG_HOME']) ? env['XDG_CONFIG_HOME'] : path.join(env['HOME'] || homedir(), '.config');
  return path.join(base, 'dumpdbg', 'history');
}

export function loadHistory(file: string = historyPath()): string[] {
  try {
    return readFileSync(file, 'utf8')
      .split(/\r?\n/)
      .filter((l) => l.trim() !== '')
      .slice(-HISTORY_LIMIT);
  } catch {
    return [];
  }
}

export function saveHistory(lines: readonly string[], file: string = historyPath()): void {
  try {
    mkdirSync(path.dirname(file), { recursive: true });
    // One command a line: a command never holds a newline (the input line cannot), but be safe.
    const keep = lines.filter((l) => !/[\r\n]/.test(l)).slice(-HISTORY_LIMIT);
    writeFileSync(file, keep.join('\n') + (keep.length ? '\n' : ''), { mode: 0o600 });
  } catch {
    // A read-only home or a full disk must not disturb the session.
  }
}

/** Index of the newest history entry at or before `from` containing `query` (reverse search), or undefined. */
export function searchHistory(history: readonly string[], query: string, from: number): number | undefined {
  if (!query) return undefined;
  for (let i = Math.min(from, history.length - 1); i >= 0; i--) if (history[i]!.includes(query)) return i;
  return undefined;
}
