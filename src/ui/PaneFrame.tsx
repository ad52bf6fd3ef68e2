import { Box, Text } from 'ink';
import type { ReactNode } from 'react';
import type { Theme } from './theme.js';
import { fit } from './pane-data.js';

export interface PaneFrameProps {
  title: string;
  width: number;
  height: number;
  focused: boolean;
  theme: Theme;
  children?: ReactNode;
}

/** A pane: one title line (inverse when focused) over exactly `height - 1` rows of content. */
export function PaneFrame({ title, width, height, focused, theme, children }: PaneFrameProps) {
  const head = fit(`${focused ? '▶' : '─'} ${title} `.padEnd(width, '─'), width);
  return (
    <Box flexDirection="column" width={width} height={height} overflow="hidden">
      <Text wrap="truncate-end" inverse={focused} bold={focused} color={focused ? theme.focusTitle : theme.title}>
        {head}
      </Text>
      {children}
    </Box>
  );
}
