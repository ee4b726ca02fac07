// What `cloudya doctor` reports about the sandbox: each backend is tried for
// real (`true` run inside it with the default limits), and which one `auto` takes.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findBwrap, type Exec } from './bwrap.js';
import { probeBackend } from './backends.js';
import { runSandboxed } from './execute.js';
import type { Backend } from './options.js';

export interface BackendReport {
  name: Backend;
  works: boolean;
  /** What was found (binary, version, cgroup layout), or why it does not work. */
  detail: string;
  hint?: string;
}

async function tryTrue(exec: Exec, backend: Backend): Promise<{ ok: boolean; why?: string; ms?: number }> {
  const dir = mkdtempSync(join(tmpdir(), 'cloudya-doctor-'));
  try {
    const r = await runSandboxed({ exec, workDir: dir, workflowDir: dir }, { argv: ['true'] }, backend);
    return r.exitCode === 0 && r.limit === null ? { ok: true, ms: r.durationMs } : { ok: false, why: `\`true\` exited ${r.exitCode}${r.limit ? ` (${r.limit} limit)` : ''}: ${r.stderr.trim().split('\n').pop() ?? ''}` };
  } catch (err) {
    return { ok: false, why: (err as Error).message };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function checkBackend(exec: Exec, name: Backend): Promise<BackendReport> {
  if (name === 'none') {
    const t = await tryTrue(exec, 'none');
    return { name, works: t.ok, detail: t.ok ? 'runs on the host without isolation (only when a step says isolation: none)' : t.why! };
  }
  const a = await probeBackend(exec, name);
  if (!a.ok) return { name, works: false, detail: a.detail, ...(a.hint ? { hint: a.hint } : {}) };
  let detail = a.detail;
  if (name === 'bwrap') {
    const v = await exec(findBwrap().path!, ['--version'], { reject: false });
    detail = `${v.stdout.trim() || 'bwrap'} at ${a.detail}`;
  }
  const t = await tryTrue(exec, name);
  return t.ok ? { name, works: true, detail: `${detail}; \`true\` ran in ${t.ms} ms` } : { name, works: false, detail: `${detail}; but a trial run failed: ${t.why}` };
}

export async function checkSandbox(exec: Exec): Promise<{ default: Backend | null; backends: BackendReport[] }> {
  const backends: BackendReport[] = [];
  for (const b of ['bwrap', 'docker', 'podman', 'none'] as const) backends.push(await checkBackend(exec, b));
  const auto = backends.find((b) => b.name !== 'none' && b.works);
  return { default: auto ? auto.name : null, backends };
}
