// Drives a run from start, resume or rollback to an end, persisting every
// transition. Callers (the CLI) load and validate the workflow, resolve params
// and open the store; this module owns the lock, the event log and the phases.
import { CloudyaError, toCloudyaError } from './errors.js';
import { createMasker, maskValue, MASK } from './mask.js';
import { startRunActor } from './machine.js';
import { runPhase } from './scheduler.js';
import { compensateRun, compensationOrder } from './compensate.js';
import { parseDuration } from './duration.js';
import { declaredEnv, errorInfo, runState, send, workflowDirOf, type RunContext } from './run-context.js';
import { loadStep } from '../steps/index.js';
import { prewarmExec } from './exec.js';
import type { RunStore } from './store.js';
import type { RunEvent } from './events.js';
import type { RunState, StepRecord } from './state.js';
import type { LoadedWorkflow, StepSpec, Workflow } from './types.js';

export interface DriveOptions {
  store: RunStore;
  loaded: LoadedWorkflow;
  /** Full param values (secrets included: they live only in memory). */
  params: Record<string, unknown>;
  secrets: string[];
  concurrency?: number;
  rollback?: boolean;
  onEvent?: (e: RunEvent) => void;
  /** Abort to interrupt (Ctrl-C): running steps are cancelled, the run can be resumed. */
  signal?: AbortSignal;
  /** Answers a step's `ctx.confirm` (the CLI: `--yes`, or a prompt on a terminal). Default: nobody approves. */
  confirm?: (stepId: string, question: string) => Promise<boolean>;
}

export function initialState(runId: string, loaded: LoadedWorkflow, params: Record<string, unknown>, secrets: string[], options: RunState['options']): RunState {
  const now = new Date().toISOString();
  const steps: Record<string, StepRecord> = {};
  const order: string[] = [];
  for (const [phase, list] of [['main', loaded.workflow.steps], ['finally', loaded.workflow.finally ?? []]] as const) {
    for (const s of list) {
      steps[s.id] = { status: 'pending', phase, type: s.type, attempts: 0 };
      order.push(s.id);
    }
  }
  // A secret is stored as '***' when it was given (it must be given again to resume);
  // one left at its default is not stored at all (the default applies again).
  const defaults = loaded.workflow.params ?? {};
  const stored = Object.fromEntries(
    Object.entries(params)
      .filter(([k, v]) => !(secrets.includes(k) && JSON.stringify(v) === JSON.stringify(defaults[k]?.default)))
      .map(([k, v]) => [k, secrets.includes(k) ? MASK : v]),
  );
  return { version: 1, runId, name: loaded.workflow.name, file: loaded.file, status: 'pending', createdAt: now, updatedAt: now, params: stored, secretParams: secrets, options, seq: 0, resumes: 0, order, steps };
}

async function drive(opts: DriveOptions, state: RunState, mode: 'start' | 'resume' | 'rollback'): Promise<RunState> {
  const { store, loaded } = opts;
  const wf = loaded.workflow;
  const lock = store.acquireLock();
  prewarmExec();
  const log = await store.openEventLog();
  if (lock.staleFrom) {
    const { pid, host, startedAt } = lock.staleFrom;
    const msg = `took over the lock of pid ${pid} on ${host} (since ${startedAt}): that process is gone`;
    log.log('warn', undefined, msg);
    process.stderr.write(`warning: ${msg}\n`);
  }
  const mask = createMasker(opts.secrets.map((k) => opts.params[k]));
  const interrupt = opts.signal ?? new AbortController().signal;
  const specs = new Map<string, StepSpec>([...wf.steps, ...(wf.finally ?? [])].map((s) => [s.id, s]));
  const rollbackCapable = new Set<string>();
  for (const type of new Set([...specs.values()].map((s) => s.type))) if ((await loadStep(type)).rollback) rollbackCapable.add(type);

  const actor = startRunActor(state);
  // Group commit: every transition marks the state dirty and is written on the
  // next tick; `flush()` also runs before anything with side effects starts
  // (a step, a compensation), so no effect ever precedes the durable record
  // of what led to it. Transitions of the same instant share one atomic write.
  let written: RunState | undefined;
  let dirty: RunState | undefined;
  let scheduled = false;
  const changed = new Set<string>();
  const flush = () => {
    if (dirty === undefined) return;
    const next = dirty;
    dirty = undefined;
    store.writeState(next, changed);
    changed.clear();
    written = next;
  };
  dirty = state;
  flush();
  actor.subscribe((snap) => {
    if (snap.context.run === written) return;
    dirty = snap.context.run;
    if (!scheduled) {
      scheduled = true;
      setImmediate(() => {
        scheduled = false;
        flush();
      });
    }
  });

  const started = performance.now();
  const rc: RunContext = {
    workflow: wf, file: loaded.file, workflowDir: workflowDirOf(loaded.file), store, log, actor, mask,
    params: withDeclaredParams(wf, opts.params), env: declaredEnv(wf), outputs: new Map(), specs, signal: interrupt, interrupt, rollbackCapable,
    concurrency: opts.concurrency ?? state.options.concurrency,
    confirm: opts.confirm ?? (async () => false),
    flush,
    changed,
    emit(e) {
      const masked = maskValue(e, mask);
      log.event(masked);
      opts.onEvent?.(masked);
    },
  };
  const emitStatus = () => rc.emit({ type: 'run.status', status: runState(rc).status });
  const rollback = opts.rollback ?? state.options.rollback;

  try {
    rc.emit({ type: 'run.started', runId: state.runId, name: state.name, resumed: mode === 'resume', mode, steps: state.order.map((id) => ({ id, type: state.steps[id]!.type, phase: state.steps[id]!.phase, status: state.steps[id]!.status })) });
    if (mode !== 'rollback') {
      send(rc, { type: mode === 'start' ? 'START' : 'RESUME' });
      let deadline: NodeJS.Timeout | undefined;
      if (wf.timeout !== undefined) {
        const ms = parseDuration(wf.timeout);
        const ctl = new AbortController();
        deadline = setTimeout(() => ctl.abort(new CloudyaError('E_RUN_TIMEOUT', `the run exceeded its timeout of ${ms} ms`, { hint: 'raise the workflow `timeout:`' })), ms);
        rc.signal = AbortSignal.any([interrupt, ctl.signal]);
      }
      const main = await runPhase(rc, wf.steps, 'main');
      if (deadline) clearTimeout(deadline);
      rc.signal = interrupt;
      if (main.aborted) {
        // Interrupted: finally steps still run (cleanup), under a signal of their own;
        // a second Ctrl-C exits at once. They run again when the run is resumed.
        const cleanup = new AbortController().signal;
        rc.signal = cleanup;
        rc.interrupt = cleanup;
        rc.outcome = 'failed';
        await runPhase(rc, wf.finally ?? [], 'finally');
        rc.interrupt = interrupt;
        return interrupted(rc);
      }
      send(rc, { type: 'MAIN_DONE', failed: main.failed });
      rc.outcome = main.failed ? 'failed' : 'succeeded';
      const fin = await runPhase(rc, wf.finally ?? [], 'finally');
      if (fin.aborted) return interrupted(rc);
      const failed = main.failed || fin.failed;
      const first = [...main.failedSteps, ...fin.failedSteps][0];
      const cause = first ? runState(rc).steps[first]!.error : undefined;
      // The step's hint says what to do about it: keep it on the run's error.
      const error = first ? { code: 'E_WORKFLOW_FAILED', message: `step '${first}' failed: ${cause?.message ?? ''}`, ...(cause?.hint ? { hint: cause.hint } : {}) } : undefined;
      // Only a failure of the main steps undoes them: a failed cleanup or report
      // step marks the run failed but does not roll back a deployment that worked.
      // Nothing to undo → the run is simply failed, not "rolled back".
      const undo = main.failed && rollback && compensationOrder(rc).length > 0;
      send(rc, { type: 'FINALLY_DONE', failed, rollback: undo, ...(error ? { error } : {}) });
      emitStatus();
    } else {
      send(rc, { type: 'ROLLBACK' });
      emitStatus();
    }
    if (runState(rc).status === 'rolling_back') {
      const r = await compensateRun(rc);
      if (rc.interrupt.aborted && r.failed) return interrupted(rc);
      const error = r.failed
        ? { code: 'E_ROLLBACK_FAILED', message: `compensation of '${r.left[0]}' failed: ${r.error ? mask(r.error.message) : ''}; not undone: ${r.left.join(', ')}`, hint: 'fix the cause, then run `cloudya rollback ' + state.runId + '` to finish undoing' }
        : undefined;
      send(rc, { type: 'ROLLBACK_DONE', failed: r.failed, ...(error ? { error } : {}) });
    }
    return runState(rc);
  } catch (err) {
    const e = toCloudyaError(err, 'E_INTERNAL');
    // Leave the run resumable: an engine error is an interruption, not a verdict on the workflow.
    try { send(rc, { type: 'INTERRUPT', error: errorInfo(e, mask) }); } catch { /* already final */ }
    throw e;
  } finally {
    flush();
    const final = runState(rc);
    rc.emit({ type: 'run.finished', runId: final.runId, status: final.status, durationMs: Math.round(performance.now() - started), ...(final.error ? { error: final.error } : {}) });
    actor.stop();
    store.closeState();
    log.close();
    store.releaseLock();
  }
}

/** A declared param with no value and no default is null (so `{{default params.x 3}}` works), never "undefined". */
function withDeclaredParams(wf: Workflow, params: Record<string, unknown>): Record<string, unknown> {
  const out = { ...params };
  for (const k of Object.keys(wf.params ?? {})) if (!(k in out)) out[k] = null;
  return out;
}

function interrupted(rc: RunContext): RunState {
  const reason = toCloudyaError(rc.interrupt.reason, 'E_INTERRUPTED');
  send(rc, { type: 'INTERRUPT', error: errorInfo(reason, rc.mask) });
  return runState(rc);
}

export function startRun(opts: DriveOptions): Promise<RunState> {
  const state = initialState(opts.store.id, opts.loaded, opts.params, opts.secrets, { concurrency: opts.concurrency ?? opts.loaded.workflow.concurrency ?? 4, rollback: opts.rollback ?? true });
  return drive(opts, state, 'start');
}

/** Prepares a persisted run for resuming: what did not finish goes back to pending. */
/** Every step that depends, directly or not, on one of `roots`. */
function descendantsOf(wf: Workflow, roots: string[]): Set<string> {
  const out = new Set<string>();
  const all = [...wf.steps, ...(wf.finally ?? [])];
  let frontier = roots;
  while (frontier.length) {
    const next: string[] = [];
    for (const s of all) if (!out.has(s.id) && (s.needs ?? []).some((n) => frontier.includes(n))) { out.add(s.id); next.push(s.id); }
    frontier = next;
  }
  return out;
}

export function prepareResume(prev: RunState, wf: Workflow): RunState {
  if (prev.status === 'succeeded') throw new CloudyaError('E_RUN_STATE', `run ${prev.runId} already succeeded; nothing to resume`, { hint: `start a new one with \`cloudya run ${prev.file}\`` });
  if (prev.status === 'rolling_back' || prev.status === 'rollback_failed') {
    throw new CloudyaError('E_RUN_STATE', `run ${prev.runId} stopped while rolling back (${prev.status})`, { hint: `finish undoing it with \`cloudya rollback ${prev.runId}\`` });
  }
  const redo = new Set<string>();
  for (const [id, s] of Object.entries(prev.steps)) {
    if (
      s.status === 'running' || s.status === 'retrying' || s.status === 'compensated' ||
      (s.status === 'failed' && !s.continued) || s.phase === 'finally' ||
      (s.status === 'skipped' && s.skipReason?.startsWith('needs '))
    ) redo.add(id);
  }
  // A step that ran against something since undone (compensated, so run again) runs again too.
  for (const id of descendantsOf(wf, [...redo].filter((id) => prev.steps[id]!.status === 'compensated'))) redo.add(id);
  const steps: Record<string, StepRecord> = {};
  for (const [id, s] of Object.entries(prev.steps)) {
    if (!redo.has(id)) { steps[id] = s; continue; }
    const { error: _e, outputs: _o, compensation: _c, skipReason: _r, completedSeq: _q, continued: _k, endedAt: _t, durationMs: _d, ...rest } = s;
    steps[id] = { ...rest, status: 'pending' };
  }
  // A run caught 'running' by a crash resumes from 'running'; the machine accepts RESUME there.
  const { error: _e, failure: _f, endedAt: _t, ...rest } = prev;
  return { ...rest, steps, resumes: prev.resumes + 1, seq: prev.seq + 1, updatedAt: new Date().toISOString() };
}

export function resumeRun(opts: DriveOptions, prev: RunState): Promise<RunState> {
  return drive(opts, prepareResume(prev, opts.loaded.workflow), 'resume');
}

export function rollbackRun(opts: DriveOptions, prev: RunState): Promise<RunState> {
  if (prev.status === 'rolled_back') throw new CloudyaError('E_RUN_STATE', `run ${prev.runId} is already rolled back`);
  if (prev.status === 'pending') throw new CloudyaError('E_RUN_STATE', `run ${prev.runId} never started; nothing to undo`);
  // A crash mid-run or mid-rollback: treat as interrupted / rollback_failed so ROLLBACK is legal.
  const status = prev.status === 'running' ? 'interrupted' : prev.status === 'rolling_back' ? 'rollback_failed' : prev.status;
  const steps = Object.fromEntries(Object.entries(prev.steps).map(([id, s]) => [id, s.status === 'running' || s.status === 'retrying' ? { ...s, status: 'pending' as const } : s]));
  return drive(opts, { ...prev, status, steps }, 'rollback');
}
