// Runs one command on a chosen backend with its limits, and says which limit
// (if any) ended it. Library entry point: `runSandboxed`.
import { existsSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import { constants } from 'node:os';
import { randomBytes } from 'node:crypto';
import { CloudyaError } from '../../engine/errors.js';
import type { ExecResult, StepLogger } from '../../engine/step-api.js';
import { bwrapArgs, findBwrap, type Exec } from './bwrap.js';
import { createCgroup } from './cgroup.js';
import { containerOomKilled, containerRunArgs, findEngine, type Engine } from './container.js';
import { commandArgv, DEFAULT_IMAGE, resolveLimits, type Backend, type LimitName, type Limits, type SandboxInput } from './options.js';

export interface SandboxDeps {
  exec: Exec;
  /** The private writable directory (the step's work dir); read it only when needed, as reading may create it. */
  readonly workDir: string;
  workflowDir: string;
  log?: StepLogger;
}

export interface SandboxResult {
  exitCode: number;
  stdout: string;
  stderr: string;
  durationMs: number;
  backend: Backend;
  limit: LimitName | null;
  /** isolation: none only: the signal that ended the command. */
  signal?: string;
}

/** Puts itself into the cgroups, sets RLIMIT_CPU, then becomes bwrap. */
const WRAPPER = 't=$1; n=$2; shift 2; ulimit -t "$t" || { echo "cloudya-sandbox: cannot set RLIMIT_CPU" >&2; exit 125; }; '
  + 'while [ "$n" -gt 0 ]; do echo $$ > "$1" || { echo "cloudya-sandbox: cannot join $1" >&2; exit 125; }; shift; n=$((n-1)); done; exec "$@"';

/** Lines streamed to the run's log per command: a flood of short lines would cost more than the output cap suggests. */
export const MAX_LOG_LINES = 10_000;

const SIGXCPU_EXIT = 128 + (constants.signals.SIGXCPU ?? 24);

function exitCodeOf(r: ExecResult): number {
  const n = r.signal ? constants.signals[r.signal as NodeJS.Signals] : undefined;
  return n ? 128 + n : r.exitCode;
}

/** The sandbox's whole environment: nothing from the host unless named in passEnv. */
export function sandboxEnv(input: SandboxInput, home: string, log?: StepLogger): Record<string, string> {
  const env: Record<string, string> = {
    PATH: process.env.PATH || '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
    HOME: home,
    TMPDIR: '/tmp',
    LANG: process.env.LANG || 'C.UTF-8',
  };
  for (const name of input.passEnv ?? []) {
    const v = process.env[name];
    if (v === undefined) log?.warn(`passEnv: ${name} is not set; not passed`);
    else env[name] = v;
  }
  return { ...env, ...input.env };
}

function resolveMounts(input: SandboxInput, workflowDir: string, workDir: string): { source: string; target: string; writable: boolean }[] {
  return (input.mounts ?? []).map((m) => {
    const source = resolve(workflowDir, m.source);
    if (!existsSync(source)) throw new CloudyaError('E_FILE_NOT_FOUND', `mount source ${source} does not exist`, { hint: 'mounts[].source is a path relative to the workflow file’s folder' });
    if (m.target !== undefined && !isAbsolute(m.target)) throw new CloudyaError('E_WITH_INVALID', `mount target ${m.target} is not an absolute path`, { hint: 'give mounts[].target as an absolute path inside the sandbox, or leave it out to use the source path' });
    const target = m.target ?? source;
    // bwrap creates a missing mount point only where the sandbox is writable.
    if (!existsSync(target) && !inside(target, '/tmp') && !inside(target, workDir)) {
      throw new CloudyaError('E_WITH_INVALID', `mount target ${target} does not exist, and the sandbox's read-only root cannot get a new folder there`, { hint: 'use a target under /tmp or the work directory, or an existing path' });
    }
    return { source, target, writable: m.writable === true };
  });
}

const inside = (path: string, dir: string) => path === dir || path.startsWith(`${dir}/`);

/** Arms the wall-clock kill; `stop` disarms it. */
function watchdog(ms: number, onFire: () => void): { stop(): void } {
  const t = setTimeout(onFire, ms);
  return { stop: () => clearTimeout(t) };
}

async function runBwrap(deps: SandboxDeps, input: SandboxInput, limits: Limits): Promise<SandboxResult> {
  const bwrap = findBwrap().path;
  if (!bwrap) throw new CloudyaError('E_SANDBOX_UNAVAILABLE', 'bwrap is not installed');
  const [file, args] = commandArgv(input);
  const mounts = resolveMounts(input, deps.workflowDir, deps.workDir);
  const cwd = input.cwd ? resolve(deps.workflowDir, input.cwd) : deps.workDir;
  const bw = bwrapArgs({ workDir: deps.workDir, cwd, workflowDir: deps.workflowDir, network: input.network === true, mounts });
  // RLIMIT_CPU backs up the wall clock: a process that somehow outlives it still stops.
  const cpuSeconds = Math.ceil((limits.timeMs / 1000) * limits.cpus) + 1;
  const cg = createCgroup(limits);
  let hit: LimitName | null = null;
  const stopFor = (limit: LimitName) => {
    hit ??= limit;
    void cg.kill();
  };
  const timer = watchdog(limits.timeMs, () => stopFor('time'));
  // A fork that failed on pids.max ends the sandbox: a fork bomb stops at once.
  const poll = setInterval(() => { if (cg.events().pidsMax > 0) stopFor('pids'); }, 50);
  let r: ExecResult;
  let events: { oomKills: number; pidsMax: number };
  try {
    r = await deps.exec('/bin/sh', ['-c', WRAPPER, 'cloudya-sandbox', String(cpuSeconds), String(cg.procsFiles.length), ...cg.procsFiles, bwrap, ...bw, '--', file, ...args], {
      cwd: deps.workDir,
      env: sandboxEnv(input, deps.workDir, deps.log),
      extendEnv: false,
      ...(input.stdin !== undefined ? { input: input.stdin } : {}),
      reject: false,
      maxOutput: limits.outputBytes,
      maxBuffer: limits.outputBytes,
      maxLogLines: MAX_LOG_LINES,
    });
  } finally {
    timer.stop();
    clearInterval(poll);
    events = cg.events();
    await cg.remove();
  }
  if (r.exitCode === 125 && r.stderr.includes('cloudya-sandbox: ')) throw new CloudyaError('E_SANDBOX_UNAVAILABLE', r.stderr.trim().split('\n').pop()!);
  const notFound = hit === null && r.exitCode === 1 ? /^bwrap: execvp (.*): No such file or directory/.exec(r.stderr) : null;
  if (notFound) throw new CloudyaError('E_COMMAND_NOT_FOUND', `${notFound[1]}: command not found in the sandbox`, { hint: `install ${notFound[1]} on the host (the sandbox sees the host's programs read-only) or give its full path` });
  if (hit === null && r.exitCode === 1 && /^bwrap: /.test(r.stderr)) {
    throw new CloudyaError('E_SANDBOX_UNAVAILABLE', `bwrap could not set up the sandbox: ${r.stderr.trim().split('\n')[0]!.slice(7)}`, { hint: 'check the step’s cwd and mounts; `cloudya doctor` shows whether bwrap works here' });
  }
  const exitCode = exitCodeOf(r);
  const ok = (input.successCodes ?? [0]).includes(exitCode);
  const limit: LimitName | null = hit
    ?? (r.outputLimited ? 'output' : null)
    ?? (!ok && events.oomKills > 0 ? 'memory' : null)
    ?? (!ok && events.pidsMax > 0 ? 'pids' : null)
    ?? (!ok && exitCode === SIGXCPU_EXIT ? 'cpu' : null);
  return { exitCode, stdout: r.stdout, stderr: r.stderr, durationMs: r.durationMs, backend: 'bwrap', limit };
}

async function runContainer(deps: SandboxDeps, input: SandboxInput, limits: Limits, engine: Engine): Promise<SandboxResult> {
  const bin = findEngine(engine);
  if (!bin) throw new CloudyaError('E_SANDBOX_UNAVAILABLE', `${engine} is not installed`);
  const [file, args] = commandArgv(input);
  const env = sandboxEnv(input, deps.workDir, deps.log);
  delete env.PATH; // the image's own PATH
  const name = `cloudya-${process.pid}-${randomBytes(4).toString('hex')}`;
  const runArgs = containerRunArgs({
    name, image: input.image ?? DEFAULT_IMAGE, workDir: deps.workDir,
    cwd: input.cwd ? resolve(deps.workflowDir, input.cwd) : deps.workDir,
    network: input.network === true, limits, envNames: Object.keys(env),
    mounts: resolveMounts(input, deps.workflowDir, deps.workDir), stdin: input.stdin !== undefined, argv: [file, ...args],
  });
  let hit: LimitName | null = null;
  const timer = watchdog(limits.timeMs, () => {
    hit ??= 'time';
    void deps.exec(bin, ['kill', name], { reject: false }).catch(() => {});
  });
  let r: ExecResult;
  let oom = false;
  try {
    r = await deps.exec(bin, runArgs, { env, ...(input.stdin !== undefined ? { input: input.stdin } : {}), reject: false, maxOutput: limits.outputBytes, maxBuffer: limits.outputBytes, maxLogLines: MAX_LOG_LINES });
  } finally {
    timer.stop();
    oom = await containerOomKilled(deps.exec, bin, name).catch(() => false);
    await deps.exec(bin, ['rm', '-f', name], { reject: false }).catch(() => {});
  }
  if (r.exitCode === 125 && hit === null) throw new CloudyaError('E_SANDBOX_UNAVAILABLE', `${engine} could not start the container: ${r.stderr.trim().split('\n').pop() ?? ''}`, { hint: `check the image (${input.image ?? DEFAULT_IMAGE}) and that ${engine} can pull or has it` });
  const exitCode = exitCodeOf(r);
  const limit: LimitName | null = hit ?? (r.outputLimited ? 'output' : null) ?? (oom ? 'memory' : null);
  return { exitCode, stdout: r.stdout, stderr: r.stderr, durationMs: r.durationMs, backend: engine, limit };
}

async function runHost(deps: SandboxDeps, input: SandboxInput): Promise<SandboxResult> {
  const [file, args] = commandArgv(input);
  const cap = input.outputLimit === undefined ? undefined : resolveLimits({ outputLimit: input.outputLimit }).outputBytes;
  const r = await deps.exec(file, args, {
    cwd: input.cwd ? resolve(deps.workflowDir, input.cwd) : deps.workflowDir,
    ...(input.env ? { env: input.env } : {}),
    ...(input.stdin !== undefined ? { input: input.stdin } : {}),
    ...(cap !== undefined ? { maxOutput: cap, maxBuffer: cap } : {}),
    reject: false,
  });
  return { exitCode: r.exitCode, stdout: r.stdout, stderr: r.stderr, durationMs: r.durationMs, backend: 'none', limit: r.outputLimited ? 'output' : null, ...(r.signal ? { signal: r.signal } : {}) };
}

/** Runs `input`'s command on `backend` (already chosen, see chooseBackend). */
export async function runSandboxed(deps: SandboxDeps, input: SandboxInput, backend: Backend): Promise<SandboxResult> {
  if (backend === 'none') return runHost(deps, input);
  const limits = resolveLimits(input);
  return backend === 'bwrap' ? runBwrap(deps, input, limits) : runContainer(deps, input, limits, backend);
}
