import assert from 'node:assert/strict';
import { normaliseErrorType } from '../../../src/ingest/errorTypes';

describe('error type normalisation (FORMATS B11)', () => {
  it('keeps short codes and exception class names', () => {
    assert.equal(normaliseErrorType('timeout'), 'timeout');
    assert.equal(normaliseErrorType('ValueError'), 'ValueError');
    assert.equal(normaliseErrorType('lint-failed'), 'lint-failed');
    assert.equal(normaliseErrorType('  ValueError  '), 'ValueError');
  });

  it('reduces exception messages to their class', () => {
    assert.equal(normaliseErrorType("ValueError: invalid literal for int() with base 10: 'x'"), 'ValueError');
    assert.equal(normaliseErrorType('builtins.TimeoutError: command exceeded 300s'), 'TimeoutError');
    assert.equal(normaliseErrorType('subprocess.CalledProcessError: Command returned non-zero exit status 1'), 'CalledProcessError');
    assert.equal(normaliseErrorType('FileNotFoundError: [Errno 2] No such file or directory: /tmp/x'), 'FileNotFoundError');
    assert.equal(normaliseErrorType('KeyError\nTraceback (most recent call last): ...'), 'KeyError');
  });

  it('masks paths, numbers and quoted values in free text so messages group', () => {
    const a = normaliseErrorType('Could not read /home/alice/project/src/a.py after 3 tries');
    const b = normaliseErrorType('Could not read /home/bob/other/src/b.py after 5 tries');
    assert.equal(a, 'Could not read <path> after <n> tries');
    assert.equal(a, b);
    assert.equal(normaliseErrorType('agent "fixer" gave up: budget exhausted'), 'agent <value> gave up');
  });

  it('treats empty as no error and caps length', () => {
    assert.equal(normaliseErrorType(''), null);
    assert.equal(normaliseErrorType('   '), null);
    assert.equal(normaliseErrorType(null), null);
    const long = normaliseErrorType(`The ${'very '.repeat(40)}long failure`)!;
    assert.equal(long.length, 80);
    assert.ok(long.endsWith('…'));
  });
});
