import { ListPane } from './ListPane.js';
import type { ListRow } from './ListPane.js';
import { PaneFrame } from './PaneFrame.js';
import type { FrameItem, ModuleItem, PaneContent, ThreadItem } from './pane-data.js';
import { threadRowText } from './pane-data.js';
import type { PaneProps } from './pane-props.js';
import { contentRows } from './layout.js';

/** Threads: index, TID, pc (or "no context"), name; `.` marks the current thread, `#` the event thread. */
export interface ThreadsPaneProps extends PaneProps<PaneContent<ThreadItem>> {
  modules: readonly ModuleItem[];
  stack: PaneContent<FrameItem>;
}

export function ThreadsPane({ content, view, focused, width, height, theme, modules, stack }: ThreadsPaneProps) {
  // The Stack pane's thread gets its real top frame (with symbols when kn has them).
  const stackThread = stack.meta?.['scope'] === 'thread' || stack.meta?.['scope'] === undefined ? stack.meta?.['threadIndex'] : undefined;
  const top = stack.items[0]?.callSite;
  const rows = contentRows('threads', height);
  const err = content.error;
  const count = err ? err.length : content.items.length;
  const row = (i: number, w: number): ListRow => {
    if (err) return { text: err[i]!, tone: 'error' };
    const t = content.items[i]!;
    return { text: threadRowText(t, w, modules, t.index === stackThread ? top : undefined), ...(t.current ? { tone: 'current' as const } : {}) };
  };
  const cur = content.items.find((t) => t.current);
  const title = `Threads (${content.items.length})${cur ? ` current ${cur.index}` : ''}`;
  return (
    <PaneFrame title={title} width={width} height={height} focused={focused} theme={theme}>
      <ListPane count={count} row={row} top={view.top} selected={err ? undefined : view.selected} focused={focused} width={width} rows={rows} theme={theme} />
    </PaneFrame>
  );
}
