// The inventory ansible-playbook gets: every host in group `all`, with its
// connection settings. Written as JSON (a YAML subset the yaml inventory plugin reads).
import { CloudyaError } from '../../engine/errors.js';

export type Connection = 'local' | 'ssh';

export interface TargetSettings {
  hosts: string[];
  connection?: string;
  user?: string;
  port?: number | string;
  privateKey?: string;
}

const LOCAL_NAMES = new Set(['localhost', '127.0.0.1', '::1']);
// Host names/addresses only: no spaces, quotes or inventory syntax.
const HOST_PATTERN = /^[A-Za-z0-9_.:\[\]%-]+$/;

/** local for localhost/127.0.0.1 unless said otherwise, ssh for any other host. */
export function connectionFor(host: string, given: string | undefined): Connection {
  if (given === undefined || given === '') return LOCAL_NAMES.has(host) ? 'local' : 'ssh';
  if (given === 'local' || given === 'ssh') return given;
  throw new CloudyaError('E_WITH_INVALID', `connection must be local or ssh, got '${given}'`, { hint: 'local runs on this machine; ssh connects to the host' });
}

export function checkHosts(hosts: readonly string[]): void {
  if (hosts.length === 0) throw new CloudyaError('E_WITH_INVALID', 'hosts is empty', { hint: 'give at least one host, e.g. hosts: [localhost]' });
  for (const h of hosts) {
    if (!HOST_PATTERN.test(h)) throw new CloudyaError('E_WITH_INVALID', `'${h}' is not a host name or address`, { hint: 'a host is a name or an IP address, without user@ or :port (use user and port)' });
  }
}

export function buildInventory(t: TargetSettings, python: string): { all: { hosts: Record<string, Record<string, unknown>> } } {
  checkHosts(t.hosts);
  const hosts: Record<string, Record<string, unknown>> = {};
  for (const host of t.hosts) {
    const connection = connectionFor(host, t.connection);
    if (connection === 'local') {
      // The controller's own python: no interpreter discovery, no warning.
      hosts[host] = { ansible_connection: 'local', ansible_python_interpreter: python };
      continue;
    }
    const port = t.port === undefined || t.port === '' ? undefined : Number(t.port);
    if (port !== undefined && (!Number.isInteger(port) || port < 1 || port > 65535)) {
      throw new CloudyaError('E_WITH_INVALID', `port must be 1-65535, got '${t.port}'`);
    }
    hosts[host] = {
      ansible_connection: 'ssh',
      ansible_host: host,
      ...(t.user ? { ansible_user: t.user } : {}),
      ...(port ? { ansible_port: port } : {}),
      ...(t.privateKey ? { ansible_ssh_private_key_file: t.privateKey } : {}),
      // A new machine's key is learnt once; a changed key is still refused.
      ansible_ssh_common_args: '-o StrictHostKeyChecking=accept-new -o BatchMode=yes -o ConnectTimeout=10',
      ansible_python_interpreter: 'auto_silent',
    };
  }
  return { all: { hosts } };
}
