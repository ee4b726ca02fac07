// Reopens a stored run: its state, its frozen workflow, and its params
// (secret ones must be given again: they were never written down).
import { CloudyaError, ValidationError } from '../engine/errors.js';
import { MASK } from '../engine/mask.js';
import type { RunStore } from '../engine/store.js';
import type { RunState } from '../engine/state.js';
import type { LoadedWorkflow, Workflow } from '../engine/types.js';
import { collectParams } from './param-options.js';

export interface ReopenedRun {
  store: RunStore;
  state: RunState;
  loaded: LoadedWorkflow;
  params: Record<string, unknown>;
  secrets: string[];
}

export async function reopenRun(home: string, id: string, opts: Record<string, unknown>): Promise<ReopenedRun> {
  const { RunStore } = await import('../engine/store.js');
  const { parseWorkflowSource } = await import('../engine/load.js');
  const { validateWorkflow } = await import('../engine/validate.js');
  const { resolveParams, paramEnvName } = await import('./params.js');
  const store = RunStore.open(home, id);
  const state = store.readState();
  if (!state) {
    throw new CloudyaError('E_RUN_STATE', `run ${store.id} never started: it was stopped before its first state was saved, so nothing ran`, {
      hint: `start it again with \`cloudya run FILE\` (its workflow is frozen in ${store.dir}/workflow.yaml)`,
    });
  }
  const source = store.readWorkflowSource();
  // Errors point at the frozen copy: that is what the run executes.
  const frozen = `${store.dir}/workflow.yaml`;
  const data = parseWorkflowSource(frozen, source);
  const problems = validateWorkflow(frozen, source, data);
  if (problems.length) throw new ValidationError(problems);
  const workflow = data as Workflow;
  const kept = Object.fromEntries(Object.entries(state.params).filter(([k]) => !state.secretParams.includes(k)));
  const given = collectParams(opts);
  // A secret given when the run started was never written down: it must be given again,
  // or the run would silently go on with the default.
  const missing = state.secretParams.filter((k) => state.params[k] === MASK && !(k in given) && process.env[paramEnvName(k)] === undefined);
  if (missing.length) {
    throw new CloudyaError('E_PARAM', `secret param${missing.length > 1 ? 's' : ''} ${missing.map((k) => `'${k}'`).join(', ')} must be given again: secret values are never stored`, {
      hint: missing.map((k) => `--param ${k}=… or ${paramEnvName(k)}=…`).join('; '),
    });
  }
  const { values, secrets } = resolveParams(workflow, frozen, source, { ...kept, ...given });
  return { store, state, loaded: { file: state.file, source, workflow }, params: values, secrets };
}
