import { FormatError } from '../../bytes/errors.js';
import { asciiz } from '../../bytes/reader.js';
import { IMAGE_SECTION_HEADER_SIZE, ImageSectionHeaderLayout, OMAP_ENTRY_SIZE } from './layouts.js';
import type { PdbStream } from './msf.js';

export interface PdbSectionHeader {
  name: string;
  virtualSize: number;
  virtualAddress: number;
  sizeOfRawData: number;
  characteristics: number;
}

/** Most sections any image can have (the PE header field is a u16). */
const MAX_SECTIONS = 0xffff;

/** Parses an IMAGE_SECTION_HEADER array stream (DBI optional debug header [5] or [10]). */
export function parseSectionHeaders(stream: PdbStream): PdbSectionHeader[] {
  const n = Math.min(Math.floor(stream.size / IMAGE_SECTION_HEADER_SIZE), MAX_SECTIONS);
  const buf = stream.read(0, n * IMAGE_SECTION_HEADER_SIZE);
  const ctx = `reading section headers (stream ${stream.index})`;
  const out: PdbSectionHeader[] = [];
  for (let i = 0; i < n; i++) {
    const h = ImageSectionHeaderLayout.decode(buf, i * IMAGE_SECTION_HEADER_SIZE, ctx);
    out.push({
      name: asciiz(h.name),
      virtualSize: h.virtualSize,
      virtualAddress: h.virtualAddress,
      sizeOfRawData: h.sizeOfRawData,
      characteristics: h.characteristics,
    });
  }
  return out;
}

/** Section extent: VirtualSize, or SizeOfRawData when VirtualSize is 0 (some linkers). */
function extent(h: PdbSectionHeader): number {
  return h.virtualSize || h.sizeOfRawData;
}

/** rva → 1-based section and offset (F.9 step 2). */
export function rvaToSectionOffset(headers: readonly PdbSectionHeader[], rva: number): { segment: number; offset: number } | undefined {
  for (let i = 0; i < headers.length; i++) {
    const h = headers[i]!;
    if (rva >= h.virtualAddress && rva - h.virtualAddress < extent(h)) return { segment: i + 1, offset: rva - h.virtualAddress };
  }
  return undefined;
}

/** 1-based section:offset → rva, or undefined for an unknown section. */
export function sectionOffsetToRva(headers: readonly PdbSectionHeader[], segment: number, offset: number): number | undefined {
  const h = headers[segment - 1];
  if (!h || segment < 1) return undefined;
  return (h.virtualAddress + offset) >>> 0;
}

/**
 * An OMAP table ({from, to} pairs sorted by `from`), used when the image was
 * rearranged after linking (BBT/OMAP-optimised Windows binaries).
 */
export class OmapTable {
  private readonly from: Uint32Array;
  private readonly to: Uint32Array;

  constructor(stream: PdbStream) {
    const n = Math.floor(stream.size / OMAP_ENTRY_SIZE);
    const buf = stream.read(0, n * OMAP_ENTRY_SIZE);
    this.from = new Uint32Array(n);
    this.to = new Uint32Array(n);
    let prev = 0;
    for (let i = 0; i < n; i++) {
      const f = buf.readUInt32LE(i * OMAP_ENTRY_SIZE);
      if (f < prev) throw new FormatError('BadValue', `OMAP table is not sorted at entry ${i}`, `reading OMAP stream ${stream.index}`, i * OMAP_ENTRY_SIZE);
      prev = f;
      this.from[i] = f;
      this.to[i] = buf.readUInt32LE(i * OMAP_ENTRY_SIZE + 4);
    }
  }

  get length(): number {
    return this.from.length;
  }

  /** Translates an address: `to + (x − from)` of the last pair with from ≤ x; undefined when unmapped (to = 0). */
  translate(x: number): number | undefined {
    let lo = 0;
    let hi = this.from.length - 1;
    let best = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      if (this.from[mid]! <= x) {
        best = mid;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    if (best < 0) return undefined;
    const to = this.to[best]!;
    if (to === 0) return undefined;
    return (to + (x - this.from[best]!)) >>> 0;
  }
}
