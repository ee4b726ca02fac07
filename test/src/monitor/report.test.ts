// monitor report from 30 days of one-minute samples (a generator writes them as
// the store would): HTML that renders its charts in headless Chromium with no
// network, JSON and CSV with the same data.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCli, tmpDir } from '../../helpers.js';
import { MetricsStore } from '../../../src/monitor/store.js';
import { syntheticSamples, writeSynthetic } from '../../../src/monitor/synthetic.js';
import { COLORS } from '../../../src/monitor/report-html.js';
import { countColor, decodePng } from './png.js';

const home = tmpDir('cloudya-home-');
const work = tmpDir();
const now = Math.floor(Date.now() / 1000);
writeSynthetic(new MetricsStore(join(home, 'metrics')), syntheticSamples(30, now), ['web']);

function chromium(args: string[]) {
  return spawnSync('chromium', ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', `--user-data-dir=${tmpDir('chromium-')}`, ...args], { encoding: 'latin1', timeout: 120_000, maxBuffer: 64 * 1024 * 1024 });
}

test('the HTML report is one self-contained file', async () => {
  const file = join(work, 'report.html');
  const r = await runCli(['monitor', 'report', '--days', '30', '--output', file], { home });
  assert.is(r.code, 0, r.stderr);
  assert.is(r.stdout.trim(), file);
  assert.match(r.stderr, /30 days, 43[12]\d\d records/);
  const html = readFileSync(file, 'utf8');
  assert.not.match(html, /<script[^>]+src=/i);
  assert.not.match(html, /<link[^>]+href=/i);
  assert.not.match(html, /url\(\s*['"]?https?:/i);
  assert.match(html, 'uPlot');
  assert.match(html, 'web</b>: 99.8');
  assert.match(html, 'web had outages');
  assert.match(html, 'Peaks');
});

test('headless Chromium renders the charts: canvases in the DOM, chart colours in the screenshot', async () => {
  const file = join(work, 'report.html');
  const dom = chromium(['--virtual-time-budget=5000', '--dump-dom', `file://${file}`]);
  assert.is(dom.status, 0, dom.stderr.slice(-2000));
  assert.match(dom.stdout, 'data-charts="4"');
  assert.ok((dom.stdout.match(/<canvas/g) ?? []).length >= 4, 'uPlot drew no canvas');
  const png = join(work, 'shot.png');
  const shot = chromium([`--screenshot=${png}`, '--window-size=1100,2400', '--virtual-time-budget=5000', `file://${file}`]);
  assert.is(shot.status, 0, shot.stderr.slice(-2000));
  const img = decodePng(readFileSync(png));
  assert.is(img.width, 1100);
  // The series strokes: CPU, memory, disk, received, sent; and the availability bar.
  for (const [name, color] of Object.entries({ cpu: COLORS.cpu, mem: COLORS.mem, disk: COLORS.disk, rx: COLORS.rx, tx: COLORS.tx })) {
    const n = countColor(img, color, 20);
    assert.ok(n > 300, `${name} (${color}): only ${n} pixels`);
  }
});

test('JSON and CSV carry the same period', async () => {
  const json = join(work, 'report.json');
  const csv = join(work, 'report.csv');
  assert.is((await runCli(['monitor', 'report', '--days', '30', '--output', json, '--no-diagnose'], { home })).code, 0);
  assert.is((await runCli(['monitor', 'report', '--days', '30', '--output', csv, '--no-diagnose'], { home })).code, 0);
  const d = JSON.parse(readFileSync(json, 'utf8'));
  assert.ok(d.records >= 43190 && d.records <= 43201, String(d.records));
  assert.is(d.services[0].name, 'web');
  assert.ok(d.services[0].availability < 100 && d.services[0].availability > 99);
  assert.is(d.services[0].outages[0].minutes, 40);
  assert.ok(d.summary.cpu.max > 0 && d.summary.cpu.maxAt);
  assert.ok(d.peaks.some((p: any) => p.metric === 'CPU'));
  assert.equal(d.now, []);
  const lines = readFileSync(csv, 'utf8').trim().split('\n');
  assert.match(lines[0]!, /^time,cpu_percent,.*,web_up_percent$/);
  assert.is(lines.length - 1, d.series.t.length);
});

test('an empty period says there is nothing, and bad options are E_USAGE', async () => {
  const empty = tmpDir('cloudya-home-');
  const out = join(work, 'empty.json');
  const r = await runCli(['monitor', 'report', '--days', '1', '--output', out, '--no-diagnose'], { home: empty });
  assert.is(r.code, 0, r.stderr);
  assert.is(JSON.parse(readFileSync(out, 'utf8')).findings[0].title, 'No samples in this period');
  const bad = await runCli(['monitor', 'report', '--output', join(work, 'r.pdf')], { home: empty });
  assert.is(bad.code, 2);
  assert.match(bad.stderr, 'E_USAGE cannot tell the report format');
});

test.run();
