import { useApp } from 'ink';
import { useEffect, useReducer, useRef } from 'react';
import type { Dispatcher } from '../interpreter/dispatch.js';
import { Screen } from './Screen.js';
import { UiController } from './controller.js';
import { initialState, reduce } from './state.js';
import type { UiState } from './state.js';
import { makeTheme } from './theme.js';
import { useKeys } from './use-keys.js';
import { useTerminalSize } from './use-terminal-size.js';

export interface AppProps {
  dispatcher: Dispatcher;
  /** History file; null keeps history in memory (tests). */
  historyFile: string | null;
  color: boolean;
  /** Fixed screen size (tests); by default the terminal's. */
  width?: number;
  height?: number;
  /** Called with the controller once it exists (tests wait on controller.idle()). */
  onController?(c: UiController): void;
}

/** The terminal UI: one reducer, a controller that runs its effects, and the Screen view. */
export function App({ dispatcher, historyFile, color, width, height, onController }: AppProps) {
  const { exit } = useApp();
  const size = useTerminalSize({ ...(width !== undefined ? { width } : {}), ...(height !== undefined ? { height } : {}) });
  const [state, dispatch] = useReducer(reduce, undefined, () => initialState(size.width, size.height, dispatcher.session.prompt()));
  const stateRef = useRef<UiState>(state);
  stateRef.current = state;
  const controller = useRef<UiController | undefined>(undefined);
  if (!controller.current) {
    controller.current = new UiController({ dispatcher, dispatch, state: () => stateRef.current, historyFile, onQuit: () => exit() });
  }

  useEffect(() => {
    const c = controller.current!;
    onController?.(c);
    void c.start();
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);

  useEffect(() => {
    if (size.width !== state.width || size.height !== state.height) dispatch({ type: 'resize', width: size.width, height: size.height });
  }, [size.width, size.height, state.width, state.height]);

  useEffect(() => {
    if (!state.outbox.length) return;
    const effects = state.outbox;
    dispatch({ type: 'outboxTaken', count: effects.length });
    controller.current!.handle(effects);
  }, [state.outbox]);

  useKeys((e) => dispatch('name' in e ? { type: 'key', name: e.name } : { type: 'text', text: e.text }), !state.quitting);

  return <Screen state={state} theme={makeTheme(color)} />;
}
