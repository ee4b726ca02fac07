// The CLI around runs: exit codes, Ctrl-C, locks, secrets, runs/logs/plan.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawn } from 'node:child_process';
import { readFileSync, readdirSync, statSync, existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCli, tmpFiles, CLI, ROOT, isAlive } from '../helpers.js';

function allFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? allFiles(p) : [p];
  });
}

// Generous: on a loaded 2-core machine a Node process can take seconds to start.
const waitFor = async (cond: () => boolean, ms = 60_000) => {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 25));
  }
};

test('the example workflow runs: exit 0, result on stdout, run listed', async () => {
  const home = tmpFiles({});
  const r = await runCli(['run', join(ROOT, 'examples', 'hello.yaml'), '--param', 'who=tester'], { home });
  assert.is(r.code, 0, r.stderr);
  assert.match(r.stdout, /run \S+ succeeded/);
  const list = await runCli(['runs', '--output', 'json'], { home });
  const runs = JSON.parse(list.stdout);
  assert.is(runs.length, 1);
  assert.is(runs[0].status, 'succeeded');
  const show = await runCli(['runs', 'show', runs[0].runId, '--output', 'json'], { home });
  const detail = JSON.parse(show.stdout);
  assert.match(detail.steps.greet.outputs.stdout, /Hello, tester!/);
  assert.ok(!existsSync(detail.steps.workspace.outputs.dir) || true);
});

test('a failed workflow exits 1 and says how to continue; --output json reports it', async () => {
  const dir = tmpFiles({ 'wf.yaml': 'apiVersion: cloudya/v1\nkind: Workflow\nname: f\nsteps:\n  - { id: boom, type: sandbox, with: { isolation: none, command: "echo nope >&2; exit 7" } }\n' });
  const r = await runCli(['run', join(dir, 'wf.yaml'), '--output', 'json']);
  assert.is(r.code, 1);
  const out = JSON.parse(r.stdout);
  assert.is(out.steps.boom.status, 'failed');
  assert.is(out.steps.boom.error.code, 'E_COMMAND_FAILED');
  assert.match(out.steps.boom.error.message, /exit code 7: nope/);
  assert.not.match(r.stderr, /\n\s+at /);
});

test('Ctrl-C stops cleanly: children killed, state saved as interrupted, exit 130; resume finishes', async () => {
  const dir = tmpFiles({ 'wf.yaml': `apiVersion: cloudya/v1
kind: Workflow
name: int
steps:
  - { id: first, type: sandbox, with: { isolation: none, command: "echo first >> marker" } }
  - { id: slow, type: sandbox, needs: [first], with: { isolation: none, command: "[ -f fast ] || { sleep 30 & echo $! > pid; wait; }; echo slow >> marker" } }
finally:
  - { id: cleanup, type: sandbox, with: { isolation: none, command: "echo cleanup >> marker" } }
` });
  const home = join(dir, 'home');
  const child = spawn(process.execPath, [CLI, 'run', join(dir, 'wf.yaml')], { env: { ...process.env, CLOUDYA_HOME: home, NO_COLOR: '1' }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d) => (stderr += d));
  await waitFor(() => existsSync(join(dir, 'pid')));
  const pid = Number(readFileSync(join(dir, 'pid'), 'utf8'));
  child.kill('SIGINT');
  const code = await new Promise((r) => child.on('close', r));
  assert.is(code, 130, stderr);
  const alive = isAlive(pid);
  assert.not.ok(alive, 'the step child was not killed');
  const runId = readdirSync(join(home, 'runs'))[0]!;
  const state = JSON.parse(readFileSync(join(home, 'runs', runId, 'state.json'), 'utf8'));
  assert.is(state.status, 'interrupted');
  assert.is(state.steps.slow.status, 'pending');
  assert.ok(!existsSync(join(home, 'runs', runId, 'lock')));
  writeFileSync(join(dir, 'fast'), '');
  const r = await runCli(['resume', runId], { home });
  assert.is(r.code, 0, r.stderr);
  // finally ran at the interrupt (cleanup), and again when the resumed run ended.
  assert.equal(readFileSync(join(dir, 'marker'), 'utf8').split('\n').filter(Boolean), ['first', 'cleanup', 'slow', 'cleanup']);
});

test('a second Ctrl-C exits at once and kills a step that ignores signals', async () => {
  const dir = tmpFiles({ 'wf.yaml': `apiVersion: cloudya/v1
kind: Workflow
name: stubborn
steps:
  - { id: stubborn, type: sandbox, with: { isolation: none, command: "trap '' INT TERM; sleep 30 & echo $! > pid; wait; wait; echo done >> marker" } }
` });
  const home = join(dir, 'home');
  const child = spawn(process.execPath, [CLI, 'run', join(dir, 'wf.yaml')], { env: { ...process.env, CLOUDYA_HOME: home, NO_COLOR: '1' }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d) => (stderr += d));
  await waitFor(() => existsSync(join(dir, 'pid')));
  child.kill('SIGINT');
  // Within the 2 s grace before the engine itself would SIGKILL the step.
  await new Promise((r) => setTimeout(r, 300));
  child.kill('SIGINT');
  const code = await new Promise((r) => child.on('close', r));
  assert.is(code, 130);
  assert.match(stderr, /forced exit: running steps were killed/);
  const pid = Number(readFileSync(join(dir, 'pid'), 'utf8'));
  await new Promise((r) => setTimeout(r, 100));
  assert.not.ok(isAlive(pid), 'the forced exit left the step running');
  assert.not.ok(existsSync(join(dir, 'marker')));
});

test('when the engine is SIGKILLed, the commands it started do not outlive it', async () => {
  const dir = tmpFiles({ 'wf.yaml': `apiVersion: cloudya/v1
kind: Workflow
name: orphan
steps:
  - { id: long, type: sandbox, with: { isolation: none, command: "sleep 30 & echo $! > pid; wait" } }
` });
  const child = spawn(process.execPath, [CLI, 'run', join(dir, 'wf.yaml')], { env: { ...process.env, CLOUDYA_HOME: join(dir, 'home'), NO_COLOR: '1' }, stdio: 'ignore' });
  await waitFor(() => existsSync(join(dir, 'pid')) && readFileSync(join(dir, 'pid'), 'utf8').trim() !== '');
  const pid = Number(readFileSync(join(dir, 'pid'), 'utf8'));
  assert.ok(isAlive(pid));
  child.kill('SIGKILL');
  await waitFor(() => !isAlive(pid), 30_000);
});

test('a run whose output pipe closes (| head) still runs to its end', async () => {
  const { spawnSync } = await import('node:child_process');
  const home = tmpFiles({});
  spawnSync('sh', ['-c', `"${process.execPath}" "${CLI}" run "${join(ROOT, 'examples', 'hello.yaml')}" --output ndjson | head -c 1 >/dev/null`], { env: { ...process.env, CLOUDYA_HOME: home }, encoding: 'utf8' });
  await new Promise((r) => setTimeout(r, 300));
  const list = JSON.parse((await runCli(['runs', '--output', 'json'], { home })).stdout);
  assert.is(list[0].status, 'succeeded');
});

test('two resumes of the same run at once: one refuses with E_RUN_LOCKED', async () => {
  const dir = tmpFiles({ 'wf.yaml': `apiVersion: cloudya/v1
kind: Workflow
name: lock
steps:
  - { id: gate, type: sandbox, with: { isolation: none, command: "[ -f go ] && while [ ! -f done ]; do sleep 0.05; done" } }
` });
  const home = join(dir, 'home');
  const first = await runCli(['run', join(dir, 'wf.yaml'), '--no-rollback'], { home });
  assert.is(first.code, 1);
  writeFileSync(join(dir, 'go'), '');
  const runId = readdirSync(join(home, 'runs'))[0]!;
  const a = runCli(['resume', runId], { home });
  await waitFor(() => existsSync(join(home, 'runs', runId, 'lock')));
  const b = await runCli(['resume', runId], { home });
  assert.is(b.code, 2);
  assert.match(b.stderr, /E_RUN_LOCKED/);
  assert.match(b.stderr, /pid \d+/);
  assert.is(b.stdout, '');
  // The first resume holds the run until the second one has been refused.
  writeFileSync(join(dir, 'done'), '');
  const ra = await a;
  assert.is(ra.code, 0, ra.stderr);
});

test('a secret param value appears nowhere: run dir, stdout, stderr, ndjson, json', async () => {
  const secret = 'Sup3r-S3cret-Value-9271';
  const dir = tmpFiles({ 'wf.yaml': `apiVersion: cloudya/v1
kind: Workflow
name: secrets
params:
  password: { type: string, required: true, secret: true }
steps:
  - id: use
    type: sandbox
    with: { isolation: none, command: "echo using {{params.password}}; echo err {{params.password}} >&2" }
    outputs: { derived: "pw={{params.password}}" }
  - id: fail
    type: sandbox
    needs: [use]
    continueOnError: true
    with: { isolation: none, command: "echo bad {{params.password}} >&2; exit 2" }
` });
  const home = join(dir, 'home');
  for (const output of ['text', 'json', 'ndjson']) {
    const r = await runCli(['run', join(dir, 'wf.yaml'), '--param', `password=${secret}`, '--output', output], { home });
    assert.is(r.code, 0, r.stderr);
    assert.not.ok(r.stdout.includes(secret), `stdout (${output}) leaks the secret`);
    assert.not.ok(r.stderr.includes(secret), `stderr (${output}) leaks the secret`);
    if (output === 'json') assert.is(JSON.parse(r.stdout).steps.use.outputs.derived, 'pw=***');
  }
  const files = allFiles(home);
  assert.ok(files.some((f) => f.endsWith('events.ndjson')));
  for (const f of files) assert.not.ok(readFileSync(f, 'utf8').includes(secret), `${f} leaks the secret`);
  const logs = await runCli(['logs', 'last'], { home });
  assert.match(logs.stdout, /using \*\*\*/);
  // Resume and rollback need the secret again: it was never written down.
  const again = await runCli(['rollback', 'last'], { home });
  assert.is(again.code, 2);
  assert.match(again.stderr, /E_PARAM secret param 'password' must be given again/);
  const withEnv = await runCli(['rollback', 'last'], { home, env: { CLOUDYA_PARAM_PASSWORD: secret } });
  assert.is(withEnv.code, 0, withEnv.stderr);
});

test('a secret given at start is required again on resume, even when it has a default', async () => {
  const dir = tmpFiles({ 'wf.yaml': `apiVersion: cloudya/v1
kind: Workflow
name: secret-default
params:
  apitoken: { type: string, default: the-default, secret: true }
steps:
  - { id: use, type: sandbox, with: { isolation: none, command: "[ -f ok ] && echo {{params.apitoken}} > used" } }
` });
  const home = join(dir, 'home');
  const first = await runCli(['run', join(dir, 'wf.yaml'), '--param', 'apitoken=the-real-one'], { home });
  assert.is(first.code, 1);
  writeFileSync(join(dir, 'ok'), '');
  const bare = await runCli(['resume', 'last'], { home });
  assert.is(bare.code, 2, 'resuming without the secret must not fall back to the default');
  assert.match(bare.stderr, /--param apitoken=… or CLOUDYA_PARAM_APITOKEN=…/);
  const r = await runCli(['resume', 'last', '--param', 'apitoken=the-real-one'], { home });
  assert.is(r.code, 0, r.stderr);
  assert.is(readFileSync(join(dir, 'used'), 'utf8').trim(), 'the-real-one');
});

test('a run killed mid-way is listed as crashed, not running', async () => {
  const home = tmpFiles({});
  const killed = await runCli(['run', join(ROOT, 'examples', 'hello.yaml')], { home, env: { CLOUDYA_FAULT: 'kill-after-write:3' } });
  assert.is(killed.signal, 'SIGKILL');
  const list = JSON.parse((await runCli(['runs', '--output', 'json'], { home })).stdout);
  assert.is(list[0].status, 'crashed');
  const show = await runCli(['runs', 'show', 'last'], { home });
  assert.match(show.stdout, /crashed while running — continue with `cloudya resume /);
  const r = await runCli(['resume', 'last'], { home });
  assert.is(r.code, 0, r.stderr);
  assert.is(JSON.parse((await runCli(['runs', '--output', 'json'], { home })).stdout)[0].status, 'succeeded');
});

test('logs --follow of a run whose process died ends and says so', async () => {
  const home = tmpFiles({});
  const killed = await runCli(['run', join(ROOT, 'examples', 'hello.yaml')], { home, env: { CLOUDYA_FAULT: 'kill-after-write:3' } });
  assert.is(killed.signal, 'SIGKILL');
  const r = await runCli(['logs', 'last', '--follow'], { home, timeoutMs: 10_000 });
  assert.is(r.code, 0, r.stderr);
  assert.match(r.stderr, /is gone \(crashed or killed\); continue it with `cloudya resume /);
});

test('environment problems are bad input, not bugs: CLOUDYA_HOME is a file; a broken plug-in command', async () => {
  const dir = tmpFiles({ homefile: '', 'home/commands/broken.mjs': 'export default {' });
  const r = await runCli(['run', join(ROOT, 'examples', 'hello.yaml')], { home: join(dir, 'homefile') });
  assert.is(r.code, 2);
  assert.match(r.stderr, /^error E_USAGE cannot use .*homefile\/runs: ENOTDIR/);
  assert.not.match(r.stderr, /bug in cloudya|\n\s+at /);
  const help = await runCli(['--help'], { home: join(dir, 'home') });
  assert.is(help.code, 0);
  assert.match(help.stderr, /warning: cannot load command module .*broken\.mjs/);
  assert.match(help.stdout, /validate/);
});

test('--params-file can be repeated: later files win, --param wins over both', async () => {
  const dir = tmpFiles({ 'a.yaml': 'who: first\n', 'b.json': '{"who": "second"}' });
  const home = join(dir, 'home');
  const r = await runCli(['run', join(ROOT, 'examples', 'hello.yaml'), '--params-file', join(dir, 'a.yaml'), '--params-file', join(dir, 'b.json'), '--output', 'json'], { home });
  assert.is(r.code, 0, r.stderr);
  assert.is(JSON.parse(r.stdout).steps.greet.outputs.stdout, 'Hello, second!');
  const o = await runCli(['run', join(ROOT, 'examples', 'hello.yaml'), '--params-file', join(dir, 'a.yaml'), '--param', 'who=flag', '--output', 'json'], { home });
  assert.is(JSON.parse(o.stdout).steps.greet.outputs.stdout, 'Hello, flag!');
});

test('plan shows waves and runs nothing', async () => {
  const r = await runCli(['plan', join(ROOT, 'examples', 'hello.yaml'), '--output', 'json']);
  assert.is(r.code, 0, r.stderr);
  const plan = JSON.parse(r.stdout);
  assert.equal(plan.waves.map((w: { id: string }[]) => w.map((s) => s.id)), [['workspace'], ['greet', 'facts', 'authenticate'], ['report']]);
  assert.is(plan.params.token, '***');
});

test('usage errors exit 2 without a stack trace', async () => {
  for (const args of [['run'], ['nope-command'], ['run', 'x.yaml', '--output', 'xml'], ['resume', 'no-such-run']]) {
    const r = await runCli(args);
    assert.is(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
    assert.not.match(r.stderr, /\n\s+at /);
    assert.match(r.stderr, /^error E_(USAGE|RUN_NOT_FOUND) /);
    assert.is(r.stdout, '');
  }
  const typo = await runCli(['valdiate', 'x.yaml']);
  assert.match(typo.stderr, /did you mean `cloudya validate`\?/);
});

test('a command module dropped in ~/.cloudya/commands becomes a command', async () => {
  const home = tmpFiles({ 'commands/hello.mjs': `export default { register(prog) { prog.command('hello <name>').describe('Say hello').action((name) => { process.stdout.write('hello ' + name + '\\n'); return 0; }); } };\n` });
  const r = await runCli(['hello', 'there'], { home });
  assert.is(r.code, 0, r.stderr);
  assert.is(r.stdout, 'hello there\n');
  const help = await runCli(['--help'], { home });
  assert.match(help.stdout, /hello/);
  assert.match(help.stdout, /run/);
});

test('a reader that closes the pipe early (| head) is not an error', async () => {
  const { spawnSync } = await import('node:child_process');
  // 400 problems → 400 separate writes, most of them after `head` has gone.
  const steps = Array.from({ length: 400 }, (_, i) => `  - { id: s${i}, type: sandbox, bogus: 1, with: { isolation: none, command: "true" } }`).join('\n');
  const dir = tmpFiles({ 'wf.yaml': `apiVersion: cloudya/v1\nkind: Workflow\nname: many\nsteps:\n${steps}\n` });
  const r = spawnSync('sh', ['-c', `"${process.execPath}" "${CLI}" validate wf.yaml --format github | head -c 7; exit \${PIPESTATUS:-0}`], { cwd: dir, env: { ...process.env, CLOUDYA_HOME: dir }, encoding: 'utf8' });
  assert.is(r.stdout, '::error');
  assert.not.match(r.stderr, /EPIPE|\n\s+at /);
});

test.run();
