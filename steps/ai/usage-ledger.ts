// The usage ledger: one NDJSON line per model call in ~/.cloudya/usage.ndjson
// (appended in one O_APPEND write, so concurrent runs never interleave), summed
// per day and model by `cloudya usage`.
import { appendFileSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { cloudyaHome } from '../../engine/config.js';

export interface Usage {
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
}

export interface LedgerEntry extends Usage {
  time: string;
  model: string;
  /** What made the call: the `ai` step of a run, `ask`, or `chat`. */
  source: 'step' | 'ask' | 'chat';
  runId?: string;
  stepId?: string;
}

export const ZERO_USAGE: Usage = { prompt_tokens: 0, completion_tokens: 0, total_tokens: 0 };

export function addUsage(a: Usage, b: Partial<Usage> | null | undefined): Usage {
  const p = Number(b?.prompt_tokens ?? 0) || 0;
  const c = Number(b?.completion_tokens ?? 0) || 0;
  return { prompt_tokens: a.prompt_tokens + p, completion_tokens: a.completion_tokens + c, total_tokens: a.total_tokens + (Number(b?.total_tokens ?? p + c) || 0) };
}

export function ledgerFile(home = cloudyaHome()): string {
  return join(home, 'usage.ndjson');
}

export function recordUsage(entry: Omit<LedgerEntry, 'time'>, home = cloudyaHome()): void {
  if (entry.total_tokens === 0 && entry.prompt_tokens === 0 && entry.completion_tokens === 0) return;
  mkdirSync(home, { recursive: true, mode: 0o700 });
  appendFileSync(ledgerFile(home), JSON.stringify({ time: new Date().toISOString(), ...entry }) + '\n', { mode: 0o600 });
}

export function readLedger(home = cloudyaHome()): LedgerEntry[] {
  let text: string;
  try {
    text = readFileSync(ledgerFile(home), 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
  const out: LedgerEntry[] = [];
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    try {
      const e = JSON.parse(line) as LedgerEntry;
      if (typeof e.time === 'string' && typeof e.model === 'string') out.push(e);
    } catch {
      // A torn last line (a crash mid-append) is skipped.
    }
  }
  return out;
}

export interface UsageRow extends Usage {
  day: string;
  model: string;
  requests: number;
}

/** Sums entries at or after `since` per UTC day and model, oldest first. */
export function summariseUsage(entries: LedgerEntry[], since?: Date): { rows: UsageRow[]; total: Usage & { requests: number } } {
  const rows = new Map<string, UsageRow>();
  let total = { ...ZERO_USAGE, requests: 0 };
  for (const e of entries) {
    if (since && new Date(e.time) < since) continue;
    const day = e.time.slice(0, 10);
    const key = `${day}\t${e.model}`;
    const row = rows.get(key) ?? { day, model: e.model, requests: 0, ...ZERO_USAGE };
    rows.set(key, { ...row, ...addUsage(row, e), requests: row.requests + 1 });
    total = { ...addUsage(total, e), requests: total.requests + 1 };
  }
  return { rows: [...rows.values()].sort((a, b) => a.day.localeCompare(b.day) || a.model.localeCompare(b.model)), total };
}
