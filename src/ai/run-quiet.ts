// Runs a generated workflow through the real engine without the progress view
// or a printed report: the full-screen chat shows the result itself. The run is
// stored like any other (`cloudya runs`, `logs`, `resume` work on it).
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { RunState } from '../../engine/state.js';
import type { RunEvent } from '../../engine/events.js';
import { home } from '../drive.js';
import { workflowYaml, type GeneratedWorkflow } from '../generated.js';

export async function runQuiet(doc: GeneratedWorkflow, madeBy: string, opts: { params?: Record<string, unknown>; yes: boolean; signal?: AbortSignal; onEvent?: (e: RunEvent) => void }): Promise<RunState> {
  const dir = join(home(), 'generated');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `${doc.name}-${new Date().toISOString().replace(/[-:]/g, '').replace(/\..*/, '')}-${process.pid}.yaml`);
  writeFileSync(file, await workflowYaml(doc, madeBy));
  const { loadWorkflow } = await import('../../engine/validate.js');
  const { resolveParams } = await import('../params.js');
  const { RunStore } = await import('../../engine/store.js');
  const { startRun } = await import('../../engine/run.js');
  const loaded = loadWorkflow(file);
  const { values, secrets } = resolveParams(loaded.workflow, loaded.file, loaded.source, opts.params ?? {});
  const store = RunStore.create(home(), { name: loaded.workflow.name, file: loaded.file, source: loaded.source });
  return startRun({
    store, loaded, params: values, secrets, rollback: false,
    ...(opts.signal ? { signal: opts.signal } : {}),
    ...(opts.onEvent ? { onEvent: opts.onEvent } : {}),
    confirm: async () => opts.yes,
  });
}
