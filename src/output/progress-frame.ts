// The live view's frame: one line per step under a header, a footer with
// counts and the run status; every line cut to the terminal width.
import { formatDuration } from '../../engine/duration.js';
import type { StepStatus } from '../../engine/types.js';
import { SPINNER, SYMBOLS, type RunModel, type StepRow } from './progress-model.js';

type Style = (s: string) => string;
export interface Styles { bold: Style; dim: Style; red: Style; green: Style; yellow: Style; blue: Style; cyan: Style; gray: Style }
type Seg = [text: string, style?: Style];

const ACTIVE: readonly StepStatus[] = ['running', 'retrying', 'compensating'];
const COUNT_ORDER: readonly StepStatus[] = ['succeeded', 'failed', 'running', 'retrying', 'skipped', 'pending', 'compensating', 'compensated', 'compensation_failed'];

/** Whole seconds read better for waits: 'in 2s', else '4.2s'. */
export function waitText(ms: number): string {
  const t = Math.max(0, ms);
  return t >= 1000 && t < 60_000 && t % 1000 === 0 ? `${t / 1000}s` : formatDuration(t);
}

function statusStyle(s: Styles, status: StepStatus): Style {
  switch (status) {
    case 'succeeded': return s.green;
    case 'failed':
    case 'compensation_failed': return s.red;
    case 'running': return s.cyan;
    case 'retrying':
    case 'compensating': return s.yellow;
    case 'compensated': return s.blue;
    default: return s.gray;
  }
}

/** Cuts segments to `width` code points (an ellipsis marks the cut), then styles them. */
export function fit(segs: Seg[], width: number): string {
  let left = Math.max(1, width);
  let out = '';
  const total = segs.reduce((n, [t]) => n + [...t].length, 0);
  const cut = total > left;
  if (cut) left -= 1;
  for (const [text, style] of segs) {
    if (left <= 0) break;
    const chars = [...text];
    const piece = chars.length > left ? chars.slice(0, left).join('') : text;
    left -= Math.min(chars.length, left);
    out += style ? style(piece) : piece;
  }
  return (cut ? out + '…' : out).replace(/\s+$/, '');
}

function stepSegs(r: StepRow, now: number, s: Styles, idW: number, typeW: number): Seg[] {
  const style = statusStyle(s, r.status);
  const sym = r.status === 'running' ? SPINNER[Math.floor(now / 80) % SPINNER.length]! : SYMBOLS[r.status];
  const active = ACTIVE.includes(r.status) && r.startedAt !== undefined;
  const ms = active ? now - r.startedAt! : r.durationMs;
  const id = r.id.length > idW ? `${r.id.slice(0, Math.max(0, idW - 1))}…` : r.id.padEnd(idW);
  const segs: Seg[] = [['  '], [sym, style], [' '], [id, r.status === 'pending' ? s.dim : undefined], ['  '], [r.type.padEnd(typeW), s.dim], ['  '], [(ms === undefined ? '' : formatDuration(ms)).padStart(7), s.dim]];
  if (r.attempt > 1) segs.push(['  '], [`attempt ${r.attempt}`, s.yellow]);
  let detail: Seg | undefined;
  switch (r.status) {
    case 'running':
    case 'compensating':
      if (r.message) detail = [r.message];
      else if (r.output) detail = [r.output, s.dim];
      break;
    case 'retrying':
      detail = [`retry in ${waitText((r.retryAt ?? now) - now)}: ${r.error ?? ''}`, s.yellow];
      break;
    case 'failed':
      detail = [`${r.error ?? ''}${r.continued ? ' (continued)' : ''}`, s.red];
      break;
    case 'compensation_failed':
      detail = [`compensation failed: ${r.error ?? ''}`, s.red];
      break;
    case 'skipped':
      if (r.skipReason) detail = [r.skipReason, s.dim];
      break;
  }
  if (detail) segs.push(['  '], detail);
  return segs;
}

function footerSegs(m: RunModel, now: number, s: Styles): Seg[] {
  const counts = new Map<StepStatus, number>();
  for (const r of m.rows.values()) counts.set(r.status, (counts.get(r.status) ?? 0) + 1);
  const parts = COUNT_ORDER.filter((st) => counts.get(st)).map((st) => `${counts.get(st)} ${st.replace('_', ' ')}`);
  const elapsed = m.durationMs ?? (m.startedAt === undefined ? undefined : now - m.startedAt);
  const done = m.status !== 'running' && m.status !== 'pending' && m.status !== 'rolling_back';
  const runStyle = m.status === 'succeeded' ? s.green : done ? s.red : s.cyan;
  return [['  '], [`run ${m.status.replace('_', ' ')}`, runStyle], [elapsed === undefined ? '' : `  ${formatDuration(elapsed)}`, s.dim], ['  │  ', s.dim], [parts.join(' · ') || 'no steps', s.dim]];
}

/**
 * The frame's lines. `height` limits a live frame: when the steps do not fit,
 * the active, failed and pending ones are kept and a line counts the others.
 */
export function frameLines(m: RunModel, o: { now: number; width: number; height?: number; styles: Styles }): string[] {
  const rows = [...m.rows.values()];
  // Ids get at most 28 columns and a third of the width; longer ones are cut.
  const idW = Math.min(28, Math.max(8, Math.floor(o.width / 3)), Math.max(0, ...rows.map((r) => r.id.length)));
  const typeW = Math.min(14, Math.max(0, ...rows.map((r) => r.type.length)));
  const s = o.styles;
  const main = rows.filter((r) => r.phase === 'main');
  const fin = rows.filter((r) => r.phase === 'finally');
  let shown = new Set(rows);
  const budget = o.height === undefined ? Infinity : o.height - 3 - (fin.length ? 1 : 0);
  if (rows.length > budget) {
    const rank = (r: StepRow) => (ACTIVE.includes(r.status) ? 0 : r.status === 'failed' || r.status === 'compensation_failed' ? 1 : r.status === 'pending' ? 2 : 3);
    shown = new Set([...rows].sort((a, b) => rank(a) - rank(b)).slice(0, Math.max(0, budget - 1)));
  }
  const lines: string[] = [fit([['▸ '], [m.name || 'run', s.bold], [m.runId ? `  ${m.runId}` : '', s.dim], [m.resumed ? '  (resumed)' : '', s.dim]], o.width)];
  const add = (r: StepRow) => shown.has(r) && lines.push(fit(stepSegs(r, o.now, s, idW, typeW), o.width));
  main.forEach(add);
  if (fin.length) {
    lines.push(fit([['  '], ['── finally ──', s.dim]], o.width));
    fin.forEach(add);
  }
  const hidden = rows.length - shown.size;
  if (hidden > 0) lines.push(fit([['  '], [`… ${hidden} more step${hidden === 1 ? '' : 's'}`, s.dim]], o.width));
  lines.push(fit(footerSegs(m, o.now, s), o.width));
  return lines;
}
