// The metrics store: record layout round trip, rollups, compaction of old days, ranges.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { appendFileSync, existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { tmpDir } from '../../helpers.js';
import { MetricsStore, RECORD_BYTES, decode, encode, rollup, type Sample } from '../../../src/monitor/store.js';

const base = (t: number, over: Partial<Sample> = {}): Sample => ({
  t, span: 1, n: 1, cpu: 12.34, cpuMax: 12.34, load: 0.5, diskPeak: 42.5, memTotal: 8 * 1024 ** 3, memUsed: 2 * 1024 ** 3, memMax: 2 * 1024 ** 3,
  swapTotal: 0, swapUsed: 0, diskTotal: 100 * 1024 ** 3, diskUsed: 40 * 1024 ** 3, diskRead: 1000, diskWrite: 2000, rx: 300, tx: 400, rxMax: 300, txMax: 400, svcKnown: 1, svcUp: 1, ...over,
});

test('a record is 72 bytes and survives a round trip', () => {
  const s = base(1_764_000_000);
  const buf = encode([s]);
  assert.is(buf.length, RECORD_BYTES);
  const [d] = decode(buf);
  assert.is(d!.t, s.t);
  assert.is(d!.cpu, 12.34);
  assert.is(d!.memUsed, s.memUsed);
  assert.is(d!.diskUsed, s.diskUsed);
  assert.is(d!.rx, 300);
  assert.is(d!.svcUp, 1);
});

test('a torn last record (a crash mid-append) is ignored', () => {
  const buf = encode([base(1), base(2)]);
  assert.is(decode(buf.subarray(0, RECORD_BYTES + 10)).length, 1);
});

test('rollup: time-weighted averages, maxima kept, a service counts up only if up throughout', () => {
  const t0 = 1_764_000_000 - (1_764_000_000 % 60);
  const raw = Array.from({ length: 120 }, (_, i) => base(t0 + i, { cpu: i < 60 ? 10 : 30, cpuMax: i === 70 ? 99 : i < 60 ? 10 : 30, svcUp: i === 90 ? 0 : 1 }));
  const m = rollup(raw, 60);
  assert.is(m.length, 2);
  assert.is(m[0]!.t, t0);
  assert.is(m[0]!.span, 60);
  assert.is(m[0]!.n, 60);
  assert.is(m[0]!.cpu, 10);
  assert.is(m[1]!.cpu, 30);
  assert.is(m[1]!.cpuMax, 99);
  assert.is(m[0]!.svcUp, 1);
  assert.is(m[1]!.svcUp, 0);
  assert.is(m[1]!.svcKnown, 1);
});

test('compaction rolls old raw days into gzipped minute files, keeps recent ones, drops expired ones', () => {
  const dir = join(tmpDir(), 'metrics');
  const store = new MetricsStore(dir);
  const now = Date.UTC(2026, 10, 25, 12) / 1000;
  const old = now - 3 * 86400;
  store.append(Array.from({ length: 600 }, (_, i) => base(old + i)));
  store.append([base(now - 60), base(now - 59)]);
  store.writeRolled('2025-01-01', [base(Date.UTC(2025, 0, 1) / 1000)]);
  const { rolled, removed } = store.compact(now, 2, 400);
  assert.equal(rolled, ['2026-11-22']);
  assert.equal(removed, ['2025-01-01.m1.gz']);
  const files = readdirSync(dir).sort();
  assert.equal(files, ['2026-11-22.m1.gz', '2026-11-25.bin']);
  const back = store.read(old - 3600, now);
  assert.is(back.length, 10 + 2);
  assert.is(back[0]!.span, 60);
  assert.is(back[10]!.span, 1);
  // A rolled-up day is small: 10 minutes of records, gzipped.
  assert.ok(statSync(join(dir, '2026-11-22.m1.gz')).size < 10 * RECORD_BYTES);
});

test('read returns the range only, oldest first, across days', () => {
  const dir = join(tmpDir(), 'metrics');
  const store = new MetricsStore(dir);
  const t = Date.UTC(2026, 10, 24, 23, 59, 58) / 1000;
  store.append([base(t), base(t + 1), base(t + 2), base(t + 3)]);
  assert.ok(existsSync(join(dir, '2026-11-24.bin')) && existsSync(join(dir, '2026-11-25.bin')));
  assert.equal(store.read(t + 1, t + 3).map((s) => s.t), [t + 1, t + 2]);
  appendFileSync(join(dir, '2026-11-25.bin'), Buffer.alloc(5));
  assert.is(store.read(t, t + 10).length, 4);
});

test('readColumns gives the same records as read, as typed arrays', () => {
  const dir = join(tmpDir(), 'metrics');
  const store = new MetricsStore(dir);
  const now = Date.UTC(2026, 10, 25, 12) / 1000;
  store.append(Array.from({ length: 90 }, (_, i) => base(now - 3 * 86400 + i, { cpu: i % 7, rx: i * 1.5 })));
  store.compact(now);
  store.append([base(now - 5, { cpu: 55.55 })]);
  const rows = store.read(0, now);
  const cols = store.readColumns(0, now);
  assert.is(cols.length, rows.length);
  assert.ok(cols.cpu instanceof Float64Array);
  rows.forEach((r, i) => {
    assert.is(cols.t[i], r.t);
    assert.is(cols.cpu[i], r.cpu);
    assert.is(cols.rx[i], r.rx);
    assert.is(cols.memUsed[i], r.memUsed);
  });
});

test('services get stable bits', () => {
  const store = new MetricsStore(join(tmpDir(), 'metrics'));
  assert.is(store.serviceBit('nginx'), 0);
  assert.is(store.serviceBit('mysql'), 1);
  assert.is(store.serviceBit('nginx'), 0);
  assert.equal(store.services(), ['nginx', 'mysql']);
});

test.run();
