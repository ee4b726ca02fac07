// The docker/podman backends. No container engine runs on these machines, so
// only what can be checked without one is: the probe against the real docker
// client, the refusal, and the `docker run` command line the backend builds.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { execCommand } from '../../engine/exec.js';
import { probeEngine, containerRunArgs, findEngine } from '../../steps/sandbox/container.js';
import { DEFAULT_LIMITS } from '../../steps/sandbox/options.js';
import { failStep } from './sandbox-harness.js';

const signal = new AbortController().signal;
const exec = (file: string, args: readonly string[], options?: Parameters<typeof execCommand>[3]) => execCommand({ signal, mask: (t) => t }, file, args, options);

test('the docker probe asks the real client and reports a missing engine', async () => {
  const a = await probeEngine(exec, 'docker');
  assert.is(a.ok, false);
  if (findEngine('docker')) assert.match(a.detail, /docker is installed but its engine does not answer/);
  else assert.is(a.detail, 'docker is not installed');
  assert.match(a.hint!, /start the docker engine|install docker/);
});

test('isolation: docker without an engine fails with E_SANDBOX_UNAVAILABLE', async () => {
  const err = await failStep({ command: 'true', isolation: 'docker' });
  assert.is(err.code, 'E_SANDBOX_UNAVAILABLE');
  assert.match(err.message, /^the docker sandbox cannot work here: docker is/);
});

test('docker run gets the same defaults as bwrap, and env values never appear on its command line', () => {
  const args = containerRunArgs({
    name: 'cloudya-1-ab', image: 'debian:12-slim', workDir: '/w', cwd: '/w', network: false, limits: DEFAULT_LIMITS,
    envNames: ['HOME', 'TOKEN'], mounts: [{ source: '/src', target: '/src', writable: false }], stdin: false, argv: ['sh', '-c', 'echo $TOKEN'],
  });
  assert.equal(args, [
    'run', '--name', 'cloudya-1-ab',
    '--network', 'none', '--cap-drop', 'ALL', '--security-opt', 'no-new-privileges', '--read-only',
    '--tmpfs', '/tmp', '--memory', '268435456b', '--memory-swap', '268435456b', '--cpus', '1', '--pids-limit', '256',
    '-v', '/src:/src:ro', '-v', '/w:/w', '-w', '/w', '-e', 'HOME', '-e', 'TOKEN',
    '--', 'debian:12-slim', 'sh', '-c', 'echo $TOKEN',
  ]);
  const net = containerRunArgs({ name: 'n', image: 'alpine', workDir: '/w', cwd: '/w', network: true, limits: DEFAULT_LIMITS, envNames: [], mounts: [], stdin: true, argv: ['true'] });
  assert.ok(net.includes('-i'));
  assert.is(net[net.indexOf('--network') + 1], 'bridge');
});

test.run();
