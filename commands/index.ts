/**
 * The command table: one entry per command. `.help`, completion and the
 * README's command reference are generated from it.
 */
import type { CommandSpec } from '../src/interpreter/command.js';
import { dotClsCommand, dotEchoCommand, qCommand } from './meta/echo.js';
import { dotCxrCommand, dotEcxrCommand, dotExrCommand } from './meta/exr.js';
import { makeHelpCommand } from './meta/help.js';
import { lmCommand } from './standard/lm.js';
import { dotLasteventCommand, dotTimeCommand, pipeCommand, systemsCommand, vertargetCommand } from './standard/process.js';
import { rCommand } from './standard/r.js';
import { kCommand } from './standard/k.js';
import { bangSymCommand, dotExepathCommand, dotKframesCommand, dotReloadCommand, dotSymfixCommand, dotSympathCommand } from './meta/sympath.js';
import { tildeCommand } from './standard/threads.js';
import { dotDumpdebugCommand, dotOpendumpCommand, dotWerCommand } from './meta/dump.js';
import { dCommand } from './standard/d.js';
import { dotFormatsCommand, evaluateCommand } from './standard/evaluate.js';
import { addressCommand } from './extensions/address.js';
import { analyzeCommand } from './extensions/analyze.js';
import { locksCommand } from './extensions/locks.js';
import { errorCommand, gleCommand } from './extensions/error.js';
import { handleCommand } from './extensions/handle.js';
import { pebCommand } from './extensions/peb.js';
import { runawayCommand } from './extensions/runaway.js';
import { tebCommand } from './extensions/teb.js';

import { uCommand, ubCommand, ufCommand } from './standard/u.js';
import { lnCommand } from './standard/ln.js';
import { xCommand } from './standard/x.js';
import { dotFrameCommand } from './meta/frame.js';
import { dvCommand } from './standard/dv.js';
import { dtCommand } from './standard/dt.js';
import { cppEvalCommand } from './standard/cpp-eval.js';
import { dotLogappendCommand, dotLogcloseCommand, dotLogfileCommand, dotLogopenCommand } from './meta/log.js';
import { runScript2Command, runScriptArgsCommand, runScriptBlock2Command, runScriptBlockCommand, runScriptCommand } from './meta/script.js';
import { dotRecordCommand } from './meta/record.js';
import { dotExplainCommand } from './meta/explain.js';
import { dotAnswerCommand, dotHintCommand, dotLessonCommand } from './meta/lesson.js';
import { lmiCommand } from './extensions/lmi.js';
import { uniqstackCommand } from './extensions/uniqstack.js';

const table: CommandSpec[] = [];

export const builtinCommands: readonly CommandSpec[] = table;

table.push(
  pipeCommand,
  systemsCommand,
  vertargetCommand,
  dotTimeCommand,
  dotLasteventCommand,
  tildeCommand,
  lmCommand,
  dotExrCommand,
  dotEcxrCommand,
  dotCxrCommand,
  rCommand,
  kCommand,
  dotDumpdebugCommand,
  dotOpendumpCommand,
  dotWerCommand,
  dotSympathCommand,
  dotExepathCommand,
  dotSymfixCommand,
  dotReloadCommand,
  bangSymCommand,
  dotKframesCommand,
  dotEchoCommand,
  dotClsCommand,
  qCommand,
  makeHelpCommand(() => builtinCommands),
);

// Memory display, expressions and process-state extensions.
table.push(dCommand, evaluateCommand, dotFormatsCommand, tebCommand, pebCommand, errorCommand, gleCommand, handleCommand, addressCommand, runawayCommand);

// Disassembly and symbols.
table.push(uCommand, ubCommand, ufCommand, lnCommand, xCommand, dotFrameCommand, lmiCommand, uniqstackCommand);

// Crash and hang analysis.
table.push(analyzeCommand, locksCommand);

// Scripts, logs, transcripts and teaching mode.
table.push(runScriptCommand, runScriptBlockCommand, runScript2Command, runScriptBlock2Command, runScriptArgsCommand, dotLogopenCommand, dotLogappendCommand, dotLogcloseCommand, dotLogfileCommand, dotRecordCommand, dotExplainCommand, dotLessonCommand, dotHintCommand, dotAnswerCommand);

// Types, parameters and locals from private PDBs.
table.push(dvCommand, dtCommand, cppEvalCommand);
