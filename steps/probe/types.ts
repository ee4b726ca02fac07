// What every probe check returns: findings ranked by severity, plus check-specific numbers.

export const SEVERITIES = ['ok', 'info', 'warning', 'critical'] as const;
export type Severity = (typeof SEVERITIES)[number];

export interface Finding {
  severity: Exclude<Severity, 'ok'>;
  /** Which check raised it (system, service, tcp, http, dns, file). */
  check: string;
  title: string;
  /** What was seen, with numbers. */
  observed: string;
  /** Why it matters. */
  why: string;
  /** A command that fixes or investigates it. */
  fix: string;
}

export interface CheckResult {
  findings: Finding[];
  data: Record<string, unknown>;
}

/** A pair of limits; which side is bad depends on the metric (`lowIsBad`). */
export interface Limit {
  warning?: number;
  critical?: number;
}

export function rank(s: Severity): number {
  return SEVERITIES.indexOf(s);
}

export function worst(findings: readonly { severity: Severity }[]): Severity {
  let w: Severity = 'ok';
  for (const f of findings) if (rank(f.severity) > rank(w)) w = f.severity;
  return w;
}

/** Most severe first; stable otherwise. */
export function sortFindings<T extends { severity: Severity }>(findings: readonly T[]): T[] {
  return [...findings].sort((a, b) => rank(b.severity) - rank(a.severity));
}

/** The severity of `value` against `limit` (higher is worse, or lower with `lowIsBad`). */
export function grade(value: number, limit: Limit, lowIsBad = false): Severity {
  const past = (edge: number | undefined) => edge !== undefined && (lowIsBad ? value <= edge : value >= edge);
  if (past(limit.critical)) return 'critical';
  if (past(limit.warning)) return 'warning';
  return 'ok';
}

export function bytes(n: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let i = 0;
  let v = n;
  while (Math.abs(v) >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${v.toFixed(i === 0 || v >= 100 ? 0 : 1)} ${units[i]}`;
}

export const pct = (v: number) => `${v.toFixed(v < 10 ? 1 : 0)} %`;
