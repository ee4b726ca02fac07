// The end-of-run report: a summary (text) or the masked run state (json).
import type { RunState } from '../../engine/state.js';
import { paint } from './color.js';

export function runSummary(state: RunState): Record<string, unknown> {
  const durationMs = state.startedAt && state.endedAt ? Date.parse(state.endedAt) - Date.parse(state.startedAt) : undefined;
  return {
    runId: state.runId,
    name: state.name,
    status: state.status,
    ...(durationMs !== undefined ? { durationMs } : {}),
    ...(state.error ? { error: state.error } : {}),
    steps: Object.fromEntries(state.order.map((id) => {
      const s = state.steps[id]!;
      return [id, { status: s.status, type: s.type, attempts: s.attempts, ...(s.durationMs !== undefined ? { durationMs: s.durationMs } : {}), ...(s.outputs ? { outputs: s.outputs } : {}), ...(s.error ? { error: s.error } : {}), ...(s.compensation?.error ? { compensationError: s.compensation.error } : {}) }];
    })),
  };
}

const STATUS_COLOR: Record<string, (s: string) => string> = {
  succeeded: paint.green, rolled_back: paint.yellow, failed: paint.red, rollback_failed: paint.red, interrupted: paint.yellow,
};

export function printRunReport(state: RunState, format: 'text' | 'json' | 'ndjson'): void {
  if (format === 'json') {
    process.stdout.write(JSON.stringify(runSummary(state), null, 2) + '\n');
    return;
  }
  if (format === 'ndjson') return;
  const color = STATUS_COLOR[state.status] ?? ((s: string) => s);
  const counts = new Map<string, number>();
  for (const s of Object.values(state.steps)) counts.set(s.status, (counts.get(s.status) ?? 0) + 1);
  const tally = [...counts].map(([k, v]) => `${v} ${k}`).join(', ');
  const line = `run ${state.runId} ${color(state.status)} (${tally})`;
  if (state.status === 'succeeded') process.stdout.write(line + '\n');
  else process.stderr.write(line + '\n');
  if (state.error) process.stderr.write(`  ${state.error.code} ${state.error.message}\n${state.error.hint ? `  hint: ${state.error.hint}\n` : ''}`);
  if (state.status === 'interrupted' || state.status === 'failed') process.stderr.write(`  continue with: cloudya resume ${state.runId}\n`);
  if (state.status === 'failed' && !state.options.rollback) process.stderr.write(`  or undo it with: cloudya rollback ${state.runId}\n`);
}
