import assert from 'node:assert/strict';
import { isBulwarkError, type BulwarkError, type ErrorCode } from '../../src/core/errors.js';

// Tests assert what failed (the code) and on what (the input), not the wording of the reason.

function check(e: unknown, code: ErrorCode, input: string | RegExp | undefined): BulwarkError {
  assert.ok(
    isBulwarkError(e),
    `expected a BulwarkError ${code}, got ${e instanceof Error ? `${e.name}: ${e.message}` : String(e)}`,
  );
  assert.equal(e.code, code, `code of "${e.message}"`);
  if (typeof input === 'string') assert.equal(e.input, input, `input of "${e.message}"`);
  else if (input) assert.match(e.input, input, `input of "${e.message}"`);
  return e;
}

/** Runs fn, which must throw a BulwarkError with this code (and input, when given); returns it. */
export function throwsCode(fn: () => unknown, code: ErrorCode, input?: string | RegExp): BulwarkError {
  try {
    fn();
  } catch (e) {
    return check(e, code, input);
  }
  assert.fail(`expected a BulwarkError ${code}, nothing was thrown`);
}

/** Awaits p, which must reject with a BulwarkError with this code (and input, when given); returns it. */
export async function rejectsCode(
  p: Promise<unknown> | (() => Promise<unknown>),
  code: ErrorCode,
  input?: string | RegExp,
): Promise<BulwarkError> {
  try {
    await (typeof p === 'function' ? p() : p);
  } catch (e) {
    return check(e, code, input);
  }
  assert.fail(`expected a BulwarkError ${code}, the promise resolved`);
}
