/**
 * Resources → version info (docs/unwind-symbols.md E.5): walk .rsrc to
 * RT_VERSION, then decode the VS_VERSIONINFO block tree into the fixed part
 * and the StringFileInfo strings `lmv` prints.
 */
import { utf16z } from '../../bytes/reader.js';
import {
  IMAGE_RESOURCE_DATA_ENTRY_SIZE,
  IMAGE_RESOURCE_DIRECTORY_ENTRY_SIZE,
  IMAGE_RESOURCE_DIRECTORY_SIZE,
  ImageResourceDataEntryLayout,
  ImageResourceDirectoryEntryLayout,
  ImageResourceDirectoryLayout,
  VS_FFI_SIGNATURE,
  VS_FIXEDFILEINFO_SIZE,
  VsFixedFileInfoLayout,
} from './layouts.js';
import { hex } from './rva-reader.js';
import type { RvaRange, RvaReader } from './rva-reader.js';
import { RT_VERSION } from './types.js';
import type { PeVersionInfo, VersionStringTable, VersionTranslation, VsFixedFileInfo } from './types.js';

/** Bit 31 of NameOrId / OffsetToData. */
const HIGH_BIT = 0x80000000;
/** More entries than this in one resource directory is corruption. */
const MAX_RESOURCE_ENTRIES = 4096;
/** A version resource is a few KiB; refuse anything absurd. */
const MAX_VERSION_RESOURCE = 1024 * 1024;
/**
 * VS_VERSION_INFO (0) → StringFileInfo (1) → StringTable (2) → String (3):
 * blocks at depth 3 are leaves. Not trusting wValueLength there matters: some
 * writers store 0 or a byte count for text values, which would otherwise make
 * the string's own characters parse as child blocks.
 */
const LEAF_DEPTH = 3;

/** One IMAGE_RESOURCE_DIRECTORY_ENTRY, decoded. */
export interface ResourceDirectoryEntry {
  /** Integer id, when the entry is named by id. */
  id: number | undefined;
  /** Root-relative offset of the {Length, WCHAR[]} name, when named by string. */
  nameOffset: number | undefined;
  /** True when the entry points at a sub-directory. */
  isDirectory: boolean;
  /** Root-relative offset of the sub-directory or IMAGE_RESOURCE_DATA_ENTRY. */
  offset: number;
}

/** Reads the directory at root-relative `offset`; undefined when unreadable. */
export function readResourceDirectory(img: RvaReader, root: number, offset: number): ResourceDirectoryEntry[] | undefined {
  const head = img.readRvaExact(root + offset, IMAGE_RESOURCE_DIRECTORY_SIZE);
  if (!head) return undefined;
  const d = ImageResourceDirectoryLayout.decode(head, 0, 'reading IMAGE_RESOURCE_DIRECTORY');
  const count = Math.min(d.numberOfNamedEntries + d.numberOfIdEntries, MAX_RESOURCE_ENTRIES);
  const buf = img.readRva(root + offset + IMAGE_RESOURCE_DIRECTORY_SIZE, count * IMAGE_RESOURCE_DIRECTORY_ENTRY_SIZE);
  const entries: ResourceDirectoryEntry[] = [];
  for (let i = 0; i < Math.floor(buf.length / IMAGE_RESOURCE_DIRECTORY_ENTRY_SIZE); i++) {
    const e = ImageResourceDirectoryEntryLayout.decode(buf, i * IMAGE_RESOURCE_DIRECTORY_ENTRY_SIZE, 'reading IMAGE_RESOURCE_DIRECTORY_ENTRY');
    const named = (e.nameOrId & HIGH_BIT) !== 0;
    entries.push({
      id: named ? undefined : e.nameOrId,
      nameOffset: named ? e.nameOrId & ~HIGH_BIT : undefined,
      isDirectory: (e.offsetToData & HIGH_BIT) !== 0,
      offset: e.offsetToData & ~HIGH_BIT,
    });
  }
  return entries;
}

/** Where a resource's bytes are: an RVA (not root-relative) and a size. */
export interface ResourceData {
  rva: number;
  size: number;
  codePage: number;
}

/**
 * Finds type → name → language, where `name` (an id) is preferred but any
 * entry is taken when absent, and the first language is taken. Sub-directory
 * offsets are relative to the resource root; the final data entry holds an RVA.
 */
export function findResource(img: RvaReader, dir: RvaRange, type: number, preferredId?: number): ResourceData | { problem: string } {
  const root = dir.rva;
  const visited = new Set<number>();
  /** Reads the directory at `offset` and picks the entry with id `want` (else the first, unless `required`). */
  const step = (offset: number, want: number | undefined, required: boolean, level: string): ResourceDirectoryEntry | { problem: string } => {
    // A directory that points back at itself would loop forever.
    if (visited.has(offset)) return { problem: `resource directory loop at +${hex(offset)}` };
    visited.add(offset);
    const entries = readResourceDirectory(img, root, offset);
    if (!entries) return { problem: `resource ${level} directory at RVA ${hex(root + offset)} is not readable` };
    const byId = want !== undefined ? entries.find((e) => e.id === want) : undefined;
    const hit = byId ?? (required ? undefined : entries[0]);
    if (!hit) return { problem: `no resource of type ${type}` };
    return hit;
  };
  const t = step(0, type, true, 'root');
  if ('problem' in t) return t;
  if (!t.isDirectory) return { problem: `resource type ${type} entry is not a directory` };
  const n = step(t.offset, preferredId, false, 'name');
  if ('problem' in n) return n;
  if (!n.isDirectory) return { problem: `resource name entry under type ${type} is not a directory` };
  const l = step(n.offset, undefined, false, 'language');
  if ('problem' in l) return l;
  if (l.isDirectory) return { problem: `resource language entry under type ${type} is a directory, expected data` };
  const raw = img.readRvaExact(root + l.offset, IMAGE_RESOURCE_DATA_ENTRY_SIZE);
  if (!raw) return { problem: `IMAGE_RESOURCE_DATA_ENTRY at RVA ${hex(root + l.offset)} is not readable` };
  const d = ImageResourceDataEntryLayout.decode(raw, 0, 'reading IMAGE_RESOURCE_DATA_ENTRY');
  return { rva: d.offsetToData, size: d.size, codePage: d.codePage };
}

/** One node of the VS_VERSIONINFO block grammar. */
export interface VersionBlock {
  key: string;
  /** wType: 0 binary, 1 text. */
  type: number;
  /** Offset of the value in the resource buffer, and its raw bytes (text values: up to the block end). */
  valueOffset: number;
  value: Buffer;
  children: VersionBlock[];
}

const align4 = (n: number) => (n + 3) & ~3;

/**
 * Decodes the blocks in buf[offset, end). All padding is relative to the
 * start of the resource (= buffer offset 0). Malformed lengths end the list.
 */
export function parseVersionBlocks(buf: Buffer, offset: number, end: number, depth = 0): VersionBlock[] {
  const blocks: VersionBlock[] = [];
  let off = align4(offset);
  end = Math.min(end, buf.length);
  while (off + 6 <= end) {
    const wLength = buf.readUInt16LE(off);
    const wValueLength = buf.readUInt16LE(off + 2);
    const wType = buf.readUInt16LE(off + 4);
    if (wLength < 6) break; // zero/short length: padding or corruption, nothing more to read
    const blockEnd = Math.min(off + wLength, end);
    const key = utf16z(buf, off + 6, blockEnd - (off + 6));
    const valueOffset = Math.min(align4(off + 6 + (key.length + 1) * 2), blockEnd);
    // wValueLength counts WCHARs for text values and bytes for binary ones.
    const valueBytes = wType === 1 ? wValueLength * 2 : wValueLength;
    const valueEnd = Math.min(valueOffset + valueBytes, blockEnd);
    const value = buf.subarray(valueOffset, wType === 1 ? blockEnd : valueEnd);
    const childStart = align4(valueEnd);
    const children = depth < LEAF_DEPTH && childStart < blockEnd
      ? parseVersionBlocks(buf, childStart, blockEnd, depth + 1)
      : [];
    blocks.push({ key, type: wType, valueOffset, value, children });
    off = align4(off + wLength);
  }
  return blocks;
}

/** "a.b.c.d" from the MS/LS halves of a VS_FIXEDFILEINFO version. */
export function formatFileVersion(ms: number, ls: number): string {
  return `${ms >>> 16}.${ms & 0xffff}.${ls >>> 16}.${ls & 0xffff}`;
}

/** Decodes a VS_VERSIONINFO resource; undefined when the root block is not one. */
export function parseVersionInfo(buf: Buffer): PeVersionInfo | undefined {
  const root = parseVersionBlocks(buf, 0, buf.length)[0];
  if (!root || root.key !== 'VS_VERSION_INFO') return undefined;
  let fixed: VsFixedFileInfo | undefined;
  if (root.value.length >= VS_FIXEDFILEINFO_SIZE) {
    const f = VsFixedFileInfoLayout.decode(root.value, 0, 'reading VS_FIXEDFILEINFO');
    if (f.signature === VS_FFI_SIGNATURE) fixed = f;
  }
  const translations: VersionTranslation[] = [];
  const stringTables: VersionStringTable[] = [];
  for (const child of root.children) {
    if (child.key === 'StringFileInfo') {
      for (const table of child.children) {
        stringTables.push({
          key: table.key,
          strings: table.children.map((s) => ({ key: s.key, value: utf16z(s.value, 0) })),
        });
      }
    } else if (child.key === 'VarFileInfo') {
      for (const v of child.children) {
        if (v.key !== 'Translation') continue;
        for (let i = 0; i + 4 <= v.value.length; i += 4) {
          translations.push({ language: v.value.readUInt16LE(i), codePage: v.value.readUInt16LE(i + 2) });
        }
      }
    }
  }
  const first = translations[0];
  const wanted = first ? (first.language.toString(16).padStart(4, '0') + first.codePage.toString(16).padStart(4, '0')).toLowerCase() : undefined;
  const chosen = stringTables.find((t) => t.key.toLowerCase() === wanted) ?? stringTables[0];
  return {
    fixed,
    fileVersion: fixed ? formatFileVersion(fixed.fileVersionMS, fixed.fileVersionLS) : undefined,
    productVersion: fixed ? formatFileVersion(fixed.productVersionMS, fixed.productVersionLS) : undefined,
    translations,
    stringTables,
    strings: chosen ? chosen.strings : [],
  };
}

export interface VersionInfoResult {
  info: PeVersionInfo | undefined;
  problems: string[];
}

/** Finds RT_VERSION (id 1 preferred) under the resource directory and decodes it. Never throws for bad data. */
export function readVersionInfo(img: RvaReader, dir: RvaRange): VersionInfoResult {
  const found = findResource(img, dir, RT_VERSION, 1);
  if ('problem' in found) {
    // An image without a version resource is normal, not a problem worth reporting.
    return { info: undefined, problems: found.problem.startsWith('no resource of type') ? [] : [found.problem] };
  }
  if (found.size > MAX_VERSION_RESOURCE) return { info: undefined, problems: [`version resource claims ${found.size} bytes`] };
  const buf = img.readRvaExact(found.rva, found.size);
  if (!buf) return { info: undefined, problems: [`version resource at RVA ${hex(found.rva)} (${found.size} bytes) is not readable`] };
  const info = parseVersionInfo(buf);
  return { info, problems: info ? [] : [`version resource at RVA ${hex(found.rva)} is not a VS_VERSIONINFO`] };
}
