// cloudya monitor end to end: the live screen in a real terminal (tmux), a
// watched service that stops, recording to the store, the systemd unit.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { CLI, FIXTURES, runCli, tmpDir } from '../helpers.js';
import { startDemoService } from '../steps/probe-helpers.js';
import { MetricsStore, RECORD_BYTES } from '../../src/monitor/store.js';

const socket = `cloudya-test-${process.pid}`;
const tmux = (...args: string[]) => spawnSync('tmux', ['-L', socket, ...args], { encoding: 'utf8' });
const q = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

test('monitor --count 3 in a real terminal draws the screen three times and stops', async () => {
  const home = tmpDir('cloudya-home-');
  const cmd = `env CLOUDYA_HOME=${q(home)} NO_COLOR=1 ${q(process.execPath)} ${q(CLI)} monitor --count 3 --interval 1; echo "exit=$?"; sleep 60`;
  const started = tmux('new-session', '-d', '-s', 'mon', '-x', '120', '-y', '40', cmd);
  assert.is(started.status, 0, started.stderr);
  try {
    let screen = '';
    for (let i = 0; i < 120 && !/exit=\d+/.test(screen); i++) {
      await sleep(500);
      screen = tmux('capture-pane', '-p', '-t', 'mon').stdout;
    }
    assert.match(screen, 'exit=0', screen);
    assert.match(screen, /cloudya monitor — .* — every 1s — sample 3\/3/);
    assert.match(screen, /^CPU +\[[█░]+\] +\d+\.\d %/m);
    assert.match(screen, /^MEM +\[[█░]+\] +\d+\.\d %/m);
    assert.match(screen, /^DISK .* \/ /m);
    assert.match(screen, /^NET +rx .*\/s +tx .*\/s/m);
    assert.match(screen, /PID +NAME +CPU% +MEMORY/);
    assert.match(screen, `recording to ${join(home, 'metrics')}`.slice(0, 60));
    // One frame, redrawn in place: the header appears once.
    assert.is((screen.match(/cloudya monitor —/g) ?? []).length, 1, screen);
    const files = readdirSync(join(home, 'metrics')).filter((f) => f.endsWith('.bin'));
    const bytes = files.reduce((a, f) => a + statSync(join(home, 'metrics', f)).size, 0);
    assert.is(bytes, 3 * RECORD_BYTES);
  } finally {
    tmux('kill-server');
  }
});

test('monitor --service says when the service changes and records its availability', async () => {
  const svc = await startDemoService('cy-watch-web');
  const home = tmpDir('cloudya-home-');
  const child = spawn(process.execPath, [CLI, 'monitor', '--service', 'cy-watch-web', '--interval', '300ms', '--count', '200'], { env: { ...process.env, CLOUDYA_HOME: home, NO_COLOR: '1' }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  try {
    for (let i = 0; i < 200 && !/cy-watch-web running ports \d+:up/.test(out); i++) await sleep(100);
    assert.match(out, `cy-watch-web running ports ${svc.port}:up`);
    await svc.stop();
    for (let i = 0; i < 200 && !/changed/.test(out); i++) await sleep(100);
    assert.match(out, /\d\d:\d\d:\d\d cy-watch-web changed: running → stopped/);
  } finally {
    await svc.stop();
    child.kill('SIGINT');
  }
  assert.is(await exited, 0);
  const store = new MetricsStore(join(home, 'metrics'));
  assert.equal(store.services(), ['cy-watch-web']);
  const samples = store.read(0, Date.now() / 1000 + 10);
  assert.ok(samples.some((s) => s.svcUp === 1) && samples.some((s) => s.svcKnown === 1 && s.svcUp === 0), 'up and down samples');
});

test('monitor record takes samples without a screen; --output json prints one sample per line', async () => {
  const home = tmpDir('cloudya-home-');
  const rec = await runCli(['monitor', 'record', '--interval', '200ms', '--count', '2'], { home });
  assert.is(rec.code, 0, rec.stderr);
  assert.is(rec.stdout, '');
  assert.match(rec.stderr, `recorded 2 samples to ${join(home, 'metrics')}`);
  const json = await runCli(['monitor', '--interval', '200ms', '--count', '2', '--output', 'json', '--no-record'], { home });
  assert.is(json.code, 0, json.stderr);
  const lines = json.stdout.trim().split('\n').map((l) => JSON.parse(l));
  assert.is(lines.length, 2);
  assert.type(lines[0].cpu, 'number');
  assert.ok(lines[0].memory.total > 0);
  assert.ok(lines[0].disks.some((d: any) => d.mount === '/'));
  assert.is(new MetricsStore(join(home, 'metrics')).read(0, Date.now() / 1000 + 10).length, 2, '--no-record wrote nothing');
});

test('monitor install writes a systemd unit that runs monitor record', async () => {
  const home = tmpDir('cloudya-home-');
  const dir = tmpDir();
  const r = await runCli(['monitor', 'install', '--dir', dir, '--interval', '30', '--service', 'nginx'], { home });
  assert.is(r.code, 0, r.stderr);
  const unit = readFileSync(join(dir, 'cloudya-monitor.service'), 'utf8');
  assert.match(unit, `Environment=CLOUDYA_HOME=${home}`);
  assert.match(unit, /^ExecStart=.*node.* .*cli\.js monitor record --interval 30 --service nginx$/m);
  assert.match(unit, 'Restart=always');
});

test('monitor loads no package besides sade: it reads /proc itself (not systeminformation)', () => {
  const dir = tmpDir();
  const trace = join(dir, 'trace.txt');
  const r = spawnSync(process.execPath, ['--import', join(FIXTURES, 'startup', 'trace.mjs'), CLI, 'monitor', '--count', '1', '--interval', '200ms', '--output', 'json'], { env: { ...process.env, TRACE_FILE: trace, CLOUDYA_HOME: join(dir, 'home') }, encoding: 'utf8' });
  assert.is(r.status, 0, r.stderr);
  const pk = [...new Set(readFileSync(trace, 'utf8').split('\n').map((m) => /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(m)?.[1]).filter(Boolean))].sort();
  assert.equal(pk, ['mri', 'sade']);
});

test('bad options are E_USAGE', async () => {
  const r = await runCli(['monitor', '--interval', '10ms', '--count', '1']);
  assert.is(r.code, 2);
  assert.match(r.stderr, 'E_USAGE --interval must be between 200ms and 24h');
  const s = await runCli(['monitor', '--service', '$(reboot)', '--count', '1']);
  assert.is(s.code, 2);
  assert.match(s.stderr, 'not a service name');
});

test.run();
