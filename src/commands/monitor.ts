// cloudya monitor — a live view of the machine (and of services with
// --service), recording samples to ~/.cloudya/metrics/; `monitor record` for a
// systemd service or timer, `monitor install` writes that unit, `monitor report`
// turns the recorded days into an HTML, JSON or CSV report.
import type sade from 'sade';
import type { CommandModule } from '../main.js';
import { CloudyaError } from '../../engine/errors.js';
import { cloudyaHome as home } from '../home.js';
import { textOrJson } from '../output/format.js';

function intervalMs(value: unknown, fallback: number): number {
  if (value === undefined) return fallback;
  const text = String(value).trim();
  // A bare number is seconds, as in `monitor --interval 5`.
  const ms = /^\d+(\.\d+)?$/.test(text) ? Number(text) * 1000 : /^\d+(\.\d+)?(ms|s|m|h)$/.test(text) ? parseUnit(text) : NaN;
  if (!Number.isFinite(ms) || ms < 200 || ms > 86_400_000) throw new CloudyaError('E_USAGE', `--interval must be between 200ms and 24h, got '${text}'`, { hint: 'seconds (5), or with a unit: 500ms, 10s, 1m' });
  return ms;
}

function parseUnit(text: string): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h)$/.exec(text)!;
  return Number(m[1]) * { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[m[2] as 'ms' | 's' | 'm' | 'h'];
}

function countOption(value: unknown): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new CloudyaError('E_USAGE', `--count must be a whole number ≥ 1, got '${String(value)}'`);
  return n;
}

function servicesOption(value: unknown): string[] {
  const list = value === undefined ? [] : [value].flat().map(String);
  for (const s of list) if (!/^[A-Za-z0-9@._:-]+$/.test(s)) throw new CloudyaError('E_USAGE', `not a service name: ${JSON.stringify(s)}`, { hint: 'letters, digits and @ . _ : - only' });
  return list;
}

async function live(opts: Record<string, unknown>, quiet: boolean, defaultInterval: number): Promise<number> {
  const { runMonitor } = await import('../monitor/live.js');
  const ctl = new AbortController();
  const stop = () => ctl.abort();
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  try {
    await runMonitor({ home: home(), intervalMs: intervalMs(opts.interval, defaultInterval), count: countOption(opts.count), services: servicesOption(opts.service), record: opts.record !== false, quiet, format: quiet ? 'text' : textOrJson(opts.output, 'use --output text or json (json: one sample per line)') }, ctl.signal);
  } finally {
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
  }
  return 0;
}

export default {
  register(prog: sade.Sade) {
    prog
      .command('monitor')
      .describe('Live view of CPU, memory, disks, network and top processes; records samples to ~/.cloudya/metrics/')
      .option('--interval', 'Seconds between samples (or 500ms, 10s, 1m)', '2')
      .option('--count', 'Stop after N samples')
      .option('--service', 'Watch a service: state, CPU/memory of its processes, ports answering (repeatable)')
      .option('--no-record', 'Do not write samples to the metrics store')
      .option('--output', 'text (a live screen, or a line per sample when not a terminal) or json (one sample per line)', 'text')
      .example('monitor')
      .example('monitor --interval 5')
      .example('monitor --service apache2 --interval 10 --count 100')
      .action((opts: Record<string, unknown>) => live(opts, false, 2000));

    prog
      .command('monitor record')
      .describe('Record samples without a screen (for a systemd service or timer)')
      .option('--interval', 'Seconds between samples (or 500ms, 10s, 1m)', '10')
      .option('--count', 'Stop after N samples (1 for a timer)')
      .option('--service', 'Also record whether a service is up (repeatable)')
      .example('monitor record --interval 10 --service nginx')
      .example('monitor record --count 1')
      .action((opts: Record<string, unknown>) => live({ ...opts, record: true }, true, 10_000));

    prog
      .command('monitor install')
      .describe('Write a systemd unit that runs `monitor record` continuously')
      .option('--interval', 'Seconds between samples', '10')
      .option('--service', 'Also record whether a service is up (repeatable)')
      .option('--dir', 'Where to write the unit (default /etc/systemd/system where systemd runs, else ~/.cloudya/systemd)')
      .action(async (opts: Record<string, unknown>) => {
        const { installUnit } = await import('../monitor/install.js');
        return installUnit({ home: home(), intervalMs: intervalMs(opts.interval, 10_000), services: servicesOption(opts.service), ...(opts.dir ? { dir: String(opts.dir) } : {}) });
      });

    prog
      .command('monitor report')
      .describe('A performance report of the recorded days: --output report.html, report.json or report.csv')
      .option('--days', 'How many days back from now', '7')
      .option('--output', 'The file to write; its extension picks the format (.html, .json, .csv)', 'report.html')
      .option('--no-diagnose', 'Leave out the findings of a system diagnosis made now')
      .example('monitor report --days 30 --output report.html')
      .action(async (opts: Record<string, unknown>) => {
        const days = Number(opts.days);
        if (!Number.isFinite(days) || days <= 0 || days > 3660) throw new CloudyaError('E_USAGE', `--days must be a number of days > 0, got '${String(opts.days)}'`);
        const { writeReport } = await import('../monitor/report.js');
        return writeReport({ home: home(), days, output: String(opts.output), diagnose: opts.diagnose !== false });
      });
  },
} satisfies CommandModule;
