import { Text } from 'ink';
import type { UiState } from './state.js';
import type { Theme } from './theme.js';
import { fit } from './pane-data.js';

/** The last row: busy/progress, focus and the most useful keys. */
export function StatusBar({ state, width, theme }: { state: UiState; width: number; theme: Theme }) {
  const busy = state.busy ? `[${state.busy.command}${state.busy.progress ? ` ${state.busy.progress}` : ''}] ` : '';
  const keys = 'F1 keys  Tab pane  Enter select/run  F7 regs  F8 mem  Ctrl-C cancel  Ctrl-D quit';
  const text = `${busy}${state.prompt} [${state.focus}]  ${keys}`;
  return (
    <Text wrap="truncate-end" inverse={!theme.color} backgroundColor={theme.color ? 'blue' : undefined} color={theme.color ? 'white' : undefined}>
      {fit(text, width)}
    </Text>
  );
}
