/** Symbol locating: symbol paths, local and HTTP symbol stores, cabinets, module identities. */
export {
  MICROSOFT_SYMBOL_SERVER, parseSymbolPath, symbolPathFromEnvironment, expandSymbolPath, appendSymbolPath, symfixPath, defaultSymbolCache, downstreamStores,
} from './symbol-path.js';
export type { SymbolPathElement, SymbolStore, SymbolPathOptions } from './symbol-path.js';
export {
  leafName, formatCodeId, moduleIdentity, readPdbIdentity, readImageIdentity, readSymIdentity, readFileIdentity, identityMatches,
} from './identity.js';
export type { ModuleIdentity, FileIdentity } from './identity.js';
export {
  locateSymbolFile, formatAttempts, storeLayouts, compressedName, symFileName, twoTierPrefix, parseFilePtr, resolvePointerTarget,
} from './store.js';
export type { LocateKind, LocateRequest, LocateOptions, LocateResult, LocateAttempt, AttemptOutcome, FoundFile } from './store.js';
export {
  fetchFromSymbolServer, httpGet, proxyFor, noProxyMatches, parseHeaderSpec, clearNegativeCache, HttpError, DEFAULT_USER_AGENT,
} from './http.js';
export type { HttpOptions, DownloadProgress, FetchOutcome, HttpAttempt, ServerFileSpec } from './http.js';
export { readCabDirectory, extractCabEntry, expandCabToFile, pickCabEntry, isCab, CAB_SIGNATURE } from './cab.js';
export type { CabDirectory, CabFileEntry, CabFolder, CabCompression } from './cab.js';
export { expandCompressedFile } from './compressed.js';
export { writeFileAtomic, copyFileAtomic, isInside, isInsideReal, isSafeComponent } from './cache-file.js';
