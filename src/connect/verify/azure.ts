// Azure: the OAuth 2.0 client-credentials grant at the Microsoft identity
// platform (v2.0 endpoint) of the tenant, for an Azure Resource Manager token.
import { send, formBody, jsonBody } from '../http.js';
import { connectFailure, httpFailure, quote } from '../failure.js';
import type { Settings, Verified } from '../providers.js';

export function azureTokenUrl(s: Settings): string {
  const authority = (s.authority ?? process.env.AZURE_AUTHORITY_HOST ?? 'https://login.microsoftonline.com').replace(/\/+$/, '');
  return `${authority}/${encodeURIComponent(s.tenant_id ?? '')}/oauth2/v2.0/token`;
}

export async function verifyAzure(s: Settings, opts: { timeoutMs: number }): Promise<Verified> {
  const url = azureTokenUrl(s);
  const res = await send({
    method: 'POST', url, timeoutMs: opts.timeoutMs,
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: formBody({ grant_type: 'client_credentials', client_id: s.client_id ?? '', client_secret: s.client_secret ?? '', scope: 'https://management.azure.com/.default' }),
  });
  const answer = jsonBody(res) as { access_token?: string; error?: string; error_description?: string } | undefined;
  if (res.status === 200 && answer?.access_token) return { identity: `application ${s.client_id} in tenant ${s.tenant_id}${s.subscription_id ? ` (subscription ${s.subscription_id})` : ''}` };
  // AADSTS codes name the cause: 7000215 wrong secret, 7000222 expired secret, 700016 unknown app, 90002 unknown tenant.
  const said = answer?.error ? `${answer.error}: ${(answer.error_description ?? '').split(/\r?\n/)[0]}` : quote(res.body);
  const aad = /AADSTS(\d+)/.exec(said)?.[1];
  const hint = aad === '7000222'
    ? 'the client secret has expired: create a new one (App registrations → Certificates & secrets)'
    : aad === '700016'
      ? 'no application with this client_id in the tenant: check client_id and tenant_id'
      : aad === '90002'
        ? 'the tenant does not exist: check tenant_id'
        : 'check client_id, client_secret (the secret value, not its id) and tenant_id';
  if (answer?.error && ['invalid_client', 'unauthorized_client', 'invalid_request', 'invalid_grant'].includes(answer.error) && res.status >= 400 && res.status < 500) {
    throw connectFailure('credentials', `${url} answered ${res.status}: ${quote(said)}`, hint, { url, status: res.status });
  }
  if (res.status === 200) throw connectFailure('response', `${url} answered 200 without an access_token`, 'check the authority: it must be the Microsoft identity platform', { url, status: 200 });
  throw httpFailure(url, res.status, said, hint);
}
