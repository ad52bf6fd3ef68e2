/**
 * Line diffs for `--replay`: Myers' O((N+M)·D) shortest edit script, printed
 * as a unified diff (`---`/`+++` headers, `@@ -a,b +c,d @@` hunks, three
 * lines of context). No dependency.
 */

export type EditOp = { op: 'equal' | 'delete' | 'insert'; a: number; b: number };

/** Past this many differences the diff gives up on alignment and replaces the middle wholesale. */
const MAX_EDIT_DISTANCE = 4000;

/** The edit script turning `a` into `b`: one op per line (a/b are 0-based indexes into each side). */
export function diffLines(a: readonly string[], b: readonly string[]): EditOp[] {
  let pre = 0;
  while (pre < a.length && pre < b.length && a[pre] === b[pre]) pre++;
  let suf = 0;
  while (suf < a.length - pre && suf < b.length - pre && a[a.length - 1 - suf] === b[b.length - 1 - suf]) suf++;
  const ops: EditOp[] = [];
  for (let i = 0; i < pre; i++) ops.push({ op: 'equal', a: i, b: i });
  ops.push(...myers(a.slice(pre, a.length - suf), b.slice(pre, b.length - suf)).map((o) => ({ op: o.op, a: o.a + pre, b: o.b + pre })));
  for (let i = suf; i > 0; i--) ops.push({ op: 'equal', a: a.length - i, b: b.length - i });
  return ops;
}

function myers(a: readonly string[], b: readonly string[]): EditOp[] {
  const n = a.length;
  const m = b.length;
  const max = n + m;
  if (max === 0) return [];
  const offset = max + 1;
  let v: Int32Array = new Int32Array(2 * max + 3);
  const trace: Int32Array[] = [];
  let found = -1;
  for (let d = 0; d <= Math.min(max, MAX_EDIT_DISTANCE); d++) {
    trace.push(v.slice());
    for (let k = -d; k <= d; k += 2) {
      let x = k === -d || (k !== d && v[offset + k - 1]! < v[offset + k + 1]!) ? v[offset + k + 1]! : v[offset + k - 1]! + 1;
      let y = x - k;
      while (x < n && y < m && a[x] === b[y]) {
        x++;
        y++;
      }
      v[offset + k] = x;
      if (x >= n && y >= m) {
        found = d;
        break;
      }
    }
    if (found >= 0) break;
  }
  if (found < 0) {
    // Too different to align usefully: everything old out, everything new in.
    return [...a.map((_, i) => ({ op: 'delete' as const, a: i, b: 0 })), ...b.map((_, j) => ({ op: 'insert' as const, a: n, b: j }))];
  }
  // Walk the trace back from (n, m).
  const ops: EditOp[] = [];
  let x = n;
  let y = m;
  for (let d = found; d > 0; d--) {
    v = trace[d]!;
    const k = x - y;
    const prevK = k === -d || (k !== d && v[offset + k - 1]! < v[offset + k + 1]!) ? k + 1 : k - 1;
    const prevX = v[offset + prevK]!;
    const prevY = prevX - prevK;
    while (x > prevX && y > prevY) {
      x--;
      y--;
      ops.push({ op: 'equal', a: x, b: y });
    }
    if (x === prevX) {
      y--;
      ops.push({ op: 'insert', a: x, b: y });
    } else {
      x--;
      ops.push({ op: 'delete', a: x, b: y });
    }
  }
  while (x > 0 && y > 0) {
    x--;
    y--;
    ops.push({ op: 'equal', a: x, b: y });
  }
  return ops.reverse();
}

/** A unified diff of two texts' lines; empty when they are equal. */
export function unifiedDiff(a: readonly string[], b: readonly string[], labels: { a: string; b: string }, context = 3): string[] {
  const ops = diffLines(a, b);
  if (ops.every((o) => o.op === 'equal')) return [];
  const out = [`--- ${labels.a}`, `+++ ${labels.b}`];
  let i = 0;
  while (i < ops.length) {
    while (i < ops.length && ops[i]!.op === 'equal') i++;
    if (i >= ops.length) break;
    // Grow the hunk while changes are within 2·context lines of each other.
    let start = Math.max(0, i - context);
    let end = i;
    for (;;) {
      while (end < ops.length && ops[end]!.op !== 'equal') end++;
      let next = end;
      while (next < ops.length && ops[next]!.op === 'equal') next++;
      if (next < ops.length && next - end <= 2 * context) {
        end = next;
        continue;
      }
      end = Math.min(ops.length, end + context);
      break;
    }
    const hunk = ops.slice(start, end);
    const aLines = hunk.filter((o) => o.op !== 'insert');
    const bLines = hunk.filter((o) => o.op !== 'delete');
    const aStart = aLines.length ? aLines[0]!.a + 1 : hunk[0]!.a;
    const bStart = bLines.length ? bLines[0]!.b + 1 : hunk[0]!.b;
    out.push(`@@ -${aStart},${aLines.length} +${bStart},${bLines.length} @@`);
    for (const o of hunk) out.push(o.op === 'equal' ? ` ${a[o.a]}` : o.op === 'delete' ? `-${a[o.a]}` : `+${b[o.b]}`);
    i = end;
    start = end;
  }
  return out;
}
