import { TextPane } from './TextPane.js';
import type { PaneContent } from './pane-data.js';
import type { PaneProps } from './pane-props.js';

/** Registers of the current thread and frame scope (`r`); opened with F7. */
export function RegistersPane(p: PaneProps<PaneContent<string>>) {
  return <TextPane id="registers" title="Registers" {...p} />;
}
