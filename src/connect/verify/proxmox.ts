// Proxmox VE: GET /api2/json/version with an API token. Any valid token may
// read it, so it checks the token and nothing else.
import { send, jsonBody } from '../http.js';
import { connectFailure, httpFailure, quote } from '../failure.js';
import type { Settings, Verified } from '../providers.js';

export function tlsOf(s: Settings) {
  return { caFile: s.ca_file, insecure: s.insecure === 'true' };
}

export async function verifyProxmox(s: Settings, opts: { timeoutMs: number }): Promise<Verified> {
  const url = `${(s.url ?? '').replace(/\/+$/, '')}/version`;
  const res = await send({
    method: 'GET', url, timeoutMs: opts.timeoutMs, tls: tlsOf(s),
    headers: { authorization: `PVEAPIToken=${s.token_id}=${s.token_secret}` },
    caAdvice: 'on the Proxmox host it is /etc/pve/pve-root-ca.pem',
  });
  // Proxmox puts its reason in the status line ("401 invalid token value!"), the body is {"data":null}.
  if (res.status !== 200) {
    throw httpFailure(url, res.status, res.statusMessage || quote(res.body), 'check token_id (user@realm!tokenname) and token_secret; the token must exist and not be expired (Datacenter → Permissions → API Tokens)');
  }
  const data = (jsonBody(res) as { data?: { version?: string; release?: string } } | undefined)?.data;
  if (!data?.version) throw connectFailure('response', `${url} answered 200 but not with a Proxmox version: ${quote(res.body, 160)}`, 'the URL must point at the Proxmox API (https://host:8006)', { url, status: 200 });
  return { identity: `Proxmox VE ${data.version} as ${s.token_id}` };
}
