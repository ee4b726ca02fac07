// Durations in workflows: '500ms', '30s', '1.5m', '2h' (or '1h30m'), or a number of milliseconds.
import { CloudyaError } from './errors.js';
import type { Duration } from './types.js';

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
const WHOLE = /^(?:\d+(?:\.\d+)?(?:ms|s|m|h))+$/;
const PART = /(\d+(?:\.\d+)?)(ms|s|m|h)/g;

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
    hint: "use a number of milliseconds or a string with a unit: '500ms', '30s', '1.5m', '2h', '1h30m'",
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
