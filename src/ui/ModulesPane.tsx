import { ListPane } from './ListPane.js';
import type { ListRow } from './ListPane.js';
import { PaneFrame } from './PaneFrame.js';
import type { ModuleItem, PaneContent } from './pane-data.js';
import { moduleRowText } from './pane-data.js';
import type { PaneProps } from './pane-props.js';
import { contentRows } from './layout.js';

/** Modules: range, name and symbol status, as `lm` lists them. */
export function ModulesPane({ content, view, focused, width, height, theme }: PaneProps<PaneContent<ModuleItem>>) {
  const rows = contentRows('modules', height);
  const err = content.error;
  const count = err ? err.length : content.items.length;
  const row = (i: number, w: number): ListRow => (err ? { text: err[i]!, tone: 'error' } : { text: moduleRowText(content.items[i]!, w) });
  return (
    <PaneFrame title={`Modules (${content.items.length})`} width={width} height={height} focused={focused} theme={theme}>
      <ListPane count={count} row={row} top={view.top} selected={err ? undefined : view.selected} focused={focused} width={width} rows={rows} theme={theme} />
    </PaneFrame>
  );
}
