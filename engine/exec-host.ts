// The process runner: a small Node process, started once per run, that spawns
// every command on behalf of the engine and streams its output back
// over IPC. Why: Node forks the whole parent to spawn, and after each fork every
// page the parent writes faults; the engine holds the run's state and all its
// libraries, so forking from it cost ~2 ms a step more than forking from a
// process this small (see bench/). It also means that if the engine dies (even
// SIGKILL), this process sees the IPC channel close and kills what is running.
//
// It spawns with child_process, not execa: measured here in interleaved calls,
// execa added ~2.3 ms to every spawn of `true` (9.5 → 11.8 ms), more than the
// engine's whole per-step budget, and this runner uses none of what execa adds
// (buffering, rejecting, encoding, cleanup): it only forwards chunks and the exit.
import { spawn, type ChildProcess } from 'node:child_process';

import { RUNNER_CA_VAR, type HostReply, type HostRequest } from './exec-host-protocol.js';

// See runnerEnv() in exec.ts: the commands get the engine's NODE_EXTRA_CA_CERTS back.
if (process.env[RUNNER_CA_VAR] !== undefined) {
  process.env.NODE_EXTRA_CA_CERTS = process.env[RUNNER_CA_VAR];
  delete process.env[RUNNER_CA_VAR];
}

const groups = new Map<number, number>();

function killGroup(pid: number | undefined, signal: NodeJS.Signals): void {
  if (!pid) return;
  try {
    process.kill(-pid, signal);
  } catch {
    try { process.kill(pid, signal); } catch { /* already gone */ }
  }
}

const send = (m: HostReply) => process.send?.(m);

function run(r: Extract<HostRequest, { t: 'run' }>): void {
  let child: ChildProcess;
  try {
    child = spawn(r.cmd, r.args, {
      cwd: r.cwd,
      env: r.extendEnv === false ? (r.env ?? {}) : r.env ? { ...process.env, ...r.env } : process.env,
      stdio: [r.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
      // A process group of its own, so cancelling kills grandchildren too.
      detached: true,
    });
  } catch (err) {
    // Bad arguments (a NUL byte in argv, say) throw instead of emitting 'error'.
    const e = err as NodeJS.ErrnoException;
    send({ t: 'exit', id: r.id, spawnError: { ...(e.code ? { code: e.code } : {}), message: e.message } });
    return;
  }
  if (child.pid) groups.set(r.id, child.pid);
  let spawnError: NodeJS.ErrnoException | undefined;
  child.on('error', (err: NodeJS.ErrnoException) => { spawnError ??= err; });
  for (const stream of ['stdout', 'stderr'] as const) {
    child[stream]!.setEncoding('utf8');
    child[stream]!.on('data', (chunk: string) => send({ t: 'data', id: r.id, stream, chunk }));
  }
  if (r.input !== undefined && child.stdin) {
    // A command that exits without reading its input closes the pipe early: not an error.
    child.stdin.on('error', () => {});
    child.stdin.end(r.input);
  }
  // 'close' comes after the output streams have ended (and after 'error' when spawning failed).
  child.on('close', (code: number | null, signal: NodeJS.Signals | null) => {
    groups.delete(r.id);
    if (spawnError && !signal && (code === null || code < 0)) {
      send({ t: 'exit', id: r.id, spawnError: { ...(spawnError.code ? { code: spawnError.code } : {}), message: spawnError.message } });
      return;
    }
    send({ t: 'exit', id: r.id, ...(code !== null ? { exitCode: code } : {}), ...(signal ? { signal } : {}) });
  });
}

process.on('message', (m: HostRequest) => {
  if (m.t === 'run') run(m);
  else if (m.t === 'kill') killGroup(groups.get(m.id), m.signal);
});

// The engine decides about signals (Ctrl-C reaches the whole foreground group).
for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(sig, () => {});

// The engine is gone (exit, crash, SIGKILL): nothing it started may outlive it.
process.on('disconnect', () => {
  for (const pid of groups.values()) killGroup(pid, 'SIGKILL');
  process.exit(0);
});
