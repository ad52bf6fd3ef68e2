import t from 'tap';
import { mkdtempSync, readFileSync, writeFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { resolveDumpInput, splitMember } from '../../src/session/intake.js';
import { writeZip } from '../fixtures/zip-writer.js';
import { writeCab } from '../fixtures/cab-writer.js';
import { REPO, sessionFromFile } from '../fixtures/session.js';
import { Session } from '../../src/session/session.js';
import { Dispatcher } from '../../src/interpreter/dispatch.js';
import { CommandRegistry } from '../../src/interpreter/registry.js';
import { builtinCommands } from '../../commands/index.js';
import { renderLines } from '../../src/results/render-text.js';

// Archives are built at test time from the project's own example dumps.
const EX = path.join(REPO, 'examples', 'dumps');
const nullDeref = readFileSync(path.join(EX, 'null-deref.dmp'));
const divZero = readFileSync(path.join(EX, 'div-zero.dmp'));
const dir = mkdtempSync(path.join(tmpdir(), 'dumpdbg-intake-'));
const cacheRoot = path.join(dir, 'cache');

t.test('a .gz dump is unpacked once and reused', async (t) => {
  const gz = path.join(dir, 'null-deref.dmp.gz');
  writeFileSync(gz, gzipSync(nullDeref));
  const a = await resolveDumpInput(gz, { cacheRoot });
  t.equal(a.archive?.kind, 'gzip');
  t.equal(a.archive?.unpacked, true);
  t.same(readFileSync(a.filePath), nullDeref, 'the unpacked bytes are the dump');
  const b = await resolveDumpInput(gz, { cacheRoot });
  t.equal(b.archive?.unpacked, false, 'second open uses the cache');
  t.equal(b.filePath, a.filePath);
});

t.test('a .zip with two dumps lists both and opens either', async (t) => {
  const zip = path.join(dir, 'customer.zip');
  writeFileSync(zip, writeZip([{ name: 'w3wp/first.dmp', data: nullDeref }, { name: 'w3wp/second.dmp', data: divZero, store: true }, { name: 'Report.wer', data: Buffer.from('\ufeffEventType=APPCRASH\r\nSig[0].Name=Application Name\r\nSig[0].Value=w3wp.exe\r\nSig[6].Name=Exception Code\r\nSig[6].Value=c0000005\r\n', 'utf16le') }]));
  const first = await resolveDumpInput(zip, { cacheRoot });
  t.same(first.archive?.dumps, ['w3wp/first.dmp', 'w3wp/second.dmp']);
  t.equal(first.archive?.chosen, 'w3wp/first.dmp');
  t.same(readFileSync(first.filePath), nullDeref);
  const second = await resolveDumpInput(`${zip}#second.dmp`, { cacheRoot });
  t.same(readFileSync(second.filePath), divZero, 'FILE#name picks the member');
  await t.rejects(resolveDumpInput(`${zip}#nope.dmp`, { cacheRoot }), /has no dump named nope\.dmp; it holds: w3wp\/first\.dmp, w3wp\/second\.dmp/);
  t.same(splitMember(`${zip}#x.dmp`), { file: zip, member: 'x.dmp' });
  t.ok(readdirSync(path.dirname(first.filePath)).includes('Report.wer'), 'the WER report is unpacked beside the dump');
});

t.test('a WER .cab (MSZIP) opens, and .wer shows its report', async (t) => {
  const cab = path.join(dir, 'Report.cab');
  const report = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('EventType=APPCRASH\r\nSig[0].Name=Application Name\r\nSig[0].Value=w3wp.exe\r\nSig[1].Name=Application Version\r\nSig[1].Value=10.0.17763.1\r\nSig[3].Name=Fault Module Name\r\nSig[3].Value=crashlab.exe\r\nSig[6].Name=Exception Code\r\nSig[6].Value=c0000005\r\nAppPath=C:\\Windows\\System32\\inetsrv\\w3wp.exe\r\n', 'utf16le')]);
  writeFileSync(cab, writeCab([{ name: 'memory.hdmp', data: nullDeref }, { name: 'Report.wer', data: report }]));
  process.env['DUMPDBG_CACHE_DIR'] = cacheRoot;
  const session = new Session();
  await session.openSpec(cab);
  const d = new Dispatcher(session, new CommandRegistry(builtinCommands));
  const [e] = await d.dispatch('.wer');
  const lines = renderLines(e!.result);
  t.ok(lines.includes('Event name:           APPCRASH'));
  t.ok(lines.includes('Faulting application: w3wp.exe 10.0.17763.1'));
  t.ok(lines.includes('Faulting module:      crashlab.exe'));
  t.ok(lines.includes('Exception code:       c0000005'));
  session.close();
});

t.test('two dumps in one session switch with ||1s', async (t) => {
  const session = new Session();
  await session.openSpec(path.join(EX, 'null-deref.dmp'));
  await session.openSpec(path.join(EX, 'div-zero.dmp'));
  session.current = 0;
  const d = new Dispatcher(session, new CommandRegistry(builtinCommands));
  const text = async (l: string) => (await d.dispatch(l)).flatMap((e) => renderLines(e.result));
  t.match(session.prompt(), /^\|\|0:0:\d{3}>$/);
  const sys = await text('||');
  t.equal(sys.length, 2);
  t.match(sys[0], /^\.  0 User mini dump: .*null-deref\.dmp$/);
  t.match(sys[1], /^   1 User mini dump: .*div-zero\.dmp$/);
  await text('||1s');
  t.equal(session.current, 1);
  t.match((await text('.exr -1'))[1], /c0000094/, 'commands apply to the current dump');
  session.close();
});

t.test('.dumpdebug agrees with the stream directory', async (t) => {
  const s = sessionFromFile(path.join(EX, 'null-deref.dmp'));
  const lines = await s.run('.dumpdebug');
  // Read the directory independently of the parser.
  const count = nullDeref.readUInt32LE(8);
  const rva = nullDeref.readUInt32LE(12);
  for (let i = 0; i < count; i++) {
    const type = nullDeref.readUInt32LE(rva + i * 12);
    const size = nullDeref.readUInt32LE(rva + i * 12 + 4);
    const at = nullDeref.readUInt32LE(rva + i * 12 + 8);
    const line = lines.find((l) => l.startsWith(`Stream ${i}: `));
    t.ok(line?.endsWith(`(${type}), size ${size.toString(16).toUpperCase().padStart(8, '0')}, RVA ${at.toString(16).toUpperCase().padStart(8, '0')}`), `stream ${i}`);
  }
  t.equal(lines.find((l) => l.startsWith('NumberOfStreams')), `NumberOfStreams ${count}`);
});
