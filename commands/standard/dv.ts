import type { CommandSpec } from '../../src/interpreter/command.js';
import { CommandError, requireTarget } from '../../src/interpreter/command.js';
import { locationText } from '../../src/analysis/locals.js';
import type { FrameVariable } from '../../src/analysis/locals.js';
import { ptr } from '../../src/results/hex.js';
import { ok } from '../../src/results/types.js';
import { scopeFrames } from '../meta/frame.js';
import { variablesOfFrame } from '../common/frame-vars.js';

/** WinDbg's answer when the frame's module has no private symbols. */
export const NO_LOCALS = 'Unable to enumerate locals, HRESULT 0x80004005';

export interface DvOptions {
  types: boolean;
  /** /v: absolute location (address or @register); /V also the base register and offset. */
  locations: boolean;
  relative: boolean;
  /** /i: `prv param` / `prv local` classification. */
  classify: boolean;
  pattern: RegExp | undefined;
}

/** `*` and `?` wildcards, case-sensitive like C names. */
export function wildcardRegExp(pattern: string, flags = ''): RegExp {
  const body = pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
  return new RegExp(`^${body}$`, flags);
}

export function parseDvArgs(args: string, raw: string): DvOptions {
  const o: DvOptions = { types: false, locations: false, relative: false, classify: false, pattern: undefined };
  const words = args.split(/\s+/).filter(Boolean);
  for (const w of words) {
    if (/^[/-]/.test(w)) {
      for (const ch of w.slice(1)) {
        if (ch === 't') o.types = true;
        else if (ch === 'v') o.locations = true;
        else if (ch === 'V') o.locations = o.relative = true;
        else if (ch === 'i') o.classify = true;
        else if (ch === 'a' || ch === 'n' || ch === 'z' || ch === 'r' || ch === 'm') continue;
        else throw new CommandError(`       ^ Syntax error in '${raw}'`);
      }
    } else if (!o.pattern) o.pattern = wildcardRegExp(w);
    else throw new CommandError(`       ^ Extra character error in '${raw}'`);
  }
  return o;
}

/** One dv line (windbg-commands.md §4.3): name right-aligned to 15, optional location column, ` = value`. */
export function dvLine(v: FrameVariable, o: DvOptions, pointerSize: 4 | 8): string {
  const label = o.types ? `${v.typeName} ${v.name}` : v.name;
  let loc = o.locations ? `${locationText(v, pointerSize).padEnd(17)} ` : '';
  if (o.relative) {
    const rel = v.location?.kind === 'memory' && !v.unavailable
      ? `@${v.location.base}${v.location.offset < 0 ? '-' : '+'}0x${Math.abs(v.location.offset).toString(16).padStart(4, '0')}`
      : '';
    loc += `${rel.padEnd(14)} `;
  }
  const cls = o.classify ? `prv ${v.isParam ? 'param' : 'local'}  ` : '';
  // Say why a value is missing (the register was not recovered, optimized out, memory not captured).
  const why = v.unavailable ? ` (${v.unavailable})` : '';
  return `${cls}${loc}${label.padStart(15)} = ${v.value}${why}`;
}

export const dvCommand: CommandSpec = {
  name: 'dv',
  group: 'standard',
  syntax: 'dv [/i] [/t] [/v|/V] [Pattern]',
  summary: 'Parameters and locals of the current frame (.frame N selects it), from private PDB symbols',
  help: '/t: show types; /v: where each value lives (register or address); /V: also base register + offset;\n/i: prv param / prv local. Pattern may use * and ?.\nValues come from the registers the unwinder recovered for the frame; a value that cannot be\nrecovered prints <value unavailable> and the reason.',
  examples: ['dv', 'dv /t', 'dv /v', 'dv argc', '.ecxr; .frame 1; dv /t /v'],
  async run(ctx, inv) {
    const t = requireTarget(ctx);
    const o = parseDvArgs(inv.args, inv.raw);
    const frames = await scopeFrames(t);
    const index = t.frameIndex;
    if (!frames[index]) throw new CommandError(`Cannot find frame 0x${index.toString(16)}`);
    const fv = variablesOfFrame(t, frames, index);
    if (!fv) return ok([NO_LOCALS], { type: 'locals', frameIndex: index, available: false });
    const vars = fv.variables.filter((v) => !o.pattern || o.pattern.test(v.name));
    const lines = vars.map((v) => dvLine(v, o, t.pointerSize));
    return ok(lines, {
      type: 'locals',
      frameIndex: index,
      function: fv.procName,
      available: true,
      variables: vars.map((v) => ({
        name: v.name,
        type: v.typeName,
        isParam: v.isParam,
        value: v.value,
        ...(v.location ? { location: v.location.kind === 'register' ? `@${v.location.register}` : ptr(v.location.address, t.pointerSize) } : {}),
        ...(v.unavailable ? { unavailable: v.unavailable } : {}),
      })),
    });
  },
};
