import type { CommandSpec } from '../../src/interpreter/command.js';
import { ok } from '../../src/results/types.js';

export const dotEchoCommand: CommandSpec = {
  name: '.echo',
  group: 'meta',
  syntax: '.echo [String | "String"]',
  summary: 'Print a string (quotes are removed)',
  noDump: true,
  examples: ['.echo START'],
  run(_ctx, inv) {
    const m = /^"(.*)"$/s.exec(inv.args);
    return ok([m ? m[1]! : inv.args], { type: 'echo', text: m ? m[1]! : inv.args });
  },
};

export const dotClsCommand: CommandSpec = {
  name: '.cls',
  group: 'meta',
  syntax: '.cls',
  summary: 'Clear the screen (the UI transcript; in batch mode it prints nothing)',
  noDump: true,
  examples: ['.cls'],
  run() {
    return { blocks: [], clear: true, data: { type: 'cls' } };
  },
};

export const qCommand: CommandSpec = {
  name: 'q',
  aliases: ['qq', 'qd'],
  group: 'standard',
  syntax: 'q | qq | qd',
  summary: 'End the debugging session',
  noDump: true,
  examples: ['q'],
  run() {
    return ok(['quit:'], { type: 'quit' }, { quit: true });
  },
};
