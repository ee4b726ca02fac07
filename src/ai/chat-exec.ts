// `chat -e`: the commands of an answer are judged, confirmed, and run through
// the workflow validate → sandbox (workflows/run-commands.yaml) by the real
// engine; the run is stored like any other. Both chat modes use this.
import type { RunEvent } from '../../engine/events.js';
import type { Verdicts } from './verdicts.js';

export interface ExecOptions {
  yes: boolean;
  policy?: string;
}

/** Verdicts for the commands, as lines to show before asking. */
export async function describeCommands(commands: string[], opts: ExecOptions): Promise<{ lines: string[]; verdicts: Verdicts }> {
  const { judge } = await import('./verdicts.js');
  const verdicts = await judge(commands, { cwd: process.cwd(), ...(opts.policy ? { policy: opts.policy } : {}) });
  const lines = commands.map((c, i) => {
    const j = verdicts.available ? verdicts.judgements[i] : undefined;
    return `${i + 1}. ${c.split('\n')[0]}${c.includes('\n') ? ' …' : ''}${j ? `  [${j.verdict}: ${j.reason}]` : ''}`;
  });
  if (!verdicts.available) lines.push(`(verdicts unavailable: ${verdicts.why}; the validate step still judges them)`);
  return { lines, verdicts };
}

/** Runs the workflow; `onLine` gets progress and sandbox output lines; returns the summary lines. */
export async function executeCommands(commands: string[], approved: boolean, opts: ExecOptions, onLine: (line: string) => void, signal?: AbortSignal): Promise<string[]> {
  const { commandsWorkflow } = await import('./blueprints.js');
  const { runQuiet } = await import('./run-quiet.js');
  const doc = await commandsWorkflow(commands, opts.policy ? { policy: opts.policy } : {});
  const onEvent = (e: RunEvent) => {
    if (e.type === 'step.output' && e.stepId === 'run') onLine(e.line);
    else if (e.type === 'step.started') onLine(`▸ ${e.stepId} started`);
  };
  const state = await runQuiet(doc, 'cloudya chat -e', { params: { commands }, yes: approved, onEvent, ...(signal ? { signal } : {}) });
  const out: string[] = [];
  const validate = state.steps.validate;
  const run = state.steps.run;
  const runOut = run?.outputs as { exitCode?: number; backend?: string } | undefined;
  if (validate?.status === 'failed') out.push(`nothing was run: ${validate.error?.code ?? ''} ${validate.error?.message ?? ''}`.trim());
  else if (run?.status === 'succeeded') out.push(`ran in the sandbox${runOut?.backend ? ` (${runOut.backend})` : ''}: exit ${runOut?.exitCode ?? 0}`);
  else if (run?.status === 'failed') out.push(`the commands failed: ${run.error?.code ?? ''} ${run.error?.message ?? ''}`.trim());
  else if (state.error) out.push(`${state.error.code} ${state.error.message}`);
  out.push(`run ${state.runId} ${state.status}`);
  return out;
}
