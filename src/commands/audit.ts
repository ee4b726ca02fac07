// cloudya audit [--since DURATION|ISO] [--run RUN] [--output json] — the audit log
// (~/.cloudya/audit.log): every command judged by `validate` or run by `sandbox`.
import { readFileSync } from 'node:fs';
import type sade from 'sade';
import type { CommandModule } from '../main.js';
import { CloudyaError } from '../../engine/errors.js';
import { auditFile, type AuditEntry } from '../../engine/audit.js';
import { parseDuration } from '../../engine/duration.js';
import { table } from '../output/table.js';
import { textOrJson } from '../output/format.js';

/** `--since 2h` (a duration back from now) or `--since 2026-11-25T10:00Z` (a time). */
export function sinceTime(value: unknown, now = Date.now()): number | undefined {
  if (value === undefined || value === true) return undefined;
  const text = String(value).trim();
  try {
    return now - parseDuration(text);
  } catch {
    const t = Date.parse(text);
    if (!Number.isNaN(t) && /^\d{4}-\d{2}-\d{2}/.test(text)) return t;
  }
  throw new CloudyaError('E_USAGE', `--since '${text}' is neither a duration nor a date`, { hint: 'use a duration back from now (30m, 2h, 7d) or an ISO date (2026-11-25 or 2026-11-25T10:00:00Z)' });
}

interface Read {
  entries: Array<AuditEntry & { time: string }>;
  broken: number;
}

function readAudit(file: string): Read {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { entries: [], broken: 0 };
    throw err;
  }
  const out: Read = { entries: [], broken: 0 };
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    try {
      const e = JSON.parse(line) as AuditEntry & { time: string };
      if (typeof e.time === 'string' && typeof e.command === 'string') out.entries.push(e);
      else out.broken++;
    } catch {
      out.broken++;
    }
  }
  return out;
}

function outcome(e: AuditEntry): [string, string] {
  if (e.kind === 'judged') {
    const v = e.verdict ?? '?';
    return [v === 'ask' ? `ask (${e.approved ? 'approved' : 'refused'})` : v, e.rule ?? '-'];
  }
  const parts = [e.exitCode === null || e.exitCode === undefined ? 'no exit code' : `exit ${e.exitCode}`, e.backend, e.limit ? `limit: ${e.limit}` : undefined];
  return ['ran', parts.filter(Boolean).join(', ')];
}

function oneLine(text: string, max: number): string {
  const t = text.replace(/\s*\n\s*/g, ' ⏎ ');
  return t.length > max ? `${t.slice(0, max - 1)}…` : t;
}

async function show(opts: Record<string, unknown>): Promise<number> {
  const format = textOrJson(opts.output);
  const since = sinceTime(opts.since);
  const run = opts.run === undefined ? undefined : String(opts.run);
  const file = auditFile();
  const { entries, broken } = readAudit(file);
  const shown = entries
    .filter((e) => (since === undefined || Date.parse(e.time) >= since) && (run === undefined || (e.runId ?? '').startsWith(run)))
    .sort((a, b) => a.time.localeCompare(b.time));
  if (broken) process.stderr.write(`warning: skipped ${broken} unreadable line${broken === 1 ? '' : 's'} in ${file}\n`);
  if (format === 'json') {
    process.stdout.write(JSON.stringify(shown, null, 2) + '\n');
    return 0;
  }
  if (shown.length === 0) {
    process.stderr.write(entries.length ? 'no audit entries match\n' : `no audit entries yet (${file})\n`);
    return 0;
  }
  const width = Math.max(40, (process.stdout.columns ?? 160) - 100);
  const rows = [['TIME', 'RUN', 'STEP', 'RESULT', 'RULE / BACKEND', 'COMMAND']];
  for (const e of shown) {
    const [result, detail] = outcome(e);
    rows.push([e.time.replace('T', ' ').slice(0, 19), e.runId ?? '-', e.stepId ?? '-', result, detail, oneLine(e.command, width)]);
  }
  process.stdout.write(table(rows));
  return 0;
}

export default {
  register(prog: sade.Sade) {
    prog
      .command('audit')
      .describe('Show the audit log: every command judged (validate) or run (sandbox), oldest first.')
      .option('--since', 'Only entries newer than a duration back (30m, 2h, 7d) or an ISO date')
      .option('--run', 'Only entries of this run (an id or a prefix)')
      .option('--output', 'text or json', 'text')
      .example('audit --since 1h')
      .example('audit --output json')
      .action((opts: Record<string, unknown>) => show(opts));
  },
} satisfies CommandModule;
