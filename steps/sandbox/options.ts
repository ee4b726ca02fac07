// The sandbox step's input, its defaults, and the limits resolved from it.
import { parseDuration } from '../../engine/duration.js';
import { CloudyaError } from '../../engine/errors.js';

export const ISOLATIONS = ['auto', 'bwrap', 'docker', 'podman', 'none'] as const;
export type Isolation = (typeof ISOLATIONS)[number];
export type Backend = Exclude<Isolation, 'auto'>;
export type LimitName = 'memory' | 'pids' | 'time' | 'output' | 'cpu';

export interface MountSpec {
  /** A host path, relative to the workflow file's folder. */
  source: string;
  /** Where it appears inside the sandbox (default: the same absolute path). */
  target?: string;
  writable?: boolean;
}

export interface SandboxInput {
  command?: string;
  argv?: string[];
  script?: string;
  shell?: string;
  env?: Record<string, string>;
  cwd?: string;
  stdin?: string;
  /** Exit codes that count as success (default [0]). */
  successCodes?: number[];
  isolation?: Isolation;
  network?: boolean;
  memory?: string | number;
  cpus?: number;
  pids?: number;
  timeLimit?: string | number;
  outputLimit?: string | number;
  mounts?: MountSpec[];
  passEnv?: string[];
  image?: string;
}

export interface SandboxOutputs {
  exitCode: number;
  stdout: string;
  stderr: string;
  durationMs: number;
  backend: Backend;
  limit: LimitName | null;
  [key: string]: unknown;
}

export interface Limits {
  memoryBytes: number;
  cpus: number;
  pids: number;
  timeMs: number;
  outputBytes: number;
}

export const DEFAULT_LIMITS: Limits = {
  memoryBytes: 256 * 1024 * 1024,
  cpus: 1,
  pids: 256,
  timeMs: 30_000,
  outputBytes: 1024 * 1024,
};

export const DEFAULT_IMAGE = 'debian:12-slim';

const UNITS: Record<string, number> = { '': 1, b: 1, k: 1024, kb: 1024, m: 1024 ** 2, mb: 1024 ** 2, g: 1024 ** 3, gb: 1024 ** 3 };

/** '256m', '1g', '512k', 1048576 → bytes (binary units, like docker's --memory). */
export function parseSize(value: string | number, field: string): number {
  if (typeof value === 'number' && Number.isInteger(value) && value > 0) return value;
  const m = typeof value === 'string' ? /^\s*(\d+(?:\.\d+)?)\s*([a-z]*)\s*$/i.exec(value) : null;
  const unit = m ? UNITS[m[2]!.toLowerCase()] : undefined;
  if (!m || unit === undefined || Number(m[1]) <= 0) {
    throw new CloudyaError('E_WITH_INVALID', `${field}: ${JSON.stringify(value)} is not a size`, { hint: "use bytes or a number with k, m or g, e.g. '256m'" });
  }
  return Math.round(Number(m[1]) * unit);
}

/** '256m' for messages. */
export function formatSize(bytes: number): string {
  for (const [u, n] of [['g', 1024 ** 3], ['m', 1024 ** 2], ['k', 1024]] as const) if (bytes % n === 0) return `${bytes / n}${u}`;
  return `${bytes} bytes`;
}

export function resolveLimits(input: SandboxInput): Limits {
  return {
    memoryBytes: input.memory === undefined ? DEFAULT_LIMITS.memoryBytes : parseSize(input.memory, 'memory'),
    cpus: input.cpus ?? DEFAULT_LIMITS.cpus,
    pids: input.pids ?? DEFAULT_LIMITS.pids,
    timeMs: input.timeLimit === undefined ? DEFAULT_LIMITS.timeMs : parseDuration(input.timeLimit),
    outputBytes: input.outputLimit === undefined ? DEFAULT_LIMITS.outputBytes : parseSize(input.outputLimit, 'outputLimit'),
  };
}

/** Fields that only an isolating backend can honour. */
const ISOLATED_ONLY = ['network', 'memory', 'cpus', 'pids', 'timeLimit', 'mounts', 'passEnv', 'image'] as const;

/** `isolation: none` runs on the host: refuse fields it would silently ignore. */
export function checkNoneInput(input: SandboxInput): void {
  const given = ISOLATED_ONLY.filter((k) => input[k] !== undefined);
  if (given.length === 0) return;
  throw new CloudyaError('E_WITH_INVALID', `isolation: none runs the command directly on the host and cannot apply ${given.join(', ')}`, {
    hint: given.includes('timeLimit') ? "remove them, or use the step's `timeout:` for a time limit; or choose an isolating backend (isolation: auto)" : 'remove them, or choose an isolating backend (isolation: auto)',
  });
}

/** The program and arguments the input describes. */
export function commandArgv(input: SandboxInput): [string, string[]] {
  const shell = input.shell ?? '/bin/sh';
  if (input.argv) return [input.argv[0]!, input.argv.slice(1)];
  if (input.script !== undefined) return [shell, ['-e', '-c', input.script]];
  return [shell, ['-c', input.command!]];
}

/** One line for the audit log and messages. */
export function commandText(input: SandboxInput): string {
  if (input.command !== undefined) return input.command;
  if (input.script !== undefined) return input.script.trim();
  return (input.argv ?? []).map(shellQuote).join(' ');
}

function shellQuote(s: string): string {
  return /^[\w@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}
