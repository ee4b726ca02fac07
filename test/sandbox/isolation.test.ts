// The bwrap backend's isolation, with the real bwrap: network, filesystem,
// capabilities, environment, mounts.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createServer, type Server } from 'node:net';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { failStep, harness, processesWith, runStep } from './sandbox-harness.js';

let server: Server;
let port = 0;
let accepted = 0;

test.before(async () => {
  server = createServer((s) => {
    accepted++;
    s.end('hello from the host\n');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  port = (server.address() as { port: number }).port;
});
test.after(() => void server.close());

// bash's /dev/tcp opens a real TCP connection.
const connect = () => ['bash', '-c', `exec 3<>/dev/tcp/127.0.0.1/${port} && cat <&3`];

test('no network by default: a TCP connection to a listener on 127.0.0.1 fails', async () => {
  const before = accepted;
  const err = await failStep({ argv: connect() });
  assert.is(err.code, 'E_COMMAND_FAILED');
  assert.is((err.details as { backend: string }).backend, 'bwrap');
  assert.match(String((err.details as { stderr: string }).stderr), /Connection refused|Network is unreachable|Cannot assign/);
  assert.is(accepted, before, 'the listener saw no connection');
});

test('network: true reaches the listener', async () => {
  const before = accepted;
  const out = await runStep({ argv: connect(), network: true });
  assert.is(out.backend, 'bwrap');
  assert.is(out.stdout, 'hello from the host');
  assert.is(out.limit, null);
  assert.is(accepted, before + 1);
});

test('the root is read-only: writing outside the work directory fails, inside works', async () => {
  const h = harness();
  const outside = join(h.workflowDir, 'escaped.txt');
  const err = await failStep({ command: `echo x > ${outside}` }, h);
  assert.match(String((err.details as { stderr: string }).stderr), /Read-only file system/);
  assert.not.ok(existsSync(outside));
  const err2 = await failStep({ command: 'touch /usr/cloudya-escape' }, h);
  assert.match(err2.message, /Read-only file system/);
  assert.not.ok(existsSync('/usr/cloudya-escape'));

  const out = await runStep({ command: 'pwd; echo inside > result.txt; echo tmp > /tmp/t && cat /tmp/t' }, h);
  assert.is(out.stdout, `${h.workDir}\ntmp`);
  assert.is(readFileSync(join(h.workDir, 'result.txt'), 'utf8'), 'inside\n');
});

test('the workflow folder is readable; home and cloudya data are hidden', async () => {
  const h = harness();
  writeFileSync(join(h.workflowDir, 'input.txt'), 'from the workflow\n');
  const out = await runStep({ command: `cat input.txt; ls -A ${process.env.HOME} | wc -l; ls -A ${process.env.CLOUDYA_HOME} | wc -l`, cwd: '.' }, h);
  assert.is(out.stdout, 'from the workflow\n0\n0');
});

test('no capabilities, no new privileges, own pid namespace', async () => {
  const out = await runStep({ command: "grep -E '^(CapEff|CapBnd|NoNewPrivs)' /proc/self/status | tr -s '\\t ' ' '; ps -e -o pid= | wc -l" });
  const lines = out.stdout.split('\n');
  assert.ok(lines.includes('CapEff: 0000000000000000'));
  assert.ok(lines.includes('CapBnd: 0000000000000000'));
  assert.ok(lines.includes('NoNewPrivs: 1'));
  // bwrap's init, sh, ps and wc: nothing from the host.
  assert.ok(Number(lines[3]) <= 5, `saw ${lines[3]} processes`);
});

test('environment: only env and passEnv names reach the command; values never on a command line', async () => {
  process.env.CLOUDYA_TEST_PASSED = 'passed-value';
  process.env.CLOUDYA_TEST_HIDDEN = 'hidden-value';
  const secret = 'sekrit-4711-value';
  const h = harness([secret]);
  const run = runStep({ command: 'echo "$A|$CLOUDYA_TEST_PASSED|${CLOUDYA_TEST_HIDDEN:-unset}"; sleep 1', env: { A: secret }, passEnv: ['CLOUDYA_TEST_PASSED', 'CLOUDYA_TEST_UNSET'] }, h);
  await new Promise((r) => setTimeout(r, 500));
  assert.equal(processesWith(secret), [], 'no process has the secret in its command line');
  const out = await run;
  assert.is(out.stdout, `${secret}|passed-value|unset`);
  assert.ok(h.lines.includes('stdout ***|passed-value|unset'), 'the log line is masked');
  assert.ok(h.lines.some((l) => l.includes('CLOUDYA_TEST_UNSET is not set')));
});

test('mounts: read-only by default, writable when asked, at a chosen target', async () => {
  const h = harness();
  const data = join(h.workflowDir, 'data');
  mkdirSync(data);
  writeFileSync(join(data, 'in.txt'), 'data\n');
  const ro = await failStep({ command: 'cat /tmp/data/in.txt && touch /tmp/data/new', mounts: [{ source: 'data', target: '/tmp/data' }] }, h);
  assert.match(ro.message, /Read-only file system/);
  const out = await runStep({ command: 'cat /tmp/data/in.txt && echo out > /tmp/data/out.txt', mounts: [{ source: 'data', target: '/tmp/data', writable: true }] }, h);
  assert.is(out.stdout, 'data');
  assert.is(readFileSync(join(data, 'out.txt'), 'utf8'), 'out\n');
  const missing = await failStep({ command: 'true', mounts: [{ source: 'nope' }] }, h);
  assert.is(missing.code, 'E_FILE_NOT_FOUND');
  const nowhere = await failStep({ command: 'true', mounts: [{ source: 'data', target: '/cloudya-nowhere/data' }] }, h);
  assert.is(nowhere.code, 'E_WITH_INVALID');
  assert.match(nowhere.message, /read-only root/);
});

test('stdout trimming, stdin, successCodes and a missing program behave as on the host', async () => {
  const out = await runStep({ argv: ['sh', '-c', 'cat; exit 3'], stdin: 'line\n', successCodes: [3] });
  assert.is(out.stdout, 'line');
  assert.is(out.exitCode, 3);
  const err = await failStep({ argv: ['no-such-program-cloudya'] });
  assert.is(err.code, 'E_COMMAND_NOT_FOUND');
});

test('isolation: none refuses limits it cannot apply, and runs in the workflow folder', async () => {
  const h = harness();
  const err = await failStep({ command: 'true', isolation: 'none', network: true, memory: '64m' }, h);
  assert.is(err.code, 'E_WITH_INVALID');
  assert.match(err.message, /network, memory/);
  const out = await runStep({ command: 'pwd', isolation: 'none' }, h);
  assert.is(out.stdout, h.workflowDir);
  assert.is(out.backend, 'none');
});

test.run();
