// Deployment records: ~/.cloudya/deployments/<id>/deployment.json beside the
// terraform working directory of that deployment (the same folder).
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cloudyaHome } from '../../engine/config.js';
import { CloudyaError } from '../../engine/errors.js';
import { didYouMean } from '../../engine/suggest.js';

export type DeploymentStatus = 'planned' | 'applied' | 'failed' | 'destroyed';

export interface DeploymentRecord {
  id: string;
  /** `<provider>/<name>`, or `source:<dir>` for a workflow's own configuration. */
  template: string;
  provider: string;
  status: DeploymentStatus;
  createdAt: string;
  updatedAt: string;
  /** The run that last changed it. */
  runId: string;
  /** Variable values; secret ones as "***". */
  params: Record<string, unknown>;
  /** Terraform outputs after the last apply (sensitive ones as "***"). */
  outputs: Record<string, unknown>;
  /** The run and step whose apply created its resources: only that step's rollback destroys it. */
  createdBy?: { runId: string; stepId: string };
  /** The last error, when status is failed. */
  error?: { code: string; message: string };
}

export const DEPLOYMENT_ID = /^[a-z0-9][a-z0-9._-]{0,79}$/;

export function deploymentsRoot(): string {
  return join(cloudyaHome(), 'deployments');
}

export function deploymentDir(id: string): string {
  if (!DEPLOYMENT_ID.test(id)) {
    throw new CloudyaError('E_TERRAFORM_CONFIG', `'${id}' is not a valid deployment id`, { hint: 'use lower-case letters, digits, ".", "_" and "-" (at most 80), starting with a letter or digit' });
  }
  return join(deploymentsRoot(), id);
}

const slug = (template: string) => template.replace(/^source:.*[/\\]/, '').replace(/[^a-z0-9]+/gi, '-').replace(/^-|-$/g, '').toLowerCase().slice(0, 60) || 'deployment';

/** A fresh id for a template: `aws-vpc-3f9c1a`. With a seed (run id + step id) the same seed gives the same id, so retries and resume reuse it. */
export function newDeploymentId(template: string, seed?: string): string {
  const suffix = seed ? createHash('sha256').update(seed).digest('hex').slice(0, 6) : randomBytes(3).toString('hex');
  return `${slug(template)}-${suffix}`;
}

export function readDeployment(id: string): DeploymentRecord | undefined {
  try {
    return JSON.parse(readFileSync(join(deploymentDir(id), 'deployment.json'), 'utf8')) as DeploymentRecord;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}

/** Written atomically (temp file + rename), mode 0600. */
export function writeDeployment(rec: DeploymentRecord): void {
  const dir = deploymentDir(rec.id);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const file = join(dir, 'deployment.json');
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, JSON.stringify(rec, null, 2) + '\n', { mode: 0o600 });
  renameSync(tmp, file);
}

/** Every deployment, newest first. */
export function listDeployments(): DeploymentRecord[] {
  const root = deploymentsRoot();
  if (!existsSync(root)) return [];
  const out: DeploymentRecord[] = [];
  for (const id of readdirSync(root)) {
    if (!DEPLOYMENT_ID.test(id)) continue;
    try {
      const rec = readDeployment(id);
      if (rec) out.push(rec);
    } catch {
      // A half-written or foreign folder is not a deployment.
    }
  }
  return out.sort((a, b) => b.createdAt.localeCompare(a.createdAt) || a.id.localeCompare(b.id));
}

/** The deployment with this id or unique id prefix; E_DEPLOYMENT_NOT_FOUND otherwise. */
export function findDeployment(idOrPrefix: string): DeploymentRecord {
  const all = listDeployments();
  const exact = all.find((d) => d.id === idOrPrefix);
  if (exact) return exact;
  const byPrefix = all.filter((d) => d.id.startsWith(idOrPrefix));
  if (byPrefix.length === 1) return byPrefix[0]!;
  if (byPrefix.length > 1) {
    throw new CloudyaError('E_DEPLOYMENT_NOT_FOUND', `'${idOrPrefix}' matches ${byPrefix.length} deployments`, { hint: `give more of the id: ${byPrefix.slice(0, 5).map((d) => d.id).join(', ')}` });
  }
  const close = didYouMean(idOrPrefix, all.map((d) => d.id));
  throw new CloudyaError('E_DEPLOYMENT_NOT_FOUND', `no deployment ${idOrPrefix}`, { hint: close ? `did you mean '${close}'?` : 'see the deployments with `cloudya deploy list-deployments`' });
}
