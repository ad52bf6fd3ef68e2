import t from 'tap';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { render } from 'ink-testing-library';
import { App } from '../../src/ui/App.js';
import type { UiController } from '../../src/ui/controller.js';
import { CORPUS, REPO, sessionFromFile } from '../fixtures/session.js';

// The project's own example dump, else the corpus one it was modelled on.
const DUMP = [path.join(REPO, 'examples', 'dumps', 'null-deref.dmp'), path.join(CORPUS, 'wine-x64', 'null-deref-mini.dmp')].find((p) => existsSync(p));

// eslint-disable-next-line no-control-regex
const strip = (s: string) => s.replace(/\u001b\[[0-9;?]*[A-Za-z]/g, '');
const delay = (ms: number) => new Promise((r) => setTimeout(r, ms));

if (!DUMP) {
  t.plan(0, 'no example dump (examples/dumps/null-deref.dmp or the corpus)');
} else {
  t.test('the UI over a real dump: panes fill, Threads selection runs ~1s, the Stack follows, typed kn runs', async (t) => {
    const { dispatcher, session } = sessionFromFile(DUMP);
    t.teardown(() => session.close());
    const dir = mkdtempSync(path.join(tmpdir(), 'dumpdbg-ui-'));
    const historyFile = path.join(dir, 'history');
    let controller: UiController | undefined;
    const r = render(<App dispatcher={dispatcher} historyFile={historyFile} color={false} width={120} height={39} onController={(c) => (controller = c)} />);
    t.teardown(() => r.unmount());
    /** Waits until the controller is idle and the frame has stopped changing (the machine may be busy). */
    const settle = async () => {
      let last: string | undefined;
      for (let i = 0; i < 150; i++) {
        await delay(20);
        await controller?.idle();
        const f = r.lastFrame();
        if (i >= 3 && f === last) return;
        last = f;
      }
    };
    const screen = () => strip(r.lastFrame() ?? '');
    /** Polls until the screen matches (commands run asynchronously; the machine may be loaded). */
    const waitFor = async (re: RegExp) => {
      for (let i = 0; i < 250 && !re.test(screen()); i++) await delay(20);
      await settle();
    };
    /** The input line: the last row of the command window (left column, above the status line). */
    const inputLine = () => {
      const rows = screen().split('\n');
      return rows[rows.length - 2]!.split('│')[0]!.trimEnd();
    };
    await waitFor(/Modules \(\d+\)[\s\S]*0:000> \.lastevent/);
    let s = screen();
    t.match(s, /Threads \(\d+\) current 0/);
    t.match(s, /Stack of thread 0/);
    t.match(s, /Code +c0000005 \(Access violation\)/);
    t.match(s, /Modules \(\d+\)/);
    t.match(s, /0:000> \.lastevent/);
    t.equal(s.split('\n').length, 39);

    // Tab to Threads, Down, Enter: `~1s` through the dispatcher; the panes refresh.
    r.stdin.write('\t');
    await settle();
    r.stdin.write('\u001b[B');
    await settle();
    r.stdin.write('\r');
    await waitFor(/Stack of thread 1/);
    s = screen();
    t.match(s, /0:000> ~1s/, 'the selection ran ~1s, echoed like a typed command');
    t.match(s, /Threads \(\d+\) current 1/);
    t.match(s, /Stack of thread 1/, 'the stack pane follows the current thread');
    t.match(s, /│\. +1 /, 'thread 1 is marked current');
    t.equal(dispatcher.session.prompt(), '0:001>');

    // Typing in a list pane goes to the command window; Enter runs it.
    r.stdin.write('kn');
    await settle();
    r.stdin.write('\r');
    await waitFor(/Child-SP/);
    s = screen();
    t.match(s, /0:001> kn/);
    t.match(s, /Child-SP/, 'kn output in the command window');
    t.equal(readFileSync(historyFile, 'utf8'), 'kn\n', 'typed commands are saved; pane selections are not');

    // .ecxr switches the stack pane to the exception context, and ~ history recall works.
    r.stdin.write('.ecxr\r');
    await waitFor(/Stack .*exception/);
    s = screen();
    t.match(s, /0:001> \.ecxr/);
    t.match(s, /Stack of thread 0 \(exception\)|Stack of thread 1 \(exception\)|Stack .*exception/, 'the stack title says exception context');
    r.stdin.write('\u001b[A');
    await settle();
    t.equal(inputLine(), '0:001> .ecxr', 'Up recalls the last command');

    // F1 prints the key table in the command window.
    r.stdin.write('\u0015'); // Ctrl-U clears the line
    r.stdin.write('\u001bOP');
    await waitFor(/Select the frame/);
    t.match(screen(), /Make the selected thread current \(~Ns\)|Select the frame \(\.frame N\)/);

    // Tab completion of a command name.
    r.stdin.write('.exr -1');
    r.stdin.write('\u0001'); // Ctrl-A: cursor to the start
    r.stdin.write('\u0015'); // Ctrl-U: nothing before the cursor → unchanged
    r.stdin.write('\u000b'); // Ctrl-K: clears the line
    r.stdin.write('.ec');
    await settle();
    r.stdin.write('\t');
    await settle();
    t.equal(inputLine(), '0:001> .ec', 'two candidates: no change...');
    t.match(screen(), /^\.echo  \.ecxr +│/m, '...and the list above the input line');
    r.stdin.write('x\t');
    await settle();
    t.equal(inputLine(), '0:001> .ecxr', 'one candidate: completed (and a space)');
  });
}

const EXAMPLES = path.join(REPO, 'examples', 'dumps');
t.test('with the example PDB: the Stack pane shows symbols and Tab completes module!symbol', { skip: existsSync(path.join(EXAMPLES, 'crashlab.pdb')) && existsSync(path.join(EXAMPLES, 'null-deref.dmp')) ? false : 'no examples/dumps/crashlab.pdb' }, async (t) => {
  const { dispatcher, session } = sessionFromFile(path.join(EXAMPLES, 'null-deref.dmp'), { symbolPath: EXAMPLES, imagePath: EXAMPLES });
  t.teardown(() => session.close());
  let controller: UiController | undefined;
  const r = render(<App dispatcher={dispatcher} historyFile={null} color={false} width={100} height={30} onController={(c) => (controller = c)} />);
  t.teardown(() => r.unmount());
  const screen = () => strip(r.lastFrame() ?? '');
  const waitFor = async (re: RegExp) => {
    for (let i = 0; i < 250 && !re.test(screen()); i++) await delay(20);
    await controller?.idle();
  };
  await waitFor(/crashlab!read_field/);
  t.match(screen(), /crashlab!read_field/, 'frame 0 symbolized from the PDB');
  r.stdin.write('u crashlab!lookup_c');
  await delay(20);
  r.stdin.write('\t');
  await waitFor(/u crashlab!lookup_customer/);
  const rows = screen().split('\n');
  t.equal(rows[rows.length - 2]!.split('│')[0]!.trimEnd(), '0:000> u crashlab!lookup_customer');
});
