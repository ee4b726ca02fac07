// The installed-apps registry: ~/.cloudya/apps/<id>.json, one record per app
// installation, written by the `ansible` step (app: mode) and read by `app status`
// and `app uninstall`. Secret values never reach it (they are stored as "***").
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { cloudyaHome } from '../../engine/config.js';

export interface AppHealthTarget {
  http?: string;
  tcp?: { host: string; port: number };
  expectStatus?: number;
}

export interface AppRecord {
  id: string;
  app: string;
  status: 'installed' | 'uninstalled';
  hosts: string[];
  connection?: string;
  user?: string;
  port?: number;
  privateKey?: string;
  /** The variables given to the playbook; secrets as "***". */
  vars: Record<string, unknown>;
  health?: AppHealthTarget;
  published?: Record<string, unknown>;
  deployment?: string;
  runId: string;
  stepId: string;
  createdAt: string;
  updatedAt: string;
}

export const ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/;
export const appsDir = (): string => join(cloudyaHome(), 'apps');

/** The same id for every attempt and resume of one step in one run. */
export function installId(app: string, runId: string, stepId: string): string {
  return `${app}-${createHash('sha256').update(`${runId}/${stepId}`).digest('hex').slice(0, 8)}`;
}

export function readRecord(id: string): AppRecord | undefined {
  if (!ID_PATTERN.test(id)) return undefined;
  const file = join(appsDir(), `${id}.json`);
  if (!existsSync(file)) return undefined;
  return JSON.parse(readFileSync(file, 'utf8')) as AppRecord;
}

export function writeRecord(rec: AppRecord): void {
  mkdirSync(appsDir(), { recursive: true });
  const file = join(appsDir(), `${rec.id}.json`);
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, JSON.stringify(rec, null, 2) + '\n', { mode: 0o600 });
  renameSync(tmp, file);
}

/** Every record, newest first; unreadable files are skipped. */
export function listRecords(): AppRecord[] {
  if (!existsSync(appsDir())) return [];
  const out: AppRecord[] = [];
  for (const f of readdirSync(appsDir())) {
    if (!f.endsWith('.json')) continue;
    try {
      out.push(JSON.parse(readFileSync(join(appsDir(), f), 'utf8')) as AppRecord);
    } catch {
      /* a half-written or foreign file */
    }
  }
  return out.sort((a, b) => b.createdAt.localeCompare(a.createdAt));
}

/** Marks records uninstalled: the one with `id`, or the installed ones of `app` on the same hosts whose vars agree. */
export function markUninstalled(app: string, hosts: readonly string[], vars: Record<string, unknown>, id?: string): string[] {
  const now = new Date().toISOString();
  const hit = listRecords().filter((r) =>
    id ? r.id === id : r.app === app && r.status === 'installed' && r.hosts.join(',') === hosts.join(',') && Object.entries(vars).every(([k, v]) => !(k in r.vars) || JSON.stringify(r.vars[k]) === JSON.stringify(v)),
  );
  for (const r of hit) writeRecord({ ...r, status: 'uninstalled', updatedAt: now });
  return hit.map((r) => r.id);
}
