// Runs a generated workflow through the real engine without the progress view
// or a printed report: the full-screen chat shows the result itself. The run is
// stored like any other (`cloudya runs`, `logs`, `resume` work on it).
import type { RunState } from '../../engine/state.js';
import type { RunEvent } from '../../engine/events.js';
import { prepareGenerated, type GeneratedWorkflow } from '../generated.js';

export async function runQuiet(doc: GeneratedWorkflow, madeBy: string, opts: { params?: Record<string, unknown>; yes: boolean; signal?: AbortSignal; onEvent?: (e: RunEvent) => void }): Promise<RunState> {
  const run = await prepareGenerated(doc, madeBy, opts.params);
  const { startRun } = await import('../../engine/run.js');
  return startRun({
    ...run,
    rollback: false,
    ...(opts.signal ? { signal: opts.signal } : {}),
    ...(opts.onEvent ? { onEvent: opts.onEvent } : {}),
    confirm: async () => opts.yes,
  });
}
