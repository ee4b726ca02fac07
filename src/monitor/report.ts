// monitor report: read the store for the period, build the report data, write it.
import { writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { extname, join, resolve } from 'node:path';
import { CloudyaError } from '../../engine/errors.js';
import { bytes } from '../../steps/probe/types.js';
import { MetricsStore } from './store.js';
import { buildReportData } from './report-data.js';

export interface ReportOptions { home: string; days: number; output: string; diagnose: boolean; now?: number }

export async function writeReport(o: ReportOptions): Promise<number> {
  const ext = extname(o.output).toLowerCase();
  if (!['.html', '.htm', '.json', '.csv'].includes(ext)) throw new CloudyaError('E_USAGE', `cannot tell the report format from '${o.output}'`, { hint: 'end the file name in .html, .json or .csv' });
  const store = new MetricsStore(join(o.home, 'metrics'));
  const to = Math.floor((o.now ?? Date.now()) / 1000);
  const from = to - Math.round(o.days * 86400);
  const samples = store.readColumns(from, to + 1);
  const data = buildReportData(samples, from, to + 1, store.services(), hostname());
  if (o.diagnose) {
    const { checkSystem } = await import('../../steps/probe/system.js');
    data.now = (await checkSystem({ sampleMs: 300 })).findings;
  }
  const { renderHtml, renderCsv } = await import('./report-html.js');
  const text = ext === '.json' ? JSON.stringify(data) + '\n' : ext === '.csv' ? renderCsv(data) : renderHtml(data);
  const file = resolve(o.output);
  writeFileSync(file, text);
  const crit = [...data.findings, ...data.now].filter((f) => f.severity === 'critical').length;
  process.stdout.write(`${file}\n`);
  process.stderr.write(`report: ${data.days} days, ${data.records} records (${data.coverage} % covered), ${data.findings.length + data.now.length} findings (${crit} critical), ${bytes(text.length)}\n`);
  return 0;
}
