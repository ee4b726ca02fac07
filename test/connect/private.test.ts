// connect for the private clouds (proxmox, vmware, nutanix, openstack) against
// local HTTPS servers that answer as the real APIs do: success, 401, no answer
// (timeout), an untrusted certificate. The secret never shows in any output,
// file (but credentials.yaml, 0600) or process's argv.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ServerResponse } from 'node:http';
import { runCli, tmpDir } from '../helpers.js';
import { allArgv, assertNoSecret, basicOf, json, makeCert, makeExpiredCert, startServer, type Req } from './servers.js';

const SECRET = 'pw-Z7q!x9Lm#42-right';
const WRONG = 'pw-Q1w2e3-wrong-value';
const cert = makeCert(['localhost', '127.0.0.1']);

interface Fake {
  provider: string;
  secretEnv: string;
  sets(url: string): string[];
  answer(req: Req, res: ServerResponse): void;
  identity: RegExp;
  refused: RegExp;
}

const fakes: Fake[] = [
  {
    provider: 'proxmox',
    secretEnv: 'CLOUDYA_CONNECT_TOKEN_SECRET',
    sets: (url) => [`url=${url}`, 'token_id=root@pam!cloudya'],
    answer(req, res) {
      if (req.method !== 'GET' || req.url !== '/api2/json/version') return json(res, 501, { data: null }, {}, `Method '${req.method} ${req.url}' not implemented`);
      const auth = req.headers.authorization;
      if (!auth) return json(res, 401, { data: null }, {}, 'No ticket');
      // Proxmox's reason is in the status line; the body says nothing.
      if (auth !== `PVEAPIToken=root@pam!cloudya=${SECRET}`) return json(res, 401, { data: null }, {}, 'invalid token value!');
      json(res, 200, { data: { version: '8.2.4', release: '8.2', repoid: 'faa83925c9641325' } });
    },
    identity: /Proxmox VE 8\.2\.4 as root@pam!cloudya/,
    refused: /401: invalid token value!/,
  },
  {
    provider: 'vmware',
    secretEnv: 'CLOUDYA_CONNECT_PASSWORD',
    sets: (url) => [`server=${url}`, 'user=administrator@vsphere.local'],
    answer(req, res) {
      const token = 'b00db39f948d13ea1e59b4d6fce11389';
      if (req.url !== '/api/session') return json(res, 404, { error_type: 'NOT_FOUND', messages: [] });
      if (req.method === 'POST') {
        const b = basicOf(req);
        if (b?.user !== 'administrator@vsphere.local' || b.password !== SECRET) {
          return json(res, 401, { error_type: 'UNAUTHENTICATED', messages: [{ args: [], default_message: 'Authentication required.', id: 'com.vmware.vapi.endpoint.method.authentication.required' }] });
        }
        return json(res, 201, token);
      }
      if (req.headers['vmware-api-session-id'] !== token) return json(res, 401, { error_type: 'UNAUTHENTICATED', messages: [] });
      if (req.method === 'GET') return json(res, 200, { user: 'VSPHERE.LOCAL\\Administrator', created_time: '2026-01-01T00:00:00.000Z', last_accessed_time: '2026-01-01T00:00:00.000Z' });
      if (req.method === 'DELETE') return void res.writeHead(204).end();
      json(res, 405, {});
    },
    identity: /vCenter 127\.0\.0\.1:\d+ as VSPHERE\.LOCAL\\Administrator/,
    refused: /401: Authentication required\./,
  },
  {
    provider: 'nutanix',
    secretEnv: 'CLOUDYA_CONNECT_PASSWORD',
    sets: (url) => [`endpoint=${url}`, 'username=admin'],
    answer(req, res) {
      if (req.method !== 'POST' || req.url !== '/api/nutanix/v3/clusters/list') return json(res, 404, { api_version: '3.1', code: 404, state: 'ERROR' });
      const b = basicOf(req);
      if (b?.user !== 'admin' || b.password !== SECRET) {
        return json(res, 401, { api_version: '3.1', code: 401, message_list: [{ message: 'Authentication required.', reason: 'AUTHENTICATION_REQUIRED' }], state: 'ERROR' });
      }
      if ((JSON.parse(req.body) as { kind?: string }).kind !== 'cluster') return json(res, 422, { api_version: '3.1', code: 422, state: 'ERROR' });
      json(res, 200, { api_version: '3.1', metadata: { total_matches: 2, kind: 'cluster', length: 2, offset: 0 }, entities: [{ status: { name: 'Unnamed' }, spec: { name: 'Unnamed' } }, { status: { name: 'ntnx-prod' }, spec: { name: 'ntnx-prod' } }] });
    },
    identity: /Prism at 127\.0\.0\.1 as admin, 2 clusters \(Unnamed, ntnx-prod\)/,
    refused: /401: AUTHENTICATION_REQUIRED: Authentication required\./,
  },
  {
    provider: 'openstack',
    secretEnv: 'CLOUDYA_CONNECT_PASSWORD',
    sets: (url) => [`auth_url=${url}/v3`, 'username=demo', 'project_name=demo', 'region=RegionOne'],
    answer(req, res) {
      if (req.method !== 'POST' || req.url !== '/v3/auth/tokens') return json(res, 404, { error: { code: 404, message: 'The resource could not be found.', title: 'Not Found' } });
      const auth = (JSON.parse(req.body) as { auth: { identity: { methods: string[]; password: { user: { name: string; domain: { name: string }; password: string } } }; scope: { project: { name: string; domain: { name: string } } } } }).auth;
      const u = auth.identity.password.user;
      if (u.name !== 'demo' || u.domain.name !== 'Default' || u.password !== SECRET || auth.scope.project.name !== 'demo') {
        return json(res, 401, { error: { code: 401, message: 'The request you have made requires authentication.', title: 'Unauthorized' } });
      }
      json(res, 201, {
        token: {
          methods: ['password'], expires_at: '2099-01-01T00:00:00.000000Z',
          user: { id: 'u1', name: 'demo', domain: { id: 'default', name: 'Default' } },
          project: { id: 'p1', name: 'demo', domain: { id: 'default', name: 'Default' } },
          catalog: [{ type: 'compute', name: 'nova', endpoints: [{ interface: 'public', region: 'RegionOne', region_id: 'RegionOne', url: 'https://nova.example/v2.1' }] }],
        },
      }, { 'x-subject-token': 'gAAAAABtoken' });
    },
    identity: /demo@Default on project demo in RegionOne/,
    refused: /401: The request you have made requires authentication\./,
  },
];

for (const fake of fakes) {
  test(`${fake.provider}: verified against its API; stored with mode 0600; no secret in output or other files`, async () => {
    const server = await startServer(fake.answer, cert);
    const home = tmpDir('cloudya-home-');
    try {
      const r = await runCli(['connect', fake.provider, ...fake.sets(server.url).flatMap((s) => ['--set', s]), '--set', `ca_file=${cert.certFile}`], { home, env: { [fake.secretEnv]: SECRET } });
      assert.is(r.code, 0, r.stderr);
      assert.match(r.stdout, fake.identity);
      assert.ok(server.requests.length > 0);
      const stored = readFileSync(join(home, 'credentials.yaml'), 'utf8');
      assert.ok(stored.includes(SECRET), 'the secret is stored in credentials.yaml');
      assertNoSecret(r, home, [SECRET]);
      if (fake.provider === 'vmware') assert.ok(server.requests.some((q) => q.method === 'DELETE'), 'the vSphere session is deleted after the check');
      const list = await runCli(['connect', '--list', '--output', 'json'], { home });
      const row = (JSON.parse(list.stdout) as { provider: string; state: string; identity: string; settings: Record<string, string> }[]).find((x) => x.provider === fake.provider)!;
      assert.is(row.state, 'verified');
      assert.match(row.identity, fake.identity);
      assert.ok(Object.values(row.settings).includes('***'));
      assertNoSecret(list, home, [SECRET]);
    } finally {
      await server.close();
    }
  });

  test(`${fake.provider}: a wrong secret is "bad credentials" with the server's own words; nothing saved`, async () => {
    const server = await startServer(fake.answer, cert);
    const home = tmpDir('cloudya-home-');
    try {
      const r = await runCli(['connect', fake.provider, ...fake.sets(server.url).flatMap((s) => ['--set', s]), '--set', `ca_file=${cert.certFile}`], { home, env: { [fake.secretEnv]: WRONG } });
      assert.is(r.code, 1, r.stderr);
      assert.is(r.stdout, '');
      assert.match(r.stderr, /error E_CONNECT bad credentials: /);
      assert.match(r.stderr, fake.refused);
      assert.match(r.stderr, /nothing was saved/);
      assert.not.ok(existsSync(join(home, 'credentials.yaml')));
      assertNoSecret(r, home, [WRONG]);
      const list = await runCli(['connect', '--list'], { home });
      assert.match(list.stdout, new RegExp(`${fake.provider}\\s+not configured\\s+-\\s+last attempt failed \\(not saved\\): bad credentials`));
    } finally {
      await server.close();
    }
  });

  test(`${fake.provider}: an API that never answers is a timeout, and the secret is in no process's argv meanwhile`, async () => {
    let argvSeen: string[] = [];
    const server = await startServer(() => { argvSeen = allArgv(); }, cert);
    const home = tmpDir('cloudya-home-');
    try {
      const r = await runCli(['connect', fake.provider, ...fake.sets(server.url).flatMap((s) => ['--set', s]), '--set', `ca_file=${cert.certFile}`, '--timeout', '1s'], { home, env: { [fake.secretEnv]: SECRET } });
      assert.is(r.code, 1, r.stderr);
      assert.match(r.stderr, /error E_CONNECT timeout: no answer from https:\/\/127\.0\.0\.1:\d+\/\S+ within 1s/);
      assert.ok(argvSeen.length > 0, 'the server saw the request');
      assert.ok(argvSeen.some((a) => a.includes('connect') && a.includes(fake.provider)), 'the CLI is in the process list');
      assert.not.ok(argvSeen.some((a) => a.includes(SECRET)), 'the secret is in a process argv');
      assertNoSecret(r, home, [SECRET]);
    } finally {
      await server.close();
    }
  });

  test(`${fake.provider}: a self-signed certificate is a TLS error naming ca_file and insecure; insecure=true connects`, async () => {
    const server = await startServer(fake.answer, cert);
    const home = tmpDir('cloudya-home-');
    try {
      const args = ['connect', fake.provider, ...fake.sets(server.url).flatMap((s) => ['--set', s])];
      const r = await runCli(args, { home, env: { [fake.secretEnv]: SECRET } });
      assert.is(r.code, 1, r.stderr);
      assert.match(r.stderr, /error E_CONNECT TLS: the certificate of 127\.0\.0\.1:\d+ is self-signed \(DEPTH_ZERO_SELF_SIGNED_CERT\)/);
      assert.match(r.stderr, /--set ca_file=\/path\/to\/ca\.pem/);
      assert.match(r.stderr, /--set insecure=true/);
      assert.is(server.requests.length, 0, 'no request was sent over the untrusted connection');
      assertNoSecret(r, home, [SECRET]);
      const ok = await runCli([...args, '--set', 'insecure=yes'], { home, env: { [fake.secretEnv]: SECRET } });
      assert.is(ok.code, 0, ok.stderr);
      assert.match(ok.stdout, fake.identity);
      assert.match(readFileSync(join(home, 'credentials.yaml'), 'utf8'), /insecure: 'true'|insecure: "true"/);
    } finally {
      await server.close();
    }
  });
}

test('proxmox: a certificate for another name is a TLS hostname error, even with its CA trusted', async () => {
  const other = makeCert(['pve.other.example']);
  const server = await startServer(fakes[0]!.answer, other);
  try {
    const r = await runCli(['connect', 'proxmox', '--set', `url=${server.url}`, '--set', 'token_id=root@pam!cloudya', '--set', `ca_file=${other.certFile}`], { env: { CLOUDYA_CONNECT_TOKEN_SECRET: SECRET } });
    assert.is(r.code, 1, r.stderr);
    assert.match(r.stderr, /error E_CONNECT TLS: the certificate of 127\.0\.0\.1:\d+ is not issued for 127\.0\.0\.1 \(ERR_TLS_CERT_ALTNAME_INVALID/);
    assert.match(r.stderr, /subjectAltName/);
  } finally {
    await server.close();
  }
});

test('vmware: an expired certificate is a TLS error that says so, even with its CA trusted', async () => {
  const expired = makeExpiredCert();
  const server = await startServer(fakes[1]!.answer, expired);
  try {
    const r = await runCli(['connect', 'vmware', ...fakes[1]!.sets(server.url).flatMap((s) => ['--set', s]), '--set', `ca_file=${expired.certFile}`], { env: { CLOUDYA_CONNECT_PASSWORD: SECRET } });
    assert.is(r.code, 1, r.stderr);
    assert.match(r.stderr, /error E_CONNECT TLS: the certificate of 127\.0\.0\.1:\d+ has expired \(CERT_HAS_EXPIRED\)/);
    assert.match(r.stderr, /renew/);
    assert.is(server.requests.length, 0);
  } finally {
    await server.close();
  }
});

test('proxmox: nothing listening is "unreachable: connection refused"', async () => {
  const server = await startServer(() => {});
  const url = server.url.replace('http:', 'https:');
  await server.close();
  const r = await runCli(['connect', 'proxmox', '--set', `url=${url}`, '--set', 'token_id=root@pam!cloudya'], { env: { CLOUDYA_CONNECT_TOKEN_SECRET: SECRET } });
  assert.is(r.code, 1, r.stderr);
  assert.match(r.stderr, /error E_CONNECT unreachable: connection refused by 127\.0\.0\.1:\d+/);
});

test('proxmox: a host name that does not resolve is "unreachable: cannot resolve" (.invalid is reserved, RFC 2606)', async () => {
  const r = await runCli(['connect', 'proxmox', '--set', 'url=https://pve.cloudya-test.invalid:8006', '--set', 'token_id=root@pam!cloudya', '--timeout', '30s'], { env: { CLOUDYA_CONNECT_TOKEN_SECRET: SECRET } });
  assert.is(r.code, 1, r.stderr);
  assert.match(r.stderr, /error E_CONNECT unreachable: cannot resolve pve\.cloudya-test\.invalid \(DNS: E[A-Z_]+\)/);
});

test('proxmox: a plain-HTTP port given as https is a TLS handshake error that says so', async () => {
  const server = await startServer(fakes[0]!.answer);
  try {
    const r = await runCli(['connect', 'proxmox', '--set', `url=${server.url.replace('http:', 'https:')}`, '--set', 'token_id=root@pam!cloudya'], { env: { CLOUDYA_CONNECT_TOKEN_SECRET: SECRET } });
    assert.is(r.code, 1, r.stderr);
    assert.match(r.stderr, /error E_CONNECT TLS: TLS handshake with 127\.0\.0\.1:\d+ failed/);
    assert.match(r.stderr, /speaks HTTPS/);
  } finally {
    await server.close();
  }
});

test('openstack: a region the catalog does not list is refused with the regions it has', async () => {
  const server = await startServer(fakes[3]!.answer, cert);
  try {
    const r = await runCli(['connect', 'openstack', ...fakes[3]!.sets(server.url).flatMap((s) => ['--set', s]), '--set', 'region=RegionTwo', '--set', `ca_file=${cert.certFile}`], { env: { CLOUDYA_CONNECT_PASSWORD: SECRET } });
    assert.is(r.code, 1, r.stderr);
    assert.match(r.stderr, /bad settings: region 'RegionTwo' is not in the service catalog \(regions: RegionOne\)/);
  } finally {
    await server.close();
  }
});

test.run();
