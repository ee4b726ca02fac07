// The persisted shape of a run (runs/<id>/state.json). A plain JSON round trip:
// resume reads it back and continues. Secret values never appear in it.
import type { ErrorInfo } from './events.js';
import type { RunStatus, StepStatus } from './types.js';

export type CompensationStatus = 'compensating' | 'compensated' | 'compensation_failed';

export interface StepRecord {
  status: StepStatus;
  phase: 'main' | 'finally';
  type: string;
  attempts: number;
  startedAt?: string;
  endedAt?: string;
  durationMs?: number;
  /** Masked outputs (what later steps and rollback see). */
  outputs?: Record<string, unknown>;
  error?: ErrorInfo;
  /** Failed, but `continueOnError` let the run go on. */
  continued?: boolean;
  /** Position in completion order, for reverse-order compensation. */
  completedSeq?: number;
  skipReason?: string;
  compensation?: { status: CompensationStatus; startedAt?: string; endedAt?: string; error?: ErrorInfo };
}

export interface RunState {
  version: 1;
  runId: string;
  name: string;
  /** Absolute path of the workflow file the run was started from. */
  file: string;
  status: RunStatus;
  createdAt: string;
  updatedAt: string;
  startedAt?: string;
  endedAt?: string;
  /** Param values; those of secret params are stored as '***' and must be given again to resume. */
  params: Record<string, unknown>;
  secretParams: string[];
  options: { concurrency: number; rollback: boolean };
  /** Transition counter: increases with every persisted change. */
  seq: number;
  /** How many times the run was resumed. */
  resumes: number;
  error?: ErrorInfo;
  /** The workflow failure that started a rollback (kept when a later rollback error replaces `error`). */
  failure?: ErrorInfo;
  /** Step ids in document order (main steps, then finally steps). */
  order: string[];
  steps: Record<string, StepRecord>;
}
