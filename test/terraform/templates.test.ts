// Every shipped template: terraform fmt -check passes, the manifest matches
// variables.tf both ways (HCL parsed with @cdktf/hcl2json) and the manifest
// schema; `deploy template aws/vpc --emit` is a valid workflow that
// `cloudya validate` accepts and `cloudya plan` shows.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT, runCli, tmpDir } from '../helpers.js';

const root = join(ROOT, 'templates', 'terraform');
const templates = readdirSync(root).flatMap((p) => readdirSync(join(root, p)).map((n) => `${p}/${n}`)).sort();

test('the shipped templates are the ones the issue asks for', () => {
  for (const t of ['aws/vpc', 'aws/ec2', 'gcp/vm', 'azure/vm', 'local/host', 'local/task']) assert.ok(templates.includes(t), `${t} is missing`);
});

test('every template has manifest.yaml, main.tf, variables.tf, outputs.tf and README.md', () => {
  for (const t of templates) for (const f of ['manifest.yaml', 'main.tf', 'variables.tf', 'outputs.tf', 'README.md']) assert.ok(existsSync(join(root, t, f)), `${t}/${f}`);
});

test('every template passes terraform fmt -check', () => {
  for (const t of templates) {
    const r = spawnSync('terraform', ['fmt', '-check', '-diff', '.'], { cwd: join(root, t), encoding: 'utf8' });
    assert.is(r.status, 0, `${t} is not formatted:\n${r.stdout}`);
  }
});

test('terraform fmt -check would catch a badly formatted file (control)', () => {
  const dir = tmpDir();
  writeFileSync(join(dir, 'main.tf'), 'variable "x" {\ntype = string\n}\n');
  assert.is.not(spawnSync('terraform', ['fmt', '-check', dir]).status, 0);
});

test('every manifest validates against schemas/template-manifest.schema.json and names its folder', async () => {
  const { load } = await import('js-yaml');
  const { Ajv2020 } = await import('ajv/dist/2020.js');
  const ajv = new Ajv2020({ allErrors: true, strict: false });
  const validate = ajv.compile(JSON.parse(readFileSync(join(ROOT, 'schemas', 'template-manifest.schema.json'), 'utf8')) as object);
  for (const t of templates) {
    const m = load(readFileSync(join(root, t, 'manifest.yaml'), 'utf8')) as { name: string; provider: string };
    assert.ok(validate(m), `${t}: ${JSON.stringify(validate.errors)}`);
    assert.is(`${m.provider}/${m.name}`, t);
  }
  assert.not.ok(validate({ name: 'x', provider: 'y', description: 'z', parameters: [{ name: 'a', typ: 'string' }] }), 'control: an unknown key is rejected');
});

const TF_TYPES: Record<string, RegExp> = {
  string: /^\$\{string\}$/,
  number: /^\$\{number\}$/,
  integer: /^\$\{number\}$/,
  boolean: /^\$\{bool\}$/,
  array: /^\$\{(list|set|tuple)\(/,
  object: /^\$\{(map|object)\(/,
};

test('every manifest parameter is a variable in variables.tf and back, with the same type, default and sensitivity', async () => {
  const { parse } = await import('@cdktf/hcl2json');
  const { load } = await import('js-yaml');
  for (const t of templates) {
    const hcl = (await parse('variables.tf', readFileSync(join(root, t, 'variables.tf'), 'utf8'))) as { variable?: Record<string, [{ type?: string; default?: unknown; sensitive?: boolean }]> };
    const vars = hcl.variable ?? {};
    const params = (load(readFileSync(join(root, t, 'manifest.yaml'), 'utf8')) as { parameters: { name: string; type?: string; default?: unknown; required?: boolean; secret?: boolean }[] }).parameters;
    assert.equal(params.map((p) => p.name).sort(), Object.keys(vars).sort(), `${t}: manifest parameters vs variables.tf`);
    for (const p of params) {
      const v = vars[p.name]![0];
      assert.match(v.type ?? '', TF_TYPES[p.type ?? 'string']!, `${t}: ${p.name} is ${p.type ?? 'string'} in the manifest, ${v.type} in variables.tf`);
      assert.is(p.required === true, !('default' in v), `${t}: ${p.name} required ⇔ no default`);
      if ('default' in v) assert.equal(p.default, v.default, `${t}: default of ${p.name}`);
      assert.is(p.secret === true, v.sensitive === true, `${t}: ${p.name} secret ⇔ sensitive`);
    }
    // Other .tf files declare no variables of their own.
    for (const f of ['main.tf', 'outputs.tf']) {
      const other = (await parse(f, readFileSync(join(root, t, f), 'utf8'))) as { variable?: object };
      assert.is(other.variable, undefined, `${t}/${f} declares variables`);
    }
  }
});

test('cloud templates pin their provider and terraform versions', async () => {
  const { parse } = await import('@cdktf/hcl2json');
  for (const t of templates.filter((x) => !x.startsWith('local/'))) {
    const main = (await parse('main.tf', readFileSync(join(root, t, 'main.tf'), 'utf8'))) as { terraform: [{ required_version: string; required_providers: [Record<string, { source: string; version: string }>] }] };
    const tf = main.terraform[0];
    assert.match(tf.required_version, />= 1\.5/);
    const providers = Object.values(tf.required_providers[0]);
    assert.ok(providers.length > 0, t);
    for (const p of providers) assert.match(p.version, /^~> \d+\.\d+$/, `${t}: ${p.source} ${p.version}`);
  }
});

test('deploy template aws/vpc --emit prints a workflow that validate accepts and plan shows; nothing is created', async () => {
  const home = tmpDir('cloudya-emit-');
  const r = await runCli(['deploy', 'template', 'aws/vpc', '--params', 'region=eu-west-3,vpc_cidr=10.0.0.0/16', '--emit'], { home });
  assert.is(r.code, 0, r.stderr);
  assert.match(r.stdout, /^# Generated by `cloudya deploy template aws\/vpc`/);
  assert.match(r.stdout, /^ {6}template: aws\/vpc$/m);
  assert.match(r.stdout, /^ {6}deployment: aws-vpc-[0-9a-f]{6}$/m);
  assert.match(r.stdout, /^ {4}default: 10\.0\.0\.0\/16$/m);
  assert.equal(readdirSync(home), [], 'emit creates nothing');
  const file = join(tmpDir(), 'vpc.yaml');
  writeFileSync(file, r.stdout);
  const v = await runCli(['validate', file], { home });
  assert.is(v.code, 0, v.stderr);
  assert.match(v.stdout, /^ok /);
  const p = await runCli(['plan', file], { home });
  assert.is(p.code, 0, p.stderr);
  assert.match(p.stdout, /deploy-aws-vpc: 1 steps/);
  assert.match(p.stdout, /▸ deploy\s+terraform · rollback: terraform's own/);
  const pj = await runCli(['plan', file, '--output', 'json', '--param', 'az_count=3'], { home });
  assert.is(pj.code, 0, pj.stderr);
});

test('a secret template parameter becomes a secret workflow param without a default', async () => {
  const r = await runCli(['deploy', 'template', 'local/host', '--params', 'admin_password=p4ss-in-emit', '--emit']);
  assert.is(r.code, 0, r.stderr);
  assert.not.match(r.stdout, /p4ss-in-emit/);
  assert.match(r.stdout, /admin_password:\n(?: {4}.*\n)*? {4}secret: true\n {4}required: true\n/);
});

test.run();
