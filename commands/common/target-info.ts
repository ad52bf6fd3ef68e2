import type { MinidumpSystemInfo } from '../../src/formats/minidump/types.js';
import type { Target } from '../../src/session/target.js';

/** `User Mini Dump File with Full Memory` vs plain mini dump, from MINIDUMP_TYPE (0x2 = MiniDumpWithFullMemory). */
export function isFullMemory(t: Target): boolean {
  return (t.dump.header.flags & 2n) !== 0n || t.dump.directory.some((d) => d.streamType === 9);
}

export function dumpKindLine(t: Target): string {
  return isFullMemory(t) ? 'User Mini Dump File with Full Memory: Only application data is available' : 'User Mini Dump File: Only registers, stack and portions of memory are available';
}

/** The `||` kind words. */
export function dumpKindShort(t: Target): string {
  return isFullMemory(t) ? 'Full memory user mini dump' : 'User mini dump';
}

function windowsName(si: MinidumpSystemInfo): string {
  const { majorVersion: maj, minorVersion: min, productType } = si;
  const server = productType !== 1;
  if (maj === 10) return server ? 'Windows 10' : 'Windows 10';
  if (maj === 6) return ['Windows Vista', 'Windows 7', 'Windows 8', 'Windows 8.1'][min] ?? `Windows ${maj}.${min}`;
  if (maj === 5) return min === 0 ? 'Windows 2000' : min === 1 ? 'Windows XP' : 'Windows Server 2003';
  return `Windows ${maj}.${min}`;
}

function archWords(t: Target): string {
  switch (t.dump.arch) {
    case 'x86':
      return 'x86 compatible';
    case 'amd64':
      return 'x64';
    case 'arm64':
      return 'ARM 64-bit (AArch64)';
    case 'arm':
      return 'ARM';
    default:
      return 'unknown';
  }
}

/** Platform ids for non-Windows writers (Breakpad/Crashpad) from unwind-symbols.md A.9. */
const PLATFORMS: Record<number, string> = { 0x8000: 'Unix', 0x8101: 'macOS', 0x8102: 'iOS', 0x8201: 'Linux', 0x8202: 'Solaris', 0x8203: 'Android', 0x8205: 'NaCl', 0x8206: 'Fuchsia' };

/** `Windows 10 Version 19041 MP (4 procs) Free x64` */
export function osLine(t: Target): string {
  const si = t.dump.systemInfo;
  if (!si) return 'Target OS: unknown (the dump has no SystemInfo stream)';
  const other = PLATFORMS[si.platformId];
  const mp = si.numberOfProcessors > 1 ? 'MP' : 'UP';
  const csd = si.csdVersion && si.platformId === 2 && si.majorVersion < 10 ? ` (${si.csdVersion})` : '';
  if (other) return `${other} ${si.majorVersion}.${si.minorVersion}.${si.buildNumber} ${mp} (${si.numberOfProcessors} procs) ${archWords(t)} (not a Windows dump)`;
  return `${windowsName(si)} Version ${si.buildNumber}${csd} ${mp} (${si.numberOfProcessors} procs) Free ${archWords(t)}`;
}

const SUITES: [number, string][] = [
  [0x0010, 'TerminalServer'],
  [0x0100, 'SingleUserTS'],
  [0x0200, 'Personal'],
  [0x0002, 'Enterprise'],
  [0x0080, 'DataCenter'],
  [0x0400, 'Blade'],
  [0x0001, 'SmallBusiness'],
  [0x2000, 'StorageServer'],
  [0x4000, 'ComputeServer'],
  [0x8000, 'WHServer'],
];

/** `Product: WinNt, suite: SingleUserTS` */
export function productLine(t: Target): string | undefined {
  const si = t.dump.systemInfo;
  if (!si || si.platformId !== 2) return undefined;
  const product = si.productType === 1 ? 'WinNt' : si.productType === 2 ? 'LanManNt' : si.productType === 3 ? 'Server' : `ProductType ${si.productType}`;
  const suites = SUITES.filter(([bit]) => si.suiteMask & bit).map(([, n]) => n);
  return `Product: ${product}, suite: ${suites.join(' ')}`;
}

export function buildLabLine(t: Target): string | undefined {
  const b = t.dump.miscInfo()?.buildString;
  return b ? `Edition build lab: ${b}` : undefined;
}

const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/**
 * `Fri Nov  7 14:58:41.000 2025 (UTC - 6:00)`: the dump's time in the dump's own
 * time zone (MiscInfo TIME_ZONE_INFORMATION bias; UTC when the dump lacks it), so
 * output does not depend on the machine reading the dump.
 */
export function formatDumpTime(unixSeconds: number, biasMinutes: number | undefined): string {
  const bias = biasMinutes ?? 0;
  const d = new Date((unixSeconds - bias * 60) * 1000);
  const offset = -bias;
  const sign = offset < 0 ? '-' : '+';
  const abs = Math.abs(offset);
  const tz = `(UTC ${sign} ${Math.floor(abs / 60)}:${String(abs % 60).padStart(2, '0')})`;
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${DAYS[d.getUTCDay()]} ${MONTHS[d.getUTCMonth()]} ${String(d.getUTCDate()).padStart(2, ' ')} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}.000 ${d.getUTCFullYear()} ${tz}`;
}

/** `0 days 0:12:16.000` */
export function formatDuration(ms: number): string {
  const total = Math.max(0, Math.floor(ms));
  const days = Math.floor(total / 86400000);
  const h = Math.floor((total % 86400000) / 3600000);
  const m = Math.floor((total % 3600000) / 60000);
  const s = Math.floor((total % 60000) / 1000);
  const frac = total % 1000;
  return `${days} days ${h}:${String(m).padStart(2, '0')}:${String(s).padStart(2, '0')}.${String(frac).padStart(3, '0')}`;
}

/** The `.time` / banner block: session time, uptimes, process times. */
export function timeLines(t: Target): string[] {
  const misc = t.dump.miscInfo();
  const lines = [`Debug session time: ${formatDumpTime(t.dump.header.timeDateStamp, misc?.timeZone?.bias)}`, 'System Uptime: not available'];
  if (misc?.processCreateTime !== undefined && misc.processCreateTime > 0) {
    lines.push(`Process Uptime: ${formatDuration((t.dump.header.timeDateStamp - misc.processCreateTime) * 1000)}`);
    if (misc.processKernelTime !== undefined) lines.push(`  Kernel time: ${formatDuration(misc.processKernelTime * 1000)}`);
    if (misc.processUserTime !== undefined) lines.push(`  User time: ${formatDuration(misc.processUserTime * 1000)}`);
  } else {
    lines.push('Process Uptime: not available');
  }
  return lines;
}

/** The OS/time block `vertarget` and the open banner share. */
export function vertargetLines(t: Target): string[] {
  const out = [osLine(t)];
  const p = productLine(t);
  if (p) out.push(p);
  const b = buildLabLine(t);
  if (b) out.push(b);
  return out;
}
