/**
 * One row of a generated code table: [value, canonical name, message | null, aliases].
 * `value` is the unsigned 32-bit code. The message and aliases are omitted when empty; a null message with
 * aliases present means "no message text in the source header".
 */
export type CodeEntry = readonly [value: number, name: string, message?: string | null, aliases?: readonly string[]];
