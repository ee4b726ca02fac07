// Loading policies: the shipped default against its schema, the override order
// (default < ~/.cloudya/policy.yaml < the workflow's file < inline), and broken
// policies reported as E_POLICY at file:line:col.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync, writeFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { load } from 'js-yaml';
import { ROOT, tmpDir, tmpFiles } from '../helpers.js';
import { loadPolicy, judgeCommands } from '../../steps/validate/judge.js';
import { DEFAULT_POLICY_FILE } from '../../steps/validate/policy-load.js';
import { policySchemaDocument, POLICY_SCHEMA_FILE } from '../../steps/validate/policy-schema.js';
import { CloudyaError } from '../../engine/errors.js';

const home = tmpDir('cloudya-home-');
process.env.CLOUDYA_HOME = home;
const userPolicy = join(home, 'policy.yaml');

async function verdict(command: string, opts: Parameters<typeof loadPolicy>[0] = {}): Promise<string> {
  const [j] = await judgeCommands([command], await loadPolicy(opts));
  return `${j!.verdict} ${j!.rule}`;
}

async function policyError(opts: Parameters<typeof loadPolicy>[0]): Promise<CloudyaError> {
  try {
    await loadPolicy(opts);
  } catch (err) {
    assert.instance(err, CloudyaError);
    assert.is((err as CloudyaError).code, 'E_POLICY');
    return err as CloudyaError;
  }
  assert.unreachable('the policy loaded');
  throw new Error('unreachable');
}

test.after.each(() => rmSync(userPolicy, { force: true }));

test('schemas/policy.schema.json is the schema the loader uses, and the default policy passes it', async () => {
  assert.equal(JSON.parse(readFileSync(POLICY_SCHEMA_FILE, 'utf8')), policySchemaDocument(), 'stale: run `node dist/steps/validate/policy-schema.js --write`');
  const mod = (await import('ajv/dist/2020.js')) as unknown as { default: new (o: object) => { compile(s: object): ((d: unknown) => boolean) & { errors?: unknown } } };
  const Ajv = (mod.default as unknown as { default?: typeof mod.default }).default ?? mod.default;
  const validate = new Ajv({ allErrors: true, allowUnionTypes: true, strict: false }).compile(policySchemaDocument());
  const ok = validate(load(readFileSync(DEFAULT_POLICY_FILE, 'utf8')));
  assert.ok(ok, JSON.stringify(validate.errors));
  assert.ok(readFileSync(DEFAULT_POLICY_FILE, 'utf8').includes('$schema=../../schemas/policy.schema.json'));
  assert.ok(DEFAULT_POLICY_FILE.startsWith(join(ROOT, 'steps', 'validate')));
});

test('every example of the shipped policy holds (checked in full here; at run time only changed rules are)', async () => {
  const policy = await loadPolicy({ skipUser: true, examples: 'all' });
  assert.ok(policy.rules.length > 50);
});

test('the user policy overrides the default: amend a rule by id, disable one, add one', async () => {
  assert.is(await verdict('terraform destroy -auto-approve'), 'ask terraform-destructive');
  writeFileSync(userPolicy, [
    'rules:',
    '  - { id: terraform-destructive, verdict: allow }',
    '  - { id: read-only-tools, enabled: false }',
    '  - { id: no-make, verdict: deny, reason: make runs arbitrary recipes, program: make }',
  ].join('\n'));
  assert.is(await verdict('terraform destroy -auto-approve'), 'allow terraform-destructive');
  assert.is(await verdict('ls -la'), 'ask default');
  assert.is(await verdict('make all'), 'deny no-make');
  assert.is(await verdict('rm -rf /'), 'deny recursive-delete-system');
});

test('the workflow policy (a file next to the workflow) overrides the user policy; inline overrides both', async () => {
  writeFileSync(userPolicy, 'rules:\n  - { id: no-make, verdict: deny, reason: no make here, program: make }\n');
  const dir = tmpFiles({ 'ci-policy.yaml': 'default: deny\nrules:\n  - { id: no-make, verdict: allow }\n' });
  assert.is(await verdict('make all', { workflowDir: dir, policy: 'ci-policy.yaml' }), 'allow no-make');
  assert.is(await verdict('unknown-tool --x', { workflowDir: dir, policy: 'ci-policy.yaml' }), 'deny default');
  assert.is(await verdict('make all', { policy: { rules: [{ id: 'no-make', verdict: 'ask', reason: 'inline' }] } }), 'ask no-make');
  assert.is(await verdict('make all'), 'deny no-make');
});

test('nothing a policy says makes an unknown command name, an unknown script or broken text allowed', async () => {
  const everything = { rules: [{ id: 'anything', verdict: 'allow', reason: 'allow all', program: ['*', '$dynamic'] }, { id: 'shells', verdict: 'allow', reason: 'x', script: ['dynamic', 'stdin'] }] };
  assert.is(await verdict('unknown-tool', { policy: everything }), 'allow anything');
  assert.is(await verdict('$CMD -rf /tmp/x', { policy: everything }), 'ask dynamic-command');
  assert.is(await verdict('sh -c "$SCRIPT"', { policy: everything }), 'ask dynamic-script');
  assert.is(await verdict('eval "$X"', { policy: everything }), 'ask dynamic-script');
  assert.is(await verdict('echo "unterminated', { policy: everything }), 'ask unparseable');
});

test('a broken YAML file is E_POLICY at its line and column', async () => {
  writeFileSync(userPolicy, 'rules:\n  - id: x\n    verdict: [allow\n');
  const e = await policyError({});
  assert.is(e.location?.file, userPolicy);
  assert.is(e.location?.line, 4);
  assert.match(e.message, /YAML/);
});

test('an unknown key points at the key, with a suggestion', async () => {
  writeFileSync(userPolicy, 'rules:\n  - id: x\n    verdict: deny\n    reason: r\n    programm: make\n');
  const e = await policyError({});
  assert.equal(e.location, { file: userPolicy, line: 5, col: 5 });
  assert.match(e.message, /unknown key 'programm'/);
  assert.match(e.hint ?? '', /did you mean 'program'/);
  assert.match(e.shortMessage, new RegExp(`^${userPolicy.replace(/[.]/g, '\\.')}:5:5: E_POLICY`));
});

test('a wrong value, an unknown @group, a bad regex, a missing reason: each at its place', async () => {
  writeFileSync(userPolicy, 'rules:\n  - { id: x, verdict: maybe, reason: r, program: make }\n');
  let e = await policyError({});
  assert.is(e.location?.line, 2);
  assert.match(e.message, /rules\[0\]\.verdict: must be equal to one of the allowed values: "allow", "ask", "deny"/);

  writeFileSync(userPolicy, 'rules:\n  - id: x\n    verdict: deny\n    reason: r\n    program: "@shellz"\n');
  e = await policyError({});
  assert.equal([e.location?.line, e.location?.col], [5, 14]);
  assert.match(e.message, /unknown group '@shellz'/);

  writeFileSync(userPolicy, 'rules:\n  - id: x\n    verdict: deny\n    reason: r\n    program: make\n    argMatches: "(unclosed"\n');
  e = await policyError({});
  assert.is(e.location?.line, 6);
  assert.match(e.message, /not a valid regular expression/);

  writeFileSync(userPolicy, 'rules:\n  - id: x\n    verdict: deny\n    program: make\n');
  e = await policyError({});
  assert.is(e.location?.line, 2);
  assert.match(e.message, /no reason/);
});

test('examples are checked when the policy loads: a rule that misses its example is an error at the example', async () => {
  writeFileSync(userPolicy, [
    'rules:',
    '  - id: no-make',
    '    verdict: deny',
    '    reason: r',
    '    program: make',
    '    examples:',
    '      match: ["make all", "gmake all"]',
  ].join('\n'));
  const e = await policyError({});
  assert.equal([e.location?.line, e.location?.col], [7, 27]);
  assert.match(e.message, /rule 'no-make' does not match its example `gmake all`/);
  writeFileSync(userPolicy, 'rules:\n  - id: no-make\n    verdict: deny\n    reason: r\n    program: make\n    examples: { notMatch: ["make"] }\n');
  assert.match((await policyError({})).message, /matches its example `make`/);
});

test('a missing workflow policy file and an inline policy with a bad rule are E_POLICY', async () => {
  const dir = tmpDir();
  let e = await policyError({ workflowDir: dir, policy: 'nope.yaml' });
  assert.match(e.message, /nope\.yaml: no such file/);
  e = await policyError({ policy: { rules: [{ id: 'x', verdict: 'deny', reason: 'r', paths: 1 }] } });
  assert.match(e.message, /^with\.policy rules\[0\]/);
});

test.run();
