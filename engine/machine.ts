// The run state machine (xstate v5). Its context *is* the persisted RunState:
// every accepted event produces a new RunState (changed step records are new
// objects, unchanged ones keep identity) that the driver writes to disk.
// Illegal step transitions are refused by guards; the driver checks and fails loudly.
import { assign, setup, createActor, type SnapshotFrom, type ActorRefFrom } from 'xstate';
import type { ErrorInfo } from './events.js';
import type { RunState, StepRecord } from './state.js';
import type { RunStatus, StepStatus } from './types.js';

export type RunMachineEvent =
  | { type: 'START' }
  | { type: 'RESUME' }
  | { type: 'STEP_STARTED'; stepId: string; at: string }
  | { type: 'STEP_RETRYING'; stepId: string; error: ErrorInfo }
  | { type: 'STEP_SUCCEEDED'; stepId: string; at: string; durationMs: number; outputs: Record<string, unknown> }
  | { type: 'STEP_FAILED'; stepId: string; at: string; durationMs: number; error: ErrorInfo; continued: boolean }
  | { type: 'STEP_SKIPPED'; stepId: string; reason: string }
  | { type: 'STEP_ABORTED'; stepId: string }
  | { type: 'MAIN_DONE'; failed: boolean; error?: ErrorInfo }
  | { type: 'FINALLY_DONE'; failed: boolean; rollback: boolean; error?: ErrorInfo }
  | { type: 'ROLLBACK' }
  | { type: 'COMP_STARTED'; stepId: string; at: string }
  | { type: 'COMP_SUCCEEDED'; stepId: string; at: string }
  | { type: 'COMP_FAILED'; stepId: string; at: string; error: ErrorInfo }
  | { type: 'ROLLBACK_DONE'; failed: boolean; error?: ErrorInfo }
  | { type: 'INTERRUPT'; error: ErrorInfo };

type StepEvent = Extract<RunMachineEvent, { stepId: string }>;

/** Which step statuses each step event may start from. */
const LEGAL_FROM: Record<StepEvent['type'], readonly StepStatus[]> = {
  STEP_STARTED: ['pending', 'retrying'],
  STEP_RETRYING: ['running'],
  STEP_SUCCEEDED: ['running'],
  STEP_FAILED: ['running'],
  STEP_SKIPPED: ['pending'],
  STEP_ABORTED: ['running', 'retrying'],
  COMP_STARTED: ['succeeded', 'compensating', 'compensation_failed'],
  COMP_SUCCEEDED: ['compensating'],
  COMP_FAILED: ['compensating'],
};

// A transition replaces one StepRecord by a new object (the store caches each
// record's JSON by identity) and returns a new RunState. The steps map itself
// is updated in place: copying a 1000-key map on every transition made runs
// O(n²). Only the latest snapshot is ever read, so nothing sees the old map.
function patchStep(run: RunState, stepId: string, patch: (s: StepRecord) => StepRecord): RunState {
  run.steps[stepId] = patch(run.steps[stepId]!);
  return { ...run, seq: run.seq + 1, updatedAt: new Date().toISOString() };
}

/** Completion order for reverse-order compensation: the transition number is unique and increasing. */
function nextCompletedSeq(run: RunState): number {
  return run.seq + 1;
}

function reduceStep(run: RunState, e: StepEvent): RunState {
  switch (e.type) {
    case 'STEP_STARTED':
      return patchStep(run, e.stepId, (s) => {
        const { error: _e, ...rest } = s;
        return { ...rest, status: 'running', attempts: s.attempts + 1, startedAt: s.status === 'pending' ? e.at : (s.startedAt ?? e.at) };
      });
    case 'STEP_RETRYING':
      return patchStep(run, e.stepId, (s) => ({ ...s, status: 'retrying', error: e.error }));
    case 'STEP_SUCCEEDED':
      return patchStep(run, e.stepId, (s) => {
        const { error: _e, ...rest } = s;
        return { ...rest, status: 'succeeded', endedAt: e.at, durationMs: e.durationMs, outputs: e.outputs, completedSeq: nextCompletedSeq(run) };
      });
    case 'STEP_FAILED':
      return patchStep(run, e.stepId, (s) => ({ ...s, status: 'failed', endedAt: e.at, durationMs: e.durationMs, error: e.error, ...(e.continued ? { continued: true } : {}) }));
    case 'STEP_SKIPPED':
      return patchStep(run, e.stepId, (s) => ({ ...s, status: 'skipped', skipReason: e.reason }));
    case 'STEP_ABORTED':
      return patchStep(run, e.stepId, (s) => ({ ...s, status: 'pending' }));
    case 'COMP_STARTED':
      return patchStep(run, e.stepId, (s) => ({ ...s, status: 'compensating', compensation: { status: 'compensating', startedAt: e.at } }));
    case 'COMP_SUCCEEDED':
      return patchStep(run, e.stepId, (s) => ({ ...s, status: 'compensated', compensation: { ...s.compensation, status: 'compensated', endedAt: e.at } }));
    case 'COMP_FAILED':
      return patchStep(run, e.stepId, (s) => ({ ...s, status: 'compensation_failed', compensation: { ...s.compensation, status: 'compensation_failed', endedAt: e.at, error: e.error } }));
  }
}

function withStatus(run: RunState, status: RunStatus, error?: ErrorInfo): RunState {
  const now = new Date().toISOString();
  const terminal = status !== 'running' && status !== 'rolling_back' && status !== 'pending';
  const { error: _old, ...rest } = run;
  return {
    ...rest,
    status,
    seq: run.seq + 1,
    updatedAt: now,
    ...(status === 'running' && !run.startedAt ? { startedAt: now } : {}),
    ...(terminal ? { endedAt: now } : {}),
    // Rolling back keeps the failure that caused it; a finished rollback reports that
    // failure again rather than an older E_ROLLBACK_FAILED.
    ...(error
      ? { error }
      : status === 'rolled_back' && run.error?.code === 'E_ROLLBACK_FAILED'
        ? (run.failure ? { error: run.failure } : {})
        : (status === 'rolling_back' || status === 'rolled_back' || status === 'rollback_failed') && run.error
          ? { error: run.error }
          : {}),
    ...(error?.code === 'E_WORKFLOW_FAILED' ? { failure: error } : {}),
  };
}

const stepEvents = Object.keys(LEGAL_FROM) as StepEvent['type'][];

export const runMachine = setup({
  types: { context: {} as { run: RunState }, events: {} as RunMachineEvent, input: {} as { run: RunState } },
  guards: {
    legal: ({ context, event }) => {
      const e = event as StepEvent;
      const step = context.run.steps[e.stepId];
      return step !== undefined && LEGAL_FROM[e.type].includes(step.status);
    },
    shouldRollBack: ({ event }) => event.type === 'FINALLY_DONE' && event.failed && event.rollback,
    failedRun: ({ event }) => (event.type === 'FINALLY_DONE' || event.type === 'ROLLBACK_DONE') && event.failed,
  },
  actions: {
    reduce: assign({ run: ({ context, event }) => reduceStep(context.run, event as StepEvent) }),
    status: assign({
      run: ({ context, event }, params: { status: RunStatus }) =>
        withStatus(context.run, params.status, 'error' in event ? (event.error as ErrorInfo | undefined) : undefined),
    }),
  },
}).createMachine({
  id: 'run',
  context: ({ input }) => ({ run: input.run }),
  initial: 'pending',
  on: {
    INTERRUPT: { target: '.interrupted', actions: { type: 'status', params: { status: 'interrupted' } } },
  },
  states: {
    pending: {
      on: {
        START: { target: 'running', actions: { type: 'status', params: { status: 'running' } } },
        // Killed before START was persisted.
        RESUME: { target: 'running', actions: { type: 'status', params: { status: 'running' } } },
      },
    },
    running: {
      on: {
        ...Object.fromEntries(stepEvents.filter((t) => t.startsWith('STEP_')).map((t) => [t, { guard: 'legal', actions: 'reduce' }])),
        MAIN_DONE: { target: 'finalizing' },
        // A run caught 'running' by a crash.
        RESUME: { actions: { type: 'status', params: { status: 'running' } } },
      },
    },
    // finally steps run; the run status on disk stays 'running' until they are done.
    finalizing: {
      on: {
        ...Object.fromEntries(stepEvents.filter((t) => t.startsWith('STEP_')).map((t) => [t, { guard: 'legal', actions: 'reduce' }])),
        FINALLY_DONE: [
          { guard: 'shouldRollBack', target: 'rolling_back', actions: { type: 'status', params: { status: 'rolling_back' } } },
          { guard: 'failedRun', target: 'failed', actions: { type: 'status', params: { status: 'failed' } } },
          { target: 'succeeded', actions: { type: 'status', params: { status: 'succeeded' } } },
        ],
      },
    },
    rolling_back: {
      on: {
        ...Object.fromEntries(stepEvents.filter((t) => t.startsWith('COMP_')).map((t) => [t, { guard: 'legal', actions: 'reduce' }])),
        ROLLBACK_DONE: [
          { guard: 'failedRun', target: 'rollback_failed', actions: { type: 'status', params: { status: 'rollback_failed' } } },
          { target: 'rolled_back', actions: { type: 'status', params: { status: 'rolled_back' } } },
        ],
      },
    },
    succeeded: { on: { ROLLBACK: { target: 'rolling_back', actions: { type: 'status', params: { status: 'rolling_back' } } } } },
    failed: {
      on: {
        ROLLBACK: { target: 'rolling_back', actions: { type: 'status', params: { status: 'rolling_back' } } },
        RESUME: { target: 'running', actions: { type: 'status', params: { status: 'running' } } },
      },
    },
    rolled_back: { on: { RESUME: { target: 'running', actions: { type: 'status', params: { status: 'running' } } } } },
    rollback_failed: { on: { ROLLBACK: { target: 'rolling_back', actions: { type: 'status', params: { status: 'rolling_back' } } } } },
    interrupted: {
      on: {
        RESUME: { target: 'running', actions: { type: 'status', params: { status: 'running' } } },
        ROLLBACK: { target: 'rolling_back', actions: { type: 'status', params: { status: 'rolling_back' } } },
      },
    },
  },
});

export type RunActor = ActorRefFrom<typeof runMachine>;
export type RunSnapshot = SnapshotFrom<typeof runMachine>;

/** Starts an actor at the run's persisted status (a JSON round trip of RunState is all it needs). */
export function startRunActor(run: RunState): RunActor {
  const value = run.status === 'pending' ? 'pending' : run.status;
  const snapshot = runMachine.resolveState({ value, context: { run } });
  const actor = createActor(runMachine, { snapshot, input: { run } });
  actor.start();
  return actor;
}
