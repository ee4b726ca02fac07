// The docker and podman backends: usable only when the engine answers. The
// container gets the same defaults as bwrap, enforced by the engine itself
// (--memory, --pids-limit, --cpus, --network none, --read-only, --cap-drop ALL).
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';
import { CloudyaError } from '../../engine/errors.js';
import type { Availability, Exec } from './bwrap.js';
import type { Limits } from './options.js';

export type Engine = 'docker' | 'podman';

export function findEngine(engine: Engine): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (!dir) continue;
    try {
      accessSync(join(dir, engine), constants.X_OK);
      return join(dir, engine);
    } catch { /* next */ }
  }
  return undefined;
}

const probes = new Map<Engine, Promise<Availability>>();

/** Asks the engine for its version (5 s at most), once per process. */
export function probeEngine(exec: Exec, engine: Engine): Promise<Availability> {
  const bin = findEngine(engine);
  if (!bin) return Promise.resolve({ ok: false, detail: `${engine} is not installed`, hint: `install ${engine} and start its engine, or use isolation: bwrap` });
  let p = probes.get(engine);
  if (!p) {
    const format = engine === 'docker' ? '{{.ServerVersion}}' : '{{.Version.Version}}';
    p = exec('timeout', ['5', bin, 'info', '--format', format], { reject: false }).then(
      (r): Availability => r.exitCode === 0 && r.stdout.trim()
        ? { ok: true, detail: `${engine} ${r.stdout.trim()}` }
        : { ok: false, detail: `${engine} is installed but its engine does not answer (${r.stderr.trim().split('\n').pop() || `exit ${r.exitCode}`})`, hint: `start the ${engine} engine (e.g. \`systemctl start ${engine}\`), or use isolation: bwrap` },
      (err: unknown): Availability => {
        // No `timeout` program: say so. Cancelled (Ctrl-C): not a verdict, not cached.
        if (err instanceof CloudyaError && err.code === 'E_COMMAND_NOT_FOUND') return { ok: false, detail: `${engine} could not be asked: ${err.message}`, hint: 'install coreutils (for `timeout`)' };
        probes.delete(engine);
        throw err;
      },
    );
    probes.set(engine, p);
  }
  return p;
}

export interface ContainerPlan {
  name: string;
  image: string;
  workDir: string;
  cwd: string;
  network: boolean;
  limits: Limits;
  /** Names only: values travel in the client's environment, never on its command line. */
  envNames: string[];
  mounts: { source: string; target: string; writable: boolean }[];
  stdin: boolean;
  argv: string[];
}

/** `docker run …` (podman takes the same flags). The container is removed by the caller after it is inspected. */
export function containerRunArgs(plan: ContainerPlan): string[] {
  const l = plan.limits;
  const a = ['run', '--name', plan.name, ...(plan.stdin ? ['-i'] : [])];
  a.push('--network', plan.network ? 'bridge' : 'none', '--cap-drop', 'ALL', '--security-opt', 'no-new-privileges', '--read-only');
  a.push('--tmpfs', '/tmp', '--memory', `${l.memoryBytes}b`, '--memory-swap', `${l.memoryBytes}b`, '--cpus', String(l.cpus), '--pids-limit', String(l.pids));
  for (const m of plan.mounts) a.push('-v', `${m.source}:${m.target}${m.writable ? '' : ':ro'}`);
  a.push('-v', `${plan.workDir}:${plan.workDir}`, '-w', plan.cwd);
  for (const n of plan.envNames) a.push('-e', n);
  a.push('--', plan.image, ...plan.argv);
  return a;
}

/** Whether the engine's OOM killer ended the container. */
export async function containerOomKilled(exec: Exec, bin: string, name: string): Promise<boolean> {
  const r = await exec(bin, ['inspect', '--format', '{{.State.OOMKilled}}', name], { reject: false });
  return r.stdout.trim() === 'true';
}
