// The cloudya/v1 workflow document, as TypeScript sees it after loading.
// The JSON Schema (schemas/workflow.schema.json) is the contract for YAML authors.

/** `"500ms"`, `"30s"`, `"15m"`, `"2h"`, or a number of milliseconds. */
export type Duration = string | number;

export const BACKOFFS = ['constant', 'linear', 'exponential'] as const;
export type Backoff = (typeof BACKOFFS)[number];

export interface RetryPolicy {
  /** Total attempts including the first (1 = no retry). */
  attempts: number;
  backoff?: Backoff;
  delay?: Duration;
  maxDelay?: Duration;
  /** true = up to 50% of the delay is randomised away; a number 0..1 sets that fraction. */
  jitter?: boolean | number;
}

export const PARAM_TYPES = ['string', 'number', 'integer', 'boolean', 'array', 'object'] as const;
export type ParamType = (typeof PARAM_TYPES)[number];

export interface ParamSpec {
  type?: ParamType;
  default?: unknown;
  required?: boolean;
  enum?: unknown[];
  secret?: boolean;
  description?: string;
}

export interface RollbackSpec {
  type: string;
  with?: Record<string, unknown>;
  timeout?: Duration;
}

export interface StepSpec {
  id: string;
  type: string;
  name?: string;
  description?: string;
  with?: Record<string, unknown>;
  needs?: string[];
  /** An expression; the step is skipped when it renders falsy ('', 'false', '0', false, 0, null). */
  when?: string | boolean;
  retry?: RetryPolicy | number;
  timeout?: Duration;
  /** A compensation run instead of the type's own rollback; `false` disables compensation. */
  rollback?: RollbackSpec | false;
  continueOnError?: boolean;
  /** Extra outputs computed from the step's own result (`{{outputs.stdout}}`) and the usual context. */
  outputs?: Record<string, string>;
}

export interface WorkflowDefaults {
  retry?: RetryPolicy | number;
  timeout?: Duration;
  continueOnError?: boolean;
}

export interface Workflow {
  apiVersion: 'cloudya/v1';
  kind: 'Workflow';
  name: string;
  description?: string;
  params?: Record<string, ParamSpec>;
  /** Names of environment variables expressions may read as `{{env.NAME}}`. */
  env?: string[];
  defaults?: WorkflowDefaults;
  concurrency?: number;
  /** Timeout of the whole run. */
  timeout?: Duration;
  steps: StepSpec[];
  finally?: StepSpec[];
}

export type StepStatus =
  | 'pending'
  | 'running'
  | 'retrying'
  | 'succeeded'
  | 'failed'
  | 'skipped'
  | 'compensating'
  | 'compensated'
  | 'compensation_failed';

export type RunStatus =
  | 'pending'
  | 'running'
  | 'succeeded'
  | 'failed'
  | 'rolling_back'
  | 'rolled_back'
  | 'rollback_failed'
  | 'interrupted';

/** A loaded workflow plus where it came from (for error locations and the frozen copy). */
export interface LoadedWorkflow {
  file: string;
  source: string;
  workflow: Workflow;
}
