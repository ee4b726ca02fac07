// The diagnosis report: findings from every probe, most severe first, each with
// what was seen, why it matters and the command that fixes or investigates it.
import type { RunState } from '../../engine/state.js';
import { rank, sortFindings, worst, type Finding, type Severity } from '../../steps/probe/types.js';
import { paint } from '../output/color.js';

export interface DiagnosisReport {
  target: string;
  runId: string;
  status: string;
  severity: Severity;
  healthy: boolean;
  counts: Record<'critical' | 'warning' | 'info', number>;
  findings: (Finding & { step?: string })[];
  checks: Record<string, { check: string; name?: string; severity: Severity; data: unknown }>;
  error?: unknown;
}

export function buildReport(target: string, state: RunState, compiled: Finding[]): DiagnosisReport {
  const findings: DiagnosisReport['findings'] = [...compiled];
  const checks: DiagnosisReport['checks'] = {};
  for (const id of state.order) {
    const s = state.steps[id]!;
    const out = s.outputs as { check?: string; severity?: Severity; findings?: Finding[]; data?: unknown } | undefined;
    if (out?.findings) {
      for (const f of out.findings) findings.push({ ...f, step: id });
      checks[id] = { check: out.check ?? '?', severity: out.severity ?? 'ok', data: out.data ?? {} };
    } else if (s.status === 'failed') {
      // A probe that crashed (not one that found something: those never fail here).
      findings.push({ step: id, check: s.type, severity: 'critical', title: `the ${id} check could not run`, observed: `${s.error?.code ?? ''} ${s.error?.message ?? s.status}`.trim(), why: 'Nothing is known about what it should have checked.', fix: `cloudya logs ${state.runId} --step ${id}` });
    }
  }
  const sorted = sortFindings(findings);
  const severity = worst(sorted);
  const count = (s: Severity) => sorted.filter((f) => f.severity === s).length;
  return {
    target, runId: state.runId, status: state.status, severity, healthy: rank(severity) < rank('critical'),
    counts: { critical: count('critical'), warning: count('warning'), info: count('info') },
    findings: sorted, checks, ...(state.error ? { error: state.error } : {}),
  };
}

const LABEL: Record<Severity, (s: string) => string> = { critical: paint.red, warning: paint.yellow, info: paint.dim, ok: paint.green };

export function printReport(r: DiagnosisReport): void {
  const out: string[] = [];
  const head = r.severity === 'critical' ? 'CRITICAL' : r.severity === 'warning' ? 'WARNINGS' : 'HEALTHY';
  out.push(`diagnose ${r.target}: ${LABEL[r.severity](head)} — ${r.counts.critical} critical, ${r.counts.warning} warning, ${r.counts.info} info (run ${r.runId})`);
  for (const f of r.findings) {
    out.push('');
    out.push(`${LABEL[f.severity](f.severity.toUpperCase().padEnd(8))}  ${f.title}${f.step ? `  [${f.step}]` : ''}`);
    out.push(`          seen: ${f.observed}`);
    out.push(`          why:  ${f.why}`);
    out.push(`          fix:  ${f.fix}`);
  }
  if (!r.findings.length) out.push('', 'No problem found.');
  process.stdout.write(out.join('\n') + '\n');
}
