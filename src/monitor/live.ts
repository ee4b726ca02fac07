// The monitor loop: sample every interval, draw (a refreshing screen on a
// terminal, a line per sample otherwise, or NDJSON), record to the store, and
// say when a watched service changes.
import { join } from 'node:path';
import { bytes } from '../../steps/probe/types.js';
import { MetricsStore } from './store.js';
import { Sampler, type ServiceView, type Tick } from './sampler.js';
import { renderFrame, renderLine, type ViewState } from './view.js';

export interface LiveOptions {
  home: string;
  intervalMs: number;
  count?: number | undefined;
  services: string[];
  record: boolean;
  /** Draw nothing (monitor record). */
  quiet?: boolean;
  format: 'text' | 'json';
  top?: number;
}

const ANSI = /\x1b\[[0-9;?]*[A-Za-z]/g;

function fit(line: string, width: number): string {
  if (line.replace(ANSI, '').length <= width) return line;
  let out = '';
  let visible = 0;
  for (let i = 0; i < line.length && visible < width; ) {
    ANSI.lastIndex = i;
    const m = line[i] === '\x1b' ? /^\x1b\[[0-9;?]*[A-Za-z]/.exec(line.slice(i)) : null;
    if (m) {
      out += m[0];
      i += m[0].length;
    } else {
      out += line[i++];
      visible++;
    }
  }
  return out + '\x1b[0m';
}

const state = (s: ServiceView) => (s.state === 'running' ? (s.ports.every((p) => p.answers) ? 'running' : `running, port ${s.ports.filter((p) => !p.answers).map((p) => p.port).join(',')} not answering`) : 'stopped');

/** Runs until `count` samples were taken or the signal aborts; returns the number of samples. */
export async function runMonitor(o: LiveOptions, signal: AbortSignal): Promise<number> {
  const store = o.record ? new MetricsStore(join(o.home, 'metrics')) : undefined;
  store?.compact();
  const services = o.services.map((name) => ({ name, bit: store ? store.serviceBit(name) : -1 }));
  const sampler = new Sampler({ ...(o.quiet || o.format === 'json' ? {} : { top: o.top ?? 10 }), services });
  const out = process.stdout;
  const tty = !o.quiet && o.format === 'text' && Boolean(out.isTTY);
  const view: ViewState = { interval: o.intervalMs, count: o.count, index: 0, history: { cpu: [], mem: [], rx: [], tx: [] }, events: [], recording: store?.dir };
  const last = new Map<string, string>();
  if (tty) out.write('\x1b[?25l\x1b[2J\x1b[H');
  const restore = () => tty && out.write('\x1b[?25h');
  process.once('exit', restore);
  try {
    // The first sample needs a previous reading: take it after at most a second, then every interval.
    let wait = Math.min(o.intervalMs, 1000);
    let next = performance.now() + wait;
    while (!signal.aborted && (o.count === undefined || view.index < o.count)) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, Math.max(0, next - performance.now()));
        signal.addEventListener('abort', () => { clearTimeout(timer); resolve(); }, { once: true });
      });
      if (signal.aborted) break;
      next += o.intervalMs;
      const tick: Tick = await sampler.tick();
      view.index++;
      store?.append([tick.sample]);
      const changes: string[] = [];
      for (const sv of tick.services ?? []) {
        const now = state(sv);
        const before = last.get(sv.name);
        if (before !== undefined && before !== now) changes.push(`${new Date(tick.sample.t * 1000).toTimeString().slice(0, 8)} ${sv.name} changed: ${before} → ${now}`);
        else if (before === undefined) view.events.push(`${new Date(tick.sample.t * 1000).toTimeString().slice(0, 8)} ${sv.name} is ${now}`);
        last.set(sv.name, now);
      }
      view.events.push(...changes);
      if (view.events.length > 50) view.events.splice(0, view.events.length - 50);
      for (const [k, v] of [['cpu', tick.sample.cpu], ['mem', tick.sample.memTotal ? (100 * tick.sample.memUsed) / tick.sample.memTotal : 0], ['rx', tick.sample.rx], ['tx', tick.sample.tx]] as const) {
        const h = view.history[k];
        h.push(v);
        if (h.length > 300) h.shift();
      }
      if (o.quiet) {
        for (const c of changes) process.stderr.write(c + '\n');
      } else if (o.format === 'json') {
        const s = tick.sample;
        out.write(JSON.stringify({ time: new Date(s.t * 1000).toISOString(), cpu: round(s.cpu), load: tick.load, memory: { used: s.memUsed, total: s.memTotal }, swap: { used: s.swapUsed, total: s.swapTotal }, disks: tick.mounts.map((m) => ({ mount: m.mount, used: m.used, size: m.size })), io: { read: Math.round(s.diskRead), write: Math.round(s.diskWrite) }, net: { rx: Math.round(s.rx), tx: Math.round(s.tx) }, ...(tick.services ? { services: tick.services } : {}), ...(changes.length ? { changes } : {}) }) + '\n');
      } else if (tty) {
        const lines = renderFrame(tick, view, out.columns ?? 100, out.rows ?? 40).slice(0, Math.max(5, (out.rows ?? 40) - 1));
        out.write('\x1b[H' + lines.map((l) => fit(l, (out.columns ?? 100) - 1) + '\x1b[K').join('\n') + '\x1b[J');
      } else {
        for (const c of changes) out.write(c + '\n');
        out.write(renderLine(tick) + '\n');
      }
    }
  } finally {
    restore();
    process.off('exit', restore);
    if (tty) out.write('\n');
  }
  if (store && o.quiet) process.stderr.write(`recorded ${view.index} sample${view.index === 1 ? '' : 's'} to ${store.dir} (${bytes(store.size())} stored)\n`);
  return view.index;
}

const round = (v: number) => Math.round(v * 10) / 10;
