// What the progress view knows about a run, folded from engine events, and the
// pieces both renderings share (symbols, one-line errors, text cleanup).
import type { ErrorInfo, RunEvent } from '../../engine/events.js';
import type { RunStatus, StepStatus } from '../../engine/types.js';

export interface StepRow {
  id: string;
  type: string;
  phase: 'main' | 'finally';
  status: StepStatus;
  attempt: number;
  /** When the current attempt or compensation started (ms, view clock). */
  startedAt?: number;
  durationMs?: number;
  /** Latest `step.progress` message of the current attempt. */
  message?: string;
  /** Latest output line of the current attempt. */
  output?: string;
  /** The last error, on one line. */
  error?: string;
  retryAt?: number;
  continued?: boolean;
  skipReason?: string;
}

export interface RunModel {
  runId: string;
  name: string;
  resumed: boolean;
  status: RunStatus;
  startedAt: number | undefined;
  durationMs: number | undefined;
  error: string | undefined;
  rows: Map<string, StepRow>;
}

export const SYMBOLS: Record<StepStatus, string> = {
  pending: '·',
  running: '⠋',
  retrying: '↻',
  succeeded: '✔',
  failed: '✖',
  skipped: '↷',
  compensating: '⟲',
  compensated: '↺',
  compensation_failed: '✖',
};
export const SPINNER = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];

const ANSI = /\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)|\x1b[@-Z\\-_]/g;
const CONTROL = /[\x00-\x08\x0b-\x1f\x7f]/g;

/** Terminal-safe single line: no escape codes, no control characters, tabs as spaces. */
export function cleanLine(s: string): string {
  return s.replace(ANSI, '').replace(/\t/g, '  ').replace(CONTROL, '');
}

export const stripAnsi = (s: string): string => s.replace(ANSI, '');

export function oneLine(text: string): string {
  return cleanLine(text.split(/\r?\n/).find((l) => l.trim() !== '') ?? '').trim();
}

export const errorLine = (e: ErrorInfo): string => `${e.code} ${oneLine(e.message)}`;

export function createModel(): RunModel {
  return { runId: '', name: '', resumed: false, status: 'pending', startedAt: undefined, durationMs: undefined, error: undefined, rows: new Map() };
}

function row(m: RunModel, id: string): StepRow {
  let r = m.rows.get(id);
  if (!r) {
    r = { id, type: '', phase: 'main', status: 'pending', attempt: 0 };
    m.rows.set(id, r);
  }
  return r;
}

/** Folds one event into the model. */
export function applyEvent(m: RunModel, e: RunEvent, now: number): void {
  switch (e.type) {
    case 'run.started':
      Object.assign(m, { runId: e.runId, name: e.name, resumed: e.resumed, status: 'running', startedAt: now, durationMs: undefined, error: undefined });
      for (const s of e.steps) Object.assign(row(m, s.id), { type: s.type, phase: s.phase, status: s.status });
      return;
    case 'step.started':
      Object.assign(row(m, e.stepId), { status: 'running', attempt: e.attempt, startedAt: now, durationMs: undefined, message: undefined, output: undefined, retryAt: undefined });
      return;
    case 'step.retrying':
      Object.assign(row(m, e.stepId), { status: 'retrying', attempt: e.attempt, error: oneLine(e.error.message), retryAt: now + e.delayMs, message: undefined });
      return;
    case 'step.succeeded':
      Object.assign(row(m, e.stepId), { status: 'succeeded', attempt: e.attempt, durationMs: e.durationMs, error: undefined, retryAt: undefined });
      return;
    case 'step.failed':
      Object.assign(row(m, e.stepId), { status: 'failed', attempt: e.attempt, durationMs: e.durationMs, error: errorLine(e.error), continued: e.continued, retryAt: undefined });
      return;
    case 'step.skipped':
      Object.assign(row(m, e.stepId), { status: 'skipped', skipReason: oneLine(e.reason) });
      return;
    case 'step.progress':
      row(m, e.stepId).message = oneLine(e.message);
      return;
    case 'step.cancelled':
      Object.assign(row(m, e.stepId), { status: 'pending', message: 'cancelled', startedAt: undefined, durationMs: undefined, retryAt: undefined });
      return;
    case 'step.output':
      if (e.line.trim() !== '') row(m, e.stepId).output = oneLine(e.line);
      return;
    case 'compensation.started':
      Object.assign(row(m, e.stepId), { status: 'compensating', startedAt: now, durationMs: undefined, message: undefined, output: undefined, error: undefined });
      return;
    case 'compensation.succeeded':
      Object.assign(row(m, e.stepId), { status: 'compensated', durationMs: e.durationMs });
      return;
    case 'compensation.failed':
      Object.assign(row(m, e.stepId), { status: 'compensation_failed', error: errorLine(e.error), durationMs: undefined });
      return;
    case 'run.status':
      m.status = e.status;
      return;
    case 'run.finished':
      Object.assign(m, { status: e.status, durationMs: e.durationMs, error: e.error ? errorLine(e.error) : undefined });
      return;
  }
}
