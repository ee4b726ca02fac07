// `check: file` (alias `path`) — a path exists (or not), its kind, age, size, content.
import { open, stat } from 'node:fs/promises';
import type { CheckResult, Finding } from './types.js';

export interface FileOptions {
  path: string;
  exists: boolean;
  kind?: 'file' | 'directory' | undefined;
  /** Older than this (ms since last change) is critical. */
  maxAgeMs?: number | undefined;
  minBytes?: number | undefined;
  maxBytes?: number | undefined;
  contains?: string | undefined;
}

const TAIL = 1024 * 1024;

export async function checkFile(o: FileOptions): Promise<CheckResult> {
  const findings: Finding[] = [];
  const add = (f: Omit<Finding, 'check' | 'severity'>) => findings.push({ check: 'file', severity: 'critical', ...f });
  let st: import("node:fs").Stats | undefined;
  let error: string | undefined;
  try {
    st = await stat(o.path);
  } catch (e) {
    error = (e as NodeJS.ErrnoException).code ?? String(e);
  }
  if (!st) {
    if (o.exists) add({ title: `${o.path} is missing`, observed: `stat: ${error}`, why: 'Something expects this path: a config file, a mount, a backup, a socket.', fix: `ls -la ${dirOf(o.path)}` });
    return { findings, data: { path: o.path, exists: false } };
  }
  if (!o.exists) {
    add({ title: `${o.path} exists`, observed: `${st.isDirectory() ? 'directory' : 'file'} of ${st.size} bytes`, why: 'This path should not be there (a lock or flag left behind, a file that should have been removed).', fix: `ls -la ${o.path}   # then remove it if it is stale` });
    return { findings, data: { path: o.path, exists: true } };
  }
  const kind = st.isDirectory() ? 'directory' : st.isFile() ? 'file' : 'other';
  if (o.kind && o.kind !== kind) add({ title: `${o.path} is not a ${o.kind}`, observed: `it is a ${kind}`, why: 'Programs that read it will fail.', fix: `ls -la ${o.path}` });
  const ageMs = Date.now() - st.mtimeMs;
  if (o.maxAgeMs !== undefined && ageMs > o.maxAgeMs) add({ title: `${o.path} is stale`, observed: `last changed ${new Date(st.mtimeMs).toISOString()} (${Math.round(ageMs / 1000)} s ago; limit ${Math.round(o.maxAgeMs / 1000)} s)`, why: 'Whatever should update it (a backup, a cron job, a heartbeat) has stopped.', fix: `ls -la --time-style=full-iso ${o.path}; grep CRON /var/log/syslog | tail` });
  if (o.minBytes !== undefined && st.size < o.minBytes) add({ title: `${o.path} is too small`, observed: `${st.size} bytes, expected at least ${o.minBytes}`, why: 'An empty or truncated file usually means the job that writes it failed.', fix: `ls -la ${o.path}` });
  if (o.maxBytes !== undefined && st.size > o.maxBytes) add({ title: `${o.path} is too large`, observed: `${st.size} bytes, limit ${o.maxBytes}`, why: 'A file that keeps growing (a log without rotation) ends by filling the disk.', fix: `ls -la ${o.path}; cat /etc/logrotate.conf` });
  let matched: boolean | undefined;
  if (o.contains !== undefined && kind === 'file') {
    const fh = await open(o.path, 'r');
    try {
      const len = Math.min(st.size, TAIL);
      const buf = Buffer.alloc(len);
      await fh.read(buf, 0, len, st.size - len);
      matched = new RegExp(o.contains, 'm').test(buf.toString('utf8'));
    } finally {
      await fh.close();
    }
    if (!matched) add({ title: `${o.path} lacks the expected content`, observed: `no match for /${o.contains}/ in its last ${Math.min(st.size, TAIL)} bytes`, why: 'The file is there but does not say what it should.', fix: `tail -n 40 ${o.path}` });
  }
  return { findings, data: { path: o.path, exists: true, kind, bytes: st.size, mode: (st.mode & 0o7777).toString(8), modifiedAt: new Date(st.mtimeMs).toISOString(), ageSeconds: Math.round(ageMs / 1000), ...(matched !== undefined ? { matched } : {}) } };
}

const dirOf = (p: string) => p.replace(/\/[^/]*\/?$/, '') || '/';
