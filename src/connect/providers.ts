// What `cloudya connect` asks for, per provider, and which module verifies it.
// Keys are the names stored in credentials.yaml (engine/credentials.ts maps
// them to the environment terraform's providers read).
import { checkBool, checkFile, checkHost, checkPattern, checkPort, checkServiceAccountJson, checkUrl, parseServiceAccount, type Settings } from './checks.js';

export type { Settings } from './checks.js';

export interface Field {
  key: string;
  /** The question asked on a terminal. */
  prompt: string;
  secret?: boolean;
  required?: boolean;
  default?: string | ((values: Settings) => string | undefined);
  /** Not asked on a terminal; set with --set or the environment. */
  advanced?: boolean;
  /** Only asked, required and stored when this holds for the values gathered before it. */
  when?: (values: Settings) => boolean;
  /** Returns the value to store; may fill in other values; throws when the value is wrong. */
  check?: (value: string, values: Settings) => string;
  /** Taken as input, never stored itself (its `check` stores what it stands for). */
  inputOnly?: boolean;
}

export interface Verified {
  /** Who or what we are connected as, e.g. an ARN or "Proxmox VE 8.2.4 as root@pam!ci". */
  identity: string;
}

export type Verifier = (settings: Settings, opts: { timeoutMs: number }) => Promise<Verified>;

export interface Provider {
  name: string;
  title: string;
  fields: Field[];
  /** Where the check goes, for the progress line. */
  target(settings: Settings): string;
  verifier(): Promise<Verifier>;
}

const tlsFields: Field[] = [
  { key: 'ca_file', prompt: 'CA certificate file (PEM)', advanced: true, check: checkFile },
  { key: 'insecure', prompt: 'Skip TLS certificate checks', advanced: true, check: checkBool },
];

const awsKeys = (v: Settings) => !v.profile;

function gcpProject(values: Settings): string | undefined {
  try {
    return values.credentials_json ? parseServiceAccount(values.credentials_json).project_id : undefined;
  } catch {
    return undefined;
  }
}

export const PROVIDERS: Provider[] = [
  {
    name: 'aws',
    title: 'Amazon Web Services',
    fields: [
      { key: 'profile', prompt: 'Named profile from ~/.aws/credentials (Enter to type keys instead)' },
      { key: 'access_key_id', prompt: 'Access key ID', required: true, when: awsKeys, check: checkPattern(/^[A-Z0-9]{16,128}$/, 'an access key id (AKIA…)') },
      { key: 'secret_access_key', prompt: 'Secret access key', secret: true, required: true, when: awsKeys },
      { key: 'session_token', prompt: 'Session token (Enter if none)', secret: true, when: awsKeys },
      { key: 'region', prompt: 'Default region', default: 'us-east-1', check: checkPattern(/^[a-z]{2}(-[a-z]+)+-\d+$/, 'a region name (eu-west-3)') },
      { key: 'endpoint', prompt: 'STS endpoint URL', advanced: true, check: checkUrl },
    ],
    target: (s) => s.endpoint ?? process.env.AWS_ENDPOINT_URL_STS ?? process.env.AWS_ENDPOINT_URL ?? `STS in ${s.region ?? 'us-east-1'}`,
    verifier: async () => (await import('./verify/aws.js')).verifyAws,
  },
  {
    name: 'gcp',
    title: 'Google Cloud',
    fields: [
      {
        key: 'credentials_file', prompt: 'Service-account key file (JSON)', inputOnly: true, when: (v) => !v.credentials_json,
        check: (value, values) => {
          values.credentials_json = checkServiceAccountJson(checkFile(value));
          return value;
        },
      },
      { key: 'credentials_json', prompt: 'Service-account key (JSON content)', secret: true, required: true, advanced: true, check: checkServiceAccountJson },
      { key: 'project', prompt: 'Default project', required: true, default: gcpProject },
      { key: 'region', prompt: 'Default region (Enter for none)' },
    ],
    target: (s) => {
      try {
        return parseServiceAccount(s.credentials_json ?? '').token_uri ?? 'https://oauth2.googleapis.com/token';
      } catch {
        return 'the token endpoint';
      }
    },
    verifier: async () => (await import('./verify/gcp.js')).verifyGcp,
  },
  {
    name: 'azure',
    title: 'Microsoft Azure',
    fields: [
      { key: 'tenant_id', prompt: 'Tenant (directory) ID', required: true, check: checkPattern(/^[A-Za-z0-9.-]+$/, 'a tenant id or domain') },
      { key: 'client_id', prompt: 'Client (application) ID', required: true, check: checkPattern(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i, 'a GUID') },
      { key: 'client_secret', prompt: 'Client secret', secret: true, required: true },
      { key: 'subscription_id', prompt: 'Default subscription ID', required: true, check: checkPattern(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i, 'a GUID') },
      { key: 'authority', prompt: 'Authority host', advanced: true, check: checkUrl },
    ],
    target: (s) => `${s.authority ?? process.env.AZURE_AUTHORITY_HOST ?? 'https://login.microsoftonline.com'}/${s.tenant_id ?? ''}`,
    verifier: async () => (await import('./verify/azure.js')).verifyAzure,
  },
  {
    name: 'proxmox',
    title: 'Proxmox VE',
    fields: [
      { key: 'url', prompt: 'API URL (https://host:8006)', required: true, check: (v) => checkUrl(v).replace(/(?:\/api2\/json)?$/, '/api2/json') },
      { key: 'token_id', prompt: 'API token ID (user@realm!name)', required: true, check: checkPattern(/^[^@!\s]+@[^@!\s]+![^@!\s]+$/, 'user@realm!tokenname (e.g. root@pam!cloudya)') },
      { key: 'token_secret', prompt: 'API token secret', secret: true, required: true },
      ...tlsFields,
    ],
    target: (s) => s.url ?? '',
    verifier: async () => (await import('./verify/proxmox.js')).verifyProxmox,
  },
  {
    name: 'vmware',
    title: 'VMware vSphere (vCenter)',
    fields: [
      { key: 'server', prompt: 'vCenter server (host or https://host)', required: true, check: checkHost },
      { key: 'user', prompt: 'User (administrator@vsphere.local)', required: true },
      { key: 'password', prompt: 'Password', secret: true, required: true },
      ...tlsFields,
    ],
    target: (s) => (s.server ? `https://${s.server.replace(/^https?:\/\//, '')}` : ''),
    verifier: async () => (await import('./verify/vmware.js')).verifyVmware,
  },
  {
    name: 'nutanix',
    title: 'Nutanix Prism',
    fields: [
      {
        key: 'endpoint', prompt: 'Prism Central address (host or https://host:9440)', required: true,
        check: (value, values) => {
          const m = /^https:\/\/([^/:]+|\[[^\]]+\]):(\d+)\/?$/i.exec(value) ?? /^([^/:]+|\[[^\]]+\]):(\d+)$/.exec(value);
          if (m) values.port = checkPort(m[2]!);
          return checkHost(m ? m[1]! : value);
        },
      },
      { key: 'username', prompt: 'User', required: true },
      { key: 'password', prompt: 'Password', secret: true, required: true },
      { key: 'port', prompt: 'Port', advanced: true, default: '9440', check: checkPort },
      ...tlsFields,
    ],
    target: (s) => `https://${s.endpoint ?? ''}:${s.port ?? '9440'}`,
    verifier: async () => (await import('./verify/nutanix.js')).verifyNutanix,
  },
  {
    name: 'openstack',
    title: 'OpenStack (Keystone v3)',
    fields: [
      { key: 'auth_url', prompt: 'Keystone URL (https://host:5000/v3)', required: true, check: checkUrl },
      { key: 'username', prompt: 'User', required: true },
      { key: 'password', prompt: 'Password', secret: true, required: true },
      { key: 'project_name', prompt: 'Project', required: true },
      { key: 'user_domain_name', prompt: 'User domain', default: 'Default' },
      { key: 'project_domain_name', prompt: 'Project domain', default: 'Default' },
      { key: 'region', prompt: 'Region (Enter for any)' },
      ...tlsFields,
    ],
    target: (s) => s.auth_url ?? '',
    verifier: async () => (await import('./verify/openstack.js')).verifyOpenstack,
  },
];

export const PROVIDER_NAMES = PROVIDERS.map((p) => p.name);

export function findProvider(name: string): Provider | undefined {
  return PROVIDERS.find((p) => p.name === name.toLowerCase());
}

export function secretKeys(provider: Provider): string[] {
  return provider.fields.filter((f) => f.secret).map((f) => f.key);
}

/** CLOUDYA_CONNECT_<KEY>: where scripts put values (secrets above all) so they stay out of the process list. */
export function envName(key: string): string {
  return `CLOUDYA_CONNECT_${key.toUpperCase()}`;
}
