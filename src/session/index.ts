export { Session } from './session.js';
export type { SessionOptions } from './session.js';
export { Target, computeEventThread } from './target.js';
export type { Scope, ImageMemoryReader } from './target.js';
