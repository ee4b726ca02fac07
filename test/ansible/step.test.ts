// The `ansible` step through `cloudya run`: outputs (per-host counts, published
// values, tasks), variables through a private file, check mode, rollback of an
// app install, and `--deployment` targets.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCli, tmpDir, tmpFiles } from '../helpers.js';
import { freePort, httpGet, stopHelloWeb } from './ansible-helpers.js';

const home = tmpDir('cloudya-home-');
const PLAYBOOK = `- hosts: all
  gather_facts: false
  tasks:
    - name: Write the greeting
      ansible.builtin.copy: { content: "{{ greeting }}\\n", dest: "{{ out }}/greeting.txt", mode: "0644" }
    - name: Skipped on purpose
      ansible.builtin.debug: { msg: never }
      when: false
    - name: Publish a fact
      ansible.builtin.set_fact:
        cloudya_publish: { file: "{{ out }}/greeting.txt" }
    - name: Publish a stat
      ansible.builtin.set_stats:
        data: { words: "{{ greeting.split() | length }}" }
`;

function workflow(check: boolean): string {
  return `apiVersion: cloudya/v1\nkind: Workflow\nname: play\nparams:\n  out: { type: string, required: true }\nsteps:\n  - id: play\n    type: ansible\n    with:\n      playbook: site.yml\n      check: ${check}\n      vars: { greeting: "hello from cloudya", out: "{{params.out}}" }\n`;
}

test('a playbook run: per-host counts, published values, task results; vars reach the playbook', async () => {
  const dir = tmpFiles({ 'wf.yaml': workflow(false), 'site.yml': PLAYBOOK });
  const out = tmpDir();
  const r = await runCli(['run', join(dir, 'wf.yaml'), '--param', `out=${out}`, '--output', 'json'], { home, timeoutMs: 120_000 });
  assert.is(r.code, 0, r.stderr);
  const o = JSON.parse(r.stdout).steps.play.outputs;
  assert.equal(o.hosts, { localhost: { ok: 3, changed: 1, failed: 0, unreachable: 0, skipped: 1 } });
  assert.equal(o.published, { words: '3', file: `${out}/greeting.txt` });
  assert.equal(o.tasks.map((t: { task: string; status: string }) => `${t.task}:${t.status}`), ['Write the greeting:changed', 'Skipped on purpose:skipped', 'Publish a fact:ok', 'Publish a stat:ok']);
  assert.is(readFileSync(join(out, 'greeting.txt'), 'utf8'), 'hello from cloudya\n');
});

test('progress is live: one step.progress event per task, in order, while the playbook runs', async () => {
  const dir = tmpFiles({ 'wf.yaml': workflow(false), 'site.yml': PLAYBOOK });
  const r = await runCli(['run', join(dir, 'wf.yaml'), '--param', `out=${tmpDir()}`, '--output', 'ndjson'], { home, timeoutMs: 120_000 });
  assert.is(r.code, 0, r.stderr);
  const events = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as { type: string; message?: string; line?: string });
  const progress = events.filter((e) => e.type === 'step.progress').map((e) => e.message);
  assert.equal(progress.filter((m) => m!.startsWith('task ')), ['task 1: Write the greeting', 'task 2: Skipped on purpose', 'task 3: Publish a fact', 'task 4: Publish a stat']);
  // Progress arrives before the step ends, and the human lines of the callback are in the log.
  assert.ok(events.findIndex((e) => e.type === 'step.progress') < events.findIndex((e) => e.type === 'step.succeeded'));
  assert.ok(events.some((e) => e.type === 'step.output' && e.line === 'TASK [Write the greeting]'));
});

test('check: true reports the change without making it', async () => {
  const dir = tmpFiles({ 'wf.yaml': workflow(true), 'site.yml': PLAYBOOK });
  const out = tmpDir();
  const r = await runCli(['run', join(dir, 'wf.yaml'), '--param', `out=${out}`, '--output', 'json'], { home, timeoutMs: 120_000 });
  assert.is(r.code, 0, r.stderr);
  assert.is(JSON.parse(r.stdout).steps.play.outputs.hosts.localhost.changed, 1);
  assert.not.ok(existsSync(join(out, 'greeting.txt')));
});

test('no inventory or variables file is left behind, even when the playbook fails', async () => {
  const before = new Set(readdirSync('/tmp').filter((d) => d.startsWith('cloudya-ansible-')));
  const dir = tmpFiles({ 'wf.yaml': workflow(false), 'site.yml': PLAYBOOK.replace('dest: "{{ out }}/greeting.txt"', 'dest: "/nonexistent/dir/greeting.txt"') });
  const r = await runCli(['run', join(dir, 'wf.yaml'), '--param', `out=${tmpDir()}`], { home, timeoutMs: 120_000 });
  assert.is(r.code, 1);
  assert.match(r.stderr, /task 'Write the greeting' failed on host localhost/);
  // Only this file runs ansible from this process; others may run in parallel, so compare by owner run.
  const after = readdirSync('/tmp').filter((d) => d.startsWith('cloudya-ansible-') && !before.has(d));
  for (const d of after) assert.not.ok(existsSync(join('/tmp', d, 'vars.json')) && readFileSync(join('/tmp', d, 'vars.json'), 'utf8').includes('hello from cloudya'), `left: ${d}`);
});

test('a failure after an app install rolls the install back with the uninstall playbook', async () => {
  const port = await freePort();
  const base = tmpDir('cloudya-hello-');
  const dir = tmpFiles({
    'wf.yaml': `apiVersion: cloudya/v1\nkind: Workflow\nname: rollback-app\nsteps:\n  - id: web\n    type: ansible\n    with: { app: hello-web, vars: { http_port: ${port}, base_dir: "${base}" } }\n  - id: boom\n    type: sandbox\n    needs: [web]\n    with: { isolation: none, command: "curl -fsS http://127.0.0.1:${port}/ >/dev/null && echo up && exit 9" }\n`,
  });
  try {
    const r = await runCli(['run', join(dir, 'wf.yaml'), '--output', 'json'], { home, timeoutMs: 240_000 });
    assert.is(r.code, 1, r.stderr);
    const s = JSON.parse(r.stdout);
    assert.is(s.status, 'rolled_back');
    assert.is(s.steps.boom.error.code, 'E_COMMAND_FAILED');
    assert.match(s.steps.boom.error.message, /exit code 9/); // the app was up when the next step ran
    const id = s.steps.web.outputs.id as string;
    assert.is(await httpGet(`http://127.0.0.1:${port}/`), null);
    assert.not.ok(existsSync(join(base, String(port))));
    assert.is(JSON.parse(readFileSync(join(home, 'apps', `${id}.json`), 'utf8')).status, 'uninstalled');
  } finally {
    stopHelloWeb(join(base, String(port)));
  }
});

test('--deployment ID targets the host and connection recorded by the deployment', async () => {
  const h = tmpDir('cloudya-home-');
  mkdirSync(join(h, 'deployments', 'dep-local-1'), { recursive: true });
  writeFileSync(
    join(h, 'deployments', 'dep-local-1', 'deployment.json'),
    JSON.stringify({ id: 'dep-local-1', template: 'local/host', provider: 'local', status: 'applied', createdAt: '2026-01-01T00:00:00Z', updatedAt: '2026-01-01T00:00:00Z', runId: 'r', params: {}, outputs: { host: '127.0.0.1', connection: 'local', ssh_user: 'root', ssh_port: 22 } }),
  );
  const r = await runCli(['app', 'install', 'hello-web', '--deployment', 'dep-local-1', '--emit'], { home: h });
  assert.is(r.code, 0, r.stderr);
  const { load } = await import('js-yaml');
  const doc = load(r.stdout) as { params: { host: { default: string } }; steps: { with: Record<string, unknown> }[] };
  assert.is(doc.params.host.default, '127.0.0.1');
  assert.equal(doc.steps[0]!.with.hosts, ['{{params.host}}']);
  assert.is(doc.steps[0]!.with.connection, 'local');
  assert.is(doc.steps[0]!.with.deployment, 'dep-local-1');
  const typo = await runCli(['app', 'install', 'hello-web', '--deployment', 'dep-locl-1'], { home: h });
  assert.is(typo.code, 2);
  assert.match(typo.stderr, /did you mean 'dep-local-1'\?/);
  writeFileSync(join(h, 'deployments', 'dep-local-1', 'deployment.json'), JSON.stringify({ id: 'dep-local-1', status: 'destroyed', outputs: {} }));
  const gone = await runCli(['app', 'install', 'hello-web', '--deployment', 'dep-local-1'], { home: h });
  assert.is(gone.code, 2);
  assert.match(gone.stderr, /deployment dep-local-1 is destroyed, not applied/);
});

test.run();
