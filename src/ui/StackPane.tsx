import { ListPane } from './ListPane.js';
import type { ListRow } from './ListPane.js';
import { PaneFrame } from './PaneFrame.js';
import type { FrameItem, PaneContent } from './pane-data.js';
import { frameRowText } from './pane-data.js';
import type { PaneProps } from './pane-props.js';
import { contentRows } from './layout.js';

/**
 * Stack of the current thread (from `kn`). The first column is the trust
 * marker: blank for frames unwound from the context, CFI or unwind info,
 * `~` for frame-pointer guesses, `?` for stack-scan guesses.
 */
export interface StackPaneProps extends PaneProps<PaneContent<FrameItem>> {
  /** The frame `.frame` made current. */
  currentFrame: number;
}

export function StackPane({ content, view, focused, width, height, theme, currentFrame }: StackPaneProps) {
  const rows = contentRows('stack', height);
  const err = content.error;
  const count = err ? err.length : content.items.length;
  const row = (i: number, w: number): ListRow => {
    if (err) return { text: err[i]!, tone: 'error' };
    const f = content.items[i]!;
    const tone = f.index === currentFrame && currentFrame !== 0 ? 'current' : f.trust === 'scan' ? 'dim' : undefined;
    return { text: frameRowText(f, w), ...(tone ? { tone } : {}) };
  };
  const th = content.meta?.['threadIndex'];
  const scope = content.meta?.['scope'];
  const title = `Stack${typeof th === 'number' ? ` of thread ${th}` : ''}${typeof scope === 'string' && scope !== 'thread' ? ` (${scope})` : ''}${content.items.length ? ` (${content.items.length})` : ''}${currentFrame ? ` frame ${currentFrame.toString(16)}` : ''}`;
  return (
    <PaneFrame title={title} width={width} height={height} focused={focused} theme={theme}>
      <ListPane count={count} row={row} top={view.top} selected={err ? undefined : view.selected} focused={focused} width={width} rows={rows} theme={theme} />
    </PaneFrame>
  );
}
