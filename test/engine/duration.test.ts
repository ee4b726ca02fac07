import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { CloudyaError } from '../../engine/errors.js';
import { formatDuration, parseDuration, timerRangeProblem, MAX_TIMER_MS } from '../../engine/duration.js';

test('parseDuration: units and numbers', () => {
  assert.is(parseDuration('500ms'), 500);
  assert.is(parseDuration('30s'), 30_000);
  assert.is(parseDuration('1.5m'), 90_000);
  assert.is(parseDuration('2h'), 7_200_000);
  assert.is(parseDuration('1h30m'), 5_400_000);
  assert.is(parseDuration(' 10s '), 10_000);
  assert.is(parseDuration('0s'), 0);
  assert.is(parseDuration(250), 250);
  assert.is(parseDuration(0), 0);
  assert.is(parseDuration(1.6), 2);
});

test('parseDuration: days', () => {
  assert.is(parseDuration('1d'), 86_400_000);
  assert.is(parseDuration('1d12h'), 129_600_000);
  assert.is(parseDuration('0.5d'), 43_200_000);
});

test('timerRangeProblem: timeouts take 1ms to 2^31-1 ms, delays 0 to 2^31-1 ms', () => {
  assert.is(MAX_TIMER_MS, 2_147_483_647);
  assert.is(timerRangeProblem(1, 'timeout'), undefined);
  assert.is(timerRangeProblem(parseDuration('24d'), 'timeout'), undefined);
  assert.is(timerRangeProblem(MAX_TIMER_MS, 'timeout'), undefined);
  for (const bad of [0, MAX_TIMER_MS + 1, parseDuration('25d'), parseDuration('99999h'), 1e20, Infinity, NaN]) {
    assert.is(timerRangeProblem(bad, 'timeout'), 'must be between 1ms and 24d', String(bad));
  }
  assert.is(timerRangeProblem(0, 'delay'), undefined);
  assert.is(timerRangeProblem(MAX_TIMER_MS, 'delay'), undefined);
  assert.is(timerRangeProblem(MAX_TIMER_MS + 1, 'delay'), 'must be at most 24d');
});

test('parseDuration: anything else is E_SCHEMA with examples', () => {
  for (const bad of ['', '10', '10 seconds', '5w', '1y', '-1s', 'm', '1.s', 'abc', -5, NaN, Infinity] as const) {
    try {
      parseDuration(bad);
      assert.unreachable(`accepted ${String(bad)}`);
    } catch (err) {
      assert.instance(err, CloudyaError);
      assert.is((err as CloudyaError).code, 'E_SCHEMA');
      assert.match((err as CloudyaError).hint ?? '', "'30s'");
    }
  }
});

test('formatDuration', () => {
  assert.is(formatDuration(0), '0ms');
  assert.is(formatDuration(120), '120ms');
  assert.is(formatDuration(999), '999ms');
  assert.is(formatDuration(1000), '1.0s');
  assert.is(formatDuration(4200), '4.2s');
  assert.is(formatDuration(59_940), '59.9s');
  assert.is(formatDuration(59_960), '1m 00s');
  assert.is(formatDuration(185_000), '3m 05s');
  assert.is(formatDuration(3_599_400), '59m 59s');
  assert.is(formatDuration(3_720_000), '1h 02m');
  assert.is(formatDuration(26 * 3_600_000), '26h 00m');
  assert.is(formatDuration(-5), '0ms');
});

test.run();
