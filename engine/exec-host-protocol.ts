// The messages between the engine (exec.ts) and the process runner (exec-host.ts).
// A module of its own: importing a value from exec-host.ts would run the
// runner's own code (its message and disconnect handlers) inside the engine.

export type HostRequest =
  | { t: 'run'; id: number; cmd: string; args: string[]; cwd?: string; env?: Record<string, string>; input?: string; extendEnv?: boolean }
  | { t: 'kill'; id: number; signal: NodeJS.Signals };

export type HostReply =
  | { t: 'data'; id: number; stream: 'stdout' | 'stderr'; chunk: string }
  | { t: 'exit'; id: number; exitCode?: number; signal?: string; spawnError?: { code?: string; message: string } };

/** NODE_EXTRA_CA_CERTS travels to the runner under this name (see runnerEnv in exec.ts). */
export const RUNNER_CA_VAR = 'CLOUDYA_RUNNER_NODE_EXTRA_CA_CERTS';
