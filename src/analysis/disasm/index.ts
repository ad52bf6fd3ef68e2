export { disassemble, createDisassembler, formatInstructionLine, canDisassemble, MAX_INSTRUCTION_LENGTH } from './disasm.js';
export type { Disassembler, Instruction, SymbolFormatter } from './disasm.js';
