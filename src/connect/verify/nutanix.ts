// Nutanix: Prism v3 `POST /api/nutanix/v3/clusters/list` with basic auth.
import { send, jsonBody, basicAuth } from '../http.js';
import { connectFailure, httpFailure, quote } from '../failure.js';
import { hostUrl } from '../checks.js';
import { tlsOf } from './proxmox.js';
import type { Settings, Verified } from '../providers.js';

interface ClusterList {
  metadata?: { total_matches?: number };
  entities?: { status?: { name?: string }; spec?: { name?: string } }[];
  message_list?: { message?: string; reason?: string }[];
}

export async function verifyNutanix(s: Settings, opts: { timeoutMs: number }): Promise<Verified> {
  const base = (s.endpoint ?? '').includes('://') ? (s.endpoint ?? '') : `https://${s.endpoint}:${s.port ?? '9440'}`;
  const url = `${hostUrl(base)}/api/nutanix/v3/clusters/list`;
  const res = await send({
    method: 'POST', url, timeoutMs: opts.timeoutMs, tls: tlsOf(s),
    headers: { authorization: basicAuth(s.username ?? '', s.password ?? ''), 'content-type': 'application/json' },
    body: JSON.stringify({ kind: 'cluster', length: 20 }),
  });
  const answer = jsonBody(res) as ClusterList | undefined;
  if (res.status !== 200) {
    const said = answer?.message_list?.map((m) => [m.reason, m.message].filter(Boolean).join(': ')).join('; ') || res.statusMessage || quote(res.body);
    throw httpFailure(url, res.status, said, 'check username and password (a Prism Central user; local accounts and directory users with their domain)');
  }
  if (!answer || !Array.isArray(answer.entities)) throw connectFailure('response', `${url} answered 200 but not with a cluster list: ${quote(res.body, 160)}`, 'the endpoint must be Prism Central (or Prism Element) on port 9440', { url, status: 200 });
  const names = answer.entities.map((e) => e.status?.name ?? e.spec?.name).filter((n): n is string => Boolean(n));
  const count = answer.metadata?.total_matches ?? names.length;
  return { identity: `Prism at ${s.endpoint} as ${s.username}, ${count} cluster${count === 1 ? '' : 's'}${names.length ? ` (${names.slice(0, 5).join(', ')})` : ''}` };
}
