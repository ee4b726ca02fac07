/**
 * The one error class of cloudya. Every failure, whether bad input, a step that
 * failed or an interrupted run, is a `CloudyaError` with a stable public `code`
 * (never renamed: scripts match on it), the process `exitCode` it maps to, and
 * whether the engine may retry it.
 *
 * @example
 * throw new CloudyaError('E_COMMAND_FAILED', 'exit code 3: terraform init', {
 *   hint: 'run `terraform init` in the deployment directory to see why',
 *   retryable: true,
 * });
 */
export const ERROR_CODES = {
  E_USAGE: { exit: 2, retryable: false, summary: 'bad command-line usage' },
  E_FILE_NOT_FOUND: { exit: 2, retryable: false, summary: 'a file or folder does not exist' },
  E_YAML: { exit: 2, retryable: false, summary: 'the YAML cannot be parsed' },
  E_SCHEMA: { exit: 2, retryable: false, summary: 'the workflow does not match the cloudya/v1 schema' },
  E_WITH_INVALID: { exit: 2, retryable: false, summary: "a step's `with:` block does not match its type's schema" },
  E_DUPLICATE_ID: { exit: 2, retryable: false, summary: 'two steps share an id' },
  E_UNKNOWN_NEEDS: { exit: 2, retryable: false, summary: '`needs` names a step that does not exist' },
  E_CYCLE: { exit: 2, retryable: false, summary: 'the steps depend on each other in a cycle' },
  E_UNKNOWN_STEP_TYPE: { exit: 2, retryable: false, summary: 'a step has a type no plugin provides' },
  E_EXPRESSION: { exit: 2, retryable: false, summary: 'an expression cannot be parsed' },
  E_UNKNOWN_REF: { exit: 2, retryable: false, summary: 'an expression names a param, step or variable that is not available there' },
  E_PARAM: { exit: 2, retryable: false, summary: 'a parameter is missing, unknown or of the wrong type' },
  E_RUN_NOT_FOUND: { exit: 2, retryable: false, summary: 'no run with that id' },
  E_RUN_STATE: { exit: 2, retryable: false, summary: 'the run is not in a state that allows this' },
  E_RUN_LOCKED: { exit: 2, retryable: false, summary: 'another live process is driving this run' },
  E_EVAL: { exit: 1, retryable: false, summary: 'an expression failed while the run was going' },
  E_STEP_FAILED: { exit: 1, retryable: true, summary: 'a step failed' },
  E_COMMAND_FAILED: { exit: 1, retryable: true, summary: 'a command exited with a non-zero code' },
  E_COMMAND_NOT_FOUND: { exit: 1, retryable: false, summary: 'a program the step needs is not installed' },
  E_TIMEOUT: { exit: 1, retryable: true, summary: 'a step ran past its timeout' },
  E_RUN_TIMEOUT: { exit: 1, retryable: false, summary: 'the run ran past its timeout' },
  E_WORKFLOW_FAILED: { exit: 1, retryable: false, summary: 'the workflow failed' },
  E_ROLLBACK_FAILED: { exit: 1, retryable: false, summary: 'a compensation failed; some changes were not undone' },
  E_INTERRUPTED: { exit: 130, retryable: false, summary: 'the run was interrupted (Ctrl-C or a signal)' },
  E_CONFIG: { exit: 2, retryable: false, summary: '~/.cloudya/config.json (or another settings file) is broken' },
  // Safe execution: policy, validate, sandbox.
  E_POLICY: { exit: 2, retryable: false, summary: 'a policy file is invalid' },
  E_POLICY_DENIED: { exit: 1, retryable: false, summary: 'the policy denies a command' },
  E_NOT_APPROVED: { exit: 1, retryable: false, summary: 'a command needs approval (--yes, or confirm on a terminal)' },
  E_SANDBOX_UNAVAILABLE: { exit: 1, retryable: false, summary: 'the sandbox backend cannot work on this machine' },
  E_SANDBOX_LIMIT: { exit: 1, retryable: false, summary: 'a sandbox limit (memory, processes, time, output) ended the command' },
  // Infrastructure: terraform, templates, deployments, connect.
  E_TEMPLATE_NOT_FOUND: { exit: 2, retryable: false, summary: 'no template with that name' },
  E_DEPLOYMENT_NOT_FOUND: { exit: 2, retryable: false, summary: 'no deployment with that id' },
  E_TERRAFORM_CONFIG: { exit: 1, retryable: false, summary: 'terraform rejected the configuration or variables' },
  E_TERRAFORM_CREDENTIALS: { exit: 1, retryable: false, summary: 'the provider refused the credentials' },
  E_TERRAFORM_TRANSIENT: { exit: 1, retryable: true, summary: 'terraform hit a transient error (network, state lock)' },
  E_CONNECT: { exit: 1, retryable: false, summary: 'a provider connection could not be verified' },
  // Applications: ansible, app templates.
  E_APP_NOT_FOUND: { exit: 2, retryable: false, summary: 'no app template with that name' },
  E_ANSIBLE_UNREACHABLE: { exit: 1, retryable: true, summary: 'ansible could not reach a host' },
  E_ANSIBLE_FAILED: { exit: 1, retryable: false, summary: 'a playbook task failed' },
  // Observability: probe, diagnose, monitor.
  E_PROBE_FAILED: { exit: 1, retryable: true, summary: 'a probe found a critical problem' },
  // AI.
  E_AI_NOT_CONFIGURED: { exit: 2, retryable: false, summary: 'no AI model is configured' },
  E_AI_AUTH: { exit: 1, retryable: false, summary: 'the AI endpoint refused the API key' },
  E_AI_MODEL: { exit: 1, retryable: false, summary: 'the AI endpoint does not know the model' },
  E_AI_TRANSIENT: { exit: 1, retryable: true, summary: 'the AI endpoint failed transiently (429, 5xx, timeout)' },
  E_AI_BAD_ANSWER: { exit: 1, retryable: false, summary: 'the model’s answer did not match the expected schema' },
  E_AI_REQUEST: { exit: 1, retryable: false, summary: 'the AI endpoint rejected the request (400, 422)' },
  E_INTERNAL: { exit: 1, retryable: false, summary: 'a bug in cloudya' },
} as const;

export type ErrorCode = keyof typeof ERROR_CODES;

export interface SourceLocation {
  file: string;
  line: number;
  col: number;
}

export interface CloudyaErrorOptions {
  hint?: string;
  cause?: unknown;
  retryable?: boolean;
  location?: SourceLocation;
  /** Extra machine-readable facts (JSON-serialisable). */
  details?: Record<string, unknown>;
}

export class CloudyaError extends Error {
  override readonly name = 'CloudyaError';
  readonly code: ErrorCode;
  readonly exitCode: number;
  readonly retryable: boolean;
  readonly hint: string | undefined;
  readonly location: SourceLocation | undefined;
  readonly details: Record<string, unknown> | undefined;

  constructor(code: ErrorCode, message: string, options: CloudyaErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.exitCode = ERROR_CODES[code].exit;
    this.retryable = options.retryable ?? ERROR_CODES[code].retryable;
    this.hint = options.hint;
    this.location = options.location;
    this.details = options.details;
  }

  /** One line: `file:line:col: E_CODE message (hint)`. */
  get shortMessage(): string {
    const where = this.location ? `${this.location.file}:${this.location.line}:${this.location.col}: ` : '';
    return `${where}${this.code} ${this.message}${this.hint ? `\n  hint: ${this.hint}` : ''}`;
  }

  toJSON(): Record<string, unknown> {
    return {
      code: this.code,
      message: this.message,
      ...(this.hint ? { hint: this.hint } : {}),
      ...(this.location ? { location: this.location } : {}),
      retryable: this.retryable,
      ...(this.details ? { details: this.details } : {}),
    };
  }
}

/** A validation problem; many are collected and reported at once. */
export interface Diagnostic {
  code: ErrorCode;
  message: string;
  hint?: string;
  file: string;
  line: number;
  col: number;
  /** Path inside the document, e.g. `steps[2].with.command`. */
  path: string;
}

/** Turns anything thrown into a CloudyaError (unknown errors are E_STEP_FAILED, kept as cause). */
export function toCloudyaError(err: unknown, fallback: ErrorCode = 'E_STEP_FAILED'): CloudyaError {
  if (err instanceof CloudyaError) return err;
  if (err instanceof Error) return new CloudyaError(fallback, err.message, { cause: err });
  return new CloudyaError(fallback, String(err));
}

/** Thrown by `validate`/`run` when the workflow has problems; carries them all. */
export class ValidationError extends CloudyaError {
  readonly diagnostics: Diagnostic[];
  constructor(diagnostics: Diagnostic[]) {
    const first = diagnostics[0];
    super(first?.code ?? 'E_SCHEMA', `${diagnostics.length} problem${diagnostics.length === 1 ? '' : 's'} in the workflow`, {
      ...(first ? { location: { file: first.file, line: first.line, col: first.col } } : {}),
    });
    this.diagnostics = diagnostics;
  }
}
