// The live monitor screen: plain lines, redrawn in place on a terminal.
import { hostname } from 'node:os';
import { bytes } from '../../steps/probe/types.js';
import { paint } from '../output/color.js';
import type { Tick } from './sampler.js';

const SPARK = '▁▂▃▄▅▆▇█';

export function sparkline(values: readonly number[], max: number, width: number): string {
  return values.slice(-width).map((v) => SPARK[Math.max(0, Math.min(7, Math.round((v / (max || 1)) * 7)))]).join('');
}

function bar(percent: number, width: number): string {
  const full = Math.round((Math.max(0, Math.min(100, percent)) / 100) * width);
  const color = percent >= 90 ? paint.red : percent >= 75 ? paint.yellow : paint.green;
  return `[${color('█'.repeat(full))}${'░'.repeat(width - full)}]`;
}

const rate = (n: number) => `${bytes(n)}/s`;
const clock = (t: number) => new Date(t * 1000).toTimeString().slice(0, 8);

export interface ViewState {
  interval: number;
  count?: number | undefined;
  index: number;
  history: { cpu: number[]; mem: number[]; rx: number[]; tx: number[] };
  events: string[];
  recording?: string | undefined;
}

export function renderFrame(tick: Tick, v: ViewState, width: number, height: number): string[] {
  const s = tick.sample;
  const w = Math.max(60, width);
  const barW = Math.max(10, Math.min(40, w - 60));
  const memPct = s.memTotal ? (100 * s.memUsed) / s.memTotal : 0;
  const lines: string[] = [];
  lines.push(paint.bold(`cloudya monitor — ${hostname()} — ${clock(s.t)} — every ${v.interval >= 1000 ? `${v.interval / 1000}s` : `${v.interval}ms`} — sample ${v.index}${v.count ? `/${v.count}` : ''}`));
  lines.push('');
  lines.push(`CPU   ${bar(s.cpu, barW)} ${s.cpu.toFixed(1).padStart(5)} %   load ${tick.load.map((l) => l.toFixed(2)).join(' ')} (${tick.cores} cores)`);
  lines.push(`MEM   ${bar(memPct, barW)} ${memPct.toFixed(1).padStart(5)} %   ${bytes(s.memUsed)} of ${bytes(s.memTotal)}${s.swapTotal ? `   swap ${bytes(s.swapUsed)} of ${bytes(s.swapTotal)}` : '   no swap'}`);
  for (const m of tick.mounts.filter((x) => !x.readOnly).slice(0, 4)) {
    const p = m.used + m.available ? (100 * m.used) / (m.used + m.available) : 0;
    lines.push(`DISK  ${bar(p, barW)} ${p.toFixed(1).padStart(5)} %   ${m.mount} ${bytes(m.used)} of ${bytes(m.size)}`);
  }
  lines.push(`IO    read ${rate(s.diskRead)}   write ${rate(s.diskWrite)}`);
  lines.push(`NET   rx ${rate(s.rx)}   tx ${rate(s.tx)}`);
  const sw = Math.max(10, w - 20);
  lines.push(`      cpu ${sparkline(v.history.cpu, 100, sw)}`);
  lines.push(`      net ${sparkline(v.history.rx.map((r, i) => r + (v.history.tx[i] ?? 0)), Math.max(1, ...v.history.rx.map((r, i) => r + (v.history.tx[i] ?? 0))), sw)}`);
  for (const sv of tick.services ?? []) {
    const state = sv.state === 'running' ? paint.green('running') : paint.red('stopped');
    const ports = sv.ports.length ? sv.ports.map((p) => `${p.port} ${p.answers ? 'answers' : paint.red('does not answer')}`).join(', ') : 'no listening port';
    lines.push(`SERVICE ${sv.name}: ${state} — ${sv.processes} process${sv.processes === 1 ? '' : 'es'}, ${sv.cpu.toFixed(1)} % CPU, ${bytes(sv.memory)} — ${ports}`);
  }
  if (tick.services?.length) lines.splice(lines.length - tick.services.length, 0, '');
  for (const e of v.events.slice(-3)) lines.push(`  ${e}`);
  if (tick.top) {
    lines.push('');
    lines.push(paint.bold(`${'PID'.padStart(7)}  ${'NAME'.padEnd(16)} ${'CPU%'.padStart(6)} ${'MEMORY'.padStart(10)}`));
    const room = Math.max(3, height - lines.length - 2);
    for (const p of tick.top.slice(0, room)) lines.push(`${String(p.pid).padStart(7)}  ${p.name.slice(0, 16).padEnd(16)} ${p.cpu.toFixed(1).padStart(6)} ${bytes(p.memory).padStart(10)}`);
  }
  lines.push('');
  lines.push(paint.gray(`${v.recording ? `recording to ${v.recording}` : 'not recording'} — Ctrl-C to stop`));
  return lines.map((l) => l);
}

/** One line per sample, for pipes and logs. */
export function renderLine(tick: Tick): string {
  const s = tick.sample;
  const memPct = s.memTotal ? (100 * s.memUsed) / s.memTotal : 0;
  let line = `${clock(s.t)} cpu ${s.cpu.toFixed(1)}% load ${tick.load[0].toFixed(2)} mem ${memPct.toFixed(1)}% disk ${s.diskPeak.toFixed(1)}% rx ${rate(s.rx)} tx ${rate(s.tx)}`;
  for (const sv of tick.services ?? []) line += ` | ${sv.name} ${sv.state}${sv.ports.length ? ` ports ${sv.ports.map((p) => `${p.port}:${p.answers ? 'up' : 'down'}`).join(',')}` : ''}`;
  return line;
}
