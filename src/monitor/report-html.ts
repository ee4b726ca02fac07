// The report as one self-contained HTML file: uPlot and its CSS are inlined
// from node_modules, the data is embedded as JSON, and nothing is fetched when
// the file is opened. Service availability is drawn as hand-made SVG.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { Finding } from '../../steps/probe/types.js';
import type { ReportData } from './report-data.js';

export const COLORS = { cpu: '#e4572e', cpuMax: '#f4a259', mem: '#2e86ab', memMax: '#8ecae6', disk: '#8e44ad', rx: '#2a9d3f', tx: '#f0a202', load: '#6c757d', up: '#2a9d3f', down: '#d62828', unknown: '#dddddd' };

const esc = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
/** JSON safe inside <script>: no `</script>`, no U+2028. */
const scriptJson = (v: unknown) => JSON.stringify(v).replace(/</g, '\\u003c').replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');

function uplotAssets(): { js: string; css: string } {
  const require = createRequire(import.meta.url);
  const dir = require.resolve('uplot/dist/uPlot.iife.min.js').replace(/uPlot\.iife\.min\.js$/, '');
  return { js: readFileSync(`${dir}uPlot.iife.min.js`, 'utf8'), css: readFileSync(`${dir}uPlot.min.css`, 'utf8') };
}

function availabilitySvg(up: (number | null)[], width = 960, height = 22): string {
  const w = width / Math.max(1, up.length);
  let rects = '';
  // Merge runs of the same colour so the SVG stays small.
  let start = 0;
  const colorOf = (v: number | null) => (v === null ? COLORS.unknown : v >= 100 ? COLORS.up : v <= 0 ? COLORS.down : '#f77f00');
  for (let i = 1; i <= up.length; i++) {
    if (i < up.length && colorOf(up[i]!) === colorOf(up[start]!)) continue;
    rects += `<rect x="${(start * w).toFixed(2)}" y="0" width="${((i - start) * w + 0.5).toFixed(2)}" height="${height}" fill="${colorOf(up[start] ?? null)}"/>`;
    start = i;
  }
  return `<svg class="avail" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" xmlns="http://www.w3.org/2000/svg">${rects}</svg>`;
}

function findingList(list: Finding[], none: string): string {
  if (!list.length) return `<p class="none">${esc(none)}</p>`;
  return `<ul class="findings">${list.map((f) => `<li class="${f.severity}"><b>${f.severity.toUpperCase()}</b> ${esc(f.title)}<div>seen: ${esc(f.observed)}</div><div>why: ${esc(f.why)}</div><div>fix: <code>${esc(f.fix)}</code></div></li>`).join('')}</ul>`;
}

export function renderHtml(d: ReportData): string {
  const { js, css } = uplotAssets();
  const s = d.summary;
  const cell = (v: number | null, unit: string) => (v === null ? '–' : `${v}${unit}`);
  const fmtB = (v: number | null) => (v === null ? '–' : v >= 1048576 ? `${(v / 1048576).toFixed(1)} MiB/s` : v >= 1024 ? `${(v / 1024).toFixed(1)} KiB/s` : `${Math.round(v)} B/s`);
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>cloudya report — ${esc(d.host)} — ${esc(d.from.slice(0, 10))} to ${esc(d.to.slice(0, 10))}</title>
<style>${css}
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;margin:24px auto;max-width:1000px;color:#222;padding:0 12px}
h1{font-size:22px;margin:0 0 4px}h2{font-size:17px;margin:28px 0 8px;border-bottom:1px solid #ddd;padding-bottom:4px}
.meta{color:#666}table{border-collapse:collapse;width:100%}td,th{padding:4px 8px;border-bottom:1px solid #eee;text-align:left}th{background:#f6f6f6}
.chart{margin:8px 0 18px}.findings{list-style:none;padding:0}.findings li{border-left:4px solid #999;padding:6px 10px;margin:6px 0;background:#fafafa}
.findings li.critical{border-color:${COLORS.down}}.findings li.warning{border-color:${COLORS.tx}}.findings li.info{border-color:${COLORS.mem}}
.findings div{color:#444;font-size:13px}.none{color:${COLORS.up}}code{background:#f0f0f0;padding:1px 4px}svg.avail{display:block;margin:4px 0 10px}
</style></head><body>
<h1>Performance report — ${esc(d.host)}</h1>
<p class="meta">${esc(d.from)} to ${esc(d.to)} (${d.days} days) · ${d.records} records, one point per ${d.bucketSeconds / 60} min in the charts · samples cover ${d.coverage} % of the period · generated ${esc(d.generatedAt)} by cloudya</p>
<h2>Findings</h2>
${findingList(d.findings, 'No problem found over the period.')}
${d.now.length ? `<h3>Now (a system diagnosis while the report was made)</h3>${findingList(d.now, '')}` : ''}
<h2>Summary</h2>
<table><tr><th>metric</th><th>average</th><th>peak</th><th>peak at (UTC)</th></tr>
<tr><td>CPU</td><td>${cell(s.cpu.avg, ' %')}</td><td>${cell(s.cpu.max, ' %')}</td><td>${esc(s.cpu.maxAt ?? '–')}</td></tr>
<tr><td>Memory</td><td>${cell(s.memory.avg, ' %')}</td><td>${cell(s.memory.max, ' %')}</td><td>${esc(s.memory.maxAt ?? '–')}</td></tr>
<tr><td>Load (1 min)</td><td>${cell(s.load.avg, '')}</td><td>${cell(s.load.max, '')}</td><td>${esc(s.load.maxAt ?? '–')}</td></tr>
<tr><td>Fullest disk</td><td>${cell(s.disk.avg, ' %')}</td><td>${cell(s.disk.max, ' %')}</td><td>${esc(s.disk.maxAt ?? '–')}</td></tr>
<tr><td>Network in</td><td>${fmtB(s.rx.avg)}</td><td>${fmtB(s.rx.max)}</td><td>${esc(s.rx.maxAt ?? '–')}</td></tr>
<tr><td>Network out</td><td>${fmtB(s.tx.avg)}</td><td>${fmtB(s.tx.max)}</td><td>${esc(s.tx.maxAt ?? '–')}</td></tr></table>
<h2>CPU</h2><div class="chart" id="c-cpu"></div>
<h2>Memory</h2><div class="chart" id="c-mem"></div>
<h2>Disk</h2><div class="chart" id="c-disk"></div>
<h2>Network</h2><div class="chart" id="c-net"></div>
<h2>Services</h2>
${d.services.length ? d.services.map((v) => `<p><b>${esc(v.name)}</b>: ${v.availability === null ? 'not watched in this period' : `${v.availability} % available`}, now ${v.lastState}${v.outages.length ? `; longest outages: ${v.outages.slice(0, 3).map((o) => `${esc(o.from)} (${o.minutes} min)`).join(', ')}` : ''}</p>${availabilitySvg(v.up)}`).join('\n') : '<p class="meta">No service was watched (use <code>cloudya monitor record --service NAME</code>).</p>'}
<h2>Peaks</h2>
<table><tr><th>metric</th><th>value</th><th>when (UTC)</th></tr>${d.peaks.map((p) => `<tr><td>${esc(p.metric)}</td><td>${esc(p.text)}</td><td>${esc(p.at)}</td></tr>`).join('')}</table>
<script>${js}</script>
<script>
const D = ${scriptJson({ series: d.series, colors: COLORS })};
const S = D.series, C = D.colors;
const width = Math.min(980, document.body.clientWidth - 20);
function bytes(v){ if (v == null) return '–'; const u=['B/s','KiB/s','MiB/s','GiB/s']; let i=0; while (v>=1024&&i<3){v/=1024;i++;} return v.toFixed(i?1:0)+' '+u[i]; }
function chart(id, series, data, yOpts, extraAxes) {
  const el = document.getElementById(id);
  return new uPlot({ width, height: 220, series: [{}].concat(series), axes: [{}, Object.assign({ size: 90 }, yOpts || {})].concat(extraAxes || []), scales: { x: { time: true } }, cursor: { drag: { x: true, y: false } } }, [S.t].concat(data), el);
}
chart('c-cpu', [{ label: 'CPU avg %', stroke: C.cpu, fill: C.cpu + '33', width: 1 }, { label: 'CPU peak %', stroke: C.cpuMax, width: 1 }, { label: 'load', stroke: C.load, width: 1, scale: 'load' }], [S.cpu, S.cpuMax, S.load], {}, [{ scale: 'load', side: 1, size: 50, grid: { show: false } }]);
chart('c-mem', [{ label: 'memory used %', stroke: C.mem, fill: C.mem + '33', width: 1 }, { label: 'memory peak %', stroke: C.memMax, width: 1 }], [S.mem, S.memMax]);
chart('c-disk', [{ label: 'fullest filesystem %', stroke: C.disk, fill: C.disk + '22', width: 2 }], [S.disk]);
chart('c-net', [{ label: 'received', stroke: C.rx, width: 1, value: (u, v) => bytes(v) }, { label: 'sent', stroke: C.tx, width: 1, value: (u, v) => bytes(v) }], [S.rx, S.tx], { values: (u, vals) => vals.map(bytes) });
document.body.dataset.charts = document.querySelectorAll('.uplot canvas').length;
</script>
</body></html>
`;
}

export function renderCsv(d: ReportData): string {
  const head = 'time,cpu_percent,cpu_peak_percent,load1,memory_percent,memory_peak_percent,disk_fullest_percent,net_rx_bytes_per_s,net_tx_bytes_per_s,disk_read_bytes_per_s,disk_write_bytes_per_s' + d.services.map((s) => `,${s.name.replace(/[^A-Za-z0-9@._:-]/g, '_')}_up_percent`).join('');
  const s = d.series;
  const v = (x: number | null | undefined) => (x === null || x === undefined ? '' : String(x));
  const rows = s.t.map((t, i) => [new Date(t * 1000).toISOString(), s.cpu[i], s.cpuMax[i], s.load[i], s.mem[i], s.memMax[i], s.disk[i], s.rx[i], s.tx[i], s.diskRead[i], s.diskWrite[i], ...d.services.map((x) => x.up[i])].map((x, j) => (j === 0 ? String(x) : v(x as number | null))).join(','));
  return [head, ...rows].join('\n') + '\n';
}
