// Real ansible on this machine: `app install hello-web --host localhost`, an
// HTTP request, `app status`, `app uninstall`; and a secret parameter that
// reaches the app but no log, state file, inventory, process list or output.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli, tmpDir } from '../helpers.js';
import { freePort, httpGet, stopHelloWeb } from './ansible-helpers.js';

const SECRET = `S3cr3t-${Math.random().toString(36).slice(2, 10)}-pw`;
const home = tmpDir('cloudya-home-');
const base = tmpDir('cloudya-hello-');
let port = 0;
let id = '';

/** Every regular file under `dir` whose content contains `needle`. */
function filesContaining(dir: string, needle: string): string[] {
  if (!existsSync(dir)) return [];
  const hits: string[] = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) hits.push(...filesContaining(p, needle));
    else if (e.isFile() && readFileSync(p, 'latin1').includes(needle)) hits.push(p);
  }
  return hits;
}

test.after(() => stopHelloWeb(join(base, String(port))));

test('app install hello-web --host localhost installs it; the page answers; the secret reaches the app', async () => {
  port = await freePort();
  // Sample the process list while the install runs: the secret must never be on a command line.
  const seen: string[] = [];
  let sampling = true;
  const sampler = (async () => {
    while (sampling) {
      try {
        const ps = execFileSync('ps', ['-eo', 'args'], { encoding: 'utf8' });
        if (ps.includes(SECRET)) seen.push(ps.split('\n').find((l) => l.includes(SECRET))!);
      } catch { /* ps raced a process exit */ }
      await new Promise((r) => setTimeout(r, 50));
    }
  })();
  const r = await runCli(['app', 'install', 'hello-web', '--host', 'localhost', '--params', `http_port=${port},base_dir=${base},title=E2E page`], {
    home,
    timeoutMs: 240_000,
    // A secret goes through the environment: on a command line, ps would show it.
    env: { CLOUDYA_PARAM_ADMIN_PASSWORD: SECRET },
  });
  sampling = false;
  await sampler;
  assert.is(r.code, 0, r.stderr);
  assert.equal(seen, [], 'the secret appeared in the process list');
  assert.not.ok(r.stdout.includes(SECRET) || r.stderr.includes(SECRET), 'the secret was printed');
  assert.match(r.stdout, /succeeded/);
  assert.match(r.stderr, /TASK \[Start the server/);
  id = /installed hello-web as (hello-web-[0-9a-f]+)/.exec(r.stderr)?.[1] ?? '';
  assert.ok(id, r.stderr);

  const page = await httpGet(`http://127.0.0.1:${port}/`);
  assert.is(page?.status, 200);
  assert.match(page!.body, /<h1>E2E page<\/h1>/);
  // The secret did reach the app: /admin accepts it and nothing else.
  const auth = (pw: string) => ({ Authorization: `Basic ${Buffer.from(`admin:${pw}`).toString('base64')}` });
  assert.is((await httpGet(`http://127.0.0.1:${port}/admin`, auth(SECRET)))?.status, 200);
  assert.is((await httpGet(`http://127.0.0.1:${port}/admin`, auth('wrong')))?.status, 401);
  assert.is(statSync(join(base, String(port), 'admin.secret')).mode & 0o777, 0o600);
});

test('the secret is in no file cloudya or ansible left: run state, events, generated workflow, registry, inventories', () => {
  assert.equal(filesContaining(home, SECRET), []);
  const leftovers = readdirSync(tmpdir()).filter((d) => d.startsWith('cloudya-ansible-')).map((d) => join(tmpdir(), d));
  for (const d of leftovers) assert.equal(filesContaining(d, SECRET), [], `inventory/vars dir ${d}`);
  assert.equal(filesContaining(join(process.env.HOME ?? '/root', '.ansible', 'tmp'), SECRET), []);
  const rec = JSON.parse(readFileSync(join(home, 'apps', `${id}.json`), 'utf8'));
  assert.is(rec.vars.admin_password, '***');
  assert.is(rec.status, 'installed');
  assert.is(rec.health.http, `http://localhost:${port}/`);
});

test('a second install of the same app changes nothing (idempotent playbook)', async () => {
  const wf = join(tmpDir(), 'again.yaml');
  writeFileSync(wf, `apiVersion: cloudya/v1\nkind: Workflow\nname: again\nparams:\n  pw: { type: string, secret: true, required: true }\nsteps:\n  - id: install\n    type: ansible\n    with: { app: hello-web, id: ${id}, vars: { http_port: ${port}, base_dir: "${base}", title: E2E page, admin_password: "{{params.pw}}" } }\n`);
  const again = await runCli(['run', wf, '--output', 'json'], { home, timeoutMs: 240_000, env: { CLOUDYA_PARAM_PW: SECRET } });
  assert.is(again.code, 0, again.stderr);
  assert.not.ok(again.stdout.includes(SECRET));
  const out = JSON.parse(again.stdout);
  const counts = out.steps.install.outputs.hosts.localhost;
  assert.is(counts.changed, 0, JSON.stringify(counts));
  assert.is(counts.failed, 0);
  assert.is(out.steps.install.outputs.published.url, `http://localhost:${port}/`);
});

test('app status shows it installed and healthy', async () => {
  const r = await runCli(['app', 'status', '--output', 'json'], { home });
  assert.is(r.code, 0, r.stderr);
  const list = JSON.parse(r.stdout) as { id: string; healthy: boolean; hosts: string[] }[];
  const mine = list.find((a) => a.id === id);
  assert.ok(mine, r.stdout);
  assert.is(mine!.healthy, true);
  assert.equal(mine!.hosts, ['localhost']);
  const text = await runCli(['app', 'status'], { home });
  assert.match(text.stdout, new RegExp(`${id}\\s+hello-web\\s+localhost\\s+installed\\s+healthy`));
});

test('app uninstall --id removes it: the port stops answering, the folder is gone, status says uninstalled', async () => {
  const r = await runCli(['app', 'uninstall', '--id', id], { home, timeoutMs: 240_000 });
  assert.is(r.code, 0, r.stderr);
  assert.match(r.stderr, new RegExp(`uninstalled ${id}`));
  assert.is(await httpGet(`http://127.0.0.1:${port}/`), null);
  assert.not.ok(existsSync(join(base, String(port))));
  const st = await runCli(['app', 'status', '--all', '--output', 'json'], { home });
  assert.is(JSON.parse(st.stdout).find((a: { id: string }) => a.id === id).status, 'uninstalled');
  const none = await runCli(['app', 'status', '--output', 'json'], { home });
  assert.equal(JSON.parse(none.stdout), []);
  // Uninstalling again is refused as bad input.
  const twice = await runCli(['app', 'uninstall', '--id', id], { home });
  assert.is(twice.code, 2);
  assert.match(twice.stderr, /already uninstalled/);
});

test.run();
