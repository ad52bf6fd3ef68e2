import type { MinidumpModule } from '../../src/formats/minidump/types.js';
import type { PeVersionInfo } from '../../src/formats/pe/types.js';
import type { Target } from '../../src/session/target.js';
import { hexN } from '../../src/results/hex.js';

/** What a loaded image adds to a module's `lmv` block (windbg-commands.md §8.2). */
export interface ImageDetailLines {
  /** Before `Image path:`: where the image bytes came from. */
  head: string[];
  /** After `File date:`: `Translations:` and the `Information from resource tables:` strings. */
  resources: string[];
}

/**
 * `Loaded symbol image file` / `Mapped memory image file` for an image mapped
 * from the image path, and the version resource strings of any loaded image
 * (from the dump's memory or the file). Empty while the module is deferred.
 */
export function imageDetailLines(t: Target, m: MinidumpModule): ImageDetailLines {
  const out: ImageDetailLines = { head: [], resources: [] };
  const loaded = t.loadReport(m)?.image;
  if (!loaded) return out;
  if (loaded.origin === 'file' && loaded.path) {
    out.head.push(`    Loaded symbol image file: ${loaded.path}`, `    Mapped memory image file: ${loaded.path}`);
  }
  let vi: PeVersionInfo | undefined;
  try {
    vi = loaded.image.versionInfo();
  } catch {
    vi = undefined;
  }
  if (!vi) return out;
  if (vi.translations.length) out.resources.push(`    Translations:     ${vi.translations.map((x) => `${hexN(x.language, 4)}.${hexN(x.codePage, 4)}`).join(' ')}`);
  if (vi.strings.length) {
    out.resources.push('    Information from resource tables:');
    for (const s of vi.strings) out.resources.push(`        ${`${s.key}:`.padEnd(17)} ${s.value}`.trimEnd());
  }
  return out;
}
