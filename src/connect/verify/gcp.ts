// Google Cloud: a service-account JWT (RS256, signed with the key's private
// key) exchanged at the key's token_uri for an access token (RFC 7523).
import { createSign } from 'node:crypto';
import { send, formBody, jsonBody } from '../http.js';
import { connectFailure, httpFailure, quote } from '../failure.js';
import { parseServiceAccount } from '../checks.js';
import type { Settings, Verified } from '../providers.js';

const b64url = (data: string | Buffer) => Buffer.from(data).toString('base64url');

export function serviceAccountJwt(key: { client_email: string; private_key: string; private_key_id?: string }, audience: string, now = Math.floor(Date.now() / 1000)): string {
  const header = { alg: 'RS256', typ: 'JWT', ...(key.private_key_id ? { kid: key.private_key_id } : {}) };
  const claims = { iss: key.client_email, sub: key.client_email, scope: 'https://www.googleapis.com/auth/cloud-platform', aud: audience, iat: now, exp: now + 3600 };
  const unsigned = `${b64url(JSON.stringify(header))}.${b64url(JSON.stringify(claims))}`;
  let signature: Buffer;
  try {
    signature = createSign('RSA-SHA256').update(unsigned).sign(key.private_key);
  } catch (err) {
    throw connectFailure('config', `the key's private_key cannot sign (${(err as Error).message.split('\n')[0]})`, 'download a new JSON key for the service account', {}, err);
  }
  return `${unsigned}.${b64url(signature)}`;
}

export async function verifyGcp(s: Settings, opts: { timeoutMs: number }): Promise<Verified> {
  let key;
  try {
    key = parseServiceAccount(s.credentials_json ?? '');
  } catch (err) {
    throw connectFailure('config', (err as Error).message, 'connect again with --set credentials_file=KEY.json');
  }
  const url = key.token_uri ?? 'https://oauth2.googleapis.com/token';
  const res = await send({
    method: 'POST', url, timeoutMs: opts.timeoutMs,
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: formBody({ grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer', assertion: serviceAccountJwt(key, url) }),
  });
  const answer = jsonBody(res) as { access_token?: string; error?: string; error_description?: string } | undefined;
  if (res.status === 200 && answer?.access_token) return { identity: `${key.client_email}${s.project ? ` (project ${s.project})` : ''}` };
  // Google answers a refused key with 400 invalid_grant (deleted key, wrong signature, disabled account).
  const said = answer?.error ? `${answer.error}${answer.error_description ? `: ${answer.error_description}` : ''}` : quote(res.body);
  const hint = "the key was deleted, disabled or belongs to another account, or this machine's clock is off; create a new key (IAM → Service accounts → Keys)";
  if (answer?.error && ['invalid_grant', 'invalid_client', 'unauthorized_client', 'access_denied'].includes(answer.error)) {
    throw connectFailure('credentials', `${url} answered ${res.status}: ${quote(said)}`, hint, { url, status: res.status });
  }
  if (res.status === 200) throw connectFailure('response', `${url} answered 200 without an access_token`, 'the token_uri in the key does not point at a Google token endpoint', { url, status: 200 });
  throw httpFailure(url, res.status, said, hint);
}
