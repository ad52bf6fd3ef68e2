/**
 * WinDbg's command-line error messages (windbg-commands.md §0.6) and the typed
 * error the expression evaluator and the command-line lexer throw.
 *
 * dbgeng reports a failure in one of two shapes, and which one depends on who
 * noticed it, not on the kind:
 *  - "at" shape, used by the expression evaluator: one line naming the text
 *    that was still unparsed, e.g. `Couldn't resolve error at 'foo+1'`,
 *    `Memory access error at ')'`, `Syntax error at '<EOL>'`,
 *    `Numeric expression missing from '& 2'`.
 *  - "caret" shape, used by command parsers: a caret under the column where
 *    parsing stopped, then `<Kind> error in '<command>'`.
 */

/** Every error kind WinDbg names in `<Kind> error ...` messages that we produce. */
export type ErrorKind =
  | 'Syntax'
  | "Couldn't resolve"
  | 'Memory access'
  | 'Bad register'
  | 'Operand'
  | 'Overflow'
  | 'Range'
  | 'Extra character'
  | 'Illegal thread'
  | 'Illegal process'
  | 'Type conflict'
  | 'Unimplemented'
  | 'Ambiguous symbol'
  /** Not `<Kind> error`: printed as `<desc> from '<rest>'` (desc defaults to `Numeric expression missing`). */
  | 'Missing';

export type ErrorStyle = 'at' | 'caret';

/**
 * A positioned failure. `offset` is an index into the text that was being
 * parsed (the whole command text when the caller passed it, see
 * `parseExpression`'s `start`), pointing at the first character that was not
 * consumed.
 */
export class ExprError extends Error {
  readonly kind: ErrorKind;
  readonly offset: number;
  readonly style: ErrorStyle;
  /** For kind 'Missing': the phrase before `from`, e.g. `Address expression missing`. */
  readonly desc: string | undefined;

  constructor(kind: ErrorKind, offset: number, style: ErrorStyle = 'at', desc?: string) {
    super(kind === 'Missing' ? `${desc ?? 'Numeric expression missing'} at offset ${offset}` : `${kind} error at offset ${offset}`);
    this.name = 'ExprError';
    this.kind = kind;
    this.offset = offset;
    this.style = style;
    this.desc = desc;
  }
}

export function isExprError(e: unknown): e is ExprError {
  return e instanceof ExprError;
}

/** `'<rest>'` as dbgeng quotes the unparsed text: `<EOL>` when nothing is left. */
function quoteRest(text: string, offset: number): string {
  const rest = text.slice(Math.max(0, Math.min(offset, text.length)));
  return `'${rest === '' ? '<EOL>' : rest}'`;
}

/**
 * The one-line "at" message: `Couldn't resolve error at 'kernel32!Foo'`,
 * `Numeric expression missing from '<EOL>'`.
 */
export function formatErrorAt(kind: ErrorKind, text: string, offset: number, desc?: string): string {
  if (kind === 'Missing') return `${desc ?? 'Numeric expression missing'} from ${quoteRest(text, offset)}`;
  return `${kind} error at ${quoteRest(text, offset)}`;
}

/**
 * The caret line for a command-level error, exactly as §0.6:
 * ```
 * 0:000> r rsp+28
 *            ^ Syntax error in 'r rsp+28'
 * ```
 * Caret rule (measured on the doc's samples): column = promptLength + stopOffset − 1,
 * i.e. under the last character that was consumed successfully; clamped at 0.
 * `stopOffset` is the index in `commandText` of the first character not consumed
 * (`commandText.length` when the whole text was read).
 *
 * `promptLength` is the length of the prompt including its trailing space
 * (`0:000> ` → 7) in interactive sessions, where the user's input is echoed after
 * the prompt. In -c / script mode nothing is echoed on that line, and WinDbg's
 * caret line is then "short": we use promptLength 0 (the default), so the caret
 * sits under the offending character of the bare command text.
 *
 * Kinds that WinDbg never prints with a caret (`Couldn't resolve`, `Missing`) fall
 * back to the one-line "at" message.
 */
export function formatCommandError(kind: ErrorKind, commandText: string, stopOffset: number, promptLength = 0): string[] {
  if (kind === "Couldn't resolve" || kind === 'Missing') return [formatErrorAt(kind, commandText, stopOffset)];
  const column = Math.max(0, promptLength + stopOffset - 1);
  return [`${' '.repeat(column)}^ ${kind} error in '${commandText}'`];
}

/** Renders a thrown ExprError against the command text its offset indexes. */
export function formatExprError(err: ExprError, commandText: string, promptLength = 0): string[] {
  if (err.style === 'caret') return formatCommandError(err.kind, commandText, err.offset, promptLength);
  return [formatErrorAt(err.kind, commandText, err.offset, err.desc)];
}

/**
 * An extension command nobody exports (§0.6): modern debuggers first say the
 * extension gallery has no such command, legacy ones only `No export X found`.
 * `name` is the command without its `!`.
 */
export function formatUnknownExtension(name: string, legacy = false): string[] {
  const bare = name.startsWith('!') ? name.slice(1) : name;
  return legacy ? [`No export ${bare} found`] : [`${bare} is not extension gallery command`, `No export ${bare} found`];
}
