// The bwrap backend's limits, with real cgroups: each runaway command is ended
// by its limit, the error says which, and nothing is left behind.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { randomBytes } from 'node:crypto';
import { failStep, harness, leftoverCgroups, processesWith, runStep } from './sandbox-harness.js';
import { createCgroup } from '../../steps/sandbox/cgroup.js';
import { DEFAULT_LIMITS } from '../../steps/sandbox/options.js';

const marker = () => `cloudya-marker-${randomBytes(4).toString('hex')}`;

function assertClean(tag: string): void {
  assert.equal(processesWith(tag), [], `no process with ${tag} is left`);
  assert.equal(leftoverCgroups(), [], 'every cgroup this process made is removed');
}

test('a fork bomb is stopped by the pid limit', async () => {
  const tag = marker();
  const err = await failStep({ argv: ['bash', '-c', `: ${tag}; b(){ b|b & }; b; wait; sleep 60`], timeLimit: '50s' });
  assert.is(err.code, 'E_SANDBOX_LIMIT');
  assert.is((err.details as { limit: string }).limit, 'pids');
  assert.match(err.message, /process limit \(256 processes and threads\)/);
  assertClean(tag);
});

test('a memory hog is stopped by the memory limit', async () => {
  const tag = marker();
  const err = await failStep({ argv: ['python3', '-c', `# ${tag}\na = bytearray(200 * 1024 * 1024)\nb = bytearray(200 * 1024 * 1024)\nprint('survived')`], timeLimit: '50s' });
  assert.is(err.code, 'E_SANDBOX_LIMIT');
  assert.is((err.details as { limit: string }).limit, 'memory');
  assert.is((err.details as { exitCode: number }).exitCode, 137);
  assert.not.match(String((err.details as { stdout: string }).stdout), /survived/);
  assertClean(tag);
});

test('the memory limit is configurable: 300 MB fit in memory: 512m', async () => {
  const out = await runStep({ argv: ['python3', '-c', 'a = bytearray(300 * 1024 * 1024); print(len(a) // 2**20)'], memory: '512m' });
  assert.is(out.stdout, '300');
  assert.is(out.limit, null);
});

test('an endless loop is killed at the time limit', async () => {
  const tag = marker();
  const err = await failStep({ command: `: ${tag}; while :; do :; done`, timeLimit: '1s' });
  assert.is(err.code, 'E_SANDBOX_LIMIT');
  assert.is((err.details as { limit: string }).limit, 'time');
  assert.match(err.message, /time limit \(1s\)/);
  assertClean(tag);
});

test('a background process cannot outlive the command', async () => {
  const tag = marker();
  const out = await runStep({ command: `(sleep 60; : ${tag}) & echo started` });
  assert.is(out.stdout, 'started');
  assertClean(tag);
});

test('endless output is stopped at the output limit, and the log is bounded too', async () => {
  const tag = marker();
  const h = harness();
  const err = await failStep({ command: `: ${tag}; yes`, outputLimit: '64k' }, h);
  assert.is(err.code, 'E_SANDBOX_LIMIT');
  assert.is((err.details as { limit: string }).limit, 'output');
  assert.match(err.message, /output limit \(64k\)/);
  // 64 KiB of "y\n" is 32768 lines: the log gets 10,000 and one line saying how many were left out.
  const out = h.lines.filter((l) => l.startsWith('stdout '));
  assert.is(out.length, 10_000);
  assert.match(h.lines[h.lines.length - 1]!, /^stderr \[cloudya\] \d+ more output lines not shown in the log \(limit 10000\)$/);
  assertClean(tag);
});

test('the CPU limit throttles: two busy loops for 2 s with cpus: 0.5 get at most about 1 s of CPU', async () => {
  // `times` prints the CPU time the finished children used (user, system).
  const out = await runStep({
    argv: ['bash', '-c', 'for i in 1 2; do timeout 2 sh -c "while :; do :; done" & done; wait; times | tail -1'],
    cpus: 0.5,
  });
  const [user, sys] = out.stdout.split(' ').map((t) => { const m = /(\d+)m([\d.]+)s/.exec(t)!; return Number(m[1]) * 60 + Number(m[2]); });
  assert.ok(user! + sys! < 1.5, `children used ${user! + sys!} s of CPU in 2 s with half a core`);
  assert.is(out.limit, null);
});

test('limits are read back after they are set', async () => {
  const cg = createCgroup({ ...DEFAULT_LIMITS, memoryBytes: 100 * 1024 * 1024, pids: 42 });
  try {
    assert.ok(cg.dirs.length >= 1);
    assert.equal(cg.pids(), []);
    assert.equal(cg.events(), { oomKills: 0, pidsMax: 0 });
  } finally {
    await cg.remove();
  }
  assert.equal(leftoverCgroups(), []);
});

test('the machine is fine afterwards: a normal command runs as before', async () => {
  const out = await runStep({ command: 'echo ok' });
  assert.is(out.stdout, 'ok');
  assert.equal(leftoverCgroups(), []);
});

test.run();
