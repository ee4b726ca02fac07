// `cloudya ask` without -e: the local planner with no model configured, the
// model's answer printed, --output json, --emit, and the knowledge base.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { runCli, tmpDir } from '../helpers.js';
import { startAiServer, answer, type AiServer } from './ai-server.js';
import { loadKnowledge, selectTopics } from '../../steps/ai/knowledge.js';
import { planLocally } from '../../steps/ai/planner.js';

process.env.CLOUDYA_HOME = tmpDir(); // in-process code reads user knowledge from here
const NONE = { OPENAI_BASE_URL: '', OPENAI_API_KEY: '', CLOUDYA_AI_MODEL: '' };
let server: AiServer;
test.before(async () => {
  server = await startAiServer();
});
test.after(async () => {
  await server.close();
});

test('no key, no base URL: "create a secure s3 bucket" gives the vetted recipe; nothing runs', async () => {
  const home = tmpDir();
  const r = await runCli(['ask', 'create a secure s3 bucket'], { home, env: NONE });
  assert.is(r.code, 0, r.stderr);
  for (const part of ['aws s3api create-bucket', 'put-public-access-block', 'BlockPublicAcls=true', 'put-bucket-encryption', 'aws:kms', 'put-bucket-versioning', 'aws:SecureTransport']) {
    assert.ok(r.stdout.includes(part), `missing ${part}:\n${r.stdout}`);
  }
  assert.match(r.stdout, /Commands \(nothing was run\)/);
  assert.match(r.stdout, /Risks:/);
  assert.match(r.stderr, /local planner \(vetted recipe aws-s3-secure-bucket\)/);
  assert.not.ok(existsSync(join(home, 'runs')), 'ask ran something');
});

test('no key: an unknown request says plainly that a model must be configured, and how (exit 2)', async () => {
  const r = await runCli(['ask', 'something unknown'], { home: tmpDir(), env: NONE });
  assert.is(r.code, 2);
  assert.is(r.stdout, '');
  assert.match(r.stderr, /error E_AI_NOT_CONFIGURED no AI model is configured/);
  assert.match(r.stderr, /OPENAI_API_KEY/);
  assert.match(r.stderr, /OPENAI_BASE_URL/);
  assert.match(r.stderr, /Ollama/);
  assert.match(r.stderr, /config\.json/);
});

test('no key: a request to delete or list never gets a recipe that builds something', async () => {
  for (const q of ['delete my s3 bucket', 'list my s3 buckets']) {
    const r = await runCli(['ask', q], { home: tmpDir(), env: NONE });
    assert.is(r.code, 2, `${q}: ${r.stdout}`);
    assert.match(r.stderr, /E_AI_NOT_CONFIGURED/);
  }
});

test('the planner maps the common requests to their recipes, with safe names and regions from the request', async () => {
  const kb = await loadKnowledge();
  const cases: [string, string][] = [
    ['create a secure s3 bucket', 'aws-s3-secure-bucket'],
    ['Create a VPC with public and private subnets', 'aws-vpc-subnets'],
    ['Create a Kubernetes cluster on AWS', 'aws-eks-cluster'],
    ['I need an EKS cluster', 'aws-eks-cluster'],
    ['create a GKE cluster', 'gke-cluster'],
    ['kubernetes cluster on google cloud', 'gke-cluster'],
    ['set up a terraform s3 backend', 'terraform-s3-backend'],
    ['remote state for terraform', 'terraform-s3-backend'],
    ['harden my Dockerfile', 'docker-hardening'],
    ['set up autoscaling for my pods', 'k8s-autoscaling'],
    ['deploy nginx on kubernetes', 'k8s-deploy-app'],
  ];
  for (const [q, id] of cases) assert.is(planLocally(kb, q)?.recipe, id, q);
  assert.is(planLocally(kb, 'write me a poem'), undefined);
  const named = planLocally(kb, 'create a secure s3 bucket named team-logs in us-west-2')!;
  assert.ok(named.steps[0]!.command.includes('--bucket team-logs --region us-west-2'), named.steps[0]!.command);
  const evil = planLocally(kb, 'create a secure s3 bucket named x;rm -rf ~')!;
  assert.ok(evil.steps.every((s) => !s.command.includes('rm -rf')), 'request text reached a command');
  assert.ok(evil.steps[0]!.command.includes('cloudya-example-bucket'));
});

test('knowledge: topics are selected by the words of the request', async () => {
  const kb = await loadKnowledge();
  assert.equal(kb.map((t) => t.topic).sort(), ['aws', 'docker', 'kubernetes', 'terraform']);
  assert.equal(selectTopics(kb, 'scale my kubectl deployment').map((t) => t.topic), ['kubernetes']);
  assert.equal(selectTopics(kb, 'terraform state in an s3 bucket').map((t) => t.topic).sort(), ['aws', 'terraform']);
  assert.equal(selectTopics(kb, 'hello'), []);
  assert.equal(selectTopics(kb, 'hello', ['docker']).map((t) => t.topic), ['docker']);
});

test('with a model: explanation, commands and risks printed; --output json for scripts; usage in the ledger', async () => {
  server.reply({ answer: answer(['kubectl autoscale deployment web --cpu-percent=70 --min=2 --max=10'], { explanation: 'Adds an HPA to web.', risks: ['more pods cost more'] }) });
  const home = tmpDir();
  const env = { OPENAI_BASE_URL: server.baseUrl, OPENAI_API_KEY: 'sk-x', CLOUDYA_AI_MODEL: 'test-model' };
  const r = await runCli(['ask', 'autoscale', 'my', 'web', 'deployment'], { home, env });
  assert.is(r.code, 0, r.stderr);
  assert.match(r.stdout, /Adds an HPA to web\./);
  assert.match(r.stdout, /1\. kubectl autoscale deployment web --cpu-percent=70/);
  assert.match(r.stdout, /more pods cost more/);
  assert.match(r.stderr, /answered by test-model: 160 tokens/);
  assert.is(server.requests.at(-1)!.body.messages[1].content, 'autoscale my web deployment');

  server.reply({ answer: answer(['docker ps']) });
  const j = await runCli(['ask', 'list my containers', '--output', 'json'], { home, env });
  assert.is(j.code, 0, j.stderr);
  const doc = JSON.parse(j.stdout);
  assert.equal(doc.commands, ['docker ps']);
  assert.is(doc.source, 'model');
  assert.equal(doc.usage, { prompt_tokens: 120, completion_tokens: 40, total_tokens: 160 });
  const ledger = readFileSync(join(home, 'usage.ndjson'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
  assert.equal(ledger.map((e) => e.source), ['ask', 'ask']);
});

test('ask --emit prints the ai → validate → sandbox workflow with the request filled in', async () => {
  const r = await runCli(['ask', '--emit', 'create a secure s3 bucket'], { home: tmpDir(), env: NONE });
  assert.is(r.code, 0, r.stderr);
  const doc = parse(r.stdout);
  assert.is(doc.apiVersion, 'cloudya/v1');
  assert.equal(doc.steps.map((s: { type: string }) => s.type), ['ai', 'validate', 'sandbox']);
  assert.is(doc.params.request.default, 'create a secure s3 bucket');
  assert.equal(doc.steps[1].with, { commands: '{{steps.ai.outputs.commands}}' });
  assert.equal(doc.steps[2].needs, ['validate']);
  assert.match(doc.steps[2].with.script, /#each steps\.ai\.outputs\.commands/);
  assert.is(doc.steps[2].with.isolation, undefined, 'the sandbox must keep its default (kernel) isolation');
});

test('bad input: no request, an unknown topic, a bad --since', async () => {
  const a = await runCli(['ask'], { home: tmpDir(), env: NONE });
  assert.is(a.code, 2);
  assert.match(a.stderr, /E_USAGE say what you want to do/);
  const b = await runCli(['ask', '--topics', 'kubernets', 'scale pods'], { home: tmpDir(), env: NONE });
  assert.is(b.code, 2);
  assert.match(b.stderr, /unknown topic 'kubernets'[\s\S]*did you mean 'kubernetes'/);
  const c = await runCli(['usage', '--since', 'yesterday'], { home: tmpDir() });
  assert.is(c.code, 2);
  assert.match(c.stderr, /E_USAGE --since 'yesterday'/);
});

test.run();
