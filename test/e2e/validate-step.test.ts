// The `validate` step through the real CLI: a denied command stops the run
// before anything executes, an allowed one runs, `--yes` approves an ask, every
// verdict reaches the audit log with secrets masked, and `cloudya audit` shows it.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCli, tmpDir, tmpFiles } from '../helpers.js';

const SECRET = 's3cr3t-token-9431';

function workflow(command: string, extra = ''): string {
  return `apiVersion: cloudya/v1
kind: Workflow
name: guarded
params:
  token: { type: string, secret: true, default: none }
steps:
  - id: check
    type: validate
    with:
      command: ${JSON.stringify(command)}${extra}
  - id: act
    type: sandbox
    needs: [check]
    with: { command: "touch marker", isolation: none }
`;
}

/** The validator's entries in the audit log (the sandbox adds `executed` entries of its own). */
function audit(home: string): Array<Record<string, unknown>> {
  const file = join(home, 'audit.log');
  return existsSync(file) ? readFileSync(file, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>).filter((e) => e.kind === 'judged') : [];
}

test('a denied command fails the run before the next step runs, and says why', async () => {
  const dir = tmpFiles({ 'wf.yaml': workflow('cd / && r""m -rf *') });
  const home = tmpDir();
  const r = await runCli(['run', join(dir, 'wf.yaml')], { home });
  assert.is(r.code, 1, r.stderr);
  assert.not.ok(existsSync(join(dir, 'marker')), 'the sandbox step ran');
  assert.match(r.stderr, /E_POLICY_DENIED the policy denies a command: `cd \/ && r""m -rf \*` — recursive-delete-system: recursive deletion of \/, ~, \.\. or a system directory/);
  assert.is(r.stdout, '');
  const [entry] = audit(home);
  assert.equal({ kind: entry!.kind, verdict: entry!.verdict, rule: entry!.rule, approved: entry!.approved, stepId: entry!.stepId }, { kind: 'judged', verdict: 'deny', rule: 'recursive-delete-system', approved: false, stepId: 'check' });
});

test('an allowed command passes and the next step runs', async () => {
  const dir = tmpFiles({ 'wf.yaml': workflow('rm -rf ./build && grep -r sudo docs/ > notes.txt') });
  const home = tmpDir();
  const r = await runCli(['run', join(dir, 'wf.yaml'), '--output', 'json'], { home });
  assert.is(r.code, 0, r.stderr);
  assert.ok(existsSync(join(dir, 'marker')));
  const out = JSON.parse(r.stdout) as { steps: Record<string, { outputs: { verdict: string; approved: boolean; commands: Array<{ rule: string }> } }> };
  assert.is(out.steps.check!.outputs.verdict, 'allow');
  assert.is(out.steps.check!.outputs.approved, true);
  assert.is(out.steps.check!.outputs.commands[0]!.rule, 'file-operations');
});

test('an ask needs approval: refused with no terminal, approved by --yes', async () => {
  const dir = tmpFiles({ 'wf.yaml': workflow('terraform destroy -auto-approve') });
  const home = tmpDir();
  let r = await runCli(['run', join(dir, 'wf.yaml')], { home });
  assert.is(r.code, 1);
  assert.match(r.stderr, /E_NOT_APPROVED a command needs approval: `terraform destroy -auto-approve` — terraform-destructive/);
  assert.not.ok(existsSync(join(dir, 'marker')));
  r = await runCli(['run', join(dir, 'wf.yaml'), '--yes'], { home });
  assert.is(r.code, 0, r.stderr);
  assert.ok(existsSync(join(dir, 'marker')));
  assert.equal(audit(home).map((e) => [e.verdict, e.approved]), [['ask', false], ['ask', true]]);
});

test('enforce: false reports the verdicts and never fails', async () => {
  const dir = tmpFiles({ 'wf.yaml': workflow('sudo rm -rf /', '\n      enforce: false') });
  const r = await runCli(['run', join(dir, 'wf.yaml'), '--output', 'json']);
  assert.is(r.code, 0, r.stderr);
  const out = JSON.parse(r.stdout) as { steps: Record<string, { outputs: { verdict: string; approved: boolean } }> };
  assert.equal(out.steps.check!.outputs, { ...out.steps.check!.outputs, verdict: 'deny', approved: false });
});

test('a workflow policy file next to the workflow applies', async () => {
  const dir = tmpFiles({
    'wf.yaml': workflow('terraform destroy -auto-approve', '\n      policy: policy.yaml'),
    'policy.yaml': 'rules:\n  - { id: terraform-destructive, verdict: allow }\n',
  });
  const r = await runCli(['run', join(dir, 'wf.yaml')]);
  assert.is(r.code, 0, r.stderr);
  assert.ok(existsSync(join(dir, 'marker')));
});

test('an inline policy with an unknown key is refused before anything runs', async () => {
  const dir = tmpFiles({ 'wf.yaml': workflow('ls', '\n      policy: { rules: [{ id: x, verdict: deny, reason: r, progam: ls }] }') });
  const r = await runCli(['validate', join(dir, 'wf.yaml')]);
  assert.is(r.code, 2);
  assert.match(r.stderr, /wf\.yaml:11:\d+: error E_WITH_INVALID unknown key .progam. in with\.policy\.rules\[0\]/);
  assert.match(r.stderr, /progam/);
});

test('the audit log masks secrets; cloudya audit shows entries as JSON and as a table', async () => {
  const dir = tmpFiles({ 'wf.yaml': workflow('curl -s -H "Authorization: Bearer {{params.token}}" http://127.0.0.1:9/health') });
  const home = tmpDir();
  const r = await runCli(['run', join(dir, 'wf.yaml'), '--param', `token=${SECRET}`], { home });
  assert.is(r.code, 0, r.stderr);
  const raw = readFileSync(join(home, 'audit.log'), 'utf8');
  assert.not.ok(raw.includes(SECRET), raw);
  assert.ok(raw.includes('Bearer ***'));
  const json = await runCli(['audit', '--output', 'json'], { home });
  assert.is(json.code, 0, json.stderr);
  assert.not.ok(json.stdout.includes(SECRET));
  const all = JSON.parse(json.stdout) as Array<{ kind: string; command: string; verdict: string; rule: string; runId: string }>;
  // One judged entry (the validator) and the sandbox's own executed entry.
  const entries = all.filter((e) => e.kind === 'judged');
  assert.is(entries.length, 1);
  assert.equal([entries[0]!.verdict, entries[0]!.rule], ['allow', 'http-clients']);
  assert.match(entries[0]!.command, /Bearer \*\*\*/);
  const text = await runCli(['audit'], { home });
  assert.match(text.stdout, /^TIME\s+RUN\s+STEP\s+RESULT\s+RULE \/ BACKEND\s+COMMAND\n/);
  assert.match(text.stdout, new RegExp(`${entries[0]!.runId}\\s+check\\s+allow\\s+http-clients\\s+curl -s`));
  const later = await runCli(['audit', '--since', '2999-01-01', '--output', 'json'], { home });
  assert.equal(JSON.parse(later.stdout), []);
  const bad = await runCli(['audit', '--since', 'yesterday'], { home });
  assert.is(bad.code, 2);
  assert.match(bad.stderr, /E_USAGE --since 'yesterday' is neither a duration nor a date/);
});

test.run();
