import t from 'tap';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { loadLessons, normalizeAnswer, parseLesson, stepSatisfied } from '../../commands/meta/lesson.js';
import { replayFile } from '../../src/cli/replay.js';
import { dumpIdentity, parseTranscript } from '../../src/session/transcript.js';
import { REPO, sessionFromFile } from '../fixtures/session.js';

const LESSONS = path.join(REPO, 'examples', 'lessons');
const SESSIONS = path.join(REPO, 'examples', 'sessions');
const DUMPS = path.join(REPO, 'examples', 'dumps');

t.test('every lesson file parses, names an existing dump, and null-deref comes first', async (t) => {
  const { lessons, errors } = loadLessons(LESSONS);
  t.same(errors, []);
  t.ok(lessons.length >= 3, 'at least three lessons');
  t.equal(lessons[0]!.name, 'null-deref', 'npm start opens null-deref.dmp: its lesson is listed first');
  for (const l of lessons) {
    t.ok(existsSync(path.resolve(LESSONS, l.dump)), `${l.name}: dump ${l.dump} exists (relative to the lesson)`);
    t.ok(existsSync(path.resolve(LESSONS, l.symbolPath ?? '', 'crashlab.pdb')), `${l.name}: the symbol path holds crashlab.pdb`);
    for (const s of l.steps) t.ok(s.type.trim(), `${l.name}: every step says what to type`);
  }
  t.throws(() => parseLesson('{', 'x.json'), /x\.json: not valid JSON/);
  t.throws(() => parseLesson('{"name":"a","title":"b","dump":"c","goal":"d","question":"e","answers":[],"steps":[]}', 'y.json'), /answers/);
});

t.test('each lesson has a solution transcript in examples/sessions that replays', async (t) => {
  const { lessons } = loadLessons(LESSONS);
  for (const l of lessons) {
    const file = path.join(SESSIONS, `lesson-${l.name}.wds`);
    t.ok(existsSync(file), `${l.name}: solution transcript`);
    const tr = parseTranscript(readFileSync(file, 'utf8'));
    t.equal(tr.commands[0]!.command, `.lesson ${l.name}`, 'it starts the lesson');
    t.ok(tr.commands.some((c) => c.output.includes('Correct!')), 'and answers it correctly');
    t.ok(tr.commands.some((c) => c.output.some((o) => o.startsWith(`lesson: step ${l.steps.length} done.`))), 'after doing every step');
    const r = await replayFile(file);
    t.equal(r.status, 'pass', `${l.name}: ${r.message}\n${r.diff.join('\n')}`);
  }
  t.equal(readdirSync(SESSIONS).filter((f) => f.startsWith('lesson-')).length, lessons.length);
});

t.test('answers and step checks', async (t) => {
  t.equal(normalizeAnswer('  crashlab!Read_Field() '), 'read_field');
  t.equal(normalizeAnswer('"recurse"'), 'recurse');
  const step = { say: '', type: 'kn', check: { command: '^k[bcdpPvnfL]*(\\s+\\w+)?$', dataType: 'stack' } };
  t.ok(stepSatisfied(step, 'kn 4', { blocks: [], data: { type: 'stack' } }));
  t.notOk(stepSatisfied(step, 'kn', { blocks: [], data: { type: 'stack' }, failed: true }), 'a failed command does not count');
  t.notOk(stepSatisfied(step, 'lm', { blocks: [], data: { type: 'modules' } }));
  t.ok(stepSatisfied({ say: '', type: '.exr -1' }, '.exr -1', { blocks: [] }), 'default check: the command as shown');
  t.notOk(stepSatisfied({ say: '', type: '.exr -1' }, '.exr 1234', { blocks: [] }));
});

t.test('a newcomer walks through null-deref from another dump: .lesson, steps, hint, wrong and right answer', async (t) => {
  // Starting on div-zero.dmp: the lesson opens its own dump in place of the open one.
  const s = sessionFromFile(path.join(DUMPS, 'div-zero.dmp'));
  const list = (await s.run('.lesson')).join('\n');
  t.match(list, /null-deref +Which function dereferenced NULL\?/);
  t.match(list, 'Start one by typing .lesson and its name, for example: .lesson null-deref');

  const start = (await s.run('.lesson null-deref')).join('\n');
  t.match(start, /Opened the lesson's dump .*null-deref\.dmp\./);
  t.equal(s.session.targets.length, 1, 'the dump was replaced, not added');
  t.same(dumpIdentity(s.session.target!.filePath), dumpIdentity(path.join(DUMPS, 'null-deref.dmp')));
  t.match(start, 'Step 1 of 3:');
  t.match(start, '  Type: .exr -1');
  t.ok(s.session.options.symbolPath.endsWith(path.join('examples', 'dumps')) || path.resolve(s.session.options.symbolPath) === DUMPS, 'symbol path set to examples/dumps');

  t.match((await s.run('.hint')).join('\n'), /^Hint 1 of 2: /);
  t.notMatch((await s.run('lm')).join('\n'), /lesson: step/, 'other commands do not advance the lesson');
  t.match((await s.run('.exr -1')).join('\n'), /lesson: step 1 done\. ExceptionCode c0000005[^]*Step 2 of 3/);
  t.match((await s.run('.ecxr')).join('\n'), /mov {5}rax,qword ptr \[rcx\+10h\][^]*lesson: step 2 done/);
  const k = (await s.run('kn')).join('\n');
  t.match(k, /^00 [0-9a-f`]+ [0-9a-f`]+ +crashlab!read_field /m, 'the stack names read_field (symbols from the lesson path)');
  t.match(k, /lesson: step 3 done[^]*Question: Which function read through the NULL pointer\?[^]*Type: \.answer/);
  t.match((await s.run('.answer lookup_customer')).join('\n'), /^Not quite: "lookup_customer" is not the answer\./);
  const done = (await s.run('.answer crashlab!read_field')).join('\n');
  t.match(done, /^Correct!/);
  t.match(done, 'Lesson null-deref complete.');
  t.match(done, 'Next: .lesson threadpool-av');
  t.notMatch((await s.run('kn')).join('\n'), /lesson:/, 'a finished lesson stays quiet');
  t.match((await s.run('.answer x')).join('\n'), /Question/, 'answering again repeats the question');
  t.same(await s.run('.lesson stop'), ['Stopped lesson null-deref.']);
  t.match((await s.result('.hint')).blocks[0]!.lines[0]!, 'No lesson is running');
  t.ok((await s.result('.lesson nosuch')).failed);
});
