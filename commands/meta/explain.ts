/**
 * `.explain on|off`: teaching mode. With it on, the dispatcher appends short
 * notes for newcomers after each command's output (src/interpreter/explain.ts),
 * built from the command's structured result.
 */
import type { CommandSpec } from '../../src/interpreter/command.js';
import { CommandError } from '../../src/interpreter/command.js';
import { ok } from '../../src/results/types.js';

export const dotExplainCommand: CommandSpec = {
  name: '.explain',
  group: 'meta',
  syntax: '.explain [on | off]',
  summary: 'Teaching mode: short notes after each command (what the columns mean, what to run next)',
  noDump: true,
  examples: ['.explain on', '.explain off'],
  run(ctx, inv) {
    const a = inv.args.trim().toLowerCase();
    if (a !== '' && a !== 'on' && a !== 'off') throw new CommandError(`.explain takes on or off, not '${inv.args.trim()}'`);
    if (a) ctx.session.options.explain = a === 'on';
    const on = ctx.session.options.explain;
    const lines = [`Teaching notes are ${on ? 'on' : 'off'}.`];
    if (a === 'on') lines.push('Each command is now followed by notes marked "note:"; .explain off hides them.');
    return ok(lines, { type: 'explainMode', on }, a ? { stateChanged: true } : {});
  },
};
