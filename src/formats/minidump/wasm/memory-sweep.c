/*
 * The memory index's build step (memory-index.ts: parse the memory lists, sort the ranges by
 * start, sweep overlaps away) as a WebAssembly kernel. Compiled by build-memory-sweep.mjs into
 * memory-sweep-wasm.ts; loaded by memory-sweep.ts.
 *
 * Why: Wine's mini dumps list 7,000+ memory ranges and full dumps 100k+, and the index is
 * built before the first prompt, while V8 still interprets the JavaScript: the whole build
 * took 8-15 ms in the CLI on a 7,712-range dump. V8 compiles WebAssembly to machine code
 * before running it: 2.6-4.7 ms, most of it copying in and out and making the instance.
 *
 * Semantics are exactly memory-index.ts's sweep() (sweepBig): ranges in priority order, the
 * non-empty ones sorted by start with ties in priority order, a later range trimmed at its
 * front where it overlaps what is covered, dropped when wholly covered, ends clamped at
 * 2^64 - 1. Any input the JavaScript parsers would warn about makes an add* call return 0,
 * and the caller builds the index in JavaScript instead (with its warnings).
 *
 * No libc: freestanding, little-endian (WebAssembly is), memory grown by hand.
 */
typedef unsigned long long u64;
typedef unsigned int u32;
typedef unsigned char u8;

extern u8 __heap_base;

#define WASM_PAGE 65536u
#define EXPORT(name) __attribute__((export_name(name)))

static u64 *starts, *sizes, *offsets; /* input columns, priority order */
static u64 *outStarts;
static double *outSizes, *outOffsets; /* what MemoryIndex keeps: Float64Array columns */
static u32 *order, *spare;            /* sort permutation and radix scratch */
static u8 *scratch;                   /* raw stream bytes copied in by the caller */
static u32 count, capacity;
static u32 buckets[256];

static u64 load64(const u8 *p) {
  u64 v;
  __builtin_memcpy(&v, p, 8);
  return v;
}

static u32 load32(const u8 *p) {
  u32 v;
  __builtin_memcpy(&v, p, 4);
  return v;
}

/* Room for `ranges` ranges and `scratchBytes` bytes of stream data; the scratch address, or 0. */
EXPORT("setup") u32 setup(u32 ranges, u32 scratchBytes) {
  u32 base = ((u32)&__heap_base + 7u) & ~7u;
  /* Per range: 3 input u64, 3 output 8-byte columns, 2 u32 permutation words = 56 bytes. */
  u64 need = (u64)base + (u64)ranges * 56u + (((u64)scratchBytes + 7u) & ~7ull);
  if (need > 0xffff0000ull) return 0;
  u64 have = (u64)__builtin_wasm_memory_size(0) * WASM_PAGE;
  if (need > have && __builtin_wasm_memory_grow(0, (u32)((need - have + WASM_PAGE - 1) / WASM_PAGE)) == (u32)-1) return 0;
  starts = (u64 *)base;
  sizes = starts + ranges;
  offsets = sizes + ranges;
  outStarts = offsets + ranges;
  outSizes = (double *)(outStarts + ranges);
  outOffsets = outSizes + ranges;
  order = (u32 *)(outOffsets + ranges);
  spare = order + ranges;
  scratch = (u8 *)(spare + ranges);
  count = 0;
  capacity = ranges;
  return (u32)scratch;
}

static u32 push(u64 start, u64 size, u64 offset) {
  if (count == capacity) return 0;
  starts[count] = start;
  sizes[count] = size;
  offsets[count] = offset;
  count++;
  return 1;
}

/*
 * `n` MINIDUMP_MEMORY_DESCRIPTORs (StartOfMemoryRange u64, DataSize u32, Rva u32) at scratch +
 * `at`, as parseMemoryList reads them: empty ones skipped; 0 when one runs past the file end.
 */
EXPORT("addList") u32 addList(u32 at, u32 n, double fileSize) {
  const u8 *p = scratch + at;
  for (u32 i = 0; i < n; i++, p += 16) {
    u32 size = load32(p + 8);
    u32 rva = load32(p + 12);
    if (size == 0) continue;
    if ((double)rva + (double)size > fileSize) return 0;
    if (!push(load64(p), size, rva)) return 0;
  }
  return 1;
}

/*
 * `n` MINIDUMP_MEMORY_DESCRIPTOR64s (StartOfMemoryRange u64, DataSize u64) at scratch + `at`,
 * their bytes one after another from `fileOffset`, as parseMemory64List reads them; 0 when one
 * starts at or past the file end or runs past it.
 */
EXPORT("addList64") u32 addList64(u32 at, u32 n, double fileOffset, double fileSize) {
  const u8 *p = scratch + at;
  for (u32 i = 0; i < n; i++, p += 16) {
    u64 raw = load64(p + 8);
    /* A size of 2^53 or more cannot be in any file: parseMemory64List takes the file size. */
    double dataSize = (raw >> 32) >= 0x200000u ? fileSize : (double)raw;
    if (fileOffset >= fileSize) return 0;
    if (dataSize > 0) {
      if (fileOffset + dataSize > fileSize) return 0;
      if (!push(load64(p), (u64)dataSize, (u64)fileOffset)) return 0;
    }
    fileOffset += dataSize;
  }
  return 1;
}

/* One range (a thread stack), already trimmed to the file. */
EXPORT("addRange") u32 addRange(u64 start, double size, double fileOffset) {
  return size > 0 ? push(start, (u64)size, (u64)fileOffset) : 1;
}

/* Stable LSD radix sort of order[0..m) by starts[], a byte at a time; bytes all alike are skipped. */
static void sortByStart(u32 m) {
  u32 *from = order, *to = spare;
  for (u32 shift = 0; shift < 64; shift += 8) {
    for (u32 b = 0; b < 256; b++) buckets[b] = 0;
    for (u32 j = 0; j < m; j++) buckets[(starts[from[j]] >> shift) & 0xff]++;
    if (buckets[(starts[from[0]] >> shift) & 0xff] == m) continue;
    u32 sum = 0;
    for (u32 b = 0; b < 256; b++) {
      u32 c = buckets[b];
      buckets[b] = sum;
      sum += c;
    }
    for (u32 j = 0; j < m; j++) to[buckets[(starts[from[j]] >> shift) & 0xff]++] = from[j];
    u32 *t = from;
    from = to;
    to = t;
  }
  if (from != order)
    for (u32 j = 0; j < m; j++) order[j] = from[j];
}

/* Sorts and sweeps the ranges added since setup() (all non-empty: the add* calls skip empty ones); the number kept (see the out* exports). */
EXPORT("build") u32 build(void) {
  u32 m = count;
  for (u32 i = 0; i < m; i++) order[i] = i;
  u32 sorted = 1;
  for (u32 j = 1; j < m && sorted; j++) sorted = starts[order[j - 1]] <= starts[order[j]];
  if (!sorted) sortByStart(m);
  const u64 last = ~0ull;
  u64 covered = 0;
  u32 any = 0, kept = 0;
  for (u32 j = 0; j < m; j++) {
    u32 i = order[j];
    u64 start = starts[i], size = sizes[i], end;
    /* A range running past 2^64 (a damaged dump) is cut at the last address there is. */
    if (size > last - start) {
      size = last - start;
      end = last;
      if (size == 0) continue;
    } else {
      end = start + size;
    }
    if (any && end <= covered) continue;
    if (any && start < covered) {
      u64 skip = covered - start;
      outStarts[kept] = covered;
      outSizes[kept] = (double)(size - skip);
      outOffsets[kept] = (double)(offsets[i] + skip);
    } else {
      outStarts[kept] = start;
      outSizes[kept] = (double)size;
      outOffsets[kept] = (double)offsets[i];
    }
    kept++;
    covered = end;
    any = 1;
  }
  return kept;
}

EXPORT("outStarts") u32 outStartsAt(void) { return (u32)outStarts; }
EXPORT("outSizes") u32 outSizesAt(void) { return (u32)outSizes; }
EXPORT("outOffsets") u32 outOffsetsAt(void) { return (u32)outOffsets; }
