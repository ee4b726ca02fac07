// The app templates: templates/apps/<name>/ shipped with cloudya, and
// ~/.cloudya/templates/apps/<name>/ of the user (a built-in name wins).
// Each holds manifest.yaml, playbook.yml, uninstall.yml, templates/*.j2, README.md.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { cloudyaHome } from '../../engine/config.js';
import { CloudyaError } from '../../engine/errors.js';
import { suggestionHint } from '../../engine/suggest.js';

export const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
export const BUILTIN_APPS = join(ROOT, 'templates', 'apps');
export const userAppsDir = (): string => join(cloudyaHome(), 'templates', 'apps');

export type AppParamType = 'string' | 'integer' | 'number' | 'boolean';

export interface AppParameter {
  name: string;
  type?: AppParamType;
  description?: string;
  default?: string | number | boolean;
  required?: boolean;
  secret?: boolean;
  enum?: (string | number)[];
}

export interface AppHealth {
  /** A URL template, e.g. `http://{{host}}:{{port}}/`. */
  http?: string;
  /** A port (or a template giving one) that must accept TCP connections. */
  tcp?: string | number;
  /** HTTP status that counts as healthy (default: any 2xx or 3xx). */
  expectStatus?: number;
}

export interface AppManifest {
  name: string;
  description: string;
  type?: string;
  version?: string;
  platforms: string[];
  parameters: AppParameter[];
  health?: AppHealth;
}

export interface AppTemplate {
  name: string;
  dir: string;
  builtin: boolean;
  manifest: AppManifest;
  /** The manifest as written (what the schema check sees). */
  raw: unknown;
}

function appDirs(): { dir: string; builtin: boolean }[] {
  const out: { dir: string; builtin: boolean }[] = [];
  for (const [base, builtin] of [[BUILTIN_APPS, true], [userAppsDir(), false]] as const) {
    if (!existsSync(base)) continue;
    for (const name of readdirSync(base).sort()) {
      if (existsSync(join(base, name, 'manifest.yaml'))) out.push({ dir: join(base, name), builtin });
    }
  }
  return out;
}

/** Names of every app template (built-in first). */
export function appNames(): string[] {
  return [...new Set(appDirs().map((d) => d.dir.split('/').pop()!))];
}

/** Reads and shape-checks a manifest (the JSON Schema check is in the `app` commands and tests). */
export async function readManifest(dir: string): Promise<{ manifest: AppManifest; raw: unknown }> {
  const file = join(dir, 'manifest.yaml');
  const { load } = await import('js-yaml');
  let data: unknown;
  try {
    data = load(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new CloudyaError('E_APP_NOT_FOUND', `${file}: ${(err as Error).message}`, { cause: err, hint: 'fix the manifest YAML' });
  }
  const m = data as Partial<AppManifest> | null;
  if (!m || typeof m !== 'object' || typeof m.name !== 'string') {
    throw new CloudyaError('E_APP_NOT_FOUND', `${file} is not an app manifest (no name)`, { hint: 'see schemas/app-manifest.schema.json' });
  }
  return { manifest: { description: '', platforms: [], parameters: [], ...m } as AppManifest, raw: data };
}

/** Finds an app template by name, or fails with E_APP_NOT_FOUND and a did-you-mean. */
export async function findApp(name: string): Promise<AppTemplate> {
  for (const { dir, builtin } of appDirs()) {
    if (dir.split('/').pop() === name) return { name, dir, builtin, ...(await readManifest(dir)) };
  }
  throw new CloudyaError('E_APP_NOT_FOUND', `no app template '${name}'`, {
    hint: `${suggestionHint(name, appNames(), 'apps') ?? 'no app templates found'} (see \`cloudya app list\`)`,
  });
}

/** Every app template with its manifest. */
export async function listApps(): Promise<AppTemplate[]> {
  const seen = new Set<string>();
  const out: AppTemplate[] = [];
  for (const { dir, builtin } of appDirs()) {
    const name = dir.split('/').pop()!;
    if (seen.has(name)) continue;
    seen.add(name);
    out.push({ name, dir, builtin, ...(await readManifest(dir)) });
  }
  return out;
}

/** `{{name}}` placeholders filled from `values` (health URLs and ports); unknown names stay empty. */
export function fillTemplate(text: string, values: Record<string, unknown>): string {
  return text.replace(/\{\{\s*([A-Za-z_][\w-]*)\s*\}\}/g, (_, k: string) => (values[k] === undefined || values[k] === null ? '' : String(values[k])));
}
