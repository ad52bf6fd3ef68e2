import { exceptionName, exceptionRecordTrailer } from '../../src/analysis/codes/index.js';
import type { ExceptionRecord } from '../../src/formats/minidump/types.js';
import { decodeContext } from '../../src/formats/minidump/context.js';
import type { CommandSpec } from '../../src/interpreter/command.js';
import { CommandError, requireTarget } from '../../src/interpreter/command.js';
import type { Target } from '../../src/session/target.js';
import { formatSymbolic } from '../../src/session/symbolize.js';
import { hexN, ptrPlain } from '../../src/results/hex.js';
import { ok } from '../../src/results/types.js';
import { evalArg } from '../common/expr.js';
import { prepareSymbols } from '../common/location.js';
import { fullRegisterLines, contextData } from '../standard/r.js';

/** The five-label `.exr` block, then the decoded trailer (windbg-commands.md §2.1). */
export function exceptionRecordLines(t: Target, rec: ExceptionRecord): string[] {
  const p = t.pointerSize;
  const sym = formatSymbolic(t.symbolize(rec.exceptionAddress), { padOffsetTo: p * 2 });
  const lines = [
    `ExceptionAddress: ${ptrPlain(rec.exceptionAddress, p)}${sym ? ` (${sym})` : ''}`,
    `   ExceptionCode: ${hexN(rec.exceptionCode, 8)} (${exceptionName(rec.exceptionCode)})`,
    `  ExceptionFlags: ${hexN(rec.exceptionFlags, 8)}`,
    `NumberParameters: ${rec.numberParameters}`,
  ];
  const n = Math.min(rec.numberParameters, 15);
  for (let i = 0; i < n; i++) lines.push(`   Parameter[${i}]: ${ptrPlain(rec.exceptionInformation[i] ?? 0n, p)}`);
  const trailer = exceptionRecordTrailer(rec.exceptionCode, rec.exceptionInformation.slice(0, n), p === 4 ? 4 : 8);
  lines.push(...trailer);
  return lines;
}

export function exceptionRecordData(rec: ExceptionRecord): Record<string, unknown> {
  return {
    exceptionCode: rec.exceptionCode,
    exceptionName: exceptionName(rec.exceptionCode),
    exceptionFlags: rec.exceptionFlags,
    exceptionAddress: rec.exceptionAddress,
    nestedRecord: rec.exceptionRecord,
    parameters: rec.exceptionInformation.slice(0, Math.min(rec.numberParameters, 15)),
  };
}

export const dotExrCommand: CommandSpec = {
  name: '.exr',
  group: 'meta',
  syntax: '.exr -1 | .exr Address',
  summary: 'Display an exception record: -1 for the dump\'s stored exception, or one in memory',
  examples: ['.exr -1', '.exr 0000000a`2f7fe5a0'],
  async run(ctx, inv) {
    const t = requireTarget(ctx);
    const arg = inv.args.trim();
    if (arg === '' ) throw new CommandError(`Address expression missing from '<EOL>'`);
    let rec: ExceptionRecord | undefined;
    if (arg === '-1') {
      const exc = t.dump.exception();
      if (!exc) return ok(['Last event was not an exception'], { type: 'exceptionRecord', present: false });
      rec = exc.exceptionRecord;
    } else {
      const addr = evalArg(t, arg, inv.raw);
      rec = t.dump.nestedExceptionRecord(addr);
      if (!rec) throw new CommandError(`Cannot read Exception record @ ${ptrPlain(addr, t.pointerSize)}`);
    }
    await prepareSymbols(t, [rec.exceptionAddress]);
    return ok(exceptionRecordLines(t, rec), { type: 'exceptionRecord', present: true, ...exceptionRecordData(rec) });
  },
};

export const dotEcxrCommand: CommandSpec = {
  name: '.ecxr',
  aliases: ['.excr'],
  group: 'meta',
  syntax: '.ecxr',
  summary: 'Switch to the exception context stored in the dump and show its registers',
  help: 'After .ecxr, k and r use the context at the time of the exception (the fault), not the\nthread\'s state when the dump was written. ~Ns or .cxr resets it.',
  examples: ['.ecxr', '.ecxr; kn'],
  async run(ctx) {
    const t = requireTarget(ctx);
    const exc = t.dump.exception();
    if (!exc) throw new CommandError(['Minidump doesn\'t have an exception context', 'Unable to get exception context, HRESULT 0x80004002']);
    const c = t.dump.exceptionContext();
    if (!c) throw new CommandError(['Unable to get exception context, HRESULT 0x8000FFFF']);
    // .ecxr does not change the current thread number (windbg-commands.md §2.2); it sets the register scope.
    t.scope = { kind: 'exception' };
    t.frameIndex = 0;
    await prepareSymbols(t, [c.pc]);
    return ok(fullRegisterLines(t, c), { type: 'registers', scope: 'exception', threadId: exc.threadId, ...contextData(c) }, { stateChanged: true });
  },
};

export const dotCxrCommand: CommandSpec = {
  name: '.cxr',
  group: 'meta',
  syntax: '.cxr [Address | -1]',
  summary: 'Use a CONTEXT record in memory as the register context; .cxr alone resets it',
  examples: ['.cxr', '.cxr 0000000a`2f7fe0b0'],
  async run(ctx, inv) {
    const t = requireTarget(ctx);
    const arg = inv.args.trim();
    if (arg === '') {
      t.scope = { kind: 'thread' };
      t.frameIndex = 0;
      return ok(['Resetting default scope'], { type: 'scopeReset' }, { stateChanged: true });
    }
    if (arg === '-1') return dotEcxrCommand.run(ctx, { ...inv, token: '.ecxr', args: '' });
    const addr = evalArg(t, arg, inv.raw);
    const size = t.dump.arch === 'x86' ? 716 : t.dump.arch === 'arm64' ? 912 : 1232;
    const bytes = t.readExact(addr, size);
    const c = bytes ? decodeContext(bytes, t.dump.arch, 0) : undefined;
    if (!c) throw new CommandError(`Unable to read context, Win32 error 0n30 (no CONTEXT record readable at ${ptrPlain(addr, t.pointerSize)})`);
    t.scope = { kind: 'cxr', address: addr, context: c };
    t.frameIndex = 0;
    await prepareSymbols(t, [c.pc]);
    return ok(fullRegisterLines(t, c), { type: 'registers', scope: 'cxr', address: addr, ...contextData(c) }, { stateChanged: true });
  },
};
