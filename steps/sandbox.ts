// `sandbox` — runs a command: argv, a shell command line, or a script.
// This version provides `isolation: none`; kernel isolation backends come later.
import { resolve } from 'node:path';
import { defineStep } from '../engine/step-api.js';
import { CloudyaError } from '../engine/errors.js';

export interface SandboxInput {
  command?: string;
  argv?: string[];
  script?: string;
  shell?: string;
  env?: Record<string, string>;
  cwd?: string;
  stdin?: string;
  isolation?: 'none';
  /** Exit codes that count as success (default [0]). */
  successCodes?: number[];
}

export interface SandboxOutputs {
  exitCode: number;
  stdout: string;
  stderr: string;
  durationMs: number;
  [key: string]: unknown;
}

const OUTPUT_KEEP = 64 * 1024;

export default defineStep<SandboxInput, SandboxOutputs>({
  type: 'sandbox',
  description: 'Run a command (argv, command line or script) and capture its exit code and output',
  schema: {
    type: 'object',
    properties: {
      command: { type: 'string', minLength: 1, description: 'A command line, run with `sh -c`' },
      argv: { type: 'array', items: { type: 'string' }, minItems: 1, description: 'Program and arguments, no shell' },
      script: { type: 'string', minLength: 1, description: 'A multi-line script, run with `sh -e`' },
      shell: { type: 'string', description: 'Shell for command/script (default /bin/sh)' },
      env: { type: 'object', additionalProperties: { type: 'string' }, description: 'Extra environment variables' },
      cwd: { type: 'string', description: "Working directory, relative to the workflow file's folder (the default)" },
      stdin: { type: 'string', description: 'Text written to standard input' },
      isolation: { type: 'string', enum: ['none'], description: 'none: run directly on the host' },
      successCodes: { type: 'array', items: { type: 'integer' }, minItems: 1, description: 'Exit codes that count as success' },
    },
    additionalProperties: false,
    oneOf: [{ required: ['command'] }, { required: ['argv'] }, { required: ['script'] }],
  },
  async run(ctx, input) {
    const shell = input.shell ?? '/bin/sh';
    const [file, args] = input.argv
      ? [input.argv[0]!, input.argv.slice(1)]
      : input.script !== undefined
        ? [shell, ['-e', '-c', input.script]]
        : [shell, ['-c', input.command!]];
    const ok = input.successCodes ?? [0];
    const r = await ctx.exec(file, args, {
      cwd: input.cwd ? resolve(ctx.workflowDir, input.cwd) : ctx.workflowDir,
      ...(input.env ? { env: input.env } : {}),
      ...(input.stdin !== undefined ? { input: input.stdin } : {}),
      reject: false,
    });
    const outputs: SandboxOutputs = {
      exitCode: r.exitCode,
      // Like `$(…)` in a shell: one final newline is not part of the value.
      stdout: r.stdout.replace(/\r?\n$/, '').slice(-OUTPUT_KEEP),
      stderr: r.stderr.slice(-OUTPUT_KEEP),
      durationMs: r.durationMs,
    };
    if (!ok.includes(r.exitCode)) {
      const tail = r.stderr.trim().split('\n').slice(-3).join(' | ');
      throw new CloudyaError('E_COMMAND_FAILED', `exit code ${r.exitCode}${r.signal ? ` (${r.signal})` : ''}${tail ? `: ${tail}` : ''}`, {
        details: { ...outputs, stdout: outputs.stdout.slice(-4096), stderr: outputs.stderr.slice(-4096) },
      });
    }
    return outputs;
  },
});
