// `ask -e` and `chat -e` end to end: ai → validate → sandbox through the real
// engine, the validator's verdicts, bwrap, and the audit log. NEEDS the
// `validate` step and the bwrap sandbox (the safe-execution work): these tests
// fail in a tree without them and pass once it is merged.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCli, tmpDir } from '../helpers.js';
import { startAiServer, answer, type AiServer } from './ai-server.js';

let server: AiServer;
test.before(async () => {
  server = await startAiServer();
});
test.after(async () => {
  await server.close();
});
test.before.each(() => server.reset());

const env = () => ({ OPENAI_BASE_URL: server.baseUrl, OPENAI_API_KEY: 'sk-exec-test', CLOUDYA_AI_MODEL: 'exec-model' });
const audit = (home: string) => (existsSync(join(home, 'audit.log')) ? readFileSync(join(home, 'audit.log'), 'utf8').trim().split('\n').map((l) => JSON.parse(l)) : []);

test('ask -e: an answer with a denied command stops before anything runs; the audit log says why', async () => {
  const marker = join(tmpDir(), 'ran');
  server.reply({ answer: answer([`touch ${marker}`, 'sudo rm -rf /']) });
  const home = tmpDir();
  const r = await runCli(['ask', '-e', '--yes', 'clean up the machine'], { home, env: env() });
  assert.is(r.code, 1, r.stderr);
  assert.match(r.stderr, /E_POLICY_DENIED/);
  assert.match(r.stderr, /sudo/);
  assert.not.ok(existsSync(marker), 'a command ran although the answer held a denied one');
  const lines = audit(home);
  assert.ok(lines.some((l) => l.kind === 'judged' && l.verdict === 'deny' && l.command === 'sudo rm -rf /'), JSON.stringify(lines));
  assert.not.ok(lines.some((l) => l.kind === 'executed'), 'the audit log records an execution');
});

test('ask -e: allowed commands run in the bwrap sandbox and their output is shown; the audit log has both', async () => {
  server.reply({ answer: answer(['echo hello-from-the-sandbox', 'uname -s']) });
  const home = tmpDir();
  const r = await runCli(['ask', '-e', '--yes', 'say hello'], { home, env: env() });
  assert.is(r.code, 0, r.stderr);
  assert.match(r.stdout, /hello-from-the-sandbox/);
  assert.match(r.stdout, /Linux/);
  assert.match(r.stdout, /sandbox output \(bwrap\)/);
  const lines = audit(home);
  assert.ok(lines.some((l) => l.kind === 'judged' && l.verdict === 'allow' && l.command === 'echo hello-from-the-sandbox'), JSON.stringify(lines));
  assert.ok(lines.some((l) => l.kind === 'executed' && l.backend === 'bwrap'), JSON.stringify(lines));

  server.reply({ answer: answer(['echo json-run']) });
  const j = await runCli(['ask', '-e', '--yes', 'say hello', '--output', 'json'], { home, env: env() });
  assert.is(j.code, 0, j.stderr);
  const rep = JSON.parse(j.stdout);
  assert.is(rep.steps.run.outputs.backend, 'bwrap');
  assert.match(rep.steps.run.outputs.stdout, /json-run/);
  assert.equal(rep.steps.validate.outputs.commands.map((c: { verdict: string }) => c.verdict), ['allow']);
});

test('ask (no -e) prints the validator’s verdict for each command', async () => {
  server.reply({ answer: answer(['ls -la', 'sudo rm -rf /']) });
  const r = await runCli(['ask', 'tidy up'], { home: tmpDir(), env: env() });
  assert.is(r.code, 0, r.stderr);
  assert.match(r.stdout, /1\. ls -la[\s\S]*verdict: allow/);
  assert.match(r.stdout, /2\. sudo rm -rf \/[\s\S]*verdict: deny/);
  assert.match(r.stdout, /Verdict: deny/);
  const j = await (server.reply({ answer: answer(['ls -la']) }), runCli(['ask', 'list', '--output', 'json'], { home: tmpDir(), env: env() }));
  assert.is(JSON.parse(j.stdout).steps[0].verdict, 'allow');
});

test('chat --no-graphics -e: the commands of an answer run in the sandbox after a yes', async () => {
  server.reply({ stream: ['Run this:\n\n```bash\necho chat-exec-ok\n```\n'] });
  const home = tmpDir();
  const r = await runCli(['chat', '--no-graphics', '-e'], { home, env: env(), input: 'say hi\ny\nq\n' });
  assert.is(r.code, 0, r.stderr);
  assert.match(r.stdout, /1\. echo chat-exec-ok/);
  assert.match(r.stdout, /│ chat-exec-ok/);
  assert.match(r.stdout, /ran in the sandbox \(bwrap\): exit 0/);
  assert.ok(audit(home).some((l) => l.kind === 'executed'));
});

test.run();
