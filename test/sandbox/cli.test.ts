// The sandbox through the built CLI: a workflow of sandbox steps, the audit log,
// the unavailable-backend errors, and `cloudya doctor`.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCli, tmpDir, tmpFiles } from '../helpers.js';

const workflow = (dir: string) => `apiVersion: cloudya/v1
kind: Workflow
name: sandboxed
params:
  token: { type: string, required: true, secret: true }
steps:
  - id: build
    type: sandbox
    with:
      script: |
        echo artifact > out.txt
        cat out.txt
        touch "${dir}/escape" 2>/dev/null && echo escaped || echo contained
  - id: use
    type: sandbox
    needs: [build]
    with:
      command: 'echo "$(echo {{steps.build.outputs.stdout}} | head -1) with $TOKEN"'
      env: { TOKEN: "{{params.token}}" }
  - id: host
    type: sandbox
    with: { command: "pwd > host-marker", isolation: none }
`;

test('a workflow of sandbox steps runs through cloudya run; every command is audited, secrets masked', async () => {
  const dir = tmpDir('cloudya-wf-');
  writeFileSync(join(dir, 'wf.yaml'), workflow(dir));
  const home = tmpDir('cloudya-home-');
  const r = await runCli(['run', join(dir, 'wf.yaml'), '--param', 'token=tok-12345', '--output', 'json'], { home, cwd: dir });
  assert.is(r.code, 0, r.stderr);
  const state = JSON.parse(r.stdout) as { steps: Record<string, { outputs: Record<string, unknown> }> };
  const build = state.steps.build!.outputs;
  assert.is(build.backend, 'bwrap');
  assert.is(build.limit, null);
  assert.is(build.stdout, 'artifact\ncontained');
  assert.is(state.steps.use!.outputs.stdout, 'artifact with ***');
  assert.is(state.steps.host!.outputs.backend, 'none');
  assert.ok(existsSync(join(dir, 'host-marker')), 'isolation: none ran on the host, in the workflow folder');
  assert.not.ok(existsSync(join(dir, 'escape')), 'the sandboxed step could not write into the workflow folder');
  assert.not.ok(r.stdout.includes('tok-12345'));

  const audit = readFileSync(join(home, 'audit.log'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
  assert.is(audit.length, 3);
  const byStep = Object.fromEntries(audit.map((a) => [a.stepId, a]));
  assert.equal({ ...byStep.use, time: undefined, durationMs: undefined, runId: undefined }, {
    time: undefined, durationMs: undefined, runId: undefined,
    stepId: 'use', kind: 'executed', command: 'echo "$(echo artifact\ncontained | head -1) with $TOKEN"', backend: 'bwrap', exitCode: 0, limit: null,
  });
  assert.is(byStep.host!.backend, 'none');
  assert.ok(audit.every((a) => typeof a.durationMs === 'number' && typeof a.runId === 'string'));
  assert.not.ok(readFileSync(join(home, 'audit.log'), 'utf8').includes('tok-12345'));
});

test('a limit ends the run with E_SANDBOX_LIMIT, names the limit, and is audited', async () => {
  const dir = tmpFiles({ 'wf.yaml': 'apiVersion: cloudya/v1\nkind: Workflow\nname: slow\nsteps:\n  - id: spin\n    type: sandbox\n    with: { command: "while :; do :; done", timeLimit: 1s }\n' });
  const home = tmpDir('cloudya-home-');
  const r = await runCli(['run', join(dir, 'wf.yaml')], { home });
  assert.is(r.code, 1);
  assert.match(r.stderr, /E_SANDBOX_LIMIT the time limit \(1s\) ended the command \(exit code 137, bwrap sandbox\)/);
  assert.match(r.stderr, /hint: raise `timeLimit:`/);
  const entry = JSON.parse(readFileSync(join(home, 'audit.log'), 'utf8').trim()) as Record<string, unknown>;
  assert.is(entry.limit, 'time');
  assert.is(entry.exitCode, 137);
});

const ISOLATED = (isolation = '') => `apiVersion: cloudya/v1\nkind: Workflow\nname: iso\nsteps:\n  - id: a\n    type: sandbox\n    with: { command: "echo hi"${isolation ? `, isolation: ${isolation}` : ''} }\n`;

test('bwrap pointed at a missing binary: E_SANDBOX_UNAVAILABLE says why and what to install', async () => {
  const dir = tmpFiles({ 'wf.yaml': ISOLATED('bwrap') });
  const r = await runCli(['run', join(dir, 'wf.yaml')], { env: { CLOUDYA_BWRAP: '/nonexistent/bwrap' } });
  assert.is(r.code, 1);
  assert.match(r.stderr, /E_SANDBOX_UNAVAILABLE the bwrap sandbox cannot work here: bwrap is not installed \(looked in CLOUDYA_BWRAP=\/nonexistent\/bwrap\)/);
  assert.match(r.stderr, /hint: install bubblewrap \(Debian\/Ubuntu: `apt-get install bubblewrap`/);
});

test('bwrap_path in config.json pointing at a missing binary is named in the error', async () => {
  const home = tmpDir('cloudya-home-');
  writeFileSync(join(home, 'config.json'), JSON.stringify({ bwrap_path: '/opt/none/bwrap' }));
  const dir = tmpFiles({ 'wf.yaml': ISOLATED() });
  const r = await runCli(['run', join(dir, 'wf.yaml')], { home });
  assert.is(r.code, 1);
  assert.match(r.stderr, /E_SANDBOX_UNAVAILABLE no sandbox backend works here: bwrap: bwrap is not installed \(looked in bwrap_path \/opt\/none\/bwrap in .*config.json\)/);
});

test('PATH without bwrap (auto): every backend says why; the hint offers isolation: none; none still works', async () => {
  const dir = tmpFiles({ 'wf.yaml': ISOLATED(), 'host.yaml': ISOLATED('none') });
  const env = { PATH: '/nonexistent' };
  const r = await runCli(['run', join(dir, 'wf.yaml')], { env });
  assert.is(r.code, 1);
  assert.match(r.stderr, /E_SANDBOX_UNAVAILABLE no sandbox backend works here: bwrap: bwrap is not installed \(looked in PATH \(\/nonexistent\)\); docker: docker is not installed; podman: podman is not installed/);
  assert.match(r.stderr, /hint: install bubblewrap .*; or, to run on the host without isolation, write isolation: none in the step/);
  assert.is(r.stdout.includes('succeeded'), false);
  const ok = await runCli(['run', join(dir, 'host.yaml')], { env: { PATH: '/usr/bin:/bin' } });
  assert.is(ok.code, 0, ok.stderr);
});

test('cloudya doctor --output json: bwrap works (tried for real), docker does not, tools found', async () => {
  const r = await runCli(['doctor', '--output', 'json']);
  assert.is(r.code, 0, r.stderr);
  const report = JSON.parse(r.stdout) as { sandbox: { default: string; backends: { name: string; works: boolean; detail: string; hint?: string }[] }; tools: { name: string; found: boolean; version?: string; path?: string }[] };
  assert.is(report.sandbox.default, 'bwrap');
  const by = Object.fromEntries(report.sandbox.backends.map((b) => [b.name, b]));
  assert.ok(by.bwrap!.works);
  assert.match(by.bwrap!.detail, /bubblewrap \d+\.\d+.*limits: cgroup v[12].*`true` ran in \d+ ms/);
  assert.is(by.docker!.works, false);
  assert.match(by.docker!.detail, /docker is installed but its engine does not answer|docker is not installed/);
  assert.ok(by.docker!.hint);
  assert.ok(by.none!.works);
  const tools = Object.fromEntries(report.tools.map((t) => [t.name, t]));
  assert.is(tools.terraform!.found, true);
  assert.match(tools.terraform!.version!, /^1\.\d+\.\d+$/);
  assert.is(tools['ansible-playbook']!.found, true);
  assert.match(tools['ansible-playbook']!.version!, /^2\.\d+\.\d+$/);
});

test('cloudya doctor (text) with bwrap missing: says why, how to fix, and exits 1 when nothing isolates', async () => {
  const r = await runCli(['doctor'], { env: { CLOUDYA_BWRAP: '/nonexistent/bwrap' } });
  assert.is(r.code, 1);
  assert.match(r.stdout, /bwrap\s+unavailable\s+bwrap is not installed/);
  assert.match(r.stdout, /fix: install bubblewrap/);
  assert.match(r.stdout, /none\s+works/);
  assert.match(r.stdout, /isolation: auto uses nothing/);
  assert.match(r.stdout, /terraform\s+1\.\d+\.\d+/);
});

test.run();
