// Checks and normal forms for the values `connect` takes. Each returns the
// value to store, or throws an Error whose message says what is wrong.
import { existsSync, readFileSync, statSync } from 'node:fs';
import { resolve } from 'node:path';

export type Settings = Record<string, string>;

export function checkUrl(value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new Error(`'${value}' is not a URL; give it as https://host:port`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new Error(`'${value}' is not an http(s) URL`);
  return value.replace(/\/+$/, '');
}

/** `host`, `host:port` or `https://host[:port]` → `host[:port]` (what the terraform providers take); other URLs stay as given. */
export function checkHost(value: string): string {
  const m = /^https:\/\/([^/]+)\/?$/i.exec(value);
  if (m) return m[1]!;
  if (value.includes('://')) return checkUrl(value);
  if (!/^[A-Za-z0-9.-]+(:\d+)?$|^\[[0-9A-Fa-f:.]+\](:\d+)?$/.test(value)) throw new Error(`'${value}' is not a host name, host:port or https:// URL`);
  return value;
}

/** The base URL of a host setting: https unless a scheme is given. */
export function hostUrl(host: string, defaultPort?: string): string {
  if (host.includes('://')) return host.replace(/\/+$/, '');
  const hasPort = /:\d+$/.test(host) && !/^\[[^\]]*\]$/.test(host);
  return `https://${host}${!hasPort && defaultPort ? `:${defaultPort}` : ''}`;
}

export function checkBool(value: string): string {
  if (/^(true|yes|on|1)$/i.test(value)) return 'true';
  if (/^(false|no|off|0)$/i.test(value)) return 'false';
  throw new Error(`'${value}' is not true or false`);
}

export function checkFile(value: string): string {
  const path = resolve(value.replace(/^~(?=\/)/, process.env.HOME ?? '~'));
  if (!existsSync(path) || !statSync(path).isFile()) throw new Error(`no file ${path}`);
  return path;
}

export function checkPattern(pattern: RegExp, shape: string): (value: string) => string {
  return (value) => {
    if (!pattern.test(value)) throw new Error(`'${value}' does not look like ${shape}`);
    return value;
  };
}

export function checkPort(value: string): string {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 65535) throw new Error(`'${value}' is not a port number`);
  return String(n);
}

/** The fields of a service-account key that matter here. */
export interface ServiceAccountKey {
  type: string;
  project_id?: string;
  private_key_id?: string;
  private_key: string;
  client_email: string;
  token_uri?: string;
}

/** A service-account key: JSON content, or a path to the file (as GOOGLE_CREDENTIALS allows). Never echoes the content. */
export function checkServiceAccountJson(value: string): string {
  const text = value.trimStart().startsWith('{') ? value : readFileSync(checkFile(value), 'utf8');
  parseServiceAccount(text);
  return JSON.stringify(JSON.parse(text) as unknown);
}

export function parseServiceAccount(text: string): ServiceAccountKey {
  let key: Partial<ServiceAccountKey>;
  try {
    key = JSON.parse(text) as Partial<ServiceAccountKey>;
  } catch {
    throw new Error('the key is not JSON (download a JSON key for the service account)');
  }
  if (key.type !== 'service_account') throw new Error(`the key's type is ${JSON.stringify(key.type ?? null)}, not "service_account" (user credentials from gcloud are not supported; create a service-account key)`);
  if (typeof key.client_email !== 'string' || typeof key.private_key !== 'string') throw new Error('the key lacks client_email or private_key');
  return key as ServiceAccountKey;
}
