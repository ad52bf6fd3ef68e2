import { closeSync, copyFileSync, mkdirSync, openSync, realpathSync, renameSync, rmSync, writeSync, fsyncSync } from 'node:fs';
import { dirname, isAbsolute, relative, resolve, sep } from 'node:path';
import { nodeCrypto } from '../bytes/builtins.js';

/**
 * Files written into symbol caches: always via a temporary file in the same
 * directory renamed over the final name, so a crash or Ctrl-C never leaves a
 * half-written file under the real name, and two processes sharing a cache
 * each see either nothing or a whole file (rename is atomic within a directory).
 */

/** A temporary name next to `dest`, unique per process and call. */
export function tempNameFor(dest: string): string {
  return `${dest}.${process.pid}.${nodeCrypto().randomBytes(4).toString('hex')}.tmp`;
}

/** Opens a temp file for `dest` (creating directories); `commit` renames it into place, `abort` deletes it. */
export function openAtomic(dest: string): { fd: number; tmp: string; commit: () => void; abort: () => void } {
  mkdirSync(dirname(dest), { recursive: true });
  const tmp = tempNameFor(dest);
  const fd = openSync(tmp, 'wx');
  let open = true;
  const close = () => {
    if (open) closeSync(fd);
    open = false;
  };
  return {
    fd,
    tmp,
    commit: () => {
      try {
        fsyncSync(fd);
      } catch {
        // fsync is best effort (not supported on every file system)
      }
      close();
      renameSync(tmp, dest);
    },
    abort: () => {
      close();
      rmSync(tmp, { force: true });
    },
  };
}

/** Writes `data` to `dest` atomically. */
export function writeFileAtomic(dest: string, data: Buffer): void {
  const f = openAtomic(dest);
  try {
    let done = 0;
    while (done < data.length) done += writeSync(f.fd, data, done, data.length - done);
    f.commit();
  } catch (e) {
    f.abort();
    throw e;
  }
}

/** Copies `src` to `dest` atomically. */
export function copyFileAtomic(src: string, dest: string): void {
  mkdirSync(dirname(dest), { recursive: true });
  const tmp = tempNameFor(dest);
  try {
    copyFileSync(src, tmp);
    renameSync(tmp, dest);
  } catch (e) {
    rmSync(tmp, { force: true });
    throw e;
  }
}

/** True when `child` (resolved) is `root` or inside it; both are resolved lexically. */
export function isInside(root: string, child: string): boolean {
  const rel = relative(resolve(root), resolve(child));
  return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel) && !rel.split(sep).includes('..'));
}

/** Like `isInside`, but follows symlinks for the parts that exist (a link inside the store may point out of it). */
export function isInsideReal(root: string, child: string): boolean {
  if (!isInside(root, child)) return false;
  let realRoot: string;
  try {
    realRoot = realpathSync(root);
  } catch {
    return false;
  }
  try {
    return isInside(realRoot, realpathSync(child));
  } catch {
    // The target does not exist yet: its lexical position was already checked.
    return true;
  }
}

/**
 * A single path component taken from a module name, key or server answer: no
 * separators, no `..`, no NUL, nothing that could leave the directory it is joined to.
 */
export function isSafeComponent(s: string): boolean {
  return s.length > 0 && s.length <= 255 && s !== '.' && s !== '..' && !/[\\/\0:]/.test(s);
}
