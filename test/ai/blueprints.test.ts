// The shipped blueprint workflows (workflows/*.yaml) are valid cloudya/v1 files.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { join } from 'node:path';
import { runCli, ROOT } from '../helpers.js';

test('cloudya validate accepts every workflow under workflows/', async () => {
  const r = await runCli(['validate', join(ROOT, 'workflows')]);
  assert.is(r.code, 0, r.stdout + r.stderr);
  assert.match(r.stdout + r.stderr, /0 problems/);
});

test.run();
