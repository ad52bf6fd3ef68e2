import { TextPane } from './TextPane.js';
import type { PaneContent } from './pane-data.js';
import type { PaneProps } from './pane-props.js';

/** Memory: the last `d*` display command, re-run when the state changes; opened with F8. */
export function MemoryPane(p: PaneProps<PaneContent<string>>) {
  return <TextPane id="memory" title={`Memory: ${p.content.command ?? ''}`} {...p} />;
}
