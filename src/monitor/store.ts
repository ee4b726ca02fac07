// The metrics store under ~/.cloudya/metrics/: one file per UTC day of fixed
// 72-byte little-endian records. Today's and yesterday's files are append-only
// raw samples (`YYYY-MM-DD.bin`); older days are rolled up into one record a
// minute and gzipped (`YYYY-MM-DD.m1.gz`, about 25 KB a day), so months of
// data stay a few megabytes. Every record carries its span and sample count,
// so raw and rolled-up records read the same way.
import { appendFileSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';

export const RECORD_BYTES = 72;
export const MAX_SERVICES = 16;

export interface Sample {
  /** Unix seconds at the start of the span. */
  t: number;
  span: number;
  n: number;
  cpu: number;
  cpuMax: number;
  load: number;
  /** Fullest writable filesystem, %. */
  diskPeak: number;
  memTotal: number;
  memUsed: number;
  memMax: number;
  swapTotal: number;
  swapUsed: number;
  diskTotal: number;
  diskUsed: number;
  diskRead: number;
  diskWrite: number;
  rx: number;
  tx: number;
  rxMax: number;
  txMax: number;
  /** Bit i set: service i (see services.json) was watched / was up for the whole span. */
  svcKnown: number;
  svcUp: number;
}

const KiB = 1024;
const MiB = 1024 * 1024;
const u16 = (v: number) => Math.max(0, Math.min(65535, Math.round(v)));
const u32 = (v: number) => Math.max(0, Math.min(0xffffffff, Math.round(v)));

export function encode(samples: readonly Sample[]): Buffer {
  const buf = Buffer.alloc(samples.length * RECORD_BYTES);
  samples.forEach((s, i) => {
    const o = i * RECORD_BYTES;
    buf.writeUInt32LE(u32(s.t), o);
    buf.writeUInt16LE(u16(s.span), o + 4);
    buf.writeUInt16LE(u16(s.n), o + 6);
    buf.writeUInt16LE(u16(s.cpu * 100), o + 8);
    buf.writeUInt16LE(u16(s.cpuMax * 100), o + 10);
    buf.writeUInt16LE(u16(s.load * 100), o + 12);
    buf.writeUInt16LE(u16(s.diskPeak * 100), o + 14);
    buf.writeUInt32LE(u32(s.memTotal / KiB), o + 16);
    buf.writeUInt32LE(u32(s.memUsed / KiB), o + 20);
    buf.writeUInt32LE(u32(s.memMax / KiB), o + 24);
    buf.writeUInt32LE(u32(s.swapTotal / KiB), o + 28);
    buf.writeUInt32LE(u32(s.swapUsed / KiB), o + 32);
    buf.writeUInt32LE(u32(s.diskTotal / MiB), o + 36);
    buf.writeUInt32LE(u32(s.diskUsed / MiB), o + 40);
    buf.writeFloatLE(s.diskRead, o + 44);
    buf.writeFloatLE(s.diskWrite, o + 48);
    buf.writeFloatLE(s.rx, o + 52);
    buf.writeFloatLE(s.tx, o + 56);
    buf.writeFloatLE(s.rxMax, o + 60);
    buf.writeFloatLE(s.txMax, o + 64);
    buf.writeUInt16LE(s.svcKnown & 0xffff, o + 68);
    buf.writeUInt16LE(s.svcUp & 0xffff, o + 70);
  });
  return buf;
}

export function decode(buf: Buffer, into: Sample[] = []): Sample[] {
  // A torn last record (a crash mid-append) is ignored.
  const n = Math.floor(buf.length / RECORD_BYTES);
  for (let i = 0; i < n; i++) {
    const o = i * RECORD_BYTES;
    into.push({
      t: buf.readUInt32LE(o), span: buf.readUInt16LE(o + 4), n: buf.readUInt16LE(o + 6),
      cpu: buf.readUInt16LE(o + 8) / 100, cpuMax: buf.readUInt16LE(o + 10) / 100, load: buf.readUInt16LE(o + 12) / 100, diskPeak: buf.readUInt16LE(o + 14) / 100,
      memTotal: buf.readUInt32LE(o + 16) * KiB, memUsed: buf.readUInt32LE(o + 20) * KiB, memMax: buf.readUInt32LE(o + 24) * KiB,
      swapTotal: buf.readUInt32LE(o + 28) * KiB, swapUsed: buf.readUInt32LE(o + 32) * KiB,
      diskTotal: buf.readUInt32LE(o + 36) * MiB, diskUsed: buf.readUInt32LE(o + 40) * MiB,
      diskRead: buf.readFloatLE(o + 44), diskWrite: buf.readFloatLE(o + 48),
      rx: buf.readFloatLE(o + 52), tx: buf.readFloatLE(o + 56), rxMax: buf.readFloatLE(o + 60), txMax: buf.readFloatLE(o + 64),
      svcKnown: buf.readUInt16LE(o + 68), svcUp: buf.readUInt16LE(o + 70),
    });
  }
  return into;
}

export const FIELDS = ['t', 'span', 'n', 'cpu', 'cpuMax', 'load', 'diskPeak', 'memTotal', 'memUsed', 'memMax', 'swapTotal', 'swapUsed', 'diskTotal', 'diskUsed', 'diskRead', 'diskWrite', 'rx', 'tx', 'rxMax', 'txMax', 'svcKnown', 'svcUp'] as const;
export type Field = (typeof FIELDS)[number];
/** Records as one typed array per field: months of samples without an object (and a GC'd number) per value. */
export type Columns = { length: number } & Record<Field, Float64Array>;

/** Column layout of one record: [field, offset, reader, scale]. */
const LAYOUT: [Field, number, 'u32' | 'u16' | 'f32', number][] = [
  ['t', 0, 'u32', 1], ['span', 4, 'u16', 1], ['n', 6, 'u16', 1], ['cpu', 8, 'u16', 0.01], ['cpuMax', 10, 'u16', 0.01], ['load', 12, 'u16', 0.01], ['diskPeak', 14, 'u16', 0.01],
  ['memTotal', 16, 'u32', KiB], ['memUsed', 20, 'u32', KiB], ['memMax', 24, 'u32', KiB], ['swapTotal', 28, 'u32', KiB], ['swapUsed', 32, 'u32', KiB], ['diskTotal', 36, 'u32', MiB], ['diskUsed', 40, 'u32', MiB],
  ['diskRead', 44, 'f32', 1], ['diskWrite', 48, 'f32', 1], ['rx', 52, 'f32', 1], ['tx', 56, 'f32', 1], ['rxMax', 60, 'f32', 1], ['txMax', 64, 'f32', 1], ['svcKnown', 68, 'u16', 1], ['svcUp', 70, 'u16', 1],
];

export function emptyColumns(n: number): Columns {
  const c = { length: n } as Columns;
  for (const f of FIELDS) c[f] = new Float64Array(n);
  return c;
}

/** Record i of the columns as a Sample (for the few places that want one). */
export function sampleAt(c: Columns, i: number): Sample {
  const s = {} as Sample;
  for (const f of FIELDS) s[f] = c[f][i]!;
  return s;
}

export const dayOf = (t: number) => new Date(t * 1000).toISOString().slice(0, 10);
const dayStart = (day: string) => Date.parse(`${day}T00:00:00Z`) / 1000;

/** Merges samples into one record per `bucket` seconds: averages weighted by time, maxima kept, a service up only if up throughout. */
export function rollup(samples: readonly Sample[], bucket: number): Sample[] {
  const out: Sample[] = [];
  let cur: Sample | undefined;
  let w = 0;
  const flush = () => {
    if (!cur) return;
    for (const k of ['cpu', 'load', 'memUsed', 'swapUsed', 'diskRead', 'diskWrite', 'rx', 'tx'] as const) cur[k] /= w;
    out.push(cur);
  };
  for (const s of samples) {
    const start = s.t - (s.t % bucket);
    if (!cur || cur.t !== start) {
      flush();
      cur = { ...s, t: start, span: 0, n: 0, cpu: 0, load: 0, memUsed: 0, swapUsed: 0, diskRead: 0, diskWrite: 0, rx: 0, tx: 0, svcKnown: 0, svcUp: 0xffff };
      w = 0;
    }
    const sw = Math.max(1, s.span);
    w += sw;
    cur.span += s.span;
    cur.n += s.n;
    for (const k of ['cpu', 'load', 'memUsed', 'swapUsed', 'diskRead', 'diskWrite', 'rx', 'tx'] as const) cur[k] += s[k] * sw;
    cur.cpuMax = Math.max(cur.cpuMax, s.cpuMax);
    cur.memMax = Math.max(cur.memMax, s.memMax);
    cur.rxMax = Math.max(cur.rxMax, s.rxMax);
    cur.txMax = Math.max(cur.txMax, s.txMax);
    cur.diskPeak = s.diskPeak;
    cur.diskUsed = s.diskUsed;
    cur.diskTotal = s.diskTotal;
    cur.memTotal = s.memTotal;
    cur.swapTotal = s.swapTotal;
    cur.svcKnown |= s.svcKnown;
    cur.svcUp &= s.svcUp | ~s.svcKnown;
  }
  flush();
  for (const s of out) s.svcUp &= s.svcKnown;
  return out;
}

export class MetricsStore {
  constructor(readonly dir: string) {}

  private ensure(): void {
    mkdirSync(this.dir, { recursive: true });
  }

  /** Appends raw samples to their day's file. */
  append(samples: readonly Sample[]): void {
    this.ensure();
    const byDay = new Map<string, Sample[]>();
    for (const s of samples) byDay.set(dayOf(s.t), [...(byDay.get(dayOf(s.t)) ?? []), s]);
    for (const [day, list] of byDay) appendFileSync(join(this.dir, `${day}.bin`), encode(list));
  }

  /** Writes a closed day's one-minute records (used by compaction and by generators). */
  writeRolled(day: string, samples: readonly Sample[]): void {
    this.ensure();
    const file = join(this.dir, `${day}.m1.gz`);
    const merged = existsSync(file) ? [...decode(gunzipSync(readFileSync(file))), ...samples].sort((a, b) => a.t - b.t) : samples;
    writeFileSync(`${file}.tmp`, gzipSync(encode(rollup(merged, 60)), { level: 9 }));
    renameSync(`${file}.tmp`, file);
  }

  /** Rolls raw days older than `rawDays` into minute files and drops days older than `keepDays`. */
  compact(now = Date.now() / 1000, rawDays = 2, keepDays = 400): { rolled: string[]; removed: string[] } {
    const rolled: string[] = [];
    const removed: string[] = [];
    if (!existsSync(this.dir)) return { rolled, removed };
    const today = dayStart(dayOf(now));
    for (const f of readdirSync(this.dir)) {
      const m = /^(\d{4}-\d{2}-\d{2})\.(bin|m1\.gz)$/.exec(f);
      if (!m) continue;
      const age = (today - dayStart(m[1]!)) / 86400;
      if (age >= keepDays) {
        unlinkSync(join(this.dir, f));
        removed.push(f);
      } else if (m[2] === 'bin' && age >= rawDays) {
        this.writeRolled(m[1]!, decode(readFileSync(join(this.dir, f))));
        unlinkSync(join(this.dir, f));
        rolled.push(m[1]!);
      }
    }
    return { rolled, removed };
  }

  /** Every record with from ≤ t < to, oldest first. */
  read(from: number, to: number): Sample[] {
    if (!existsSync(this.dir)) return [];
    const first = dayOf(from);
    const last = dayOf(to);
    const out: Sample[] = [];
    for (const f of readdirSync(this.dir).sort()) {
      const m = /^(\d{4}-\d{2}-\d{2})\.(bin|m1\.gz)$/.exec(f);
      if (!m || m[1]! < first || m[1]! > last) continue;
      const raw = readFileSync(join(this.dir, f));
      decode(m[2] === 'bin' ? raw : gunzipSync(raw), out);
    }
    return out.filter((s) => s.t >= from && s.t < to).sort((a, b) => a.t - b.t);
  }

  /** Like `read`, as columns (what the report uses). */
  readColumns(from: number, to: number): Columns {
    if (!existsSync(this.dir)) return emptyColumns(0);
    const first = dayOf(from);
    const last = dayOf(to);
    const bufs: Buffer[] = [];
    for (const f of readdirSync(this.dir).sort()) {
      const m = /^(\d{4}-\d{2}-\d{2})\.(bin|m1\.gz)$/.exec(f);
      if (!m || m[1]! < first || m[1]! > last) continue;
      const raw = readFileSync(join(this.dir, f));
      bufs.push(m[2] === 'bin' ? raw : gunzipSync(raw));
    }
    let total = 0;
    for (const b of bufs) total += Math.floor(b.length / RECORD_BYTES);
    const c = emptyColumns(total);
    let n = 0;
    let sorted = true;
    for (const b of bufs) {
      const count = Math.floor(b.length / RECORD_BYTES);
      for (let i = 0; i < count; i++) {
        const o = i * RECORD_BYTES;
        const t = b.readUInt32LE(o);
        if (t < from || t >= to) continue;
        if (n > 0 && t < c.t[n - 1]!) sorted = false;
        for (let k = 0; k < LAYOUT.length; k++) {
          const col = LAYOUT[k]!;
          const at = o + col[1];
          const v = col[2] === 'u32' ? b.readUInt32LE(at) : col[2] === 'u16' ? b.readUInt16LE(at) : b.readFloatLE(at);
          c[col[0]][n] = col[3] < 1 ? v / 100 : v * col[3];
        }
        n++;
      }
    }
    const out = emptyColumns(n);
    const order = Array.from({ length: n }, (_, i) => i);
    if (!sorted) order.sort((a, b) => c.t[a]! - c.t[b]!);
    for (const f of FIELDS) for (let i = 0; i < n; i++) out[f][i] = c[f][order[i]!]!;
    return out;
  }

  /** Bytes used by the store. */
  size(): number {
    if (!existsSync(this.dir)) return 0;
    let total = 0;
    for (const f of readdirSync(this.dir)) total += readFileSync(join(this.dir, f)).length;
    return total;
  }

  /** Names of watched services, by bit; a new name gets the next bit. */
  serviceBit(name: string): number {
    const names = this.services();
    let i = names.indexOf(name);
    if (i < 0) {
      if (names.length >= MAX_SERVICES) return -1;
      names.push(name);
      i = names.length - 1;
      this.ensure();
      writeFileSync(join(this.dir, 'services.json'), JSON.stringify({ names }) + '\n');
    }
    return i;
  }

  services(): string[] {
    try {
      return (JSON.parse(readFileSync(join(this.dir, 'services.json'), 'utf8')) as { names: string[] }).names;
    } catch {
      return [];
    }
  }
}
