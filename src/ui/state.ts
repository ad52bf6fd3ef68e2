/**
 * The UI's one reducer. Pure: keys and command results come in as actions;
 * what must happen outside (run a command, refresh panes, cancel, quit) goes
 * out through `outbox`, which the controller drains.
 */
import type { DispatchEntry } from '../interpreter/dispatch.js';
import type { CommandResult } from '../results/types.js';
import { escapeControl } from '../results/render-text.js';
import { bindingFor } from './keys.js';
import { computeLayout, contentRows, paneRects } from './layout.js';
import type { Layout, OpenPanes, Wants } from './layout.js';
import type { ListPaneId, PaneContents, PaneId } from './pane-data.js';
import { emptyContents, exceptionFrom, memoryFrom, modulesFrom, registersFrom, stackFrom, threadsFrom } from './pane-data.js';
import { applyCompletion } from './complete.js';
import type { Completion } from './complete.js';
import { searchHistory } from './history.js';

export type LineKind = 'prompt' | 'text' | 'error' | 'warning' | 'explain' | 'info';

export interface Line {
  kind: LineKind;
  text: string;
}

export interface ListView {
  selected: number;
  top: number;
}

export type Effect =
  /** Run a command line as if typed: echoed in the command window. */
  | { kind: 'run'; line: string; remember: boolean }
  | { kind: 'refresh' }
  | { kind: 'cancel' }
  | { kind: 'complete'; input: string; cursor: number }
  | { kind: 'saveHistory' }
  | { kind: 'quit' };

export interface SearchState {
  query: string;
  /** Index into history of the current match. */
  match: number | undefined;
}

export interface UiState {
  width: number;
  height: number;
  focus: PaneId;
  open: OpenPanes;
  prompt: string;
  transcript: Line[];
  /** Lines scrolled up from the bottom of the transcript (0 follows new output). */
  scrollBack: number;
  /** Columns the transcript is scrolled right (long lines). */
  scrollRight: number;
  input: string;
  cursor: number;
  history: string[];
  /** Position while walking the history with Up/Down (undefined: editing a new line). */
  historyPos: number | undefined;
  draft: string;
  search: SearchState | undefined;
  lastCommand: string;
  busy: { command: string; progress?: string } | undefined;
  /** One line under the input: completion candidates, a hint. */
  hint: string | undefined;
  panes: PaneContents;
  views: Record<ListPaneId, ListView>;
  /** The `d*` command the Memory pane shows. */
  memoryCommand: string;
  /** The frame `.frame` made current (index in the Stack pane); 0 after a thread or scope change. */
  currentFrame: number;
  outbox: Effect[];
  quitting: boolean;
}

export const LIST_PANES: readonly ListPaneId[] = ['threads', 'stack', 'exception', 'modules', 'registers', 'memory'];
/** Most lines the command window keeps. */
export const TRANSCRIPT_LIMIT = 200_000;

export type Action =
  | { type: 'resize'; width: number; height: number }
  | { type: 'key'; name: string }
  | { type: 'text'; text: string }
  | { type: 'commandStarted'; line: string; echo: boolean }
  | { type: 'commandFinished'; entries: DispatchEntry[]; prompt: string; echo: boolean }
  | { type: 'progress'; message: string }
  | { type: 'pane'; pane: ListPaneId; result: CommandResult; command: string }
  | { type: 'prompt'; prompt: string }
  | { type: 'completed'; completion: Completion; input: string; cursor: number }
  | { type: 'historyLoaded'; history: string[] }
  | { type: 'info'; lines: string[] }
  | { type: 'outboxTaken'; count: number };

export function initialState(width: number, height: number, prompt = '0:000>'): UiState {
  const view = (): ListView => ({ selected: 0, top: 0 });
  return {
    width,
    height,
    focus: 'command',
    open: { registers: false, memory: false },
    prompt,
    transcript: [],
    scrollBack: 0,
    scrollRight: 0,
    input: '',
    cursor: 0,
    history: [],
    historyPos: undefined,
    draft: '',
    search: undefined,
    lastCommand: '',
    busy: undefined,
    hint: undefined,
    panes: emptyContents(),
    views: { threads: view(), stack: view(), exception: view(), modules: view(), registers: view(), memory: view() },
    memoryCommand: 'dps @$csp',
    currentFrame: 0,
    outbox: [],
    quitting: false,
  };
}

/** Rows the short panes want (title + lines), once they have content. */
export function wantsOf(s: UiState): Wants {
  const w: Wants = {};
  for (const id of ['threads', 'exception', 'modules', 'registers'] as const) {
    const n = itemCount(s, id);
    if (n) w[id] = n + 1;
  }
  return w;
}

/** The layout for a state (its size, open panes and content). */
export function layoutOf(s: UiState): Layout {
  return computeLayout(s.width, s.height, s.open, wantsOf(s));
}

/** Panes on screen, in focus order. */
export function visiblePanes(s: UiState): PaneId[] {
  const rects = paneRects(layoutOf(s));
  const order: PaneId[] = ['command', 'threads', 'stack', 'exception', 'modules', 'registers', 'memory'];
  return order.filter((p) => rects.has(p));
}

/** Content rows of a pane in the current layout (0 when hidden). */
export function paneRows(s: UiState, id: PaneId): number {
  const r = paneRects(layoutOf(s)).get(id);
  return r ? contentRows(id, r.height) : 0;
}

export function itemCount(s: UiState, id: ListPaneId): number {
  const p = s.panes[id];
  return p.items.length || (p.error?.length ?? 0);
}

function clamp(n: number, lo: number, hi: number): number {
  return Math.max(lo, Math.min(hi, n));
}

/** Moves a list selection and scrolls so it stays visible. */
export function select(s: UiState, id: ListPaneId, index: number): UiState {
  const n = itemCount(s, id);
  const rows = Math.max(1, paneRows(s, id));
  const selected = clamp(index, 0, Math.max(0, n - 1));
  let top = s.views[id].top;
  if (selected < top) top = selected;
  if (selected >= top + rows) top = selected - rows + 1;
  top = clamp(top, 0, Math.max(0, n - rows));
  return { ...s, views: { ...s.views, [id]: { selected, top } } };
}

function emit(s: UiState, ...effects: Effect[]): UiState {
  return { ...s, outbox: [...s.outbox, ...effects] };
}

function appendLines(s: UiState, lines: Line[]): UiState {
  if (!lines.length) return s;
  let transcript = s.transcript.concat(lines);
  if (transcript.length > TRANSCRIPT_LIMIT) transcript = transcript.slice(transcript.length - TRANSCRIPT_LIMIT);
  // A reader scrolled up keeps their place; one at the bottom follows.
  const scrollBack = s.scrollBack > 0 ? Math.min(s.scrollBack + lines.length, maxScroll(s, transcript.length)) : 0;
  return { ...s, transcript, scrollBack };
}

function maxScroll(s: UiState, n = s.transcript.length): number {
  return Math.max(0, n - paneRows(s, 'command'));
}

/** Lines a command's result adds to the command window. */
export function entryLines(e: DispatchEntry, echo: boolean): Line[] {
  const out: Line[] = [];
  if (echo) out.push({ kind: 'prompt', text: escapeControl(`${e.prompt} ${e.command}`) });
  for (const b of e.result.blocks) for (const l of b.lines) out.push({ kind: b.kind, text: escapeControl(l) });
  return out;
}

function submit(s: UiState, typed: string): UiState {
  // An empty line repeats the last command, as in cdb.
  const line = typed.trim() === '' ? s.lastCommand : typed;
  const base = { ...s, input: '', cursor: 0, historyPos: undefined, draft: '', search: undefined, hint: undefined, scrollBack: 0, scrollRight: 0 };
  if (line.trim() === '') return appendLines(base, [{ kind: 'prompt', text: s.prompt }]);
  const history = typed.trim() === '' || s.history[s.history.length - 1] === line ? s.history : [...s.history, line];
  return emit({ ...base, history, lastCommand: line }, { kind: 'run', line, remember: true }, { kind: 'saveHistory' });
}

function editKey(s: UiState, name: string): UiState | undefined {
  const { input, cursor } = s;
  switch (name) {
    case 'left':
      return { ...s, cursor: Math.max(0, cursor - 1) };
    case 'right':
      return { ...s, cursor: Math.min(input.length, cursor + 1) };
    case 'ctrl-a':
      return { ...s, cursor: 0 };
    case 'ctrl-e':
      return { ...s, cursor: input.length };
    case 'backspace':
      return cursor > 0 ? { ...s, input: input.slice(0, cursor - 1) + input.slice(cursor), cursor: cursor - 1, hint: undefined } : s;
    case 'delete':
      return cursor < input.length ? { ...s, input: input.slice(0, cursor) + input.slice(cursor + 1), hint: undefined } : s;
    case 'ctrl-u':
      return { ...s, input: input.slice(cursor), cursor: 0 };
    case 'ctrl-k':
      return { ...s, input: input.slice(0, cursor) };
    case 'ctrl-w': {
      const before = input.slice(0, cursor).replace(/\S+\s*$/, '');
      return { ...s, input: before + input.slice(cursor), cursor: before.length };
    }
    case 'escape':
      return { ...s, hint: undefined };
  }
  return undefined;
}

function historyMove(s: UiState, delta: number): UiState {
  const n = s.history.length;
  if (!n) return s;
  const draft = s.historyPos === undefined ? s.input : s.draft;
  let pos = (s.historyPos ?? n) + delta;
  if (pos < 0) pos = 0;
  if (pos >= n) return { ...s, historyPos: undefined, input: draft, cursor: draft.length, draft: '' };
  const line = s.history[pos]!;
  return { ...s, historyPos: pos, draft, input: line, cursor: line.length };
}

function searchKey(s: UiState, name: string): UiState | undefined {
  const q = s.search;
  if (!q) return undefined;
  const matchLine = (x: SearchState) => (x.match !== undefined ? s.history[x.match]! : '');
  switch (name) {
    case 'ctrl-r': {
      const from = q.match === undefined ? s.history.length : q.match;
      const match = searchHistory(s.history, q.query, from - 1) ?? q.match;
      return { ...s, search: { ...q, match } };
    }
    case 'backspace': {
      const query = q.query.slice(0, -1);
      return { ...s, search: { query, match: query ? searchHistory(s.history, query, s.history.length - 1) : undefined } };
    }
    case 'enter': {
      const line = matchLine(q);
      return submit({ ...s, search: undefined }, line || s.input);
    }
    case 'escape':
    case 'ctrl-g':
    case 'ctrl-c':
      return { ...s, search: undefined };
    default: {
      // Any other key accepts the match into the line and is handled normally.
      const line = matchLine(q);
      const accepted = { ...s, search: undefined, input: line || s.input, cursor: (line || s.input).length };
      return name === 'left' || name === 'right' || name === 'home' || name === 'end' ? reduce(accepted, { type: 'key', name }) : accepted;
    }
  }
}

function focusMove(s: UiState, delta: number): UiState {
  const panes = visiblePanes(s);
  const i = panes.indexOf(s.focus);
  const next = panes[(i + delta + panes.length) % panes.length] ?? 'command';
  return { ...s, focus: next, hint: undefined };
}

function listKey(s: UiState, id: ListPaneId, action: string): UiState {
  const v = s.views[id];
  const page = Math.max(1, paneRows(s, id));
  switch (action) {
    case 'up':
      return select(s, id, v.selected - 1);
    case 'down':
      return select(s, id, v.selected + 1);
    case 'pageUp':
      return select(s, id, v.selected - page);
    case 'pageDown':
      return select(s, id, v.selected + page);
    case 'home':
      return select(s, id, 0);
    case 'end':
      return select(s, id, itemCount(s, id) - 1);
    case 'activate': {
      if (id === 'threads') {
        const t = s.panes.threads.items[v.selected];
        return t ? emit(s, { kind: 'run', line: `~${t.index}s`, remember: false }) : s;
      }
      if (id === 'stack') {
        const f = s.panes.stack.items[v.selected];
        return f ? emit(s, { kind: 'run', line: `.frame ${f.index.toString(16)}`, remember: false }) : s;
      }
      return s;
    }
  }
  return s;
}

function commandKey(s: UiState, action: string | undefined, name: string): UiState {
  switch (action) {
    case 'submit':
      return submit(s, s.input);
    case 'historyPrev':
      return historyMove(s, -1);
    case 'historyNext':
      return historyMove(s, 1);
    case 'reverseSearch':
      return { ...s, search: { query: '', match: undefined } };
    case 'complete':
      return s.input.trim() === '' ? focusMove(s, 1) : emit(s, { kind: 'complete', input: s.input, cursor: s.cursor });
    case 'scrollUp':
      return { ...s, scrollBack: Math.min(maxScroll(s), s.scrollBack + Math.max(1, paneRows(s, 'command') - 1)) };
    case 'scrollDown':
      return { ...s, scrollBack: Math.max(0, s.scrollBack - Math.max(1, paneRows(s, 'command') - 1)) };
    case 'scrollLeft':
      return { ...s, scrollRight: Math.max(0, s.scrollRight - 10) };
    case 'scrollRight':
      return { ...s, scrollRight: Math.min(s.scrollRight + 10, Math.max(0, ...s.transcript.slice(-2000).map((l) => l.text.length)) ) };
    case 'home':
      return s.input === '' ? { ...s, scrollBack: maxScroll(s) } : { ...s, cursor: 0 };
    case 'end':
      return s.input === '' ? { ...s, scrollBack: 0 } : { ...s, cursor: s.input.length };
  }
  return editKey(s, name) ?? s;
}

function globalKey(s: UiState, action: string, command: string | undefined): UiState {
  switch (action) {
    case 'focusNext':
      return focusMove(s, 1);
    case 'focusPrev':
      return focusMove(s, -1);
    case 'cancel':
      if (s.busy) return emit(s, { kind: 'cancel' });
      return { ...s, input: '', cursor: 0, historyPos: undefined, hint: s.input ? undefined : 'Ctrl-D or q (outside the command window) quits' };
    case 'quit':
      return emit({ ...s, quitting: true }, { kind: 'quit' });
    case 'refresh':
      return emit(s, { kind: 'refresh' });
    case 'toggleRegisters':
    case 'toggleMemory': {
      const pane = action === 'toggleRegisters' ? 'registers' : 'memory';
      const open = { ...s.open, [pane]: !s.open[pane] };
      const focus = !open[pane] && s.focus === pane ? 'command' : open[pane] ? pane : s.focus;
      return emit({ ...s, open, focus }, { kind: 'refresh' });
    }
    case 'command':
      return command ? emit(s, { kind: 'run', line: command, remember: false }) : s;
  }
  return s;
}

function onKey(s: UiState, name: string): UiState {
  if (s.focus === 'command' && s.search) {
    const r = searchKey(s, name);
    if (r) return r;
  }
  const b = bindingFor(name, s.focus);
  if (b && (b.scope === 'global' || b.action === 'quit')) return globalKey(s, b.action, b.command);
  if (s.focus === 'command') return commandKey(s, b?.action, name);
  if (b) return listKey(s, s.focus, b.action);
  return s;
}

function onText(s: UiState, text: string): UiState {
  // Printable keys in a list pane: `q` quits; anything else starts typing a command.
  const clean = text.replace(/[\r\n]+/g, ' ').replace(/[\u0000-\u001f\u007f]/g, '');
  if (!clean) return s;
  if (s.search) {
    const query = s.search.query + clean;
    return { ...s, search: { query, match: searchHistory(s.history, query, (s.search.match ?? s.history.length - 1)) ?? searchHistory(s.history, query, s.history.length - 1) } };
  }
  if (s.focus !== 'command') {
    if (clean === 'q') return reduce(s, { type: 'key', name: 'q' });
    s = { ...s, focus: 'command' };
  }
  const input = s.input.slice(0, s.cursor) + clean + s.input.slice(s.cursor);
  return { ...s, input, cursor: s.cursor + clean.length, historyPos: undefined, hint: undefined };
}

function onPane(s: UiState, pane: ListPaneId, result: CommandResult, command: string): UiState {
  const panes = { ...s.panes };
  switch (pane) {
    case 'threads': {
      panes.threads = threadsFrom(result, command);
      const next = { ...s, panes };
      // The Threads selection follows the current thread (`~3s` moves it).
      const cur = panes.threads.items.findIndex((t) => t.current);
      return select(next, 'threads', cur >= 0 ? cur : s.views.threads.selected);
    }
    case 'stack': {
      const before = s.panes.stack;
      panes.stack = stackFrom(result, command);
      const next = { ...s, panes };
      const fi = panes.stack.meta?.['frameIndex'];
      const sameThread = before.meta?.['threadIndex'] === panes.stack.meta?.['threadIndex'] && before.meta?.['scope'] === panes.stack.meta?.['scope'];
      const sel = typeof fi === 'number' ? fi : sameThread ? s.views.stack.selected : 0;
      const reset = { ...next, currentFrame: 0, views: { ...next.views, stack: { selected: 0, top: 0 } } };
      return select(sameThread ? next : reset, 'stack', sel);
    }
    case 'exception':
      panes.exception = exceptionFrom(result, s.panes.threads.items, command);
      break;
    case 'modules':
      panes.modules = modulesFrom(result, command);
      break;
    case 'registers':
      panes.registers = registersFrom(result, command);
      break;
    case 'memory':
      panes.memory = memoryFrom(result, command);
      break;
  }
  return select({ ...s, panes }, pane, s.views[pane].selected);
}

export function reduce(s: UiState, a: Action): UiState {
  switch (a.type) {
    case 'resize': {
      let next: UiState = { ...s, width: a.width, height: a.height };
      for (const id of LIST_PANES) next = select(next, id, next.views[id].selected);
      if (!visiblePanes(next).includes(next.focus)) next = { ...next, focus: 'command' };
      return { ...next, scrollBack: Math.min(next.scrollBack, maxScroll(next)) };
    }
    case 'key':
      return onKey(s, a.name);
    case 'text':
      return onText(s, a.text);
    case 'commandStarted': {
      const busy = { command: a.line };
      return { ...s, busy };
    }
    case 'commandFinished': {
      let next: UiState = { ...s, busy: undefined, prompt: a.prompt };
      if (a.entries.some((e) => e.result.clear)) next = { ...next, transcript: [], scrollBack: 0 };
      const lines = a.entries.filter((e) => !e.result.clear).flatMap((e) => entryLines(e, a.echo));
      next = appendLines(next, lines);
      // The Memory pane follows the last memory display command.
      const mem = [...a.entries].reverse().find((e) => e.result.data?.type === 'memory' && !e.result.failed);
      if (mem) next = { ...next, memoryCommand: mem.command.trim() };
      // `.frame N` (typed or from the Stack pane) moves the Stack selection and marks the frame.
      const frame = [...a.entries].reverse().find((e) => e.result.data?.type === 'frame' && typeof e.result.data['frameIndex'] === 'number');
      if (frame) {
        const fi = frame.result.data!['frameIndex'] as number;
        const at = next.panes.stack.items.findIndex((f) => f.index === fi);
        next = select({ ...next, currentFrame: fi }, 'stack', at >= 0 ? at : fi);
      }
      if (a.entries.some((e) => e.result.quit)) return emit({ ...next, quitting: true }, { kind: 'quit' });
      if (a.entries.some((e) => e.result.stateChanged) || (mem && next.open.memory)) next = emit(next, { kind: 'refresh' });
      return next;
    }
    case 'progress':
      return s.busy ? { ...s, busy: { ...s.busy, progress: escapeControl(a.message) } } : s;
    case 'pane':
      return onPane(s, a.pane, a.result, a.command);
    case 'prompt':
      return { ...s, prompt: a.prompt };
    case 'completed': {
      if (a.input !== s.input || a.cursor !== s.cursor) return s; // typed on meanwhile
      const r = applyCompletion(s.input, s.cursor, a.completion);
      return { ...s, input: r.input, cursor: r.cursor, hint: r.hint };
    }
    case 'historyLoaded':
      return { ...s, history: [...a.history, ...s.history] };
    case 'info':
      return appendLines(s, a.lines.map((text) => ({ kind: 'info' as const, text: escapeControl(text) })));
    case 'outboxTaken':
      return { ...s, outbox: s.outbox.slice(a.count) };
  }
}
