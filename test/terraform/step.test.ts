// The terraform step's own behaviour with real terraform: error classes and
// retries, a missing binary, the output and plan actions, provider credentials
// in the environment, user templates that shadow built-ins.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdirSync, readFileSync, writeFileSync, cpSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT, runCli, tmpDir, tmpFiles } from '../helpers.js';
import { deploymentDir, deploymentIds, record, runIdOf } from './tf-helpers.js';

const header = 'apiVersion: cloudya/v1\nkind: Workflow\n';

async function stepsOf(home: string, stderr: string) {
  const r = await runCli(['runs', 'show', runIdOf(stderr), '--output', 'json'], { home });
  const j = JSON.parse(r.stdout) as { status: string; steps: Record<string, { status: string; attempts: number; error?: { code: string; message: string; hint?: string } }> };
  return j.steps;
}

test('a provider that cannot be downloaded is E_TERRAFORM_TRANSIENT and is retried', async () => {
  const home = tmpDir('cloudya-tf-');
  const dir = tmpFiles({
    'wf.yaml': `${header}name: offline-provider\nsteps:\n  - id: net\n    type: terraform\n    retry: { attempts: 2, delay: 0 }\n    with: { source: tf }\n`,
    'tf/main.tf': 'terraform {\n  required_providers {\n    aws = { source = "hashicorp/aws", version = "~> 5.70" }\n  }\n}\n',
  });
  const r = await runCli(['run', join(dir, 'wf.yaml')], { home });
  assert.is(r.code, 1);
  const net = (await stepsOf(home, r.stderr)).net!;
  assert.is(net.error!.code, 'E_TERRAFORM_TRANSIENT');
  assert.match(net.error!.message, /terraform init: Failed to query available provider packages/);
  assert.is(net.attempts, 2);
});

test('a variable that fails its validation is E_TERRAFORM_CONFIG and not retried', async () => {
  const home = tmpDir('cloudya-tf-');
  const dir = tmpFiles({ 'wf.yaml': `${header}name: bad-var\nsteps:\n  - id: h\n    type: terraform\n    retry: { attempts: 3, delay: 0 }\n    with: { template: local/host, vars: { ssh_port: 70000 } }\n` });
  const r = await runCli(['run', join(dir, 'wf.yaml')], { home });
  assert.is(r.code, 1);
  const h = (await stepsOf(home, r.stderr)).h!;
  assert.is(h.error!.code, 'E_TERRAFORM_CONFIG');
  assert.match(h.error!.message, /Invalid value for variable.*ssh_port must be a whole number from 1 to 65535/);
  assert.is(h.attempts, 1);
});

test('vars are checked against the manifest: unknown name with a suggestion, wrong type', async () => {
  const home = tmpDir('cloudya-tf-');
  const dir = tmpFiles({ 'wf.yaml': `${header}name: unknown-var\nsteps:\n  - id: h\n    type: terraform\n    with: { template: local/host, vars: { ssh_prot: 22, name: 5 } }\n` });
  const r = await runCli(['run', join(dir, 'wf.yaml')], { home });
  assert.is(r.code, 1);
  const h = (await stepsOf(home, r.stderr)).h!;
  assert.is(h.error!.code, 'E_TERRAFORM_CONFIG');
  assert.match(h.error!.message, /unknown parameter 'ssh_prot'; parameter 'name' must be a string, got 5/);
  assert.equal(deploymentIds(home), [], 'nothing was created');
});

test('with: is validated before the run: both template and source, or neither', async () => {
  const dir = tmpFiles({ 'wf.yaml': `${header}name: bad-with\nsteps:\n  - id: a\n    type: terraform\n    with: { vars: {} }\n  - id: b\n    type: terraform\n    with: { action: destroy, deploymnet: x }\n` });
  const r = await runCli(['validate', join(dir, 'wf.yaml')]);
  assert.is(r.code, 2);
  assert.match(r.stderr, /E_WITH_INVALID with: of step 'a' must give exactly one of template, source \(it gives none\)/);
  assert.match(r.stderr, /unknown key 'deploymnet' in with: of step 'b'\n {2}hint: did you mean 'deployment'\?/);
});

test('a missing terraform binary (terraform_path in config.json) gives a clear message', async () => {
  const home = tmpDir('cloudya-tf-');
  writeFileSync(join(home, 'config.json'), JSON.stringify({ terraform_path: '/nonexistent/terraform' }));
  const r = await runCli(['deploy', 'template', 'local/host'], { home });
  assert.is(r.code, 1);
  assert.match(r.stderr, /E_COMMAND_NOT_FOUND terraform not found \(looked for '\/nonexistent\/terraform'\)/);
  assert.equal(deploymentIds(home), [], 'nothing was recorded');
  const dir = tmpFiles({ 'wf.yaml': `${header}name: no-tf\nsteps:\n  - id: h\n    type: terraform\n    with: { template: local/host }\n` });
  const run = await runCli(['run', join(dir, 'wf.yaml')], { home });
  assert.is(run.code, 1);
  const h = (await stepsOf(home, run.stderr)).h!;
  assert.is(h.error!.code, 'E_COMMAND_NOT_FOUND');
  assert.match(h.error!.hint!, /install Terraform \(https:\/\/developer\.hashicorp\.com\/terraform\/install\), or set "terraform_path" in ~\/\.cloudya\/config\.json/);
});

test('terraform_path is used when set', async () => {
  const home = tmpDir('cloudya-tf-');
  const bin = tmpDir('cloudya-bin-');
  // A wrapper that records it was called, then runs the real terraform.
  writeFileSync(join(bin, 'tf'), `#!/bin/sh\necho "$1" >> "${bin}/calls"\nexec terraform "$@"\n`, { mode: 0o755 });
  writeFileSync(join(home, 'config.json'), JSON.stringify({ terraform_path: join(bin, 'tf') }));
  const r = await runCli(['deploy', 'template', 'local/host'], { home });
  assert.is(r.code, 0, r.stderr);
  assert.equal(readFileSync(join(bin, 'calls'), 'utf8').trim().split('\n'), ['init', 'plan', 'apply', 'output']);
});

test('action output reads the outputs of an existing deployment; action plan records planned', async () => {
  const home = tmpDir('cloudya-tf-');
  const dir = tmpFiles({
    'wf.yaml': `${header}name: plan-apply-output
steps:
  - id: p
    type: terraform
    with: { action: plan, template: local/host, deployment: h1 }
  - id: a
    type: terraform
    needs: [p]
    with: { template: local/host, deployment: h1, vars: { name: "{{steps.p.outputs.deployment}}" } }
  - id: o
    type: terraform
    needs: [a]
    with: { action: output, deployment: h1 }
`,
  });
  const r = await runCli(['run', join(dir, 'wf.yaml'), '--output', 'json'], { home });
  assert.is(r.code, 0, r.stderr);
  const rep = JSON.parse(r.stdout) as { steps: Record<string, { outputs: Record<string, unknown> }> };
  assert.equal(rep.steps.p!.outputs.changes, { add: 1, change: 0, destroy: 0 });
  assert.equal(rep.steps.p!.outputs.planned, ['terraform_data.host: Plan to create']);
  assert.is(rep.steps.o!.outputs.name, 'h1');
  assert.is(rep.steps.o!.outputs.host, '127.0.0.1');
  assert.is(rep.steps.o!.outputs.deployment, 'h1');
  assert.is(record(home, 'h1').status, 'applied');
});

test('a user template shadows the built-in one, and stored credentials reach terraform in its provider’s environment', async () => {
  const home = tmpDir('cloudya-tf-');
  const tpl = join(home, 'templates', 'terraform', 'aws', 'vpc');
  mkdirSync(tpl, { recursive: true });
  writeFileSync(join(tpl, 'manifest.yaml'), 'name: vpc\nprovider: aws\ndescription: A stand-in VPC that needs no provider\nparameters:\n  - { name: label, type: string, default: x }\n');
  writeFileSync(join(tpl, 'variables.tf'), 'variable "label" {\n  type    = string\n  default = "x"\n}\n');
  writeFileSync(join(tpl, 'main.tf'), 'resource "terraform_data" "env" {\n  provisioner "local-exec" {\n    command = "printf \'%s %s %s\' \\"$AWS_ACCESS_KEY_ID\\" \\"$AWS_REGION\\" \\"$${#AWS_SECRET_ACCESS_KEY}\\" > seen.txt"\n  }\n}\n');
  writeFileSync(join(home, 'credentials.yaml'), 'aws:\n  access_key_id: AKIATESTKEY123\n  secret_access_key: wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\n  region: eu-west-3\n', { mode: 0o600 });
  const list = await runCli(['deploy', 'list', '--output', 'json'], { home });
  const vpc = (JSON.parse(list.stdout) as { name: string; origin: string; description: string }[]).find((t) => t.name === 'aws/vpc')!;
  assert.is(vpc.origin, 'user');
  assert.is(vpc.description, 'A stand-in VPC that needs no provider');
  const r = await runCli(['deploy', 'template', 'aws/vpc', '--params', 'label=y'], { home });
  assert.is(r.code, 0, r.stderr);
  const [id] = deploymentIds(home) as [string];
  assert.is(readFileSync(join(deploymentDir(home, id), 'seen.txt'), 'utf8'), 'AKIATESTKEY123 eu-west-3 40');
  assert.not.match(r.stderr + r.stdout, /wJalrXUtnFEMI/);
});

test('the built-in templates folder is where the step looks (copied into the deployment)', async () => {
  const home = tmpDir('cloudya-tf-');
  const r = await runCli(['deploy', 'template', 'local/task', '--params', 'command=echo hi'], { home });
  assert.is(r.code, 0, r.stderr);
  const [id] = deploymentIds(home) as [string];
  for (const f of ['main.tf', 'variables.tf', 'outputs.tf', 'manifest.yaml']) {
    assert.is(readFileSync(join(deploymentDir(home, id), f), 'utf8'), readFileSync(join(ROOT, 'templates', 'terraform', 'local', 'task', f), 'utf8'));
  }
  assert.equal(JSON.parse(readFileSync(join(deploymentDir(home, id), 'terraform.tfvars.json'), 'utf8')), { command: 'echo hi', name: 'task', instances: 1, fail: false });
  void cpSync;
});

test('an apply that would destroy resources of an existing deployment asks first; a failed plan leaves it applied', async () => {
  const home = tmpDir('cloudya-tf-');
  const first = await runCli(['deploy', 'template', 'local/task', '--deployment', 'shrink', '--params', 'instances=3'], { home });
  assert.is(first.code, 0, first.stderr);
  const refused = await runCli(['deploy', 'template', 'local/task', '--deployment', 'shrink', '--params', 'instances=1'], { home });
  assert.is(refused.code, 1);
  assert.match(refused.stderr, /E_NOT_APPROVED apply to shrink would destroy 2 resource\(s\) and was not approved/);
  assert.is(record(home, 'shrink').status, 'applied');
  assert.is(record(home, 'shrink').outputs.instances, 3);
  const bad = await runCli(['deploy', 'template', 'local/task', '--deployment', 'shrink', '--params', 'instances=900'], { home });
  assert.is(bad.code, 1);
  assert.match(bad.stderr, /E_TERRAFORM_CONFIG terraform plan: Invalid value for variable/);
  assert.is(record(home, 'shrink').status, 'applied', 'a failed plan changes nothing, so the status stays');
  const yes = await runCli(['deploy', 'template', 'local/task', '--deployment', 'shrink', '--params', 'instances=1', '--yes'], { home });
  assert.is(yes.code, 0, yes.stderr);
  assert.match(yes.stdout, /^deployment shrink applied \(0 to add, 0 to change, 2 to destroy\)$/m);
  assert.is(record(home, 'shrink').outputs.instances, 1);
});

test.run();
