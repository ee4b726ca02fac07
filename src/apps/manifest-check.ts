// Checks an app manifest against schemas/app-manifest.schema.json (ajv, loaded
// only by the commands that need it) and that its name matches its folder.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CloudyaError } from '../../engine/errors.js';
import { ROOT, type AppTemplate } from '../../steps/ansible/apps.js';

export const MANIFEST_SCHEMA = join(ROOT, 'schemas', 'app-manifest.schema.json');

type Validate = ((data: unknown) => boolean) & { errors?: { instancePath: string; message?: string; params?: Record<string, unknown> }[] | null };
let compiled: Validate | undefined;

async function validator(): Promise<Validate> {
  if (compiled) return compiled;
  const mod = (await import('ajv/dist/2020.js')) as unknown as { default: new (o: object) => { compile(s: object): Validate } };
  const Ajv = (mod.default as unknown as { default?: typeof mod.default }).default ?? mod.default;
  compiled = new Ajv({ allErrors: true, strict: false }).compile(JSON.parse(readFileSync(MANIFEST_SCHEMA, 'utf8')) as object);
  return compiled;
}

/** The problems of one manifest, as `path: message` lines (empty when valid). */
export async function manifestProblems(t: AppTemplate): Promise<string[]> {
  const v = await validator();
  const out: string[] = [];
  if (!v(t.raw)) {
    for (const e of v.errors ?? []) {
      const extra = e.params?.additionalProperty ? ` ('${String(e.params.additionalProperty)}')` : e.params?.allowedValues ? ` (${(e.params.allowedValues as unknown[]).join(', ')})` : '';
      out.push(`${e.instancePath || '/'}: ${e.message ?? 'invalid'}${extra}`);
    }
  }
  const name = (t.raw as { name?: unknown } | null)?.name;
  if (typeof name === 'string' && name !== t.name) out.push(`/name: '${name}' differs from the folder name '${t.name}'`);
  return out;
}

export async function assertManifest(t: AppTemplate): Promise<void> {
  const problems = await manifestProblems(t);
  if (problems.length) throw new CloudyaError('E_APP_NOT_FOUND', `${join(t.dir, 'manifest.yaml')} is not a valid app manifest: ${problems.join('; ')}`, { hint: 'see schemas/app-manifest.schema.json' });
}
