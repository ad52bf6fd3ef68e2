import type { ListView } from './state.js';
import type { Theme } from './theme.js';

/** What every list pane component receives. */
export interface PaneProps<C> {
  content: C;
  view: ListView;
  focused: boolean;
  width: number;
  height: number;
  theme: Theme;
}
