// Runs the sandbox step in-process with a real step context (the engine's exec,
// the real bwrap and cgroups), so tests can read outputs and errors directly.
import { mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { execCommand } from '../../engine/exec.js';
import { CloudyaError } from '../../engine/errors.js';
import type { StepContext } from '../../engine/step-api.js';
import { tmpDir } from '../helpers.js';
import sandbox from '../../steps/sandbox.js';
import { cgroupPrefix } from '../../steps/sandbox/cgroup.js';
import { detectLayout } from '../../steps/sandbox/cgroup-layout.js';
import type { SandboxInput, SandboxOutputs } from '../../steps/sandbox/options.js';

export interface Harness {
  workDir: string;
  workflowDir: string;
  lines: string[];
  ctx: StepContext;
}

export function harness(secrets: string[] = []): Harness {
  const root = tmpDir('cloudya-sbx-');
  const workDir = join(root, 'work');
  const workflowDir = join(root, 'wf');
  mkdirSync(workDir);
  mkdirSync(workflowDir);
  const lines: string[] = [];
  const mask = (t: string) => secrets.reduce((s, v) => s.split(v).join('***'), t);
  const signal = new AbortController().signal;
  const log = { debug() {}, info() {}, warn: (m: string) => void lines.push(`warn ${m}`), error() {} };
  const ctx: StepContext = {
    runId: 'test-run', stepId: 'sbx', attempt: 1, signal, workDir, workflowDir, log, mask,
    progress() {},
    exec: (file, args, options) => execCommand({ signal, mask, onLine: (stream, line) => void lines.push(`${stream} ${line}`) }, file, args, options),
    confirm: async () => false,
  };
  return { workDir, workflowDir, lines, ctx };
}

export async function runStep(input: SandboxInput, h = harness()): Promise<SandboxOutputs> {
  return sandbox.run(h.ctx, input);
}

/** Runs a step expected to fail; returns the error (with its details). */
export async function failStep(input: SandboxInput, h = harness()): Promise<CloudyaError> {
  try {
    await sandbox.run(h.ctx, input);
  } catch (err) {
    if (err instanceof CloudyaError) return err;
    throw err;
  }
  throw new Error(`expected the step to fail: ${JSON.stringify(input)}`);
}

/** Cgroup directories this process created that still exist. */
export function leftoverCgroups(): string[] {
  const found = detectLayout();
  if (!found.ok) return [];
  const parents = found.layout.version === 1 ? Object.values(found.layout.dirs) : [found.layout.own, join(found.layout.own, '..')];
  return parents.flatMap((p) => {
    try {
      return readdirSync(p).filter((n) => n.startsWith(cgroupPrefix())).map((n) => join(p, n));
    } catch {
      return [];
    }
  });
}

/** Pids of live processes whose command line contains `marker`. */
export function processesWith(marker: string): number[] {
  const out: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name) || Number(name) === process.pid) continue;
    try {
      const cmd = readFileSync(`/proc/${name}/cmdline`, 'utf8');
      if (cmd.includes(marker)) out.push(Number(name));
    } catch { /* gone */ }
  }
  return out;
}
