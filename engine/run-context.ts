// Everything one process needs to drive a run: the actor, the store, the log,
// secrets, and the in-memory outputs (unmasked) that expressions read.
import { dirname } from 'node:path';
import type { RunActor, RunMachineEvent } from './machine.js';
import type { RunStore, EventLog } from './store.js';
import type { RunEvent, ErrorInfo } from './events.js';
import type { RunState, StepRecord } from './state.js';
import type { StepSpec, Workflow } from './types.js';
import type { Masker } from './mask.js';
import type { ExprContext } from './expressions.js';
import { CloudyaError } from './errors.js';

export interface RunContext {
  workflow: Workflow;
  file: string;
  workflowDir: string;
  store: RunStore;
  log: EventLog;
  actor: RunActor;
  mask: Masker;
  params: Record<string, unknown>;
  env: Record<string, string>;
  /** Unmasked outputs produced in this process (persisted ones are masked). */
  outputs: Map<string, Record<string, unknown>>;
  specs: Map<string, StepSpec>;
  /** What steps obey: Ctrl-C, plus the run deadline during the main phase. */
  signal: AbortSignal;
  /** Ctrl-C / SIGTERM only: the run stops and can be resumed. */
  interrupt: AbortSignal;
  /** Step types whose plugin has its own rollback. */
  rollbackCapable: Set<string>;
  concurrency: number;
  /** Approval for `ctx.confirm` (see DriveOptions.confirm). */
  confirm(stepId: string, question: string): Promise<boolean>;
  emit(e: RunEvent): void;
  /** Writes pending transitions to state.json now (called before any side effect). */
  flush(): void;
  /** Ids of steps changed since the last write (filled by `send`). */
  changed: Set<string>;
  /** Cache of the `steps` expression context (see stepsView). */
  view?: ExprContext['steps'];
  /** Outcome of the main steps, shown to finally steps as `run.status`. */
  outcome?: 'succeeded' | 'failed';
}

export function runState(rc: RunContext): RunState {
  return rc.actor.getSnapshot().context.run;
}

/** Sends an event and checks the machine accepted it (an illegal transition is a bug, not a user error). */
export function send(rc: RunContext, event: RunMachineEvent): RunState {
  const before = rc.actor.getSnapshot();
  rc.actor.send(event);
  const snap = rc.actor.getSnapshot();
  const after = snap.context.run;
  // xstate keeps the same snapshot when no transition took the event.
  if (snap === before) {
    const step = 'stepId' in event ? ` for step '${event.stepId}' (status ${before.context.run.steps[event.stepId]?.status})` : '';
    throw new CloudyaError('E_INTERNAL', `the run machine refused ${event.type}${step} in state ${String(rc.actor.getSnapshot().value)}`);
  }
  if ('stepId' in event) {
    refreshView(rc, event.stepId, after.steps[event.stepId]);
    rc.changed.add(event.stepId);
  }
  return after;
}

export function errorInfo(err: CloudyaError, mask: Masker): ErrorInfo {
  return { code: err.code, message: mask(err.message), ...(err.hint ? { hint: mask(err.hint) } : {}) };
}

/** What `{{steps.X…}}` reads; kept up to date by `send`, so building a context is O(1). */
export function stepsView(rc: RunContext): ExprContext['steps'] {
  if (!rc.view) {
    rc.view = {};
    for (const [id, rec] of Object.entries(runState(rc).steps)) refreshView(rc, id, rec);
  }
  return rc.view;
}

function refreshView(rc: RunContext, id: string, rec: StepRecord | undefined): void {
  if (!rc.view || !rec) return;
  rc.view[id] = { status: rec.status, outputs: rc.outputs.get(id) ?? rec.outputs ?? {} };
}

export function exprContext(rc: RunContext, extra: Partial<ExprContext> = {}): ExprContext {
  const state = runState(rc);
  return { params: rc.params, steps: stepsView(rc), run: { id: state.runId, name: state.name, status: rc.outcome ?? state.status }, env: rc.env, ...extra };
}

export function declaredEnv(workflow: Workflow): Record<string, string> {
  const env: Record<string, string> = {};
  // A declared variable that is not set reads as '' (as in most CI systems), not as an error mid-run.
  for (const name of workflow.env ?? []) env[name] = process.env[name] ?? '';
  return env;
}

export function workflowDirOf(file: string): string {
  return dirname(file);
}
