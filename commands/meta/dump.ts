import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { CommandSpec } from '../../src/interpreter/command.js';
import { CommandError, requireTarget } from '../../src/interpreter/command.js';
import { minidumpTypeFlagNames, streamTypeName } from '../../src/formats/minidump/streams.js';
import type { Target } from '../../src/session/target.js';
import { hexN, ptr } from '../../src/results/hex.js';
import { ok } from '../../src/results/types.js';
import { openBanner } from './open-banner.js';

const H = (v: number | bigint, w = 8) => hexN(v, w).toUpperCase();

/** `.dumpdebug`: the header and the stream directory, with list details, as WinDbg prints them. */
export function dumpDebugLines(t: Target): string[] {
  const d = t.dump;
  const h = d.header;
  const lines = ['----- User Mini Dump Analysis', '', 'MINIDUMP_HEADER:'];
  lines.push(`Version         ${H(h.version & 0xffff, 4)} (${H(h.version >>> 16, 4)})`);
  lines.push(`NumberOfStreams ${h.numberOfStreams}`);
  lines.push(`Flags           ${h.flags.toString(16).toUpperCase()}`);
  for (let bit = 0n; bit < 64n; bit++) {
    const v = 1n << bit;
    if (h.flags & v) lines.push(`                ${H(v, 4)} ${minidumpTypeFlagNames(v)[0] ?? ''}`.trimEnd());
  }
  lines.push('', 'Streams:');
  const p = t.pointerSize;
  for (const e of d.directory) {
    lines.push(`Stream ${e.index}: type ${streamTypeName(e.streamType)} (${e.streamType}), size ${H(e.dataSize)}, RVA ${H(e.rva)}`);
    if (e.streamType === 3 || e.streamType === 8) {
      const threads = d.threads();
      lines.push(`  ${threads.length} threads`);
      const entry = e.streamType === 8 ? 64 : 48;
      const first = e.rva + (e.dataSize === 4 + 4 + threads.length * entry ? 8 : 4);
      threads.forEach((th, i) => lines.push(`  RVA ${H(first + i * entry)}, ID ${th.threadId.toString(16).toUpperCase()}, Teb:${H(th.teb, 16)}`));
    } else if (e.streamType === 4) {
      const mods = d.modules();
      lines.push(`  ${mods.length} modules`);
      const first = e.rva + (e.dataSize === 4 + 4 + mods.length * 108 ? 8 : 4);
      mods.forEach((m, i) => lines.push(`  RVA ${H(first + i * 108)}, ${ptr(m.baseOfImage, p)} - ${ptr(m.baseOfImage + BigInt(m.sizeOfImage), p)}: '${m.moduleName}'`));
    } else if (e.streamType === 5 || e.streamType === 9) {
      const kind = e.streamType === 9;
      const ranges = d.memory.ranges.filter((r) => (kind ? r.fileOffset >= 0 : true));
      lines.push(`  ${ranges.length} memory ranges`);
      lines.push('  range#    RVA      Address             Size');
      ranges.slice(0, 4096).forEach((r, i) => lines.push(`  ${String(i).padStart(6)}    ${H(r.fileOffset)} ${ptr(r.start, 8)}   ${ptr(BigInt(r.size), 8)}`));
      if (ranges.length > 4096) lines.push(`  ... ${ranges.length - 4096} more ranges`);
      const total = ranges.reduce((s, r) => s + r.size, 0);
      lines.push(`  Total memory: ${total.toString(16)}`);
    }
  }
  return lines;
}

export const dotDumpdebugCommand: CommandSpec = {
  name: '.dumpdebug',
  group: 'meta',
  syntax: '.dumpdebug',
  summary: 'Show the dump header, its flags and the stream directory (type, size, RVA)',
  examples: ['.dumpdebug'],
  run(ctx) {
    const t = requireTarget(ctx);
    const d = t.dump;
    return ok(dumpDebugLines(t), {
      type: 'dumpdebug',
      header: { ...d.header, flagNames: minidumpTypeFlagNames(d.header.flags) },
      streams: d.directory.map((e) => ({ index: e.index, type: e.streamType, name: streamTypeName(e.streamType), size: e.dataSize, rva: e.rva })),
    });
  },
};

export const dotOpendumpCommand: CommandSpec = {
  name: '.opendump',
  group: 'meta',
  syntax: '.opendump DumpFile',
  summary: 'Open another dump in this session (||N s switches between them)',
  noDump: true,
  examples: ['.opendump second.dmp', '.opendump logs.zip#w3wp.dmp'],
  async run(ctx, inv) {
    const file = inv.args.trim().replace(/^"(.*)"$/, '$1');
    if (!file) throw new CommandError('Usage: .opendump DumpFile');
    const s = ctx.session;
    const prev = s.current;
    const t = await s.openSpec(file, ctx.progress);
    // cdb: `.opendump` loads the dump; the current system stays until `||N s` (a first dump becomes current).
    if (s.targets.length > 1) s.current = prev;
    const banner = await openBanner(s, t);
    return ok([`Opened dump ${s.targets.length - 1}: ${file}`, ...banner.blocks.flatMap((b) => b.lines)], { type: 'opendump', index: s.targets.length - 1, path: file }, { stateChanged: true });
  },
};

/** Reads a UTF-16 (BOM) or UTF-8 text file. */
function readText(file: string): string {
  const b = readFileSync(file);
  if (b[0] === 0xff && b[1] === 0xfe) return b.toString('utf16le', 2);
  return b.toString('utf8').replace(/^\ufeff/, '');
}

/** `Report.wer` is `key=value` lines; signature parameters are `Sig[i].Name`/`Sig[i].Value`. */
export function parseReportWer(text: string): Map<string, string> {
  const m = new Map<string, string>();
  for (const line of text.split(/\r?\n/)) {
    const i = line.indexOf('=');
    if (i > 0) m.set(line.slice(0, i).trim(), line.slice(i + 1).trim());
  }
  return m;
}

function xmlTag(xml: string, tag: string): string | undefined {
  const m = new RegExp(`<${tag}>([^<]*)</${tag}>`, 'i').exec(xml);
  return m ? m[1]!.trim() : undefined;
}

/** Where WER files live: in the archive's cache dir, or beside the dump. */
function werFiles(t: Target): { report?: string; metadata?: string } {
  const dirs = [t.intake?.archive?.dir, path.dirname(t.filePath), path.dirname(t.path)].filter((d): d is string => !!d);
  const out: { report?: string; metadata?: string } = {};
  for (const d of dirs) {
    for (const name of ['Report.wer', 'report.wer']) if (!out.report && existsSync(path.join(d, name))) out.report = path.join(d, name);
    if (!out.metadata) {
      try {
        const f = readdirSync(d).find((n) => /^WER.*\.xml$/i.test(n) || /^WERInternalMetadata\.xml$/i.test(n));
        if (f) out.metadata = path.join(d, f);
      } catch {
        /* unreadable dir */
      }
    }
  }
  return out;
}

export const dotWerCommand: CommandSpec = {
  name: '.wer',
  group: 'meta',
  syntax: '.wer',
  summary: 'Show the Windows Error Reporting report next to the dump (Report.wer, WER*.xml)',
  examples: ['.wer'],
  run(ctx) {
    const t = requireTarget(ctx);
    const files = werFiles(t);
    if (!files.report && !files.metadata) throw new CommandError(`No WER report found: .wer reads Report.wer and WERInternalMetadata.xml from the dump's folder or from the archive it came in (${path.dirname(t.filePath)}).`);
    const lines: string[] = [];
    const data: Record<string, unknown> = { type: 'wer' };
    if (files.report) {
      const m = parseReportWer(readText(files.report));
      const sig: Record<string, string> = {};
      for (let i = 0; i < 16; i++) {
        const n = m.get(`Sig[${i}].Name`);
        const v = m.get(`Sig[${i}].Value`);
        if (n !== undefined && v !== undefined) sig[n] = v;
      }
      const event = m.get('EventType') ?? m.get('FriendlyEventName') ?? '';
      lines.push(`Report file:          ${files.report}`, `Event name:           ${event}`);
      const app = sig['Application Name'] ?? m.get('AppName') ?? '';
      lines.push(`Faulting application: ${app}${sig['Application Version'] ? ` ${sig['Application Version']}` : ''}`);
      if (sig['Fault Module Name']) lines.push(`Faulting module:      ${sig['Fault Module Name']}${sig['Fault Module Version'] ? ` ${sig['Fault Module Version']}` : ''}`);
      if (sig['Exception Code']) lines.push(`Exception code:       ${sig['Exception Code']}`);
      if (sig['Exception Offset'] || sig['Fault Offset']) lines.push(`Exception offset:     ${sig['Exception Offset'] ?? sig['Fault Offset']}`);
      const appPath = m.get('AppPath');
      if (appPath) lines.push(`Application path:     ${appPath}`);
      for (const [k, v] of m) if (/^(AppPool|CommandLine|UI\[\d+\]|NsAppName)$/i.test(k)) lines.push(`${`${k}:`.padEnd(22)}${v}`);
      const rest = Object.entries(sig).filter(([k]) => !['Application Name', 'Application Version', 'Fault Module Name', 'Fault Module Version', 'Exception Code', 'Exception Offset'].includes(k));
      if (rest.length) lines.push('Other signature parameters:', ...rest.map(([k, v]) => `    ${k}: ${v}`));
      Object.assign(data, { report: files.report, eventType: event, signature: sig, appPath });
    }
    if (files.metadata) {
      const xml = readText(files.metadata);
      const ev = xmlTag(xml, 'EventType');
      const params = Array.from({ length: 10 }, (_, i) => xmlTag(xml, `Parameter${i}`)).filter((x): x is string => x !== undefined);
      const cmd = xmlTag(xml, 'CommandLine');
      lines.push(`Metadata file:        ${files.metadata}`);
      if (ev) lines.push(`Event (metadata):     ${ev}`);
      if (params.length) lines.push(`Parameters:           ${params.join(' | ')}`);
      if (cmd) lines.push(`Command line:         ${cmd}`);
      Object.assign(data, { metadata: files.metadata, metadataEvent: ev, parameters: params, commandLine: cmd });
    }
    return ok(lines, data as { type: string });
  },
};
