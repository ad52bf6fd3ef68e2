import t from 'tap';
import path from 'node:path';
import { CORPUS, HAVE_CORPUS, sessionFromFile } from '../fixtures/session.js';

const WINE = path.join(CORPUS, 'wine-x64');
const IMAGES = path.join(CORPUS, 'images', 'wine-8.0-x64');
const open = (dump: string) => sessionFromFile(path.join(WINE, dump), { symbolPath: WINE, imagePath: IMAGES });

t.test('.frame N selects a frame and prints its kn line', { skip: !HAVE_CORPUS && 'corpus absent' }, async (t) => {
  const s = open('null-deref-mini.dmp');
  await s.run('.ecxr');
  const kn = await s.run('kn');
  const row2 = kn.find((l) => l.startsWith('02 '));
  t.ok(row2, 'kn has a frame 02');
  // main → null_deref → lookup_customer → read_field: frame 2 is null_deref (winedbg oracle).
  t.match(row2, /crashlab!null_deref\+0x9 \[\/src\/crashlab\/crashlab\.c @ 66\] $/);
  t.same(await s.run('.frame 2'), [row2]);
  t.equal(s.session.target!.frameIndex, 2);
  t.same(await s.run('.frame'), [row2], '.frame alone shows the current frame');
  // Hex frame numbers; out of range leaves the frame alone.
  const bad = await s.result('.frame 20');
  t.ok(bad.failed);
  t.same(bad.blocks[0]!.lines, ['Cannot find frame 0x20, previous scope unchanged']);
  t.equal(s.session.target!.frameIndex, 2);
});

t.test('.frame /c sets the register context until .ecxr; /r shows registers', { skip: !HAVE_CORPUS && 'corpus absent' }, async (t) => {
  const s = open('null-deref-mini.dmp');
  await s.run('.ecxr');
  const kn = await s.run('kn');
  const retOf = (i: number) => BigInt(`0x${kn.find((l) => l.startsWith(`${String(i).padStart(2, '0')} `))!.slice(21, 38).replace('`', '')}`);
  const spOf = (i: number) => BigInt(`0x${kn.find((l) => l.startsWith(`${String(i).padStart(2, '0')} `))!.slice(3, 20).replace('`', '')}`);
  const out = await s.run('.frame /c 1');
  t.match(out[0], /^01 .*crashlab!lookup_customer\+0x9/);
  t.ok(out.some((l) => l.startsWith(`rip=${retOf(0).toString(16).padStart(16, '0')} rsp=${spOf(1).toString(16).padStart(16, '0')} `)), 'rip is frame 0\'s return address, rsp frame 1\'s Child-SP');
  t.same(await s.run('r rip'), [`rip=${retOf(0).toString(16).padStart(16, '0')}`]);
  // k now starts at that frame.
  const k = await s.run('k');
  t.match(k.find((l) => l.includes('Call Site') === false && /^[0-9a-f]{8}`/.test(l)), /crashlab!lookup_customer\+0x9/);
  // .frame N (no /c) still counts frames of the scope's stack.
  t.match((await s.run('.frame 3'))[0], /^03 .*crashlab!main\+/);
  // .ecxr drops the frame context.
  await s.run('.frame /c 2');
  await s.run('.ecxr');
  t.same(await s.run('r rip'), ['rip=0000000140001e40']);
  const withRegs = await s.run('.frame /r 2');
  t.match(withRegs[0], /^02 /);
  t.ok(withRegs.some((l) => l.startsWith('rax=')));
  t.same(await s.run('r rip'), ['rip=0000000140001e40'], '/r alone does not change the context');
});

t.test('!uniqstack groups threads with identical stacks', { skip: !HAVE_CORPUS && 'corpus absent' }, async (t) => {
  const s = open('deadlock-mini.dmp');
  const out = await s.run('!uniqstack');
  const threads = s.session.target!.threads().length;
  t.equal(out[0], `Processing ${threads} threads, please wait`);
  t.ok(out.includes(`Total threads: ${threads}`));
  // LLDB's oracle: threads #2-#4 (debugger threads 1-3) are the three idle pool workers with the same
  // frames; the sleeper and the two deadlocked threads differ from them and from each other.
  const dupAt = out.findIndex((l) => l.startsWith('Duplicate callstacks:'));
  t.equal(out[dupAt], 'Duplicate callstacks: 2 (windbg thread #s follow):');
  t.equal(out[dupAt + 1], '2, 3');
  const headers = out.filter((l) => /^[ .#] *\d+ {2}Id: /.test(l));
  t.same(headers.map((l) => Number(/^[ .#] *(\d+)/.exec(l)![1])), [1, 4, 5, 6]);
  t.ok(out.some((l) => /crashlab!take_a_then_b\+/.test(l)));
  t.ok(out.some((l) => /crashlab!take_b_then_a\+/.test(l)));
  t.equal(out.filter((l) => /crashlab!pool_worker\+/.test(l)).length, 1, 'the pool worker stack is shown once');
});
