import { TextPane } from './TextPane.js';
import type { PaneContent } from './pane-data.js';
import type { PaneProps } from './pane-props.js';

/** The dump's exception record: code and name, address, parameters decoded, faulting thread. */
export function ExceptionPane(p: PaneProps<PaneContent<string>>) {
  return <TextPane id="exception" title="Exception" {...p} />;
}
