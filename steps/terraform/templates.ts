// Terraform templates: built-in ones in templates/terraform/<provider>/<name>/,
// user ones in ~/.cloudya/templates/terraform/ (and `templates_dir` from
// config.json), which shadow a built-in of the same name. Each has a manifest.yaml.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { cloudyaHome, readConfig } from '../../engine/config.js';
import { CloudyaError } from '../../engine/errors.js';
import { didYouMean, nameList } from '../../engine/suggest.js';

export const PARAM_TYPES = ['string', 'number', 'integer', 'boolean', 'array', 'object'] as const;
export type ParamType = (typeof PARAM_TYPES)[number];

export interface TemplateParam {
  name: string;
  type: ParamType;
  description?: string;
  default?: unknown;
  required?: boolean;
  secret?: boolean;
  enum?: unknown[];
}

export interface TemplateManifest {
  name: string;
  provider: string;
  description: string;
  platforms?: string[];
  parameters: TemplateParam[];
}

export interface Template {
  /** `<provider>/<name>`. */
  id: string;
  provider: string;
  dir: string;
  origin: 'builtin' | 'user';
  manifest: TemplateManifest;
}

export const BUILTIN_TEMPLATES = fileURLToPath(new URL('../../../templates/terraform/', import.meta.url));

/** Where user templates live: ~/.cloudya/templates/terraform, then `templates_dir`/terraform from config.json. */
export function userTemplateDirs(): string[] {
  const dirs = [join(cloudyaHome(), 'templates', 'terraform')];
  const extra = readConfig().templates_dir;
  if (typeof extra === 'string' && extra) dirs.push(join(extra, 'terraform'));
  return dirs;
}

const NAME = /^[a-z0-9][a-z0-9_-]*$/;

/** Reads and checks a manifest.yaml (shape only; `schemas/template-manifest.schema.json` is the full schema). */
export async function readManifest(file: string): Promise<TemplateManifest> {
  const { load } = await import('js-yaml');
  let doc: unknown;
  try {
    doc = load(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new CloudyaError('E_CONFIG', `${file}: ${(err as Error).message.split('\n')[0]}`, { cause: err });
  }
  const bad = (why: string) => new CloudyaError('E_CONFIG', `${file}: ${why}`, { hint: 'see schemas/template-manifest.schema.json' });
  if (!doc || typeof doc !== 'object' || Array.isArray(doc)) throw bad('a manifest is a mapping (name, provider, description, parameters)');
  const m = doc as Record<string, unknown>;
  for (const key of ['name', 'provider', 'description'] as const) if (typeof m[key] !== 'string' || !m[key]) throw bad(`'${key}' must be a non-empty string`);
  const params = m.parameters ?? [];
  if (!Array.isArray(params)) throw bad("'parameters' must be a list");
  const seen = new Set<string>();
  for (const [i, p] of params.entries()) {
    if (!p || typeof p !== 'object' || typeof (p as TemplateParam).name !== 'string') throw bad(`parameters[${i}] needs a 'name'`);
    const param = p as TemplateParam;
    param.type ??= 'string';
    if (!PARAM_TYPES.includes(param.type)) throw bad(`parameter '${param.name}' has unknown type '${String(param.type)}' (known: ${PARAM_TYPES.join(', ')})`);
    if (seen.has(param.name)) throw bad(`parameter '${param.name}' is declared twice`);
    seen.add(param.name);
  }
  return { ...(m as unknown as TemplateManifest), parameters: params as TemplateParam[] };
}

function scanRoot(root: string, origin: Template['origin'], into: Map<string, string>, origins: Map<string, Template['origin']>): void {
  if (!existsSync(root)) return;
  for (const provider of readdirSync(root, { withFileTypes: true })) {
    if (!provider.isDirectory() || !NAME.test(provider.name)) continue;
    for (const tpl of readdirSync(join(root, provider.name), { withFileTypes: true })) {
      const dir = join(root, provider.name, tpl.name);
      if (!tpl.isDirectory() || !NAME.test(tpl.name) || !existsSync(join(dir, 'manifest.yaml'))) continue;
      into.set(`${provider.name}/${tpl.name}`, dir);
      origins.set(`${provider.name}/${tpl.name}`, origin);
    }
  }
}

/** Template name → directory; user templates override built-ins. Manifests are not read. */
export function templateDirs(): Map<string, { dir: string; origin: Template['origin'] }> {
  const dirs = new Map<string, string>();
  const origins = new Map<string, Template['origin']>();
  scanRoot(BUILTIN_TEMPLATES, 'builtin', dirs, origins);
  for (const root of userTemplateDirs()) scanRoot(root, 'user', dirs, origins);
  return new Map([...dirs].sort(([a], [b]) => a.localeCompare(b)).map(([id, dir]) => [id, { dir, origin: origins.get(id)! }]));
}

export async function loadTemplateDir(id: string, dir: string, origin: Template['origin']): Promise<Template> {
  const manifest = await readManifest(join(dir, 'manifest.yaml'));
  return { id, provider: id.split('/')[0]!, dir, origin, manifest };
}

/** Every template; a broken user manifest is reported in `problems` and does not hide the others. */
export async function listTemplates(): Promise<{ templates: Template[]; problems: CloudyaError[] }> {
  const templates: Template[] = [];
  const problems: CloudyaError[] = [];
  for (const [id, { dir, origin }] of templateDirs()) {
    try {
      templates.push(await loadTemplateDir(id, dir, origin));
    } catch (err) {
      problems.push(err as CloudyaError);
    }
  }
  return { templates, problems };
}

/** The template called `<provider>/<name>`, or E_TEMPLATE_NOT_FOUND with a suggestion. */
export async function findTemplate(id: string): Promise<Template> {
  const all = templateDirs();
  const hit = all.get(id);
  if (hit) return loadTemplateDir(id, hit.dir, hit.origin);
  const names = [...all.keys()];
  const close = didYouMean(id, names) ?? names.find((n) => n.split('/')[1] === id);
  const hint = close ? `did you mean '${close}'? (see \`cloudya deploy list\`)` : names.length ? `known templates: ${nameList(names)}` : 'no templates are installed';
  const why = /^[^/]+\/[^/]+$/.test(id) ? '' : ' (names look like provider/name, e.g. aws/vpc)';
  throw new CloudyaError('E_TEMPLATE_NOT_FOUND', `no terraform template '${id}'${why}`, { hint });
}
