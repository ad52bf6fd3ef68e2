import t from 'tap';
import { computeLayout, contentRows, paneRects, stack } from '../../src/ui/layout.js';
import type { Rect } from '../../src/ui/layout.js';

const overlap = (a: Rect, b: Rect) => a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;

t.test('panes stay inside the screen and never overlap, from 80x24 to very wide', async (t) => {
  const sizes: [number, number][] = [];
  for (const w of [20, 40, 79, 80, 99, 100, 120, 150, 169, 170, 200, 300, 500]) for (const h of [6, 10, 23, 24, 39, 40, 59, 60, 120]) sizes.push([w, h]);
  let checked = 0;
  for (const [w, h] of sizes) {
    for (const open of [{ registers: false, memory: false }, { registers: true, memory: false }, { registers: true, memory: true }]) {
      const layout = computeLayout(w, h, open);
      const rects = [...paneRects(layout).entries()];
      t.ok(rects.some(([id]) => id === 'command'), `${w}x${h}: the command window is always there`);
      for (const [id, r] of rects) {
        if (!(r.x >= 0 && r.y >= 0 && r.x + r.width <= layout.width && r.y + r.height <= layout.statusRow && r.height >= 2 && r.width >= 1)) t.fail(`${w}x${h} ${id} out of bounds: ${JSON.stringify(r)}`);
      }
      for (let i = 0; i < rects.length; i++) for (let j = i + 1; j < rects.length; j++) if (overlap(rects[i]![1], rects[j]![1])) t.fail(`${w}x${h}: ${rects[i]![0]} overlaps ${rects[j]![0]}`);
      // Every band's columns fill the width exactly (with one separator column between them).
      for (const b of layout.bands) t.equal(b.columns.reduce((s, c) => s + c.width, 0) + b.columns.length - 1, layout.width, `${w}x${h} band width`);
      t.equal(layout.bands.reduce((s, b) => s + b.height, 0), layout.statusRow, `${w}x${h} bands fill the height above the status line`);
      checked++;
    }
  }
  t.equal(checked, sizes.length * 3);
});

t.test('80x24 shows every pane with content rows; 120x40 and 200x60 too', async (t) => {
  for (const [w, h] of [[80, 23], [120, 39], [200, 59]] as const) {
    const rects = paneRects(computeLayout(w, h, { registers: false, memory: false }));
    for (const id of ['command', 'threads', 'stack', 'exception', 'modules'] as const) {
      const r = rects.get(id);
      t.ok(r, `${w}x${h}: ${id} shown`);
      if (r) t.ok(contentRows(id, r.height) >= 2, `${w}x${h}: ${id} has ${contentRows(id, r.height)} content rows`);
    }
  }
  // 80 columns: two columns of list panes (39 + 1 + 40) above a full-width command window.
  const narrow = paneRects(computeLayout(80, 23, { registers: false, memory: false }));
  t.same(narrow.get('threads'), { x: 0, y: 0, width: 39, height: narrow.get('threads')!.height });
  t.equal(narrow.get('stack')!.x, 40);
  t.equal(narrow.get('command')!.width, 80);
  // 120 columns: the command window on the left; 200: three columns.
  const mid = paneRects(computeLayout(120, 39, { registers: false, memory: false }));
  t.equal(mid.get('command')!.x, 0);
  t.equal(mid.get('command')!.height, 38);
  t.equal(mid.get('threads')!.x, mid.get('command')!.width + 1);
  const wide = paneRects(computeLayout(200, 59, { registers: false, memory: false }));
  t.ok(wide.get('exception')!.x > wide.get('threads')!.x, 'three columns');
});

t.test('stack() splits rows by weight and drops panes that cannot get two rows', async (t) => {
  const s = stack(['threads', 'stack', 'exception', 'modules'], 38);
  t.equal(s.reduce((a, x) => a + x.height, 0), 38);
  t.ok(s.find((x) => x.id === 'stack')!.height > s.find((x) => x.id === 'exception')!.height, 'the stack gets more rows');
  t.same(stack(['threads', 'stack', 'exception'], 5).map((x) => x.id), ['threads', 'stack']);
  t.same(stack(['threads'], 0), []);
});

t.test('short panes give their spare rows to the Stack', async (t) => {
  const plain = stack(['threads', 'stack', 'exception', 'modules'], 38);
  const fitted = stack(['threads', 'stack', 'exception', 'modules'], 38, { threads: 5, exception: 4, modules: 40 });
  const h = (s: typeof plain, id: string) => s.find((x) => x.id === id)!.height;
  t.equal(h(fitted, 'threads'), 5, 'four threads + title');
  t.equal(h(fitted, 'exception'), 4);
  t.equal(h(fitted, 'modules'), h(plain, 'modules'), 'a long module list keeps its share');
  t.equal(h(fitted, 'stack'), 38 - 5 - 4 - h(plain, 'modules'), 'the stack gets the rest');
  t.equal(fitted.reduce((a, x) => a + x.height, 0), 38);
  // Narrow: threads and exception share a column without a Stack: the spare rows stay in the column.
  const col = stack(['threads', 'exception'], 12, { threads: 3, exception: 3 });
  t.equal(col.reduce((a, x) => a + x.height, 0), 12);
});
