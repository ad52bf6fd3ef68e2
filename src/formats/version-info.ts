import { defineLayout } from './layout.js';

/**
 * VS_FIXEDFILEINFO (52 bytes): the fixed part of a version resource. Both a
 * minidump's module record and a PE image's RT_VERSION resource hold one, so
 * the layout is declared once here for both format readers.
 */
export const VsFixedFileInfoLayout = defineLayout('VS_FIXEDFILEINFO', {
  signature: 'u32',
  strucVersion: 'u32',
  fileVersionMS: 'u32',
  fileVersionLS: 'u32',
  productVersionMS: 'u32',
  productVersionLS: 'u32',
  fileFlagsMask: 'u32',
  fileFlags: 'u32',
  fileOS: 'u32',
  fileType: 'u32',
  fileSubtype: 'u32',
  fileDateMS: 'u32',
  fileDateLS: 'u32',
});
export const VS_FIXEDFILEINFO_SIZE = VsFixedFileInfoLayout.size; // 52
/** VS_FIXEDFILEINFO.dwSignature when the record is valid. */
export const VS_FFI_SIGNATURE = 0xfeef04bd;
