/**
 * Colours, following the terminal: none when NO_COLOR is set (any value,
 * no-color.org), when the output cannot show colour, or with TERM=dumb.
 * Without colour, focus and selection still show through inverse video.
 */
export interface Theme {
  color: boolean;
  title: string | undefined;
  focusTitle: string | undefined;
  error: string | undefined;
  warning: string | undefined;
  prompt: string | undefined;
  dim: boolean;
  current: string | undefined;
}

export function colorSupported(env: NodeJS.ProcessEnv, stream: { isTTY?: boolean; hasColors?: () => boolean } | undefined): boolean {
  if (env['NO_COLOR'] !== undefined && env['NO_COLOR'] !== '') return false;
  if (env['TERM'] === 'dumb') return false;
  if (env['FORCE_COLOR'] !== undefined && env['FORCE_COLOR'] !== '0') return true;
  if (!stream?.isTTY) return false;
  return typeof stream.hasColors === 'function' ? stream.hasColors() : true;
}

export function makeTheme(color: boolean): Theme {
  return color
    ? { color, title: 'gray', focusTitle: 'cyan', error: 'red', warning: 'yellow', prompt: 'green', dim: true, current: 'green' }
    : { color, title: undefined, focusTitle: undefined, error: undefined, warning: undefined, prompt: undefined, dim: false, current: undefined };
}
