// AWS: STS GetCallerIdentity, signed with SigV4. Needs no permission at all,
// so it checks exactly that the keys are valid.
import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { send } from '../http.js';
import { signV4 } from '../sigv4.js';
import { connectFailure, httpFailure, quote } from '../failure.js';
import type { Settings, Verified } from '../providers.js';

interface Keys { accessKeyId: string; secretAccessKey: string; sessionToken?: string | undefined }

/** The keys of a named profile in the shared credentials file (static keys only). */
function profileKeys(profile: string): Keys {
  const file = process.env.AWS_SHARED_CREDENTIALS_FILE || join(homedir(), '.aws', 'credentials');
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    throw connectFailure('config', `profile '${profile}': cannot read ${file}`, 'create it with `aws configure --profile NAME`, or connect with access keys instead');
  }
  const section: Record<string, string> = {};
  let inside = false;
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    const head = /^\[\s*(.+?)\s*\]$/.exec(line);
    if (head) inside = head[1] === profile;
    else if (inside && /^[\w.-]+\s*=/.test(line)) section[line.slice(0, line.indexOf('=')).trim()] = line.slice(line.indexOf('=') + 1).trim();
  }
  if (!section.aws_access_key_id || !section.aws_secret_access_key) {
    throw connectFailure('config', `profile '${profile}' has no aws_access_key_id/aws_secret_access_key in ${file}`, 'cloudya verifies profiles with static keys only (not SSO or role profiles); use --no-verify to save it unchecked');
  }
  return { accessKeyId: section.aws_access_key_id, secretAccessKey: section.aws_secret_access_key, sessionToken: section.aws_session_token };
}

export function stsEndpoint(s: Settings): string {
  const region = s.region ?? 'us-east-1';
  return s.endpoint ?? process.env.AWS_ENDPOINT_URL_STS ?? process.env.AWS_ENDPOINT_URL ?? `https://sts.${region}.amazonaws.com${region.startsWith('cn-') ? '.cn' : ''}`;
}

const tag = (xml: string, name: string) => new RegExp(`<${name}>([^<]*)</${name}>`).exec(xml)?.[1];

// Codes STS uses for keys it does not accept (some come with 400, not 403).
const REFUSED = new Set(['InvalidClientTokenId', 'SignatureDoesNotMatch', 'ExpiredToken', 'AccessDenied', 'UnrecognizedClientException', 'IncompleteSignature', 'InvalidAccessKeyId', 'RequestExpired']);

export async function verifyAws(s: Settings, opts: { timeoutMs: number }): Promise<Verified> {
  const keys: Keys = s.profile ? profileKeys(s.profile) : { accessKeyId: s.access_key_id ?? '', secretAccessKey: s.secret_access_key ?? '', sessionToken: s.session_token };
  const region = s.region ?? 'us-east-1';
  const url = stsEndpoint(s).replace(/\/*$/, '/');
  const body = 'Action=GetCallerIdentity&Version=2011-06-15';
  const headers = signV4({ method: 'POST', url, headers: { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' }, body, region, service: 'sts', ...keys });
  const res = await send({ method: 'POST', url, headers: { ...headers, accept: 'text/xml' }, body, timeoutMs: opts.timeoutMs });
  const code = tag(res.body, 'Code');
  const message = tag(res.body, 'Message') ?? res.statusMessage;
  if (res.status !== 200) {
    const hint = code === 'SignatureDoesNotMatch'
      ? 'the secret access key does not belong to this access key id'
      : code === 'ExpiredToken' || code === 'RequestExpired'
        ? "the session token has expired (or this machine's clock is off): get new temporary credentials"
        : 'check the access key id and secret (IAM → Users → Security credentials); a deactivated or deleted key is refused too';
    if (code && REFUSED.has(code)) throw connectFailure('credentials', `${url} answered ${res.status}: ${code}: ${quote(message)}`, hint, { url, status: res.status });
    throw httpFailure(url, res.status, code ? `${code}: ${message}` : quote(res.body), hint);
  }
  const arn = tag(res.body, 'Arn');
  const account = tag(res.body, 'Account');
  if (!arn) throw connectFailure('response', `${url} answered 200 without a caller identity: ${quote(res.body, 160)}`, 'the endpoint does not look like AWS STS; check endpoint / AWS_ENDPOINT_URL_STS', { url, status: 200 });
  return { identity: `${arn}${account ? ` (account ${account})` : ''}` };
}
