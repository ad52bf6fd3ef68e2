/**
 * Lessons: `.lesson` lists them, `.lesson NAME` starts one, `.hint` gives the
 * next hint, `.answer TEXT` checks the learner's answer, `.lesson stop` ends it.
 *
 * A lesson is a JSON file in examples/lessons/ (one per scenario): a goal, a
 * dump (path relative to the lesson file), symbol and image paths, steps that
 * say what to type and are checked by the commands the learner runs (command
 * text and result data), hints, and the accepted answers. Progress lines are
 * appended to the output of the command that completed a step, through the
 * dispatcher's command observers (src/interpreter/explain.ts).
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, isAbsolute, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { CommandContext, CommandSpec } from '../../src/interpreter/command.js';
import { CommandError } from '../../src/interpreter/command.js';
import { observeCommands, wrapText } from '../../src/interpreter/explain.js';
import type { CommandResult } from '../../src/results/types.js';
import { ok } from '../../src/results/types.js';
import type { Session } from '../../src/session/session.js';
import { dumpIdentity } from '../../src/session/transcript.js';

/** What a step waits for: a command matching `command` (a regex on the text) whose result has `dataType` and the `data` values. */
export interface StepCheck {
  command?: string;
  dataType?: string;
  data?: Record<string, string | number | boolean>;
}

export interface LessonStep {
  /** What the learner should look for in this step. */
  say: string;
  /** The command to type (shown as "Type: ..."). */
  type: string;
  /** When it counts as done; defaults to the command `type` typed as shown. */
  check?: StepCheck;
  /** Said when the step is done: what the output showed. */
  done?: string;
  hints?: string[];
}

export interface Lesson {
  name: string;
  title: string;
  /** Dump path relative to the lesson file. */
  dump: string;
  symbolPath?: string;
  imagePath?: string;
  goal: string;
  steps: LessonStep[];
  /** The question `.answer` responds to. */
  question: string;
  /** Accepted answers (compared without case, `module!`, `()` and blanks). */
  answers: string[];
  /** Said when the answer is right. */
  explanation: string[];
  hints?: string[];
  /** File the lesson was read from. */
  file: string;
}

interface LessonState {
  lesson: Lesson;
  step: number;
  hintsGiven: number;
  solved: boolean;
  stop: () => void;
}

const states = new WeakMap<Session, LessonState>();

/** Lesson text wrapped for an 80-column terminal (continuation lines keep the line's own indent). */
function wrapLines(lines: readonly string[]): string[] {
  return lines.flatMap((l) => {
    const indent = /^ */.exec(l)![0];
    const label = /^ *((Step \d+ of \d+|Hint \d+ of \d+|Goal|Question|lesson: step \d+ done\.)(:)? )?/.exec(l)![0];
    return wrapText(l, undefined, ' '.repeat(label.length) || indent);
  });
}

/** The examples/lessons folder: $DUMPDBG_LESSONS, else found above this module (src or dist layout). */
export function lessonsDir(): string | undefined {
  const env = process.env['DUMPDBG_LESSONS'];
  if (env) return env;
  let d = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++) {
    const p = resolve(d, 'examples', 'lessons');
    if (existsSync(p)) return p;
    d = dirname(d);
  }
  return undefined;
}

function isStringArray(v: unknown): v is string[] {
  return Array.isArray(v) && v.every((x) => typeof x === 'string');
}

/** Reads and checks one lesson file; throws Error with one sentence naming the problem. */
export function parseLesson(text: string, file: string): Lesson {
  let j: Record<string, unknown>;
  try {
    j = JSON.parse(text) as Record<string, unknown>;
  } catch (e) {
    throw new Error(`${file}: not valid JSON (${(e as Error).message})`);
  }
  for (const k of ['name', 'title', 'dump', 'goal', 'question']) if (typeof j[k] !== 'string') throw new Error(`${file}: "${k}" must be a string`);
  if (!isStringArray(j['answers']) || !j['answers'].length) throw new Error(`${file}: "answers" must be a non-empty list of strings`);
  if (!Array.isArray(j['steps']) || !j['steps'].length) throw new Error(`${file}: "steps" must be a non-empty list`);
  for (const [i, s] of (j['steps'] as Record<string, unknown>[]).entries()) {
    if (typeof s?.['say'] !== 'string' || typeof s['type'] !== 'string') throw new Error(`${file}: step ${i + 1} needs "say" and "type"`);
    const c = s['check'] as StepCheck | undefined;
    if (c?.command !== undefined) new RegExp(c.command);
  }
  return { ...(j as unknown as Lesson), explanation: isStringArray(j['explanation']) ? j['explanation'] : [], file };
}

/** Every lesson in the folder, sorted by file name (a broken file is reported, not skipped silently). */
export function loadLessons(dir = lessonsDir()): { lessons: Lesson[]; errors: string[] } {
  const lessons: Lesson[] = [];
  const errors: string[] = [];
  if (!dir || !existsSync(dir)) return { lessons, errors: ['No lessons folder found (examples/lessons).'] };
  for (const f of readdirSync(dir).filter((n) => n.endsWith('.json')).sort()) {
    const file = resolve(dir, f);
    try {
      lessons.push(parseLesson(readFileSync(file, 'utf8'), file));
    } catch (e) {
      errors.push((e as Error).message);
    }
  }
  return { lessons, errors };
}

/** Answers compare without case, `module!`, `()`, quotes and surrounding blanks. */
export function normalizeAnswer(s: string): string {
  return s
    .trim()
    .toLowerCase()
    .replace(/^["']|["']$/g, '')
    .replace(/^[\w.-]+!/, '')
    .replace(/\(\)$/, '')
    .replace(/\s+/g, ' ');
}

/** Does a command (text and result) satisfy a step? */
export function stepSatisfied(step: LessonStep, command: string, result: CommandResult): boolean {
  if (result.failed) return false;
  const c: StepCheck = step.check ?? { command: `^${step.type.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$` };
  if (c.command !== undefined && !new RegExp(c.command, 'i').test(command.trim())) return false;
  if (c.dataType !== undefined && result.data?.type !== c.dataType) return false;
  for (const [k, v] of Object.entries(c.data ?? {})) if (result.data?.[k] !== v) return false;
  return true;
}

function stepLines(lesson: Lesson, i: number): string[] {
  const s = lesson.steps[i]!;
  return [`Step ${i + 1} of ${lesson.steps.length}: ${s.say}`, `  Type: ${s.type}`];
}

function questionLines(lesson: Lesson): string[] {
  return [`Question: ${lesson.question}`, '  Type: .answer YOUR-ANSWER   (stuck? type .hint)'];
}

/** Lesson progress after a command: appended to that command's output. */
function onCommand(session: Session, command: string, result: CommandResult): void {
  const st = states.get(session);
  if (!st || st.solved || st.step >= st.lesson.steps.length) return;
  if (/^\.(lesson|hint|answer)\b/i.test(command.trim())) return;
  const step = st.lesson.steps[st.step]!;
  if (!stepSatisfied(step, command, result)) return;
  const lines = [`lesson: step ${st.step + 1} done.${step.done ? ` ${step.done}` : ''}`];
  st.step++;
  st.hintsGiven = 0;
  lines.push(...(st.step < st.lesson.steps.length ? stepLines(st.lesson, st.step) : questionLines(st.lesson)));
  result.blocks.push({ kind: 'text', lines: ['', ...wrapLines(lines)] });
}

/** Sets the lesson's symbol/image paths (as given relative to the lesson file, shown relative to the current directory). */
function lessonPath(lesson: Lesson, p: string | undefined): string | undefined {
  if (p === undefined) return undefined;
  const abs = isAbsolute(p) ? p : resolve(dirname(lesson.file), p);
  return relative(process.cwd(), abs) || '.';
}

async function startLesson(ctx: CommandContext, lesson: Lesson): Promise<CommandResult> {
  const s = ctx.session;
  states.get(s)?.stop();
  const lines: string[] = [`Lesson ${lesson.name}: ${lesson.title}`, ''];
  const dumpAbs = resolve(dirname(lesson.file), lesson.dump);
  const want = dumpIdentity(dumpAbs);
  if (!want) throw new CommandError(`The lesson's dump is missing: ${relative(process.cwd(), dumpAbs) || dumpAbs}`);
  const same = (p: string): boolean => {
    const id = dumpIdentity(p);
    return id !== undefined && id.size === want.size && id.sha256 === want.sha256;
  };
  let opened = false;
  const have = s.targets.findIndex((t) => same(t.filePath));
  if (have >= 0) s.current = have;
  else {
    // Replace the open dump with the lesson's, so the prompt stays the simple `0:000>`.
    const old = s.target;
    if (old) {
      s.targets.splice(s.current, 1);
      old.dump.close();
    }
    await s.openSpec(relative(process.cwd(), dumpAbs) || dumpAbs);
    opened = true;
  }
  const sym = lessonPath(lesson, lesson.symbolPath);
  const img = lessonPath(lesson, lesson.imagePath);
  if (sym !== undefined) s.options.symbolPath = sym;
  if (img !== undefined) s.options.imagePath = img;
  s.target?.resetSymbols();
  const t = s.target!;
  t.currentThread = t.eventThread;
  t.scope = { kind: 'thread' };
  t.frameIndex = 0;
  if (opened) lines.push(`Opened the lesson's dump ${t.path}.`);
  lines.push(`Symbols and images are read from ${sym ?? s.options.symbolPath}.`, '', `Goal: ${lesson.goal}`, '');
  const stop = observeCommands(s, (command, result) => onCommand(s, command, result));
  states.set(s, { lesson, step: 0, hintsGiven: 0, solved: false, stop });
  lines.push(...stepLines(lesson, 0), '', 'Type each command at the prompt and press Enter. .hint gives a hint, .lesson shows where you are, .lesson stop ends the lesson.');
  return ok(wrapLines(lines), { type: 'lesson', name: lesson.name, step: 1, steps: lesson.steps.length }, { stateChanged: true });
}

function listLessons(session: Session): CommandResult {
  const { lessons, errors } = loadLessons();
  const st = states.get(session);
  const lines: string[] = [];
  if (st && !st.solved) {
    lines.push(`You are in lesson ${st.lesson.name}: ${st.lesson.title}`, `Goal: ${st.lesson.goal}`);
    lines.push(...(st.step < st.lesson.steps.length ? stepLines(st.lesson, st.step) : questionLines(st.lesson)), '');
  }
  lines.push('Lessons (each is a guided walk through one example crash dump):');
  const w = Math.max(0, ...lessons.map((l) => l.name.length));
  for (const l of lessons) lines.push(`  ${l.name.padEnd(w)}  ${l.title}`);
  for (const e of errors) lines.push(`  (skipped: ${e})`);
  if (lessons.length) lines.push('', `Start one by typing .lesson and its name, for example: .lesson ${lessons[0]!.name}`);
  return ok(wrapLines(lines), { type: 'lessons', lessons: lessons.map((l) => ({ name: l.name, title: l.title })), current: st?.lesson.name ?? null });
}

export const dotLessonCommand: CommandSpec = {
  name: '.lesson',
  group: 'meta',
  syntax: '.lesson [Name | stop]',
  summary: 'Guided lessons on the example dumps: .lesson lists them, .lesson NAME starts one',
  help: 'A lesson says what to type at each step and checks the commands you run; .hint gives a hint, .answer TEXT checks your answer. It opens the lesson\'s dump itself.',
  noDump: true,
  examples: ['.lesson', '.lesson null-deref', '.lesson stop'],
  async run(ctx, inv) {
    const name = inv.args.trim();
    if (name === '') return listLessons(ctx.session);
    if (/^(stop|off|end)$/i.test(name)) {
      const st = states.get(ctx.session);
      st?.stop();
      states.delete(ctx.session);
      return ok([st ? `Stopped lesson ${st.lesson.name}.` : 'No lesson is running.'], { type: 'lesson', stopped: true });
    }
    const { lessons } = loadLessons();
    const lesson = lessons.find((l) => l.name.toLowerCase() === name.toLowerCase());
    if (!lesson) throw new CommandError([`No lesson named '${name}'. Lessons: ${lessons.map((l) => l.name).join(', ')}`]);
    return startLesson(ctx, lesson);
  },
};

export const dotHintCommand: CommandSpec = {
  name: '.hint',
  group: 'meta',
  syntax: '.hint',
  summary: 'A hint for the current lesson step (again for the next one)',
  noDump: true,
  examples: ['.hint'],
  run(ctx) {
    const st = states.get(ctx.session);
    if (!st) throw new CommandError('No lesson is running: type .lesson to see the lessons.');
    const inSteps = st.step < st.lesson.steps.length;
    const hints = inSteps ? [...(st.lesson.steps[st.step]!.hints ?? []), `Type exactly: ${st.lesson.steps[st.step]!.type}`] : [...(st.lesson.hints ?? []), 'Look back at the output of the steps: the answer is in it.'];
    const i = Math.min(st.hintsGiven, hints.length - 1);
    st.hintsGiven++;
    const lines = [`Hint ${i + 1} of ${hints.length}: ${hints[i]!}`];
    if (!inSteps) lines.push(...questionLines(st.lesson));
    return ok(wrapLines(lines), { type: 'hint', lesson: st.lesson.name, step: st.step + 1, hint: i + 1 });
  },
};

export const dotAnswerCommand: CommandSpec = {
  name: '.answer',
  group: 'meta',
  syntax: '.answer Text',
  summary: 'Answer the current lesson\'s question',
  noDump: true,
  examples: ['.answer read_field'],
  run(ctx, inv) {
    const st = states.get(ctx.session);
    if (!st) throw new CommandError('No lesson is running: type .lesson to see the lessons.');
    const given = normalizeAnswer(inv.args);
    if (given === '') return ok(questionLines(st.lesson), { type: 'answer', correct: false });
    const right = st.lesson.answers.some((a) => normalizeAnswer(a) === given);
    if (!right) {
      return ok(wrapLines([`Not quite: "${inv.args.trim()}" is not the answer.`, ...questionLines(st.lesson)]), { type: 'answer', lesson: st.lesson.name, correct: false });
    }
    st.solved = true;
    st.stop();
    const skipped = st.step < st.lesson.steps.length ? [`(You answered before finishing the steps: that is fine.)`] : [];
    const { lessons } = loadLessons();
    const next = lessons[lessons.findIndex((l) => l.name === st.lesson.name) + 1];
    const lines = ['Correct!', ...st.lesson.explanation, ...skipped, '', `Lesson ${st.lesson.name} complete.`, next ? `Next: .lesson ${next.name} (${next.title})` : 'That was the last lesson: .lesson lists them all.'];
    return ok(wrapLines(lines), { type: 'answer', lesson: st.lesson.name, correct: true });
  },
};
