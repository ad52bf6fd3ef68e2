import type { CommandSpec } from '../../src/interpreter/command.js';
import { CommandError, requireTarget } from '../../src/interpreter/command.js';
import type { MinidumpModule } from '../../src/formats/minidump/types.js';
import { guidWithDashes } from '../../src/formats/codeview/index.js';
import type { ModuleLoadReport } from '../../src/session/module-resolver.js';
import { moduleFileName } from '../../src/session/modules.js';
import type { Target } from '../../src/session/target.js';
import { hexMin, ptrPlain } from '../../src/results/hex.js';
import { ok } from '../../src/results/types.js';
import { evalArg } from '../common/expr.js';
import { ctimeUtc } from '../standard/lm.js';

/** IMAGE_FILE_HEADER.Machine names as !lmi prints them. */
const MACHINES: Record<number, string> = { 0x14c: 'I386', 0x8664: 'X64', 0xaa64: 'ARM64', 0x1c4: 'ARMNT', 0x200: 'IA64' };

/** IMAGE_DEBUG_TYPE_* names. */
const DEBUG_TYPES: Record<number, string> = {
  1: 'COFF', 2: 'CODEVIEW', 3: 'FPO', 4: 'MISC', 5: 'EXCEPTION', 6: 'FIXUP', 7: 'OMAP_TO_SRC', 8: 'OMAP_FROM_SRC',
  9: 'BORLAND', 10: 'RESERVED10', 11: 'CLSID', 12: 'VC_FEATURE', 13: 'POGO', 14: 'ILTCG', 15: 'MPX', 16: 'REPRO', 20: 'EX_DLLCHARACTERISTICS',
};

/** A `label: value` row with the label right-aligned to 15 columns, as !lmi lays them out. */
const row = (label: string, value: string): string => `${label.padStart(15)}: ${value}`;
const cont = (value: string): string => `${' '.repeat(17)}${value}`;

function symbolTypeLines(r: ModuleLoadReport): string[] {
  const s = r.symbols;
  switch (s.kind) {
    case 'pdb':
      return [row('Symbol Type', 'PDB      - Symbols loaded successfully from symbol search path.'), cont(s.path ?? '')];
    case 'sym':
      return [row('Symbol Type', 'BREAKPAD - Symbols loaded from a Breakpad .sym file.'), cont(s.path ?? '')];
    case 'export':
      return [row('Symbol Type', 'EXPORT   - Unable to locate symbols, defaulting to the export table.')];
    default:
      return [row('Symbol Type', 'NONE     - Symbols could not be loaded.')];
  }
}

function loadReportText(r: ModuleLoadReport): string {
  switch (r.symbols.kind) {
    case 'pdb':
      return r.symbols.lineAt ? 'private symbols & lines, not source indexed' : 'public symbols, not source indexed';
    case 'sym':
      return 'Breakpad symbols & lines';
    case 'export':
      return 'export symbols';
    default:
      return 'no symbols loaded';
  }
}

/** The `!lmi` block of one loaded module (image headers, debug directories, image and symbol origin). */
export function lmiLines(t: Target, m: MinidumpModule, r: ModuleLoadReport): string[] {
  const name = t.moduleName(m);
  const img = r.image?.image;
  const lines = [`Loaded Module Info: [${name}] `, row('Module', name), row('Base Address', ptrPlain(m.baseOfImage, t.pointerSize)), row('Image Name', moduleFileName(m.moduleName))];
  if (img) {
    lines.push(row('Machine Type', `${img.machine} (${MACHINES[img.machine] ?? 'unknown'})`));
    lines.push(row('Characteristics', hexMin(img.fileHeader.characteristics)));
  }
  lines.push(row('Time Stamp', `${hexMin(m.timeDateStamp)} ${ctimeUtc(m.timeDateStamp)}`));
  lines.push(row('Size', hexMin(m.sizeOfImage)));
  lines.push(row('CheckSum', hexMin(m.checkSum)));
  const cv = r.cv ?? m.cvRecord;
  const dirs = img ? img.debugDirectories() : [];
  if (dirs.length) {
    lines.push(row('Debug Data Dirs', 'Type  Size     VA  Pointer'));
    for (const d of dirs) {
      const head = `${(DEBUG_TYPES[d.type] ?? String(d.type)).padStart(15)}  ${hexMin(d.sizeOfData).padStart(5)}, ${hexMin(d.addressOfRawData).padStart(5)}, ${hexMin(d.pointerToRawData).padStart(5)}`;
      if (d.type === 2 && cv && cv.format === 'RSDS' && cv.guid) {
        lines.push(`${head} RSDS - GUID: {${guidWithDashes(cv.guid)}}`, cont(`Age: ${cv.age}, Pdb: ${cv.pdbFileName}`));
      } else if (d.type === 2 && cv && cv.format === 'NB10') {
        lines.push(`${head} NB10 - Sig: ${hexMin(cv.signature ?? 0)}, Age: ${cv.age}, Pdb: ${cv.pdbFileName}`);
      } else lines.push(head);
    }
  } else if (cv && cv.format === 'RSDS' && cv.guid) {
    lines.push(row('CodeView', `RSDS - GUID: {${guidWithDashes(cv.guid)}}`), cont(`Age: ${cv.age}, Pdb: ${cv.pdbFileName}`));
  }
  if (r.image?.origin === 'file') lines.push(row('Image Type', 'FILE     - Image read successfully from debugger.'), cont(r.image.path ?? ''));
  else if (r.image?.origin === 'dump') lines.push(row('Image Type', 'MEMORY   - Image read successfully from loaded memory.'));
  else lines.push(row('Image Type', `NONE     - ${r.imageMessage ?? 'The image could not be found on the image or symbol path.'}`));
  lines.push(...symbolTypeLines(r));
  lines.push(row('Load Report', loadReportText(r)));
  if (r.symbols.path && r.symbols.kind !== 'export') lines.push(cont(r.symbols.path));
  if (r.symbolMessage) lines.push(cont(r.symbolMessage));
  for (const w of r.warnings) lines.push(cont(w.trimEnd()));
  return lines;
}

export const lmiCommand: CommandSpec = {
  name: '!lmi',
  group: 'extension',
  syntax: '!lmi Module | !lmi Address',
  summary: 'Module information: headers, CodeView (PDB GUID/age), where the image and symbols came from',
  examples: ['!lmi crashlab', '!lmi ntdll', '!lmi @rip'],
  async run(ctx, inv) {
    const t = requireTarget(ctx);
    const arg = inv.args.trim();
    if (arg === '') throw new CommandError('Usage: !lmi Module | Address');
    let m = t.findModule(arg);
    if (!m) {
      let addr: bigint | undefined;
      try {
        addr = evalArg(t, arg, inv.raw);
      } catch {
        addr = undefined;
      }
      m = addr === undefined ? undefined : t.dump.moduleAt(addr);
    }
    if (!m) throw new CommandError(`${arg} not found`);
    const r = await t.ensureModule(m);
    const cv = r.cv ?? m.cvRecord;
    return ok(lmiLines(t, m, r), {
      type: 'moduleInfo',
      module: t.moduleName(m),
      base: m.baseOfImage,
      size: m.sizeOfImage,
      timeDateStamp: m.timeDateStamp,
      checkSum: m.checkSum,
      imagePath: m.moduleName,
      imageOrigin: r.image?.origin,
      imageFile: r.image?.path,
      symbolKind: r.symbols.kind,
      symbolFile: r.symbols.path,
      pdb: cv,
      warnings: r.warnings,
    });
  },
};
