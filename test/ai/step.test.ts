// The `ai` step with the real `openai` client against a local server that
// speaks the Chat Completions API: structured answers, re-asking, retries
// through the engine, clear non-retried errors, usage in outputs and ledger.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync, readdirSync, statSync, writeFileSync, mkdirSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { runCli, tmpDir, tmpFiles } from '../helpers.js';
import { startAiServer, answer, type AiServer } from './ai-server.js';

const KEY = 'sk-test-SECRETKEY-0123456789';
let server: AiServer;

test.before(async () => {
  server = await startAiServer();
});
test.after(async () => {
  await server.close();
});
test.before.each(() => {
  server.requests.length = 0;
  server.fallback = { status: 500, message: 'no reply scripted' };
});

function workflow(withBlock: string, retry = ''): string {
  return tmpFiles({
    'wf.yaml': `apiVersion: cloudya/v1\nkind: Workflow\nname: ai-test\nsteps:\n  - id: ask\n    type: ai\n${retry}    with: ${withBlock}\n`,
  });
}

const env = (extra: Record<string, string> = {}) => ({ OPENAI_BASE_URL: server.baseUrl, OPENAI_API_KEY: KEY, CLOUDYA_AI_MODEL: 'test-model', ...extra });

async function run(dir: string, home: string, e: Record<string, string> = env()) {
  const r = await runCli(['run', join(dir, 'wf.yaml'), '--output', 'json'], { home, env: e });
  let report: any;
  try {
    report = JSON.parse(r.stdout);
  } catch {
    throw new Error(`no JSON report (exit ${r.code}): ${r.stdout}\n${r.stderr}`);
  }
  return { ...r, report };
}

function allFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).flatMap((f) => (statSync(join(dir, f)).isDirectory() ? allFiles(join(dir, f)) : [join(dir, f)]));
}

test('structured answer: outputs, json_schema request, knowledge sent, usage in outputs, ledger and `cloudya usage`', async () => {
  server.reply({ answer: answer(['kubectl get pods -A', 'kubectl top pods'], { risks: ['none'], prerequisites: ['kubectl'] }) });
  const home = tmpDir();
  const r = await run(workflow('{ prompt: "show the pods of my kubernetes cluster" }'), home);
  assert.is(r.code, 0, r.stderr);
  const out = r.report.steps.ask.outputs;
  assert.equal(out.commands, ['kubectl get pods -A', 'kubectl top pods']);
  assert.equal(out.steps[0], { command: 'kubectl get pods -A', explanation: 'runs kubectl' });
  assert.equal(out.prerequisites, ['kubectl']);
  assert.equal(out.usage, { prompt_tokens: 120, completion_tokens: 40, total_tokens: 160 });
  assert.is(out.model, 'test-model');
  assert.is(out.source, 'model');
  assert.ok(out.topics.includes('kubernetes'));

  assert.is(server.requests.length, 1);
  const req = server.requests[0]!;
  assert.is(req.body.model, 'test-model');
  assert.is(req.body.response_format.type, 'json_schema');
  assert.equal(req.body.response_format.json_schema.schema.required, ['explanation', 'steps', 'risks', 'prerequisites']);
  assert.is(req.headers.authorization, `Bearer ${KEY}`);
  const system = req.body.messages[0];
  assert.is(system.role, 'system');
  assert.match(system.content, /Kubernetes best practices/);
  assert.not.match(system.content, /Docker best practices/);
  assert.equal(req.body.messages[1], { role: 'user', content: 'show the pods of my kubernetes cluster' });

  const ledger = readFileSync(join(home, 'usage.ndjson'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
  assert.is(ledger.length, 1);
  assert.is(ledger[0].model, 'test-model');
  assert.is(ledger[0].total_tokens, 160);
  assert.is(ledger[0].source, 'step');
  assert.is(ledger[0].runId, r.report.runId);

  const u = await runCli(['usage', '--output', 'json'], { home });
  assert.is(u.code, 0, u.stderr);
  const sum = JSON.parse(u.stdout);
  assert.equal(sum.total, { prompt_tokens: 120, completion_tokens: 40, total_tokens: 160, requests: 1 });
  assert.is(sum.rows[0].model, 'test-model');
  assert.is(sum.rows[0].day, new Date().toISOString().slice(0, 10));
  const text = await runCli(['usage'], { home });
  assert.match(text.stdout, /test-model\s+1\s+120\s+40\s+160/);
  const future = await runCli(['usage', '--since', '2999-01-01', '--output', 'json'], { home });
  assert.is(JSON.parse(future.stdout).total.total_tokens, 0);
});

test('a malformed answer is re-asked once with what was wrong; usage of both calls counts', async () => {
  server.reply({ content: 'Sure! Here you go: run kubectl get pods' }, { answer: answer(['kubectl get pods']) });
  const home = tmpDir();
  const r = await run(workflow('{ prompt: "list pods" }'), home);
  assert.is(r.code, 0, r.stderr);
  assert.equal(r.report.steps.ask.outputs.commands, ['kubectl get pods']);
  assert.equal(r.report.steps.ask.outputs.usage, { prompt_tokens: 240, completion_tokens: 80, total_tokens: 320 });
  assert.is(server.requests.length, 2);
  const again = server.requests[1]!.body.messages;
  assert.equal(again.at(-2), { role: 'assistant', content: 'Sure! Here you go: run kubectl get pods' });
  assert.match(again.at(-1).content, /does not match the required schema: the answer is not JSON/);
});

test('an answer that fails the schema twice is E_AI_BAD_ANSWER, not retried by the engine', async () => {
  server.reply({ answer: { explanation: 'x', steps: [{ command: 'ls' }], risks: [], prerequisites: [] } }, { answer: { explanation: 'x' } });
  const r = await run(workflow('{ prompt: "list files" }', '    retry: { attempts: 3, delay: 0 }\n'), tmpDir());
  assert.is(r.code, 1);
  assert.is(r.report.steps.ask.error.code, 'E_AI_BAD_ANSWER');
  assert.is(r.report.steps.ask.attempts, 1);
  assert.is(server.requests.length, 2);
  assert.match(server.requests[1]!.body.messages.at(-1).content, /\/steps\/0 must have required property 'explanation'/);
});

test('429 is E_AI_TRANSIENT and retried by the engine’s retry: (the client itself does not retry)', async () => {
  server.reply({ status: 429, message: 'Rate limit reached' }, { answer: answer(['docker ps']) });
  const r = await run(workflow('{ prompt: "list containers" }', '    retry: { attempts: 3, delay: 0 }\n'), tmpDir());
  assert.is(r.code, 0, r.stderr);
  assert.is(r.report.steps.ask.attempts, 2);
  assert.is(server.requests.length, 2);
  assert.equal(r.report.steps.ask.outputs.commands, ['docker ps']);
});

test('without retry: a 503 fails once with E_AI_TRANSIENT (retryable)', async () => {
  server.reply({ status: 503, message: 'overloaded' });
  const r = await run(workflow('{ prompt: "x" }'), tmpDir());
  assert.is(r.code, 1);
  assert.is(r.report.steps.ask.error.code, 'E_AI_TRANSIENT');
  assert.match(r.report.steps.ask.error.hint, /retry:/);
  assert.is(server.requests.length, 1);
});

test('a timeout is E_AI_TRANSIENT and retried', async () => {
  server.reply({ answer: answer(['ls']), delayMs: 20_000 }, { answer: answer(['ls -l']) });
  const r = await run(workflow('{ prompt: "list files" }', '    retry: { attempts: 2, delay: 0 }\n'), tmpDir(), env({ CLOUDYA_AI_TIMEOUT_MS: '3000' }));
  assert.is(r.code, 0, r.stderr);
  assert.is(r.report.steps.ask.attempts, 2);
  assert.equal(r.report.steps.ask.outputs.commands, ['ls -l']);
});

test('401 is E_AI_AUTH: clear, never retried, and the key appears nowhere', async () => {
  server.reply({ status: 401, message: `Incorrect API key provided: ${KEY}. You can find your API key at https://platform.openai.com/account/api-keys.` });
  const home = tmpDir();
  const r = await run(workflow('{ prompt: "list files" }', '    retry: { attempts: 3, delay: 0 }\n'), home);
  assert.is(r.code, 1);
  const err = r.report.steps.ask.error;
  assert.is(err.code, 'E_AI_AUTH');
  assert.match(err.hint, /OPENAI_API_KEY/);
  assert.match(err.message, /refused the API key \(401\)/);
  assert.is(r.report.steps.ask.attempts, 1);
  assert.is(server.requests.length, 1);
  server.reply({ status: 401, message: `Incorrect API key provided: ${KEY}` });
  const text = await runCli(['run', join(workflow('{ prompt: "again" }'), 'wf.yaml')], { home, env: env() });
  assert.match(text.stderr, /E_AI_AUTH/);
  assert.not.ok(r.stdout.includes(KEY) || r.stderr.includes(KEY) || text.stdout.includes(KEY) || text.stderr.includes(KEY), 'the key was printed');
  for (const f of allFiles(home)) assert.not.ok(readFileSync(f, 'utf8').includes(KEY), `the key is in ${f}`);
});

test('404 (unknown model) is E_AI_MODEL with a hint, not retried', async () => {
  server.reply({ status: 404, message: 'The model `nope` does not exist' });
  const r = await run(workflow('{ prompt: "x", model: nope }', '    retry: { attempts: 3, delay: 0 }\n'), tmpDir());
  assert.is(r.code, 1);
  assert.is(r.report.steps.ask.error.code, 'E_AI_MODEL');
  assert.match(r.report.steps.ask.error.message, /does not know the model 'nope'/);
  assert.match(r.report.steps.ask.error.hint, /CLOUDYA_AI_MODEL/);
  assert.is(r.report.steps.ask.attempts, 1);
  assert.is(server.requests.length, 1);
  assert.is(server.requests[0]!.body.model, 'nope');
});

test('a server that rejects response_format gets the schema in the prompt (JSON in a fence is accepted)', async () => {
  server.reply({ status: 400, message: "response_format 'json_schema' is not supported by this model" }, { content: '```json\n' + JSON.stringify(answer(['terraform plan'])) + '\n```' });
  const r = await run(workflow('{ prompt: "plan my terraform" }'), tmpDir());
  assert.is(r.code, 0, r.stderr);
  assert.equal(r.report.steps.ask.outputs.commands, ['terraform plan']);
  assert.is(server.requests.length, 2);
  assert.is(server.requests[1]!.body.response_format, undefined);
  assert.match(server.requests[1]!.body.messages[0].content, /matching this JSON Schema/);
});

test('settings precedence: with: > environment > config.json; the key is never a with: field', async () => {
  const home = tmpDir();
  writeFileSync(join(home, 'config.json'), JSON.stringify({ ai: { model: 'from-config', base_url: server.baseUrl, api_key: 'sk-config-key-000' } }));
  server.fallback = { answer: answer(['true']) };
  await run(workflow('{ prompt: "x" }'), home, { OPENAI_BASE_URL: '', OPENAI_API_KEY: '', CLOUDYA_AI_MODEL: '' });
  assert.is(server.requests.at(-1)!.body.model, 'from-config');
  assert.is(server.requests.at(-1)!.headers.authorization, 'Bearer sk-config-key-000');
  await run(workflow('{ prompt: "x" }'), home, { OPENAI_BASE_URL: '', OPENAI_API_KEY: KEY, CLOUDYA_AI_MODEL: 'from-env' });
  assert.is(server.requests.at(-1)!.body.model, 'from-env');
  assert.is(server.requests.at(-1)!.headers.authorization, `Bearer ${KEY}`);
  await run(workflow('{ prompt: "x", model: from-with }'), home, { OPENAI_BASE_URL: '', OPENAI_API_KEY: '', CLOUDYA_AI_MODEL: 'from-env' });
  assert.is(server.requests.at(-1)!.body.model, 'from-with');
  const bad = await runCli(['run', join(workflow('{ prompt: "x", apiKey: sk-inline }'), 'wf.yaml')], { home });
  assert.is(bad.code, 2);
  assert.match(bad.stderr, /E_WITH_INVALID unknown key 'apiKey'/);
});

test('no key and no base URL: the step answers from the local planner, or fails E_AI_NOT_CONFIGURED', async () => {
  const none = { OPENAI_BASE_URL: '', OPENAI_API_KEY: '', CLOUDYA_AI_MODEL: '' };
  const home = tmpDir();
  const ok = await run(workflow('{ prompt: "create a secure s3 bucket" }'), home, none);
  assert.is(ok.code, 0, ok.stderr);
  const out = ok.report.steps.ask.outputs;
  assert.is(out.source, 'local-planner');
  assert.is(out.recipe, 'aws-s3-secure-bucket');
  assert.ok(out.commands.some((c: string) => c.startsWith('aws s3api put-public-access-block')));
  assert.equal(out.usage, { prompt_tokens: 0, completion_tokens: 0, total_tokens: 0 });
  assert.not.ok(existsSync(join(home, 'usage.ndjson')), 'the planner spent no tokens');
  const no = await run(workflow('{ prompt: "write me a poem" }'), tmpDir(), none);
  assert.is(no.code, 1);
  assert.is(no.report.steps.ask.error.code, 'E_AI_NOT_CONFIGURED');
  assert.match(no.report.steps.ask.error.hint, /OPENAI_API_KEY/);
  assert.is(server.requests.length, 0);
});

test.run();
