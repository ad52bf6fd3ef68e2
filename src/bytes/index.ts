export { FormatError, isFormatError } from './errors.js';
export type { FormatErrorKind } from './errors.js';
export { FileSource, BufferSource, MAX_READ } from './source.js';
export type { ByteSource } from './source.js';
export { Reader, utf16z, asciiz, LITTLE_ENDIAN_HOST } from './reader.js';
