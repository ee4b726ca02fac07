// Is a process still driving this run? The lock says who; a lock whose holder
// is dead (SIGKILL, crash, reboot) is not a live run.
import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';

export function isDriven(runDir: string): boolean {
  try {
    const lock = JSON.parse(readFileSync(join(runDir, 'lock'), 'utf8')) as { pid: number; host: string };
    // Another host's lock cannot be checked from here: assume it is live.
    if (lock.host !== hostname()) return true;
    process.kill(lock.pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
