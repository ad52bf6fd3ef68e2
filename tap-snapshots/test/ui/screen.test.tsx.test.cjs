/* IMPORTANT
 * This snapshot file is auto-generated, but designed for humans.
 * It should be checked into source control and tracked carefully.
 * Re-generate by setting TAP_SNAPSHOT=1 and running tests.
 * Make sure to inspect the output below.  Do not ignore changes!
 */
'use strict'
exports[`test/ui/screen.test.tsx > TAP > screen at 120x40: every row fits, every pane shows > frame 1`] = `
▶ Command ───────────────────────────────────────────────────────│─ Threads (6) current 0 ──────────────────────────────
                                                                 │.  0    24 crashlab!read_field+0x10 (suspended 1)
                                                                 │   1    28 crashlab+0x1f40
                                                                 │   2    2c crashlab+0x2040
                                                                 │   3    30 crashlab+0x2140 "Render\\x1b[31mThread"
                                                                 │   4    34 crashlab+0x2240
                                                                 │   5    38 no context
                                                                 │─ Stack of thread 0 (4) ──────────────────────────────
                                                                 │ 00 crashlab!read_field+0x10  [crashlab.c:42]
                                                                 │ 01 crashlab!lookup_customer+0x19
                                                                 │~02 crashlab!null_deref+0x9
                                                                 │?03 crashlab!main+0x2d
                                                                 │
                                                                 │
                                                                 │
                                                                 │
                                                                 │
                                                                 │
                                                                 │
                                                                 │
                                                                 │
                                                                 │
                                                                 │
                                                                 │
                                                                 │
                                                                 │
                                                                 │
                                                                 │
                                                                 │─ Exception ──────────────────────────────────────────
                                                                 │Code     c0000005 (Access violation)
                                                                 │Address  0000000140001e40 (crashlab!read_field+0x10)
                                                                 │Thread   0 (TID 24)
                                                                 │Attempt to read from address 0000000000000010
                                                                 │Param[0] 0
                                                                 │Param[1] 10
0:000> .lastevent                                                │─ Modules (2) ────────────────────────────────────────
Last event: 20.24: Access violation - code c0000005 (first/secon…│00000001\`40000000 crashlab (private pdb symbols)
0:000> kn                                                        │00000001\`70000000 ntdll (deferred)
0:000> [command]  F1 keys  Tab pane  Enter select/run  F7 regs  F8 mem  Ctrl-C cancel  Ctrl-D quit
`

exports[`test/ui/screen.test.tsx > TAP > screen at 200x60: every row fits, every pane shows > frame 1`] = `
▶ Command ──────────────────────────────────────────────────────────────────────────│─ Threads (6) current 0 ─────────────────────────────────│─ Exception ─────────────────────────────────────────────
                                                                                    │.  0    24 crashlab!read_field+0x10 (suspended 1)        │Code     c0000005 (Access violation)
                                                                                    │   1    28 crashlab+0x1f40                               │Address  0000000140001e40 (crashlab!read_field+0x10)
                                                                                    │   2    2c crashlab+0x2040                               │Thread   0 (TID 24)
                                                                                    │   3    30 crashlab+0x2140 "Render\\x1b[31mThread"        │Attempt to read from address 0000000000000010
                                                                                    │   4    34 crashlab+0x2240                               │Param[0] 0
                                                                                    │   5    38 no context                                    │Param[1] 10
                                                                                    │─ Stack of thread 0 (4) ─────────────────────────────────│─ Modules (2) ───────────────────────────────────────────
                                                                                    │ 00 crashlab!read_field+0x10  [crashlab.c:42]            │00000001\`40000000 crashlab (private pdb symbols)
                                                                                    │ 01 crashlab!lookup_customer+0x19                        │00000001\`70000000 ntdll (deferred)
                                                                                    │~02 crashlab!null_deref+0x9                              │
                                                                                    │?03 crashlab!main+0x2d                                   │
                                                                                    │                                                         │
                                                                                    │                                                         │
                                                                                    │                                                         │
                                                                                    │                                                         │
                                                                                    │                                                         │
                                                                                    │                                                         │
                                                                                    │                                                         │
                                                                                    │                                                         │
                                                                                    │                                                         │
                                                                                    │                                                         │
                                                                                    │                                                         │
                                                                                    │                                                         │
                                                                                    │                                                         │
                                                                                    │                                                         │
                                                                                    │                                                         │
                                                                                    │                                                         │
                                                                                    │                                                         │
                                                                                    │                                                         │
                                                                                    │                                                         │
                                                                                    │                                                         │
                                                                                    │                                                         │
                                                                                    │                                                         │
                                                                                    │                                                         │
                                                                                    │                                                         │
                                                                                    │                                                         │
                                                                                    │                                                         │
                                                                                    │                                                         │
                                                                                    │                                                         │
                                                                                    │                                                         │
                                                                                    │                                                         │
                                                                                    │                                                         │
                                                                                    │                                                         │
                                                                                    │                                                         │
                                                                                    │                                                         │
                                                                                    │                                                         │
                                                                                    │                                                         │
                                                                                    │                                                         │
                                                                                    │                                                         │
                                                                                    │                                                         │
                                                                                    │                                                         │
                                                                                    │                                                         │
                                                                                    │                                                         │
                                                                                    │                                                         │
0:000> .lastevent                                                                   │                                                         │
Last event: 20.24: Access violation - code c0000005 (first/second chance not availa…│                                                         │
0:000> kn                                                                           │                                                         │
0:000> [command]  F1 keys  Tab pane  Enter select/run  F7 regs  F8 mem  Ctrl-C cancel  Ctrl-D quit
`

exports[`test/ui/screen.test.tsx > TAP > screen at 80x24: every row fits, every pane shows > frame 1`] = `
─ Threads (6) current 0 ───────────────│─ Stack of thread 0 (4) ────────────────
.  0    24 crashlab!read_field+0x10 (s…│ 00 crashlab!read_field+0x10  [crashlab…
   1    28 crashlab+0x1f40             │ 01 crashlab!lookup_customer+0x19
   2    2c crashlab+0x2040             │~02 crashlab!null_deref+0x9
   3    30 crashlab+0x2140 "Render\\x1b…│?03 crashlab!main+0x2d
   4    34 crashlab+0x2240             │
   5    38 no context                  │
─ Exception ───────────────────────────│
Code     c0000005 (Access violation)   │
Address  0000000140001e40 (crashlab!re…│─ Modules (2) ──────────────────────────
Thread   0 (TID 24)                    │00000001\`40000000 crashlab (private pdb…
Attempt to read from address 000000000…│00000001\`70000000 ntdll (deferred)
▶ Command ──────────────────────────────────────────────────────────────────────






0:000> .lastevent
Last event: 20.24: Access violation - code c0000005 (first/second chance not av…
0:000> kn
0:000> [command]  F1 keys  Tab pane  Enter select/run  F7 regs  F8 mem  Ctrl-C …
`
