import type { CommandSpec } from './command.js';

export interface ResolvedCommand {
  spec: CommandSpec;
  token: string;
  args: string;
}

/**
 * The command table with WinDbg's token rules: `.` and `!` commands end at
 * white space; standard commands may have their arguments glued on (`dq@rsp`,
 * `kbn20`, `~3s`), so they are matched by the longest name or pattern.
 */
export class CommandRegistry {
  readonly commands: readonly CommandSpec[];
  private readonly exact = new Map<string, CommandSpec>();

  constructor(commands: readonly CommandSpec[]) {
    this.commands = commands;
    for (const c of commands) {
      for (const n of [c.name, ...(c.aliases ?? [])]) {
        if (this.exact.has(n)) throw new Error(`command table: duplicate token ${n}`);
        this.exact.set(n, c);
      }
    }
  }

  find(name: string): CommandSpec | undefined {
    return this.exact.get(name) ?? this.exact.get(name.toLowerCase());
  }

  resolve(text: string): ResolvedCommand | undefined {
    const s = text.trimStart();
    if (!s) return undefined;
    if (s[0] === '.' || s[0] === '!') {
      const m = /^[.!][^\s;]*/.exec(s);
      const token = m ? m[0] : s;
      const spec = this.find(token) ?? this.find(token.toLowerCase());
      return spec ? { spec, token, args: s.slice(token.length).trim() } : undefined;
    }
    let best: ResolvedCommand | undefined;
    for (const c of this.commands) {
      const candidates: string[] = [];
      if (c.pattern) {
        const m = c.pattern.exec(s);
        if (m && m.index === 0 && m[0].length) candidates.push(m[0]);
      }
      for (const n of [c.name, ...(c.aliases ?? [])]) {
        if (n[0] === '.' || n[0] === '!') continue;
        if (s.toLowerCase().startsWith(n.toLowerCase())) candidates.push(s.slice(0, n.length));
      }
      for (const token of candidates) {
        const next = s[token.length];
        // A plain-name token must end at a non-word character (`lm` must not swallow `lmxyz`),
        // unless the command is a symbol-like one (`?`, `~`, `|`) whose arguments follow directly.
        const isWordish = /[a-z0-9]$/i.test(token);
        if (isWordish && next !== undefined && /[a-z_]/i.test(next) && !c.pattern) continue;
        if (!best || token.length > best.token.length) best = { spec: c, token, args: s.slice(token.length).trim() };
      }
    }
    return best;
  }
}
