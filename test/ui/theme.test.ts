import t from 'tap';
import { colorSupported, makeTheme } from '../../src/ui/theme.js';

t.test('colour follows the terminal and NO_COLOR', async (t) => {
  const tty = { isTTY: true, hasColors: () => true };
  t.equal(colorSupported({}, tty), true);
  t.equal(colorSupported({ NO_COLOR: '1' }, tty), false, 'NO_COLOR set: no colour');
  t.equal(colorSupported({ NO_COLOR: '' }, tty), true, 'an empty NO_COLOR does not count (no-color.org)');
  t.equal(colorSupported({ TERM: 'dumb' }, tty), false);
  t.equal(colorSupported({}, { isTTY: true, hasColors: () => false }), false, 'a terminal without colours');
  t.equal(colorSupported({}, { isTTY: false }), false);
  t.equal(colorSupported({ FORCE_COLOR: '1' }, { isTTY: false }), true);
  t.equal(colorSupported({ NO_COLOR: '1', FORCE_COLOR: '1' }, tty), false, 'NO_COLOR wins');
  const plain = makeTheme(false);
  t.same([plain.error, plain.warning, plain.title, plain.focusTitle, plain.prompt, plain.current], [undefined, undefined, undefined, undefined, undefined, undefined], 'no colour names at all');
  t.equal(makeTheme(true).error, 'red');
});
