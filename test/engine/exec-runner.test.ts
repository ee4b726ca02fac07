// The process runner (engine/exec-host.ts) spawns every command with
// child_process: stdin input, the environment (merged, or only what is given),
// exits by signal, spawn errors, and NODE_EXTRA_CA_CERTS, which the runner
// itself starts without (Node would spend ~40 ms reading the bundle) but hands
// back to the commands.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync } from 'node:fs';
import { CloudyaError } from '../../engine/errors.js';
import { execCommand, killAllChildren, RUNNER_FLAGS } from '../../engine/exec.js';
import { RUNNER_CA_VAR } from '../../engine/exec-host-protocol.js';

// Set before the first command starts the runner, which takes the engine's environment.
const CA = '/etc/ssl/certs/cloudya-test-extra-ca.pem';
process.env.NODE_EXTRA_CA_CERTS = CA;

const bind = () => ({ signal: new AbortController().signal, mask: (s: string) => s });

test('input reaches the command on stdin', async () => {
  const r = await execCommand(bind(), 'cat', [], { input: 'line one\nline two\n' });
  assert.is(r.stdout, 'line one\nline two\n');
});

test('input a command never reads is no error', async () => {
  const r = await execCommand(bind(), 'true', [], { input: 'x'.repeat(1 << 20) });
  assert.is(r.exitCode, 0);
});

test('env is added to the engine environment; extendEnv: false gives only env', async () => {
  const merged = await execCommand(bind(), 'sh', ['-c', 'echo "$ONLY_HERE|$PATH"'], { env: { ONLY_HERE: 'yes' } });
  const [mine, path] = merged.stdout.trim().split('|');
  assert.is(mine, 'yes');
  assert.is(path, process.env.PATH);
  const alone = await execCommand(bind(), '/usr/bin/env', [], { env: { ONLY_HERE: 'yes' }, extendEnv: false });
  assert.equal(alone.stdout.trim().split('\n'), ['ONLY_HERE=yes']);
});

test('a command ended by a signal reports it', async () => {
  const r = await execCommand(bind(), 'sh', ['-c', 'kill -TERM $$'], { reject: false });
  assert.is(r.signal, 'SIGTERM');
  assert.is.not(r.exitCode, 0);
  try {
    await execCommand(bind(), 'sh', ['-c', 'kill -KILL $$']);
    assert.unreachable('a killed command is a failure');
  } catch (err) {
    assert.instance(err, CloudyaError);
    assert.is((err as CloudyaError).code, 'E_COMMAND_FAILED');
    assert.match((err as CloudyaError).message, /SIGKILL/);
  }
});

test('a missing program, or a missing working directory: E_COMMAND_NOT_FOUND with a hint', async () => {
  for (const [file, cwd] of [['no-such-program-cloudya', undefined], ['true', '/no/such/dir/cloudya']] as const) {
    try {
      await execCommand(bind(), file, [], cwd ? { cwd } : {});
      assert.unreachable(`${file} in ${cwd} started`);
    } catch (err) {
      assert.is((err as CloudyaError).code, 'E_COMMAND_NOT_FOUND');
      assert.match((err as CloudyaError).hint ?? '', cwd ?? 'PATH');
    }
  }
});

test('NODE_EXTRA_CA_CERTS: the runner starts without it, its commands get it', async () => {
  const r = await execCommand(bind(), 'sh', ['-c', 'echo "$NODE_EXTRA_CA_CERTS"; echo $PPID']);
  const [seen, runnerPid] = r.stdout.trim().split('\n');
  assert.is(seen, CA);
  // The runner's own start-up environment (what Node read when it started).
  const environ = readFileSync(`/proc/${runnerPid}/environ`, 'utf8').split('\0');
  assert.ok(environ.includes(`${RUNNER_CA_VAR}=${CA}`), 'the value travels under another name');
  assert.not.ok(environ.some((e) => e.startsWith('NODE_EXTRA_CA_CERTS=')), 'Node in the runner would read the bundle');
  assert.ok(readFileSync(`/proc/${runnerPid}/cmdline`, 'utf8').includes('exec-host.js'), 'the parent is the runner');
});

test('the runner runs on a lean V8 (no JIT, no worker threads, a small young generation), quietly', async () => {
  const r = await execCommand(bind(), 'sh', ['-c', 'echo $PPID']);
  const argv = readFileSync(`/proc/${r.stdout.trim()}/cmdline`, 'utf8').split('\0');
  assert.ok(argv.some((a) => a.endsWith('exec-host.js')), argv.join(' '));
  for (const flag of RUNNER_FLAGS) assert.ok(argv.includes(flag), `${flag} missing: ${argv.join(' ')}`);
  // --jitless alone makes V8 warn on stderr (which the runner shares with cloudya); the flag set must not.
  const { spawnSync } = await import('node:child_process');
  const { NODE_EXTRA_CA_CERTS: _, ...env } = process.env;
  const probe = spawnSync(process.execPath, [...RUNNER_FLAGS, '-e', '0'], { encoding: 'utf8', env });
  assert.is(probe.stderr, '');
});

test.after(() => killAllChildren());
test.run();
