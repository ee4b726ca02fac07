// The step plugin interface. A step type is one file in steps/ whose default
// export is `defineStep({...})`. The engine knows nothing else about it.
import type { JSONSchemaType } from 'ajv';

export interface StepLogger {
  debug(msg: string, data?: Record<string, unknown>): void;
  info(msg: string, data?: Record<string, unknown>): void;
  warn(msg: string, data?: Record<string, unknown>): void;
  error(msg: string, data?: Record<string, unknown>): void;
}

export interface ExecOptions {
  cwd?: string;
  env?: Record<string, string>;
  /** Run `command` through this shell (`/bin/sh -c`) instead of as argv. */
  shell?: boolean | string;
  input?: string;
  /** Keep at most this many bytes of stdout/stderr in the result (the log gets everything). Default 1 MiB. */
  maxBuffer?: number;
  /** Do not throw on a non-zero exit; the caller reads `exitCode`. */
  reject?: boolean;
  /** Called with every complete output line as it arrives (secrets masked), e.g. to parse JSON events into progress. */
  onLine?: (stream: 'stdout' | 'stderr', line: string) => void;
  /** Stream output lines to the run's log and progress view (default true); false when `onLine` reports them itself. */
  echo?: boolean;
  /**
   * A cap on stdout and stderr together, in bytes: when more arrives, the process
   * group is killed (SIGKILL), nothing past the cap reaches the log, and the
   * result says `outputLimited`.
   */
  maxOutput?: number;
  /** Stream at most this many output lines to the log; the rest stay in the result, and one line says how many were left out. */
  maxLogLines?: number;
  /** false: the command gets only `env`, not the engine's environment too. Default true. */
  extendEnv?: boolean;
}

export interface ExecResult {
  exitCode: number;
  stdout: string;
  stderr: string;
  durationMs: number;
  /** Set when the process ended because of a signal. */
  signal?: string;
  /** Set when the command was killed for passing `maxOutput`. */
  outputLimited?: boolean;
}

/**
 * What a step's `run` and `rollback` receive besides their input.
 *
 * @example
 * async run(ctx, input) {
 *   const r = await ctx.exec('terraform', ['init', '-input=false'], { cwd: input.dir });
 *   ctx.log.info('initialised', { dir: input.dir });
 *   return { exitCode: r.exitCode };
 * }
 */
export interface StepContext {
  runId: string;
  stepId: string;
  /** 1 for the first attempt. */
  attempt: number;
  /** Aborted on timeout, Ctrl-C or run timeout; pass it to everything that waits. */
  signal: AbortSignal;
  /** A private directory for this step inside the run directory (created on first use). */
  readonly workDir: string;
  /** The directory of the workflow file: the default working directory for commands. */
  workflowDir: string;
  /** Writes to the run's event log; secrets are masked. */
  log: StepLogger;
  /** Live progress for the terminal view (e.g. 'resource 3/7 created'). */
  progress(message: string): void;
  /** Runs a child process bound to `signal`, streaming output to the log, masking secrets. */
  exec(file: string, args: readonly string[], options?: ExecOptions): Promise<ExecResult>;
  /** Replaces every secret value in `text` with `***`. */
  mask(text: string): string;
  /**
   * Asks a person to approve something (e.g. a command the validator could not
   * clear). True at once when the run was started with `--yes`; asks on a
   * terminal; false when nobody can be asked. Prompts are serialised.
   */
  confirm(question: string): Promise<boolean>;
}

export type StepOutputs = Record<string, unknown>;

export interface StepDefinition<I = any, O extends StepOutputs = StepOutputs> {
  /** The YAML `type:` this plugin handles. */
  type: string;
  description: string;
  /** JSON Schema of the `with:` block (draft 2020-12 subset ajv understands). */
  schema: JSONSchemaType<I> | Record<string, unknown>;
  /** Does the work. Returns JSON-serialisable outputs: they are persisted. */
  run(ctx: StepContext, input: I): Promise<O>;
  /** Undoes `run`. Gets only persisted input and outputs, so it works after a crash. */
  rollback?(ctx: StepContext, input: I, outputs: O): Promise<void>;
}

/**
 * Declares a step type with type inference for its input and outputs.
 *
 * @example
 * export default defineStep({
 *   type: 'echo',
 *   description: 'Returns its message',
 *   schema: { type: 'object', properties: { message: { type: 'string' } }, required: ['message'], additionalProperties: false },
 *   async run(_ctx, input: { message: string }) { return { message: input.message }; },
 * });
 */
export function defineStep<I, O extends StepOutputs>(def: StepDefinition<I, O>): StepDefinition<I, O> {
  return def;
}
