import path from 'node:path';
import t from 'tap';
import { REPO, sessionFromFile } from '../fixtures/session.js';

const EXAMPLES = path.join(REPO, 'examples', 'dumps');

t.test('x /t: private types of functions and data from crashlab.pdb', async (t) => {
  const s = sessionFromFile(path.join(EXAMPLES, 'null-deref.dmp'), { symbolPath: EXAMPLES, imagePath: EXAMPLES });
  // crashlab.c: static struct customer g_customers[] = {3 entries}; long long read_field(const struct customer *);
  const data = await s.run('x /t crashlab!g_customers');
  t.same(data, ['00000001`4000e010 struct customer [3] crashlab!g_customers']);
  const fn = await s.run('x /t crashlab!read_field');
  t.same(fn, ['00000001`400022e0 int64 crashlab!read_field (struct customer *)']);
  const varargs = await s.run('x /t crashlab!snprintf');
  t.match(varargs[0], /int crashlab!snprintf \(char \*, unsigned int64, char \*, \.\.\.\)$/, 'T_NOTYPE ends a varargs list');
  // Without /t the line is unchanged (x's own format).
  t.same(await s.run('x crashlab!read_field'), ['00000001`400022e0 crashlab!read_field (<no parameter info>)']);
  // Public-only symbols keep the plain line under /t.
  t.match((await s.run('x /t crashlab!mainCRTStartup'))[0], /crashlab!mainCRTStartup \(<no parameter info>\)$/);
});
