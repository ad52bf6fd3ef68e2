import { MinidumpFile } from '../formats/minidump/minidump-file.js';
import { Target } from './target.js';
import { resolveDumpInput } from './intake.js';

export interface SessionOptions {
  /** `-y` / _NT_SYMBOL_PATH. */
  symbolPath: string;
  /** `-i` / .exepath. */
  imagePath: string;
  /** Teaching notes after each command. */
  explain: boolean;
  /** Use only local stores and caches, never HTTP symbol servers. */
  offline: boolean;
}

export interface SessionLog {
  path: string;
}

export interface SessionRecording {
  path: string;
  /** Mask memory contents and strings from the dump (`--redact`). */
  redact: boolean;
  /** Path substitutions applied to recorded output (absolute dump path → the transcript's `dump:` value). */
  substitutions: readonly (readonly [string, string])[];
}

/**
 * The debugger session: the open dumps (cdb allows several `-z`), which one
 * is current, and the options every command sees.
 */
export class Session {
  readonly targets: Target[] = [];
  current = 0;
  readonly options: SessionOptions;
  /** `!sym noisy`: report every place searched when a module loads. */
  noisySymbols = false;
  /** Text of the last command line, for "Enter repeats". */
  lastLine = '';
  /** The open log file (`.logopen`, `-logo`): output layers append what they print to it. */
  log: SessionLog | undefined = undefined;
  /** The transcript being recorded (`.record`, `--record`; src/session/transcript.ts): output layers append each command. */
  recording: SessionRecording | undefined = undefined;

  constructor(options: Partial<SessionOptions> = {}) {
    this.options = {
      symbolPath: options.symbolPath ?? process.env['_NT_SYMBOL_PATH'] ?? '',
      imagePath: options.imagePath ?? process.env['_NT_EXECUTABLE_IMAGE_PATH'] ?? '',
      explain: options.explain ?? false,
      offline: options.offline ?? process.env['DUMPDBG_OFFLINE'] === '1',
    };
  }

  get target(): Target | undefined {
    return this.targets[this.current];
  }

  /** Opens a dump and makes it current. Throws FormatError with one clear sentence. */
  open(path: string, filePath = path): Target {
    const dump = MinidumpFile.open(filePath);
    return this.addTarget(new Target(dump, path, filePath));
  }

  /**
   * Opens what the user named: a dump, or a `.gz`/`.zip`/WER `.cab` holding
   * dumps (`archive.zip#inner.dmp` picks one), unpacked once to the cache.
   */
  async openSpec(spec: string, progress?: (message: string) => void): Promise<Target> {
    const r = await resolveDumpInput(spec, progress ? { progress } : {});
    const t = this.open(r.displayPath, r.filePath);
    t.intake = r;
    return t;
  }

  addTarget(t: Target): Target {
    t.paths = () => ({ symbolPath: this.options.symbolPath, imagePath: this.options.imagePath, offline: this.options.offline });
    this.targets.push(t);
    this.current = this.targets.length - 1;
    return t;
  }

  /** `P:TTT>` (cdb), `||S:P:TTT>` with several dumps open. */
  prompt(): string {
    const t = this.target;
    if (!t) return '?:???>';
    const thread = String(t.currentThread).padStart(3, '0');
    const base = `0:${thread}`;
    return this.targets.length > 1 ? `||${this.current}:${base}>` : `${base}>`;
  }

  close(): void {
    for (const t of this.targets) t.dump.close();
  }
}
