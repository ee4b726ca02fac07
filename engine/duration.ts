// Durations in workflows: '500ms', '30s', '1.5m', '2h', '1d' (or '1h30m'), or a number of milliseconds.
import { CloudyaError } from './errors.js';
import type { Duration } from './types.js';

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };
const WHOLE = /^(?:\d+(?:\.\d+)?(?:ms|s|m|h|d))+$/;
const PART = /(\d+(?:\.\d+)?)(ms|s|m|h|d)/g;

/**
 * The longest wait a timer can hold: Node's setTimeout takes at most 2^31−1 ms (about
 * 24.8 days) and fires at once for anything longer. Timeouts and retry delays above it
 * are refused by validation.
 */
export const MAX_TIMER_MS = 2 ** 31 - 1;
/** How the limits are shown in messages (24d is the largest whole number of days below MAX_TIMER_MS). */
export const MAX_TIMER_TEXT = '24d';

/**
 * Why `ms` cannot be used as a timer (`'timeout'`: 1 ms to MAX_TIMER_MS; `'delay'`: 0 to
 * MAX_TIMER_MS), or undefined when it can.
 */
export function timerRangeProblem(ms: number, kind: 'timeout' | 'delay'): string | undefined {
  if (kind === 'timeout' && !(ms >= 1 && ms <= MAX_TIMER_MS)) return `must be between 1ms and ${MAX_TIMER_TEXT}`;
  if (kind === 'delay' && !(ms >= 0 && ms <= MAX_TIMER_MS)) return `must be at most ${MAX_TIMER_TEXT}`;
  return undefined;
}

/** Milliseconds (rounded). Throws E_SCHEMA for anything that is not a duration. */
export function parseDuration(d: Duration): number {
  if (typeof d === 'number') {
    if (Number.isFinite(d) && d >= 0) return Math.round(d);
  } else if (typeof d === 'string') {
    const s = d.trim().replace(/\s+/g, '');
    if (WHOLE.test(s)) {
      let ms = 0;
      for (const [, n, unit] of s.matchAll(PART)) ms += Number(n) * UNIT_MS[unit!]!;
      return Math.round(ms);
    }
  }
  throw new CloudyaError('E_SCHEMA', `invalid duration ${JSON.stringify(d)}`, {
    hint: "use a number of milliseconds or a string with a unit: '500ms', '30s', '1.5m', '2h', '1h30m', '1d'",
  });
}

/** '120ms', '4.2s', '3m 05s', '1h 02m'. */
export function formatDuration(ms: number): string {
  const t = Math.max(0, Number.isFinite(ms) ? ms : 0);
  if (Math.round(t) < 1000) return `${Math.round(t)}ms`;
  const tenths = Math.round(t / 100);
  if (tenths < 600) return `${(tenths / 10).toFixed(1)}s`;
  const secs = Math.round(t / 1000);
  if (secs < 3600) return `${Math.floor(secs / 60)}m ${String(secs % 60).padStart(2, '0')}s`;
  const mins = Math.round(t / 60_000);
  return `${Math.floor(mins / 60)}h ${String(mins % 60).padStart(2, '0')}m`;
}
