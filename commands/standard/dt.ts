import type { CommandSpec } from '../../src/interpreter/command.js';
import { CommandError, requireTarget } from '../../src/interpreter/command.js';
import { dtLines, dtMemberValue, formatValue, readUnsigned, recordOf } from '../../src/analysis/typed-values.js';
import type { FrameVariable } from '../../src/analysis/locals.js';
import type { TypeStream } from '../../src/formats/pdb/tpi.js';
import { typeName, underlyingType } from '../../src/formats/pdb/type-names.js';
import type { Target } from '../../src/session/target.js';
import { hexMin, ptr } from '../../src/results/hex.js';
import { ok } from '../../src/results/types.js';
import { evalArg } from '../common/expr.js';
import { targetMemory, variablesOfFrame } from '../common/frame-vars.js';
import { findTypes } from '../common/pdb-types.js';
import { findTypedGlobal } from '../common/symbol-types.js';
import { typeStreamsOf } from '../../src/formats/pdb/tpi.js';
import { scopeFrames } from '../meta/frame.js';

export interface DtArgs { recurse: number; name: string; address: string | undefined }

export function parseDtArgs(args: string, raw: string): DtArgs {
  const words = args.split(/\s+/).filter(Boolean);
  const o: DtArgs = { recurse: 0, name: '', address: undefined };
  const rest: string[] = [];
  for (const w of words) {
    const r = /^-r(\d*)$/.exec(w);
    if (r) o.recurse = r[1] ? Number(r[1]) : 1;
    else if (/^-[vbaAiopqsx]+$/.test(w)) continue;
    else rest.push(w);
  }
  if (rest.length === 0) throw new CommandError(`       ^ Syntax error in '${raw}'`);
  o.name = rest[0]!;
  if (rest.length > 1) o.address = rest.slice(1).join(' ');
  return o;
}

/** The name dt's "Local var" header uses: `customer*`, `int`. */
function dtHeaderType(ts: TypeStream | undefined, ti: number): string {
  return typeName(ts, ti).replace(/^(struct|class|union|enum) /, '').replace(/ \*/g, '*');
}

/** `dt` of a UDT or enum type, at an address or as a layout. */
function typeBody(t: Target, ts: TypeStream, ti: number, address: bigint | undefined, recurse: number): string[] {
  const u = underlyingType(ts, ti);
  const r = recordOf(ts, u);
  if (r?.kind === 'enum') {
    if (address !== undefined) {
      const b = t.readMemory(address, 4);
      return [b.length < 4 ? '????????' : formatValue(ts, u, b, targetMemory(t))];
    }
    return ts.fieldMembers(r.fieldList).flatMap((m) => (m.kind === 'enumerate' ? [`   ${m.name} = 0n${m.value}`] : []));
  }
  return dtLines(ts, u, address, address === undefined ? undefined : targetMemory(t), { recurse, pointerSize: t.pointerSize });
}

/** `dt VAR`: a parameter or local of the current frame. */
function localBody(t: Target, ts: TypeStream | undefined, v: FrameVariable, recurse: number): string[] {
  const where = !v.location ? '<unavailable>' : v.location.kind === 'register' ? v.location.register : `0x${hexMin(v.location.address)}`;
  const lines = [`Local var @ ${where} Type ${dtHeaderType(ts, v.typeIndex)}`];
  if (v.unavailable || !v.bytes) {
    lines.push(`<value unavailable> (${v.unavailable ?? 'not read'})`);
    return lines;
  }
  const u = underlyingType(ts, v.typeIndex);
  const r = recordOf(ts, u);
  if (ts && r?.kind === 'udt' && v.location?.kind === 'memory') return [...lines, ...typeBody(t, ts, u, v.location.address, recurse)];
  if (ts && r?.kind === 'pointer') {
    const target = recordOf(ts, underlyingType(ts, r.referent));
    const p = readUnsigned(v.bytes, r.size || t.pointerSize);
    if (target?.kind === 'udt') {
      lines.push(`0x${ptr(p, t.pointerSize)} `);
      if (p !== 0n) lines.push(...typeBody(t, ts, underlyingType(ts, r.referent), p, recurse));
      return lines;
    }
  }
  lines.push(v.value);
  return lines;
}

export const dtCommand: CommandSpec = {
  name: 'dt',
  group: 'standard',
  syntax: 'dt [-r[N]] [mod!]Type[*] [Address] | dt [-r[N]] LocalVar',
  summary: 'Display a type from private PDB symbols: its layout, its members at an address, or a local variable',
  help: 'Without an address: member offsets and types. With one: member values read from the dump.\n-r[N]: expand embedded structures N levels. Wildcards list matching type names. A name that is a\nparameter/local of the current frame (.frame) shows that variable.',
  examples: ['dt crashlab!customer', 'dt -r1 crashlab!session', 'dt crashlab!_*', 'dt crashlab!customer 0xb81438', 'dt record'],
  async run(ctx, inv) {
    const t = requireTarget(ctx);
    const a = parseDtArgs(inv.args, inv.raw);
    // A local first (WinDbg resolves symbols before types).
    if (!a.address && !/[!*?]/.test(a.name)) {
      const frames = await scopeFrames(t);
      const fv = variablesOfFrame(t, frames, t.frameIndex);
      const v = fv?.variables.find((x) => x.name === a.name);
      if (fv && v) return ok(localBody(t, fv.types, v, a.recurse), { type: 'dt', variable: v.name, typeName: v.typeName, value: v.value });
    }
    const found = await findTypes(t, a.name);
    if (found.length === 0 && !/[*?]/.test(a.name)) {
      // A typed global variable: its members (or value) at its address.
      const g = findTypedGlobal(t, a.name);
      const gt = g ? typeStreamsOf(g.pdb.msf).tpi : undefined;
      if (g && gt) {
        const u = underlyingType(gt, g.typeIndex);
        const body = recordOf(gt, u)?.kind === 'udt' || recordOf(gt, u)?.kind === 'enum'
          ? typeBody(t, gt, u, g.address, a.recurse)
          : [dtMemberValue(gt, u, g.address, targetMemory(t), t.pointerSize)];
        return ok([...body], { type: 'dt', variable: a.name, typeName: typeName(gt, g.typeIndex), address: `0x${hexMin(g.address)}` });
      }
    }
    if (found.length === 0) return ok([`Symbol ${a.name} not found.`], { type: 'dt', found: false });
    if (/[*?]/.test(a.name)) {
      return ok(found.map((f) => `          ${f.moduleName}!${f.name}`), { type: 'dtList', types: found.map((f) => `${f.moduleName}!${f.name}`) });
    }
    const f = found[0]!;
    const address = a.address !== undefined ? evalArg(t, a.address, inv.raw) : undefined;
    const lines = address === undefined ? [`${f.moduleName}!${f.name}`] : [];
    lines.push(...typeBody(t, f.types, f.ti, address, a.recurse));
    return ok(lines, { type: 'dt', module: f.moduleName, name: f.name, ...(address !== undefined ? { address: `0x${hexMin(address)}` } : {}) });
  },
};
