import t from 'tap';
import { SynthDump } from '../fixtures/synth/minidump-writer.js';
import { runner } from '../fixtures/command-runner.js';

// FILETIME of 2020-09-13 12:26:40 UTC = time_t 1600000000 (the dump header's TimeDateStamp below).
const DUMP_TIME_T = 1600000000;
const DUMP_FILETIME = BigInt(DUMP_TIME_T) * 10000000n + 116444736000000000n;
const MS = 10000n; // 100-ns ticks per millisecond

function runawayDump(): Buffer {
  return new SynthDump()
    .arch('amd64')
    .header({ timeDateStamp: DUMP_TIME_T })
    .thread({ id: 0xbfc, context: { rip: 1n } })
    .thread({ id: 0x10c, context: { rip: 1n } })
    .thread({ id: 0x2a0, context: { rip: 1n } })
    .threadInfo([
      { threadId: 0xbfc, userTime: 31n * MS, kernelTime: 46n * MS, createTime: DUMP_FILETIME - (27n * 60n + 19n) * 1000n * MS - 817n * MS },
      { threadId: 0x10c, userTime: 0n, kernelTime: 0n, createTime: DUMP_FILETIME - 1000n * MS },
      // 2 days, 3 hours, 4 minutes, 5.006 seconds of user time.
      { threadId: 0x2a0, userTime: ((((2n * 24n + 3n) * 60n + 4n) * 60n + 5n) * 1000n + 6n) * MS, kernelTime: 1n * MS, createTime: DUMP_FILETIME - 100n * 86400n * 1000n * MS, exitTime: DUMP_FILETIME - 99n * 86400n * 1000n * MS },
    ])
    .build();
}

t.test('!runaway: user time by default, longest first (§3.6)', async (t) => {
  const r = runner(runawayDump());
  t.same(await r.lines('!runaway'), [
    ' User Mode Time',
    '  Thread       Time',
    '   2:2a0       2 days 3:04:05.006',
    '   0:bfc       0 days 0:00:00.031',
    '   1:10c       0 days 0:00:00.000',
  ]);
});

t.test('!runaway 7: user, kernel and elapsed time', async (t) => {
  const r = runner(runawayDump());
  const lines = await r.lines('!runaway 7');
  t.same(lines.slice(5), [
    ' Kernel Mode Time',
    '  Thread       Time',
    '   0:bfc       0 days 0:00:00.046',
    '   2:2a0       0 days 0:00:00.001',
    '   1:10c       0 days 0:00:00.000',
    ' Elapsed Time',
    '  Thread       Time',
    '   2:2a0       1 days 0:00:00.000',
    '   0:bfc       0 days 0:27:19.817',
    '   1:10c       0 days 0:00:01.000',
  ]);
  const [res] = await r.results('!runaway 7');
  const threads = res?.data?.['threads'] as { threadId: number; userTime: bigint }[];
  t.equal(threads.find((x) => x.threadId === 0xbfc)?.userTime, 31n * MS);
});

t.test('two-digit thread numbers keep the time in column 15 (as in WinDbg transcripts)', async (t) => {
  const d = new SynthDump().arch('amd64').header({ timeDateStamp: DUMP_TIME_T });
  for (let i = 0; i < 14; i++) d.thread({ id: 0x4e10 + i, context: { rip: 1n } });
  d.threadInfo([{ threadId: 0x4e1d, userTime: 71203n * MS }, { threadId: 0x4e10, userTime: 5n * MS }]);
  t.same(await runner(d.build()).lines('!runaway'), [
    ' User Mode Time',
    '  Thread       Time',
    '   13:4e1d     0 days 0:01:11.203',
    '   0:4e10      0 days 0:00:00.005',
  ]);
});

t.test('without ThreadInfoList there are no times to show', async (t) => {
  const r = runner(new SynthDump().arch('amd64').thread({ id: 1, context: { rip: 1n } }).build());
  const [res] = await r.results('!runaway');
  t.equal(res?.failed, true);
  t.same(await r.lines('!runaway 7'), ['!runaway needs the ThreadInfoList stream (17), which this dump does not have (it was written without MiniDumpWithThreadInfo; procdump -ma and .dump /ma include it).']);
});
