import type { CommandSpec } from '../../src/interpreter/command.js';
import { CommandError, requireTarget } from '../../src/interpreter/command.js';
import type { StackFrame } from '../../src/session/stack.js';
import type { Target } from '../../src/session/target.js';
import { hexMin } from '../../src/results/hex.js';
import { ok } from '../../src/results/types.js';
import { evalArg } from '../common/expr.js';
import { currentStack, frameRows, renderStack } from '../standard/k.js';
import { contextData, fullRegisterLines } from '../standard/r.js';

/**
 * The stack of the current scope as `.frame` numbers it: walked from the
 * thread/.ecxr/.cxr context, ignoring a `.frame /c` register context (so
 * frame numbers keep meaning the same frames after `.frame /c`).
 */
export async function scopeFrames(t: Target): Promise<StackFrame[]> {
  const saved = t.frameContext;
  t.frameContext = undefined;
  try {
    return (await currentStack(t)).frames;
  } finally {
    t.frameContext = saved;
  }
}

/** The one `kn`-style line of a frame (windbg-commands.md §4.3). */
export function frameLine(t: Target, frames: StackFrame[], index: number): string {
  const rows = frameRows(t, frames);
  const row = rows[index];
  if (!row) return '';
  const lines = renderStack(t, [row], { variant: '', numbers: true, frameSizes: false, hideSource: false });
  return lines[lines.length - 1] ?? '';
}

export const dotFrameCommand: CommandSpec = {
  name: '.frame',
  group: 'meta',
  syntax: '.frame [/c] [/r] [FrameNumber]',
  summary: 'Set the current frame (hex number) and show it; /c also makes its registers the context, /r shows them',
  help: 'FrameNumber is the kn frame number (hex). .frame alone shows the current frame. After /c, r, u and k\nuse the registers recovered for that frame until ~Ns, .ecxr or .cxr.',
  examples: ['.frame', '.frame 2', '.frame /r 1', '.frame /c 3'],
  async run(ctx, inv) {
    const t = requireTarget(ctx);
    let text = inv.args.trim();
    let setContext = false;
    let showRegs = false;
    for (let m = /^\/(\w+)\s*/.exec(text); m; m = /^\/(\w+)\s*/.exec(text)) {
      for (const ch of m[1]!) {
        if (ch === 'c') setContext = true;
        else if (ch === 'r') showRegs = true;
        else throw new CommandError(`       ^ Syntax error in '${inv.raw}'`);
      }
      text = text.slice(m[0].length);
    }
    const wanted = text === '' ? t.frameIndex : Number(evalArg(t, text, inv.raw) & 0xffffffffn);
    const frames = await scopeFrames(t);
    const found = frames[wanted];
    if (!found) throw new CommandError(`Cannot find frame 0x${hexMin(wanted)}, previous scope unchanged`);
    // The unwinder keeps only the registers it recovered; like RtlVirtualUnwind's copied CONTEXT,
    // the others keep the values of the frame below (segment registers, flags, volatiles).
    const base = frames[0]?.context;
    const frame = { ...found, context: { ...found.context, regs: { ...(base?.regs ?? {}), ...found.context.regs } } };
    const changed = wanted !== t.frameIndex || setContext;
    t.frameIndex = wanted;
    const lines = [frameLine(t, frames, wanted)];
    if (setContext) t.frameContext = frame.context;
    else if (text !== '') t.frameContext = undefined;
    if (showRegs || setContext) lines.push(...fullRegisterLines(t, frame.context));
    const data: Record<string, unknown> = { type: 'frame', frameIndex: wanted, instructionPointer: frame.pc, stackPointer: frame.sp, frameBase: frame.fp, contextSet: setContext };
    if (showRegs || setContext) Object.assign(data, contextData(frame.context));
    return ok(lines, { type: 'frame', ...data }, changed ? { stateChanged: true } : {});
  },
};
