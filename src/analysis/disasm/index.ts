export { disassemble, decodeOne, createDisassembler, formatInstructionLine, canDisassemble, MAX_INSTRUCTION_LENGTH } from './disasm.js';
export type { Disassembler, Instruction, SymbolFormatter } from './disasm.js';
export { quickDecode } from './quick.js';
