import t from 'tap';
import {
  ExprError,
  formatCommandError,
  formatErrorAt,
  formatExprError,
  formatUnknownExtension,
  isExprError,
} from '../../src/interpreter/errors.js';

t.test('caret errors follow the measured rule of §0.6', async (t) => {
  // `0:000> ` is 7 characters; the caret sits under the last consumed character.
  t.same(formatCommandError('Syntax', 'r rsp+28', 5, 7), ["           ^ Syntax error in 'r rsp+28'"]);
  t.same(formatCommandError('Memory access', 'u rcx', 5, 7), ["           ^ Memory access error in 'u rcx'"]);
  t.same(formatCommandError('Illegal thread', '~99s', 1, 7), ["       ^ Illegal thread error in '~99s'"]);
  t.same(formatCommandError('Syntax', '.querypackages', 14, 7), ["                    ^ Syntax error in '.querypackages'"]);
  // Script / -c mode: no prompt on the line, the caret line is short.
  t.same(formatCommandError('Bad register', 'r $s7 = 0', 4), ["   ^ Bad register error in 'r $s7 = 0'"]);
  t.same(formatCommandError('Range', 'dd 0 L-1', 0), ["^ Range error in 'dd 0 L-1'"], 'clamped at column 0');
});

t.test("kinds printed without a caret", async (t) => {
  t.same(formatCommandError("Couldn't resolve", 'dd kernel32!CreateProcessW', 3, 7), ["Couldn't resolve error at 'kernel32!CreateProcessW'"]);
  t.same(formatCommandError('Missing', '.exr', 4, 7), ["Numeric expression missing from '<EOL>'"]);
  t.equal(formatErrorAt('Missing', 'dd', 2, 'Address expression missing'), "Address expression missing from '<EOL>'");
  t.equal(formatErrorAt('Memory access', 'dwo(0) == 1', 5), "Memory access error at ') == 1'");
  t.equal(formatErrorAt('Syntax', 'x', 99), "Syntax error at '<EOL>'");
});

t.test('formatExprError picks the style the error carries', async (t) => {
  const at = new ExprError('Operand', 3);
  t.same(formatExprError(at, '1/0 + 2', 7), ["Operand error at ' + 2'"]);
  const caret = new ExprError('Extra character', 5, 'caret');
  t.same(formatExprError(caret, '? 1 2)', 7), ["           ^ Extra character error in '? 1 2)'"]);
  t.ok(isExprError(at));
  t.notOk(isExprError(new Error('x')));
  t.equal(at.kind, 'Operand');
});

t.test('unknown extension commands', async (t) => {
  t.same(formatUnknownExtension('mimikatz'), ['mimikatz is not extension gallery command', 'No export mimikatz found']);
  t.same(formatUnknownExtension('!clrstack', true), ['No export clrstack found']);
});
