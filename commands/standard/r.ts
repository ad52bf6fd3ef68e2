import type { CommandSpec } from '../../src/interpreter/command.js';
import { CommandError, requireTarget } from '../../src/interpreter/command.js';
import type { CpuContext } from '../../src/formats/minidump/types.js';
import type { Target } from '../../src/session/target.js';
import { hexMin, hexN } from '../../src/results/hex.js';
import { ok } from '../../src/results/types.js';
import { locationLines, prepareSymbols } from '../common/location.js';
import { registerBlock, registerValue } from '../common/registers.js';
import { pseudoRegister } from '../common/pseudo.js';

/** The `r` block for a context: registers, then the symbol and instruction at the PC. */
export function fullRegisterLines(t: Target, c: CpuContext): string[] {
  return [...registerBlock(c), ...locationLines(t, c.pc, c)];
}

export function contextData(c: CpuContext): Record<string, unknown> {
  return { arch: c.arch, contextFlags: c.contextFlags, registers: c.regs };
}

export function noContextError(t: Target): CommandError {
  const th = t.thread();
  return new CommandError(`Thread ${t.currentThread}${th ? ` (id ${th.threadId.toString(16)})` : ''} has no register context in this dump.`);
}

export const rCommand: CommandSpec = {
  name: 'r',
  group: 'standard',
  syntax: 'r [Reg[, Reg...]] | r @Reg | r $pseudo',
  summary: 'Registers of the current thread/scope (after .ecxr: the exception context)',
  threadPrefix: true,
  examples: ['r', 'r rip', 'r @rsp', 'r eax, ebx', 'r $teb'],
  async run(ctx, inv) {
    const t = requireTarget(ctx);
    const c = t.scopeContext();
    if (!c) throw noContextError(t);
    if (!inv.args) await prepareSymbols(t, [c.pc]);
    if (!inv.args) return ok(fullRegisterLines(t, c), { type: 'registers', ...contextData(c) });
    if (/=/.test(inv.args)) throw new CommandError(`Registers cannot be changed in a dump: ${inv.raw}`);
    const names = inv.args.split(/[\s,]+/).filter(Boolean);
    const lines: string[] = [];
    const values: Record<string, bigint> = {};
    for (const raw of names) {
      const name = raw.replace(/^@/, '');
      if (name.startsWith('$')) {
        const v = pseudoRegister(t, name.toLowerCase());
        if (v === undefined) throw new CommandError(`       ^ Bad register error in '${inv.raw}'`);
        values[name] = v;
        lines.push(`${name}=${hexN(v, t.pointerSize * 2)}`);
        continue;
      }
      const v = registerValue(c, name);
      if (!v) throw new CommandError(`       ^ Bad register error in '${inv.raw}'`);
      values[name.toLowerCase()] = v.value;
      lines.push(`${name.toLowerCase()}=${v.width ? hexN(v.value, v.width) : hexMin(v.value)}`);
    }
    return ok(lines, { type: 'registers', arch: c.arch, registers: values });
  },
};
