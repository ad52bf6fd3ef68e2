/**
 * Pane layout for a terminal of a given size: bands (rows) of columns of
 * stacked panes, separated by one blank column. Pure, so tests can check that
 * panes never overlap or leave the screen at any size.
 */
import type { PaneId } from './pane-data.js';

export interface PaneSlot {
  id: PaneId;
  height: number;
}

export interface Column {
  width: number;
  panes: PaneSlot[];
}

export interface Band {
  height: number;
  columns: Column[];
}

export interface Layout {
  width: number;
  height: number;
  bands: Band[];
  /** The status line (always the last row). */
  statusRow: number;
}

export interface Rect {
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface OpenPanes {
  registers: boolean;
  memory: boolean;
}

/** Relative heights when panes share a column. */
const WEIGHT: Record<PaneId, number> = { command: 6, threads: 3, stack: 4, exception: 2, modules: 3, registers: 3, memory: 3 };
const MIN_PANE = 2;
export const MIN_WIDTH = 20;
export const MIN_HEIGHT = 6;

/** Rows a pane would like (title + content lines); panes with short, stable content give the rest away. */
export type Wants = Partial<Record<PaneId, number>>;

/** Panes whose spare rows go to a neighbour: their content is short and does not change with the thread. */
const CAPPED: readonly PaneId[] = ['threads', 'exception', 'modules', 'registers'];
/** Who receives spare rows first. */
const RECEIVERS: readonly PaneId[] = ['stack', 'command', 'memory', 'modules', 'threads', 'exception', 'registers'];

/**
 * Splits `total` rows among panes by weight, each at least MIN_PANE (fewer
 * panes when it cannot); then panes that want fewer rows than they got give
 * the rest to the Stack (or the next receiver in the column).
 */
export function stack(ids: PaneId[], total: number, wants: Wants = {}): PaneSlot[] {
  let list = [...ids];
  while (list.length > 1 && list.length * MIN_PANE > total) list = list.slice(0, -1);
  if (!list.length || total <= 0) return [];
  const sum = list.reduce((s, id) => s + WEIGHT[id], 0);
  const spare = total - list.length * MIN_PANE;
  const slots = list.map((id) => ({ id, height: MIN_PANE + Math.floor((spare * WEIGHT[id]) / sum) }));
  let left = total - slots.reduce((s, x) => s + x.height, 0);
  // Leftover rows go to the stack pane first (the one people read most), then in order.
  const order = [...slots].sort((a, b) => (a.id === 'stack' ? -1 : b.id === 'stack' ? 1 : 0));
  for (let i = 0; left > 0; i = (i + 1) % order.length, left--) order[i]!.height++;
  let surplus = 0;
  const capped = new Set<PaneId>();
  for (const sl of slots) {
    const w = wants[sl.id];
    if (w === undefined || !CAPPED.includes(sl.id)) continue;
    const want = Math.max(MIN_PANE, w);
    if (sl.height > want) {
      surplus += sl.height - want;
      sl.height = want;
      capped.add(sl.id);
    }
  }
  if (surplus) {
    const receiver = RECEIVERS.map((id) => slots.find((x) => x.id === id && !capped.has(id))).find((x) => x !== undefined) ?? slots[slots.length - 1]!;
    receiver.height += surplus;
  }
  return slots;
}

function column(width: number, ids: PaneId[], height: number, wants: Wants): Column {
  return { width, panes: stack(ids, height, wants) };
}

/**
 * Layout for `width` x `height` cells. Narrow terminals (under 100 columns)
 * put the list panes in two columns above the command window; wider ones put
 * the command window on the left; from 170 columns the list panes use two
 * columns beside it.
 */
export function computeLayout(width: number, height: number, open: OpenPanes, wants: Wants = {}): Layout {
  const w = Math.max(MIN_WIDTH, width);
  const h = Math.max(MIN_HEIGHT, height);
  const avail = h - 1;
  const extra: PaneId[] = [...(open.registers ? (['registers'] as const) : []), ...(open.memory ? (['memory'] as const) : [])];
  const bands: Band[] = [];
  if (w < 100) {
    const cmdH = Math.max(5, Math.ceil(avail * 0.45));
    const topH = avail - cmdH;
    const left = Math.floor((w - 1) / 2);
    const right = w - 1 - left;
    if (topH >= MIN_PANE) bands.push({ height: topH, columns: [column(left, ['threads', 'exception'], topH, wants), column(right, ['stack', 'modules'], topH, wants)] });
    const cmdBand = topH >= MIN_PANE ? cmdH : avail;
    if (extra.length && w >= 60) {
      const side = Math.floor(w * 0.4);
      bands.push({ height: cmdBand, columns: [column(w - 1 - side, ['command'], cmdBand, wants), column(side, extra, cmdBand, wants)] });
    } else bands.push({ height: cmdBand, columns: [column(w, ['command'], cmdBand, wants)] });
  } else if (w < 170) {
    // The list panes need about 60 columns (addresses and symbols); the command window gets the rest.
    const cmdW = w - 1 - Math.max(40, Math.min(64, Math.floor(w * 0.45)));
    bands.push({ height: avail, columns: [column(cmdW, ['command'], avail, wants), column(w - 1 - cmdW, ['threads', 'stack', 'exception', 'modules', ...extra], avail, wants)] });
  } else {
    const cmdW = Math.floor(w * 0.42);
    const rest = w - 2 - cmdW;
    const c2 = Math.floor(rest / 2);
    bands.push({
      height: avail,
      columns: [column(cmdW, ['command'], avail, wants), column(c2, ['threads', 'stack'], avail, wants), column(rest - c2, ['exception', 'modules', ...extra], avail, wants)],
    });
  }
  return { width: w, height: h, bands, statusRow: avail };
}

/** Screen rectangles of every pane in a layout. */
export function paneRects(layout: Layout): Map<PaneId, Rect> {
  const out = new Map<PaneId, Rect>();
  let y = 0;
  for (const band of layout.bands) {
    let x = 0;
    for (const col of band.columns) {
      let py = y;
      for (const p of col.panes) {
        out.set(p.id, { x, y: py, width: col.width, height: p.height });
        py += p.height;
      }
      x += col.width + 1;
    }
    y += band.height;
  }
  return out;
}

/** Rows a pane has for content (its height minus the title line; the command window also keeps one for input). */
export function contentRows(id: PaneId, height: number): number {
  return Math.max(0, height - 1 - (id === 'command' ? 1 : 0));
}
