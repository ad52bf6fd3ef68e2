import type { CodeViewRecord } from '../minidump/types.js';
import { asciiz } from '../../bytes/reader.js';

export type { CodeViewRecord };

/** "RSDS": CV_INFO_PDB70. */
export const CV_SIGNATURE_RSDS = 0x53445352;
/** "NB10": CV_INFO_PDB20. */
export const CV_SIGNATURE_NB10 = 0x3031424e;

/** Largest PDB file name we accept in a CodeView record (MAX_PATH is 260; be generous). */
const MAX_PDB_NAME = 1024;

/**
 * Formats a GUID the way symbol servers and WinDbg's `lmv` do: Data1 (u32),
 * Data2 (u16), Data3 (u16) as integers, then Data4's 8 bytes, upper-case, no dashes.
 */
export function formatGuid(buf: Buffer, offset = 0): string {
  const hex = (n: number, w: number) => n.toString(16).toUpperCase().padStart(w, '0');
  let s = hex(buf.readUInt32LE(offset), 8) + hex(buf.readUInt16LE(offset + 4), 4) + hex(buf.readUInt16LE(offset + 6), 4);
  for (let i = 8; i < 16; i++) s += hex(buf[offset + i] ?? 0, 2);
  return s;
}

/** The same GUID as WinDbg prints it in `lmv`/`!lmi`: {XXXXXXXX-XXXX-XXXX-XXXX-XXXXXXXXXXXX}. */
export function guidWithDashes(guid: string): string {
  return `${guid.slice(0, 8)}-${guid.slice(8, 12)}-${guid.slice(12, 16)}-${guid.slice(16, 20)}-${guid.slice(20, 32)}`;
}

/** Symbol-server key for a PDB: GUID followed by the age in hex without padding (E.7). */
export function pdbKey(cv: CodeViewRecord): string | undefined {
  if (cv.format === 'RSDS' && cv.guid) return cv.guid + cv.age.toString(16).toUpperCase();
  if (cv.format === 'NB10' && cv.signature !== undefined) return cv.signature.toString(16).toUpperCase().padStart(8, '0') + cv.age.toString(16).toUpperCase();
  return undefined;
}

/**
 * Decodes a CodeView debug record (from a minidump module's CvRecord or a
 * PE debug directory entry). Returns undefined when too short to be one.
 */
export function parseCodeViewRecord(buf: Buffer): CodeViewRecord | undefined {
  if (buf.length < 4) return undefined;
  const sig = buf.readUInt32LE(0);
  if (sig === CV_SIGNATURE_RSDS) {
    if (buf.length < 24) return undefined;
    return { format: 'RSDS', guid: formatGuid(buf, 4), age: buf.readUInt32LE(20), pdbFileName: utf8z(buf, 24) };
  }
  if (sig === CV_SIGNATURE_NB10) {
    if (buf.length < 16) return undefined;
    return { format: 'NB10', signature: buf.readUInt32LE(8), age: buf.readUInt32LE(12), pdbFileName: asciiz(buf, 16, MAX_PDB_NAME) };
  }
  return { format: 'other', age: 0, pdbFileName: '' };
}

function utf8z(buf: Buffer, offset: number): string {
  const end = Math.min(buf.length, offset + MAX_PDB_NAME);
  let i = offset;
  while (i < end && buf[i] !== 0) i++;
  return buf.toString('utf8', offset, i);
}
