// Made-up but plausible metrics (daily cycles, spikes, slow disk growth, a few
// service outages) for tests and benchmarks of the report: N days of one-minute
// records written as the store writes closed days.
import { MetricsStore, dayOf, type Sample } from './store.js';

/** A small deterministic PRNG, so reports from the same seed are the same. */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

export function syntheticSamples(days: number, end: number, serviceCount = 1, seed = 42): Sample[] {
  const rand = rng(seed);
  const start = end - days * 86400;
  const out: Sample[] = [];
  const memTotal = 8 * 1024 ** 3;
  const diskTotal = 200 * 1024 ** 3;
  const known = (1 << serviceCount) - 1;
  for (let t = start - (start % 60); t < end; t += 60) {
    const day = ((t % 86400) / 86400) * 2 * Math.PI;
    const spike = rand() < 0.002 ? 60 : 0;
    const cpu = Math.min(100, Math.max(0, 25 + 20 * Math.sin(day - 1.5) + rand() * 10 + spike));
    const mem = memTotal * (0.45 + 0.1 * Math.sin(day) + rand() * 0.03);
    const net = 200_000 + 150_000 * Math.sin(day - 1) + rand() * 50_000;
    const progress = (t - start) / (days * 86400);
    // Two outages of service 0: 40 minutes on day 5, 12 minutes on day 19.
    const rel = (t - start) / 60;
    const down = (rel >= 5 * 1440 + 600 && rel < 5 * 1440 + 640) || (rel >= 19 * 1440 + 200 && rel < 19 * 1440 + 212);
    out.push({
      t, span: 60, n: 60, cpu, cpuMax: Math.min(100, cpu + rand() * 15), load: (cpu / 100) * 2 + rand() * 0.3, diskPeak: 50 + 6 * progress,
      memTotal, memUsed: mem, memMax: mem * 1.02, swapTotal: 2 * 1024 ** 3, swapUsed: 50 * 1024 ** 2,
      diskTotal, diskUsed: diskTotal * (0.5 + 0.06 * progress), diskRead: 1e6 * rand(), diskWrite: 2e6 * rand(),
      rx: net, tx: net * 0.6, rxMax: net * 1.5, txMax: net * 0.9, svcKnown: known, svcUp: down ? known & ~1 : known,
    });
  }
  return out;
}

/** Writes them into a store as closed (rolled-up, gzipped) days, and today's part as raw. */
export function writeSynthetic(store: MetricsStore, samples: readonly Sample[], services: string[] = ['web']): void {
  for (const s of services) store.serviceBit(s);
  const today = dayOf(Date.now() / 1000);
  const byDay = new Map<string, Sample[]>();
  for (const s of samples) {
    const d = dayOf(s.t);
    let list = byDay.get(d);
    if (!list) byDay.set(d, (list = []));
    list.push(s);
  }
  for (const [day, list] of byDay) {
    if (day === today) store.append(list);
    else store.writeRolled(day, list);
  }
}
