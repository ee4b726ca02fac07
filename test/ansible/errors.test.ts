// Bad input and failures of the app commands and the ansible step: a clear
// message naming the host and the task, exit 2 for bad input and 1 for failures.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCli, tmpDir, tmpFiles } from '../helpers.js';
import { freePort } from './ansible-helpers.js';

const home = tmpDir('cloudya-home-');

test('unknown app: exit 2, E_APP_NOT_FOUND with a suggestion, nothing on stdout', async () => {
  const r = await runCli(['app', 'install', 'helo-web', '--host', 'localhost'], { home });
  assert.is(r.code, 2);
  assert.is(r.stdout, '');
  assert.match(r.stderr, /error E_APP_NOT_FOUND no app template 'helo-web'/);
  assert.match(r.stderr, /hint: did you mean 'hello-web'\?/);
  const show = await runCli(['app', 'show', 'wordpres'], { home });
  assert.is(show.code, 2);
  assert.match(show.stderr, /did you mean 'wordpress'\?/);
});

test('missing required parameters are all named; exit 2; nothing runs', async () => {
  const r = await runCli(['app', 'install', 'wordpress', '--host', 'localhost'], { home });
  assert.is(r.code, 2);
  assert.is(r.stdout, '');
  assert.match(r.stderr, /error E_PARAM wordpress: missing required parameters admin_password, db_password/);
  assert.match(r.stderr, /hint: give admin_password=…,db_password=…/);
});

test('unknown and mistyped parameters: did-you-mean, type errors; a secret value is never echoed', async () => {
  const r = await runCli(['app', 'install', 'hello-web', '--host', 'localhost', '--params', 'htp_port=80,title=x'], { home });
  assert.is(r.code, 2);
  assert.match(r.stderr, /E_PARAM hello-web: unknown parameter 'htp_port'/);
  assert.match(r.stderr, /did you mean 'http_port'\?/);
  const t = await runCli(['app', 'install', 'hello-web', '--host', 'localhost', '--params', 'http_port=eighty'], { home });
  assert.is(t.code, 2);
  assert.match(t.stderr, /http_port must be a whole number, got 'eighty'/);
});

test('a platform the app does not list, and no target, are bad input', async () => {
  const p = await runCli(['app', 'install', 'hello-web', '--platform', 'awz', '--host', 'h1'], { home });
  assert.is(p.code, 2);
  assert.match(p.stderr, /does not support platform 'awz'/);
  assert.match(p.stderr, /did you mean 'aws'\?/);
  const w = await runCli(['app', 'install', 'hello-web'], { home });
  assert.is(w.code, 2);
  assert.match(w.stderr, /E_USAGE say where to install hello-web: --host HOST or --deployment ID/);
  const d = await runCli(['app', 'install', 'hello-web', '--deployment', 'dep-nope'], { home });
  assert.is(d.code, 2);
  assert.match(d.stderr, /E_DEPLOYMENT_NOT_FOUND no deployment dep-nope/);
  const u = await runCli(['app', 'uninstall', '--id', 'hello-web-123'], { home });
  assert.is(u.code, 2);
  assert.match(u.stderr, /E_APP_NOT_FOUND no installed app hello-web-123/);
});

test('unreachable host (ssh to a closed port): exit 1, E_ANSIBLE_UNREACHABLE naming the host and the task', async () => {
  const port = await freePort();
  const args = ['app', 'install', 'hello-web', '--host', '127.0.0.1', '--connection', 'ssh', '--ssh-port', String(port), '--params', `base_dir=${tmpDir()}`];
  const r = await runCli(args, { home, timeoutMs: 180_000 });
  assert.is(r.code, 1, r.stderr);
  assert.match(r.stderr, /E_ANSIBLE_UNREACHABLE host 127\.0\.0\.1 is unreachable \(task 'Create the site folder'\)/);
  assert.match(r.stderr, new RegExp(`port ${port}|Connection refused`));
  const j = await runCli([...args, '--output', 'json'], { home, timeoutMs: 180_000 });
  assert.is(j.code, 1);
  const err = JSON.parse(j.stdout).steps.install.error;
  assert.is(err.code, 'E_ANSIBLE_UNREACHABLE');
  assert.match(err.hint, /check that the host is up/);
});

test('a failing task: exit 1, E_ANSIBLE_FAILED with the task, the host and the module message', async () => {
  const dir = tmpFiles({
    'wf.yaml': 'apiVersion: cloudya/v1\nkind: Workflow\nname: broken\nsteps:\n  - id: play\n    type: ansible\n    with: { playbook: site.yml }\n',
    'site.yml': '- hosts: all\n  gather_facts: false\n  tasks:\n    - name: Fine\n      ansible.builtin.debug: { msg: ok }\n    - name: Break on purpose\n      ansible.builtin.command: sh -c "echo disk is full >&2; exit 3"\n',
  });
  const r = await runCli(['run', join(dir, 'wf.yaml'), '--output', 'json'], { home, timeoutMs: 120_000 });
  assert.is(r.code, 1, r.stderr);
  const out = JSON.parse(r.stdout);
  const err = out.steps.play.error;
  assert.is(err.code, 'E_ANSIBLE_FAILED');
  assert.match(err.message, /^task 'Break on purpose' failed on host localhost: non-zero return code \| disk is full/);
  assert.is(out.steps.play.attempts, 1);
});

test('a playbook that does not parse: E_ANSIBLE_FAILED with ansible’s own error', async () => {
  const dir = tmpFiles({
    'wf.yaml': 'apiVersion: cloudya/v1\nkind: Workflow\nname: syntax\nsteps:\n  - { id: play, type: ansible, with: { playbook: bad.yml } }\n',
    'bad.yml': '- hosts: all\n  tasks:\n    - name: x\n      no.such.module: {}\n',
  });
  const r = await runCli(['run', join(dir, 'wf.yaml')], { home, timeoutMs: 120_000 });
  assert.is(r.code, 1);
  assert.match(r.stderr, /E_ANSIBLE_FAILED ansible-playbook exited \d+ on .*bad\.yml: ERROR! couldn't resolve module\/action 'no\.such\.module'/);
});

test('ansible-playbook missing: a clear error saying to install ansible-core', async () => {
  const h = tmpDir('cloudya-home-');
  mkdirSync(h, { recursive: true });
  writeFileSync(join(h, 'config.json'), JSON.stringify({ ansible_path: '/nonexistent/ansible-playbook' }));
  const dir = tmpFiles({ 'wf.yaml': 'apiVersion: cloudya/v1\nkind: Workflow\nname: noansible\nsteps:\n  - { id: play, type: ansible, with: { playbook: site.yml } }\n', 'site.yml': '- hosts: all\n  tasks: []\n' });
  const r = await runCli(['run', join(dir, 'wf.yaml'), '--output', 'json'], { home: h });
  assert.is(r.code, 1);
  const err = JSON.parse(r.stdout).steps.play.error;
  assert.is(err.code, 'E_COMMAND_NOT_FOUND');
  assert.match(err.message, /ansible-playbook not found at \/nonexistent\/ansible-playbook/);
  assert.match(err.hint, /install ansible-core/);
  // Not on PATH either:
  writeFileSync(join(h, 'config.json'), JSON.stringify({ ansible_path: 'cloudya-no-such-ansible-playbook' }));
  const p = await runCli(['run', join(dir, 'wf.yaml')], { home: h });
  assert.is(p.code, 1);
  assert.match(p.stderr, /E_COMMAND_NOT_FOUND cloudya-no-such-ansible-playbook not found: ansible is not installed/);
});

test.run();
