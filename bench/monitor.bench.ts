// The monitor's own CPU while it samples every second, the report time for 30
// days of one-minute samples, and what the store costs on disk per day.
import { spawn } from 'node:child_process';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { BenchContext } from './run.js';
import { MetricsStore, RECORD_BYTES } from '../src/monitor/store.js';
import { syntheticSamples, writeSynthetic } from '../src/monitor/synthetic.js';
import { buildReportData } from '../src/monitor/report-data.js';
import { renderHtml } from '../src/monitor/report-html.js';

const ticks = (pid: number) => {
  const s = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const f = s.slice(s.lastIndexOf(')') + 2).split(' ');
  return Number(f[11]) + Number(f[12]);
};

/** CPU share of one core used by `args` between its 5th and 25th second. */
async function cpuShare(b: BenchContext, args: string[], home: string): Promise<number> {
  const child = spawn(process.execPath, [b.cli, ...args], { env: { ...b.env, CLOUDYA_HOME: home }, stdio: ['ignore', 'ignore', 'ignore'] });
  await sleep(5000);
  const t0 = ticks(child.pid!);
  const w0 = performance.now();
  await sleep(20_000);
  const used = (ticks(child.pid!) - t0) / 100;
  const wall = (performance.now() - w0) / 1000;
  child.kill('SIGINT');
  await new Promise((r) => child.on('close', r));
  return (100 * used) / wall;
}

export default async function (b: BenchContext): Promise<void> {
  const home = join(b.work, 'monitor-home');
  const rec = await cpuShare(b, ['monitor', 'record', '--interval', '1'], home);
  b.report('monitor record, 1 sample/s: own CPU (20 s)', `${rec.toFixed(2)} % of one core  (target < 2 %)`);
  const live = await cpuShare(b, ['monitor', '--interval', '1', '--service', 'sshd'], join(b.work, 'monitor-home2'));
  b.report('monitor + top processes + 1 service, 1/s: own CPU (20 s)', `${live.toFixed(2)} % of one core  (target < 2 %)`);

  const dir = join(home, 'metrics');
  const raw = readdirSync(dir).filter((f) => f.endsWith('.bin')).reduce((a, f) => a + statSync(join(dir, f)).size, 0);
  b.report('store: raw file after ~25 s of monitor record at 1/s', `${raw} B = ${(raw / RECORD_BYTES).toFixed(1)} records of ${RECORD_BYTES} B`);
  b.report('store: raw day at 1 sample/s / at 10 s', `${((RECORD_BYTES * 86400) / 1e6).toFixed(1)} MB / ${((RECORD_BYTES * 8640) / 1e3).toFixed(0)} KB (kept 2 days)`);

  const home30 = join(b.work, 'report-home');
  const store = new MetricsStore(join(home30, 'metrics'));
  const now = Math.floor(Date.now() / 1000);
  writeSynthetic(store, syntheticSamples(30, now), ['web']);
  b.report('store: 30 days of one-minute records (noisy synthetic data)', `${(store.size() / 1e6).toFixed(2)} MB, ${(store.size() / 30 / 1e3).toFixed(0)} KB/day gzipped`);

  const file = join(b.work, 'report.html');
  const whole = b.time([process.execPath, b.cli, 'monitor', 'report', '--days', '30', '--output', file], Math.min(b.runs, 5));
  b.report('monitor report --days 30 (43,200 records), whole process', `${b.fmt(whole)}  (target < 3 s)`);
  const t0 = performance.now();
  const samples = store.readColumns(now - 30 * 86400, now + 1);
  const t1 = performance.now();
  const data = buildReportData(samples, now - 30 * 86400, now + 1, store.services(), 'bench');
  const t2 = performance.now();
  const html = renderHtml(data);
  const t3 = performance.now();
  b.report('  of which: read / build / render HTML (in-process)', `${b.fmt(t1 - t0)} / ${b.fmt(t2 - t1)} / ${b.fmt(t3 - t2)}; ${(html.length / 1024).toFixed(0)} KiB file`);
}
