export { disassemble, formatInstructionLine, canDisassemble } from './disasm.js';
export type { Instruction, SymbolFormatter } from './disasm.js';
