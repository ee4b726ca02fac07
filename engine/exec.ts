// The one place child processes start: bound to the step's AbortSignal (the
// whole process group is killed), output streamed line by line to the log,
// secrets masked, failures mapped to CloudyaError.
import { CloudyaError } from './errors.js';
import type { ExecOptions, ExecResult } from './step-api.js';
import type { Masker } from './mask.js';

export interface ExecBinding {
  signal: AbortSignal;
  mask: Masker;
  onLine?: (stream: 'stdout' | 'stderr', line: string) => void;
  /** Grace period between SIGTERM and SIGKILL of the process group. */
  killGraceMs?: number;
}

const DEFAULT_MAX_BUFFER = 1024 * 1024;

/** Process groups of children still running: a forced exit kills them all. */
const live = new Set<number>();

export function killAllChildren(signal: NodeJS.Signals = 'SIGKILL'): void {
  for (const pid of live) killGroup(pid, signal);
}

function killGroup(pid: number | undefined, signal: NodeJS.Signals): void {
  if (!pid) return;
  try {
    process.kill(-pid, signal);
  } catch {
    try { process.kill(pid, signal); } catch { /* already gone */ }
  }
}

export async function execCommand(bind: ExecBinding, file: string, args: readonly string[], options: ExecOptions = {}): Promise<ExecResult> {
  const { execa } = await import('execa');
  const started = performance.now();
  const maxBuffer = options.maxBuffer ?? DEFAULT_MAX_BUFFER;
  if (bind.signal.aborted) throw abortError(bind.signal, file);

  const shell = options.shell === true ? '/bin/sh' : options.shell || undefined;
  const [cmd, argv] = shell ? [shell, ['-c', [file, ...args].join(' ')]] : [file, [...args]];
  const child = execa(cmd, argv, {
    cwd: options.cwd,
    env: options.env,
    extendEnv: true,
    input: options.input,
    stdin: options.input === undefined ? 'ignore' : 'pipe',
    // A process group of its own, so cancelling kills grandchildren too.
    detached: true,
    reject: false,
    buffer: false,
    stripFinalNewline: false,
  });

  const out = { stdout: '', stderr: '' };
  const collect = (stream: 'stdout' | 'stderr') => {
    let pending = '';
    child[stream]?.setEncoding('utf8');
    child[stream]?.on('data', (chunk: string) => {
      if (out[stream].length < maxBuffer) out[stream] += chunk.slice(0, maxBuffer - out[stream].length);
      if (!bind.onLine) return;
      pending += chunk;
      let nl: number;
      while ((nl = pending.indexOf('\n')) >= 0) {
        bind.onLine(stream, bind.mask(pending.slice(0, nl)));
        pending = pending.slice(nl + 1);
      }
    });
    child[stream]?.on('end', () => { if (pending && bind.onLine) bind.onLine(stream, bind.mask(pending)); });
  };
  collect('stdout');
  collect('stderr');

  if (child.pid) live.add(child.pid);
  let forceKill: NodeJS.Timeout | undefined;
  const onAbort = () => {
    killGroup(child.pid, 'SIGTERM');
    forceKill = setTimeout(() => killGroup(child.pid, 'SIGKILL'), bind.killGraceMs ?? 2000);
    forceKill.unref();
  };
  bind.signal.addEventListener('abort', onAbort, { once: true });

  let result;
  try {
    result = await child;
  } finally {
    if (child.pid) live.delete(child.pid);
    bind.signal.removeEventListener('abort', onAbort);
    if (forceKill) clearTimeout(forceKill);
  }
  const durationMs = Math.round(performance.now() - started);
  if (bind.signal.aborted) {
    killGroup(child.pid, 'SIGKILL');
    throw abortError(bind.signal, file);
  }
  const res: ExecResult = {
    exitCode: result.exitCode ?? (result.signal ? 128 : 1),
    // Values stay real for the next step; masking happens where they leave the engine
    // (log lines above, persisted outputs, events, error messages).
    stdout: out.stdout,
    stderr: out.stderr,
    durationMs,
    ...(result.signal ? { signal: result.signal } : {}),
  };
  if (result.failed && result.exitCode === undefined && !result.signal) {
    const code = (result.cause as NodeJS.ErrnoException | undefined)?.code;
    if (code === 'ENOENT') {
      throw new CloudyaError('E_COMMAND_NOT_FOUND', `${cmd}: command not found`, { hint: `install ${cmd} or put it on PATH`, cause: result.cause });
    }
    throw new CloudyaError('E_COMMAND_FAILED', bind.mask(result.shortMessage ?? `${cmd} failed to start`), { cause: result.cause });
  }
  if (res.exitCode !== 0 && options.reject !== false) {
    const tail = res.stderr.trim().split('\n').slice(-3).join(' | ');
    throw new CloudyaError('E_COMMAND_FAILED', `exit code ${res.exitCode}${res.signal ? ` (${res.signal})` : ''}${tail ? `: ${tail}` : ''}`, {
      details: { exitCode: res.exitCode, stdout: res.stdout.slice(-4096), stderr: res.stderr.slice(-4096) },
    });
  }
  return res;
}

function abortError(signal: AbortSignal, file: string): CloudyaError {
  const reason = signal.reason;
  if (reason instanceof CloudyaError) return reason;
  return new CloudyaError('E_INTERRUPTED', `${file} was cancelled`);
}
