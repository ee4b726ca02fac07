// Rollback with real terraform: a failure later in a workflow destroys what
// the terraform step applied; a failed apply cleans up what it half-created;
// a deployment that existed before the run is never destroyed by a rollback.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { runCli, tmpDir, tmpFiles } from '../helpers.js';
import { deploymentDir, deploymentIds, record, runIdOf, stateResources } from './tf-helpers.js';

const header = 'apiVersion: cloudya/v1\nkind: Workflow\n';

test('a failing step after terraform apply triggers destroy as rollback', async () => {
  const home = tmpDir('cloudya-rb-');
  const dir = tmpFiles({
    'wf.yaml': `${header}name: host-then-fail
steps:
  - id: host
    type: terraform
    with: { template: local/host, vars: { name: rb1 } }
  - id: app
    type: sandbox
    needs: [host]
    with: { isolation: none, command: "test -f '{{steps.host.outputs.host_file}}' && echo 'install failed' >&2 && exit 4" }
`,
  });
  const r = await runCli(['run', join(dir, 'wf.yaml'), '--output', 'json'], { home });
  assert.is(r.code, 1, r.stderr);
  const report = JSON.parse(r.stdout) as { status: string; steps: Record<string, { status: string; outputs?: { deployment: string } }> };
  assert.is(report.status, 'rolled_back');
  assert.is(report.steps.host!.status, 'compensated');
  const id = report.steps.host!.outputs!.deployment;
  assert.equal(stateResources(home, id), [], 'terraform state is empty after the rollback');
  assert.not.ok(existsSync(join(deploymentDir(home, id), 'host.json')));
  assert.is(record(home, id).status, 'destroyed');
});

test('a failed apply (local/task fail=true) after a host: the host is destroyed and the half-done apply cleaned up', async () => {
  const home = tmpDir('cloudya-rb-');
  const dir = tmpFiles({
    'wf.yaml': `${header}name: host-then-bad-apply
steps:
  - id: host
    type: terraform
    with: { template: local/host }
  - id: task
    type: terraform
    needs: [host]
    retry: { attempts: 3, delay: 0 }
    with: { template: local/task, vars: { instances: 3, fail: true } }
`,
  });
  const r = await runCli(['run', join(dir, 'wf.yaml')], { home });
  assert.is(r.code, 1);
  assert.match(r.stderr, /task: apply failed: destroying what it created in local-task-/);
  assert.match(r.stderr, /E_TERRAFORM_CONFIG terraform apply: local-exec provisioner error \(terraform_data\.outcome\)/);
  assert.match(r.stderr, /host compensated/);
  const runId = runIdOf(r.stderr);
  const show = JSON.parse((await runCli(['runs', 'show', runId, '--output', 'json'], { home })).stdout) as { status: string; steps: Record<string, { status: string; attempts: number }> };
  assert.is(show.status, 'rolled_back');
  // E_TERRAFORM_CONFIG is not retryable: one attempt despite `retry: 3`.
  assert.is(show.steps.task!.attempts, 1);
  const ids = deploymentIds(home);
  assert.is(ids.length, 2);
  for (const id of ids) assert.equal(stateResources(home, id), [], `${id} has no resources left`);
  const task = record(home, ids.find((i) => i.startsWith('local-task-'))!);
  assert.is(task.status, 'failed');
  assert.is(task.error!.code, 'E_TERRAFORM_CONFIG');
  assert.is(record(home, ids.find((i) => i.startsWith('local-host-'))!).status, 'destroyed');
});

test('rollback leaves a deployment that existed before the run in place', async () => {
  const home = tmpDir('cloudya-rb-');
  const first = await runCli(['deploy', 'template', 'local/host', '--deployment', 'shared-host'], { home });
  assert.is(first.code, 0, first.stderr);
  const dir = tmpFiles({
    'wf.yaml': `${header}name: update-then-fail
steps:
  - id: host
    type: terraform
    with: { template: local/host, deployment: shared-host }
  - id: boom
    type: sandbox
    needs: [host]
    with: { isolation: none, command: "exit 3" }
`,
  });
  const r = await runCli(['run', join(dir, 'wf.yaml')], { home });
  assert.is(r.code, 1);
  assert.match(r.stderr, /deployment shared-host existed before this run; it is left in place/);
  assert.equal(stateResources(home, 'shared-host'), ['terraform_data.host']);
  assert.is(record(home, 'shared-host').status, 'applied');
});

test('cloudya rollback RUN later (another process) destroys what the run applied', async () => {
  const home = tmpDir('cloudya-rb-');
  const r = await runCli(['deploy', 'template', 'local/task', '--params', 'instances=2'], { home });
  assert.is(r.code, 0, r.stderr);
  const [id] = deploymentIds(home) as [string];
  assert.equal(stateResources(home, id).sort(), ['terraform_data.outcome', 'terraform_data.run']);
  const rb = await runCli(['rollback', runIdOf(r.stderr)], { home });
  assert.is(rb.code, 0, rb.stderr);
  assert.equal(stateResources(home, id), []);
  assert.is(record(home, id).status, 'destroyed');
});

test.run();
