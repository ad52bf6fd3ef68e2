import t from 'tap';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { BufferSource } from '../../../src/bytes/index.js';
import { PdbFile } from '../../../src/formats/pdb/index.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const CORPUS = path.resolve(repoRoot, '..', 'shared', 'corpus', 'wine-x64');
const PDB = path.join(CORPUS, 'crashlab.pdb');
const EXE = path.join(CORPUS, 'crashlab.exe');

if (!existsSync(PDB) || !existsSync(EXE)) {
  t.skip('corpus crashlab.pdb/exe not present');
} else {
  /** The image base of crashlab.exe from an LLDB oracle's `image list`. */
  function imageBase(): bigint {
    const lldb = readFileSync(path.join(CORPUS, 'null-deref-mini.lldb.txt'), 'utf8');
    const m = /^\[\s*\d+\]\s+\S+\s+0x([0-9a-f]+)\s+\S*crashlab\.exe/m.exec(lldb);
    if (!m) throw new Error('no crashlab.exe line in the lldb oracle');
    return BigInt('0x' + m[1]);
  }

  /** Frames winedbg symbolized in crashlab: address, function, displacement, source line. */
  function oracleFrames(): Array<{ file: string; address: bigint; name: string; disp: number; line: number; top: boolean }> {
    const re = /^(=>| )\s*\d+ 0x([0-9a-f]+) (\w+)(?:\+0x([0-9a-f]+))?\(.*\[[^\]]*\\crashlab\.c:(\d+)\] in crashlab /;
    const out = [];
    for (const f of readdirSync(CORPUS).filter((n) => n.endsWith('.winedbg.txt')).sort()) {
      for (const line of readFileSync(path.join(CORPUS, f), 'utf8').split('\n')) {
        const m = re.exec(line);
        if (m) out.push({ file: f, address: BigInt('0x' + m[2]), name: m[3]!, disp: m[4] ? parseInt(m[4], 16) : 0, line: Number(m[5]), top: m[1] === '=>' });
      }
    }
    return out;
  }

  t.test('GUID, age and signature match the RSDS record of crashlab.exe', (t) => {
    const exe = readFileSync(EXE);
    const at = exe.indexOf(Buffer.from('RSDS', 'latin1'));
    t.ok(at > 0, 'RSDS record found in the exe');
    // CV_INFO_PDB70: "RSDS", GUID (Data1 u32, Data2 u16, Data3 u16, Data4[8]), Age u32.
    const hex = (n: number, w: number) => n.toString(16).toUpperCase().padStart(w, '0');
    let guid = hex(exe.readUInt32LE(at + 4), 8) + hex(exe.readUInt16LE(at + 8), 4) + hex(exe.readUInt16LE(at + 10), 4);
    for (let i = 0; i < 8; i++) guid += hex(exe[at + 12 + i]!, 2);
    const age = exe.readUInt32LE(at + 20);
    const pdb = PdbFile.open(PDB);
    t.equal(pdb.info.guid, guid);
    t.equal(pdb.info.age, age);
    t.equal(pdb.dbiAge, age);
    t.ok(pdb.info.guidBytes.equals(exe.subarray(at + 4, at + 20)), 'raw GUID bytes');
    // The LLDB oracle prints the same identity as a UUID.
    t.match(readFileSync(path.join(CORPUS, 'null-deref-mini.lldb.txt'), 'utf8'), new RegExp(`${guid.slice(0, 8)}-${guid.slice(8, 12)}-${guid.slice(12, 16)}-`));
    t.equal(pdb.machine, 0x8664);
    t.ok(pdb.info.namedStreams.has('/names'));
    pdb.close();
    t.end();
  });

  t.test('functions and lines winedbg printed resolve to the same names and lines', (t) => {
    const base = imageBase();
    const frames = oracleFrames();
    t.ok(frames.length >= 20, `${frames.length} oracle frames`);
    const names = new Set(frames.map((f) => f.name));
    for (const n of ['read_field', 'lookup_customer', 'null_deref', 'parse_request', 'divide', 'main']) t.ok(names.has(n), `oracle names ${n}`);
    const pdb = PdbFile.open(PDB);
    for (const f of frames) {
      const rva = Number(f.address - base);
      const sym = pdb.lookup(rva);
      const where = `${f.file} 0x${f.address.toString(16)}`;
      t.equal(sym?.name, f.name, `${where} → ${f.name}`);
      t.equal(sym?.kind, 'proc', `${where} is a procedure`);
      t.equal(sym ? rva - sym.rva : -1, f.disp, `${where} displacement +0x${f.disp.toString(16)}`);
      t.ok(sym?.size !== undefined && rva - sym.rva < sym.size, `${where} inside the proc`);
      const line = pdb.lineAt(rva);
      t.equal(line?.line, f.line, `${where} line ${f.line}`);
      t.match(line?.file ?? '', /crashlab\.c$/, `${where} file`);
    }
    pdb.close();
    t.end();
  });

  t.test('names, globals and publics', (t) => {
    const pdb = PdbFile.open(PDB);
    const main = pdb.findByName('main');
    t.match(main, { name: 'main', kind: 'proc' });
    t.equal(pdb.lookup(main!.rva + 0x2bd)?.name, 'main');
    const rf = pdb.findByName('read_field');
    t.match(rf, { name: 'read_field', kind: 'proc', rva: Number(0x140001e40n - imageBase()) });
    // A static global: S_LDATA32 in the globals, not a public.
    const ready = pdb.findByName('g_ready');
    t.match(ready, { name: 'g_ready', kind: 'data' });
    t.same(pdb.lookup(ready!.rva), { name: 'g_ready', rva: ready!.rva, kind: 'data' });
    // CRT code without procedure records resolves to the nearest public.
    t.match(pdb.lookup(Number(0x1400014e6n - imageBase())), { kind: 'public' });
    const all = pdb.symbols();
    const procs = all.filter((s) => s.kind === 'proc').map((s) => s.name);
    for (const n of ['read_field', 'lookup_customer', 'null_deref', 'parse_request', 'divide', 'main', 'write_config']) t.ok(procs.includes(n), `symbols() has ${n}`);
    t.ok(all.every((s, i) => i === 0 || all[i - 1]!.rva <= s.rva), 'symbols() sorted by rva');
    t.ok(procs.filter((n) => n === 'main').length === 1, 'main listed once (its public is folded in)');
    t.equal(pdb.frameData(rf!.rva), undefined, 'x64 PDBs have no FPO/FrameData');
    // Scopes as llvm-pdbutil shows them: main has one S_BLOCK32 and an inline site, big_heap three blocks.
    const procs2 = pdb.moduleSymbols(main!.module!)!.procs;
    const byName = (n: string) => procs2.find((p) => p.name === n);
    t.match(byName('main'), { hasInlineSites: true, blocks: [{ length: 50 }] });
    t.equal(byName('big_heap')?.blocks.length, 3);
    t.match(byName('read_field'), { hasInlineSites: false, blocks: [] });
    t.equal(pdb.modules[main!.module!]?.moduleName, '/src/crashlab/crashlab.o');
    t.same(pdb.warnings, []);
    pdb.close();
    t.end();
  });

  t.test('findByName through the GSI hashes agrees with a full scan', (t) => {
    const hashed = PdbFile.open(PDB);
    const scan = PdbFile.open(PDB, { nameHash: false });
    const names = [...new Set(scan.symbols().map((s) => s.name))];
    t.ok(names.length > 300, `${names.length} names`);
    let same = 0;
    const differ: string[] = [];
    for (const n of names) {
      const a = hashed.findByName(n);
      const b = scan.findByName(n);
      if (JSON.stringify(a) === JSON.stringify(b) && a) same++;
      else differ.push(n);
    }
    t.same(differ, [], 'every name found identically');
    t.equal(same, names.length);
    t.equal(hashed.findByName('READ_FIELD'), undefined, 'names compare exactly although the hash ignores case');
    t.equal(hashed.findByName('no_such_function'), undefined);
    hashed.close();
    scan.close();
    t.end();
  });

  t.test('a hashed name lookup does not read the whole symbol record stream', (t) => {
    const buf = readFileSync(PDB);
    const src = new BufferSource(buf, 'crashlab.pdb');
    const pdb = PdbFile.fromSource(src);
    const before = src.bytesRead;
    t.match(pdb.findByName('parse_request'), { kind: 'proc', name: 'parse_request' });
    const used = src.bytesRead - before;
    const recordStream = pdb.msf.streamSize(pdb.dbi.symRecordStreamIndex!)!;
    t.ok(used < recordStream, `name lookup read ${used} bytes; the record stream alone is ${recordStream}`);
    t.end();
  });

  t.test('resolving one address reads a small part of the PDB', (t) => {
    const buf = readFileSync(PDB);
    const src = new BufferSource(buf, 'crashlab.pdb');
    const pdb = PdbFile.fromSource(src);
    const rva = Number(0x140001e40n - imageBase());
    t.equal(pdb.lookup(rva)?.name, 'read_field');
    t.equal(pdb.lineAt(rva)?.line, 61);
    const read = src.bytesRead;
    t.ok(read < buf.length / 4, `read ${read} of ${buf.length} bytes`);
    t.end();
  });
}
