/**
 * Typed errors for reading binary formats. A FormatError says what was being
 * read, where, and why it failed, so callers can print one clear sentence.
 */
export type FormatErrorKind =
  | 'NotADump'
  | 'KernelDump'
  | 'UnsupportedVersion'
  | 'Truncated'
  | 'OutOfBounds'
  | 'BadValue'
  | 'TooLarge'
  | 'StreamNotFound'
  | 'Io';

export class FormatError extends Error {
  readonly kind: FormatErrorKind;
  /** File offset (or address) where the failing read started, when known. */
  readonly offset: number | bigint | undefined;
  /** What was being read: "reading ModuleList stream at 0x1c8". */
  readonly context: string;

  constructor(kind: FormatErrorKind, message: string, context = '', offset?: number | bigint) {
    super(context ? `${message} (${context})` : message);
    this.name = 'FormatError';
    this.kind = kind;
    this.offset = offset;
    this.context = context;
  }
}

export function isFormatError(e: unknown): e is FormatError {
  return e instanceof FormatError;
}
