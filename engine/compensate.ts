// Rollback: compensate succeeded main steps in reverse completion order.
// A step's `rollback:` block wins over its type's own rollback; `rollback: false`
// opts out. The first failed compensation stops the rollback (undoing what an
// un-undone step depends on could do harm) and the run ends `rollback_failed`.
import { CloudyaError, toCloudyaError } from './errors.js';
import { render } from './expressions.js';
import { parseDuration } from './duration.js';
import { loadStep } from '../steps/index.js';
import { createStepContext } from './step-context.js';
import { errorInfo, exprContext, runState, send, type RunContext } from './run-context.js';
import type { StepSpec } from './types.js';

export interface RollbackResult {
  failed: boolean;
  /** Steps whose changes are still in place (the failed one first). */
  left: string[];
  error?: CloudyaError;
}

/** The steps a rollback would undo, most recent first. */
export function compensationOrder(rc: RunContext): string[] {
  const state = runState(rc);
  return Object.entries(state.steps)
    .filter(([id, s]) => s.phase === 'main' && ['succeeded', 'compensating', 'compensation_failed'].includes(s.status) && hasCompensation(rc, rc.specs.get(id)))
    .sort(([, a], [, b]) => (b.completedSeq ?? 0) - (a.completedSeq ?? 0))
    .map(([id]) => id);
}

function hasCompensation(rc: RunContext, spec: StepSpec | undefined): boolean {
  if (!spec || spec.rollback === false) return false;
  return spec.rollback !== undefined || rc.rollbackCapable.has(spec.type);
}

async function withTimeout<T>(rc: RunContext, stepId: string, timeout: string | number | undefined, fn: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const ctl = new AbortController();
  const onRun = () => ctl.abort(rc.signal.reason);
  rc.signal.addEventListener('abort', onRun, { once: true });
  const ms = timeout === undefined ? undefined : parseDuration(timeout);
  const timer = ms === undefined ? undefined : setTimeout(() => ctl.abort(new CloudyaError('E_TIMEOUT', `compensation of '${stepId}' timed out after ${ms} ms`)), ms);
  try {
    const out = await fn(ctl.signal);
    if (ctl.signal.aborted) throw toCloudyaError(ctl.signal.reason, 'E_TIMEOUT');
    return out;
  } finally {
    if (timer) clearTimeout(timer);
    rc.signal.removeEventListener('abort', onRun);
  }
}

async function compensateStep(rc: RunContext, spec: StepSpec): Promise<void> {
  const rec = runState(rc).steps[spec.id]!;
  const outputs = rc.outputs.get(spec.id) ?? rec.outputs ?? {};
  const ctx = exprContext(rc, { outputs });
  const timeout = spec.rollback ? spec.rollback.timeout : (spec.timeout ?? rc.workflow.defaults?.timeout);
  await withTimeout(rc, spec.id, timeout, async (signal) => {
    const stepCtx = createStepContext(rc, spec.id, 1, signal);
    rc.flush();
    if (spec.rollback) {
      const def = await loadStep(spec.rollback.type);
      await def.run(stepCtx, render(spec.rollback.with ?? {}, ctx));
    } else {
      const def = await loadStep(spec.type);
      // Input is rendered again from the frozen workflow: secrets are never persisted.
      await def.rollback!(stepCtx, render(spec.with ?? {}, ctx), outputs);
    }
  });
}

export async function compensateRun(rc: RunContext): Promise<RollbackResult> {
  const order = compensationOrder(rc);
  for (let i = 0; i < order.length; i++) {
    const id = order[i]!;
    const started = performance.now();
    send(rc, { type: 'COMP_STARTED', stepId: id, at: new Date().toISOString() });
    rc.emit({ type: 'compensation.started', stepId: id });
    try {
      await compensateStep(rc, rc.specs.get(id)!);
      send(rc, { type: 'COMP_SUCCEEDED', stepId: id, at: new Date().toISOString() });
      rc.emit({ type: 'compensation.succeeded', stepId: id, durationMs: Math.round(performance.now() - started) });
    } catch (thrown) {
      const err = toCloudyaError(thrown);
      const info = errorInfo(err, rc.mask);
      send(rc, { type: 'COMP_FAILED', stepId: id, at: new Date().toISOString(), error: info });
      rc.emit({ type: 'compensation.failed', stepId: id, error: info });
      rc.log.log('error', id, `compensation failed: ${info.message}`, { code: info.code });
      return { failed: true, left: order.slice(i), error: err };
    }
  }
  return { failed: false, left: [] };
}
