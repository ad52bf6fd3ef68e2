import type { CommandSpec } from '../interpreter/command.js';

export const REFERENCE_BEGIN = '<!-- BEGIN COMMAND REFERENCE (generated from commands/index.ts by `npm run docs`; do not edit) -->';
export const REFERENCE_END = '<!-- END COMMAND REFERENCE -->';

const GROUPS: [CommandSpec['group'], string][] = [
  ['standard', 'Standard commands'],
  ['meta', 'Meta-commands'],
  ['extension', 'Extension commands'],
];

/** An inline code span; text holding a backtick (x64 addresses) needs a double-backtick span. */
function code(s: string): string {
  return s.includes('`') ? `\`\` ${s} \`\`` : `\`${s}\``;
}

/** The README's command reference, generated from the command table. */
export function commandReferenceMarkdown(commands: readonly CommandSpec[]): string {
  const out: string[] = [REFERENCE_BEGIN, ''];
  for (const [group, title] of GROUPS) {
    const list = commands.filter((c) => c.group === group).sort((a, b) => a.name.localeCompare(b.name));
    if (!list.length) continue;
    out.push(`### ${title}`, '');
    for (const c of list) {
      const names = [c.name, ...(c.aliases ?? [])].map(code).join(', ');
      out.push(`- ${names}: ${c.summary}.`);
      out.push(`  Syntax: ${code(c.syntax)}`);
      if (c.examples?.length) out.push(`  Examples: ${c.examples.map(code).join(', ')}`);
    }
    out.push('');
  }
  out.push(REFERENCE_END);
  return out.join('\n');
}

/** Replaces the generated section of a README text. */
export function updateReadme(readme: string, commands: readonly CommandSpec[]): string {
  const a = readme.indexOf(REFERENCE_BEGIN);
  const b = readme.indexOf(REFERENCE_END);
  const section = commandReferenceMarkdown(commands);
  if (a < 0 || b < 0) return `${readme.trimEnd()}\n\n${section}\n`;
  return readme.slice(0, a) + section + readme.slice(b + REFERENCE_END.length);
}
