// cloudya usage — tokens spent per day and model, from ~/.cloudya/usage.ndjson.
import type sade from 'sade';
import type { CommandModule } from '../main.js';
import { CloudyaError } from '../../engine/errors.js';
import { textOrJson } from '../output/format.js';

/** `--since`: a date (2026-11-01), an ISO time, or a duration back from now (7d, 12h). */
export function sinceOption(value: unknown, now = Date.now()): Date | undefined {
  if (value === undefined) return undefined;
  const v = String(value).trim();
  const ago = /^(\d+(?:\.\d+)?)(m|h|d|w)$/.exec(v);
  if (ago) return new Date(now - Number(ago[1]) * { m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 }[ago[2] as 'm']);
  const t = /^\d{4}-\d{2}-\d{2}/.test(v) ? Date.parse(v.length === 10 ? `${v}T00:00:00Z` : v) : NaN;
  if (Number.isNaN(t)) throw new CloudyaError('E_USAGE', `--since '${v}' is neither a date nor a duration`, { hint: 'use a date (2026-11-01) or a duration back from now (7d, 12h, 2w)' });
  return new Date(t);
}

export default {
  register(prog: sade.Sade) {
    prog
      .command('usage')
      .describe('Tokens spent on AI models, per day and model (from ~/.cloudya/usage.ndjson)')
      .option('--since', 'Only usage from this date (2026-11-01) or this long ago (7d, 12h)')
      .option('--output', 'text or json', 'text')
      .example('usage --since 7d')
      .action(async (opts: Record<string, unknown>) => {
        const format = textOrJson(opts.output);
        const since = sinceOption(opts.since);
        const { readLedger, summariseUsage, ledgerFile } = await import('../../steps/ai/usage-ledger.js');
        const { rows, total } = summariseUsage(readLedger(), since);
        if (format === 'json') {
          process.stdout.write(JSON.stringify({ ...(since ? { since: since.toISOString() } : {}), rows, total }, null, 2) + '\n');
          return 0;
        }
        if (rows.length === 0) {
          process.stderr.write(`no AI usage recorded${since ? ` since ${since.toISOString()}` : ''} (${ledgerFile()})\n`);
          return 0;
        }
        const head = ['day', 'model', 'requests', 'prompt', 'completion', 'total'];
        const body = rows.map((r) => [r.day, r.model, String(r.requests), String(r.prompt_tokens), String(r.completion_tokens), String(r.total_tokens)]);
        body.push(['total', '', String(total.requests), String(total.prompt_tokens), String(total.completion_tokens), String(total.total_tokens)]);
        const widths = head.map((h, i) => Math.max(h.length, ...body.map((r) => r[i]!.length)));
        const line = (r: string[]) => r.map((c, i) => (i >= 2 ? c.padStart(widths[i]!) : c.padEnd(widths[i]!))).join('  ').trimEnd();
        process.stdout.write([line(head), ...body.map(line)].join('\n') + '\n');
        return 0;
      });
  },
} satisfies CommandModule;
