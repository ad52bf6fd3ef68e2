import { Box, Text } from 'ink';
import { PaneFrame } from './PaneFrame.js';
import type { Line, UiState } from './state.js';
import type { Theme } from './theme.js';
import { fit } from './pane-data.js';
import { contentRows } from './layout.js';

export interface CommandPaneProps {
  state: UiState;
  focused: boolean;
  width: number;
  height: number;
  theme: Theme;
}

function lineColor(l: Line, theme: Theme): string | undefined {
  switch (l.kind) {
    case 'error':
      return theme.error;
    case 'warning':
      return theme.warning;
    case 'prompt':
      return theme.prompt;
    default:
      return undefined;
  }
}

/** The visible window of an input line: the part around the cursor that fits. */
export function inputWindow(prefix: string, input: string, cursor: number, width: number): { before: string; at: string; after: string } {
  const room = Math.max(1, width - prefix.length - 1);
  let start = 0;
  if (cursor > room - 1) start = cursor - room + 1;
  const shown = input.slice(start, start + room);
  const c = cursor - start;
  return { before: prefix + shown.slice(0, c), at: shown[c] ?? ' ', after: shown.slice(c + 1) };
}

/**
 * The command window: the transcript (virtualized: only the visible lines are
 * rendered), an optional hint line, and the input line with the prompt.
 */
export function CommandPane({ state, focused, width, height, theme }: CommandPaneProps) {
  const rows = contentRows('command', height);
  const hint = state.hint !== undefined || state.busy !== undefined;
  const tRows = Math.max(0, rows - (hint ? 1 : 0));
  const end = state.transcript.length - state.scrollBack;
  const start = Math.max(0, end - tRows);
  const visible = state.transcript.slice(start, end);
  const pad = tRows - visible.length;
  const scrolled = [state.scrollBack ? `back ${state.scrollBack} lines` : '', state.scrollRight ? `right ${state.scrollRight} columns` : ''].filter(Boolean).join(', ');
  const title = `Command${scrolled ? ` (scrolled ${scrolled})` : ''}`;
  const search = state.search;
  const prefix = search
    ? `(reverse-i-search)'${search.query}': `
    : `${state.busy ? '*BUSY*' : state.prompt} `;
  const inputText = search ? (search.match !== undefined ? (state.history[search.match] ?? '') : '') : state.input;
  const cursor = search ? inputText.length : state.cursor;
  const win = inputWindow(prefix, inputText, cursor, width);
  const hintText = state.busy ? `Running ${state.busy.command}${state.busy.progress ? `: ${state.busy.progress}` : ''}  (Ctrl-C cancels)` : (state.hint ?? '');
  return (
    <PaneFrame title={title} width={width} height={height} focused={focused} theme={theme}>
      <Box flexDirection="column">
        {Array.from({ length: pad }, (_, i) => (
          <Text key={`p${i}`}>{' '.repeat(width)}</Text>
        ))}
        {visible.map((l, i) => (
          <Text key={start + i} wrap="truncate-end" color={lineColor(l, theme)} dimColor={(l.kind === 'explain' || l.kind === 'info') && theme.dim}>
            {fit(state.scrollRight ? [...l.text].slice(state.scrollRight).join('') : l.text, width)}
          </Text>
        ))}
        {hint ? (
          <Text wrap="truncate-end" color={state.busy ? theme.warning : undefined} dimColor={!state.busy && theme.dim}>
            {fit(hintText, width)}
          </Text>
        ) : null}
        {rows >= 0 ? (
          <Text wrap="truncate-end">
            <Text color={theme.prompt}>{win.before}</Text>
            <Text inverse={focused}>{win.at}</Text>
            <Text>{win.after}</Text>
          </Text>
        ) : null}
      </Box>
    </PaneFrame>
  );
}
