// What a performance report holds: the period's series (bucketed so a chart
// has at most a few thousand points), summaries, peaks with their times,
// service availability, and the findings a diagnosis would raise.
import { limitsFor } from '../../steps/probe/thresholds.js';
import { bytes, grade, pct, sortFindings, type Finding } from '../../steps/probe/types.js';
import type { Sample } from './store.js';

export interface Peak { metric: string; value: number; text: string; at: string }

export interface ServiceAvailability { name: string; availability: number | null; watchedSeconds: number; downSeconds: number; outages: { from: string; to: string; minutes: number }[]; up: (number | null)[]; lastState: 'up' | 'down' | 'unknown' }

export interface ReportData {
  host: string;
  generatedAt: string;
  from: string;
  to: string;
  days: number;
  records: number;
  coverage: number;
  bucketSeconds: number;
  series: { t: number[]; cpu: (number | null)[]; cpuMax: (number | null)[]; load: (number | null)[]; mem: (number | null)[]; memMax: (number | null)[]; disk: (number | null)[]; rx: (number | null)[]; tx: (number | null)[]; diskRead: (number | null)[]; diskWrite: (number | null)[] };
  summary: Record<'cpu' | 'memory' | 'disk' | 'load' | 'rx' | 'tx', { avg: number | null; max: number | null; maxAt: string | null }>;
  peaks: Peak[];
  services: ServiceAvailability[];
  findings: Finding[];
  now: Finding[];
}

const iso = (t: number) => new Date(t * 1000).toISOString().replace('.000Z', 'Z');
const r1 = (v: number) => Math.round(v * 10) / 10;

/** The top `n` values at least `gap` seconds apart (a scan per peak: no sort of the whole period). */
function topPeaks(samples: readonly Sample[], value: (s: Sample) => number, n: number, gap: number): Sample[] {
  const vals = new Float64Array(samples.length);
  for (let i = 0; i < samples.length; i++) vals[i] = value(samples[i]!);
  const out: Sample[] = [];
  for (let k = 0; k < n; k++) {
    let best = -1;
    for (let i = 0; i < samples.length; i++) {
      if (best >= 0 && vals[i]! <= vals[best]!) continue;
      const t = samples[i]!.t;
      if (out.every((o) => Math.abs(o.t - t) >= gap)) best = i;
    }
    if (best < 0) break;
    out.push(samples[best]!);
  }
  return out;
}

export function buildReportData(samples: readonly Sample[], rawFrom: number, to: number, serviceNames: string[], host: string): ReportData {
  // Buckets start on whole minutes.
  const from = rawFrom - (rawFrom % 60);
  const range = to - from;
  const bucket = Math.max(60, Math.ceil(range / 4000 / 60) * 60);
  const slots = Math.ceil(range / bucket);
  const t: number[] = Array.from({ length: slots }, (_, i) => from + i * bucket);
  const empty = () => Array.from<number | null>({ length: slots }).fill(null);
  const series: ReportData['series'] = { t, cpu: empty(), cpuMax: empty(), load: empty(), mem: empty(), memMax: empty(), disk: empty(), rx: empty(), tx: empty(), diskRead: empty(), diskWrite: empty() };
  const weight = new Float64Array(slots);
  const svcSlots = serviceNames.map(() => ({ up: new Float64Array(slots), known: new Float64Array(slots) }));
  const svcDown = serviceNames.map(() => ({ watched: 0, down: 0, outages: [] as { from: number; to: number }[] }));
  const add = (arr: (number | null)[], i: number, v: number, w: number) => { arr[i] = (arr[i] ?? 0) + v * w; };
  const max = (arr: (number | null)[], i: number, v: number) => { arr[i] = Math.max(arr[i] ?? 0, v); };
  let covered = 0;
  for (const s of samples) {
    const i = Math.floor((s.t - from) / bucket);
    if (i < 0 || i >= slots) continue;
    const w = Math.max(1, s.span);
    covered += w;
    weight[i]! += w;
    const memPct = s.memTotal ? (100 * s.memUsed) / s.memTotal : 0;
    add(series.cpu, i, s.cpu, w);
    add(series.load, i, s.load, w);
    add(series.mem, i, memPct, w);
    add(series.rx, i, s.rx, w);
    add(series.tx, i, s.tx, w);
    add(series.diskRead, i, s.diskRead, w);
    add(series.diskWrite, i, s.diskWrite, w);
    max(series.cpuMax, i, s.cpuMax);
    max(series.memMax, i, s.memTotal ? (100 * s.memMax) / s.memTotal : 0);
    series.disk[i] = s.diskPeak;
    serviceNames.forEach((_, b) => {
      if (!(s.svcKnown & (1 << b))) return;
      const up = Boolean(s.svcUp & (1 << b));
      svcSlots[b]!.known[i]! += w;
      if (up) svcSlots[b]!.up[i]! += w;
      const d = svcDown[b]!;
      d.watched += w;
      if (!up) {
        d.down += w;
        const lastOutage = d.outages[d.outages.length - 1];
        if (lastOutage && s.t - lastOutage.to <= 2 * w) lastOutage.to = s.t + w;
        else d.outages.push({ from: s.t, to: s.t + w });
      }
    });
  }
  for (let i = 0; i < slots; i++) {
    const w = weight[i]!;
    for (const k of ['cpu', 'load', 'mem', 'rx', 'tx', 'diskRead', 'diskWrite'] as const) {
      const v = series[k][i];
      series[k][i] = w && v !== null && v !== undefined ? r1(v / w) : null;
    }
    for (const k of ['cpuMax', 'memMax', 'disk'] as const) if (series[k][i] !== null) series[k][i] = r1(series[k][i]!);
  }

  const avg = (f: (s: Sample) => number) => {
    let sum = 0;
    let w = 0;
    for (const s of samples) {
      sum += f(s) * Math.max(1, s.span);
      w += Math.max(1, s.span);
    }
    return w ? r1(sum / w) : null;
  };
  const summarize = (f: (s: Sample) => number, peak: (s: Sample) => number) => {
    const p = topPeaks(samples, peak, 1, 0)[0];
    return { avg: avg(f), max: p ? r1(peak(p)) : null, maxAt: p ? iso(p.t) : null };
  };
  const memOf = (s: Sample) => (s.memTotal ? (100 * s.memUsed) / s.memTotal : 0);
  const memMaxOf = (s: Sample) => (s.memTotal ? (100 * s.memMax) / s.memTotal : 0);
  const summary: ReportData['summary'] = {
    cpu: summarize((s) => s.cpu, (s) => s.cpuMax),
    memory: summarize(memOf, memMaxOf),
    disk: summarize((s) => s.diskPeak, (s) => s.diskPeak),
    load: summarize((s) => s.load, (s) => s.load),
    rx: summarize((s) => s.rx, (s) => s.rxMax),
    tx: summarize((s) => s.tx, (s) => s.txMax),
  };

  const peaks: Peak[] = [];
  for (const s of topPeaks(samples, (x) => x.cpuMax, 3, 3600)) peaks.push({ metric: 'CPU', value: s.cpuMax, text: pct(s.cpuMax), at: iso(s.t) });
  for (const s of topPeaks(samples, memMaxOf, 3, 3600)) peaks.push({ metric: 'Memory', value: r1(memMaxOf(s)), text: `${pct(memMaxOf(s))} (${bytes(s.memMax)})`, at: iso(s.t) });
  for (const s of topPeaks(samples, (x) => x.load, 3, 3600)) peaks.push({ metric: 'Load', value: s.load, text: s.load.toFixed(2), at: iso(s.t) });
  for (const s of topPeaks(samples, (x) => x.rxMax + x.txMax, 3, 3600)) peaks.push({ metric: 'Network', value: s.rxMax + s.txMax, text: `rx ${bytes(s.rxMax)}/s, tx ${bytes(s.txMax)}/s`, at: iso(s.t) });
  for (const s of topPeaks(samples, (x) => x.diskRead + x.diskWrite, 3, 3600)) peaks.push({ metric: 'Disk I/O', value: s.diskRead + s.diskWrite, text: `read ${bytes(s.diskRead)}/s, write ${bytes(s.diskWrite)}/s`, at: iso(s.t) });

  const services: ServiceAvailability[] = serviceNames.map((name, b) => {
    const d = svcDown[b]!;
    let last: Sample | undefined;
    for (let i = samples.length - 1; i >= 0 && !last; i--) if (samples[i]!.svcKnown & (1 << b)) last = samples[i];
    return {
      name, watchedSeconds: d.watched, downSeconds: d.down,
      availability: d.watched ? Math.round((10000 * (d.watched - d.down)) / d.watched) / 100 : null,
      outages: d.outages.sort((x, y) => (y.to - y.from) - (x.to - x.from)).slice(0, 10).map((o) => ({ from: iso(o.from), to: iso(o.to), minutes: Math.round((o.to - o.from) / 60) })),
      up: Array.from(svcSlots[b]!.known, (k, i) => (k ? Math.round((100 * svcSlots[b]!.up[i]!) / k) : null)),
      lastState: last ? (last.svcUp & (1 << b) ? 'up' : 'down') : 'unknown',
    };
  });

  return {
    host, generatedAt: new Date().toISOString(), from: iso(from), to: iso(to), days: Math.round((range / 86400) * 10) / 10,
    records: samples.length, coverage: range ? r1(Math.min(100, (100 * covered) / range)) : 0, bucketSeconds: bucket,
    series, summary, peaks, services, findings: periodFindings(samples, services, covered, range), now: [],
  };
}

function periodFindings(samples: readonly Sample[], services: ServiceAvailability[], covered: number, range: number): Finding[] {
  const out: Finding[] = [];
  const add = (f: Omit<Finding, 'check'>) => out.push({ check: 'report', ...f });
  const last = samples[samples.length - 1];
  if (!last) {
    add({ severity: 'warning', title: 'No samples in this period', observed: 'the metrics store holds nothing for these days', why: 'Without samples there is nothing to report on.', fix: 'cloudya monitor record --interval 10s   # or: cloudya monitor install' });
    return out;
  }
  const busy = samples.filter((s) => s.cpu >= 90).reduce((a, s) => a + Math.max(1, s.span), 0);
  if (covered && busy / covered >= 0.05) add({ severity: 'warning', title: 'CPU was often saturated', observed: `CPU at 90 % or more for ${r1(busy / 3600)} h (${pct((100 * busy) / covered)} of the recorded time)`, why: 'Sustained saturation means requests wait; the machine needs more cores or less work.', fix: 'cloudya monitor   # watch the top processes when it happens; pidstat 5' });
  const memNow = last.memTotal ? (100 * last.memUsed) / last.memTotal : 0;
  const memSev = grade(memNow, limitsFor('memory', undefined));
  const memPeak = samples.reduce((m, s) => Math.max(m, s.memTotal ? (100 * s.memMax) / s.memTotal : 0), 0);
  if (memSev !== 'ok') add({ severity: memSev, title: 'Memory is nearly exhausted', observed: `${pct(memNow)} used at the last sample (${iso(last.t)})`, why: 'When memory runs out the kernel kills processes.', fix: 'ps aux --sort=-rss | head' });
  else if (memPeak >= (limitsFor('memory', undefined).critical ?? 97)) add({ severity: 'warning', title: 'Memory nearly ran out during the period', observed: `peak ${pct(memPeak)}`, why: 'It may have triggered the OOM killer.', fix: "journalctl -k | grep -i 'out of memory'; dmesg | grep -i oom" });
  const diskSev = grade(last.diskPeak, limitsFor('disk', undefined));
  if (diskSev !== 'ok') add({ severity: diskSev, title: 'A filesystem is filling up', observed: `the fullest filesystem is ${pct(last.diskPeak)} used (${iso(last.t)})`, why: 'A full filesystem makes writes fail.', fix: 'cloudya diagnose system   # names the mount; then du -xh MOUNT --max-depth=2 | sort -h | tail' });
  // Disk growth: days until the total is used, at the period's average rate.
  const first = samples[0]!;
  const days = (last.t - first.t) / 86400;
  if (days >= 1 && last.diskUsed > first.diskUsed && last.diskTotal > 0) {
    const perDay = (last.diskUsed - first.diskUsed) / days;
    const left = (last.diskTotal - last.diskUsed) / perDay;
    if (left < 30) add({ severity: left < 7 ? 'critical' : 'warning', title: 'Disks will be full soon at this rate', observed: `used space grew by ${bytes(perDay)} a day; full in about ${Math.max(0, Math.round(left))} days`, why: 'Growth that continues ends with a full disk.', fix: 'du -xh / --max-depth=2 2>/dev/null | sort -h | tail -20' });
  }
  const swapPeak = samples.reduce((m, s) => Math.max(m, s.swapTotal ? (100 * s.swapUsed) / s.swapTotal : 0), 0);
  const swapSev = grade(swapPeak, limitsFor('swap', undefined));
  if (swapSev !== 'ok') add({ severity: 'warning', title: 'Swap was heavily used', observed: `peak ${pct(swapPeak)} of swap`, why: 'Swapping slows everything down.', fix: 'vmstat 1 5' });
  for (const s of services) {
    if (s.availability === null) continue;
    if (s.lastState === 'down') add({ severity: 'critical', title: `${s.name} is down`, observed: `down at the last sample; availability ${s.availability} % over the period`, why: 'Its users get errors now.', fix: `cloudya diagnose service ${s.name}` });
    else if (s.availability < 99.9) add({ severity: s.availability < 99 ? 'warning' : 'info', title: `${s.name} had outages`, observed: `available ${s.availability} % of the watched time; longest outage ${s.outages[0]?.minutes ?? 0} min from ${s.outages[0]?.from ?? '?'}`, why: 'Each outage is time its users got errors.', fix: `cloudya diagnose service ${s.name}` });
  }
  if (range && covered / range < 0.9) add({ severity: 'info', title: 'Recording has gaps', observed: `samples cover ${pct((100 * covered) / range)} of the period`, why: 'Peaks and outages in the gaps are not seen.', fix: 'cloudya monitor install   # record continuously with a service' });
  return sortFindings(out);
}
