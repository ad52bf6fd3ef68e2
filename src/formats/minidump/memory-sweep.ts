/**
 * The memory index's build step in WebAssembly (wasm/memory-sweep.c): the memory lists'
 * descriptors parsed, the ranges sorted by start and swept, as memory-index.ts's JavaScript
 * does it (same ranges, same order, same trims), but compiled to machine code before it runs.
 * Measured in the CLI on the 7,712-range Wine mini dump: the whole build 8-15 ms in V8's interpreter,
 * 2.6-4.7 ms this way (0.6-0.8 ms of it making the instance on first use).
 *
 * Anything unusual (a list the JavaScript parsers would warn about, no WebAssembly in this
 * Node: `--jitless`) gives undefined, and the caller builds the index in JavaScript.
 */
import { LITTLE_ENDIAN_HOST } from '../../bytes/reader.js';
import type { IndexColumns } from './memory-index.js';
import { MEMORY_SWEEP_WASM } from './memory-sweep-wasm.js';

/** What the index is built from, in priority order: MemoryList, Memory64List, thread stacks. */
export interface SweepInput {
  fileSize: number;
  /** MINIDUMP_MEMORY_DESCRIPTORs (16 bytes each), exactly `count` of them. */
  memoryList?: { descriptors: Uint8Array; count: number };
  /** MINIDUMP_MEMORY_DESCRIPTOR64s, their bytes consecutive from `fileOffset`. */
  memory64List?: { descriptors: Uint8Array; count: number; fileOffset: number };
  /** Thread stacks, already trimmed to the file. */
  stacks: readonly { start: bigint; size: number; fileOffset: number }[];
}

interface SweepExports {
  memory: { buffer: ArrayBuffer };
  setup(ranges: number, scratchBytes: number): number;
  addList(at: number, count: number, fileSize: number): number;
  addList64(at: number, count: number, fileOffset: number, fileSize: number): number;
  addRange(start: bigint, size: number, fileOffset: number): number;
  build(): number;
  outStarts(): number;
  outSizes(): number;
  outOffsets(): number;
}

/** The part of the WebAssembly global used here (the project's TypeScript libs do not declare it). */
interface WasmApi {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object) => { exports: unknown };
}

/** The instance, made on first use and kept: its memory (a few MB for a full dump's 100k+ ranges) is reused by the next build. */
let kernel: SweepExports | null | undefined;

/** The kernel, or undefined where WebAssembly is not available. */
function instance(): SweepExports | undefined {
  if (kernel !== undefined) return kernel ?? undefined;
  const api = (globalThis as { WebAssembly?: WasmApi }).WebAssembly;
  // WebAssembly memory is little-endian; the typed-array views below read it in the host's order.
  if (api === undefined || !LITTLE_ENDIAN_HOST) {
    kernel = null;
    return undefined;
  }
  try {
    kernel = new api.Instance(new api.Module(Buffer.from(MEMORY_SWEEP_WASM, 'base64'))).exports as SweepExports;
  } catch {
    kernel = null;
  }
  return kernel ?? undefined;
}

/** The index's columns for `input`, or undefined (build them in JavaScript, which also reports why). */
export function sweepInWasm(input: SweepInput): IndexColumns | undefined {
  const list = input.memoryList;
  const list64 = input.memory64List;
  const ranges = (list?.count ?? 0) + (list64?.count ?? 0) + input.stacks.length;
  if (ranges === 0) return undefined;
  const k = instance();
  if (k === undefined) return undefined;
  const scratchBytes = Math.max(list?.descriptors.length ?? 0, list64?.descriptors.length ?? 0);
  const scratch = k.setup(ranges, scratchBytes);
  if (scratch === 0) return undefined;
  if (list !== undefined) {
    new Uint8Array(k.memory.buffer, scratch, list.descriptors.length).set(list.descriptors);
    if (k.addList(0, list.count, input.fileSize) === 0) return undefined;
  }
  if (list64 !== undefined) {
    new Uint8Array(k.memory.buffer, scratch, list64.descriptors.length).set(list64.descriptors);
    if (k.addList64(0, list64.count, list64.fileOffset, input.fileSize) === 0) return undefined;
  }
  for (const s of input.stacks) if (k.addRange(s.start, s.size, s.fileOffset) === 0) return undefined;
  const count = k.build();
  // Copied out of the instance's memory, which the next build reuses.
  const buf = k.memory.buffer;
  return {
    count,
    starts: new BigUint64Array(buf, k.outStarts(), count).slice(),
    sizes: new Float64Array(buf, k.outSizes(), count).slice(),
    fileOffsets: new Float64Array(buf, k.outOffsets(), count).slice(),
  };
}
