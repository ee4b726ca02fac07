// What a performance report holds: the period's series (bucketed so a chart
// has at most a few thousand points), summaries, peaks with their times,
// service availability, and the findings a diagnosis would raise.
// Works on columns (typed arrays), so 30 days of minute records cost no GC.
import { limitsFor } from '../../steps/probe/thresholds.js';
import { bytes, grade, pct, sortFindings, type Finding } from '../../steps/probe/types.js';
import type { Columns } from './store.js';

export interface Peak { metric: string; value: number; text: string; at: string }

export interface ServiceAvailability { name: string; availability: number | null; watchedSeconds: number; downSeconds: number; outages: { from: string; to: string; minutes: number }[]; up: (number | null)[]; lastState: 'up' | 'down' | 'unknown' }

type Series = (number | null)[];

export interface ReportData {
  host: string;
  generatedAt: string;
  from: string;
  to: string;
  days: number;
  records: number;
  coverage: number;
  bucketSeconds: number;
  series: { t: number[]; cpu: Series; cpuMax: Series; load: Series; mem: Series; memMax: Series; disk: Series; rx: Series; tx: Series; diskRead: Series; diskWrite: Series };
  summary: Record<'cpu' | 'memory' | 'disk' | 'load' | 'rx' | 'tx', { avg: number | null; max: number | null; maxAt: string | null }>;
  peaks: Peak[];
  services: ServiceAvailability[];
  findings: Finding[];
  now: Finding[];
}

const iso = (t: number) => new Date(t * 1000).toISOString().replace('.000Z', 'Z');
const r1 = (v: number) => Math.round(v * 10) / 10;

/** Indices of the top `n` values at least `gap` seconds apart (a scan per peak: no sort of the whole period). */
function topPeaks(c: Columns, vals: Float64Array, n: number, gap: number): number[] {
  const out: number[] = [];
  for (let k = 0; k < n; k++) {
    let best = -1;
    for (let i = 0; i < c.length; i++) {
      if (best >= 0 && vals[i]! <= vals[best]!) continue;
      const t = c.t[i]!;
      let far = true;
      for (let j = 0; j < out.length && far; j++) far = Math.abs(c.t[out[j]!]! - t) >= gap;
      if (far) best = i;
    }
    if (best < 0) break;
    out.push(best);
  }
  return out;
}

function column(c: Columns, f: (i: number) => number): Float64Array {
  const out = new Float64Array(c.length);
  for (let i = 0; i < c.length; i++) out[i] = f(i);
  return out;
}

export function buildReportData(c: Columns, rawFrom: number, to: number, serviceNames: string[], host: string): ReportData {
  // Buckets start on whole minutes.
  const from = rawFrom - (rawFrom % 60);
  const range = to - from;
  const bucket = Math.max(60, Math.ceil(range / 4000 / 60) * 60);
  const slots = Math.ceil(range / bucket);
  const t: number[] = Array.from({ length: slots }, (_, i) => from + i * bucket);
  const memPct = column(c, (i) => (c.memTotal[i] ? (100 * c.memUsed[i]!) / c.memTotal[i]! : 0));
  const memMaxPct = column(c, (i) => (c.memTotal[i] ? (100 * c.memMax[i]!) / c.memTotal[i]! : 0));
  const w = column(c, (i) => Math.max(1, c.span[i]!));

  // Time-weighted bucket averages, bucket maxima, last value for disk usage.
  const sums = { cpu: c.cpu, load: c.load, mem: memPct, rx: c.rx, tx: c.tx, diskRead: c.diskRead, diskWrite: c.diskWrite };
  const acc = Object.fromEntries(Object.keys(sums).map((k) => [k, new Float64Array(slots)])) as Record<keyof typeof sums, Float64Array>;
  const maxes = { cpuMax: new Float64Array(slots), memMax: new Float64Array(slots), disk: new Float64Array(slots) };
  const weight = new Float64Array(slots);
  const svc = serviceNames.map(() => ({ up: new Float64Array(slots), known: new Float64Array(slots), watched: 0, down: 0, outages: [] as { from: number; to: number }[] }));
  let covered = 0;
  for (let i = 0; i < c.length; i++) {
    const b = Math.floor((c.t[i]! - from) / bucket);
    if (b < 0 || b >= slots) continue;
    const wi = w[i]!;
    covered += wi;
    weight[b]! += wi;
    for (const k in sums) acc[k as keyof typeof sums][b]! += sums[k as keyof typeof sums][i]! * wi;
    maxes.cpuMax[b] = Math.max(maxes.cpuMax[b]!, c.cpuMax[i]!);
    maxes.memMax[b] = Math.max(maxes.memMax[b]!, memMaxPct[i]!);
    maxes.disk[b] = c.diskPeak[i]!;
    const known = c.svcKnown[i]!;
    if (!known) continue;
    for (let s = 0; s < svc.length; s++) {
      if (!(known & (1 << s))) continue;
      const v = svc[s]!;
      const up = Boolean(c.svcUp[i]! & (1 << s));
      v.known[b]! += wi;
      v.watched += wi;
      if (up) {
        v.up[b]! += wi;
        continue;
      }
      v.down += wi;
      const lastOutage = v.outages[v.outages.length - 1];
      if (lastOutage && c.t[i]! - lastOutage.to <= 2 * wi) lastOutage.to = c.t[i]! + wi;
      else v.outages.push({ from: c.t[i]!, to: c.t[i]! + wi });
    }
  }
  const avgSeries = (a: Float64Array): Series => Array.from(a, (v, b) => (weight[b] ? r1(v / weight[b]!) : null));
  const maxSeries = (a: Float64Array): Series => Array.from(a, (v, b) => (weight[b] ? r1(v) : null));
  const series: ReportData['series'] = {
    t, cpu: avgSeries(acc.cpu), cpuMax: maxSeries(maxes.cpuMax), load: avgSeries(acc.load), mem: avgSeries(acc.mem), memMax: maxSeries(maxes.memMax), disk: maxSeries(maxes.disk),
    rx: avgSeries(acc.rx), tx: avgSeries(acc.tx), diskRead: avgSeries(acc.diskRead), diskWrite: avgSeries(acc.diskWrite),
  };

  const avg = (vals: Float64Array) => {
    let sum = 0;
    let ws = 0;
    for (let i = 0; i < c.length; i++) {
      sum += vals[i]! * w[i]!;
      ws += w[i]!;
    }
    return ws ? r1(sum / ws) : null;
  };
  const summarize = (vals: Float64Array, peak: Float64Array) => {
    const p = topPeaks(c, peak, 1, 0)[0];
    return { avg: avg(vals), max: p === undefined ? null : r1(peak[p]!), maxAt: p === undefined ? null : iso(c.t[p]!) };
  };
  const summary: ReportData['summary'] = {
    cpu: summarize(c.cpu, c.cpuMax),
    memory: summarize(memPct, memMaxPct),
    disk: summarize(c.diskPeak, c.diskPeak),
    load: summarize(c.load, c.load),
    rx: summarize(c.rx, c.rxMax),
    tx: summarize(c.tx, c.txMax),
  };

  const peaks: Peak[] = [];
  const net = column(c, (i) => c.rxMax[i]! + c.txMax[i]!);
  const io = column(c, (i) => c.diskRead[i]! + c.diskWrite[i]!);
  for (const i of topPeaks(c, c.cpuMax, 3, 3600)) peaks.push({ metric: 'CPU', value: c.cpuMax[i]!, text: pct(c.cpuMax[i]!), at: iso(c.t[i]!) });
  for (const i of topPeaks(c, memMaxPct, 3, 3600)) peaks.push({ metric: 'Memory', value: r1(memMaxPct[i]!), text: `${pct(memMaxPct[i]!)} (${bytes(c.memMax[i]!)})`, at: iso(c.t[i]!) });
  for (const i of topPeaks(c, c.load, 3, 3600)) peaks.push({ metric: 'Load', value: c.load[i]!, text: c.load[i]!.toFixed(2), at: iso(c.t[i]!) });
  for (const i of topPeaks(c, net, 3, 3600)) peaks.push({ metric: 'Network', value: net[i]!, text: `rx ${bytes(c.rxMax[i]!)}/s, tx ${bytes(c.txMax[i]!)}/s`, at: iso(c.t[i]!) });
  for (const i of topPeaks(c, io, 3, 3600)) peaks.push({ metric: 'Disk I/O', value: io[i]!, text: `read ${bytes(c.diskRead[i]!)}/s, write ${bytes(c.diskWrite[i]!)}/s`, at: iso(c.t[i]!) });

  const services: ServiceAvailability[] = serviceNames.map((name, s) => {
    const v = svc[s]!;
    let last = -1;
    for (let i = c.length - 1; i >= 0 && last < 0; i--) if (c.svcKnown[i]! & (1 << s)) last = i;
    return {
      name, watchedSeconds: v.watched, downSeconds: v.down,
      availability: v.watched ? Math.round((10000 * (v.watched - v.down)) / v.watched) / 100 : null,
      outages: v.outages.sort((x, y) => (y.to - y.from) - (x.to - x.from)).slice(0, 10).map((o) => ({ from: iso(o.from), to: iso(o.to), minutes: Math.round((o.to - o.from) / 60) })),
      up: Array.from(v.known, (k, b) => (k ? Math.round((100 * v.up[b]!) / k) : null)),
      lastState: last < 0 ? 'unknown' : c.svcUp[last]! & (1 << s) ? 'up' : 'down',
    };
  });

  return {
    host, generatedAt: new Date().toISOString(), from: iso(from), to: iso(to), days: Math.round((range / 86400) * 10) / 10,
    records: c.length, coverage: range ? r1(Math.min(100, (100 * covered) / range)) : 0, bucketSeconds: bucket,
    series, summary, peaks, services, findings: periodFindings(c, memPct, memMaxPct, services, covered, range), now: [],
  };
}

function periodFindings(c: Columns, memPct: Float64Array, memMaxPct: Float64Array, services: ServiceAvailability[], covered: number, range: number): Finding[] {
  const out: Finding[] = [];
  const add = (f: Omit<Finding, 'check'>) => out.push({ check: 'report', ...f });
  const L = c.length - 1;
  if (L < 0) {
    add({ severity: 'warning', title: 'No samples in this period', observed: 'the metrics store holds nothing for these days', why: 'Without samples there is nothing to report on.', fix: 'cloudya monitor record --interval 10s   # or: cloudya monitor install' });
    return out;
  }
  let busy = 0;
  let memPeak = 0;
  let swapPeak = 0;
  for (let i = 0; i <= L; i++) {
    if (c.cpu[i]! >= 90) busy += Math.max(1, c.span[i]!);
    memPeak = Math.max(memPeak, memMaxPct[i]!);
    if (c.swapTotal[i]) swapPeak = Math.max(swapPeak, (100 * c.swapUsed[i]!) / c.swapTotal[i]!);
  }
  if (covered && busy / covered >= 0.05) add({ severity: 'warning', title: 'CPU was often saturated', observed: `CPU at 90 % or more for ${r1(busy / 3600)} h (${pct((100 * busy) / covered)} of the recorded time)`, why: 'Sustained saturation means requests wait; the machine needs more cores or less work.', fix: 'cloudya monitor   # watch the top processes when it happens; pidstat 5' });
  const lastAt = iso(c.t[L]!);
  const memSev = grade(memPct[L]!, limitsFor('memory', undefined));
  if (memSev !== 'ok') add({ severity: memSev, title: 'Memory is nearly exhausted', observed: `${pct(memPct[L]!)} used at the last sample (${lastAt})`, why: 'When memory runs out the kernel kills processes.', fix: 'ps aux --sort=-rss | head' });
  else if (memPeak >= (limitsFor('memory', undefined).critical ?? 97)) add({ severity: 'warning', title: 'Memory nearly ran out during the period', observed: `peak ${pct(memPeak)}`, why: 'It may have triggered the OOM killer.', fix: "journalctl -k | grep -i 'out of memory'; dmesg | grep -i oom" });
  const diskSev = grade(c.diskPeak[L]!, limitsFor('disk', undefined));
  if (diskSev !== 'ok') add({ severity: diskSev, title: 'A filesystem is filling up', observed: `the fullest filesystem is ${pct(c.diskPeak[L]!)} used (${lastAt})`, why: 'A full filesystem makes writes fail.', fix: 'cloudya diagnose system   # names the mount; then du -xh MOUNT --max-depth=2 | sort -h | tail' });
  // Disk growth: days until the total is used, at the period's average rate.
  const days = (c.t[L]! - c.t[0]!) / 86400;
  if (days >= 1 && c.diskUsed[L]! > c.diskUsed[0]! && c.diskTotal[L]! > 0) {
    const perDay = (c.diskUsed[L]! - c.diskUsed[0]!) / days;
    const left = (c.diskTotal[L]! - c.diskUsed[L]!) / perDay;
    if (left < 30) add({ severity: left < 7 ? 'critical' : 'warning', title: 'Disks will be full soon at this rate', observed: `used space grew by ${bytes(perDay)} a day; full in about ${Math.max(0, Math.round(left))} days`, why: 'Growth that continues ends with a full disk.', fix: 'du -xh / --max-depth=2 2>/dev/null | sort -h | tail -20' });
  }
  if (grade(swapPeak, limitsFor('swap', undefined)) !== 'ok') add({ severity: 'warning', title: 'Swap was heavily used', observed: `peak ${pct(swapPeak)} of swap`, why: 'Swapping slows everything down.', fix: 'vmstat 1 5' });
  for (const s of services) {
    if (s.availability === null) continue;
    if (s.lastState === 'down') add({ severity: 'critical', title: `${s.name} is down`, observed: `down at the last sample; availability ${s.availability} % over the period`, why: 'Its users get errors now.', fix: `cloudya diagnose service ${s.name}` });
    else if (s.availability < 99.9) add({ severity: s.availability < 99 ? 'warning' : 'info', title: `${s.name} had outages`, observed: `available ${s.availability} % of the watched time; longest outage ${s.outages[0]?.minutes ?? 0} min from ${s.outages[0]?.from ?? '?'}`, why: 'Each outage is time its users got errors.', fix: `cloudya diagnose service ${s.name}` });
  }
  if (range && covered / range < 0.9) add({ severity: 'info', title: 'Recording has gaps', observed: `samples cover ${pct((100 * covered) / range)} of the period`, why: 'Peaks and outages in the gaps are not seen.', fix: 'cloudya monitor install   # record continuously with a service' });
  return sortFindings(out);
}
