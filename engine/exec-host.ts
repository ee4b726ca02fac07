// The process runner: a small Node process, started once per run, that spawns
// every command (with execa) on behalf of the engine and streams its output back
// over IPC. Why: Node forks the whole parent to spawn, and after each fork every
// page the parent writes faults; the engine holds the run's state and all its
// libraries, so forking from it cost ~2 ms a step more than forking from a
// process this small (see bench/). It also means that if the engine dies (even
// SIGKILL), this process sees the IPC channel close and kills what is running.
import { execa } from 'execa';

export type HostRequest =
  | { t: 'run'; id: number; cmd: string; args: string[]; cwd?: string; env?: Record<string, string>; input?: string; extendEnv?: boolean }
  | { t: 'kill'; id: number; signal: NodeJS.Signals };

export type HostReply =
  | { t: 'data'; id: number; stream: 'stdout' | 'stderr'; chunk: string }
  | { t: 'exit'; id: number; exitCode?: number; signal?: string; spawnError?: { code?: string; message: string } };

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

async function run(r: Extract<HostRequest, { t: 'run' }>): Promise<void> {
  const child = execa(r.cmd, r.args, {
    cwd: r.cwd,
    env: r.env,
    extendEnv: r.extendEnv !== false,
    input: r.input,
    stdin: r.input === undefined ? 'ignore' : 'pipe',
    // A process group of its own, so cancelling kills grandchildren too.
    detached: true,
    reject: false,
    buffer: false,
    stripFinalNewline: false,
  });
  if (child.pid) groups.set(r.id, child.pid);
  for (const stream of ['stdout', 'stderr'] as const) {
    child[stream]?.setEncoding('utf8');
    child[stream]?.on('data', (chunk: string) => send({ t: 'data', id: r.id, stream, chunk }));
  }
  const res = await child;
  groups.delete(r.id);
  const cause = res.cause as NodeJS.ErrnoException | undefined;
  const spawnError = res.failed && res.exitCode === undefined && !res.signal ? { ...(cause?.code ? { code: cause.code } : {}), message: res.shortMessage ?? 'failed to start' } : undefined;
  send({ t: 'exit', id: r.id, ...(res.exitCode !== undefined ? { exitCode: res.exitCode } : {}), ...(res.signal ? { signal: res.signal } : {}), ...(spawnError ? { spawnError } : {}) });
}

process.on('message', (m: HostRequest) => {
  if (m.t === 'run') void run(m);
  else if (m.t === 'kill') killGroup(groups.get(m.id), m.signal);
});

// The engine decides about signals (Ctrl-C reaches the whole foreground group).
for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(sig, () => {});

// The engine is gone (exit, crash, SIGKILL): nothing it started may outlive it.
process.on('disconnect', () => {
  for (const pid of groups.values()) killGroup(pid, 'SIGKILL');
  process.exit(0);
});
