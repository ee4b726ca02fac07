// Runs one step to an end: `when`, input rendering, attempts with backoff,
// a per-step timeout that aborts the step (and its child processes), outputs.
import { CloudyaError, toCloudyaError } from './errors.js';
import { render, renderString, isTruthy } from './expressions.js';
import { resolveRetry, backoffDelay, sleep } from './retry.js';
import { parseDuration } from './duration.js';
import { maskValue } from './mask.js';
import { loadStep } from '../steps/index.js';
import { createStepContext } from './step-context.js';
import { errorInfo, exprContext, runState, send, type RunContext } from './run-context.js';
import type { StepSpec } from './types.js';

const hasExpr = new WeakMap<StepSpec, boolean>();
/** Most `with:` blocks have no expression: skip building the context for them. */
function usesExpressions(spec: StepSpec): boolean {
  let v = hasExpr.get(spec);
  if (v === undefined) hasExpr.set(spec, (v = JSON.stringify(spec.with ?? {}).includes('{{')));
  return v;
}

export type StepEnd = 'succeeded' | 'failed' | 'continued' | 'skipped' | 'aborted';

function evalWhen(rc: RunContext, spec: StepSpec): boolean {
  if (spec.when === undefined) return true;
  if (typeof spec.when === 'boolean') return spec.when;
  return isTruthy(renderString(spec.when, exprContext(rc)));
}

/** Combines the run's signal with a per-attempt timeout. */
function attemptSignal(run: AbortSignal, timeoutMs: number | undefined, stepId: string): { signal: AbortSignal; done(): void } {
  const ctl = new AbortController();
  const onRun = () => ctl.abort(run.reason);
  if (run.aborted) ctl.abort(run.reason);
  else run.addEventListener('abort', onRun, { once: true });
  const timer = timeoutMs === undefined ? undefined : setTimeout(() => {
    ctl.abort(new CloudyaError('E_TIMEOUT', `step '${stepId}' timed out after ${timeoutMs} ms`, { hint: 'raise its `timeout:` or find what hangs in `cloudya logs RUN`' }));
  }, timeoutMs);
  return {
    signal: ctl.signal,
    done: () => {
      if (timer) clearTimeout(timer);
      run.removeEventListener('abort', onRun);
    },
  };
}

export async function runStep(rc: RunContext, spec: StepSpec): Promise<StepEnd> {
  const wf = rc.workflow;
  const stepId = spec.id;
  try {
    if (!evalWhen(rc, spec)) {
      send(rc, { type: 'STEP_SKIPPED', stepId, reason: `when: ${String(spec.when)}` });
      rc.emit({ type: 'step.skipped', stepId, reason: 'condition is false' });
      return 'skipped';
    }
  } catch (err) {
    return fail(rc, spec, toCloudyaError(err, 'E_EVAL'), 0, false);
  }

  const policy = resolveRetry(spec.retry, wf.defaults?.retry);
  const timeout = spec.timeout ?? wf.defaults?.timeout;
  const timeoutMs = timeout === undefined ? undefined : parseDuration(timeout);
  const def = await loadStep(spec.type);

  for (let attempt = 1; ; attempt++) {
    if (rc.interrupt.aborted) return abort(rc, stepId);
    if (rc.signal.aborted) return fail(rc, spec, toCloudyaError(rc.signal.reason, 'E_RUN_TIMEOUT'), 0, false);
    const started = performance.now();
    send(rc, { type: 'STEP_STARTED', stepId, at: new Date().toISOString() });
    const total = runState(rc).steps[stepId]!.attempts;
    rc.emit({ type: 'step.started', stepId, attempt: total });
    const { signal, done } = attemptSignal(rc.signal, timeoutMs, stepId);
    try {
      const input = usesExpressions(spec) ? render(spec.with ?? {}, exprContext(rc)) : (spec.with ?? {});
      rc.flush();
      const raw = await def.run(createStepContext(rc, stepId, total, signal), input);
      if (signal.aborted) throw toCloudyaError(signal.reason, 'E_INTERRUPTED');
      const outputs = spec.outputs ? { ...raw, ...(render(spec.outputs, exprContext(rc, { outputs: raw })) as object) } : raw;
      rc.outputs.set(stepId, outputs);
      const durationMs = Math.round(performance.now() - started);
      send(rc, { type: 'STEP_SUCCEEDED', stepId, at: new Date().toISOString(), durationMs, outputs: maskValue(outputs, rc.mask) });
      rc.emit({ type: 'step.succeeded', stepId, attempt: total, durationMs });
      return 'succeeded';
    } catch (thrown) {
      // A step that was cancelled by Ctrl-C is not failed: it goes back to pending for resume.
      if (rc.interrupt.aborted) return abort(rc, stepId);
      const err = explainEval(rc, signal.aborted ? toCloudyaError(signal.reason, 'E_TIMEOUT') : toCloudyaError(thrown));
      if (err.retryable && attempt < policy.attempts) {
        const delayMs = backoffDelay(policy, attempt);
        const info = errorInfo(err, rc.mask);
        send(rc, { type: 'STEP_RETRYING', stepId, error: info });
        rc.emit({ type: 'step.retrying', stepId, attempt: total, delayMs, error: info });
        rc.log.log('warn', stepId, `attempt ${total} failed, retrying in ${delayMs} ms`, { error: info });
        rc.flush();
        try {
          await sleep(delayMs, rc.signal);
        } catch {
          if (rc.interrupt.aborted) return abort(rc, stepId);
          send(rc, { type: 'STEP_STARTED', stepId, at: new Date().toISOString() });
          return fail(rc, spec, toCloudyaError(rc.signal.reason, 'E_RUN_TIMEOUT'), 0, true);
        }
        continue;
      }
      return fail(rc, spec, err, Math.round(performance.now() - started), true);
    } finally {
      done();
    }
  }
}

/** "steps.build.outputs.x is not defined" because build was skipped: say so. */
function explainEval(rc: RunContext, err: CloudyaError): CloudyaError {
  if (err.code !== 'E_EVAL') return err;
  const id = /steps\.([A-Za-z_][\w-]*)/.exec(err.message)?.[1];
  const rec = id ? runState(rc).steps[id] : undefined;
  if (!rec || (rec.status !== 'skipped' && rec.status !== 'failed')) return err;
  const why = rec.status === 'skipped' ? `step '${id}' was skipped (${rec.skipReason ?? 'its condition was false'}), so it has no outputs` : `step '${id}' failed, so it has no outputs`;
  return new CloudyaError('E_EVAL', err.message, { hint: `${why}; guard this step with when: "{{eq steps.${id}.status 'succeeded'}}"`, cause: err });
}

function fail(rc: RunContext, spec: StepSpec, err: CloudyaError, durationMs: number, started: boolean): StepEnd {
  const continued = spec.continueOnError ?? rc.workflow.defaults?.continueOnError ?? false;
  const info = errorInfo(err, rc.mask);
  if (!started) send(rc, { type: 'STEP_STARTED', stepId: spec.id, at: new Date().toISOString() });
  const attempt = runState(rc).steps[spec.id]!.attempts;
  send(rc, { type: 'STEP_FAILED', stepId: spec.id, at: new Date().toISOString(), durationMs, error: info, continued });
  rc.emit({ type: 'step.failed', stepId: spec.id, attempt, durationMs, error: info, continued });
  rc.log.log('error', spec.id, info.message, { code: info.code });
  return continued ? 'continued' : 'failed';
}

function abort(rc: RunContext, stepId: string): StepEnd {
  const status = runState(rc).steps[stepId]!.status;
  if (status === 'running' || status === 'retrying') {
    send(rc, { type: 'STEP_ABORTED', stepId });
    rc.emit({ type: 'step.cancelled', stepId });
  }
  return 'aborted';
}
