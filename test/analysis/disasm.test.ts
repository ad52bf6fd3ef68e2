import t from 'tap';
import { createDisassembler, disassemble, formatInstructionLine } from '../../src/analysis/disasm/index.js';

const x64 = (hex: string, addr = 0x140001000n) => {
  const [ins] = disassemble('amd64', Buffer.from(hex, 'hex'), addr, 1, (a) => (a === 0x140002000n ? 'app!target' : a === 0x140003000n ? 'app!__imp_Sleep' : undefined), (a) => `${a.toString(16).padStart(16, '0').slice(0, 8)}\`${a.toString(16).padStart(16, '0').slice(8)}`);
  return ins ? formatInstructionLine(ins, '00000001`40001000') : undefined;
};
const x86 = (hex: string) => {
  const [ins] = disassemble('x86', Buffer.from(hex, 'hex'), 0x401000n, 1, (a) => (a === 0x402000n ? 'app!g_value' : undefined), (a) => a.toString(16).padStart(8, '0'));
  return ins ? formatInstructionLine(ins, '00401000') : undefined;
};

t.test('WinDbg columns and operand syntax (windbg-commands.md §7.1)', async (t) => {
  t.equal(x64('488b08'), '00000001`40001000 488b08          mov     rcx,qword ptr [rax]');
  t.equal(x64('4883c428'), '00000001`40001000 4883c428        add     rsp,28h');
  t.equal(x64('488b142558000000'), '00000001`40001000 488b142558000000 mov     rdx,qword ptr [58h]', '16 hex digits: one space');
  t.equal(x64('c3'), '00000001`40001000 c3              ret');
  t.equal(x64('cc'), '00000001`40001000 cc              int     3');
  t.equal(x64('48c7c0ffffffff'), '00000001`40001000 48c7c0ffffffff  mov     rax,0FFFFFFFFFFFFFFFFh', 'leading 0 before a letter');
  t.equal(x64('8b4424f8'), '00000001`40001000 8b4424f8        mov     eax,dword ptr [rsp-8]');
  t.equal(x64('65488b042530000000'), '00000001`40001000 65488b042530000000 mov     rax,qword ptr gs:[30h]');
});

t.test('branch targets and RIP-relative operands carry symbols', async (t) => {
  // call rel32 to 0x140002000: e8 + (0x140002000 - 0x140001005)
  t.equal(x64('e8fb0f0000'), '00000001`40001000 e8fb0f0000      call    app!target (00000001`40002000)');
  t.equal(x64('e9fb0f0000'), '00000001`40001000 e9fb0f0000      jmp     app!target (00000001`40002000)');
  t.equal(x64('7410'), '00000001`40001000 7410            je      00000001`40001012', 'no symbol: the address alone');
  // call qword ptr [rip+0x1ffa] → 0x140003000
  t.equal(x64('ff15fa1f0000'), '00000001`40001000 ff15fa1f0000    call    qword ptr [app!__imp_Sleep (00000001`40003000)]');
  t.equal(x64('488d05f90f0000'), '00000001`40001000 488d05f90f0000  lea     rax,[app!target (00000001`40002000)]');
  t.equal(x64('488d0500100000'), '00000001`40001000 488d0500100000  lea     rax,[00000001`40002007]');
});

t.test('string instructions, segment overrides, x86 absolute addresses', async (t) => {
  t.equal(x64('f3aa'), '00000001`40001000 f3aa            rep stos byte ptr [rdi]');
  t.equal(x64('f348ab'), '00000001`40001000 f348ab          rep stos qword ptr [rdi]');
  t.equal(x64('a4'), '00000001`40001000 a4              movs    byte ptr [rdi],byte ptr [rsi]');
  t.equal(x64('662e0f1f840000000000'), '00000001`40001000 662e0f1f840000000000 nop     word ptr cs:[rax+rax]');
  t.equal(x64('660f1f440000'), '00000001`40001000 660f1f440000    nop     word ptr [rax+rax]');
  t.equal(x64('f20f10c1'), '00000001`40001000 f20f10c1        movsd   xmm0,xmm1', 'SSE movsd is not a string op');
  t.equal(x86('64a118000000'), '00401000 64a118000000    mov     eax,dword ptr fs:[00000018h]');
  t.equal(x86('a100304000'), '00401000 a100304000      mov     eax,dword ptr ds:[00403000h]');
  t.equal(x86('ff1500204000'), '00401000 ff1500204000    call    dword ptr [app!g_value (00402000)]');
  t.equal(x86('f3a5'), '00401000 f3a5            rep movs dword ptr es:[edi],dword ptr [esi]');
  t.equal(x86('8bff'), '00401000 8bff            mov     edi,edi');
  t.equal(x86('6800204000'), '00401000 6800204000      push    offset app!g_value (00402000)');
  t.equal(x86('b800204000'), '00401000 b800204000      mov     eax,offset app!g_value (00402000)');
  t.equal(x86('6800104000'), '00401000 6800104000      push    401000h', 'no symbol: a plain immediate');
  t.equal(x86('6a10'), '00401000 6a10            push    10h');
  t.equal(x86('e8fb0f0000'), '00401000 e8fb0f0000      call    app!g_value (00402000)');
});

t.test('invalid and truncated bytes', async (t) => {
  const d = createDisassembler('amd64')!;
  const bad = d.decode(Buffer.from('06909090', 'hex'), 0x1000n)!; // push es: invalid in 64-bit mode
  t.ok(bad.invalid);
  t.equal(bad.length, 1);
  t.equal(formatInstructionLine(bad, '00000000`00001000'), '00000000`00001000 06              ???');
  const cut = d.decode(Buffer.from('48b8', 'hex'), 0x1000n)!; // mov rax,imm64 without its immediate
  t.ok(cut.truncated);
  t.equal(formatInstructionLine(cut, '00000000`00001000'), '00000000`00001000 ??              ???');
  t.equal(d.decode(Buffer.alloc(0), 0x1000n), undefined);
  d.free();
  t.equal(createDisassembler('arm64'), undefined, 'no ARM64 decoder');
  // disassemble() stops at the end of the bytes and drops a cut instruction.
  t.equal(disassemble('amd64', Buffer.from('90904883', 'hex'), 0n, 10).length, 2);
});
