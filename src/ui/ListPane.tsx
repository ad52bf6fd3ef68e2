import { Box, Text } from 'ink';
import type { Theme } from './theme.js';
import { fit } from './pane-data.js';

export interface ListRow {
  text: string;
  /** Colour role of the row. */
  tone?: 'error' | 'warning' | 'current' | 'dim';
}

export interface ListPaneProps {
  /** Number of rows the list has (only the visible ones are built). */
  count: number;
  /** Builds row `i` (called for visible rows only: virtualized). */
  row(i: number, width: number): ListRow;
  top: number;
  selected: number | undefined;
  focused: boolean;
  width: number;
  rows: number;
  theme: Theme;
}

/** A virtualized list: renders rows [top, top + rows) and pads with blank lines. */
export function ListPane({ count, row, top, selected, focused, width, rows, theme }: ListPaneProps) {
  const out = [];
  for (let k = 0; k < rows; k++) {
    const i = top + k;
    if (i >= count) {
      out.push(<Text key={k}>{' '.repeat(width)}</Text>);
      continue;
    }
    const r = row(i, width);
    const isSel = selected === i;
    const color = r.tone === 'error' ? theme.error : r.tone === 'warning' ? theme.warning : r.tone === 'current' ? theme.current : undefined;
    out.push(
      <Text key={k} wrap="truncate-end" inverse={isSel && focused} underline={isSel && !focused && !theme.color} color={color} bold={r.tone === 'current'} dimColor={r.tone === 'dim' && theme.dim}>
        {fit(r.text, width)}
      </Text>,
    );
  }
  return <Box flexDirection="column">{out}</Box>;
}
