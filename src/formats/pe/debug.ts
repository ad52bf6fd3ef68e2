/**
 * Debug directory (docs/unwind-symbols.md E.4): the entries, and the CodeView
 * (RSDS/NB10) payload that names the PDB.
 */
import { IMAGE_DEBUG_DIRECTORY_SIZE, ImageDebugDirectoryLayout } from './layouts.js';
import { hex } from './rva-reader.js';
import type { RvaRange, RvaReader } from './rva-reader.js';
import { IMAGE_DEBUG_TYPE } from './types.js';
import type { ImageDebugDirectory } from './types.js';

/** More entries than this is corruption (real images have 1–6). */
export const MAX_DEBUG_DIRECTORIES = 64;
/** A CodeView payload is a 24-byte RSDS header plus a path; anything bigger is not one. */
export const MAX_CODEVIEW_SIZE = 64 * 1024;

const TYPE_NAMES = new Map<number, string>(Object.entries(IMAGE_DEBUG_TYPE).map(([k, v]) => [v, k]));

/** "CODEVIEW", "REPRO", … or the number in hex for unknown types. */
export function debugTypeName(type: number): string {
  return TYPE_NAMES.get(type) ?? hex(type);
}

export interface DebugDirectoriesResult {
  entries: ImageDebugDirectory[];
  problems: string[];
}

/** Decodes the IMAGE_DEBUG_DIRECTORY array (Size / 28 entries). Never throws for bad data. */
export function readDebugDirectories(img: RvaReader, dir: RvaRange): DebugDirectoriesResult {
  const problems: string[] = [];
  let count = Math.floor(dir.size / IMAGE_DEBUG_DIRECTORY_SIZE);
  if (count > MAX_DEBUG_DIRECTORIES) {
    problems.push(`debug directory claims ${count} entries; reading the first ${MAX_DEBUG_DIRECTORIES}`);
    count = MAX_DEBUG_DIRECTORIES;
  }
  const buf = img.readRva(dir.rva, count * IMAGE_DEBUG_DIRECTORY_SIZE);
  const readable = Math.floor(buf.length / IMAGE_DEBUG_DIRECTORY_SIZE);
  if (readable < count) problems.push(`debug directory at RVA ${hex(dir.rva)}: only ${readable} of ${count} entries are readable`);
  const entries: ImageDebugDirectory[] = [];
  for (let i = 0; i < readable; i++) {
    entries.push(ImageDebugDirectoryLayout.decode(buf, i * IMAGE_DEBUG_DIRECTORY_SIZE, `reading IMAGE_DEBUG_DIRECTORY ${i}`));
  }
  return { entries, problems };
}
