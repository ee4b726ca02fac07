// The audit log and the event log are written behind the next command's start
// (engine/write-behind.ts): queued lines reach the file on the next turn of the
// event loop, when a command is sent, or when the process exits; in order.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { appendAudit } from '../../engine/audit.js';
import { execCommand, killAllChildren } from '../../engine/exec.js';
import { tmpDir } from '../helpers.js';

const lines = (home: string) => (existsSync(join(home, 'audit.log')) ? readFileSync(join(home, 'audit.log'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>) : []);
const tick = () => new Promise((r) => setImmediate(r));

test('audit entries: queued, then on disk by the next tick, in order, masked, mode 0600', async () => {
  const home = tmpDir();
  const mask = (s: string) => s.replaceAll('hunter2', '***');
  appendAudit({ kind: 'executed', command: 'echo hunter2', backend: 'none', exitCode: 0 }, mask, home);
  appendAudit({ kind: 'judged', command: 'ls', verdict: 'allow' }, mask, home);
  assert.equal(lines(home), [], 'written behind, not at once');
  await tick();
  assert.equal(lines(home).map((l) => l.command), ['echo ***', 'ls']);
  assert.is(statSync(join(home, 'audit.log')).mode & 0o777, 0o600);
});

test('sending a command writes what is queued first', async () => {
  const home = tmpDir();
  appendAudit({ kind: 'executed', command: 'before', backend: 'none' }, undefined, home);
  // The command reads the audit log: the entry queued before it was sent is there.
  const r = await execCommand({ signal: new AbortController().signal, mask: (s) => s }, 'cat', [join(home, 'audit.log')]);
  assert.match(r.stdout, /"command":"before"/);
});

test('an audit log removed meanwhile is created again (checked at most once a second)', async () => {
  const home = tmpDir();
  appendAudit({ kind: 'executed', command: 'one', backend: 'none' }, undefined, home);
  await tick();
  rmSync(home, { recursive: true });
  await new Promise((r) => setTimeout(r, 1100));
  appendAudit({ kind: 'executed', command: 'two', backend: 'none' }, undefined, home);
  await tick();
  assert.equal(lines(home).map((l) => l.command), ['two']);
});

test.after(() => killAllChildren());
test.run();
