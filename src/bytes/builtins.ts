/**
 * Node built-in modules that start-up does not need, loaded on first use.
 *
 * A batch run that never downloads a symbol file or unpacks an archive should
 * not pay for them: `node:https` alone takes about 11 ms to load (it brings
 * tls, net and http), zlib and the stream modules a few more. Each getter
 * returns the module object (Node caches it after the first call).
 */
import { createRequire } from 'node:module';

let required: NodeJS.Require | undefined;
/** createRequire itself is made on first use too: it parses import.meta.url, about 1 ms at start-up. */
const load = <T>(id: string): T => (required ??= createRequire(import.meta.url))(id) as T;

export const nodeHttp = () => load<typeof import('node:http')>('node:http');
export const nodeHttps = () => load<typeof import('node:https')>('node:https');
export const nodeTls = () => load<typeof import('node:tls')>('node:tls');
export const nodeNet = () => load<typeof import('node:net')>('node:net');
export const nodeZlib = () => load<typeof import('node:zlib')>('node:zlib');
export const nodeStream = () => load<typeof import('node:stream')>('node:stream');
export const nodeStreamPromises = () => load<typeof import('node:stream/promises')>('node:stream/promises');
export const nodeCrypto = () => load<typeof import('node:crypto')>('node:crypto');
export const nodeTty = () => load<typeof import('node:tty')>('node:tty');
export const nodeReadline = () => load<typeof import('node:readline')>('node:readline');
// Small, but nothing a batch run needs: the home directory is asked for only when no cache
// directory is configured, the decoder only for .sym files.
export const nodeOs = () => load<typeof import('node:os')>('node:os');
export const nodeStringDecoder = () => load<typeof import('node:string_decoder')>('node:string_decoder');
