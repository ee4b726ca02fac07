// Where an app goes: --host (with --connection/--user/--ssh-port/--key), or
// --deployment ID, read from ~/.cloudya/deployments/<id>/deployment.json
// (written by the terraform step: outputs host, connection, ssh_user, ssh_port).
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { cloudyaHome } from '../../engine/config.js';
import { CloudyaError } from '../../engine/errors.js';
import { suggestionHint } from '../../engine/suggest.js';

export interface AppTarget {
  /** A host name or address, or an expression giving one (stacks). */
  host: string;
  connection?: string;
  user?: string;
  port?: number | string;
  privateKey?: string;
  deployment?: string;
  platform?: string;
}

/** The ssh user cloud images usually have, by platform (override with --user). */
export const DEFAULT_SSH_USER: Record<string, string> = { aws: 'ubuntu', gcp: 'ubuntu', azure: 'azureuser' };

interface DeploymentRecord {
  id: string;
  provider?: string;
  template?: string;
  status?: string;
  outputs?: Record<string, unknown>;
}

function deploymentIds(): string[] {
  const dir = join(cloudyaHome(), 'deployments');
  return existsSync(dir) ? readdirSync(dir).filter((d) => existsSync(join(dir, d, 'deployment.json'))) : [];
}

export function targetFromDeployment(id: string): AppTarget {
  const file = join(cloudyaHome(), 'deployments', id, 'deployment.json');
  if (!/^[\w.-]+$/.test(id) || !existsSync(file)) {
    throw new CloudyaError('E_DEPLOYMENT_NOT_FOUND', `no deployment ${id}`, { hint: `${suggestionHint(id, deploymentIds(), 'deployments') ?? 'there are no deployments'} (see \`cloudya deploy list-deployments\`)` });
  }
  const d = JSON.parse(readFileSync(file, 'utf8')) as DeploymentRecord;
  if (d.status !== 'applied') throw new CloudyaError('E_USAGE', `deployment ${id} is ${d.status ?? 'in an unknown state'}, not applied`, { hint: 'install apps onto applied deployments only' });
  const o = d.outputs ?? {};
  const host = o.host ?? o.public_ip;
  if (typeof host !== 'string' || !host) throw new CloudyaError('E_USAGE', `deployment ${id} has no host output`, { hint: 'its template must output `host` (or `public_ip`)' });
  const str = (v: unknown) => (typeof v === 'string' && v ? v : undefined);
  const user = str(o.ssh_user);
  const privateKey = str(o.ssh_private_key_file) ?? str(o.private_key_path);
  const port = typeof o.ssh_port === 'number' || (typeof o.ssh_port === 'string' && o.ssh_port) ? o.ssh_port : undefined;
  return {
    host,
    deployment: id,
    ...(str(o.connection) ? { connection: str(o.connection)! } : {}),
    ...(user ? { user } : {}),
    ...(port !== undefined ? { port } : {}),
    ...(privateKey ? { privateKey } : {}),
    ...(d.provider ? { platform: d.provider } : {}),
  };
}

export interface TargetOptions {
  host?: unknown;
  deployment?: unknown;
  connection?: unknown;
  user?: unknown;
  'ssh-port'?: unknown;
  key?: unknown;
}

/** From the command line; undefined when nothing says where (only --emit allows that). */
export function targetFromOptions(o: TargetOptions, platform: string | undefined): AppTarget | undefined {
  if (o.host !== undefined && o.deployment !== undefined) throw new CloudyaError('E_USAGE', 'give --host or --deployment, not both');
  const base = o.deployment !== undefined ? targetFromDeployment(String(o.deployment)) : o.host !== undefined ? { host: String(o.host) } : undefined;
  if (!base) return undefined;
  const connection = o.connection === undefined ? base.connection : String(o.connection);
  if (connection !== undefined && connection !== 'local' && connection !== 'ssh') throw new CloudyaError('E_USAGE', `--connection must be local or ssh, got '${connection}'`);
  const user = o.user !== undefined ? String(o.user) : base.user ?? (platform ? DEFAULT_SSH_USER[platform] : undefined);
  const port = o['ssh-port'] !== undefined ? Number(o['ssh-port']) : base.port;
  if (port !== undefined && (!Number.isInteger(Number(port)) || Number(port) < 1 || Number(port) > 65535)) throw new CloudyaError('E_USAGE', `--ssh-port must be 1-65535, got '${String(o['ssh-port'])}'`);
  return {
    ...base,
    ...(connection ? { connection } : {}),
    ...(user ? { user } : {}),
    ...(port !== undefined ? { port } : {}),
    ...(o.key !== undefined ? { privateKey: String(o.key) } : {}),
  };
}
