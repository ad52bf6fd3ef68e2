/**
 * The one capability the directory parsers need: bytes at an RVA. PeImage
 * implements it for files (through the section table) and for mapped images.
 */
export interface RvaReader {
  /** Bytes at [rva, rva+len): the available prefix, possibly short or empty. */
  readRva(rva: number, len: number): Buffer;
  /** Exactly `len` bytes at `rva`, or undefined when not all of them are readable. */
  readRvaExact(rva: number, len: number): Buffer | undefined;
}

/** A directory's location: RVA and size in bytes. */
export interface RvaRange {
  rva: number;
  size: number;
}

export const hex = (n: number): string => `0x${n.toString(16)}`;
