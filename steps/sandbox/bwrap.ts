// The bubblewrap backend: where bwrap is, whether it can work here (and if not,
// why and what to change), and the command line for one sandboxed command.
import { accessSync, constants, existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, join, isAbsolute } from 'node:path';
import { cloudyaHome, readConfig } from '../../engine/config.js';
import { CloudyaError } from '../../engine/errors.js';
import type { ExecOptions, ExecResult } from '../../engine/step-api.js';

export type Exec = (file: string, args: readonly string[], options?: ExecOptions) => Promise<ExecResult>;

export interface Availability {
  ok: boolean;
  /** Why not (when !ok), or what was found (bwrap's version). */
  detail: string;
  hint?: string;
}

export const INSTALL_HINT = 'install bubblewrap (Debian/Ubuntu: `apt-get install bubblewrap`; Fedora/RHEL: `dnf install bubblewrap`; Arch: `pacman -S bubblewrap`), or point CLOUDYA_BWRAP or `bwrap_path` in ~/.cloudya/config.json at the binary';

/** CLOUDYA_BWRAP, then config `bwrap_path`, then `bwrap` on PATH. Undefined when nothing is found. */
export function findBwrap(): { path: string | undefined; from: string } {
  const fromEnv = process.env.CLOUDYA_BWRAP;
  if (fromEnv) return { path: executable(fromEnv) ? fromEnv : undefined, from: `CLOUDYA_BWRAP=${fromEnv}` };
  const configured = readConfig().bwrap_path;
  if (typeof configured === 'string' && configured) return { path: executable(configured) ? configured : undefined, from: `bwrap_path ${configured} in ${join(cloudyaHome(), 'config.json')}` };
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (!dir) continue;
    const candidate = join(dir, 'bwrap');
    if (executable(candidate)) return { path: candidate, from: 'PATH' };
  }
  return { path: undefined, from: `PATH (${process.env.PATH ?? ''})` };
}

function executable(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return isAbsolute(file) || file.includes('/');
  } catch {
    return false;
  }
}

function sysctl(name: string): string | undefined {
  try {
    return readFileSync(`/proc/sys/${name.replace(/\./g, '/')}`, 'utf8').trim();
  } catch {
    return undefined;
  }
}

/** Turns a failed trial run of bwrap into a reason and a fix. */
export function diagnoseBwrap(stderr: string): Availability {
  const text = stderr.trim().split('\n').slice(-2).join(' | ') || 'no error output';
  if (sysctl('kernel.apparmor_restrict_unprivileged_userns') === '1' && process.getuid?.() !== 0) {
    return { ok: false, detail: `bwrap cannot create a user namespace: AppArmor restricts unprivileged user namespaces (Ubuntu 23.10+/24.04) (${text})`, hint: 'allow bwrap an AppArmor profile with `userns,` (e.g. /etc/apparmor.d/bwrap: `abi <abi/4.0>, include <tunables/global> profile bwrap /usr/bin/bwrap flags=(unconfined) { userns, }`, then `apparmor_parser -r /etc/apparmor.d/bwrap`), or `sysctl -w kernel.apparmor_restrict_unprivileged_userns=0`' };
  }
  if (sysctl('kernel.unprivileged_userns_clone') === '0' && process.getuid?.() !== 0) {
    return { ok: false, detail: `bwrap cannot create a user namespace: kernel.unprivileged_userns_clone is 0 (${text})`, hint: 'run `sysctl -w kernel.unprivileged_userns_clone=1` (persist it in /etc/sysctl.d/), or run cloudya as root' };
  }
  if (sysctl('user.max_user_namespaces') === '0') {
    return { ok: false, detail: `bwrap cannot create a user namespace: user.max_user_namespaces is 0 (${text})`, hint: 'run `sysctl -w user.max_user_namespaces=15000` (persist it in /etc/sysctl.d/)' };
  }
  if (/namespace|uid map|Operation not permitted|Permission denied/i.test(text)) {
    return { ok: false, detail: `bwrap cannot create its namespaces here (${text})`, hint: 'inside a container, allow nested namespaces (e.g. docker run --security-opt seccomp=unconfined --cap-add SYS_ADMIN), or run cloudya on the host; `cloudya doctor` shows what works' };
  }
  return { ok: false, detail: `bwrap failed a trial run (${text})`, hint: 'run `bwrap --ro-bind / / --unshare-all true` to see the problem; `cloudya doctor` shows what works' };
}

const probes = new Map<string, Promise<Availability>>();

/** Runs `true` in a bwrap sandbox with the namespaces the backend uses, once per process and binary. */
export function probeBwrap(exec: Exec): Promise<Availability> {
  const { path, from } = findBwrap();
  if (!path) return Promise.resolve({ ok: false, detail: `bwrap is not installed (looked in ${from})`, hint: INSTALL_HINT });
  let p = probes.get(path);
  if (!p) {
    p = (async (): Promise<Availability> => {
      try {
        const r = await exec(path, ['--ro-bind', '/', '/', '--unshare-all', '--new-session', '--die-with-parent', '--cap-drop', 'ALL', '--', 'true'], { reject: false });
        if (r.exitCode === 0) return { ok: true, detail: path };
        return diagnoseBwrap(r.stderr);
      } catch (err) {
        // Cancelled (Ctrl-C, timeout): not a verdict on bwrap, so not cached.
        if (!(err instanceof CloudyaError && err.code === 'E_COMMAND_NOT_FOUND')) {
          probes.delete(path);
          throw err;
        }
        return { ok: false, detail: `bwrap (${path}) cannot be started: ${err.message}`, hint: INSTALL_HINT };
      }
    })();
    probes.set(path, p);
  }
  return p;
}

export interface BwrapPlan {
  workDir: string;
  cwd: string;
  workflowDir: string;
  network: boolean;
  /** Resolved host paths. */
  mounts: { source: string; target: string; writable: boolean }[];
}

/** Directories hidden behind an empty tmpfs: the user's home (keys, cloud credentials) and cloudya's data. */
function maskedDirs(): string[] {
  return [...new Set([homedir(), cloudyaHome()])].filter((d) => d !== '/' && existsSync(d));
}

const inside = (dir: string, parent: string) => dir === parent || dir.startsWith(parent.endsWith('/') ? parent : `${parent}/`);

/**
 * bwrap's arguments, in mount order: a read-only root, fresh /dev, /proc, /tmp
 * and /run (no daemon sockets), home and cloudya data hidden, the workflow's
 * folder read-only, the step's mounts, the work directory writable.
 */
export function bwrapArgs(plan: BwrapPlan): string[] {
  const a = ['--ro-bind', '/', '/', '--dev', '/dev', '--proc', '/proc', '--tmpfs', '/tmp', '--tmpfs', '/run'];
  if (plan.network && existsSync('/run/systemd/resolve')) a.push('--ro-bind', '/run/systemd/resolve', '/run/systemd/resolve');
  const masked = maskedDirs();
  for (const d of masked) a.push('--tmpfs', d);
  // The workflow's own files, unless that would show the hidden folders again.
  if (plan.workflowDir !== '/' && !masked.some((m) => inside(m, plan.workflowDir))) a.push('--ro-bind', plan.workflowDir, plan.workflowDir);
  for (const m of plan.mounts) a.push(m.writable ? '--bind' : '--ro-bind', m.source, m.target);
  a.push('--bind', plan.workDir, plan.workDir, '--chdir', plan.cwd);
  a.push('--unshare-all', ...(plan.network ? ['--share-net'] : []), '--hostname', 'sandbox');
  a.push('--cap-drop', 'ALL', '--new-session', '--die-with-parent');
  return a;
}
