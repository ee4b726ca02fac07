import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { CloudyaError } from '../../engine/errors.js';
import { backoffDelay, resolveRetry, sleep, type ResolvedRetry } from '../../engine/retry.js';

const seq = (p: ResolvedRetry, n: number, random?: () => number) => Array.from({ length: n }, (_, i) => backoffDelay(p, i + 1, random));

test('resolveRetry: base policy', () => {
  assert.equal(resolveRetry(), { attempts: 1, backoff: 'exponential', delayMs: 1000, maxDelayMs: 300_000, jitter: 0 });
});

test('resolveRetry: a number means attempts; step fields override defaults field by field', () => {
  assert.equal(resolveRetry(4), { attempts: 4, backoff: 'exponential', delayMs: 1000, maxDelayMs: 300_000, jitter: 0 });
  const defaults = { attempts: 3, backoff: 'exponential', delay: '2s', maxDelay: '1m', jitter: true } as const;
  assert.equal(resolveRetry(undefined, defaults), { attempts: 3, backoff: 'exponential', delayMs: 2000, maxDelayMs: 60_000, jitter: 0.5 });
  assert.equal(resolveRetry(5, defaults), { attempts: 5, backoff: 'exponential', delayMs: 2000, maxDelayMs: 60_000, jitter: 0.5 });
  assert.equal(resolveRetry({ attempts: 30, delay: '10s', backoff: 'constant' }, defaults), { attempts: 30, backoff: 'constant', delayMs: 10_000, maxDelayMs: 60_000, jitter: 0.5 });
  assert.equal(resolveRetry({ attempts: 2, jitter: false }, 7), { attempts: 2, backoff: 'exponential', delayMs: 1000, maxDelayMs: 300_000, jitter: 0 });
  assert.equal(resolveRetry({ attempts: 2, jitter: 0.2, delay: 250 }), { attempts: 2, backoff: 'exponential', delayMs: 250, maxDelayMs: 300_000, jitter: 0.2 });
});

test('resolveRetry: invalid policies are E_SCHEMA', () => {
  for (const bad of [0, 1.5, { attempts: -1 }, { attempts: 2, backoff: 'fibonacci' }, { attempts: 2, jitter: 2 }, { attempts: 2, delay: 'soon' }] as const) {
    try {
      resolveRetry(bad as never);
      assert.unreachable(JSON.stringify(bad));
    } catch (err) {
      assert.instance(err, CloudyaError);
      assert.is((err as CloudyaError).code, 'E_SCHEMA');
    }
  }
});

test('backoffDelay: exact sequences per backoff', () => {
  const base = { attempts: 10, delayMs: 1000, maxDelayMs: 300_000, jitter: 0 };
  assert.equal(seq({ ...base, backoff: 'constant' }, 5), [1000, 1000, 1000, 1000, 1000]);
  assert.equal(seq({ ...base, backoff: 'linear' }, 5), [1000, 2000, 3000, 4000, 5000]);
  assert.equal(seq({ ...base, backoff: 'exponential' }, 6), [1000, 2000, 4000, 8000, 16000, 32000]);
});

test('backoffDelay: capped at maxDelay', () => {
  const p: ResolvedRetry = { attempts: 10, backoff: 'exponential', delayMs: 2000, maxDelayMs: 10_000, jitter: 0 };
  assert.equal(seq(p, 6), [2000, 4000, 8000, 10_000, 10_000, 10_000]);
  assert.is(backoffDelay(p, 5000), 10_000, 'huge attempt numbers do not overflow');
  assert.is(backoffDelay({ ...p, delayMs: 0 }, 5000), 0);
  assert.equal(seq({ ...p, backoff: 'linear', delayMs: 4000 }, 4), [4000, 8000, 10_000, 10_000]);
});

test('backoffDelay: jitter removes up to that fraction, with a fixed random', () => {
  const p: ResolvedRetry = { attempts: 10, backoff: 'exponential', delayMs: 1000, maxDelayMs: 5000, jitter: 0.5 };
  assert.equal(seq(p, 4, () => 0), [1000, 2000, 4000, 5000]);
  assert.equal(seq(p, 4, () => 0.5), [750, 1500, 3000, 3750]);
  assert.equal(seq(p, 4, () => 0.999), [501, 1001, 2002, 2503]);
  assert.equal(seq({ ...p, jitter: 1 }, 3, () => 0.25), [750, 1500, 3000]);
  for (let i = 0; i < 200; i++) {
    const d = backoffDelay(p, 3);
    assert.ok(d >= 2000 && d <= 4000 && Number.isInteger(d), String(d));
  }
});

test('sleep waits, and rejects with the reason when aborted', async () => {
  const t0 = Date.now();
  await sleep(30);
  assert.ok(Date.now() - t0 >= 25);

  const ctl = new AbortController();
  const reason = new Error('stop');
  setTimeout(() => ctl.abort(reason), 10);
  const t1 = Date.now();
  try {
    await sleep(10_000, ctl.signal);
    assert.unreachable('sleep was not aborted');
  } catch (err) {
    assert.is(err, reason);
  }
  assert.ok(Date.now() - t1 < 9000, 'the aborted sleep ran its full 10 s');

  const done = new AbortController();
  done.abort('already');
  try {
    await sleep(10_000, done.signal);
    assert.unreachable('sleep ignored an aborted signal');
  } catch (err) {
    assert.is(err, 'already');
  }
});

test('sleep clears its timer and listener (the process can exit)', async () => {
  const ctl = new AbortController();
  const p = sleep(60_000, ctl.signal).catch(() => 'aborted');
  ctl.abort();
  assert.is(await p, 'aborted');
  // if the 60 s timer were left armed, this file would not end promptly
  const ok = new AbortController();
  await sleep(1, ok.signal);
});

test.run();
