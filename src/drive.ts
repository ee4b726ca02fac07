// Shared by run / resume / rollback: signals, the progress view or ndjson
// stream, the final report, and the exit code.
import { cloudyaHome } from './home.js';
import { CloudyaError } from '../engine/errors.js';
import type { RunEvent } from '../engine/events.js';
import type { RunState } from '../engine/state.js';
import { printRunReport } from './output/report.js';
import { killAllChildren } from '../engine/exec.js';

export type OutputFormat = 'text' | 'json' | 'ndjson';

export function outputFormat(value: unknown): OutputFormat {
  const v = value === undefined ? 'text' : String(value);
  if (v === 'text' || v === 'json' || v === 'ndjson') return v;
  throw new CloudyaError('E_USAGE', `unknown --output '${v}'`, { hint: 'use --output text, json or ndjson' });
}

export function concurrencyOption(value: unknown): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new CloudyaError('E_USAGE', `--concurrency must be a whole number ≥ 1, got '${String(value)}'`);
  return n;
}

export function exitCodeOf(state: RunState, success: readonly string[] = ['succeeded']): number {
  if (success.includes(state.status)) return 0;
  if (state.status === 'interrupted') return 130;
  return 1;
}

/**
 * Runs `go` with Ctrl-C/SIGTERM wired to an AbortSignal (a second Ctrl-C
 * exits at once), events sent to the view, then prints the report.
 */
export async function driveWithUi(format: OutputFormat, go: (signal: AbortSignal, onEvent: (e: RunEvent) => void) => Promise<RunState>, success: readonly string[] = ['succeeded']): Promise<number> {
  const ctl = new AbortController();
  let signals = 0;
  const onSignal = (sig: NodeJS.Signals) => {
    signals++;
    if (signals > 1) {
      // Do not leave children behind: a step still running after we exit would run twice on resume.
      killAllChildren();
      process.stderr.write('\nforced exit: running steps were killed; the run can be resumed\n');
      process.exit(130);
    }
    note(`${sig}: stopping — cancelling running steps, running finally steps, saving state (press Ctrl-C again to force)`);
    // No hint here: the report ends with the exact resume command for this run.
    ctl.abort(new CloudyaError('E_INTERRUPTED', `interrupted by ${sig}`));
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  process.on('SIGHUP', onSignal);

  let onEvent: (e: RunEvent) => void = () => {};
  let stop = () => {};
  let note = (text: string): void => void process.stderr.write(`\n${text}\n`);
  if (format === 'ndjson') {
    onEvent = (e) => process.stdout.write(JSON.stringify({ time: new Date().toISOString(), ...e }) + '\n');
  } else if (format === 'text') {
    const { createProgressView } = await import('./output/progress.js');
    const view = createProgressView({ stream: process.stderr, tty: Boolean(process.stderr.isTTY) });
    onEvent = (e) => view.onEvent(e);
    stop = () => view.stop();
    note = (text) => view.note(text);
  }
  let state: RunState;
  try {
    state = await go(ctl.signal, onEvent);
  } finally {
    stop();
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    process.off('SIGHUP', onSignal);
  }
  printRunReport(state, format);
  return exitCodeOf(state, success);
}

export function home(): string {
  return cloudyaHome();
}
