// The probe step in real workflows run by the built CLI: real sockets, a real
// HTTP(S) server, the real resolver, real files and this machine's /proc.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawn, execFileSync } from 'node:child_process';
import { createServer as createHttp } from 'node:http';
import { createServer as createHttps } from 'node:https';
import { readFileSync, writeFileSync, utimesSync } from 'node:fs';
import { join } from 'node:path';
import { FIXTURES, runCli, tmpFiles, tmpDir } from '../helpers.js';
import { freePort } from './probe-helpers.js';

const head = 'apiVersion: cloudya/v1\nkind: Workflow\nname: probes\nsteps:\n';

async function runWf(steps: string, extra: string[] = []) {
  const dir = tmpFiles({ 'wf.yaml': head + steps, 'data.txt': 'status: ready\n' });
  const r = await runCli(['run', join(dir, 'wf.yaml'), '--output', 'json', ...extra]);
  let json: any;
  try {
    json = JSON.parse(r.stdout);
  } catch {
    json = undefined;
  }
  return { ...r, json, dir };
}

test('a probe with retry waits for a port that opens a few seconds later', async () => {
  const port = await freePort();
  const late = spawn(process.execPath, [join(FIXTURES, 'probe', 'late-listener.mjs'), String(port), '2500'], { stdio: ['ignore', 'pipe', 'inherit'] });
  try {
    const r = await runWf(`  - id: wait
    type: probe
    retry: { attempts: 30, backoff: constant, delay: 500ms }
    with: { check: tcp, host: 127.0.0.1, port: ${port}, timeout: 1s }
`);
    assert.is(r.code, 0, r.stderr);
    const step = r.json.steps.wait;
    assert.is(step.status, 'succeeded');
    assert.ok(step.attempts > 1, `attempts ${step.attempts}: the port was open at once?`);
    assert.is(step.outputs.ok, true);
    assert.is(step.outputs.data.connected, true);
  } finally {
    late.kill();
  }
});

test('a failing probe fails the step with E_PROBE_FAILED and the fixing command as hint', async () => {
  const port = await freePort();
  const r = await runWf(`  - id: closed
    type: probe
    with: { check: tcp, port: ${port}, timeout: 1s }
`);
  assert.is(r.code, 1);
  const step = r.json.steps.closed;
  assert.is(step.status, 'failed');
  assert.is(step.error.code, 'E_PROBE_FAILED');
  assert.match(step.error.message, `127.0.0.1:${port} does not accept connections`);
  assert.match(step.error.hint, `ss -ltnp`);
});

test('failOn: never records findings as outputs that later steps read with when:', async () => {
  const port = await freePort();
  const r = await runWf(`  - id: p
    type: probe
    with: { check: tcp, port: ${port}, failOn: never }
  - id: on_down
    type: sandbox
    needs: [p]
    when: "{{not steps.p.outputs.ok}}"
    with: { argv: [echo, "{{steps.p.outputs.severity}} {{steps.p.outputs.data.port}}"], isolation: none }
`);
  assert.is(r.code, 0, r.stderr);
  assert.is(r.json.steps.p.outputs.severity, 'critical');
  assert.is(r.json.steps.p.outputs.findings[0].check, 'tcp');
  for (const k of ['severity', 'check', 'title', 'observed', 'why', 'fix']) assert.ok(r.json.steps.p.outputs.findings[0][k], k);
  assert.is(r.json.steps.on_down.status, 'succeeded');
  assert.is(r.json.steps.on_down.outputs.stdout, `critical ${port}`);
});

test('http: status, body match and a 500', async () => {
  const server = createHttp((req, res) => {
    if (req.url === '/fail') { res.writeHead(500); res.end('boom'); return; }
    res.end('<h1>Welcome to WordPress</h1>');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  try {
    const r = await runWf(`  - id: good
    type: probe
    with: { check: http, url: "http://127.0.0.1:${port}/", bodyMatch: "Welcome to \\\\w+" }
  - id: wrongbody
    type: probe
    with: { check: http, url: "http://127.0.0.1:${port}/", bodyMatch: "Nextcloud", failOn: never }
  - id: error
    type: probe
    with: { check: http, url: "http://127.0.0.1:${port}/fail", failOn: never }
  - id: expected
    type: probe
    with: { check: http, url: "http://127.0.0.1:${port}/fail", expectStatus: [500, 503] }
`);
    assert.is(r.code, 0, r.stderr + r.stdout);
    const s = r.json.steps;
    assert.is(s.good.outputs.severity, 'ok');
    assert.is(s.good.outputs.data.status, 200);
    assert.type(s.good.outputs.data.latencyMs, 'number');
    assert.is(s.wrongbody.outputs.severity, 'critical');
    assert.match(s.wrongbody.outputs.findings[0].title, 'body does not match');
    assert.is(s.error.outputs.severity, 'critical');
    assert.match(s.error.outputs.findings[0].title, 'answers 500');
    assert.is(s.expected.outputs.ok, true);
  } finally {
    server.close();
  }
});

test('https: a certificate that expires in two days is critical, with the renewal command', async () => {
  const dir = tmpDir();
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem'), '-days', '2', '-subj', '/CN=localhost'], { stdio: 'ignore' });
  const server = createHttps({ key: readFileSync(join(dir, 'key.pem')), cert: readFileSync(join(dir, 'cert.pem')) }, (_req, res) => res.end('ok'));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  try {
    const r = await runWf(`  - id: tls
    type: probe
    with: { check: http, url: "https://127.0.0.1:${port}/", tlsVerify: false, failOn: never }
  - id: strict
    type: probe
    with: { check: http, url: "https://127.0.0.1:${port}/", failOn: never }
`);
    assert.is(r.code, 0, r.stderr);
    const tls = r.json.steps.tls.outputs;
    assert.is(tls.data.status, 200);
    assert.ok(tls.data.cert.daysLeft <= 2, JSON.stringify(tls.data.cert));
    const f = tls.findings.find((x: any) => /expires soon/.test(x.title));
    assert.ok(f, JSON.stringify(tls.findings));
    assert.is(f.severity, 'critical');
    assert.match(f.fix, 'certbot renew');
    // Verified (the default): a self-signed certificate is refused.
    assert.is(r.json.steps.strict.outputs.severity, 'critical');
    assert.match(r.json.steps.strict.outputs.findings[0].title, 'TLS certificate rejected');
  } finally {
    server.close();
  }
});

test('dns: localhost resolves, a .invalid name does not', async () => {
  const r = await runWf(`  - id: local
    type: probe
    with: { check: dns, host: localhost }
  - id: bogus
    type: probe
    with: { check: dns, host: no-such-host.invalid, failOn: never, timeout: 3s }
`);
  assert.is(r.code, 0, r.stderr);
  assert.ok(r.json.steps.local.outputs.data.addresses.length > 0);
  assert.is(r.json.steps.bogus.outputs.severity, 'critical');
  assert.match(r.json.steps.bogus.outputs.findings[0].fix, 'getent ahosts no-such-host.invalid');
});

test('file: exists, content, age, missing, must-not-exist', async () => {
  const r = await runWf(`  - id: present
    type: probe
    with: { check: file, path: data.txt, contains: "^status: ready$", kind: file }
  - id: stale
    type: probe
    with: { check: path, path: old.txt, maxAge: 1h, failOn: never }
  - id: missing
    type: probe
    with: { check: file, path: nope.txt, failOn: never }
  - id: absent
    type: probe
    with: { check: file, path: nope.txt, exists: false }
`, []);
  // old.txt does not exist in this run: the check reports it missing.
  assert.is(r.code, 0, r.stderr);
  assert.is(r.json.steps.present.outputs.data.matched, true);
  assert.is(r.json.steps.missing.outputs.severity, 'critical');
  assert.match(r.json.steps.missing.outputs.findings[0].title, 'is missing');
  assert.is(r.json.steps.absent.outputs.ok, true);
});

test('file: maxAge finds a stale file', async () => {
  const dir = tmpFiles({ 'wf.yaml': head + `  - id: stale
    type: probe
    with: { check: file, path: backup.tar, maxAge: 1h, failOn: never }
`, 'backup.tar': 'x' });
  const old = Date.now() / 1000 - 7200;
  utimesSync(join(dir, 'backup.tar'), old, old);
  const r = await runCli(['run', join(dir, 'wf.yaml'), '--output', 'json']);
  const out = JSON.parse(r.stdout).steps.stale.outputs;
  assert.is(out.severity, 'critical');
  assert.match(out.findings[0].title, 'is stale');
});

test('system: this machine gives data and no critical finding', async () => {
  const r = await runWf(`  - id: sys
    type: probe
    with: { check: system, sample: 500ms, top: 3 }
`);
  assert.is(r.code, 0, r.stderr + r.stdout);
  const out = r.json.steps.sys.outputs;
  assert.ok(out.data.cpu.cores >= 1);
  assert.ok(out.data.memory.total > 0);
  assert.ok(out.data.disks.some((d: any) => d.mount === '/'));
  assert.is(out.data.top.length, 3);
  assert.not.ok(out.findings.some((f: any) => f.severity === 'critical'), JSON.stringify(out.findings));
});

test('system: thresholds are honoured (a 1 % disk limit makes / critical)', async () => {
  const r = await runWf(`  - id: sys
    type: probe
    with: { check: system, sample: 200ms, failOn: never, thresholds: { disk: { warning: 0.5, critical: 1 } } }
`);
  assert.is(r.code, 0, r.stderr);
  const f = r.json.steps.sys.outputs.findings.find((x: any) => x.title === 'Disk / is filling up');
  assert.ok(f, JSON.stringify(r.json.steps.sys.outputs.findings));
  assert.is(f.severity, 'critical');
  assert.match(f.fix, 'du -xh /');
});

test('with: is checked before anything runs', async () => {
  const r = await runWf(`  - id: a
    type: probe
    with: { check: tcp, host: 127.0.0.1 }
  - id: b
    type: probe
    with: { check: servce, name: "x;rm" }
`);
  assert.is(r.code, 2);
  assert.is(r.stdout, '');
  assert.match(r.stderr, /E_WITH_INVALID.*port/);
  assert.match(r.stderr, /servce/);
  assert.match(r.stderr, /name/);
});

test.run();
