/** The terminal UI over a hostile dump: names and comments with escape sequences reach the screen escaped. */
import t from 'tap';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { render } from 'ink-testing-library';
import { App } from '../../src/ui/App.js';
import type { UiController } from '../../src/ui/controller.js';
import { sessionFromBuffer } from '../fixtures/session.js';
import { hostileDump } from '../fixtures/robustness/hostile.js';

const delay = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** Ink's own SGR colour codes are the only escapes allowed on screen (colour is off here anyway). */
// eslint-disable-next-line no-control-regex
const stripSgr = (s: string) => s.replace(/\u001b\[[0-9;]*m/g, '');
// eslint-disable-next-line no-control-regex
const RAW = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/;

t.test('UI panes and command window escape dump strings', async (t) => {
  const { dispatcher, session } = sessionFromBuffer(hostileDump(), 'hostile.dmp');
  t.teardown(() => session.close());
  const dir = mkdtempSync(path.join(tmpdir(), 'dumpdbg-ui-hostile-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  let controller: UiController | undefined;
  const r = render(<App dispatcher={dispatcher} historyFile={path.join(dir, 'history')} color={false} width={140} height={40} onController={(c) => (controller = c)} />);
  t.teardown(() => r.unmount());
  const screen = () => stripSgr(r.lastFrame() ?? '');
  for (let i = 0; i < 300 && !/Modules \(\d+\)/.test(screen()); i++) await delay(20);
  await controller?.idle();
  // Every frame ink wrote, not only the last one.
  r.stdin.write('lmv\r');
  for (let i = 0; i < 300 && !/Image name/.test(screen()); i++) await delay(20);
  await controller?.idle();
  await delay(100);
  const frames = r.frames.map(stripSgr);
  t.ok(frames.length > 0, 'frames rendered');
  t.match(screen(), /Modules \(2\)/);
  t.match(frames.join('\n'), /\\x1b\[2J/, 'the hostile strings are on screen, escaped');
  const bad = frames.find((f) => RAW.test(f));
  t.notOk(bad, 'no frame carries a raw control character');
});
