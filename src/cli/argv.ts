import minimist from 'minimist';

/**
 * cdb's multi-letter single-dash options. minimist would read `-cf x` as
 * `-c -f x`, so they are rewritten to double-dash before parsing. cdb also
 * accepts `/` in place of `-` for options (not for paths: only known names).
 */
const CDB_LONG_OPTIONS = ['cfr', 'cf', 'logo', 'loga', 'logau', 'logou', 'lines', 'srcpath', 'netsyms', 'ee', 'plain', 'echo', 'json'];

export function normalizeArgv(argv: readonly string[]): string[] {
  return argv.map((a) => {
    const m = /^[-/]([a-z]+)$/i.exec(a);
    if (m && CDB_LONG_OPTIONS.includes(m[1]!.toLowerCase())) return `--${m[1]!.toLowerCase()}`;
    return a;
  });
}

export interface CliOptions {
  dumps: string[];
  commands: string | undefined;
  commandFiles: string[];
  symbolPath: string | undefined;
  imagePath: string | undefined;
  logFile: { path: string; append: boolean } | undefined;
  echo: boolean;
  json: boolean;
  plain: boolean;
  explain: boolean;
  help: boolean;
  version: boolean;
  record: string | undefined;
  replay: string | undefined;
  replayDump: string | undefined;
  redact: boolean;
  /** Words after the options: `dumpdbg DUMP`, `dumpdbg triage DIR`. */
  positional: string[];
}

export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

const STRING_OPTS = ['z', 'c', 'cf', 'cfr', 'y', 'i', 'logo', 'loga', 'record', 'replay', 'dump', 'srcpath', 'ee'];
const BOOLEAN_OPTS = ['echo', 'json', 'plain', 'explain', 'help', 'version', 'redact', 'lines', 'h', 'v', 'n', 's'];

export function parseCli(argv: readonly string[]): CliOptions {
  const unknown: string[] = [];
  const a = minimist(normalizeArgv(argv), {
    string: STRING_OPTS,
    boolean: BOOLEAN_OPTS,
    alias: { h: 'help' },
    unknown: (arg) => {
      if (arg.startsWith('-') && arg !== '-') {
        unknown.push(arg);
        return false;
      }
      return true;
    },
  });
  if (unknown.length) throw new UsageError(`unknown option ${unknown[0]}`);
  const list = (v: unknown): string[] => (v === undefined ? [] : Array.isArray(v) ? v.map(String) : [String(v)]);
  for (const k of ['c', 'y', 'i', 'record', 'replay', 'dump']) {
    if (Array.isArray(a[k])) throw new UsageError(`-${k} given more than once`);
  }
  for (const k of ['z', 'c', 'cf', 'cfr', 'y', 'i', 'logo', 'loga', 'record', 'dump']) {
    for (const v of list(a[k])) if (v === '') throw new UsageError(`-${k} needs a value`);
  }
  const logo = list(a['logo']).at(-1);
  const loga = list(a['loga']).at(-1);
  return {
    dumps: list(a['z']),
    commands: a['c'] as string | undefined,
    commandFiles: [...list(a['cf']), ...list(a['cfr'])],
    symbolPath: a['y'] as string | undefined,
    imagePath: a['i'] as string | undefined,
    logFile: logo ? { path: logo, append: false } : loga ? { path: loga, append: true } : undefined,
    echo: Boolean(a['echo']),
    json: Boolean(a['json']),
    plain: Boolean(a['plain']),
    explain: Boolean(a['explain']),
    help: Boolean(a['help']),
    version: Boolean(a['version']),
    record: a['record'] as string | undefined,
    replay: a['replay'] as string | undefined,
    replayDump: a['dump'] as string | undefined,
    redact: Boolean(a['redact']),
    positional: a._.map(String),
  };
}

export const USAGE = `usage: dumpdbg [options] [DUMP]
       dumpdbg -z DUMP [-z DUMP2] [-c "cmd1; cmd2; q"] [-cf SCRIPT] [-y SYMPATH] [-i IMAGEPATH]
       dumpdbg triage DIR|FILES... [--json] [--jobs N]   (many dumps grouped by bucket; triage --help)

  -z FILE        open a crash dump (.dmp, .dmp.gz, .zip, .cab); may repeat
  -c "CMDS"      run these commands first (';'-separated); end with q to exit
  -cf FILE       run a command script at start
  -y PATH        symbol search path (_NT_SYMBOL_PATH syntax: dirs, srv*CACHE*URL, cache*DIR)
  -i PATH        image search path (.exepath)
  -logo FILE     write everything printed to FILE (-loga appends)
  --echo         print each "P:TTT> command" line before its output
  --json         one JSON object per command instead of text
  --plain        line-mode REPL even on a terminal
  --explain      teaching notes after each command
  --record FILE  record the session as a transcript (--redact masks dump contents)
  --replay FILE|DIR [--dump DUMP]
                 re-run transcripts and diff their output (exit 0 same, 1 differs, 2 no dump)
  --version      print the version
Commands are WinDbg's; type .help at the prompt.`;
