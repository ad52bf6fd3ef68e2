import { defineLayout } from './layout.js';

/**
 * IMAGE_SECTION_HEADER (40 bytes). PE images hold a table of them and PDBs
 * keep a copy in their section-header stream, so it is declared once here for
 * both readers.
 */
export const ImageSectionHeaderLayout = defineLayout('IMAGE_SECTION_HEADER', {
  name: { bytes: 8 },
  virtualSize: 'u32',
  virtualAddress: 'u32',
  sizeOfRawData: 'u32',
  pointerToRawData: 'u32',
  pointerToRelocations: 'u32',
  pointerToLinenumbers: 'u32',
  numberOfRelocations: 'u16',
  numberOfLinenumbers: 'u16',
  characteristics: 'u32',
});
export const IMAGE_SECTION_HEADER_SIZE = ImageSectionHeaderLayout.size; // 40
