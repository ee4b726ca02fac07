// deploy's bad input: each a one-line error (plus a hint line), exit 2, empty
// stdout, and nothing created on disk.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { runCli, tmpDir } from '../helpers.js';

async function refused(args: string[], message: RegExp, hint?: RegExp) {
  const home = join(tmpDir('cloudya-bad-'), 'home');
  const r = await runCli(args, { home });
  assert.is(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
  assert.is(r.stdout, '');
  const lines = r.stderr.trimEnd().split('\n');
  assert.ok(lines.length <= 2, `one error line and at most one hint:\n${r.stderr}`);
  assert.match(lines[0]!, message);
  if (hint) assert.match(lines[1] ?? '', hint);
  assert.not.ok(existsSync(home) && readdirSync(home).length > 0, `nothing is created: ${existsSync(home) ? readdirSync(home).join(', ') : ''}`);
}

test('unknown template, with a suggestion', () =>
  refused(['deploy', 'template', 'aws/vcp'], /^error E_TEMPLATE_NOT_FOUND no terraform template 'aws\/vcp'$/, /^ {2}hint: did you mean 'aws\/vpc'\?/));

test('a bare template name points at provider/name', () =>
  refused(['deploy', 'template', 'vpc'], /^error E_TEMPLATE_NOT_FOUND no terraform template 'vpc' \(names look like provider\/name, e\.g\. aws\/vpc\)$/, /did you mean 'aws\/vpc'\?/));

test('an unknown template with nothing close lists the known ones', () =>
  refused(['deploy', 'template', 'zzz/qqqqqq'], /^error E_TEMPLATE_NOT_FOUND/, /^ {2}hint: known templates: aws\/ec2, aws\/vpc, azure\/vm, gcp\/vm, local\/host, local\/task$/));

test('missing required parameter', () =>
  refused(['deploy', 'template', 'aws/ec2', '--params', 'region=eu-west-1'], /^error E_PARAM aws\/ec2: missing required parameter 'ssh_public_key' \(The OpenSSH public key/, /^ {2}hint: give it: --params ssh_public_key=…$/));

test('unknown parameter, with did-you-mean', () =>
  refused(['deploy', 'template', 'aws/vpc', '--params', 'regoin=eu-west-3'], /^error E_PARAM aws\/vpc: unknown parameter 'regoin'$/, /^ {2}hint: did you mean 'region'\?$/));

test('several problems are reported together, on one line', () =>
  refused(['deploy', 'template', 'aws/vpc', '--params', 'regoin=x,az_count=two,nat_gateway=all'], /^error E_PARAM aws\/vpc: unknown parameter 'regoin'; parameter 'az_count' must be an integer, got "two"; parameter 'nat_gateway' must be one of "none", "single", "per_az", got "all"$/));

test('malformed --params strings', async () => {
  await refused(['deploy', 'template', 'aws/vpc', '--params', 'region'], /^error E_USAGE malformed --params 'region': 'region' has no '='$/, /^ {2}hint: write --params name=value,name=value/);
  await refused(['deploy', 'template', 'aws/vpc', '--params', 'region=a,,b=c'], /^error E_USAGE malformed --params .*: an empty item/);
  await refused(['deploy', 'template', 'aws/vpc', '--params', 'region=a,'], /^error E_USAGE malformed --params .*: an empty item/);
  await refused(['deploy', 'template', 'aws/vpc', '--params', 'tags={"a":"b"'], /^error E_USAGE malformed --params .*: a \[ or \{ is not closed$/);
  await refused(['deploy', 'template', 'aws/vpc', '--params', 'name="abc'], /^error E_USAGE malformed --params .*: a quote is not closed$/);
  await refused(['deploy', 'template', 'aws/vpc', '--params', '=x'], /^error E_USAGE malformed --params '=x': '' is not a parameter name$/);
  await refused(['deploy', 'template', 'aws/vpc', '--params', 'region=a,region=b'], /^error E_USAGE malformed --params .*: 'region' is given twice$/);
  await refused(['deploy', 'template', 'aws/vpc', '--params'], /^error E_USAGE --params expects name=value,name=value$/);
});

test('values of the wrong type', async () => {
  await refused(['deploy', 'template', 'aws/vpc', '--params', 'tags=[1,2]'], /^error E_PARAM aws\/vpc: parameter 'tags' must be an object, got "\[1,2\]"$/);
  await refused(['deploy', 'template', 'local/task', '--params', 'fail=maybe'], /^error E_PARAM local\/task: parameter 'fail' must be a boolean, got "maybe"$/);
  await refused(['deploy', 'template', 'local/task', '--params', 'instances=1.5'], /parameter 'instances' must be an integer, got "1\.5"/);
});

test('a secret value is never echoed in a type error', async () => {
  const home = tmpDir();
  const r = await runCli(['deploy', 'template', 'local/host', '--params', 'admin_password=x,ssh_port=zz'], { home });
  assert.is(r.code, 2);
  assert.match(r.stderr, /ssh_port/);
});

test('deploy destroy of an unknown deployment; show of an unknown one', async () => {
  await refused(['deploy', 'destroy', 'nope'], /^error E_DEPLOYMENT_NOT_FOUND no deployment nope$/, /list-deployments/);
  await refused(['deploy', 'show', 'nope'], /^error E_DEPLOYMENT_NOT_FOUND no deployment nope$/);
});

test('--output with an unknown format', () => refused(['deploy', 'list', '--output', 'yaml'], /^error E_USAGE unknown --output 'yaml'$/));

test('good values pass: quoted commas, JSON lists and maps (emit only)', async () => {
  const r = await runCli(['deploy', 'template', 'aws/ec2', '--emit', '--params', 'ssh_public_key="ssh-ed25519 AAAAC3Nza x@y",open_ports=[80,8080],name=web']);
  assert.is(r.code, 0, r.stderr);
  assert.match(r.stdout, /default: ssh-ed25519 AAAAC3Nza x@y/);
  assert.match(r.stdout, /open_ports:\n(?: {4}.*\n)*? {4}default:\n {6}- 80\n {6}- 8080\n/);
});

test.run();
