/**
 * Key decoding and the binding table (Action → keys), built from the one key
 * table in src/results/keys.ts that `.help keys` and the README also print.
 */
import { KEY_TABLE } from '../results/keys.js';
import type { KeyAction, KeyBinding, KeyScope } from '../results/keys.js';
import type { PaneId } from './pane-data.js';

/** Action → the key names bound to it, per scope. */
export const BINDINGS: ReadonlyMap<KeyAction, readonly KeyBinding[]> = (() => {
  const m = new Map<KeyAction, KeyBinding[]>();
  for (const b of KEY_TABLE) m.set(b.action, [...(m.get(b.action) ?? []), b]);
  return m;
})();

function scopesFor(pane: PaneId): KeyScope[] {
  // Most specific first: Threads/Stack bindings, then lists or command window, then global.
  if (pane === 'command') return ['command', 'global'];
  if (pane === 'threads' || pane === 'stack') return [pane, 'lists', 'global'];
  return ['lists', 'global'];
}

/** The binding a key name has in a pane, if any. */
export function bindingFor(name: string, pane: PaneId, table: readonly KeyBinding[] = KEY_TABLE): KeyBinding | undefined {
  for (const scope of scopesFor(pane)) {
    const b = table.find((x) => x.scope === scope && x.keys.includes(name));
    if (b) return b;
  }
  return undefined;
}

/** A decoded key press: a named key (`tab`, `ctrl-c`, `f5`, `pageup`) or typed text. */
export type KeyEvent = { name: string } | { text: string };

const CSI_LETTER: Record<string, string> = { A: 'up', B: 'down', C: 'right', D: 'left', H: 'home', F: 'end', Z: 'shift-tab', P: 'f1', Q: 'f2', R: 'f3', S: 'f4' };
const CSI_TILDE: Record<string, string> = {
  '1': 'home', '2': 'insert', '3': 'delete', '4': 'end', '5': 'pageup', '6': 'pagedown', '7': 'home', '8': 'end',
  '11': 'f1', '12': 'f2', '13': 'f3', '14': 'f4', '15': 'f5', '17': 'f6', '18': 'f7', '19': 'f8', '20': 'f9', '21': 'f10', '23': 'f11', '24': 'f12',
};
const LINUX_CONSOLE_F: Record<string, string> = { A: 'f1', B: 'f2', C: 'f3', D: 'f4', E: 'f5' };

function modifierPrefix(param: string | undefined): string {
  // xterm modifier parameter: 1 + (shift 1 | alt 2 | ctrl 4).
  const m = param ? Number(param) - 1 : 0;
  if (!(m > 0)) return '';
  return `${m & 4 ? 'ctrl-' : ''}${m & 2 ? 'alt-' : ''}${m & 1 ? 'shift-' : ''}`;
}

/**
 * Decodes raw terminal input (one read; may hold several keys or pasted text)
 * into key events. Escape sequences: xterm/VT220 CSI and SS3 forms with
 * modifiers, and the Linux console's F1-F5. Unknown sequences are dropped,
 * never typed.
 */
export function decodeKeys(raw: string): KeyEvent[] {
  const out: KeyEvent[] = [];
  let text = '';
  const flush = () => {
    if (text) out.push({ text });
    text = '';
  };
  const push = (name: string) => {
    flush();
    out.push({ name });
  };
  let i = 0;
  while (i < raw.length) {
    const c = raw[i]!;
    const code = c.charCodeAt(0);
    if (c === '\u001b') {
      const rest = raw.slice(i + 1);
      let m: RegExpExecArray | null;
      if ((m = /^\[\[([A-E])/.exec(rest))) {
        push(LINUX_CONSOLE_F[m[1]!]!);
        i += 1 + m[0].length;
      } else if ((m = /^\[(\d*)(?:;(\d+))?([~A-Za-z])/.exec(rest))) {
        const [, num, mod, fin] = m;
        const base = fin === '~' ? CSI_TILDE[num ?? ''] : CSI_LETTER[fin!];
        // `ESC [ 1 ; 5 A`: the first number is a placeholder, the second the modifiers.
        if (base) push(base === 'shift-tab' ? base : modifierPrefix(mod) + base);
        i += 1 + m[0].length;
      } else if ((m = /^O([A-Za-z])/.exec(rest))) {
        const base = CSI_LETTER[m[1]!];
        if (base) push(base);
        i += 1 + m[0].length;
      } else if (rest.length && rest[0] !== '\u001b' && rest.charCodeAt(0) >= 0x20) {
        push(`alt-${rest[0]!}`);
        i += 2;
      } else {
        push('escape');
        i += 1;
      }
      continue;
    }
    if (c === '\r' || c === '\n') push('enter');
    else if (c === '\t') push('tab');
    else if (code === 0x7f || code === 0x08) push('backspace');
    else if (code === 0) push('ctrl-space');
    else if (code < 0x20) push(`ctrl-${String.fromCharCode(code + 0x60)}`);
    else if (code >= 0x80 && code < 0xa0) {
      // C1 controls are never typed.
    } else text += c;
    i++;
  }
  flush();
  return out;
}
