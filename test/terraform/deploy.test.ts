// deploy template / list-deployments / show / destroy with real terraform, offline (local/host).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCli, tmpDir } from '../helpers.js';
import { deploymentDir, deploymentIds, record, stateResources } from './tf-helpers.js';

const home = tmpDir('cloudya-deploy-');
let id = '';

test('deploy template local/host applies, shows progress and records the deployment with outputs', async () => {
  const r = await runCli(['deploy', 'template', 'local/host', '--params', 'name=web1,ssh_port=2222'], { home });
  assert.is(r.code, 0, r.stderr);
  // Live progress from terraform's -json events, on stderr.
  assert.match(r.stderr, /terraform plan \(local-host-/);
  assert.match(r.stderr, /Plan: 1 to add, 0 to change, 0 to destroy\./);
  assert.match(r.stderr, /terraform_data\.host: Creating\.\.\. \[0\/1\]/);
  assert.match(r.stderr, /terraform_data\.host: Creation complete after \d+s \[id=[0-9a-f-]+\] \[1\/1\]/);
  assert.match(r.stderr, /Apply complete! Resources: 1 added, 0 changed, 0 destroyed\./);
  [id] = deploymentIds(home) as [string];
  assert.match(id, /^local-host-[0-9a-f]{6}$/);
  assert.match(r.stdout, new RegExp(`^deployment ${id} applied \\(1 to add, 0 to change, 0 to destroy\\)$`, 'm'));
  assert.match(r.stdout, /^ {2}host = 127\.0\.0\.1$/m);
  const rec = record(home, id);
  assert.is(rec.status, 'applied');
  assert.is(rec.template, 'local/host');
  assert.is(rec.provider, 'local');
  assert.equal(rec.params, { name: 'web1', ssh_port: 2222, ssh_user: 'root', admin_password: '***' });
  assert.is(rec.outputs.host, '127.0.0.1');
  assert.is(rec.outputs.connection, 'local');
  assert.is(rec.outputs.ssh_user, 'root');
  assert.is(rec.outputs.ssh_port, 2222);
  assert.equal(stateResources(home, id), ['terraform_data.host']);
  // The local-exec provisioner really ran.
  const hostFile = JSON.parse(readFileSync(join(deploymentDir(home, id), 'host.json'), 'utf8')) as Record<string, unknown>;
  assert.is(hostFile.name, 'web1');
  assert.is(hostFile.ssh_port, 2222);
  // The run is an ordinary run: the generated workflow went through the engine.
  const runs = await runCli(['runs', '--output', 'json'], { home });
  const list = JSON.parse(runs.stdout) as { name: string; status: string }[];
  assert.equal(list.map((x) => [x.name, x.status]), [['deploy-local-host', 'succeeded']]);
  assert.is(rec.runId, (list[0] as unknown as { runId: string }).runId);
});

test('deploy list-deployments shows it, in text and JSON', async () => {
  const text = await runCli(['deploy', 'list-deployments'], { home });
  assert.is(text.code, 0, text.stderr);
  const lines = text.stdout.trim().split('\n');
  assert.match(lines[0]!, /^ID\s+TEMPLATE\s+STATUS\s+CREATED\s+OUTPUTS$/);
  assert.match(lines[1]!, new RegExp(`^${id}\\s+local/host\\s+applied\\s+\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d\\s+.*host=127\\.0\\.0\\.1`));
  const json = await runCli(['deploy', 'list-deployments', '--output', 'json'], { home });
  const list = JSON.parse(json.stdout) as { id: string; status: string; outputs: Record<string, unknown> }[];
  assert.equal(list.map((d) => [d.id, d.status, d.outputs.host]), [[id, 'applied', '127.0.0.1']]);
});

test('deploy show ID (or a unique prefix) shows params, outputs and resources', async () => {
  const r = await runCli(['deploy', 'show', id.slice(0, 12)], { home });
  assert.is(r.code, 0, r.stderr);
  assert.match(r.stdout, new RegExp(`^${id}  local/host  applied$`, 'm'));
  assert.match(r.stdout, /^ {4}ssh_port\s+2222$/m);
  assert.match(r.stdout, /^resources:\n {2}terraform_data\.host$/m);
  const j = JSON.parse((await runCli(['deploy', 'show', id, '--output', 'json'], { home })).stdout) as { resources: string[]; dir: string };
  assert.equal(j.resources, ['terraform_data.host']);
  assert.is(j.dir, deploymentDir(home, id));
  const missing = await runCli(['deploy', 'show', 'nope'], { home });
  assert.is(missing.code, 2);
  assert.is(missing.stdout, '');
  assert.match(missing.stderr, /^error E_DEPLOYMENT_NOT_FOUND no deployment nope\n/);
});

test('applying the same deployment again changes nothing and keeps it', async () => {
  const r = await runCli(['deploy', 'template', 'local/host', '--deployment', id, '--params', 'name=web1,ssh_port=2222', '--output', 'json'], { home });
  assert.is(r.code, 0, r.stderr);
  const report = JSON.parse(r.stdout) as { status: string; steps: Record<string, { outputs: { changes: unknown; deployment: string } }> };
  assert.is(report.status, 'succeeded');
  assert.equal(report.steps.deploy!.outputs.changes, { add: 0, change: 0, destroy: 0 });
  assert.is(report.steps.deploy!.outputs.deployment, id);
  assert.equal(deploymentIds(home), [id]);
});

test('deploy destroy without --yes and nobody to ask refuses before running anything', async () => {
  const r = await runCli(['deploy', 'destroy', id], { home });
  assert.is(r.code, 2);
  assert.match(r.stderr, /^error E_USAGE destroying local-host-\w+ needs confirmation\n {2}hint: add --yes/);
  assert.equal(stateResources(home, id), ['terraform_data.host']);
});

test('deploy destroy ID --yes destroys it: state empty, host file gone, status destroyed', async () => {
  const r = await runCli(['deploy', 'destroy', id, '--yes'], { home });
  assert.is(r.code, 0, r.stderr);
  assert.match(r.stderr, /terraform_data\.host: Destruction complete/);
  assert.match(r.stdout, new RegExp(`^deployment ${id} destroyed \\(0 to add, 0 to change, 1 to destroy\\)$`, 'm'));
  assert.equal(stateResources(home, id), []);
  const state = JSON.parse(readFileSync(join(deploymentDir(home, id), 'terraform.tfstate'), 'utf8')) as { resources: unknown[] };
  assert.equal(state.resources, []);
  assert.not.ok(existsSync(join(deploymentDir(home, id), 'host.json')), 'the destroy-time provisioner removed the host file');
  assert.not.ok(existsSync(join(deploymentDir(home, id), '.terraform')), 'providers are cleaned after destroy');
  const rec = record(home, id);
  assert.is(rec.status, 'destroyed');
  assert.equal(rec.outputs, {});
  const list = await runCli(['deploy', 'list-deployments'], { home });
  assert.match(list.stdout, new RegExp(`^${id}\\s+local/host\\s+destroyed`, 'm'));
});

test('deploy template --plan plans only: nothing is created', async () => {
  const h = tmpDir('cloudya-plan-');
  const r = await runCli(['deploy', 'template', 'local/task', '--params', 'instances=3', '--plan'], { home: h });
  assert.is(r.code, 0, r.stderr);
  const [pid] = deploymentIds(h) as [string];
  assert.match(r.stdout, new RegExp(`^deployment ${pid} planned \\(4 to add, 0 to change, 0 to destroy\\)$`, 'm'));
  assert.match(r.stdout, /^ {2}terraform_data\.run\[2\]: Plan to create$/m);
  assert.is(record(h, pid).status, 'planned');
  assert.equal(stateResources(h, pid), []);
  assert.not.ok(existsSync(join(deploymentDir(h, pid), 'cloudya.tfplan')), 'the plan file (it holds every variable) is removed');
});

test('deploy list shows every template with its parameters (text and JSON)', async () => {
  const r = await runCli(['deploy', 'list'], { home: tmpDir() });
  assert.is(r.code, 0, r.stderr);
  for (const t of ['aws/ec2', 'aws/vpc', 'azure/vm', 'gcp/vm', 'local/host', 'local/task']) assert.match(r.stdout, new RegExp(`^${t}  `, 'm'));
  assert.match(r.stdout, /^\s+ssh_public_key\s+string\s+required\s+The OpenSSH public key/m);
  assert.match(r.stdout, /^\s+admin_password\s+string\s+default "", secret/m);
  const j = JSON.parse((await runCli(['deploy', 'list', '--output', 'json'], { home: tmpDir() })).stdout) as { name: string; provider: string; description: string; parameters: { name: string }[] }[];
  const bare = await runCli(['deploy'], { home: tmpDir() });
  assert.is(bare.code, 0, bare.stderr);
  assert.match(bare.stdout, /^cloudya deploy destroy ID/m);
  const vpc = j.find((t) => t.name === 'aws/vpc')!;
  assert.is(vpc.provider, 'aws');
  assert.ok(vpc.parameters.some((p) => p.name === 'vpc_cidr'));
});

test.run();
