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
/** What answers a step's `ctx.confirm`. */
export type Confirm = (stepId: string, question: string) => Promise<boolean>;

/**
 * `--yes` approves everything; otherwise a person on a terminal is asked (one
 * prompt at a time, the live view held meanwhile); with no terminal, nobody
 * approves.
 */
function makeConfirm(yes: boolean, hold: <T>(fn: () => Promise<T>) => Promise<T>): Confirm {
  if (yes) return async () => true;
  if (!process.stdin.isTTY || !process.stderr.isTTY) return async () => false;
  let chain: Promise<unknown> = Promise.resolve();
  return (stepId, question) => {
    const ask = chain.then(() =>
      hold(async () => {
        const { createInterface } = await import('node:readline/promises');
        const rl = createInterface({ input: process.stdin, output: process.stderr });
        try {
          const answer = await rl.question(`${stepId}: ${question} [y/N] `);
          return /^y(es)?$/i.test(answer.trim());
        } finally {
          rl.close();
        }
      }),
    );
    chain = ask.catch(() => {});
    return ask;
  };
}

export interface DriveUiOptions {
  success?: readonly string[];
  /** `--yes`: approve every confirmation a step asks for. */
  yes?: boolean;
  /** false: print no end-of-run report (the caller prints its own). */
  report?: boolean;
}

export async function driveWithUi(
  format: OutputFormat,
  go: (signal: AbortSignal, onEvent: (e: RunEvent) => void, confirm: Confirm) => Promise<RunState>,
  options: DriveUiOptions | readonly string[] = {},
): Promise<number> {
  const { success = ['succeeded'], yes = false, report = true } = Array.isArray(options) ? { success: options as readonly string[] } : (options as DriveUiOptions);
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
  let hold = <T,>(fn: () => Promise<T>): Promise<T> => fn();
  if (format === 'ndjson') {
    onEvent = (e) => process.stdout.write(JSON.stringify({ time: new Date().toISOString(), ...e }) + '\n');
  } else if (format === 'text') {
    const { createProgressView } = await import('./output/progress.js');
    const view = createProgressView({ stream: process.stderr, tty: Boolean(process.stderr.isTTY) });
    onEvent = (e) => view.onEvent(e);
    stop = () => view.stop();
    note = (text) => view.note(text);
    hold = (fn) => view.hold(fn);
  }
  let state: RunState;
  try {
    state = await go(ctl.signal, onEvent, makeConfirm(yes, (fn) => hold(fn)));
  } finally {
    stop();
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    process.off('SIGHUP', onSignal);
  }
  if (report) printRunReport(state, format);
  return exitCodeOf(state, success);
}

export function home(): string {
  return cloudyaHome();
}
