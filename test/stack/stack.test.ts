// `cloudya stack`: real terraform (local/host) and real ansible (hello-web) in
// one workflow; a failure in the app step undoes the app and the infrastructure.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCli, tmpDir } from '../helpers.js';
import { freePort, httpGet, stopHelloWeb } from '../ansible/ansible-helpers.js';

const home = tmpDir('cloudya-home-');
const base = tmpDir('cloudya-stack-site-');
const ports: number[] = [];

test.after(() => {
  for (const p of ports) stopHelloWeb(join(base, String(p)));
});

function deployments(): { id: string; status: string; outputs?: Record<string, unknown> }[] {
  const dir = join(home, 'deployments');
  return existsSync(dir) ? readdirSync(dir).filter((d) => existsSync(join(dir, d, 'deployment.json'))).map((d) => JSON.parse(readFileSync(join(dir, d, 'deployment.json'), 'utf8'))) : [];
}

test('stack list shows the preconfigured stacks', async () => {
  const r = await runCli(['stack', 'list', '--output', 'json'], { home });
  assert.is(r.code, 0, r.stderr);
  const stacks = JSON.parse(r.stdout) as { name: string; template: string; app: string }[];
  for (const [t, a] of [['aws/ec2', 'wordpress'], ['gcp/vm', 'lamp'], ['azure/vm', 'nextcloud'], ['local/host', 'hello-web']]) {
    assert.ok(stacks.some((s) => s.template === t && s.app === a), `${t} + ${a}`);
  }
});

test('stack deploy --emit prints a workflow that validate accepts: terraform → wait → ansible → probe', async () => {
  const r = await runCli(['stack', 'deploy', '--template', 'aws/ec2', '--app', 'wordpress', '--emit'], { home });
  assert.is(r.code, 0, r.stderr);
  const dir = tmpDir();
  writeFileSync(join(dir, 'stack.yaml'), r.stdout);
  const v = await runCli(['validate', join(dir, 'stack.yaml')], { home });
  assert.is(v.code, 0, v.stdout + v.stderr);
  const types = [...r.stdout.slice(r.stdout.indexOf('\nsteps:')).matchAll(/^ {4}type: (\w+)$/gm)].map((m) => m[1]);
  assert.equal(types, ['terraform', 'probe', 'ansible', 'probe']);
  assert.is(deployments().length, 0, '--emit created nothing');
});

test('bad input is refused before anything is created', async () => {
  const cases: [string[], RegExp][] = [
    [['stack', 'deploy', 'local-helo'], /did you mean 'local-hello'/],
    [['stack', 'deploy', '--template', 'local/hots', '--app', 'hello-web'], /local\/host/],
    [['stack', 'deploy', '--template', 'local/host', '--app', 'hello-wbe'], /hello-web/],
    [['stack', 'deploy', 'local-hello', '--app-params', 'http_prot=1'], /http_port/],
    [['stack', 'deploy', 'local-hello', '--infra-params', 'ssh_port=notanumber'], /ssh_port/],
  ];
  for (const [args, hint] of cases) {
    const r = await runCli(args, { home });
    assert.is(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, hint);
  }
  assert.is(deployments().length, 0);
});

test('stack deploy local-hello: terraform creates the host, ansible installs the app, the page answers', async () => {
  const port = await freePort();
  ports.push(port);
  const r = await runCli(['stack', 'deploy', 'local-hello', '--app-params', `http_port=${port},base_dir=${base}`], { home, timeoutMs: 400_000 });
  assert.is(r.code, 0, r.stderr);
  assert.match(r.stderr, /infra succeeded/);
  assert.match(r.stderr, /app succeeded/);
  assert.match(r.stderr, /health succeeded/);
  const page = await httpGet(`http://127.0.0.1:${port}/`);
  assert.is(page?.status, 200);
  const applied = deployments().filter((d) => d.status === 'applied');
  assert.is(applied.length, 1);
  assert.is(applied[0]!.outputs?.host, '127.0.0.1');
  const status = await runCli(['app', 'status', '--output', 'json'], { home });
  const apps = JSON.parse(status.stdout) as { app: string; healthy: boolean; deployment?: string }[];
  assert.ok(apps.some((a) => a.app === 'hello-web' && a.healthy), status.stdout);

  // Clean up through cloudya itself: undo the whole run.
  const undo = await runCli(['rollback', 'last'], { home, timeoutMs: 300_000 });
  assert.is(undo.code, 0, undo.stderr);
  assert.is(await httpGet(`http://127.0.0.1:${port}/`), null, 'the page still answers after the rollback');
  assert.is(deployments().find((d) => d.id === applied[0]!.id)?.status, 'destroyed');
});

test('a failure in the app step rolls back the app and then the infrastructure', async () => {
  const port = await freePort();
  ports.push(port);
  const before = deployments().length;
  // A python that does not exist: the install starts, writes its files, and fails at the server task.
  const r = await runCli(['stack', 'deploy', 'local-hello', '--app-params', `http_port=${port},base_dir=${base},python=/nonexistent/python3`], { home, timeoutMs: 400_000 });
  assert.is(r.code, 1, r.stderr);
  assert.match(r.stdout + r.stderr, /rolled.back/);
  assert.match(r.stderr, /step 'app' failed/);
  assert.match(r.stderr, /infra compensated/);
  const created = deployments().slice(before);
  assert.ok(created.length === 1 || deployments().filter((d) => d.status === 'destroyed').length >= 1);
  assert.ok(deployments().every((d) => d.status === 'destroyed'), JSON.stringify(deployments()));
  assert.not.ok(existsSync(join(base, String(port))), 'the failed install left its files');
  assert.is(await httpGet(`http://127.0.0.1:${port}/`), null);
});

test.run();
