export type { Block, BlockKind, CommandResult, ResultData } from './types.js';
export { ok, fail, text, concatResults } from './types.js';
export { hexN, ptr, ptrPlain, hexMin } from './hex.js';
export { renderLines, renderJson, toJsonValue, escapeControl } from './render-text.js';
