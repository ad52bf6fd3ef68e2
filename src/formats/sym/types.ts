/**
 * Records of a Breakpad `.sym` text file (google/breakpad docs/symbol_files.md).
 * All addresses are module-relative (RVAs), as numbers: RVAs fit well below 2^53.
 */

/** `MODULE <os> <arch> <id> <name>`: the first line. */
export interface SymModuleRecord {
  os: string;
  arch: string;
  /** Breakpad debug id: 32 hex digits of the GUID then the age, upper-case (E.7). */
  id: string;
  /** Debug file name (`foo.pdb` on Windows). */
  name: string;
}

/** `FUNC [m] <addr> <size> <param_size> <name>`. */
export interface SymFuncRecord {
  rva: number;
  size: number;
  paramSize: number;
  name: string;
  /** `m`: several symbols share this code (identical COMDAT folding). */
  multiple: boolean;
  /** Line records (addr, size, line, file id) flattened, sorted by addr. */
  lines: Float64Array;
  inlines: SymInlineRecord[];
}

/** `PUBLIC [m] <addr> <param_size> <name>`. */
export interface SymPublicRecord {
  rva: number;
  paramSize: number;
  name: string;
  multiple: boolean;
}

/** `INLINE <nest_level> <call_site_line> <call_site_file> <origin> <addr> <size> [<addr> <size>]…`. */
export interface SymInlineRecord {
  nestLevel: number;
  callSiteLine: number;
  /** File id of the call site; undefined in the older format without it. */
  callSiteFile: number | undefined;
  origin: number;
  /** [rva, size] pairs. */
  ranges: Array<[number, number]>;
}

/** STACK WIN type: 0 = FPO_DATA, 4 = FRAMEDATA (C.2, C.3). Other types are dropped while parsing. */
export type StackWinType = 0 | 4;

/**
 * `STACK WIN <type> <rva> <code_size> <prolog_size> <epilog_size> <param_size>
 * <saved_regs_size> <local_size> <max_stack_size> <has_program_string>
 * <program_string | allocates_base_pointer>`.
 */
export interface StackWinRecord {
  type: StackWinType;
  rva: number;
  codeSize: number;
  prologSize: number;
  epilogSize: number;
  paramSize: number;
  savedRegsSize: number;
  localSize: number;
  maxStackSize: number;
  /** Postfix program (C.4) when has_program_string is 1. */
  programString: string | undefined;
  /** FPO fUseBP, meaningful only when there is no program string. */
  allocatesBasePointer: boolean;
}

/** Register → postfix expression, e.g. { '.cfa': '$rsp 16 +', '.ra': '.cfa -8 + ^' }. */
export type CfiRules = Record<string, string>;

/** One `STACK CFI` row: the rules that change at `rva` (INIT rows carry the full initial set). */
export interface CfiRow {
  rva: number;
  rules: CfiRules;
}

/** `STACK CFI INIT <addr> <size> <rules>` with the `STACK CFI <addr> <rules>` deltas that follow it. */
export interface CfiRecord {
  rva: number;
  size: number;
  /** Rule text of the INIT row. */
  init: string;
  /** Delta rows as [rva, rule text], increasing addresses. */
  deltas: Array<[number, string]>;
}

/** The rule set in force at one address. */
export interface CfiAt {
  /** Start and size of the covering INIT range. */
  rva: number;
  size: number;
  /** The INIT row followed by every delta row at or before the address, in order. */
  rows: CfiRow[];
  /** Rules after applying `rows` in order (later rows override earlier ones per register). */
  rules: CfiRules;
}

/** The answer of `lookup(rva)`. */
export interface SymLookup {
  name: string;
  /** Start of the symbol. */
  rva: number;
  /** FUNC size; for PUBLIC the distance to the next symbol, undefined for the last one. */
  size: number | undefined;
  kind: 'func' | 'public';
  paramSize: number;
  multiple: boolean;
}

export interface SymLine {
  file: string;
  line: number;
  /** Start and size of the line record. */
  rva: number;
  size: number;
}

/** One inlined call covering an address (outermost first in `inlinesAt`). */
export interface SymInlineFrame {
  /** Name of the inlined function (INLINE_ORIGIN). */
  name: string;
  nestLevel: number;
  /** Where it was called from, in the function one level out. */
  callSiteFile: string | undefined;
  callSiteLine: number;
  /** The range of this inline instance that covers the address. */
  rva: number;
  size: number;
}
