// OpenStack: Keystone v3 password authentication scoped to the project
// (`POST /v3/auth/tokens`); the token's catalog also shows whether the region exists.
import { send, jsonBody } from '../http.js';
import { connectFailure, httpFailure, quote } from '../failure.js';
import { tlsOf } from './proxmox.js';
import type { Settings, Verified } from '../providers.js';

interface TokenAnswer {
  token?: {
    user?: { name?: string; domain?: { name?: string } };
    project?: { name?: string; id?: string };
    catalog?: { type?: string; endpoints?: { region?: string; region_id?: string }[] }[];
  };
  error?: { message?: string; title?: string };
}

export function tokensUrl(authUrl: string): string {
  const base = authUrl.replace(/\/+$/, '');
  return /\/v3$/.test(base) ? `${base}/auth/tokens` : `${base}/v3/auth/tokens`;
}

export async function verifyOpenstack(s: Settings, opts: { timeoutMs: number }): Promise<Verified> {
  const url = tokensUrl(s.auth_url ?? '');
  const body = {
    auth: {
      identity: { methods: ['password'], password: { user: { name: s.username, domain: { name: s.user_domain_name ?? 'Default' }, password: s.password } } },
      scope: { project: { name: s.project_name, domain: { name: s.project_domain_name ?? 'Default' } } },
    },
  };
  const res = await send({ method: 'POST', url, timeoutMs: opts.timeoutMs, tls: tlsOf(s), headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const answer = jsonBody(res) as TokenAnswer | undefined;
  if (res.status !== 201 && res.status !== 200) {
    const said = answer?.error?.message ?? (res.statusMessage || quote(res.body));
    throw httpFailure(url, res.status, said, 'check username, password, project_name and the two domains (user_domain_name, project_domain_name; usually Default); the user needs a role on the project');
  }
  if (!answer?.token || !res.headers['x-subject-token']) throw connectFailure('response', `${url} answered ${res.status} without a token: ${quote(res.body, 160)}`, 'auth_url must point at Keystone (https://host:5000/v3)', { url, status: res.status });
  const regions = new Set((answer.token.catalog ?? []).flatMap((svc) => (svc.endpoints ?? []).map((e) => e.region_id ?? e.region)).filter((r): r is string => Boolean(r)));
  if (s.region && regions.size > 0 && !regions.has(s.region)) {
    throw connectFailure('config', `region '${s.region}' is not in the service catalog (regions: ${[...regions].sort().join(', ')})`, 'set the region with --set region=NAME', { url });
  }
  const user = answer.token.user;
  return { identity: `${user?.name ?? s.username}@${user?.domain?.name ?? s.user_domain_name ?? 'Default'} on project ${answer.token.project?.name ?? s.project_name}${s.region ? ` in ${s.region}` : ''}` };
}
