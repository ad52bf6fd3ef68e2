import t from 'tap';
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { REPO, sessionFromFile } from '../fixtures/session.js';
import { unwindEnvironment } from '../../src/session/stack.js';
import { walkStack } from '../../src/unwind/walk.js';
import type { StackFrame } from '../../src/unwind/types.js';

/**
 * The session's unwind environment answers stack scans from the dump's held ranges
 * (UnwindMemory.readView) instead of read(): the walks must be the same either way,
 * frame for frame, on every thread of the project's example dumps.
 */
const DUMPS = path.join(REPO, 'examples', 'dumps');

function shape(frames: StackFrame[]): string {
  return frames.map((f) => `${f.pc.toString(16)}/${f.sp.toString(16)}/${f.fp.toString(16)}/${f.trust}/${f.note ?? ''}`).join(' ');
}

t.test('stack scans through readView walk as through read()', async (t) => {
  let threads = 0;
  let frames = 0;
  t.ok(unwindEnvironment(sessionFromFile(path.join(DUMPS, 'deadlock.dmp')).session.target!).memory.readView, 'the session environment has the fast path');
  // Without images (stack scanning all the way) and with them (.pdata first, scanning after a miss).
  const cases = readdirSync(DUMPS)
    .filter((f) => f.endsWith('.dmp'))
    .flatMap((f) => [{ name: f, opts: {} }, { name: `${f} with images`, file: f, opts: { symbolPath: DUMPS, imagePath: DUMPS } }]);
  for (const c of cases) {
    const name = c.name;
    const s = sessionFromFile(path.join(DUMPS, c.file ?? c.name), c.opts);
    const target = s.session.target!;
    await target.ensureAllModules();
    for (let i = 0; i < target.threads().length; i++) {
      const context = target.threadContext(i);
      if (!context) continue;
      const withView = unwindEnvironment(target);
      const without = unwindEnvironment(target);
      delete without.memory.readView;
      const a = walkStack(withView, context);
      const b = walkStack(without, context);
      t.equal(shape(a), shape(b), `${name} thread ${i}`);
      threads++;
      frames += a.length;
    }
  }
  t.ok(threads >= 40, `${threads} threads, ${frames} frames compared`);
});
