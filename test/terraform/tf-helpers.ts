// Shared by the terraform tests: reading what a deployment left on disk.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

export interface Record_ {
  id: string;
  template: string;
  provider: string;
  status: string;
  runId: string;
  params: Record<string, unknown>;
  outputs: Record<string, unknown>;
  createdBy?: { runId: string; stepId: string };
  error?: { code: string; message: string };
}

export const deploymentDir = (home: string, id: string) => join(home, 'deployments', id);

export function record(home: string, id: string): Record_ {
  return JSON.parse(readFileSync(join(deploymentDir(home, id), 'deployment.json'), 'utf8')) as Record_;
}

export function deploymentIds(home: string): string[] {
  const root = join(home, 'deployments');
  return existsSync(root) ? readdirSync(root).filter((n) => existsSync(join(root, n, 'deployment.json'))).sort() : [];
}

/** Resources in a deployment's terraform state (what `terraform state list` would print). */
export function stateResources(home: string, id: string): string[] {
  const file = join(deploymentDir(home, id), 'terraform.tfstate');
  if (!existsSync(file)) return [];
  const state = JSON.parse(readFileSync(file, 'utf8')) as { resources: { type: string; name: string; instances: unknown[] }[] };
  return state.resources.filter((r) => r.instances.length > 0).map((r) => `${r.type}.${r.name}`);
}

/** Every regular file under `dir`, recursively. */
export function allFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  const out: string[] = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...allFiles(p));
    else if (e.isFile() || statSync(p).isFile()) out.push(p);
  }
  return out;
}

/** Files under `dir` whose contents include `needle`. */
export function filesContaining(dir: string, needle: string): string[] {
  return allFiles(dir).filter((f) => readFileSync(f).includes(needle));
}

/** The run id printed as the first stderr line (`run ID`). */
export function runIdOf(stderr: string): string {
  const m = /^run (\S+)$/m.exec(stderr);
  if (!m) throw new Error(`no run id in: ${stderr}`);
  return m[1]!;
}
