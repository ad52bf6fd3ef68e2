/**
 * Node built-in modules that start-up does not need, loaded on first use.
 *
 * A batch run that never downloads a symbol file or unpacks an archive should
 * not pay for them: `node:https` alone takes about 11 ms to load (it brings
 * tls, net and http), zlib and the stream modules a few more. Each getter
 * returns the module object (Node caches it after the first call).
 */
import { createRequire } from 'node:module';

const load = createRequire(import.meta.url);

export const nodeHttp = (): typeof import('node:http') => load('node:http');
export const nodeHttps = (): typeof import('node:https') => load('node:https');
export const nodeTls = (): typeof import('node:tls') => load('node:tls');
export const nodeNet = (): typeof import('node:net') => load('node:net');
export const nodeZlib = (): typeof import('node:zlib') => load('node:zlib');
export const nodeStream = (): typeof import('node:stream') => load('node:stream');
export const nodeStreamPromises = (): typeof import('node:stream/promises') => load('node:stream/promises');
export const nodeCrypto = (): typeof import('node:crypto') => load('node:crypto');
export const nodeReadline = (): typeof import('node:readline') => load('node:readline');
