// The one place child processes start: bound to the step's AbortSignal (the
// whole process group is killed), output streamed line by line to the log,
// secrets masked, failures mapped to CloudyaError. The spawning itself happens
// in the process runner (exec-host.ts), a small process of its own.
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { CloudyaError } from './errors.js';
import { drainWrites } from './write-behind.js';
import { RUNNER_CA_VAR, type HostReply, type HostRequest } from './exec-host-protocol.js';
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
/** The process runner's Node flags (see runner()). --no-expose-wasm: --jitless turns wasm off anyway, and says so on stderr unless told. */
export const RUNNER_FLAGS = ['--jitless', '--no-expose-wasm', '--single-threaded', '--max-semi-space-size=1'];

interface Pending {
  onData(stream: 'stdout' | 'stderr', chunk: string): void;
  onExit(reply: Extract<HostReply, { t: 'exit' }>): void;
}

let host: ChildProcess | undefined;
let nextId = 1;
const pending = new Map<number, Pending>();

/** The process runner (engine/exec-host.ts), started on first use. */
function runner(): ChildProcess {
  if (host?.connected) return host;
  const child = fork(fileURLToPath(new URL('./exec-host.js', import.meta.url)), [], {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    // No inherited flags (profilers, --import hooks), and a lean V8: Node forks
    // the whole runner for every command, and the fewer pages it has touched the
    // cheaper each fork and the page faults after it. No JIT (its code space),
    // no V8 worker threads, a 1 MB young generation. Measured here: 6.4 -> 5.7 ms
    // a spawn of `true`, ~0.8 ms a step in a chain of 1000; forwarding 40 MB of
    // output took the same time either way.
    execArgv: RUNNER_FLAGS,
    env: runnerEnv(),
  });
  child.on('message', (m: HostReply) => {
    const p = pending.get(m.id);
    if (!p) return;
    if (m.t === 'data') p.onData(m.stream, m.chunk);
    else {
      pending.delete(m.id);
      idle();
      p.onExit(m);
    }
  });
  child.on('exit', (code, signal) => {
    if (host === child) host = undefined;
    for (const [id, p] of pending) {
      pending.delete(id);
      p.onExit({ t: 'exit', id, spawnError: { message: `the process runner stopped (${signal ?? `exit ${code}`})` } });
    }
  });
  host = child;
  idle();
  return child;
}

/**
 * The engine's environment, except that NODE_EXTRA_CA_CERTS is passed under
 * another name: Node reads that bundle at startup (~40 ms on this VM), and the
 * runner makes no TLS connections. It puts the variable back for the commands.
 */
function runnerEnv(): NodeJS.ProcessEnv {
  const extra = process.env.NODE_EXTRA_CA_CERTS;
  if (extra === undefined) return process.env;
  const { NODE_EXTRA_CA_CERTS: _, ...env } = process.env;
  return { ...env, [RUNNER_CA_VAR]: extra };
}

/** The runner keeps the engine alive only while a command runs. */
function idle(): void {
  const h = host as (ChildProcess & { channel?: { ref(): void; unref(): void } }) | undefined;
  if (!h) return;
  if (pending.size > 0) {
    h.ref();
    h.channel?.ref();
  } else {
    h.unref();
    h.channel?.unref();
  }
}

/** Starts the process runner early, so its startup (~100 ms) overlaps the engine's loading and validating. */
export function prewarmExec(): void {
  runner();
}

/** A forced exit: the runner kills every command it started when its channel closes. */
export function killAllChildren(): void {
  host?.disconnect();
}

export async function execCommand(bind: ExecBinding, file: string, args: readonly string[], options: ExecOptions = {}): Promise<ExecResult> {
  const started = performance.now();
  const maxBuffer = options.maxBuffer ?? DEFAULT_MAX_BUFFER;
  if (bind.signal.aborted) throw abortError(bind.signal, file);

  const shell = options.shell === true ? '/bin/sh' : options.shell || undefined;
  const [cmd, argv] = shell ? [shell, ['-c', [file, ...args].join(' ')]] : [file, [...args]];
  const id = nextId++;
  const out = { stdout: '', stderr: '' };
  const partial = { stdout: '', stderr: '' };
  const maxOutput = options.maxOutput;
  let logged = 0;
  let unlogged = 0;
  // Lines go to the log (unless the caller reports them itself, or past maxLogLines) and to the caller's onLine.
  const toLog = options.echo === false ? undefined : bind.onLine;
  const logLine = toLog
    ? (stream: 'stdout' | 'stderr', line: string) => {
        if (options.maxLogLines !== undefined && logged >= options.maxLogLines) {
          unlogged++;
          return;
        }
        logged++;
        toLog(stream, line);
      }
    : undefined;
  const emitLine = logLine && options.onLine
    ? (stream: 'stdout' | 'stderr', line: string) => { logLine(stream, line); options.onLine!(stream, line); }
    : logLine ?? options.onLine;
  let received = 0;
  let outputLimited = false;

  let forceKill: NodeJS.Timeout | undefined;
  const onAbort = () => {
    host?.send({ t: 'kill', id, signal: 'SIGTERM' } satisfies HostRequest);
    forceKill = setTimeout(() => host?.send({ t: 'kill', id, signal: 'SIGKILL' } satisfies HostRequest), bind.killGraceMs ?? 2000);
    forceKill.unref();
  };
  const reply = await new Promise<Extract<HostReply, { t: 'exit' }>>((resolve) => {
    pending.set(id, {
      onData(stream, chunk) {
        if (outputLimited) return;
        if (maxOutput !== undefined) {
          received += Buffer.byteLength(chunk);
          if (received > maxOutput) {
            // Keep what fits under the cap, then stop the command and the log.
            chunk = Buffer.from(chunk).subarray(0, Math.max(0, Buffer.byteLength(chunk) - (received - maxOutput))).toString();
            outputLimited = true;
            host?.send({ t: 'kill', id, signal: 'SIGKILL' } satisfies HostRequest);
          }
        }
        if (out[stream].length < maxBuffer) out[stream] += chunk.slice(0, maxBuffer - out[stream].length);
        if (!emitLine) return;
        // One pass over the chunk: slicing the rest after every line is quadratic.
        const text = partial[stream] + chunk;
        let start = 0;
        let nl: number;
        while ((nl = text.indexOf('\n', start)) >= 0) {
          emitLine(stream, bind.mask(text.slice(start, nl)));
          start = nl + 1;
        }
        partial[stream] = text.slice(start);
      },
      onExit: resolve,
    });
    bind.signal.addEventListener('abort', onAbort, { once: true });
    runner().send({ t: 'run', id, cmd, args: argv, ...(options.cwd ? { cwd: options.cwd } : {}), ...(options.env ? { env: options.env } : {}), ...(options.input !== undefined ? { input: options.input } : {}), ...(options.extendEnv === false ? { extendEnv: false } : {}) } satisfies HostRequest);
    idle();
    // The command is on its way: now the log lines that could wait (see write-behind.ts).
    drainWrites();
  });
  bind.signal.removeEventListener('abort', onAbort);
  if (forceKill) clearTimeout(forceKill);
  if (emitLine) for (const stream of ['stdout', 'stderr'] as const) if (partial[stream]) emitLine(stream, bind.mask(partial[stream]));
  if (unlogged > 0) toLog?.('stderr', `[cloudya] ${unlogged} more output line${unlogged === 1 ? '' : 's'} not shown in the log (limit ${options.maxLogLines})`);

  const durationMs = Math.round(performance.now() - started);
  if (bind.signal.aborted) throw abortError(bind.signal, file);
  if (reply.spawnError) {
    if (reply.spawnError.code === 'ENOENT') {
      throw new CloudyaError('E_COMMAND_NOT_FOUND', `${cmd}: command not found`, { hint: `install ${cmd} or put it on PATH (or check the working directory: ${options.cwd ?? process.cwd()})` });
    }
    throw new CloudyaError('E_COMMAND_FAILED', bind.mask(reply.spawnError.message));
  }
  // Values stay real for the next step; masking happens where they leave the engine
  // (log lines above, persisted outputs, events, error messages).
  const res: ExecResult = {
    exitCode: reply.exitCode ?? (reply.signal ? 128 : 1),
    stdout: out.stdout,
    stderr: out.stderr,
    durationMs,
    ...(reply.signal ? { signal: reply.signal } : {}),
    ...(outputLimited ? { outputLimited } : {}),
  };
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
