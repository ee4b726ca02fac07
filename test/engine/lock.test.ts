import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync, readFileSync, utimesSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { CloudyaError } from '../../engine/errors.js';
import { processStartTime, type LockInfo } from '../../engine/lock.js';
import { RunStore } from '../../engine/store.js';
import { ROOT, tmpDir } from '../helpers.js';

const STORE_JS = pathToFileURL(join(ROOT, 'dist', 'engine', 'store.js')).href;
const HAS_PROC = processStartTime(process.pid) !== undefined;

// A child that opens the run, tries the lock, prints {ok, staleFrom} or {code, message, hint},
// then holds (or not) until its stdin closes, and exits normally.
const LOCKER = `
import * as S from ${JSON.stringify(STORE_JS)};
import { existsSync } from 'node:fs';
const [home, id, go] = process.argv.slice(2);
if (go) { console.log('ready'); while (!existsSync(go)) await new Promise((r) => setTimeout(r, 2)); }
const store = S.RunStore.open(home, id);
try {
  const r = store.acquireLock();
  console.log(JSON.stringify({ ok: true, ...r }));
} catch (err) {
  console.log(JSON.stringify({ code: err.code, message: err.message, hint: err.hint }));
}
process.stdin.resume();
process.stdin.on('end', () => process.exit(0));
`;

function lockerFile(): string {
  const file = join(tmpDir('cloudya-lock-child-'), 'locker.mjs');
  writeFileSync(file, LOCKER);
  return file;
}

interface Locker { proc: ChildProcessWithoutNullStreams; lines: string[]; line(n: number): Promise<string>; exit: Promise<number | null> }

function startLocker(file: string, args: string[]): Locker {
  const proc = spawn(process.execPath, [file, ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
  const lines: string[] = [];
  let buf = '';
  const waiters: (() => void)[] = [];
  proc.stdout.on('data', (d: Buffer) => {
    buf += d.toString();
    const parts = buf.split('\n');
    buf = parts.pop()!;
    lines.push(...parts);
    waiters.splice(0).forEach((w) => w());
  });
  let stderr = '';
  proc.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const exit = new Promise<number | null>((resolve) => proc.on('close', (c) => resolve(c)));
  const line = async (n: number): Promise<string> => {
    while (lines.length <= n) {
      if (proc.exitCode !== null) throw new Error(`child exited: ${stderr}`);
      await new Promise<void>((r) => { waiters.push(r); setTimeout(r, 50); });
    }
    return lines[n]!;
  };
  return { proc, lines, line, exit };
}

function setup(): { home: string; store: RunStore; lockPath: string } {
  const home = tmpDir();
  const store = RunStore.create(home, { name: 'locked', file: '/x.yaml', source: '' });
  return { home, store, lockPath: join(store.dir, 'lock') };
}

function caught(fn: () => unknown): CloudyaError {
  try {
    fn();
  } catch (err) {
    assert.instance(err, CloudyaError);
    return err as CloudyaError;
  }
  assert.unreachable('expected a CloudyaError');
  throw new Error('unreachable');
}

/** The pid of a process that has already exited. */
async function deadPid(): Promise<number> {
  const p = spawn(process.execPath, ['-e', '0']);
  await new Promise((r) => p.on('close', r));
  return p.pid!;
}

test('acquire writes {pid, host, startedAt, processStart}; release removes only our own lock', () => {
  const { store, lockPath } = setup();
  assert.equal(store.acquireLock(), {});
  const info = JSON.parse(readFileSync(lockPath, 'utf8')) as LockInfo;
  assert.is(info.pid, process.pid);
  assert.is(info.host, hostname());
  assert.ok(Date.now() - Date.parse(info.startedAt) < 60_000);
  if (HAS_PROC) assert.is(info.processStart, processStartTime(process.pid));
  assert.equal(store.acquireLock(), {}, 'acquiring again in the holder is a no-op');
  store.releaseLock();
  assert.not.ok(existsSync(lockPath));
  store.releaseLock();

  store.acquireLock();
  const foreign = { ...info, pid: 1, startedAt: '2030-01-01T00:00:00.000Z' };
  writeFileSync(lockPath, JSON.stringify(foreign));
  store.releaseLock();
  assert.equal(JSON.parse(readFileSync(lockPath, 'utf8')), foreign, 'a lock we no longer hold is left alone');
});

test('a second store in the same process gets E_RUN_LOCKED', () => {
  const { home, store } = setup();
  store.acquireLock();
  const err = caught(() => RunStore.open(home, store.id).acquireLock());
  assert.is(err.code, 'E_RUN_LOCKED');
  assert.is(err.exitCode, 2);
  store.releaseLock();
  const other = RunStore.open(home, store.id);
  other.acquireLock();
  other.releaseLock();
});

test('another process gets E_RUN_LOCKED while we hold the lock, and the lock once we let go', async () => {
  const { home, store } = setup();
  const file = lockerFile();
  store.acquireLock();
  const blocked = startLocker(file, [home, store.id]);
  const r = JSON.parse(await blocked.line(0)) as { code: string; message: string; hint: string };
  blocked.proc.stdin.end();
  await blocked.exit;
  assert.is(r.code, 'E_RUN_LOCKED');
  assert.match(r.message, new RegExp(`^run ${store.id} is being driven by pid ${process.pid} on ${hostname()} since \\d{4}-`));
  assert.ok(r.hint.includes('taken over automatically'));

  store.releaseLock();
  const free = startLocker(file, [home, store.id]);
  assert.equal(JSON.parse(await free.line(0)), { ok: true });
  assert.is(JSON.parse(readFileSync(join(store.dir, 'lock'), 'utf8')).pid, free.proc.pid);
  free.proc.stdin.end();
  assert.is(await free.exit, 0);
  assert.not.ok(existsSync(join(store.dir, 'lock')), 'released on normal exit');
});

test('a lock left by a SIGKILLed process is taken over and reported as stale', async () => {
  const { home, store, lockPath } = setup();
  const holder = startLocker(lockerFile(), [home, store.id]);
  assert.equal(JSON.parse(await holder.line(0)), { ok: true });
  holder.proc.kill('SIGKILL');
  await holder.exit;
  assert.ok(existsSync(lockPath), 'no exit handler runs on SIGKILL');
  const r = store.acquireLock();
  assert.is(r.staleFrom?.pid, holder.proc.pid);
  assert.is(JSON.parse(readFileSync(lockPath, 'utf8')).pid, process.pid);
  store.releaseLock();
});

test('a lock with a dead pid on this host is taken over', async () => {
  const { store, lockPath } = setup();
  const stale: LockInfo = { pid: await deadPid(), host: hostname(), startedAt: '2030-01-01T00:00:00.000Z' };
  writeFileSync(lockPath, JSON.stringify(stale));
  assert.equal(store.acquireLock(), { staleFrom: stale });
  assert.not.ok(existsSync(`${lockPath}.takeover`));
  store.releaseLock();
});

test('pid reuse: a live pid whose start time differs from the lock is stale', async () => {
  if (!HAS_PROC) return;
  const { store, lockPath } = setup();
  const live = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 30000)']);
  try {
    const start = processStartTime(live.pid!);
    writeFileSync(lockPath, JSON.stringify({ pid: live.pid, host: hostname(), startedAt: 'then', processStart: start }));
    assert.is(caught(() => store.acquireLock()).code, 'E_RUN_LOCKED', 'same pid, same start: alive');
    const reused = { pid: live.pid!, host: hostname(), startedAt: 'then', processStart: start! - 1 };
    writeFileSync(lockPath, JSON.stringify(reused));
    assert.equal(store.acquireLock(), { staleFrom: reused });
    store.releaseLock();
  } finally {
    live.kill('SIGKILL');
  }
});

test('a lock from another host is E_RUN_LOCKED with a hint to delete it', () => {
  const { store, lockPath } = setup();
  writeFileSync(lockPath, JSON.stringify({ pid: 1, host: 'elsewhere.example', startedAt: '2030-01-01T00:00:00.000Z' }));
  const err = caught(() => store.acquireLock());
  assert.is(err.code, 'E_RUN_LOCKED');
  assert.is(err.message, `run ${store.id} is being driven by pid 1 on elsewhere.example since 2030-01-01T00:00:00.000Z`);
  assert.ok(err.hint!.includes(`delete ${lockPath}`), err.hint);
});

test('an empty or invalid lock: fresh means someone is creating it; old means debris and is replaced', () => {
  const { store, lockPath } = setup();
  writeFileSync(lockPath, '');
  assert.is(caught(() => store.acquireLock()).code, 'E_RUN_LOCKED');
  const old = new Date(Date.now() - 60_000);
  utimesSync(lockPath, old, old);
  assert.equal(store.acquireLock(), {});
  assert.is(JSON.parse(readFileSync(lockPath, 'utf8')).pid, process.pid);
  store.releaseLock();
  // pid 0 would make kill(0, 0) probe our own process group: such a lock is debris too.
  writeFileSync(lockPath, JSON.stringify({ pid: 0, host: hostname(), startedAt: 'then' }));
  utimesSync(lockPath, old, old);
  assert.equal(store.acquireLock(), {});
  store.releaseLock();
});

test('four processes racing for one stale lock: exactly one wins', async () => {
  const file = lockerFile();
  for (let round = 0; round < 3; round++) {
    const { home, store, lockPath } = setup();
    writeFileSync(lockPath, JSON.stringify({ pid: await deadPid(), host: hostname(), startedAt: 'then' }));
    const go = join(store.dir, `go-${round}`);
    const racers = Array.from({ length: 4 }, () => startLocker(file, [home, store.id, go]));
    for (const r of racers) assert.is(await r.line(0), 'ready');
    writeFileSync(go, '');
    const results = await Promise.all(racers.map(async (r) => JSON.parse(await r.line(1)) as { ok?: boolean; code?: string }));
    racers.forEach((r) => r.proc.stdin.end());
    await Promise.all(racers.map((r) => r.exit));
    assert.is(results.filter((r) => r.ok).length, 1, JSON.stringify(results));
    assert.ok(results.every((r) => r.ok || r.code === 'E_RUN_LOCKED'), JSON.stringify(results));
    assert.not.ok(existsSync(lockPath), 'the winner released it on exit');
    assert.not.ok(existsSync(`${lockPath}.takeover`));
  }
});

test.run();
