import { useEffect, useState } from 'react';
import { useStdout } from 'ink';

export interface Size {
  width: number;
  height: number;
}

/**
 * The screen size the UI lays out for: the terminal's columns, and its rows
 * minus one (a frame of exactly `rows` lines makes ink clear the whole
 * terminal on every update; one spare row lets it redraw in place). Fixed
 * sizes (tests) override.
 */
export function useTerminalSize(fixed?: Partial<Size>): Size {
  const { stdout } = useStdout();
  const measure = (): Size => ({
    width: fixed?.width ?? (stdout.columns || 80),
    height: fixed?.height ?? Math.max(1, (stdout.rows || 24) - 1),
  });
  const [size, setSize] = useState(measure);
  useEffect(() => {
    const onResize = () => setSize(measure());
    stdout.on('resize', onResize);
    return () => {
      stdout.off('resize', onResize);
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [stdout, fixed?.width, fixed?.height]);
  return size;
}
