import type { CommandResult } from '../results/types.js';
import type { Session } from '../session/session.js';
import type { Target } from '../session/target.js';

export type CommandGroup = 'standard' | 'meta' | 'extension';

/** How a command was typed: `kbn 20` → token `kbn`, args `20`. */
export interface Invocation {
  /** The command token as typed (case preserved): `kbn`, `lmvm`, `.exr`, `!analyze`. */
  token: string;
  /** Everything after the token, trimmed. */
  args: string;
  /** The whole command text (without a thread prefix). */
  raw: string;
}

export interface CommandContext {
  session: Session;
  /** Runs another command line through the same dispatcher (scripts, `~*e`). */
  dispatch(line: string): Promise<CommandResult[]>;
  /** Cancelled by Ctrl-C in the UI. */
  signal?: AbortSignal;
  /** 'batch' for -c/-cf/stdin, 'interactive' for the REPL/UI. */
  mode: 'batch' | 'interactive';
  /** Progress reports for long operations (symbol downloads). */
  progress?(message: string): void;
  /**
   * False when nothing reads the result's `data` (batch text output): a command may then skip
   * work whose only product is a data field (`k` reads no argument words unless it prints them).
   */
  resultData?: boolean;
}

/**
 * One entry of the command table. `.help`, completion and the README's
 * command reference are generated from these.
 */
export interface CommandSpec {
  /** Canonical WinDbg token: `k`, `lm`, `.exr`, `!analyze`. */
  name: string;
  /** Other exact tokens: `.excr` for `.ecxr`. */
  aliases?: readonly string[];
  /**
   * For command families whose options are glued to the token (`kbn`, `lmvm`,
   * `dq`, `dps`): a regex matched at the start of the command text; its match
   * is the token. Must not match the empty string.
   */
  pattern?: RegExp;
  group: CommandGroup;
  /** `k[b|c|d|p|P|v][n][f][L] [= BasePtr [StackPtr] [InstructionPtr]] [FrameCount]` */
  syntax: string;
  /** One line for `.help`. */
  summary: string;
  /** Longer help for `.help CMD` (plain text lines). */
  help?: string;
  /** Example command lines for the README and `.help CMD`. */
  examples?: readonly string[];
  /** Allowed after a `~N`/`~*` thread prefix (runs once per selected thread). */
  threadPrefix?: boolean;
  /** Works without an open dump (`.help`, `.echo`, `q`, `?` with constants). */
  noDump?: boolean;
  run(ctx: CommandContext, inv: Invocation): CommandResult | Promise<CommandResult>;
}

/** The current target or a thrown NoTargetError (turned into a one-line message by dispatch). */
export function requireTarget(ctx: CommandContext): Target {
  const t = ctx.session.target;
  if (!t) throw new NoTargetError();
  return t;
}

export class NoTargetError extends Error {
  constructor() {
    super('No dump is open: load one with `dumpdbg DUMP` or .opendump FILE');
    this.name = 'NoTargetError';
  }
}

/**
 * A failure a command reports in WinDbg's words. Thrown from helpers deep in
 * a command (argument parsing, memory reads) and rendered by dispatch.
 */
export class CommandError extends Error {
  readonly lines: string[];
  constructor(lines: string | string[]) {
    const l = Array.isArray(lines) ? lines : [lines];
    super(l.join('\n'));
    this.name = 'CommandError';
    this.lines = l;
  }
}
