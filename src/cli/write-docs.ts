import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { builtinCommands } from '../../commands/index.js';
import { updateReadme } from './docs.js';

// `npm run docs`: regenerates the README's command reference from the table.
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const file = path.join(root, 'README.md');
writeFileSync(file, updateReadme(readFileSync(file, 'utf8'), builtinCommands));
process.stdout.write(`updated ${file}\n`);
