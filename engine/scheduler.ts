// Runs one phase (main steps, or finally steps) as a DAG on a bounded queue.
// Main phase is fail-fast: after a failure nothing new starts, running steps
// finish, and the rest stay pending (so `resume` can continue them).
// The finally phase runs everything it can; dependents of a failed finally step are skipped.
import PQueue from 'p-queue';
import { runStep, type StepEnd } from './step-runner.js';
import { runState, send, type RunContext } from './run-context.js';
import type { StepSpec } from './types.js';

export interface PhaseResult {
  failed: boolean;
  aborted: boolean;
  failedSteps: string[];
  /** An engine error (not a step failure) that stopped the phase. */
  fatal?: unknown;
}

const DONE = new Set(['succeeded', 'skipped']);

export async function runPhase(rc: RunContext, specs: StepSpec[], phase: 'main' | 'finally'): Promise<PhaseResult> {
  const ids = new Set(specs.map((s) => s.id));
  const state = runState(rc);
  const isDone = (id: string) => {
    const rec = state.steps[id]!;
    return DONE.has(rec.status) || (rec.status === 'failed' && rec.continued === true);
  };
  const remaining = new Map<string, number>();
  const dependents = new Map<string, string[]>();
  for (const s of specs) {
    // Needs outside this phase (finally → main) are already settled.
    const open = (s.needs ?? []).filter((n) => ids.has(n) && !isDone(n));
    remaining.set(s.id, open.length);
    for (const n of open) dependents.set(n, [...(dependents.get(n) ?? []), s.id]);
  }

  const queue = new PQueue({ concurrency: rc.concurrency });
  const result: PhaseResult = { failed: false, aborted: false, failedSteps: [] };
  let stopped = false;
  const bySpec = new Map(specs.map((s) => [s.id, s]));

  const skipTree = (id: string, because: string) => {
    for (const d of dependents.get(id) ?? []) {
      if (runState(rc).steps[d]!.status !== 'pending') continue;
      send(rc, { type: 'STEP_SKIPPED', stepId: d, reason: `needs '${because}', which failed` });
      rc.emit({ type: 'step.skipped', stepId: d, reason: `needs '${because}', which failed` });
      skipTree(d, because);
    }
  };

  const settle = (id: string, end: StepEnd) => {
    if (end === 'aborted') {
      result.aborted = true;
      stopped = true;
      return;
    }
    if (end === 'failed') {
      result.failed = true;
      result.failedSteps.push(id);
      if (phase === 'main') stopped = true;
      else skipTree(id, id);
      return;
    }
    for (const d of dependents.get(id) ?? []) {
      const left = remaining.get(d)! - 1;
      remaining.set(d, left);
      if (left === 0 && runState(rc).steps[d]!.status === 'pending') enqueue(d);
    }
  };

  const enqueue = (id: string) => {
    if (stopped || rc.signal.aborted) return;
    void queue.add(async () => {
      if (stopped || rc.signal.aborted) return;
      try {
        settle(id, await runStep(rc, bySpec.get(id)!));
      } catch (err) {
        // Not a step failure (those are returned): a bug or a broken store. Stop and surface it.
        stopped = true;
        result.fatal ??= err;
      }
    });
  };

  for (const s of specs) if (runState(rc).steps[s.id]!.status === 'pending' && remaining.get(s.id) === 0) enqueue(s.id);
  await queue.onIdle();
  if (rc.interrupt.aborted) result.aborted = true;
  if (result.fatal !== undefined) throw result.fatal;
  return result;
}
