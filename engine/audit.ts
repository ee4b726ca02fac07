// The audit log: every command judged (validate) or executed (sandbox) is one
// NDJSON line in ~/.cloudya/audit.log. Lines are appended with O_APPEND in one
// write, so concurrent runs never interleave inside a line. Secrets are masked
// by the caller's masker before anything reaches the file. Entries are written
// behind the next command's start (write-behind.ts).
import { closeSync, fstatSync, mkdirSync, openSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { cloudyaHome } from './config.js';
import { writeBehind } from './write-behind.js';

export interface AuditEntry {
  /** ISO time; filled in when missing. */
  time?: string;
  runId?: string;
  stepId?: string;
  /** `judged`: a validator verdict; `executed`: a command that ran (or was refused to run). */
  kind: 'judged' | 'executed';
  command: string;
  verdict?: 'allow' | 'ask' | 'deny';
  /** The policy rule that decided the verdict, and why. */
  rule?: string;
  reason?: string;
  /** Whether a person (or `--yes`) approved an `ask` verdict. */
  approved?: boolean;
  backend?: string;
  exitCode?: number | null;
  /** The sandbox limit that ended the command, if any (memory, pids, time, output). */
  limit?: string | null;
  durationMs?: number;
}

export function auditFile(home = cloudyaHome()): string {
  return join(home, 'audit.log');
}

/** Appends one entry. `mask` hides secrets in every string field. */
export function appendAudit(entry: AuditEntry, mask: (text: string) => string = (t) => t, home = cloudyaHome()): void {
  const masked: Record<string, unknown> = { time: entry.time ?? new Date().toISOString() };
  for (const [k, v] of Object.entries(entry)) if (k !== 'time' && v !== undefined) masked[k] = typeof v === 'string' ? mask(v) : v;
  const line = JSON.stringify(masked) + '\n';
  // One write with O_APPEND: lines of concurrent processes never interleave.
  writeBehind('audit log', () => {
    const data = Buffer.from(line);
    writeSync(auditFd(home), data);
  });
}

// One descriptor per audit file, kept open for the process: a run appends a line
// per command, and creating the folder, opening and closing each time cost ~0.1 ms
// a step on this VM. A file removed or replaced meanwhile is noticed (and
// reopened) within a second: checking on every line cost as much as reopening.
const descriptors = new Map<string, { fd: number; checked: number }>();
function auditFd(home: string): number {
  const path = auditFile(home);
  const cached = descriptors.get(path);
  if (cached) {
    const now = performance.now();
    if (now - cached.checked < 1000) return cached.fd;
    try {
      if (fstatSync(cached.fd).nlink > 0) {
        cached.checked = now;
        return cached.fd;
      }
    } catch { /* closed elsewhere */ }
    descriptors.delete(path);
    try { closeSync(cached.fd); } catch { /* already closed */ }
  }
  mkdirSync(home, { recursive: true, mode: 0o700 });
  const fd = openSync(path, 'a', 0o600);
  descriptors.set(path, { fd, checked: performance.now() });
  return fd;
}
