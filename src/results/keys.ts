/**
 * The terminal UI's key table as plain data: the UI builds its bindings from
 * it, `.help keys` prints it and the README documents it. One table, so the
 * three cannot drift apart.
 */

/** Where a binding applies: everywhere, in the command window, or in the list panes. */
export type KeyScope = 'global' | 'command' | 'lists' | 'threads' | 'stack';

export type KeyAction =
  | 'focusNext'
  | 'focusPrev'
  | 'up'
  | 'down'
  | 'pageUp'
  | 'pageDown'
  | 'home'
  | 'end'
  | 'activate'
  | 'cancel'
  | 'quit'
  | 'historyPrev'
  | 'historyNext'
  | 'reverseSearch'
  | 'complete'
  | 'submit'
  | 'scrollUp'
  | 'scrollDown'
  | 'toggleRegisters'
  | 'toggleMemory'
  | 'refresh'
  | 'command'
  | 'edit'
  | 'scrollLeft'
  | 'scrollRight';

export interface KeyBinding {
  /** Key names as the UI decodes them: `tab`, `shift-tab`, `ctrl-c`, `f5`, `pageup`, `q`. */
  keys: readonly string[];
  scope: KeyScope;
  action: KeyAction;
  /** For action `command`: the command line the key runs (through the dispatcher, like typed). */
  command?: string;
  description: string;
}

export const KEY_TABLE: readonly KeyBinding[] = [
  { keys: ['tab'], scope: 'global', action: 'focusNext', description: 'Focus the next pane (in the command window: complete when the input line is not empty)' },
  { keys: ['shift-tab'], scope: 'global', action: 'focusPrev', description: 'Focus the previous pane' },
  { keys: ['ctrl-c'], scope: 'global', action: 'cancel', description: 'Cancel the running command (a symbol download); else clear the input line' },
  { keys: ['ctrl-d'], scope: 'global', action: 'quit', description: 'Quit' },
  { keys: ['f1'], scope: 'global', action: 'command', command: '.help keys', description: 'Show this key table' },
  { keys: ['f2'], scope: 'global', action: 'command', command: 'kn', description: 'Stack of the current thread (kn)' },
  { keys: ['f3'], scope: 'global', action: 'command', command: '.ecxr', description: 'Switch to the exception context (.ecxr)' },
  { keys: ['f4'], scope: 'global', action: 'command', command: '!analyze -v', description: 'Analyze the crash (!analyze -v)' },
  { keys: ['f5'], scope: 'global', action: 'refresh', description: 'Refresh every pane' },
  { keys: ['f6'], scope: 'global', action: 'command', command: 'lm', description: 'List modules (lm)' },
  { keys: ['f7'], scope: 'global', action: 'toggleRegisters', description: 'Open or close the Registers pane' },
  { keys: ['f8'], scope: 'global', action: 'toggleMemory', description: 'Open or close the Memory pane (follows the last d* command; dps @$csp at first)' },
  { keys: ['f9'], scope: 'global', action: 'command', command: '~*kn', description: 'Stacks of all threads (~*kn)' },
  { keys: ['enter'], scope: 'command', action: 'submit', description: 'Run the input line (an empty line repeats the last command)' },
  { keys: ['up'], scope: 'command', action: 'historyPrev', description: 'Previous command from the history (kept across runs)' },
  { keys: ['down'], scope: 'command', action: 'historyNext', description: 'Next command from the history' },
  { keys: ['ctrl-r'], scope: 'command', action: 'reverseSearch', description: 'Search the history backwards (again: older match; Enter runs, Esc keeps the line)' },
  { keys: ['tab'], scope: 'command', action: 'complete', description: 'Complete a command name, module name, module!symbol or file path' },
  { keys: ['pageup'], scope: 'command', action: 'scrollUp', description: 'Scroll the command output up a page' },
  { keys: ['pagedown'], scope: 'command', action: 'scrollDown', description: 'Scroll the command output down a page' },
  { keys: ['shift-left', 'alt-left'], scope: 'command', action: 'scrollLeft', description: 'Scroll the command output left (long lines are cut at the pane edge)' },
  { keys: ['shift-right', 'alt-right'], scope: 'command', action: 'scrollRight', description: 'Scroll the command output right' },
  { keys: ['home'], scope: 'command', action: 'home', description: 'Cursor to the start of the input line; on an empty line: top of the output' },
  { keys: ['end'], scope: 'command', action: 'end', description: 'Cursor to the end of the input line; on an empty line: bottom of the output' },
  { keys: ['left', 'right'], scope: 'command', action: 'edit', description: 'Move the cursor in the input line' },
  { keys: ['ctrl-a', 'ctrl-e'], scope: 'command', action: 'edit', description: 'Cursor to the start / end of the input line' },
  { keys: ['backspace', 'delete'], scope: 'command', action: 'edit', description: 'Delete the character before / under the cursor' },
  { keys: ['ctrl-u', 'ctrl-k', 'ctrl-w'], scope: 'command', action: 'edit', description: 'Delete to the start of the line / to the end / the word before the cursor' },
  { keys: ['escape'], scope: 'command', action: 'edit', description: 'Hide the completion list' },
  { keys: ['up'], scope: 'lists', action: 'up', description: 'Select the previous line' },
  { keys: ['down'], scope: 'lists', action: 'down', description: 'Select the next line' },
  { keys: ['pageup'], scope: 'lists', action: 'pageUp', description: 'Move the selection up a page' },
  { keys: ['pagedown'], scope: 'lists', action: 'pageDown', description: 'Move the selection down a page' },
  { keys: ['home'], scope: 'lists', action: 'home', description: 'Select the first line' },
  { keys: ['end'], scope: 'lists', action: 'end', description: 'Select the last line' },
  { keys: ['q'], scope: 'lists', action: 'quit', description: 'Quit (outside the command window)' },
  { keys: ['enter'], scope: 'threads', action: 'activate', command: '~Ns', description: 'Make the selected thread current (~Ns)' },
  { keys: ['enter'], scope: 'stack', action: 'activate', command: '.frame N', description: 'Select the frame (.frame N)' },
];

const SCOPE_TITLES: Record<KeyScope, string> = {
  global: 'Anywhere',
  command: 'Command window',
  lists: 'Threads, Stack, Exception, Modules, Registers, Memory panes',
  threads: 'Threads pane',
  stack: 'Stack pane',
};

/** Display form of a key name: `shift-tab` → `Shift-Tab`, `f5` → `F5`. */
export function keyLabel(key: string): string {
  return key
    .split('-')
    .map((p, i, all) => (/^f\d+$/.test(p) ? p.toUpperCase() : p === 'pageup' ? 'PageUp' : p === 'pagedown' ? 'PageDown' : p.length === 1 ? (all.length > 1 && i > 0 ? p.toUpperCase() : p) : p[0]!.toUpperCase() + p.slice(1)))
    .join('-');
}

/** The table as text lines, grouped by scope (what `.help keys` prints). */
export function keyTableLines(table: readonly KeyBinding[] = KEY_TABLE): string[] {
  const lines: string[] = ['Terminal UI keys (dumpdbg without --plain on a terminal):'];
  for (const scope of Object.keys(SCOPE_TITLES) as KeyScope[]) {
    const rows = table.filter((b) => b.scope === scope);
    if (!rows.length) continue;
    lines.push('', `${SCOPE_TITLES[scope]}:`);
    for (const b of rows) lines.push(`  ${b.keys.map(keyLabel).join(' / ').padEnd(20)} ${b.description}`);
  }
  return lines;
}

/** The table as Markdown rows (for the README). */
export function keyTableMarkdown(table: readonly KeyBinding[] = KEY_TABLE): string[] {
  const lines = ['| Key | Where | Action |', '|---|---|---|'];
  for (const b of table) lines.push(`| ${b.keys.map((k) => '`' + keyLabel(k) + '`').join(' / ')} | ${SCOPE_TITLES[b.scope]} | ${b.description.replace(/\|/g, '\\|')} |`);
  return lines;
}
