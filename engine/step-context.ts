// Builds the StepContext a plugin receives: log, exec and masking bound to the step.
import { execCommand } from './exec.js';
import type { StepContext, StepLogger } from './step-api.js';
import type { RunContext } from './run-context.js';

export function createStepContext(rc: RunContext, stepId: string, attempt: number, signal: AbortSignal): StepContext {
  const level = (lvl: 'debug' | 'info' | 'warn' | 'error') => (msg: string, data?: Record<string, unknown>) => rc.log.log(lvl, stepId, msg, data);
  const log: StepLogger = { debug: level('debug'), info: level('info'), warn: level('warn'), error: level('error') };
  let workDir: string | undefined;
  return {
    runId: rc.store.id,
    stepId,
    attempt,
    signal,
    get workDir() {
      return (workDir ??= rc.store.stepDir(stepId));
    },
    workflowDir: rc.workflowDir,
    log,
    progress: (message) => rc.emit({ type: 'step.progress', stepId, message: rc.mask(message) }),
    exec: (file, args, options) =>
      execCommand({ signal, mask: rc.mask, onLine: (stream, line) => rc.emit({ type: 'step.output', stepId, stream, line }) }, file, args, options),
    mask: rc.mask,
    confirm: (question) => rc.confirm(stepId, rc.mask(question)),
  };
}
