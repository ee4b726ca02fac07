// `sandbox` — runs a command (argv, a shell command line, or a script) isolated
// by the kernel: bwrap by default (no network, read-only root, cgroup limits),
// docker/podman when their engine answers, or on the host with `isolation: none`.
import { defineStep } from '../engine/step-api.js';
import { CloudyaError, toCloudyaError } from '../engine/errors.js';
import { appendAudit } from '../engine/audit.js';
import { DURATION_PATTERN } from '../engine/workflow-schema.js';
import { chooseBackend } from './sandbox/backends.js';
import { runSandboxed, type SandboxResult } from './sandbox/execute.js';
import { checkNoneInput, commandText, formatSize, ISOLATIONS, resolveLimits, type Backend, type SandboxInput, type SandboxOutputs } from './sandbox/options.js';

export type { SandboxInput, SandboxOutputs } from './sandbox/options.js';

const OUTPUT_KEEP = 64 * 1024;
const SIZE = { type: ['string', 'integer'], pattern: '^\\s*\\d+(\\.\\d+)?\\s*([kKmMgG][bB]?|[bB])?\\s*$', minimum: 1 };
const DURATION = { type: ['string', 'number'], pattern: DURATION_PATTERN, exclusiveMinimum: 0 };

function limitMessage(r: SandboxResult, input: SandboxInput): string {
  const l = resolveLimits(input);
  const what = {
    memory: `the memory limit (${formatSize(l.memoryBytes)})`,
    pids: `the process limit (${l.pids} processes and threads)`,
    time: `the time limit (${l.timeMs / 1000}s)`,
    output: `the output limit (${formatSize(l.outputBytes)})`,
    cpu: 'the CPU-time limit',
  }[r.limit!];
  return `${what} ended the command (exit code ${r.exitCode}, ${r.backend} sandbox)`;
}

const LIMIT_HINTS = {
  memory: 'raise `memory:` in the step’s with: block if the command really needs more',
  pids: 'raise `pids:` if the command legitimately starts many processes or threads',
  time: 'raise `timeLimit:` if the command needs longer',
  output: 'raise `outputLimit:`, or write large output to a file in the work directory',
  cpu: 'raise `timeLimit:` or `cpus:`',
} as const;

export default defineStep<SandboxInput, SandboxOutputs>({
  type: 'sandbox',
  description: 'Run a command (argv, command line or script) in a kernel sandbox and capture its exit code and output',
  schema: {
    type: 'object',
    properties: {
      command: { type: 'string', minLength: 1, description: 'A command line, run with `sh -c`' },
      argv: { type: 'array', items: { type: 'string' }, minItems: 1, description: 'Program and arguments, no shell' },
      script: { type: 'string', minLength: 1, description: 'A multi-line script, run with `sh -e`' },
      shell: { type: 'string', description: 'Shell for command/script (default /bin/sh)' },
      env: { type: 'object', additionalProperties: { type: 'string' }, description: 'Extra environment variables' },
      cwd: { type: 'string', description: "Working directory, relative to the workflow file's folder (default: the private work directory; for isolation: none, the workflow's folder)" },
      stdin: { type: 'string', description: 'Text written to standard input' },
      successCodes: { type: 'array', items: { type: 'integer' }, minItems: 1, description: 'Exit codes that count as success' },
      isolation: { type: 'string', enum: [...ISOLATIONS], description: 'auto (default): bwrap where it works, else docker/podman; none: run directly on the host' },
      network: { type: 'boolean', description: 'Allow network access (default false)' },
      memory: { ...SIZE, description: "Memory limit, e.g. '256m' (the default)" },
      cpus: { type: 'number', minimum: 0.01, maximum: 1024, description: 'CPU limit in cores (default 1)' },
      pids: { type: 'integer', minimum: 8, description: 'Limit on processes and threads (default 256)' },
      timeLimit: { ...DURATION, description: "Wall-clock limit, e.g. '30s' (the default)" },
      outputLimit: { ...SIZE, description: "Cap on stdout and stderr together, e.g. '1m' (the default)" },
      mounts: {
        type: 'array',
        description: 'Extra host paths visible in the sandbox (read-only unless writable)',
        items: {
          type: 'object',
          properties: {
            source: { type: 'string', minLength: 1, description: "A host path, relative to the workflow file's folder" },
            target: { type: 'string', minLength: 1, description: 'An absolute path inside the sandbox (default: the source path)' },
            writable: { type: 'boolean', description: 'Mount read-write (default false)' },
          },
          required: ['source'],
          additionalProperties: false,
        },
      },
      passEnv: { type: 'array', items: { type: 'string', pattern: '^[A-Za-z_][A-Za-z0-9_]*$' }, description: 'Host environment variables passed in by name' },
      image: { type: 'string', minLength: 1, description: 'Container image for docker/podman (default debian:12-slim)' },
    },
    additionalProperties: false,
    oneOf: [{ required: ['command'] }, { required: ['argv'] }, { required: ['script'] }],
  },
  async run(ctx, input) {
    const isolation = input.isolation ?? 'auto';
    if (isolation === 'none') checkNoneInput(input);
    else resolveLimits(input);
    const audit = (backend: Backend | 'auto' | 'bwrap', r: SandboxResult | undefined, reason?: string) => {
      try {
        appendAudit({
          runId: ctx.runId, stepId: ctx.stepId, kind: 'executed', command: commandText(input), backend,
          exitCode: r ? r.exitCode : null, limit: r ? r.limit : null, ...(r ? { durationMs: r.durationMs } : {}), ...(reason ? { reason } : {}),
        }, ctx.mask);
      } catch (err) {
        ctx.log.warn(`could not append to the audit log: ${(err as Error).message}`);
      }
    };
    let backend: Backend | undefined;
    let r: SandboxResult;
    try {
      backend = await chooseBackend(ctx.exec, isolation);
      // The work dir is made on first read: isolation: none runs in the workflow's folder and never needs it.
      r = await runSandboxed({ exec: ctx.exec, get workDir() { return ctx.workDir; }, workflowDir: ctx.workflowDir, log: ctx.log }, input, backend);
    } catch (err) {
      const e = toCloudyaError(err);
      audit(backend ?? isolation, undefined, `${e.code} ${e.message}`);
      throw e;
    }
    audit(r.backend, r);
    const outputs: SandboxOutputs = {
      exitCode: r.exitCode,
      // Like `$(…)` in a shell: one final newline is not part of the value.
      stdout: r.stdout.replace(/\r?\n$/, '').slice(-OUTPUT_KEEP),
      stderr: r.stderr.slice(-OUTPUT_KEEP),
      durationMs: r.durationMs,
      backend: r.backend,
      limit: r.limit,
    };
    const details = { ...outputs, stdout: outputs.stdout.slice(-4096), stderr: outputs.stderr.slice(-4096) };
    if (r.limit) throw new CloudyaError('E_SANDBOX_LIMIT', limitMessage(r, input), { hint: LIMIT_HINTS[r.limit], details });
    if (!(input.successCodes ?? [0]).includes(r.exitCode)) {
      const tail = r.stderr.trim().split('\n').slice(-3).join(' | ');
      throw new CloudyaError('E_COMMAND_FAILED', `exit code ${r.exitCode}${r.signal ? ` (${r.signal})` : ''}${tail ? `: ${tail}` : ''}`, { details });
    }
    return outputs;
  },
});
