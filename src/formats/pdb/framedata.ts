import { FRAMEDATA_SIZE, FPO_DATA_SIZE, FpoDataLayout, FrameDataLayout } from './layouts.js';

/**
 * x86 frame information in the shape of Breakpad's STACK WIN records (C.2–C.5).
 * Sizes are in bytes.
 */
export interface PdbFrameData {
  type: 'fpo' | 'framedata';
  /** Breakpad/DIA frame type: FPO cbFrame (0 FPO, 1 trap, 2 TSS, 3 non-FPO) or 4 for FrameData. */
  frameType: number;
  rvaStart: number;
  codeSize: number;
  /** cbLocals (FPO: cdwLocals × 4). */
  localSize: number;
  /** cbParams (FPO: cdwParams × 4). */
  paramsSize: number;
  /** cbSavedRegs (FPO: cbRegs × 4). */
  savedRegsSize: number;
  prologSize: number;
  /** FrameData only: cbStkMax. */
  maxStackSize?: number;
  /** FrameData only: offset of the program string in /names. */
  frameFunc?: number;
  /** FrameData only: the postfix program from /names[frameFunc], when present. */
  programString?: string;
  /** FPO fUseBP: EBP is used as a frame pointer (for FrameData: false; the program says it). */
  allocatesBasePointer: boolean;
  hasSeh: boolean;
  /** FrameData only: fHasEH. */
  hasCxxEh?: boolean;
  /** FrameData only: fIsFunctionStart. */
  isFunctionStart?: boolean;
}

/** FPO_DATA attribute bits (verified layout, C.2). */
export const FPO_PROLOG_MASK = 0x00ff;
export const FPO_REGS_SHIFT = 8;
export const FPO_REGS_MASK = 0x7;
export const FPO_HAS_SEH = 0x0800;
export const FPO_USE_BP = 0x1000;
export const FPO_FRAME_SHIFT = 14;
/** FRAMEDATA flags. */
export const FRAMEDATA_HAS_SEH = 0x1;
export const FRAMEDATA_HAS_EH = 0x2;
export const FRAMEDATA_IS_FUNCTION_START = 0x4;
/** DIA StackFrameTypeEnum value for FrameData records. */
export const FRAME_TYPE_FRAMEDATA = 4;

export function decodeFpoData(buf: Buffer, offset = 0): PdbFrameData {
  const f = FpoDataLayout.decode(buf, offset, 'decoding FPO_DATA');
  const a = f.attributes;
  return {
    type: 'fpo',
    frameType: (a >>> FPO_FRAME_SHIFT) & 3,
    rvaStart: f.ulOffStart,
    codeSize: f.cbProcSize,
    localSize: f.cdwLocals * 4,
    paramsSize: f.cdwParams * 4,
    savedRegsSize: ((a >>> FPO_REGS_SHIFT) & FPO_REGS_MASK) * 4,
    prologSize: a & FPO_PROLOG_MASK,
    allocatesBasePointer: (a & FPO_USE_BP) !== 0,
    hasSeh: (a & FPO_HAS_SEH) !== 0,
  };
}

/** Decodes FRAMEDATA; `programString` resolves frameFunc through /names. */
export function decodeFrameData(buf: Buffer, offset = 0, programString?: (off: number) => string | undefined): PdbFrameData {
  const f = FrameDataLayout.decode(buf, offset, 'decoding FRAMEDATA');
  const prog = programString?.(f.frameFunc);
  return {
    type: 'framedata',
    frameType: FRAME_TYPE_FRAMEDATA,
    rvaStart: f.ulRvaStart,
    codeSize: f.cbBlock,
    localSize: f.cbLocals,
    paramsSize: f.cbParams,
    savedRegsSize: f.cbSavedRegs,
    prologSize: f.cbProlog,
    maxStackSize: f.cbStkMax,
    frameFunc: f.frameFunc,
    ...(prog ? { programString: prog } : {}),
    allocatesBasePointer: false,
    hasSeh: (f.flags & FRAMEDATA_HAS_SEH) !== 0,
    hasCxxEh: (f.flags & FRAMEDATA_HAS_EH) !== 0,
    isFunctionStart: (f.flags & FRAMEDATA_IS_FUNCTION_START) !== 0,
  };
}

/** Decodes every record of an FPO_DATA or FRAMEDATA array buffer. */
export function decodeFrameArray(buf: Buffer, type: 'fpo' | 'framedata', programString?: (off: number) => string | undefined): PdbFrameData[] {
  const size = type === 'fpo' ? FPO_DATA_SIZE : FRAMEDATA_SIZE;
  const out: PdbFrameData[] = [];
  for (let pos = 0; pos + size <= buf.length; pos += size) {
    out.push(type === 'fpo' ? decodeFpoData(buf, pos) : decodeFrameData(buf, pos, programString));
  }
  return out;
}

/** How far back from the greatest start ≤ rva we look for an enclosing record (nested prolog records). */
const MAX_BACKTRACK = 64;

/**
 * A sorted table of frame records. Several records may cover one function
 * (prolog sub-ranges): the record with the largest start ≤ rva that contains rva
 * wins (the innermost one when starts are equal).
 */
export class FrameTable {
  readonly records: PdbFrameData[];

  constructor(records: PdbFrameData[]) {
    // Equal starts: larger ranges first, so walking back meets the innermost record first.
    this.records = records.slice().sort((a, b) => a.rvaStart - b.rvaStart || b.codeSize - a.codeSize);
  }

  find(rva: number): PdbFrameData | undefined {
    const list = this.records;
    let lo = 0;
    let hi = list.length - 1;
    let best = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      if (list[mid]!.rvaStart <= rva) {
        best = mid;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    for (let i = best; i >= 0 && i > best - MAX_BACKTRACK; i--) {
      const r = list[i]!;
      if (rva - r.rvaStart < r.codeSize) return r;
    }
    return undefined;
  }
}
