import { closeSync, mkdirSync, openSync, readSync, renameSync, rmSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import { nodeZlib } from '../bytes/builtins.js';
import { FileSource } from '../bytes/source.js';
import { FormatError } from '../bytes/errors.js';
import { readZipDirectory, extractZipEntry } from '../formats/archive/zip.js';
import { expandCabToFile, isCab } from './cab.js';
import { tempNameFor } from './cache-file.js';

/**
 * A symbol store's compressed file (`foo.pd_`, G.2): a cabinet (MSZIP), or a
 * ZIP archive (newer `symstore /compress` is reported to write ZIP). Expanded
 * into `destPath` atomically; `want` names the entry (any case), a single-entry
 * archive is used whatever its entry is called. ZIP entries are checked against
 * their size and CRC-32 before the rename.
 */
export async function expandCompressedFile(path: string, destPath: string, want: string | undefined, maxSize: number): Promise<{ name: string; size: number }> {
  const src = new FileSource(path);
  try {
    const head = src.read(0, 4);
    if (isCab(head)) return expandCabToFile(path, destPath, want, maxSize);
    if (head.length < 4 || head.readUInt32LE(0) !== 0x04034b50) {
      throw new FormatError('BadValue', 'compressed file is neither a cabinet (MSCF) nor a ZIP archive', `reading ${path}`, 0);
    }
    const entries = readZipDirectory(src).filter((e) => !e.name.endsWith('/'));
    const leaf = (n: string) => n.slice(Math.max(n.lastIndexOf('\\'), n.lastIndexOf('/')) + 1).toLowerCase();
    const entry = (want ? entries.find((e) => leaf(e.name) === want.toLowerCase()) : undefined) ?? (entries.length === 1 ? entries[0] : undefined);
    if (!entry) throw new FormatError('BadValue', `archive holds ${entries.length} files and none is ${want ?? 'the only one'}`, `reading ${path}`);
    if (entry.uncompressedSize > maxSize) throw new FormatError('TooLarge', `${entry.name} is ${entry.uncompressedSize} bytes, above the ${maxSize}-byte limit`, `reading ${path}`);
    mkdirSync(dirname(destPath), { recursive: true });
    const tmp = tempNameFor(destPath);
    try {
      await extractZipEntry(path, src, entry, tmp);
      const size = statSync(tmp).size;
      if (size !== entry.uncompressedSize) throw new FormatError('BadValue', `${entry.name} expands to ${size} bytes, the directory says ${entry.uncompressedSize}`, `reading ${path}`);
      if (fileCrc32(tmp) !== entry.crc32 >>> 0) throw new FormatError('BadValue', `${entry.name} fails its CRC-32 check`, `reading ${path}`);
      renameSync(tmp, destPath);
    } finally {
      rmSync(tmp, { force: true });
    }
    return { name: entry.name, size: entry.uncompressedSize };
  } finally {
    src.close();
  }
}

function fileCrc32(path: string): number {
  const fd = openSync(path, 'r');
  try {
    const buf = Buffer.allocUnsafe(1024 * 1024);
    let crc = 0;
    for (let pos = 0; ; ) {
      const n = readSync(fd, buf, 0, buf.length, pos);
      if (n === 0) break;
      crc = nodeZlib().crc32(buf.subarray(0, n), crc);
      pos += n;
    }
    return crc >>> 0;
  } finally {
    closeSync(fd);
  }
}
