import { procScope } from '../../src/formats/pdb/locals.js';
import type { PdbFile } from '../../src/formats/pdb/pdb-file.js';
import { isDataKind, iterateSymbols, parseDataSym, symbolName } from '../../src/formats/pdb/symbols.js';
import { typeStreamsOf } from '../../src/formats/pdb/tpi.js';
import { procedureArgs, typeName } from '../../src/formats/pdb/type-names.js';
import { FormatError } from '../../src/bytes/errors.js';
import { ptr } from '../../src/results/hex.js';
import type { Target } from '../../src/session/target.js';

/**
 * Types of global symbols for `x /t`: a function's return and parameter
 * types (from its S_*PROC32 record's procedure type), a variable's type
 * (S_GDATA32 / S_LDATA32 in the global symbol records).
 */
export interface SymbolType {
  /** Return type (functions) or the variable's type. */
  type: string;
  /** Parameter types of a function: `(int, char **)`. */
  params?: string;
}

interface GlobalTypes { data: Map<string, number>; typedefs: Map<string, number> }
const globalTypesCache = new WeakMap<PdbFile, GlobalTypes>();
/** S_UDT: a typedef or tag name → TPI type (`DWORD` → unsigned long). */
const S_UDT = 0x1108;

/** Name → TPI type of global/static data and of typedefs (first record of each name), from the global symbol records. */
function globalTypes(pdb: PdbFile): GlobalTypes {
  const hit = globalTypesCache.get(pdb);
  if (hit) return hit;
  const out: GlobalTypes = { data: new Map(), typedefs: new Map() };
  try {
    const si = pdb.dbi.symRecordStreamIndex;
    if (si !== undefined && pdb.msf.hasStream(si)) {
      const buf = pdb.msf.stream(si).readAll();
      for (const r of iterateSymbols(buf)) {
        if (isDataKind(r.kind)) {
          const d = parseDataSym(r);
          if (!out.data.has(d.name)) out.data.set(d.name, d.typeIndex);
        } else if (r.kind === S_UDT && r.data.length > 8) {
          const name = symbolName(r.data, 8, r.kind);
          if (!out.typedefs.has(name)) out.typedefs.set(name, r.data.readUInt32LE(4));
        }
      }
    }
  } catch (e) {
    if (!(e instanceof FormatError)) throw e;
  }
  globalTypesCache.set(pdb, out);
  return out;
}

function globalDataTypes(pdb: PdbFile): Map<string, number> {
  return globalTypes(pdb).data;
}

/** The TPI type a typedef name (S_UDT) stands for. */
export function typedefType(pdb: PdbFile, name: string): number | undefined {
  return globalTypes(pdb).typedefs.get(name);
}

/** The TPI type of global/static data `name` in `pdb`, when it has one. */
export function globalDataType(pdb: PdbFile, name: string): number | undefined {
  return globalDataTypes(pdb).get(name);
}

/** A typed global variable (`g_customers`, `crashlab!g_customers`) of a module with a PDB. */
export interface TypedGlobal { address: bigint; typeIndex: number; pdb: PdbFile; moduleName: string }

export function findTypedGlobal(t: Target, text: string): TypedGlobal | undefined {
  const bang = text.indexOf('!');
  const modName = bang < 0 ? undefined : text.slice(0, bang);
  const name = bang < 0 ? text : text.slice(bang + 1);
  const mods = modName !== undefined ? [t.findModule(modName)].filter((m) => m !== undefined) : t.modules();
  for (const m of mods) {
    const syms = t.loadReport(m)?.symbols;
    const pdb = syms?.pdb;
    if (!m || !pdb) continue;
    const ti = globalDataType(pdb, name);
    const hit = ti !== undefined ? syms.findByName?.(name) : undefined;
    if (ti !== undefined && hit) return { address: m.baseOfImage + BigInt(hit.rva), typeIndex: ti, pdb, moduleName: t.moduleName(m) };
  }
  return undefined;
}

/** The type of a symbol of module `pdb` (by RVA for functions, by name for data), when the PDB has one. */
export function symbolType(pdb: PdbFile, s: { name: string; rva: number; kind: 'function' | 'data' }): SymbolType | undefined {
  const { tpi, ipi } = typeStreamsOf(pdb.msf);
  if (!tpi) return undefined;
  try {
    if (s.kind === 'data') {
      const ti = globalDataTypes(pdb).get(s.name);
      return ti === undefined ? undefined : { type: typeName(tpi, ti) };
    }
    const hit = pdb.lookup(s.rva);
    const so = pdb.sectionOffsetOf(s.rva);
    if (!hit || hit.kind !== 'proc' || hit.module === undefined || hit.rva !== s.rva || !so) return undefined;
    const proc = pdb.moduleSymbols(hit.module)?.procAt(so.segment, so.offset);
    if (!proc) return undefined;
    const scope = procScope(pdb.moduleSymbols(hit.module)!, proc);
    let ti = scope.typeIndex;
    if (scope.isIdKind) {
      const id = ipi?.record(ti);
      if (id?.kind !== 'funcId') return undefined;
      ti = id.type;
    }
    const r = tpi.record(ti);
    if (r?.kind !== 'procedure') return undefined;
    const args = procedureArgs(tpi, r.argList);
    return { type: typeName(tpi, r.returnType), params: `(${args.length ? args.join(', ') : 'void'})` };
  } catch (e) {
    if (e instanceof FormatError) return undefined;
    throw e;
  }
}

/**
 * An `x /t` line: `00000001`40001eb0 int crashlab!divide (int, int)`,
 * `00000001`4000e010 struct customer [3] crashlab!g_customers`; undefined
 * when the symbol has no private type (the caller prints its usual line).
 */
export function xTypedLine(t: Target, row: { address: bigint; module: string; name: string; kind: 'function' | 'data' }): string | undefined {
  const m = t.dump.moduleAt(row.address);
  const pdb = m ? t.loadReport(m)?.symbols.pdb : undefined;
  if (!m || !pdb) return undefined;
  const st = symbolType(pdb, { name: row.name, rva: Number(row.address - m.baseOfImage), kind: row.kind });
  if (!st) return undefined;
  const a = ptr(row.address, t.pointerSize);
  return st.params !== undefined ? `${a} ${st.type} ${row.module}!${row.name} ${st.params}` : `${a} ${st.type} ${row.module}!${row.name}`;
}
