// The README's error table must list every public error code with its real
// exit code and retry behaviour (codes are a public, stable interface).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ERROR_CODES } from '../../engine/errors.js';
import { ROOT } from '../helpers.js';

const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
const rows = new Map<string, { exit: number; retryable: string; summary: string }>();
for (const m of readme.matchAll(/^\| `(E_[A-Z_]+)` \| (\d+) \| (yes|no) \| (.+) \|$/gm)) rows.set(m[1]!, { exit: Number(m[2]), retryable: m[3]!, summary: m[4]! });

test('every error code is in the README table with its exit code and retry flag', () => {
  const missing = Object.keys(ERROR_CODES).filter((c) => !rows.has(c));
  assert.equal(missing, [], `README lacks rows for ${missing.join(', ')}`);
  for (const [code, info] of Object.entries(ERROR_CODES)) {
    const row = rows.get(code)!;
    assert.is(row.exit, info.exit, `${code} exit`);
    assert.is(row.retryable, info.retryable ? 'yes' : 'no', `${code} retryable`);
    assert.is(row.summary, info.summary, `${code} summary`);
  }
});

test('the README lists no code that does not exist', () => {
  const extra = [...rows.keys()].filter((c) => !Object.hasOwn(ERROR_CODES, c));
  assert.equal(extra, []);
});

test.run();
