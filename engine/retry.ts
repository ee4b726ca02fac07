// Retry policies: merging a step's policy over the workflow defaults, the delay
// before each new attempt, and an abortable sleep.
import { CloudyaError } from './errors.js';
import { parseDuration } from './duration.js';
import { BACKOFFS, type Backoff, type RetryPolicy } from './types.js';

export interface ResolvedRetry {
  /** Total attempts including the first. */
  attempts: number;
  backoff: Backoff;
  delayMs: number;
  maxDelayMs: number;
  /** Fraction of each delay that may be randomised away, 0..1. */
  jitter: number;
}

const BASE: ResolvedRetry = { attempts: 1, backoff: 'exponential', delayMs: 1000, maxDelayMs: 300_000, jitter: 0 };

function bad(message: string, hint: string): CloudyaError {
  return new CloudyaError('E_SCHEMA', message, { hint });
}

function normalise(p: RetryPolicy | number | undefined, where: string): Partial<ResolvedRetry> {
  if (p === undefined) return {};
  const policy: Partial<RetryPolicy> = typeof p === 'number' ? { attempts: p } : p;
  const out: Partial<ResolvedRetry> = {};
  if (policy.attempts !== undefined) {
    if (!Number.isInteger(policy.attempts) || policy.attempts < 1) throw bad(`${where}.attempts must be a whole number ≥ 1, got ${JSON.stringify(policy.attempts)}`, 'attempts counts the first try too: 3 = one try and two retries');
    out.attempts = policy.attempts;
  }
  if (policy.backoff !== undefined) {
    if (!BACKOFFS.includes(policy.backoff)) throw bad(`${where}.backoff must be one of ${BACKOFFS.join(', ')}, got ${JSON.stringify(policy.backoff)}`, 'exponential doubles the delay after each failure');
    out.backoff = policy.backoff;
  }
  if (policy.delay !== undefined) out.delayMs = parseDuration(policy.delay);
  if (policy.maxDelay !== undefined) out.maxDelayMs = parseDuration(policy.maxDelay);
  if (policy.jitter !== undefined) {
    const j = policy.jitter === true ? 0.5 : policy.jitter === false ? 0 : policy.jitter;
    if (typeof j !== 'number' || !(j >= 0 && j <= 1)) throw bad(`${where}.jitter must be true, false or a number from 0 to 1, got ${JSON.stringify(policy.jitter)}`, 'true randomises away up to half of each delay');
    out.jitter = j;
  }
  return out;
}

/** A number n means {attempts: n}; the step's fields override the defaults' field by field. */
export function resolveRetry(step?: RetryPolicy | number, defaults?: RetryPolicy | number): ResolvedRetry {
  return { ...BASE, ...normalise(defaults, 'defaults.retry'), ...normalise(step, 'retry') };
}

/** Milliseconds to wait after attempt `failedAttempt` (1-based) failed. */
export function backoffDelay(p: ResolvedRetry, failedAttempt: number, random: () => number = Math.random): number {
  const n = Math.max(1, Math.floor(failedAttempt));
  const grow = p.backoff === 'constant' ? 1 : p.backoff === 'linear' ? n : 2 ** (n - 1);
  const d = p.delayMs === 0 ? 0 : Math.min(p.maxDelayMs, p.delayMs * grow);
  return Math.max(0, Math.round(d - d * p.jitter * random()));
}

/** Waits `ms`; rejects with `signal.reason` when the signal aborts (at once if it already has). */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal!.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
