// `cloudya validate`: the built CLI on real files — exit codes, exact positions, clean output.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCli, tmpDir, tmpFiles, FIXTURES } from '../helpers.js';

const rel = (name: string) => `test/fixtures/validate/${name}.yaml`;

const failing: [string, string, string][] = [
  ['yaml-error', '8:3', 'E_YAML flow map in block collection must be sufficiently indented and end with a }'],
  ['unknown-top-key', '4:1', "E_SCHEMA unknown key 'stesp' at the top level"],
  ['unknown-with-key', '9:7', "E_WITH_INVALID unknown key 'comand' in with: of step 'a'"],
  ['wrong-type', '7:14', 'E_SCHEMA steps[0].timeout must be a string or number, got boolean'],
  ['cycle', '7:13', 'E_CYCLE steps depend on each other in a cycle: a → c → b → a'],
  ['unknown-type', '6:11', "E_UNKNOWN_STEP_TYPE unknown step type 'sandbx' in step 'a'"],
  ['unknown-needs', '10:13', "E_UNKNOWN_NEEDS step 'deploy' needs 'biuld', but there is no such step"],
  ['non-ancestor-ref', '15:24', "E_UNKNOWN_REF step 'c' reads steps.b.outputs but 'b' is not among its needs"],
  ['unknown-param', '10:24', "E_UNKNOWN_REF unknown param 'regon' in {{params.regon}}"],
];

for (const [name, where, first] of failing) {
  test(`${name}: exit 2, ${where}, no stack, empty stdout`, async () => {
    const r = await runCli(['validate', rel(name)]);
    assert.is(r.code, 2, r.stderr);
    assert.is(r.stdout, '');
    const lines = r.stderr.split('\n');
    assert.is(lines[0], `${rel(name)}:${where}: error ${first}`);
    assert.ok(!/^\s+at /m.test(r.stderr), r.stderr);
    assert.match(r.stderr, /1 workflow checked, 1 problem\n$/);
  });
}

test('hints are printed under the problem', async () => {
  const r = await runCli(['validate', rel('unknown-type')]);
  assert.match(r.stderr, /\n  hint: did you mean 'sandbox'\? known types: .*sandbox/);
  const needs = await runCli(['validate', rel('unknown-needs')]);
  assert.match(needs.stderr, /\n  hint: did you mean 'build'\?\n/);
});

test('a valid workflow: exit 0, ok on stdout', async () => {
  const r = await runCli(['validate', rel('valid')]);
  assert.is(r.code, 0, r.stderr);
  assert.is(r.stdout, `ok ${rel('valid')}\n`);
  assert.is(r.stderr, '1 workflow checked, 0 problems\n');
});

function tree(): string {
  const dir = tmpDir();
  mkdirSync(join(dir, 'sub'));
  mkdirSync(join(dir, '.git'));
  copyFileSync(join(FIXTURES, 'validate', 'valid.yaml'), join(dir, 'good.yaml'));
  copyFileSync(join(FIXTURES, 'validate', 'unknown-needs.yaml'), join(dir, 'sub', 'bad.yml'));
  writeFileSync(join(dir, 'ci.yaml'), 'on: push\njobs: {}\n'); // not a workflow: skipped in a folder
  writeFileSync(join(dir, '.git', 'x.yaml'), 'apiVersion: cloudya/v1\n'); // dot folders are skipped
  writeFileSync(join(dir, 'notes.txt'), 'apiVersion: cloudya/v1\n');
  return dir;
}

test('a folder with one good and one bad workflow: exit 2, each reported', async () => {
  const dir = tree();
  const r = await runCli(['validate', '.'], { cwd: dir });
  assert.is(r.code, 2, r.stderr);
  assert.is(r.stdout, 'ok good.yaml\n');
  assert.is(r.stderr.split('\n')[0], "sub/bad.yml:10:13: error E_UNKNOWN_NEEDS step 'deploy' needs 'biuld', but there is no such step");
  assert.match(r.stderr, /2 workflows checked, 1 problem\n$/);
});

test('a non-workflow YAML file given explicitly is still checked', async () => {
  const dir = tree();
  const r = await runCli(['validate', 'ci.yaml'], { cwd: dir });
  assert.is(r.code, 2);
  assert.match(r.stderr, /^ci\.yaml:1:1: error E_SCHEMA this is not a cloudya workflow/);
});

test('--format github prints workflow commands on stdout', async () => {
  const dir = tree();
  const r = await runCli(['validate', '.', '--format', 'github'], { cwd: dir });
  assert.is(r.code, 2);
  assert.is(r.stdout, "::error file=sub/bad.yml,line=10,col=13,title=E_UNKNOWN_NEEDS::step 'deploy' needs 'biuld', but there is no such step (did you mean 'build'?)\n");
});

test('--format json gives every file and problem', async () => {
  const dir = tree();
  const r = await runCli(['validate', '.', '--format', 'json'], { cwd: dir });
  assert.is(r.code, 2);
  const out = JSON.parse(r.stdout) as { files: { file: string; valid: boolean; problems: { code: string; line: number; col: number; path: string }[] }[]; problems: number };
  assert.is(out.problems, 1);
  assert.equal(out.files.map((f) => [f.file, f.valid]), [['good.yaml', true], ['sub/bad.yml', false]]);
  const p = out.files[1]!.problems[0]!;
  assert.equal([p.code, p.line, p.col, p.path], ['E_UNKNOWN_NEEDS', 10, 13, 'steps[1].needs[0]']);
  const ok = await runCli(['validate', rel('valid'), '--format', 'json']);
  assert.is(ok.code, 0);
  assert.equal(JSON.parse(ok.stdout), { files: [{ file: rel('valid'), valid: true, problems: [] }], problems: 0, skipped: [] });
});

// A GitOps folder: workflow attempts with a misspelt or missing apiVersion must not slip through.
function gitops(): string {
  const step = 'steps:\n  - { id: a, type: sandbox, with: { command: echo } }\n';
  return tmpFiles({
    'good.yaml': `apiVersion: cloudya/v1\nkind: Workflow\nname: good\n${step}`,
    'typo.yaml': `apiversion: cloudya/v1\nkind: Workflow\nname: typo\n${step}`,
    'noapi.yaml': `kind: Workflow\nname: noapi\n${step}`,
    'stepsonly.yml': `name: bare\n${step}`,
    'broken.yaml': `kind: Workflow\nname: broken\nsteps:\n  - { id: a, type: sandbox\n`,
    'v2.yaml': `apiVersion: cloudya/v2\nkind: Workflow\nname: v2\n${step}`,
    // Clearly something else: skipped, but listed.
    'ci.yaml': 'name: ci\non: push\njobs: {}\n',
    'k8s/deploy.yaml': 'apiVersion: apps/v1\nkind: Deployment\nmetadata: { name: web }\n',
    'cloudbuild.yaml': "steps:\n  - name: gcr.io/cloud-builders/docker\n    args: ['build', '.']\n",
    'list.yaml': '- a\n- b\n',
  });
}

test('a folder: every workflow attempt is checked, whatever its apiVersion looks like; other YAML is skipped and listed', async () => {
  const dir = gitops();
  const r = await runCli(['validate', '.'], { cwd: dir });
  assert.is(r.code, 2, r.stderr);
  assert.is(r.stdout, 'ok good.yaml\n');
  const errors = r.stderr.split('\n').filter((l) => /: error /.test(l));
  assert.equal(errors, [
    'broken.yaml:5:1: error E_YAML flow map in block collection must be sufficiently indented and end with a }',
    "noapi.yaml:1:1: error E_SCHEMA the workflow is missing required key 'apiVersion'",
    "stepsonly.yml:1:1: error E_SCHEMA the workflow is missing required key 'apiVersion'",
    "stepsonly.yml:1:1: error E_SCHEMA the workflow is missing required key 'kind'",
    "typo.yaml:1:1: error E_SCHEMA unknown key 'apiversion' at the top level",
    "v2.yaml:1:13: error E_SCHEMA apiVersion must be 'cloudya/v1', got 'cloudya/v2'",
  ]);
  assert.match(r.stderr, /\nskipped 4 non-cloudya YAML files:\n  ci\.yaml \(it has jobs:, like a GitHub Actions workflow\)\n  cloudbuild\.yaml \(.*\)\n  k8s\/deploy\.yaml \(apiVersion is 'apps\/v1'\)\n  list\.yaml \(not a mapping \(a list\)\)\n6 workflows checked, 6 problems\n$/);
  const json = await runCli(['validate', '.', '--format', 'json'], { cwd: dir });
  const out = JSON.parse(json.stdout) as { files: { file: string; valid: boolean }[]; skipped: { file: string; reason: string }[] };
  assert.equal(out.files.map((f) => [f.file, f.valid]), [['broken.yaml', false], ['good.yaml', true], ['noapi.yaml', false], ['stepsonly.yml', false], ['typo.yaml', false], ['v2.yaml', false]]);
  assert.equal(out.skipped.map((s) => s.file), ['ci.yaml', 'cloudbuild.yaml', 'k8s/deploy.yaml', 'list.yaml']);
  const gh = await runCli(['validate', '.', '--format', 'github'], { cwd: dir });
  assert.match(gh.stderr, /^skipped 4 non-cloudya YAML files:\n/);
});

test('several paths: files and folders are all checked, each file once', async () => {
  const dir = gitops();
  const two = await runCli(['validate', 'good.yaml', 'typo.yaml'], { cwd: dir });
  assert.is(two.code, 2, two.stderr);
  assert.is(two.stdout, 'ok good.yaml\n');
  assert.match(two.stderr, /^typo\.yaml:1:1: error E_SCHEMA unknown key 'apiversion'/);
  assert.match(two.stderr, /2 workflows checked, 1 problem\n$/);
  const okBoth = await runCli(['validate', rel('valid'), join(dir, 'good.yaml')]);
  assert.is(okBoth.code, 0, okBoth.stderr);
  assert.is(okBoth.stdout, `ok ${rel('valid')}\nok ${join(dir, 'good.yaml')}\n`);
  const mixed = await runCli(['validate', 'k8s', 'good.yaml', '.', '--format', 'json'], { cwd: dir });
  const out = JSON.parse(mixed.stdout) as { files: { file: string }[]; skipped: { file: string }[] };
  assert.equal(out.files.map((f) => f.file), ['good.yaml', 'broken.yaml', 'noapi.yaml', 'stepsonly.yml', 'typo.yaml', 'v2.yaml']);
  assert.equal(out.skipped.map((s) => s.file), ['k8s/deploy.yaml', 'ci.yaml', 'cloudbuild.yaml', 'list.yaml']);
});

test('a missing path is reported in every format, the others are still checked, exit 2', async () => {
  const json = await runCli(['validate', 'nope.yaml', rel('valid'), '--format', 'json']);
  assert.is(json.code, 2);
  const out = JSON.parse(json.stdout) as { files: { file: string; valid: boolean; problems: { code: string; message: string; hint?: string }[] }[]; problems: number };
  assert.equal(out.files.map((f) => [f.file, f.valid]), [['nope.yaml', false], [rel('valid'), true]]);
  assert.is(out.files[0]!.problems[0]!.code, 'E_FILE_NOT_FOUND');
  assert.is(out.files[0]!.problems[0]!.message, 'no such file or folder: nope.yaml');
  assert.match(out.files[0]!.problems[0]!.hint!, /relative to the current folder/);
  assert.is(out.problems, 1);
  const gh = await runCli(['validate', 'nope.yaml', '--format', 'github']);
  assert.is(gh.code, 2);
  assert.match(gh.stdout, /^::error file=nope\.yaml,title=E_FILE_NOT_FOUND::no such file or folder: nope\.yaml \(check the path/);
  const text = await runCli(['validate', 'nope.yaml', rel('valid')]);
  assert.is(text.code, 2);
  assert.is(text.stdout, `ok ${rel('valid')}\n`);
  assert.match(text.stderr, /^error E_FILE_NOT_FOUND no such file or folder: nope\.yaml\n  hint: check the path for typos; it is relative to the current folder, /);
  assert.match(text.stderr, /1 workflow checked, 1 problem\n$/);
});

test('a timeout no timer can hold is a validation error', async () => {
  const dir = tmpFiles({ 'd.yaml': 'apiVersion: cloudya/v1\nkind: Workflow\nname: d\nsteps:\n  - id: a\n    type: sandbox\n    timeout: 99999h\n    with: { command: "exit 1" }\n' });
  const r = await runCli(['validate', 'd.yaml'], { cwd: dir });
  assert.is(r.code, 2);
  assert.match(r.stderr, /^d\.yaml:7:14: error E_SCHEMA steps\[0\]\.timeout must be between 1ms and 24d, got '99999h'\n/);
});

test('usage errors: unknown format, missing path', async () => {
  const bad = await runCli(['validate', rel('valid'), '--format', 'xml']);
  assert.is(bad.code, 2);
  assert.is(bad.stdout, '');
  assert.match(bad.stderr, /E_USAGE unknown --format 'xml'/);
  const missing = await runCli(['validate', 'no/such/file.yaml']);
  assert.is(missing.code, 2);
  assert.match(missing.stderr, /E_FILE_NOT_FOUND/);
  assert.ok(!/^\s+at /m.test(missing.stderr));
});

test.run();
