import type { Target } from '../../src/session/target.js';

/**
 * WinDbg pseudo-registers (`$csp`, `$ip`, `$teb`...), for `r $x` and `@$x` in
 * expressions. `$csp`/`$ip` follow the current scope (after .ecxr: the exception context).
 */
export function pseudoRegister(t: Target, name: string): bigint | undefined {
  const c = t.scopeContext();
  switch (name.replace(/^@/, '').toLowerCase()) {
    case '$csp':
      return c?.sp;
    case '$ip':
      return c?.pc;
    case '$retreg':
      return c ? (c.regs['rax'] ?? c.regs['eax'] ?? c.regs['x0']) : undefined;
    case '$teb':
      return t.thread()?.teb;
    case '$peb': {
      const teb = t.thread()?.teb;
      if (teb === undefined) return undefined;
      // NT_TIB/TEB: ProcessEnvironmentBlock at +0x60 (x64) / +0x30 (x86).
      return t.readPointer(teb + (t.pointerSize === 8 ? 0x60n : 0x30n));
    }
    case '$tid':
      return BigInt(t.thread()?.threadId ?? 0);
    case '$tpid':
      return BigInt(t.processId ?? 0);
    case '$ptrsize':
      return BigInt(t.pointerSize);
    case '$pagesize':
      return 0x1000n;
    case '$exentry': {
      const exe = t.modules()[0];
      return exe?.baseOfImage;
    }
    case '$ea':
    case '$ra':
      return undefined;
    default:
      return undefined;
  }
}
