import t from 'tap';
import { SynthDump } from '../fixtures/synth/minidump-writer.js';
import { runner } from '../fixtures/command-runner.js';
import { openBanner } from '../../commands/meta/open-banner.js';
import { renderLines } from '../../src/results/render-text.js';

async function bannerLines(buf: Buffer): Promise<string[]> {
  const r = runner(buf);
  return renderLines(await openBanner(r.session, r.target!));
}

t.test("the open banner prints the dump's comment streams", async (t) => {
  // procdump records its command line and the trigger in CommentStreamA, one item per line.
  const procdump = '\r\n*** procdump64.exe -accepteula -ma -e 1 w3wp.exe\r\n*** Unhandled exception: E0434352.CLR';
  const lines = await bannerLines(
    new SynthDump().arch('amd64').thread({ id: 1, context: { rip: 1n } }).comment(procdump).build(),
  );
  const at = lines.indexOf("Comment: '");
  t.ok(at > 0, 'the comment starts on its own line');
  t.same(lines.slice(at, at + 4), ["Comment: '", '*** procdump64.exe -accepteula -ma -e 1 w3wp.exe', "*** Unhandled exception: E0434352.CLR'", '']);
  t.notOk(lines.some((l) => l.includes('\\x0a') || l.includes('\\x0d')), 'line breaks are not printed as escapes');
});

t.test('single-line ANSI and wide comments', async (t) => {
  const lines = await bannerLines(
    new SynthDump().arch('amd64').thread({ id: 1, context: { rip: 1n } }).comment('written by .dump /ma').comment('Wide comment \u00e9', true).build(),
  );
  t.ok(lines.includes("Comment: 'written by .dump /ma'"));
  t.ok(lines.includes("Comment: 'Wide comment \u00e9'"));
  const none = await bannerLines(new SynthDump().arch('amd64').thread({ id: 1, context: { rip: 1n } }).build());
  t.notOk(none.some((l) => l.startsWith('Comment:')), 'no comment line without a comment stream');
});
