// `cloudya validate`: the built CLI on real files — exit codes, exact positions, clean output.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCli, tmpDir, FIXTURES } from '../helpers.js';

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
  assert.equal(JSON.parse(ok.stdout), { files: [{ file: rel('valid'), valid: true, problems: [] }], problems: 0 });
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
