// The connect command itself: bad input (exit 2, nothing on disk), --list
// states, --no-verify, --check, --forget, and the terminal prompts (driven
// through tmux) that never echo a secret.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { ServerResponse } from 'node:http';
import { CLI, FIXTURES, runCli, tmpDir } from '../helpers.js';
import { assertNoSecret, json, makeCert, startServer, type Req } from './servers.js';

const SECRET = 'tok-5c1e2f7a-9b8d-4e3f-a1b2-right';
const cert = makeCert(['localhost', '127.0.0.1']);

function proxmox(req: Req, res: ServerResponse): void {
  if (req.headers.authorization !== `PVEAPIToken=ci@pve!deploy=${SECRET}`) return json(res, 401, { data: null }, {}, 'invalid token value!');
  json(res, 200, { data: { version: '8.1.3', release: '8.1', repoid: 'b46aac3b' } });
}

const usageCases: [string, string[], Record<string, string>, RegExp][] = [
  ['no provider', ['connect'], {}, /^error E_USAGE connect needs a provider\n  hint: cloudya connect PROVIDER \(one of aws, gcp, azure, proxmox, vmware, nutanix, openstack\)/],
  ['unknown provider', ['connect', 'opnestack'], {}, /^error E_USAGE unknown provider 'opnestack'\n  hint: did you mean 'openstack'\?/],
  ['unknown setting', ['connect', 'vmware', '--set', 'sever=vc.example'], {}, /^error E_USAGE vmware has no setting 'sever'\n  hint: did you mean 'server'\?/],
  ['a secret on the command line', ['connect', 'vmware', '--set', `password=${SECRET}`], {}, /^error E_USAGE password is a secret and is not accepted on the command line .*\n  hint: put it in the environment as CLOUDYA_CONNECT_PASSWORD/],
  ['a required value missing without a terminal', ['connect', 'openstack', '--set', 'auth_url=https://ks.example:5000/v3'], { CLOUDYA_CONNECT_PASSWORD: SECRET }, /^error E_USAGE connect openstack needs username, project_name\n/],
  ['a malformed value', ['connect', 'proxmox', '--set', 'url=pve.example:8006', '--set', 'token_id=root@pam!x'], { CLOUDYA_CONNECT_TOKEN_SECRET: SECRET }, /^error E_USAGE proxmox url: 'pve\.example:8006' is not an http\(s\) URL/],
  ['a malformed token id', ['connect', 'proxmox', '--set', 'url=https://pve.example:8006', '--set', 'token_id=root'], { CLOUDYA_CONNECT_TOKEN_SECRET: SECRET }, /^error E_USAGE proxmox token_id: 'root' does not look like user@realm!tokenname/],
  ['--set without =', ['connect', 'aws', '--set', 'region'], {}, /^error E_USAGE --set wants key=value, got 'region'/],
  ['a bad --timeout', ['connect', 'aws', '--timeout', 'soon'], {}, /^error E_USAGE --timeout wants a duration/],
  ['a bad --output', ['connect', '--list', '--output', 'yaml'], {}, /^error E_USAGE unknown --output 'yaml'/],
];

for (const [name, args, env, expected] of usageCases) {
  test(`bad input: ${name} → exit 2, one error, nothing on disk`, async () => {
    const home = tmpDir('cloudya-home-');
    const r = await runCli(args, { home, env });
    assert.is(r.code, 2, r.stderr);
    assert.is(r.stdout, '');
    assert.match(r.stderr, expected);
    assert.is(r.stderr.split('\n').filter((l) => l.startsWith('error ')).length, 1);
    assert.equal(readdirSync(home), [], 'nothing written under the home');
    assert.not.ok(r.stderr.includes(SECRET));
  });
}

test('--no-verify saves unchecked; --check verifies; a failing --check shows as failing; --forget removes', async () => {
  const server = await startServer(proxmox, cert);
  const home = tmpDir('cloudya-home-');
  const env = { CLOUDYA_CONNECT_TOKEN_SECRET: SECRET };
  try {
    const saved = await runCli(['connect', 'proxmox', '--set', `url=${server.url}/`, '--set', 'token_id=ci@pve!deploy', '--set', `ca_file=${cert.certFile}`, '--no-verify'], { home, env });
    assert.is(saved.code, 0, saved.stderr);
    assert.match(saved.stdout, /proxmox: saved without verification/);
    assert.is(server.requests.length, 0, '--no-verify sends nothing');
    assert.match(readFileSync(join(home, 'credentials.yaml'), 'utf8'), new RegExp(`url: ${server.url}/api2/json`));
    let list = await runCli(['connect', '--list'], { home });
    assert.match(list.stdout, /proxmox\s+configured\s+-\s+https:\/\/127\.0\.0\.1:\d+\/api2\/json \(not verified\)/);
    assert.match(list.stdout, /aws\s+not configured/);

    const checked = await runCli(['connect', 'proxmox', '--check', '--output', 'json'], { home });
    assert.is(checked.code, 0, checked.stderr);
    const doc = JSON.parse(checked.stdout) as { provider: string; verified: boolean; identity: string; verifiedAt: string };
    assert.is(doc.verified, true);
    assert.is(doc.identity, 'Proxmox VE 8.1.3 as ci@pve!deploy');
    list = await runCli(['connect', '--list', 'proxmox', '--output', 'json'], { home });
    const rows = JSON.parse(list.stdout) as { provider: string; state: string; verifiedAt: string; settings: Record<string, string> }[];
    assert.is(rows.length, 1);
    assert.is(rows[0]!.state, 'verified');
    assert.is(rows[0]!.verifiedAt, doc.verifiedAt);
    assert.is(rows[0]!.settings.token_secret, '***');

    await server.close();
    const failing = await runCli(['connect', 'proxmox', '--check'], { home });
    assert.is(failing.code, 1);
    assert.match(failing.stderr, /error E_CONNECT unreachable: connection refused/);
    list = await runCli(['connect', '--list'], { home });
    assert.match(list.stdout, /proxmox\s+failing\s+\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\s+unreachable: connection refused/);
    assertNoSecret(list, home, [SECRET]);

    const forgot = await runCli(['connect', 'proxmox', '--forget'], { home });
    assert.is(forgot.code, 0, forgot.stderr);
    assert.not.match(readFileSync(join(home, 'credentials.yaml'), 'utf8'), /proxmox/);
    list = await runCli(['connect', '--list'], { home });
    assert.match(list.stdout, /proxmox\s+not configured/);
    assert.is(statSync(join(home, 'credentials.yaml')).mode & 0o777, 0o600);
  } finally {
    await server.close();
  }
});

test('--check of a provider that is not configured is bad usage', async () => {
  const r = await runCli(['connect', 'azure', '--check']);
  assert.is(r.code, 2);
  assert.match(r.stderr, /error E_USAGE azure is not configured/);
});

test('connect loads no workflow tooling (fast start)', async () => {
  const server = await startServer(proxmox, cert);
  const dir = tmpDir();
  try {
    // Not spawnSync: the server in this process must answer meanwhile.
    const child = spawn(process.execPath, ['--import', join(FIXTURES, 'startup', 'trace.mjs'), CLI, 'connect', 'proxmox', '--set', `url=${server.url}`, '--set', 'token_id=ci@pve!deploy', '--set', `ca_file=${cert.certFile}`], {
      env: { ...process.env, TRACE_FILE: join(dir, 'trace.txt'), CLOUDYA_HOME: join(dir, 'home'), CLOUDYA_CONNECT_TOKEN_SECRET: SECRET },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const status = await new Promise<number | null>((resolve) => child.on('close', resolve));
    assert.is(status, 0, stderr);
    const loaded = readFileSync(join(dir, 'trace.txt'), 'utf8');
    for (const heavy of ['xstate', 'pino', 'ajv', 'handlebars', '/yaml/', 'p-queue', 'log-update']) assert.not.ok(loaded.includes(`node_modules/${heavy.replace(/\//g, '')}/`), `connect loaded ${heavy}`);
    assert.ok(loaded.includes('node_modules/js-yaml/'), 'control: the tracer sees the credentials writer');
  } finally {
    await server.close();
  }
});

// ── terminal prompts, through tmux ──────────────────────────────────────────
function tmux(socket: string, ...args: string[]): string {
  return execFileSync('tmux', ['-L', socket, ...args], { encoding: 'utf8' });
}

async function waitFor(socket: string, pattern: RegExp, ms = 20_000): Promise<string> {
  const until = Date.now() + ms;
  let screen = '';
  while (Date.now() < until) {
    screen = tmux(socket, 'capture-pane', '-p', '-t', 's', '-S', '-100');
    if (pattern.test(screen)) return screen;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out waiting for ${pattern}; screen:\n${screen}`);
}

test('on a terminal: asks for each value, reads the secret without echo, Enter keeps stored values', async () => {
  const server = await startServer(proxmox, cert);
  const home = tmpDir('cloudya-home-');
  const socket = `cloudya-test-${process.pid}`;
  const cmd = `env CLOUDYA_HOME='${home}' NO_COLOR=1 '${process.execPath}' '${CLI}' connect proxmox --set ca_file='${cert.certFile}'; echo "EXIT=$?"`;
  try {
    tmux(socket, 'new-session', '-d', '-s', 's', '-x', '200', '-y', '50', `${cmd}; ${cmd}; sleep 60`);
    await waitFor(socket, /API URL \(https:\/\/host:8006\):\s*$/m);
    tmux(socket, 'send-keys', '-t', 's', '-l', server.url);
    tmux(socket, 'send-keys', '-t', 's', 'Enter');
    await waitFor(socket, /API token ID \(user@realm!name\):\s*$/m);
    tmux(socket, 'send-keys', '-t', 's', '-l', 'ci@pve!deploy');
    tmux(socket, 'send-keys', '-t', 's', 'Enter');
    await waitFor(socket, /API token secret \(hidden\):\s*$/m);
    tmux(socket, 'send-keys', '-t', 's', '-l', SECRET);
    tmux(socket, 'send-keys', '-t', 's', 'Enter');
    let screen = await waitFor(socket, /EXIT=\d/);
    assert.match(screen, /proxmox: verified — Proxmox VE 8\.1\.3 as ci@pve!deploy/);
    assert.match(screen, /EXIT=0/);
    assert.not.ok(screen.includes(SECRET), `the secret was echoed:\n${screen}`);

    // Second round: every question offers what is stored; Enter everywhere keeps it.
    await waitFor(socket, /API URL \(https:\/\/host:8006\) \[https:\/\/127\.0\.0\.1:\d+\/api2\/json\]:\s*$/m);
    tmux(socket, 'send-keys', '-t', 's', 'Enter');
    await waitFor(socket, /API token ID \(user@realm!name\) \[ci@pve!deploy\]:\s*$/m);
    tmux(socket, 'send-keys', '-t', 's', 'Enter');
    await waitFor(socket, /API token secret \[stored; Enter keeps it\] \(hidden\):\s*$/m);
    tmux(socket, 'send-keys', '-t', 's', 'Enter');
    screen = await waitFor(socket, /EXIT=\d[\s\S]*EXIT=\d/);
    assert.match(screen, /EXIT=0[\s\S]*EXIT=0/);
    assert.not.ok(screen.includes(SECRET));
    assert.is(server.requests.length, 2);
    assert.ok(readFileSync(join(home, 'credentials.yaml'), 'utf8').includes(SECRET));
    assert.ok(existsSync(join(home, 'connections.json')));
  } finally {
    try {
      tmux(socket, 'kill-server');
    } catch {
      // already gone
    }
    await server.close();
  }
});

test('on a terminal: Ctrl-C at a question or at the hidden secret ends with exit 130 and saves nothing', async () => {
  const home = tmpDir('cloudya-home-');
  const socket = `cloudya-test-int-${process.pid}`;
  const cmd = `env CLOUDYA_HOME='${home}' NO_COLOR=1 '${process.execPath}' '${CLI}' connect vmware; echo "EXIT=$?"`;
  try {
    tmux(socket, 'new-session', '-d', '-s', 's', '-x', '200', '-y', '50', `${cmd}; ${cmd}; sleep 60`);
    await waitFor(socket, /vCenter server \(host or https:\/\/host\):\s*$/m);
    tmux(socket, 'send-keys', '-t', 's', 'C-c');
    await waitFor(socket, /EXIT=\d/);
    await waitFor(socket, /vCenter server \(host or https:\/\/host\):\s*$/m);
    tmux(socket, 'send-keys', '-t', 's', '-l', 'vc.example');
    tmux(socket, 'send-keys', '-t', 's', 'Enter');
    await waitFor(socket, /User \(administrator@vsphere\.local\):\s*$/m);
    tmux(socket, 'send-keys', '-t', 's', '-l', 'admin');
    tmux(socket, 'send-keys', '-t', 's', 'Enter');
    await waitFor(socket, /Password \(hidden\):\s*$/m);
    tmux(socket, 'send-keys', '-t', 's', '-l', 'half-typed');
    tmux(socket, 'send-keys', '-t', 's', 'C-c');
    const screen = await waitFor(socket, /EXIT=\d[\s\S]*EXIT=\d/);
    assert.match(screen, /error E_INTERRUPTED interrupted; nothing was saved\nEXIT=130[\s\S]*error E_INTERRUPTED interrupted; nothing was saved\nEXIT=130/);
    assert.not.ok(screen.includes('half-typed'));
    assert.equal(readdirSync(home), []);
  } finally {
    try {
      tmux(socket, 'kill-server');
    } catch {
      // already gone
    }
  }
});

test.run();
