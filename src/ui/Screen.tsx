import { Box, Text } from 'ink';
import type { ReactNode } from 'react';
import { CommandPane } from './CommandPane.js';
import { ExceptionPane } from './ExceptionPane.js';
import { MemoryPane } from './MemoryPane.js';
import { ModulesPane } from './ModulesPane.js';
import { RegistersPane } from './RegistersPane.js';
import { StackPane } from './StackPane.js';
import { StatusBar } from './StatusBar.js';
import { ThreadsPane } from './ThreadsPane.js';
import type { PaneId } from './pane-data.js';
import { layoutOf } from './state.js';
import type { UiState } from './state.js';
import type { Theme } from './theme.js';

function pane(id: PaneId, s: UiState, width: number, height: number, theme: Theme): ReactNode {
  const focused = s.focus === id;
  if (id === 'command') return <CommandPane state={s} focused={focused} width={width} height={height} theme={theme} />;
  const common = { view: s.views[id], focused, width, height, theme };
  switch (id) {
    case 'threads':
      return <ThreadsPane content={s.panes.threads} modules={s.panes.modules.items} stack={s.panes.stack} {...common} />;
    case 'stack':
      return <StackPane content={s.panes.stack} currentFrame={s.currentFrame} {...common} />;
    case 'exception':
      return <ExceptionPane content={s.panes.exception} {...common} />;
    case 'modules':
      return <ModulesPane content={s.panes.modules} {...common} />;
    case 'registers':
      return <RegistersPane content={s.panes.registers} {...common} />;
    case 'memory':
      return <MemoryPane content={s.panes.memory} {...common} />;
  }
}

/** The whole screen for a state: bands of columns of panes, then the status line. Pure view. */
export function Screen({ state, theme }: { state: UiState; theme: Theme }) {
  const layout = layoutOf(state);
  return (
    <Box flexDirection="column" width={layout.width} height={layout.height} overflow="hidden">
      {layout.bands.map((band, b) => (
        <Box key={b} flexDirection="row" height={band.height} overflow="hidden">
          {band.columns.map((col, c) => (
            <Box key={c} flexDirection="row" height={band.height}>
              {c > 0 ? (
                <Box width={1} height={band.height} overflow="hidden">
                  <Text dimColor={theme.dim}>{Array.from({ length: band.height }, () => '│').join('\n')}</Text>
                </Box>
              ) : null}
              <Box flexDirection="column" width={col.width} height={band.height} overflow="hidden">
                {col.panes.map((p) => (
                  <Box key={p.id} height={p.height} width={col.width} overflow="hidden">
                    {pane(p.id, state, col.width, p.height, theme)}
                  </Box>
                ))}
              </Box>
            </Box>
          ))}
        </Box>
      ))}
      <StatusBar state={state} width={layout.width} theme={theme} />
    </Box>
  );
}
