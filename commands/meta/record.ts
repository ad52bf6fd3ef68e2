/**
 * `.record [/r] FILE`, `.record off`, `.record`: record the session from here
 * on as a transcript `dumpdbg --replay FILE` can check (src/session/transcript.ts).
 * The command sets `session.recording`; the output layers append each command.
 */
import type { CommandSpec } from '../../src/interpreter/command.js';
import { CommandError } from '../../src/interpreter/command.js';
import { ok } from '../../src/results/types.js';
import { startRecording } from '../../src/session/transcript.js';

export const dotRecordCommand: CommandSpec = {
  name: '.record',
  group: 'meta',
  syntax: '.record [/r] FileName | .record off | .record',
  summary: 'Record the commands that follow and their output as a replayable transcript (/r redacts dump contents)',
  help: 'The transcript names the dump, its identity and the symbol paths; `dumpdbg --replay FILE` re-runs it and diffs the output.',
  examples: ['.record /tmp/triage.wds', '.record off'],
  run(ctx, inv) {
    const s = ctx.session;
    const args = inv.args.trim();
    if (args === '') {
      const r = s.recording;
      return ok([r ? `Recording to '${r.path}'${r.redact ? ' (redacted)' : ''}` : 'Not recording'], { type: 'record', recording: !!r, ...(r ? { path: r.path } : {}) });
    }
    if (/^off$/i.test(args)) {
      const r = s.recording;
      s.recording = undefined;
      return ok([r ? `Stopped recording to '${r.path}'` : 'Not recording'], { type: 'record', recording: false });
    }
    const m = /^(?:[/-]r\s+)?(.*)$/is.exec(args)!;
    const redact = /^[/-]r\s/i.test(args);
    const file = /^"(.*)"$/.exec(m[1]!.trim())?.[1] ?? m[1]!.trim();
    if (!file) throw new CommandError('.record needs a file name');
    s.recording = undefined;
    try {
      startRecording(s, file, redact);
    } catch (e) {
      throw new CommandError(`Cannot write '${file}': ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
    }
    return ok([`Recording to '${file}'${redact ? ' (redacted)' : ''}: replay it with dumpdbg --replay ${file}`], { type: 'record', recording: true, path: file, redact });
  },
};
