/* IMPORTANT
 * This snapshot file is auto-generated, but designed for humans.
 * It should be checked into source control and tracked carefully.
 * Re-generate by setting TAP_SNAPSHOT=1 and running tests.
 * Make sure to inspect the output below.  Do not ignore changes!
 */
'use strict'
exports[`test/scripts/golden.test.ts > TAP > cpp-throw.dmp > Done-when transcript 1`] = `

Loading Dump File [<examples>/cpp-throw.dmp]
User Mini Dump File: Only registers, stack and portions of memory are available
Dump summary: mini dump (stacks and some memory only), crash dump (exception e06d7363), without handle data, written by Wine's dbghelp

Symbol search path is: *** Invalid ***
****************************************************************************
* Symbol loading may be unreliable without a symbol search path.           *
* Use .symfix to have the debugger choose a symbol path.                   *
* After setting your symbol path, use .reload to refresh symbol locations. *
****************************************************************************
Executable search path is: 
Windows 7 Version 7601 (Service Pack 1) MP (2 procs) Free x64
Product: WinNt, suite: TerminalServer
Debug session time: Sat Nov 21 08:37:15.000 2026 (UTC + 0:00)
System Uptime: not available
Process Uptime: not available
........
This dump file has an exception of interest stored in it.
The stored exception information can be accessed via .ecxr.
(20.24): C++ EH exception - code e06d7363 (first/second chance not available)
For analysis of this file, run !analyze -v
kernelbase+0x13d7e:
00000000\`7b013d7e 90              nop
0:000> cdb: Reading initial command '||;vertarget;~;lm;.exr -1;.ecxr;r;dps @$csp L8;!address -summary;q'
.  0 User mini dump: <examples>/cpp-throw.dmp
Windows 7 Version 7601 (Service Pack 1) MP (2 procs) Free x64
Product: WinNt, suite: TerminalServer
Machine Name:
Debug session time: Sat Nov 21 08:37:15.000 2026 (UTC + 0:00)
System Uptime: not available
Process Uptime: not available
.  0  Id: 20.24 Suspend: 1 Teb: 00000000\`67fe0000 Unfrozen
   1  Id: 20.100 Suspend: 0 Teb: 00000000\`67fd0000 Unfrozen
   2  Id: 20.104 Suspend: 0 Teb: 00000000\`67fc0000 Unfrozen
   3  Id: 20.108 Suspend: 0 Teb: 00000000\`67fb0000 Unfrozen
start             end                 module name
00000000\`7b000000 00000000\`7b5e5000   kernelbase   (no symbols)           
00000000\`7b600000 00000000\`7b795000   kernel32   (deferred)             
00000001\`40000000 00000001\`4003f000   crashlab C (deferred)             
00000001\`70000000 00000001\`70361000   ntdll      (deferred)             
00000002\`28280000 00000002\`285b7000   msvcrt     (deferred)             
00000002\`3ecb0000 00000002\`3ef77000   dbghelp    (deferred)             
00000002\`41b90000 00000002\`41bba000   zlib1      (deferred)             
00000002\`c7470000 00000002\`c781a000   ucrtbase   (deferred)             
ExceptionAddress: 000000007b013d7e (kernelbase+0x0000000000013d7e)
   ExceptionCode: e06d7363 (C++ EH exception)
  ExceptionFlags: 00000001
NumberParameters: 4
   Parameter[0]: 0000000019930520
   Parameter[1]: 000000000011fc88
   Parameter[2]: 000000014000a1e8
   Parameter[3]: 0000000140000000
rax=000000000011fbc0 rbx=0000000000b81438 rcx=000000000011fba0
rdx=0000000000000001 rsi=000000000011fcc0 rdi=000000000011fbe0
rip=000000007b013d7e rsp=000000000011fb80 rbp=000000000011fd30
 r8=0000000000000004  r9=000000000011fca0 r10=0000000000000000
r11=0000000000000202 r12=0000000000000018 r13=0000000000000000
r14=0000000000000000 r15=0000000000000000
iopl=0         nv up ei pl nz na po nc
cs=0033  ss=002b  ds=002b  es=0000  fs=0000  gs=0000             efl=00000202
kernelbase+0x13d7e:
00000000\`7b013d7e 90              nop
rax=000000000011fbc0 rbx=0000000000b81438 rcx=000000000011fba0
rdx=0000000000000001 rsi=000000000011fcc0 rdi=000000000011fbe0
rip=000000007b013d7e rsp=000000000011fb80 rbp=000000000011fd30
 r8=0000000000000004  r9=000000000011fca0 r10=0000000000000000
r11=0000000000000202 r12=0000000000000018 r13=0000000000000000
r14=0000000000000000 r15=0000000000000000
iopl=0         nv up ei pl nz na po nc
cs=0033  ss=002b  ds=002b  es=0000  fs=0000  gs=0000             efl=00000202
kernelbase+0x13d7e:
00000000\`7b013d7e 90              nop
00000000\`0011fb80  00000000\`0011fba0
00000000\`0011fb88  00000000\`00000000
00000000\`0011fb90  00000000\`0000ffff
00000000\`0011fb98  00000001\`7002e6eb ntdll+0x2e6eb
00000000\`0011fba0  00000001\`e06d7363
00000000\`0011fba8  00000000\`00000000
00000000\`0011fbb0  00000000\`7b013d7e kernelbase+0x13d7e
00000000\`0011fbb8  00000001\`00000004
!address needs the MemoryInfoList stream (16), which this dump does not have (it was written without MiniDumpWithFullMemoryInfo).
Without it, the dump still shows: 8 modules, 4 thread stacks, and 7205 captured memory ranges (0x1483e bytes).
Use !address ADDR to see what the module, thread and memory lists say about one address.
quit:

`

exports[`test/scripts/golden.test.ts > TAP > deadlock.dmp > Done-when transcript 1`] = `

Loading Dump File [<examples>/deadlock.dmp]
User Mini Dump File: Only registers, stack and portions of memory are available
Dump summary: mini dump (stacks and some memory only), hang dump (no exception stored), without handle data, written by Wine's dbghelp

Symbol search path is: *** Invalid ***
****************************************************************************
* Symbol loading may be unreliable without a symbol search path.           *
* Use .symfix to have the debugger choose a symbol path.                   *
* After setting your symbol path, use .reload to refresh symbol locations. *
****************************************************************************
Executable search path is: 
Windows 7 Version 7601 (Service Pack 1) MP (2 procs) Free x64
Product: WinNt, suite: TerminalServer
Debug session time: Sat Nov 21 08:37:49.000 2026 (UTC + 0:00)
System Uptime: not available
Process Uptime: not available
........
WARNING: thread 0 has no register context in this dump
0:000> cdb: Reading initial command '||;vertarget;~;lm;.exr -1;.ecxr;r;dps @$csp L8;!address -summary;q'
.  0 User mini dump: <examples>/deadlock.dmp
Windows 7 Version 7601 (Service Pack 1) MP (2 procs) Free x64
Product: WinNt, suite: TerminalServer
Machine Name:
Debug session time: Sat Nov 21 08:37:49.000 2026 (UTC + 0:00)
System Uptime: not available
Process Uptime: not available
.  0  Id: 20.24 Suspend: 0 Teb: 00000000\`67fe0000 Unfrozen
   1  Id: 20.104 Suspend: 0 Teb: 00000000\`67fd0000 Unfrozen
   2  Id: 20.108 Suspend: 0 Teb: 00000000\`67fc0000 Unfrozen
   3  Id: 20.10c Suspend: 0 Teb: 00000000\`67fb0000 Unfrozen
   4  Id: 20.110 Suspend: 0 Teb: 00000000\`67fa0000 Unfrozen
   5  Id: 20.114 Suspend: 0 Teb: 00000000\`67f90000 Unfrozen
start             end                 module name
00000000\`7b000000 00000000\`7b5e5000   kernelbase   (deferred)             
00000000\`7b600000 00000000\`7b795000   kernel32   (deferred)             
00000001\`40000000 00000001\`4003f000   crashlab C (deferred)             
00000001\`70000000 00000001\`70361000   ntdll      (deferred)             
00000002\`28280000 00000002\`285b7000   msvcrt     (deferred)             
00000002\`3ecb0000 00000002\`3ef77000   dbghelp    (deferred)             
00000002\`41b90000 00000002\`41bba000   zlib1      (deferred)             
00000002\`c7470000 00000002\`c781a000   ucrtbase   (deferred)             
Last event was not an exception
Minidump doesn't have an exception context
Unable to get exception context, HRESULT 0x80004002
Thread 0 (id 24) has no register context in this dump.
Bad register error at '@$csp L8'
!address needs the MemoryInfoList stream (16), which this dump does not have (it was written without MiniDumpWithFullMemoryInfo).
Without it, the dump still shows: 8 modules, 6 thread stacks, and 7205 captured memory ranges (0x14cd6 bytes).
Use !address ADDR to see what the module, thread and memory lists say about one address.
quit:

`

exports[`test/scripts/golden.test.ts > TAP > null-deref.dmp > Done-when transcript 1`] = `

Loading Dump File [<examples>/null-deref.dmp]
User Mini Dump File: Only registers, stack and portions of memory are available
Dump summary: mini dump (stacks and some memory only), crash dump (exception c0000005), without handle data, written by Wine's dbghelp

Symbol search path is: *** Invalid ***
****************************************************************************
* Symbol loading may be unreliable without a symbol search path.           *
* Use .symfix to have the debugger choose a symbol path.                   *
* After setting your symbol path, use .reload to refresh symbol locations. *
****************************************************************************
Executable search path is: 
Windows 7 Version 7601 (Service Pack 1) MP (2 procs) Free x64
Product: WinNt, suite: TerminalServer
Debug session time: Sat Nov 21 08:37:06.000 2026 (UTC + 0:00)
System Uptime: not available
Process Uptime: not available
........
This dump file has an exception of interest stored in it.
The stored exception information can be accessed via .ecxr.
(20.24): Access violation - code c0000005 (first/second chance not available)
For analysis of this file, run !analyze -v
crashlab+0x22e0:
00000001\`400022e0 488b4110        mov     rax,qword ptr [rcx+10h] ds:00000000\`00000010=????????????????
0:000> cdb: Reading initial command '||;vertarget;~;lm;.exr -1;.ecxr;r;dps @$csp L8;!address -summary;q'
.  0 User mini dump: <examples>/null-deref.dmp
Windows 7 Version 7601 (Service Pack 1) MP (2 procs) Free x64
Product: WinNt, suite: TerminalServer
Machine Name:
Debug session time: Sat Nov 21 08:37:06.000 2026 (UTC + 0:00)
System Uptime: not available
Process Uptime: not available
.  0  Id: 20.24 Suspend: 1 Teb: 00000000\`67fe0000 Unfrozen
   1  Id: 20.fc Suspend: 0 Teb: 00000000\`67fd0000 Unfrozen
   2  Id: 20.104 Suspend: 0 Teb: 00000000\`67fc0000 Unfrozen
   3  Id: 20.108 Suspend: 0 Teb: 00000000\`67fb0000 Unfrozen
start             end                 module name
00000000\`7b000000 00000000\`7b5e5000   kernelbase   (deferred)             
00000000\`7b600000 00000000\`7b795000   kernel32   (deferred)             
00000001\`40000000 00000001\`4003f000   crashlab C (no symbols)           
00000001\`70000000 00000001\`70361000   ntdll      (deferred)             
00000002\`28280000 00000002\`285b7000   msvcrt     (deferred)             
00000002\`3ecb0000 00000002\`3ef77000   dbghelp    (deferred)             
00000002\`41b90000 00000002\`41bba000   zlib1      (deferred)             
00000002\`c7470000 00000002\`c781a000   ucrtbase   (deferred)             
ExceptionAddress: 00000001400022e0 (crashlab+0x00000000000022e0)
   ExceptionCode: c0000005 (Access violation)
  ExceptionFlags: 00000000
NumberParameters: 2
   Parameter[0]: 0000000000000000
   Parameter[1]: 0000000000000010
Attempt to read from address 0000000000000010
rax=0000000000000000 rbx=0000000000b81438 rcx=0000000000000000
rdx=0000000000000048 rsi=0000000000b81480 rdi=0000000000000003
rip=00000001400022e0 rsp=000000000011fc98 rbp=000000000011fd30
 r8=0000000000000000  r9=0000000000000000 r10=0000000000000000
r11=0000000000000202 r12=0000000000000018 r13=0000000000000000
r14=0000000000000000 r15=0000000000000000
iopl=0         nv up ei pl zr na pe nc
cs=0033  ss=002b  ds=002b  es=0000  fs=0000  gs=0000             efl=00010246
crashlab+0x22e0:
00000001\`400022e0 488b4110        mov     rax,qword ptr [rcx+10h] ds:00000000\`00000010=????????????????
rax=0000000000000000 rbx=0000000000b81438 rcx=0000000000000000
rdx=0000000000000048 rsi=0000000000b81480 rdi=0000000000000003
rip=00000001400022e0 rsp=000000000011fc98 rbp=000000000011fd30
 r8=0000000000000000  r9=0000000000000000 r10=0000000000000000
r11=0000000000000202 r12=0000000000000018 r13=0000000000000000
r14=0000000000000000 r15=0000000000000000
iopl=0         nv up ei pl zr na pe nc
cs=0033  ss=002b  ds=002b  es=0000  fs=0000  gs=0000             efl=00010246
crashlab+0x22e0:
00000001\`400022e0 488b4110        mov     rax,qword ptr [rcx+10h] ds:00000000\`00000010=????????????????
00000000\`0011fc98  00000001\`400022a1 crashlab+0x22a1
00000000\`0011fca0  00000000\`00180016
00000000\`0011fca8  00000000\`67fe1268
00000000\`0011fcb0  00000001\`7000d664 ntdll+0xd664
00000000\`0011fcb8  00000000\`7b075aec kernelbase+0x75aec
00000000\`0011fcc0  00000000\`00000003
00000000\`0011fcc8  00000001\`400019c9 crashlab+0x19c9
00000000\`0011fcd0  00000000\`00080008
!address needs the MemoryInfoList stream (16), which this dump does not have (it was written without MiniDumpWithFullMemoryInfo).
Without it, the dump still shows: 8 modules, 4 thread stacks, and 7205 captured memory ranges (0x14726 bytes).
Use !address ADDR to see what the module, thread and memory lists say about one address.
quit:

`
