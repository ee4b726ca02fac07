// The run lock (runs/<id>/lock): one process drives a run at a time. Created
// with O_EXCL; a lock whose process is gone (or whose pid now belongs to a
// different process) is taken over, under a short-lived guard file so two
// processes racing for the same stale lock cannot both win.
import { closeSync, openSync, readFileSync, statSync, unlinkSync, writeSync } from 'node:fs';
import { hostname } from 'node:os';
import { CloudyaError } from './errors.js';

export interface LockInfo {
  pid: number;
  host: string;
  startedAt: string;
  /** Start time of `pid` (clock ticks since boot, /proc/<pid>/stat field 22): detects pid reuse. */
  processStart?: number;
}

export interface LockResult {
  /** Set when a lock left by a dead process was replaced; the engine logs a warning. */
  staleFrom?: LockInfo;
}

/** A guard older than this was left by a process that died inside the few-µs takeover. */
const GUARD_STALE_MS = 5_000;

/** Start time of a process from /proc (Linux); undefined elsewhere or when it is gone. */
export function processStartTime(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Field 2 (comm) is in parentheses and may hold spaces: count from the last ')'.
    const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const value = Number(rest[22 - 3]);
    return Number.isFinite(value) ? value : undefined;
  } catch {
    return undefined;
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function readLock(path: string): LockInfo | 'missing' | 'corrupt' {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return 'missing';
    throw err;
  }
  try {
    const info = JSON.parse(text) as LockInfo;
    // pid 0 or a negative pid would make kill(pid, 0) probe a process group.
    if (Number.isInteger(info.pid) && info.pid > 0 && typeof info.host === 'string') return info;
  } catch { /* fall through */ }
  return 'corrupt';
}

/** Whether this lock can no longer be held by a live process (only decidable on our own host). */
function isStale(info: LockInfo): boolean {
  if (!isAlive(info.pid)) return true;
  if (info.processStart === undefined) return false;
  const now = processStartTime(info.pid);
  return now !== undefined && now !== info.processStart;
}

function olderThan(path: string, ms: number): boolean {
  try {
    return Date.now() - statSync(path).mtimeMs > ms;
  } catch {
    return false;
  }
}

function createExclusive(path: string, content: string): boolean {
  let fd: number;
  try {
    fd = openSync(path, 'wx');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw err;
  }
  try {
    writeSync(fd, content);
  } finally {
    closeSync(fd);
  }
  return true;
}

function removeIfExists(path: string): void {
  try {
    unlinkSync(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
}

function lockedError(runId: string, path: string, info: LockInfo | undefined, creating = false): CloudyaError {
  if (!info) {
    return new CloudyaError('E_RUN_LOCKED', `run ${runId} is being ${creating ? 'locked' : 'taken over'} by another process right now`, {
      hint: 'wait for it to finish, or stop that process; a lock left by a dead process is taken over automatically',
    });
  }
  const foreign = info.host !== hostname();
  return new CloudyaError('E_RUN_LOCKED', `run ${runId} is being driven by pid ${info.pid} on ${info.host} since ${info.startedAt}`, {
    hint: foreign
      ? `cloudya cannot check a process on another host; if ${info.host} is gone, delete ${path}`
      : 'wait for it to finish, or stop that process; a lock left by a dead process is taken over automatically',
    details: { lock: info },
  });
}

/** A held lock: `release()` removes the file only while it still holds our pid and start stamp. */
export class RunLock {
  private held: LockInfo | undefined;
  private readonly onExit = (): void => this.release();

  constructor(readonly path: string, readonly runId: string) {}

  get isHeld(): boolean {
    return this.held !== undefined;
  }

  acquire(): LockResult {
    if (this.held) return {};
    const mine: LockInfo = { pid: process.pid, host: hostname(), startedAt: new Date().toISOString() };
    const start = processStartTime(process.pid);
    if (start !== undefined) mine.processStart = start;
    const content = JSON.stringify(mine) + '\n';
    for (let attempt = 0; attempt < 5; attempt++) {
      if (createExclusive(this.path, content)) {
        this.hold(mine);
        return {};
      }
      const current = readLock(this.path);
      if (current === 'missing') continue; // released between our open and read: try again
      if (current === 'corrupt') {
        // A creator between open and write takes microseconds; an old empty lock is debris.
        if (!olderThan(this.path, GUARD_STALE_MS)) throw lockedError(this.runId, this.path, undefined, true);
      } else if (current.host !== mine.host || !isStale(current)) {
        throw lockedError(this.runId, this.path, current);
      }
      if (this.takeOver(current, content)) {
        this.hold(mine);
        return current === 'corrupt' ? {} : { staleFrom: current };
      }
    }
    throw lockedError(this.runId, this.path, undefined);
  }

  /** Replaces `judged` by our lock under the guard; false when someone else changed the lock first. */
  private takeOver(judged: LockInfo | 'corrupt', content: string): boolean {
    const guard = `${this.path}.takeover`;
    if (!createExclusive(guard, String(process.pid))) {
      if (!olderThan(guard, GUARD_STALE_MS)) throw lockedError(this.runId, this.path, undefined);
      removeIfExists(guard);
      if (!createExclusive(guard, String(process.pid))) throw lockedError(this.runId, this.path, undefined);
    }
    try {
      const now = readLock(this.path);
      const unchanged = typeof now === 'object'
        ? typeof judged === 'object' && JSON.stringify(now) === JSON.stringify(judged)
        : now === 'corrupt' && judged === 'corrupt' && olderThan(this.path, GUARD_STALE_MS);
      if (!unchanged) return false;
      removeIfExists(this.path);
      return createExclusive(this.path, content);
    } finally {
      removeIfExists(guard);
    }
  }

  private hold(info: LockInfo): void {
    this.held = info;
    process.on('exit', this.onExit);
  }

  release(): void {
    const held = this.held;
    if (!held) return;
    this.held = undefined;
    process.removeListener('exit', this.onExit);
    try {
      const current = readLock(this.path);
      if (typeof current === 'object' && current.pid === held.pid && current.startedAt === held.startedAt && current.host === held.host) {
        removeIfExists(this.path);
      }
    } catch { /* the run dir is gone or unreadable: nothing of ours left to remove */ }
  }
}
