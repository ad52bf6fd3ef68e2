import type { CommandSpec } from '../../src/interpreter/command.js';
import { CommandError, requireTarget } from '../../src/interpreter/command.js';
import { ok } from '../../src/results/types.js';
import { dumpKindShort, formatDumpTime, timeLines, vertargetLines } from '../common/target-info.js';
import { eventLine } from '../common/event.js';

export const pipeCommand: CommandSpec = {
  name: '|',
  group: 'standard',
  syntax: '|',
  summary: 'Process status: the dumped process id and image',
  examples: ['|'],
  run(ctx) {
    const t = requireTarget(ctx);
    const pid = t.processId;
    const image = t.modules()[0]?.moduleName ?? '';
    const line = `.  0\tid: ${(pid ?? 0).toString(16)}\texamine\tname: ${image}`;
    return ok([line], { type: 'process', index: 0, processId: pid, state: 'examine', image });
  },
};

export const systemsCommand: CommandSpec = {
  name: '||',
  pattern: /^\|\|/,
  group: 'standard',
  syntax: '|| [N s]',
  summary: 'List the open dumps (systems); ||N s switches to dump N',
  examples: ['||', '||1 s'],
  noDump: true,
  run(ctx, inv) {
    const s = ctx.session;
    const m = /^(\d+)\s*s$/i.exec(inv.args);
    if (m) {
      const n = parseInt(m[1]!, 10);
      if (!s.targets[n]) throw new CommandError(`       ^ Illegal system error in '||${inv.args}'`);
      s.current = n;
      return ok([], { type: 'systemSelected', index: n }, { stateChanged: true });
    }
    if (inv.args) throw new CommandError(`       ^ Syntax error in '||${inv.args}'`);
    const rows = s.targets.map((t, i) => ({ index: i, current: i === s.current, kind: dumpKindShort(t), path: t.path }));
    return ok(rows.map((r) => `${r.current ? '.' : ' '}${String(r.index).padStart(3)} ${r.kind}: ${r.path}`), { type: 'systems', systems: rows });
  },
};

export const vertargetCommand: CommandSpec = {
  name: 'vertarget',
  group: 'standard',
  syntax: 'vertarget',
  summary: 'Target OS version, build, session time and uptimes',
  examples: ['vertarget'],
  run(ctx) {
    const t = requireTarget(ctx);
    const si = t.dump.systemInfo;
    const lines = [...vertargetLines(t), 'Machine Name:', ...timeLines(t)];
    return ok(lines, {
      type: 'vertarget',
      os: lines[0],
      majorVersion: si?.majorVersion,
      minorVersion: si?.minorVersion,
      buildNumber: si?.buildNumber,
      processors: si?.numberOfProcessors,
      arch: t.dump.arch,
      time: t.dump.header.timeDateStamp,
    });
  },
};

export const dotTimeCommand: CommandSpec = {
  name: '.time',
  group: 'meta',
  syntax: '.time',
  summary: 'Debug session time, system and process uptime',
  examples: ['.time'],
  run(ctx) {
    const t = requireTarget(ctx);
    const misc = t.dump.miscInfo();
    return ok(timeLines(t), { type: 'time', dumpTime: t.dump.header.timeDateStamp, processCreateTime: misc?.processCreateTime, processUserTime: misc?.processUserTime, processKernelTime: misc?.processKernelTime });
  },
};

export const dotLasteventCommand: CommandSpec = {
  name: '.lastevent',
  group: 'meta',
  syntax: '.lastevent',
  summary: 'The event that stopped the target (the dump\'s exception, if any)',
  examples: ['.lastevent'],
  run(ctx) {
    const t = requireTarget(ctx);
    const ev = eventLine(t);
    const misc = t.dump.miscInfo();
    const lines = [`Last event: ${ev ? ev.text.replace(/^\((\w+)\.(\w+)\): /, '$1.$2: ') : `${(t.processId ?? 0).toString(16)}.${(t.thread(t.eventThread)?.threadId ?? 0).toString(16)}: Break instruction exception - code 80000003 (first/second chance not available)`}`, `  debugger time: ${formatDumpTime(t.dump.header.timeDateStamp, misc?.timeZone?.bias)}`];
    return ok(lines, { type: 'lastevent', exceptionCode: ev?.code, threadId: t.thread(t.eventThread)?.threadId });
  },
};
