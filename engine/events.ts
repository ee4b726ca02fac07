// Events the engine emits while a run goes: written to the event log and fed
// to the terminal view / `--output ndjson`. Values are already masked.
import type { RunStatus, StepStatus } from './types.js';

export interface ErrorInfo {
  code: string;
  message: string;
  hint?: string;
}

export type RunEvent =
  | { type: 'run.started'; runId: string; name: string; resumed: boolean; mode: 'start' | 'resume' | 'rollback'; steps: { id: string; type: string; phase: 'main' | 'finally'; status: StepStatus }[] }
  | { type: 'step.started'; stepId: string; attempt: number }
  | { type: 'step.retrying'; stepId: string; attempt: number; delayMs: number; error: ErrorInfo }
  | { type: 'step.succeeded'; stepId: string; attempt: number; durationMs: number }
  | { type: 'step.failed'; stepId: string; attempt: number; durationMs: number; error: ErrorInfo; continued: boolean }
  | { type: 'step.skipped'; stepId: string; reason: string }
  /** Cancelled by Ctrl-C/SIGTERM: back to pending, it runs again on resume. */
  | { type: 'step.cancelled'; stepId: string }
  | { type: 'step.progress'; stepId: string; message: string }
  | { type: 'step.output'; stepId: string; stream: 'stdout' | 'stderr'; line: string }
  | { type: 'compensation.started'; stepId: string }
  | { type: 'compensation.succeeded'; stepId: string; durationMs: number }
  | { type: 'compensation.failed'; stepId: string; error: ErrorInfo }
  | { type: 'run.status'; status: RunStatus }
  | { type: 'run.finished'; runId: string; status: RunStatus; durationMs: number; error?: ErrorInfo };

export type EventListener = (event: RunEvent) => void;
