// Finding a service without systemd: its processes by name, how it is installed,
// where it logs. Names are validated before they reach a path or a command.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import { readCmdline, readProcesses, type Proc } from './procfs.js';

/** systeminformation's maintainer asks for exactly this before a name reaches a command (NOTES.md). */
export const SERVICE_NAME = /^[A-Za-z0-9@._:-]+$/;

/** Program names that differ from the service's name. */
const ALIASES: Record<string, string[]> = {
  postgresql: ['postgres', 'postmaster'],
  mysql: ['mysqld', 'mariadbd'],
  mariadb: ['mariadbd', 'mysqld'],
  apache2: ['apache2', 'httpd'],
  httpd: ['httpd', 'apache2'],
  docker: ['dockerd'],
  ssh: ['sshd'],
  redis: ['redis-server'],
  'redis-server': ['redis-server'],
  mongodb: ['mongod'],
  memcached: ['memcached'],
};

export function programNames(service: string): string[] {
  const base = service.replace(/\.service$/, '').replace(/@.*$/, '');
  return [...new Set([base, `${base}d`, ...(ALIASES[base] ?? [])])];
}

/** Processes whose name (or argv[0]'s basename) is one of the service's program names. */
export function findServiceProcesses(service: string, procs: Proc[] = readProcesses()): Proc[] {
  const names = programNames(service);
  // /proc/PID/stat truncates names to 15 characters.
  const short = names.map((n) => n.slice(0, 15));
  const self = process.pid;
  return procs.filter((p) => {
    if (p.pid === self || p.ppid === 2 || p.pid === 2 || p.state === 'Z') return false;
    if (short.includes(p.comm)) return true;
    const argv0 = readCmdline(p.pid)[0];
    return argv0 !== undefined && names.includes(basename(argv0.split(' ')[0]!).replace(/:$/, ''));
  });
}

export interface Installed { initScript?: string; unitFile?: string; program?: string }

export function howInstalled(service: string): Installed {
  const base = service.replace(/\.service$/, '');
  const out: Installed = {};
  if (existsSync(`/etc/init.d/${base}`)) out.initScript = `/etc/init.d/${base}`;
  for (const dir of ['/etc/systemd/system', '/run/systemd/system', '/lib/systemd/system', '/usr/lib/systemd/system']) {
    const f = join(dir, `${base}.service`);
    if (existsSync(f)) {
      out.unitFile = f;
      break;
    }
  }
  const path = (process.env.PATH ?? '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin').split(':').concat('/usr/sbin', '/sbin');
  for (const name of programNames(base)) {
    const hit = path.map((d) => join(d, name)).find((f) => existsSync(f));
    if (hit) {
      out.program = hit;
      break;
    }
  }
  return out;
}

/** The newest readable log file for a service under /var/log, if any. */
export function findLogFile(service: string): string | undefined {
  const base = service.replace(/\.service$/, '');
  const candidates: string[] = [];
  for (const name of [base, ...programNames(base)]) {
    candidates.push(`/var/log/${name}.log`, `/var/log/${name}/error.log`);
    const dir = `/var/log/${name}`;
    try {
      for (const f of readdirSync(dir)) if (/\.log$/.test(f)) candidates.push(join(dir, f));
    } catch {
      // No such folder.
    }
  }
  let best: { file: string; mtime: number } | undefined;
  for (const file of candidates) {
    try {
      const st = statSync(file);
      if (st.isFile() && (!best || st.mtimeMs > best.mtime)) best = { file, mtime: st.mtimeMs };
    } catch {
      // Missing or unreadable.
    }
  }
  return best?.file;
}
