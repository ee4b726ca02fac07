// A secret template variable goes to terraform as TF_VAR_* only: it never
// lands in terraform.tfvars.json, the run's state.json or events, the
// deployment record, stdout or stderr — yet terraform does receive it.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCli, tmpDir, tmpFiles } from '../helpers.js';
import { deploymentDir, deploymentIds, filesContaining, record, stateResources, allFiles } from './tf-helpers.js';

const SECRET = 'Sup3r-s3cret-pw-4711';

test('deploy template local/host with a secret parameter, then destroy', async () => {
  const home = tmpDir('cloudya-secret-');
  const r = await runCli(['deploy', 'template', 'local/host', '--params', `name=s1,admin_password=${SECRET}`], { home });
  assert.is(r.code, 0, r.stderr);
  const [id] = deploymentIds(home) as [string];
  // Terraform received it: the host file holds its SHA-256.
  const hostFile = JSON.parse(readFileSync(join(deploymentDir(home, id), 'host.json'), 'utf8')) as { admin_password_sha256: string };
  assert.is(hostFile.admin_password_sha256, createHash('sha256').update(SECRET).digest('hex'));
  assert.is(record(home, id).params.admin_password, '***');
  const tfvars = JSON.parse(readFileSync(join(deploymentDir(home, id), 'terraform.tfvars.json'), 'utf8')) as Record<string, unknown>;
  assert.not.ok('admin_password' in tfvars);
  assert.ok(allFiles(home).some((f) => f.endsWith('state.json')) && allFiles(home).some((f) => f.endsWith('events.ndjson')), 'control: the files checked exist');
  assert.equal(filesContaining(home, SECRET), [], 'no file under CLOUDYA_HOME holds the secret');
  assert.not.ok((r.stdout + r.stderr).includes(SECRET));

  const json = await runCli(['deploy', 'template', 'local/host', '--deployment', id, '--params', `name=s1,admin_password=${SECRET}`, '--output', 'ndjson'], { home });
  assert.is(json.code, 0, json.stderr);
  assert.not.ok((json.stdout + json.stderr).includes(SECRET));

  const d = await runCli(['deploy', 'destroy', id, '--yes', '--output', 'json'], { home });
  assert.is(d.code, 0, d.stderr);
  assert.equal(stateResources(home, id), []);
  assert.equal(filesContaining(home, SECRET), []);
});

test('a workflow secret param passed to a variable the template does not mark secret is still kept out of tfvars (ctx.mask)', async () => {
  const home = tmpDir('cloudya-secret-');
  const dir = tmpFiles({
    'wf.yaml': `apiVersion: cloudya/v1
kind: Workflow
name: own-config
params:
  token: { type: string, secret: true, required: true }
steps:
  - id: tf
    type: terraform
    with: { source: tf, vars: { token: "{{params.token}}", label: plain } }
`,
    'tf/main.tf': `variable "token" {
  type      = string
  sensitive = true
}

variable "label" {
  type = string
}

resource "terraform_data" "t" {
  input = var.label
  provisioner "local-exec" {
    command     = "printf '%s' \\"$T\\" | sha256sum | cut -c1-64 > token.sha"
    environment = { T = var.token }
  }
}

output "label" {
  value = var.label
}
`,
  });
  const r = await runCli(['run', join(dir, 'wf.yaml'), '--param', `token=${SECRET}`, '--output', 'json'], { home });
  assert.is(r.code, 0, r.stderr);
  const out = JSON.parse(r.stdout) as { steps: { tf: { outputs: { deployment: string; label: string } } } };
  const id = out.steps.tf.outputs.deployment;
  assert.is(out.steps.tf.outputs.label, 'plain');
  assert.is(readFileSync(join(deploymentDir(home, id), 'token.sha'), 'utf8').trim(), createHash('sha256').update(SECRET).digest('hex'));
  assert.equal(JSON.parse(readFileSync(join(deploymentDir(home, id), 'terraform.tfvars.json'), 'utf8')), { label: 'plain' });
  assert.equal(filesContaining(home, SECRET), []);
  assert.not.ok((r.stdout + r.stderr).includes(SECRET));
  assert.is(record(home, id).params.token, '***');
});

test.run();
