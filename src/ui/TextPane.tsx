import { ListPane } from './ListPane.js';
import type { ListRow } from './ListPane.js';
import { PaneFrame } from './PaneFrame.js';
import type { ListPaneId, PaneContent } from './pane-data.js';
import type { PaneProps } from './pane-props.js';
import { contentRows } from './layout.js';

export interface TextPaneProps extends PaneProps<PaneContent<string>> {
  id: ListPaneId;
  title: string;
}

/** A pane of text lines (Exception, Registers, Memory), scrolled like a list. */
export function TextPane({ id, title, content, view, focused, width, height, theme }: TextPaneProps) {
  const rows = contentRows(id, height);
  const err = content.error;
  const lines = err ?? content.items;
  const row = (i: number): ListRow => (err ? { text: lines[i]!, tone: 'error' } : { text: lines[i]! });
  return (
    <PaneFrame title={title} width={width} height={height} focused={focused} theme={theme}>
      <ListPane count={lines.length} row={row} top={view.top} selected={focused ? view.selected : undefined} focused={focused} width={width} rows={rows} theme={theme} />
    </PaneFrame>
  );
}
