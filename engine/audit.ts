// The audit log: every command judged (validate) or executed (sandbox) is one
// NDJSON line in ~/.cloudya/audit.log. Lines are appended with O_APPEND in one
// write, so concurrent runs never interleave inside a line. Secrets are masked
// by the caller's masker before anything reaches the file.
import { appendFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { cloudyaHome } from './config.js';

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
  mkdirSync(home, { recursive: true, mode: 0o700 });
  appendFileSync(auditFile(home), JSON.stringify(masked) + '\n', { mode: 0o600 });
}
