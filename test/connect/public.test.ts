// connect for the public clouds against local servers that do what the real
// endpoints do: STS checks the SigV4 signature with the secret it knows, the
// Google token endpoint verifies the RS256 JWT with the key's public half,
// the Microsoft identity platform checks the client secret.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createHash, createHmac, createVerify, generateKeyPairSync } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ServerResponse } from 'node:http';
import { runCli, tmpDir } from '../helpers.js';
import { assertNoSecret, json, startServer, type Req } from './servers.js';

// ── AWS STS ────────────────────────────────────────────────────────────────
const AKID = 'AKIAIOSFODNN7EXAMPLE';
const AWS_SECRET = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYzEXAMPLEKEY';

/** STS's side of SigV4, written independently of src/connect/sigv4.ts: rebuild the canonical request from what arrived. */
function stsExpectedSignature(req: Req, secret: string): { ok: boolean; why: string } {
  const m = /^AWS4-HMAC-SHA256 Credential=([A-Z0-9]+)\/(\d{8})\/([a-z0-9-]+)\/sts\/aws4_request, SignedHeaders=([a-z0-9;-]+), Signature=([0-9a-f]{64})$/.exec(String(req.headers.authorization ?? ''));
  if (!m) return { ok: false, why: 'IncompleteSignature' };
  const [, akid, day, region, signed, signature] = m as unknown as string[];
  if (akid !== AKID) return { ok: false, why: 'InvalidClientTokenId' };
  const names = signed!.split(';');
  for (const required of ['host', 'x-amz-date', 'content-type']) if (!names.includes(required)) return { ok: false, why: 'IncompleteSignature' };
  const amzDate = String(req.headers['x-amz-date']);
  if (amzDate.slice(0, 8) !== day) return { ok: false, why: 'SignatureDoesNotMatch' };
  const hex = (s: string) => createHash('sha256').update(s).digest('hex');
  const canonical = ['POST', '/', '', names.map((n) => `${n}:${String(req.headers[n]).trim()}\n`).join(''), signed, hex(req.body)].join('\n');
  const toSign = ['AWS4-HMAC-SHA256', amzDate, `${day}/${region}/sts/aws4_request`, hex(canonical)].join('\n');
  let key: Buffer = createHmac('sha256', `AWS4${secret}`).update(day!).digest();
  for (const part of [region!, 'sts', 'aws4_request']) key = createHmac('sha256', key).update(part).digest();
  const expected = createHmac('sha256', key).update(toSign).digest('hex');
  return expected === signature ? { ok: true, why: '' } : { ok: false, why: 'SignatureDoesNotMatch' };
}

function sts(req: Req, res: ServerResponse): void {
  const xml = (status: number, body: string) => {
    res.writeHead(status, { 'content-type': 'text/xml' });
    res.end(body);
  };
  if (req.method !== 'POST' || req.body !== 'Action=GetCallerIdentity&Version=2011-06-15') return xml(400, '<ErrorResponse><Error><Type>Sender</Type><Code>InvalidAction</Code><Message>Could not find operation</Message></Error></ErrorResponse>');
  const check = stsExpectedSignature(req, AWS_SECRET);
  if (!check.ok) {
    const message = check.why === 'SignatureDoesNotMatch'
      ? 'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.'
      : 'The security token included in the request is invalid.';
    return xml(403, `<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><Error><Type>Sender</Type><Code>${check.why}</Code><Message>${message}</Message></Error><RequestId>4d8b3f0e-1111</RequestId></ErrorResponse>`);
  }
  xml(200, `<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><GetCallerIdentityResult><Arn>arn:aws:iam::123456789012:user/ci</Arn><UserId>AIDAJDPLRKLG7UEXAMPLE</UserId><Account>123456789012</Account></GetCallerIdentityResult><ResponseMetadata><RequestId>01234567-89ab</RequestId></ResponseMetadata></GetCallerIdentityResponse>`);
}

test('aws: STS GetCallerIdentity with a SigV4 signature the server recomputes; secret only in credentials.yaml', async () => {
  const server = await startServer(sts);
  const home = tmpDir('cloudya-home-');
  try {
    const r = await runCli(['connect', 'aws', '--set', `access_key_id=${AKID}`, '--set', 'region=eu-west-3'], { home, env: { CLOUDYA_CONNECT_SECRET_ACCESS_KEY: AWS_SECRET, AWS_ENDPOINT_URL_STS: server.url } });
    assert.is(r.code, 0, r.stderr);
    assert.match(r.stdout, /aws: verified — arn:aws:iam::123456789012:user\/ci \(account 123456789012\)/);
    const auth = String(server.requests[0]!.headers.authorization);
    assert.match(auth, new RegExp(`^AWS4-HMAC-SHA256 Credential=${AKID}/\\d{8}/eu-west-3/sts/aws4_request, SignedHeaders=content-type;host;x-amz-date, Signature=[0-9a-f]{64}$`));
    assert.match(readFileSync(join(home, 'credentials.yaml'), 'utf8'), /region: eu-west-3/);
    assertNoSecret(r, home, [AWS_SECRET]);
  } finally {
    await server.close();
  }
});

test('aws: a wrong secret gets SignatureDoesNotMatch → bad credentials, nothing saved', async () => {
  const server = await startServer(sts);
  const home = tmpDir('cloudya-home-');
  const wrong = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYzWRONGKEY00';
  try {
    const r = await runCli(['connect', 'aws', '--set', `access_key_id=${AKID}`, '--set', `endpoint=${server.url}`], { home, env: { CLOUDYA_CONNECT_SECRET_ACCESS_KEY: wrong } });
    assert.is(r.code, 1, r.stderr);
    assert.is(r.stdout, '');
    assert.match(r.stderr, /error E_CONNECT bad credentials: http:\/\/127\.0\.0\.1:\d+\/ answered 403: SignatureDoesNotMatch: The request signature we calculated/);
    assert.match(r.stderr, /the secret access key does not belong to this access key id/);
    assert.not.ok(existsSync(join(home, 'credentials.yaml')));
    assertNoSecret(r, home, [wrong]);
  } finally {
    await server.close();
  }
});

test('aws: a session token is signed (x-amz-security-token) and --from-env reads the AWS_* variables', async () => {
  const token = 'FwoGZXIvYXdzEXAMPLEsessionTOKEN0123456789';
  const server = await startServer((req, res) => {
    if (req.headers['x-amz-security-token'] !== token || !/SignedHeaders=content-type;host;x-amz-date;x-amz-security-token,/.test(String(req.headers.authorization))) return json(res, 403, {});
    sts(req, res);
  });
  const home = tmpDir('cloudya-home-');
  try {
    const r = await runCli(['connect', 'aws', '--from-env'], { home, env: { AWS_ACCESS_KEY_ID: AKID, AWS_SECRET_ACCESS_KEY: AWS_SECRET, AWS_SESSION_TOKEN: token, AWS_REGION: 'us-west-2', AWS_ENDPOINT_URL_STS: server.url } });
    assert.is(r.code, 0, r.stderr);
    assert.match(r.stdout, /user\/ci/);
    assert.match(String(server.requests[0]!.headers.authorization), /\/us-west-2\/sts\/aws4_request/);
    assertNoSecret(r, home, [AWS_SECRET, token]);
  } finally {
    await server.close();
  }
});

test('aws: a named profile is verified with the keys of the shared credentials file', async () => {
  const server = await startServer(sts);
  const home = tmpDir('cloudya-home-');
  const file = join(tmpDir(), 'credentials');
  writeFileSync(file, `[default]\naws_access_key_id = AKIAOTHEROTHER000000\naws_secret_access_key = x\n\n[ci]\naws_access_key_id = ${AKID}\naws_secret_access_key = ${AWS_SECRET}\n`);
  try {
    const r = await runCli(['connect', 'aws', '--set', 'profile=ci', '--set', `endpoint=${server.url}`], { home, env: { AWS_SHARED_CREDENTIALS_FILE: file } });
    assert.is(r.code, 0, r.stderr);
    assert.match(r.stdout, /user\/ci/);
    const stored = readFileSync(join(home, 'credentials.yaml'), 'utf8');
    assert.match(stored, /profile: ci/);
    assert.not.ok(stored.includes(AWS_SECRET), 'a profile stores its name, not its keys');
    assertNoSecret(r, home, [AWS_SECRET]);
  } finally {
    await server.close();
  }
});

// ── Google Cloud ───────────────────────────────────────────────────────────
const googleKey = generateKeyPairSync('rsa', { modulusLength: 2048 });
const privatePem = googleKey.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
const publicPem = googleKey.publicKey.export({ type: 'spki', format: 'pem' }).toString();
const EMAIL = 'deployer@demo-project.iam.gserviceaccount.com';

function googleToken(tokenUri: () => string) {
  return (req: Req, res: ServerResponse) => {
    const form = new URLSearchParams(req.body);
    if (req.url !== '/token' || form.get('grant_type') !== 'urn:ietf:params:oauth:grant-type:jwt-bearer') return json(res, 400, { error: 'unsupported_grant_type', error_description: 'Invalid grant_type' });
    const [h, c, sig] = (form.get('assertion') ?? '').split('.');
    const header = JSON.parse(Buffer.from(h ?? '', 'base64url').toString()) as { alg?: string };
    const claims = JSON.parse(Buffer.from(c ?? '', 'base64url').toString()) as { iss?: string; aud?: string; scope?: string; iat?: number; exp?: number };
    const good = header.alg === 'RS256' && createVerify('RSA-SHA256').update(`${h}.${c}`).verify(publicPem, Buffer.from(sig ?? '', 'base64url'));
    if (!good) return json(res, 400, { error: 'invalid_grant', error_description: 'Invalid JWT Signature.' });
    if (claims.iss !== EMAIL || claims.aud !== tokenUri() || !claims.scope || !(claims.exp! > claims.iat!)) return json(res, 400, { error: 'invalid_grant', error_description: 'Invalid JWT: Token must be a short-lived token and in a reasonable timeframe.' });
    json(res, 200, { access_token: 'ya29.c.local-test-token', expires_in: 3599, token_type: 'Bearer' });
  };
}

function keyFile(tokenUri: string, pem = privatePem): string {
  const file = join(tmpDir(), 'key.json');
  writeFileSync(file, JSON.stringify({ type: 'service_account', project_id: 'demo-project', private_key_id: 'abc123', private_key: pem, client_email: EMAIL, client_id: '1', token_uri: tokenUri }));
  return file;
}

const pemBody = (pem: string) => pem.split('\n')[5]!;

test('gcp: the service-account JWT (RS256) is accepted by the token_uri; project defaults to the key’s', async () => {
  let uri = '';
  const server = await startServer(googleToken(() => uri));
  uri = `${server.url}/token`;
  const home = tmpDir('cloudya-home-');
  try {
    const r = await runCli(['connect', 'gcp', '--set', `credentials_file=${keyFile(uri)}`], { home });
    assert.is(r.code, 0, r.stderr);
    assert.match(r.stdout, new RegExp(`gcp: verified — ${EMAIL} \\(project demo-project\\)`));
    const stored = readFileSync(join(home, 'credentials.yaml'), 'utf8');
    assert.match(stored, /project: demo-project/);
    assert.not.match(stored, /credentials_file/);
    assertNoSecret(r, home, [pemBody(privatePem)]);
  } finally {
    await server.close();
  }
});

test('gcp: a key the endpoint does not know is invalid_grant → bad credentials', async () => {
  let uri = '';
  const server = await startServer(googleToken(() => uri));
  uri = `${server.url}/token`;
  const other = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  const home = tmpDir('cloudya-home-');
  try {
    const r = await runCli(['connect', 'gcp'], { home, env: { CLOUDYA_CONNECT_CREDENTIALS_JSON: readFileSync(keyFile(uri, other), 'utf8') } });
    assert.is(r.code, 1, r.stderr);
    assert.match(r.stderr, /error E_CONNECT bad credentials: http:\/\/127\.0\.0\.1:\d+\/token answered 400: invalid_grant: Invalid JWT Signature\./);
    assert.not.ok(existsSync(join(home, 'credentials.yaml')));
    assertNoSecret(r, home, [pemBody(other)]);
  } finally {
    await server.close();
  }
});

test('gcp: a file that is not a service-account key is bad input (exit 2), nothing written', async () => {
  const home = tmpDir('cloudya-home-');
  const file = join(tmpDir(), 'user.json');
  writeFileSync(file, JSON.stringify({ type: 'authorized_user', client_id: 'x', client_secret: 'y', refresh_token: 'z' }));
  const r = await runCli(['connect', 'gcp', '--set', `credentials_file=${file}`], { home });
  assert.is(r.code, 2, r.stderr);
  assert.match(r.stderr, /error E_USAGE gcp credentials_file: the key's type is "authorized_user", not "service_account"/);
  assert.not.ok(existsSync(join(home, 'credentials.yaml')));
});

// ── Azure ──────────────────────────────────────────────────────────────────
const TENANT = '72f988bf-86f1-41af-91ab-2d7cd011db47';
const CLIENT = '0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d';
const SUBSCRIPTION = '11111111-2222-4333-8444-555555555555';
const AZ_SECRET = 'Qx~8Q~abcdefghijklmnopQRSTUVWXYZ0123456789';

function entra(req: Req, res: ServerResponse): void {
  if (req.url !== `/${TENANT}/oauth2/v2.0/token`) return json(res, 400, { error: 'invalid_request', error_description: `AADSTS90002: Tenant '${req.url.split('/')[1]}' not found.` });
  const form = new URLSearchParams(req.body);
  if (form.get('grant_type') !== 'client_credentials' || form.get('scope') !== 'https://management.azure.com/.default') return json(res, 400, { error: 'invalid_request', error_description: 'AADSTS900144: bad request' });
  if (form.get('client_id') !== CLIENT) return json(res, 400, { error: 'unauthorized_client', error_description: `AADSTS700016: Application with identifier '${form.get('client_id')}' was not found in the directory.` });
  if (form.get('client_secret') !== AZ_SECRET) return json(res, 401, { error: 'invalid_client', error_description: `AADSTS7000215: Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app '${CLIENT}'.\r\nTrace ID: 1\r\nCorrelation ID: 2`, error_codes: [7000215] });
  json(res, 200, { token_type: 'Bearer', expires_in: 3599, ext_expires_in: 3599, access_token: 'eyJ0eXAi.local.test' });
}

const azureArgs = (authority: string) => ['connect', 'azure', '--set', `tenant_id=${TENANT}`, '--set', `client_id=${CLIENT}`, '--set', `subscription_id=${SUBSCRIPTION}`, '--set', `authority=${authority}`];

test('azure: client credentials accepted at the tenant’s v2.0 token endpoint', async () => {
  const server = await startServer(entra);
  const home = tmpDir('cloudya-home-');
  try {
    const r = await runCli(azureArgs(server.url), { home, env: { CLOUDYA_CONNECT_CLIENT_SECRET: AZ_SECRET } });
    assert.is(r.code, 0, r.stderr);
    assert.match(r.stdout, new RegExp(`azure: verified — application ${CLIENT} in tenant ${TENANT} \\(subscription ${SUBSCRIPTION}\\)`));
    assertNoSecret(r, home, [AZ_SECRET]);
  } finally {
    await server.close();
  }
});

test('azure: a wrong client secret is AADSTS7000215 → bad credentials, with the first line of the reason only', async () => {
  const server = await startServer(entra);
  const home = tmpDir('cloudya-home-');
  const wrong = 'Qx~8Q~wrongwrongwrongwrongwrongwrong0000';
  try {
    const r = await runCli(azureArgs(server.url), { home, env: { CLOUDYA_CONNECT_CLIENT_SECRET: wrong } });
    assert.is(r.code, 1, r.stderr);
    assert.match(r.stderr, /error E_CONNECT bad credentials: .* answered 401: invalid_client: AADSTS7000215: Invalid client secret provided\./);
    assert.not.match(r.stderr, /Trace ID/);
    assert.not.ok(existsSync(join(home, 'credentials.yaml')));
    assertNoSecret(r, home, [wrong]);
  } finally {
    await server.close();
  }
});

test.run();
