/**
 * Real-data check against Breakpad's minidump_stackwalk output for the
 * Windows corpus dumps: x86 STACK WIN (minidump2 + test_app.sym), x86 EBP
 * chains, and x64 scanning without images. Frames Breakpad proved (context,
 * call frame info, frame pointer) must match register for register; scanned
 * frames are compared as far as both sides scan the same way.
 */
import t from 'tap';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { MinidumpFile } from '../../src/formats/minidump/index.js';
import { SymFile } from '../../src/formats/sym/index.js';
import { walkStack } from '../../src/unwind/index.js';
import type { StackFrame, UnwindEnvironment, UnwindModule, WinFrameInfo } from '../../src/unwind/index.js';

const CORPUS = fileURLToPath(new URL('../../../shared/corpus/windows', import.meta.url));

interface BpFrame { index: number; regs: Record<string, bigint>; foundBy: string }

/** Breakpad's "Thread N" sections: frame index, the registers it printed, "Found by". */
function breakpadThreads(text: string): Map<number, BpFrame[]> {
  const out = new Map<number, BpFrame[]>();
  let frames: BpFrame[] | undefined;
  let cur: BpFrame | undefined;
  for (const line of text.split('\n')) {
    const th = /^Thread (\d+)/.exec(line);
    if (th !== null) { frames = []; out.set(Number(th[1]), frames); cur = undefined; continue; }
    if (line.startsWith('Loaded modules')) { frames = undefined; continue; }
    if (frames === undefined) continue;
    const fr = /^\s*(\d+)\s+\S/.exec(line);
    if (fr !== null && !line.includes('=')) { cur = { index: Number(fr[1]), regs: {}, foundBy: '' }; frames.push(cur); continue; }
    if (cur === undefined) continue;
    for (const m of line.matchAll(/(\w+) = 0x([0-9a-f]+)/g)) cur.regs[m[1]!] = BigInt(`0x${m[2]}`);
    const fb = /Found by: (.*)$/.exec(line);
    if (fb !== null) cur.foundBy = fb[1]!.trim();
  }
  return out;
}

function symbolsFor(pdb: string | undefined, guid: string | undefined): SymFile | undefined {
  if (pdb === undefined || guid === undefined) return undefined;
  const dir = `${CORPUS}/symbols/${pdb}`;
  if (!existsSync(dir)) return undefined;
  for (const id of readdirSync(dir)) {
    const f = `${dir}/${id}/${pdb.replace(/\.pdb$/i, '')}.sym`;
    if (id.startsWith(guid) && existsSync(f)) return SymFile.loadSync(f);
  }
  return undefined;
}

function environment(dump: MinidumpFile): UnwindEnvironment {
  const syms = new Map<bigint, SymFile>();
  const modules: UnwindModule[] = dump.modules().map((m) => {
    const s = symbolsFor(m.cvRecord?.pdbFileName.split(/[\\/]/).pop(), m.cvRecord?.guid);
    if (s !== undefined) syms.set(m.baseOfImage, s);
    return { base: m.baseOfImage, size: m.sizeOfImage, name: m.moduleName.split('\\').pop() ?? '' };
  });
  const moduleAt = (a: bigint): UnwindModule | undefined => modules.find((m) => a >= m.base && a < m.base + BigInt(m.size));
  return {
    arch: dump.arch,
    memory: { read: (a, n) => dump.memory.read(a, n) },
    moduleAt,
    x86FrameInfo: (a) => {
      const m = moduleAt(a);
      const r = m && syms.get(m.base)?.stackWin(Number(a - m.base));
      if (!r) return undefined;
      const info: WinFrameInfo = {
        type: r.type, prologSize: r.prologSize, epilogSize: r.epilogSize, parameterSize: r.paramSize, savedRegisterSize: r.savedRegsSize,
        localSize: r.localSize, maxStackSize: r.maxStackSize, hasProgramString: r.programString !== undefined, allocatesBasePointer: r.allocatesBasePointer,
      };
      if (r.programString !== undefined) info.programString = r.programString;
      return info;
    },
  };
}

const PROVEN = new Set(['given as instruction pointer in context', 'call frame info', "previous frame's frame pointer", 'simulating a return from leaf function']);
const TRUST_OF: Record<string, StackFrame['trust'][]> = {
  'call frame info': ['cfi', 'unwind-info'],
  "previous frame's frame pointer": ['frame-pointer'],
  'stack scanning': ['scan'],
};

if (!existsSync(CORPUS)) {
  t.skip('corpus (../shared/corpus/windows) not present');
} else {
  const cases: { dump: string; proven: number }[] = [
    { dump: 'minidump2.dmp', proven: 4 },
    { dump: 'ascii_read_av.dmp', proven: 6 },
    { dump: 'null_read_av.dmp', proven: 6 },
    { dump: 'stack_exhaustion.dmp', proven: 20 },
    { dump: 'thread_name_list.dmp', proven: 20 },
    { dump: 'tiny-exe-fastfail.dmp', proven: 1 },
    { dump: 'invalid-parameter.dmp', proven: 1 },
    { dump: 'write_av_non_canonical.dmp', proven: 1 },
  ];
  for (const c of cases) {
    t.test(c.dump, async (t) => {
      const dump = MinidumpFile.open(`${CORPUS}/${c.dump}`);
      t.teardown(() => dump.close());
      const env = environment(dump);
      const bp = breakpadThreads(readFileSync(`${CORPUS}/${c.dump.replace(/\.dmp$/, '')}.breakpad.txt`, 'utf8'));
      const exc = dump.exception();
      const threads = dump.threads();
      let provenMatched = 0;
      let scannedMatched = 0;
      const pcName = dump.arch === 'x86' ? 'eip' : 'rip';
      const spName = dump.arch === 'x86' ? 'esp' : 'rsp';
      // Breakpad numbers threads without the one that wrote the dump: match them by frame 0 instead.
      const contexts = threads.map((th) => ({ th, ctx: exc !== undefined && exc.threadId === th.threadId ? dump.exceptionContext() : dump.threadContext(th) }));
      for (const [n, ref] of bp) {
        const r0 = ref[0];
        const found = contexts.find((x) => x.ctx !== undefined && r0 !== undefined && x.ctx.pc === r0.regs[pcName] && x.ctx.sp === r0.regs[spName]);
        if (found === undefined || found.ctx === undefined) {
          t.fail(`Breakpad thread ${n}: no dump thread has its frame 0`);
          continue;
        }
        const { th, ctx } = found;
        const frames = walkStack({ ...env, stackBounds: { low: th.stackStart, high: th.stackStart + BigInt(th.stackSize) } }, ctx, { maxFrames: ref.length + 5 });
        for (const r of ref) {
          const ours = frames[r.index];
          const proven = PROVEN.has(r.foundBy);
          if (ours === undefined) {
            if (proven) t.fail(`thread ${n} frame ${r.index}: Breakpad has ${r.foundBy}, we stopped at ${frames.length}`);
            break;
          }
          const same = ours.pc === r.regs[pcName] && (r.regs[spName] === undefined || ours.sp === r.regs[spName])
            && (r.regs.ebp === undefined || r.index === 0 || ours.fp === r.regs.ebp);
          if (proven) {
            if (!same) t.fail(`thread ${n} frame ${r.index} (${r.foundBy}): ours pc ${ours.pc.toString(16)} sp ${ours.sp.toString(16)} fp ${ours.fp.toString(16)}; Breakpad ${JSON.stringify(r.regs, (_k, v) => (typeof v === 'bigint' ? v.toString(16) : v))}`);
            else provenMatched++;
            const trusts = TRUST_OF[r.foundBy];
            if (trusts !== undefined && !trusts.includes(ours.trust)) t.fail(`thread ${n} frame ${r.index}: trust ${ours.trust} for Breakpad's ${r.foundBy}`);
          } else {
            // Scanning: as long as both agree the frames match; once they part ways, stop comparing this thread.
            if (!same) break;
            scannedMatched++;
          }
        }
      }
      t.ok(provenMatched >= c.proven, `${provenMatched} frames Breakpad proved match exactly (want >= ${c.proven})`);
      t.comment(`${scannedMatched} scanned frames agree with Breakpad`);
    });
  }
}

if (existsSync(`${CORPUS}/tiny-exe-with-cet-xsave.dmp`)) {
  t.test('tiny-exe-with-cet-xsave: the CET shadow stack drives the walk (no images, where scanning alone finds decoys)', async (t) => {
    const dump = MinidumpFile.open(`${CORPUS}/tiny-exe-with-cet-xsave.dmp`);
    t.teardown(() => dump.close());
    const env = environment(dump);
    let checked = 0;
    for (const th of dump.threads()) {
      const ctx = dump.threadContext(th);
      if (ctx?.cetSsp === undefined) continue;
      // The shadow stack as captured: u64 return addresses from SSP up to the end of the captured range.
      const raw = dump.memory.read(ctx.cetSsp, 0x1000);
      const truth: bigint[] = [];
      for (let i = 0; i + 8 <= raw.length; i += 8) truth.push(raw.readBigUInt64LE(i));
      if (truth.length === 0) continue;
      const frames = walkStack({ ...env, stackBounds: { low: th.stackStart, high: th.stackStart + BigInt(th.stackSize) } }, ctx);
      t.same(frames.slice(1, 1 + truth.length).map((f) => f.pc.toString(16)), truth.map((v) => v.toString(16)), `thread ${th.threadId.toString(16)}: every shadow-stack return address, in order`);
      t.ok(frames.slice(1, 1 + truth.length).every((f) => f.trust === 'prewalked'));
      checked++;
    }
    t.ok(checked >= 1, `${checked} threads with a captured shadow stack`);
  });
}
