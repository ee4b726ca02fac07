// Stored provider credentials (~/.cloudya/credentials.yaml, mode 0600), written
// by `cloudya connect`, and the environment each provider's terraform provider
// and CLI expect. The terraform step hands `providerEnv(...)` to terraform.
import { readFileSync, writeFileSync, renameSync, mkdirSync, chmodSync } from 'node:fs';
import { join } from 'node:path';
import { cloudyaHome } from './config.js';
import { CloudyaError } from './errors.js';

export type Credentials = Record<string, Record<string, string>>;

export function credentialsFile(home = cloudyaHome()): string {
  return join(home, 'credentials.yaml');
}

export async function readCredentials(home = cloudyaHome()): Promise<Credentials> {
  let text: string;
  try {
    text = readFileSync(credentialsFile(home), 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return {};
    throw err;
  }
  const { load } = await import('js-yaml');
  const value = load(text) as unknown;
  if (value === null || value === undefined) return {};
  if (typeof value !== 'object' || Array.isArray(value)) {
    throw new CloudyaError('E_CONFIG', `${credentialsFile(home)} is not a mapping of provider → settings`, { hint: 'fix it, or remove it and run `cloudya connect PROVIDER` again' });
  }
  const out: Credentials = {};
  for (const [provider, settings] of Object.entries(value as Record<string, unknown>)) {
    if (settings && typeof settings === 'object') out[provider] = Object.fromEntries(Object.entries(settings).map(([k, v]) => [k, String(v)]));
  }
  return out;
}

/** Writes the whole file atomically with mode 0600 (the temp file is created 0600 too). */
export async function writeCredentials(creds: Credentials, home = cloudyaHome()): Promise<void> {
  const { dump } = await import('js-yaml');
  mkdirSync(home, { recursive: true, mode: 0o700 });
  const file = credentialsFile(home);
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, `# written by cloudya connect; keep private (mode 0600)\n${dump(creds)}`, { mode: 0o600 });
  // A stale temp file keeps its old mode through writeFileSync: set it.
  chmodSync(tmp, 0o600);
  renameSync(tmp, file);
}

/** Stored setting name → environment variable, per provider (what terraform's provider and the vendor CLI read). */
export const PROVIDER_ENV: Record<string, Record<string, string>> = {
  aws: { access_key_id: 'AWS_ACCESS_KEY_ID', secret_access_key: 'AWS_SECRET_ACCESS_KEY', session_token: 'AWS_SESSION_TOKEN', region: 'AWS_REGION', profile: 'AWS_PROFILE' },
  gcp: { credentials_json: 'GOOGLE_CREDENTIALS', project: 'GOOGLE_PROJECT', region: 'GOOGLE_REGION' },
  azure: { client_id: 'ARM_CLIENT_ID', client_secret: 'ARM_CLIENT_SECRET', tenant_id: 'ARM_TENANT_ID', subscription_id: 'ARM_SUBSCRIPTION_ID' },
  proxmox: { url: 'PM_API_URL', token_id: 'PM_API_TOKEN_ID', token_secret: 'PM_API_TOKEN_SECRET', insecure: 'PM_TLS_INSECURE' },
  vmware: { server: 'VSPHERE_SERVER', user: 'VSPHERE_USER', password: 'VSPHERE_PASSWORD', insecure: 'VSPHERE_ALLOW_UNVERIFIED_SSL' },
  nutanix: { endpoint: 'NUTANIX_ENDPOINT', username: 'NUTANIX_USERNAME', password: 'NUTANIX_PASSWORD', port: 'NUTANIX_PORT', insecure: 'NUTANIX_INSECURE' },
  openstack: { auth_url: 'OS_AUTH_URL', username: 'OS_USERNAME', password: 'OS_PASSWORD', project_name: 'OS_PROJECT_NAME', user_domain_name: 'OS_USER_DOMAIN_NAME', project_domain_name: 'OS_PROJECT_DOMAIN_NAME', region: 'OS_REGION_NAME', ca_file: 'OS_CACERT', insecure: 'OS_INSECURE' },
};

/** The environment for `provider` from stored credentials (empty when none are stored). */
export function providerEnv(provider: string, creds: Credentials): Record<string, string> {
  const map = PROVIDER_ENV[provider] ?? {};
  const stored = creds[provider] ?? {};
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(stored)) if (map[key] && value !== '') env[map[key]] = value;
  return env;
}
