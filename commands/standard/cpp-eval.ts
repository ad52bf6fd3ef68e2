import type { CommandSpec } from '../../src/interpreter/command.js';
import { CommandError, requireTarget } from '../../src/interpreter/command.js';
import { CppError, ctypeName, cvalueText, evaluateCpp, load } from '../../src/analysis/cpp-eval.js';
import type { CppEnv, CValue } from '../../src/analysis/cpp-eval.js';
import { dtLines, readUnsigned, recordOf } from '../../src/analysis/typed-values.js';
import { underlyingType } from '../../src/formats/pdb/type-names.js';
import { typeStreamsOf } from '../../src/formats/pdb/tpi.js';
import type { Target } from '../../src/session/target.js';
import { ok } from '../../src/results/types.js';
import { targetMemory, variablesOfFrame } from '../common/frame-vars.js';
import { scopeFrames } from '../meta/frame.js';
import { findTypedGlobal, typedefType } from '../common/symbol-types.js';

/** The evaluator's view of the current frame: its locals, its module's types, the dump's memory. */
async function cppEnv(t: Target): Promise<CppEnv> {
  const frames = await scopeFrames(t);
  const fv = variablesOfFrame(t, frames, t.frameIndex);
  let types = fv?.types;
  if (!types) {
    // No private frame: the types of the first module with a PDB.
    for (const m of t.modules()) {
      const pdb = t.loadReport(m)?.symbols.pdb;
      if (pdb) { types = typeStreamsOf(pdb.msf).tpi; break; }
    }
  }
  const mem = targetMemory(t);
  const env: CppEnv = {
    types,
    mem,
    variable(name) {
      const v = fv?.variables.find((x) => x.name === name);
      if (!v) {
        // Globals of the same module's PDB (type indices are per PDB).
        const g = findTypedGlobal(t, name);
        if (!g) return undefined;
        const gt = typeStreamsOf(g.pdb.msf).tpi;
        if (!gt || (types && gt !== types)) return undefined;
        types ??= gt;
        env.types = gt;
        return load(env, { ti: g.typeIndex, ptr: 0 }, g.address);
      }
      if (v.unavailable || !v.bytes) throw new CppError(`${name}: <value unavailable> (${v.unavailable ?? 'not read'})`);
      const out: CValue = { type: { ti: v.typeIndex, ptr: 0 }, bytes: v.bytes };
      if (v.location?.kind === 'memory') out.address = v.location.address;
      return out;
    },
    typeByName(name) {
      const bare = name.includes('!') ? name.slice(name.indexOf('!') + 1) : name;
      const tag = env.types?.findByName(bare);
      if (tag !== undefined) return tag;
      // Typedefs (S_UDT) of the PDB the types come from.
      for (const m of t.modules()) {
        const pdb = t.loadReport(m)?.symbols.pdb;
        if (pdb && typeStreamsOf(pdb.msf).tpi === env.types) return typedefType(pdb, bare);
      }
      return undefined;
    },
  };
  return env;
}

/** `??` output (windbg-commands.md §9): `type value`, then members for structures (and pointers to them). */
export function cppResultLines(env: CppEnv, v: CValue): string[] {
  const ts = env.types;
  const u = underlyingType(ts, v.type.ti);
  const r = v.type.ptr === 0 ? recordOf(ts, u) : undefined;
  const tname = ctypeName(env, v.type);
  if (r?.kind === 'udt' && ts) {
    const lines = [tname];
    if (v.address !== undefined) lines.push(...dtLines(ts, u, v.address, env.mem, { recurse: 0, pointerSize: env.mem.pointerSize }));
    return lines;
  }
  if (r?.kind === 'array') return [cvalueText(env, v)];
  const lines = [`${tname} ${cvalueText(env, v)}`];
  // A pointer to a structure also shows the members it points at.
  const target = v.type.ptr === 1 ? recordOf(ts, underlyingType(ts, v.type.ti)) : r?.kind === 'pointer' ? recordOf(ts, underlyingType(ts, r.referent)) : undefined;
  if (target?.kind === 'udt' && ts) {
    const addr = readUnsigned(v.bytes, env.mem.pointerSize);
    if (addr !== 0n) {
      try {
        load(env, { ti: target.ti, ptr: 0 }, addr);
        lines.push(...dtLines(ts, target.ti, addr, env.mem, { recurse: 0, pointerSize: env.mem.pointerSize }));
      } catch (e) {
        if (!(e instanceof CppError)) throw e;
        lines.push(`   ${e.message}`);
      }
    }
  }
  return lines;
}

export const cppEvalCommand: CommandSpec = {
  name: '??',
  group: 'standard',
  syntax: '?? Expression',
  summary: 'Evaluate a C++ expression over the current frame\'s locals and the PDB\'s types',
  help: 'Members (. and ->), dereference (*), address-of (&), array index ([]), casts ((type *) x), + - * /.\nNumbers are decimal unless prefixed with 0x. Needs private symbols for the frame (.frame N selects it).',
  examples: ['?? a', '?? record->name', '?? argv[0]', '?? (char *)argv[1]', '?? *s'],
  async run(ctx, inv) {
    const t = requireTarget(ctx);
    const text = inv.args.trim();
    if (!text) throw new CommandError(`       ^ Syntax error in '${inv.raw}'`);
    const env = await cppEnv(t);
    try {
      const v = evaluateCpp(text, env);
      return ok(cppResultLines(env, v), { type: 'cppValue', typeName: ctypeName(env, v.type), value: cvalueText(env, v) });
    } catch (e) {
      if (e instanceof CppError) throw new CommandError(e.message);
      throw e;
    }
  },
};
