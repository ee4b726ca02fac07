// A deployment's terraform working directory: the template copied in, the
// non-secret variables in terraform.tfvars.json, and helpers to read its state.
import { chmodSync, copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** Template files copied into the deployment (the manifest too, so `destroy` knows which variables are secret). */
const COPIED = /\.(tf|tf\.json|tftpl|tpl|sh|md)$|^manifest\.yaml$|^\.terraform\.lock\.hcl$/;

/** Copies the template's top-level files into `dir` and removes .tf files the template no longer has. */
export function syncTemplate(templateDir: string, dir: string): void {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  chmodSync(dir, 0o700);
  const wanted = new Set<string>();
  for (const e of readdirSync(templateDir, { withFileTypes: true })) {
    if (!e.isFile() || !COPIED.test(e.name)) continue;
    wanted.add(e.name);
    copyFileSync(join(templateDir, e.name), join(dir, e.name));
  }
  for (const name of readdirSync(dir)) if (/\.tf(\.json)?$/.test(name) && !wanted.has(name)) rmSync(join(dir, name));
}

/** Writes terraform.tfvars.json (mode 0600): the variables that are not secret. */
export function writeTfvars(dir: string, vars: Record<string, unknown>): void {
  writeFileSync(join(dir, 'terraform.tfvars.json'), JSON.stringify(vars, null, 2) + '\n', { mode: 0o600 });
}

export function readTfvars(dir: string): Record<string, unknown> {
  try {
    return JSON.parse(readFileSync(join(dir, 'terraform.tfvars.json'), 'utf8')) as Record<string, unknown>;
  } catch {
    return {};
  }
}

/** Secret variables as TF_VAR_<name>: environment only, never a file. Strings as they are, other types as JSON (HCL reads it). */
export function secretEnv(vars: Record<string, unknown>): Record<string, string> {
  return Object.fromEntries(Object.entries(vars).map(([k, v]) => [`TF_VAR_${k}`, typeof v === 'string' ? v : JSON.stringify(v)]));
}

/** Addresses of the resources in the local state (empty when there is no state). */
export function stateResources(dir: string): string[] {
  const file = join(dir, 'terraform.tfstate');
  if (!existsSync(file)) return [];
  try {
    const state = JSON.parse(readFileSync(file, 'utf8')) as { resources?: { mode: string; type: string; name: string; module?: string; instances?: { index_key?: unknown }[] }[] };
    const out: string[] = [];
    for (const r of state.resources ?? []) {
      const base = `${r.module ? `${r.module}.` : ''}${r.mode === 'data' ? 'data.' : ''}${r.type}.${r.name}`;
      if (r.mode === 'data') continue;
      const instances = r.instances ?? [];
      if (instances.length === 0) continue;
      for (const i of instances) out.push(i.index_key === undefined ? base : `${base}[${JSON.stringify(i.index_key)}]`);
    }
    return out;
  } catch {
    return [];
  }
}

/** After a destroy: drop downloaded providers and plan files (state and configuration stay as history). */
export function cleanAfterDestroy(dir: string): void {
  rmSync(join(dir, '.terraform'), { recursive: true, force: true });
  for (const name of readdirSync(dir)) if (name.endsWith('.tfplan')) rmSync(join(dir, name), { force: true });
}
