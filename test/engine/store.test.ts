import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawn } from 'node:child_process';
import { appendFileSync, existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { CloudyaError } from '../../engine/errors.js';
import { RunStore, readEvents, serializeState } from '../../engine/store.js';
import type { RunState, StepRecord } from '../../engine/state.js';
import { ROOT, tmpDir } from '../helpers.js';

const STORE_JS = pathToFileURL(join(ROOT, 'dist', 'engine', 'store.js')).href;

function makeState(store: RunStore, n: number, createdAt = new Date().toISOString()): RunState {
  const order: string[] = [];
  const steps: Record<string, StepRecord> = {};
  for (let i = 0; i < n; i++) {
    const id = `step-${i}`;
    order.push(id);
    steps[id] = { status: 'pending', phase: i === n - 1 ? 'finally' : 'main', type: 'sandbox', attempts: 0 };
  }
  return {
    version: 1, runId: store.id, name: 'demo', file: '/tmp/demo.yaml', status: 'running', createdAt, updatedAt: createdAt,
    params: { region: 'eu-west-3', password: '***' }, secretParams: ['password'], options: { concurrency: 4, rollback: true },
    seq: 0, resumes: 0, order, steps,
  };
}

/** An immutable update, as the engine does it: the changed record is a new object. */
function finishStep(state: RunState, id: string, seq: number): RunState {
  const prev = state.steps[id]!;
  const record: StepRecord = { ...prev, status: 'succeeded', attempts: prev.attempts + 1, outputs: { stdout: `out ${id} "quoted" é\n`, n: seq }, completedSeq: seq, error: undefined };
  return { ...state, seq, updatedAt: new Date().toISOString(), steps: { ...state.steps, [id]: record } };
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

/** Runs an ESM snippet in a child node (with the store module as `S`); resolves its exit. */
function child(code: string, env: Record<string, string> = {}): Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }> {
  const dir = tmpDir('cloudya-store-child-');
  const file = join(dir, 'child.mjs');
  writeFileSync(file, `import * as S from ${JSON.stringify(STORE_JS)};\n${code}\n`);
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, [file], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    p.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    p.on('error', reject);
    p.on('close', (c, signal) => resolve({ code: c, signal, stdout, stderr }));
  });
}

test('create: a sortable unique id, the run dir and the frozen workflow source', () => {
  const home = tmpDir();
  const store = RunStore.create(home, { name: 'WordPress on AWS (eu-west-3) — production!', file: '/x.yaml', source: 'name: x\n' });
  assert.match(store.id, /^\d{8}-\d{6}-wordpress-on-aws-eu-west-[0-9a-f]{4}$/);
  assert.is(store.id.split('-').slice(2, -1).join('-').length <= 24, true);
  assert.is(store.dir, join(home, 'runs', store.id));
  assert.is(store.readWorkflowSource(), 'name: x\n');
  assert.is(store.readState(), undefined);
  assert.equal(readdirSync(store.dir), ['workflow.yaml']);
  const other = RunStore.create(home, { name: '!!!', file: '/x.yaml', source: '' });
  assert.match(other.id, /^\d{8}-\d{6}-run-[0-9a-f]{4}$/);
  assert.is.not(other.id, store.id);
});

test('open: exact id, unique prefix, ambiguous prefix, not found, last', () => {
  const home = tmpDir();
  const a = RunStore.create(home, { name: 'alpha', file: '/a.yaml', source: 'a' });
  const b = RunStore.create(home, { name: 'beta', file: '/b.yaml', source: 'b' });
  const c = RunStore.create(home, { name: 'beta', file: '/b.yaml', source: 'c' });
  a.writeState(makeState(a, 1, '2030-01-01T00:00:00.000Z'));
  c.writeState(makeState(c, 1, '2030-01-01T00:00:02.000Z'));
  b.writeState(makeState(b, 1, '2030-01-01T00:00:01.000Z'));

  assert.is(RunStore.open(home, b.id).dir, b.dir);
  assert.is(RunStore.open(home, a.id.slice(0, 20)).id, a.id);
  const twins = ['20300101-000000-dup-aaaa', '20300101-000000-dup-aaab'];
  for (const id of twins) mkdirSync(join(home, 'runs', id));
  const ambiguous = caught(() => RunStore.open(home, '20300101-000000-dup-aa'));
  assert.is(ambiguous.code, 'E_USAGE');
  assert.ok(ambiguous.message.includes(twins[0]!) && ambiguous.message.includes(twins[1]!), ambiguous.message);
  assert.equal(ambiguous.details!.candidates, twins);
  assert.is(RunStore.open(home, '20300101-000000-dup-aaab').id, twins[1]);

  const missing = caught(() => RunStore.open(home, '29991231-nope'));
  assert.is(missing.code, 'E_RUN_NOT_FOUND');
  assert.ok(missing.hint!.includes('cloudya runs list'));
  assert.is(caught(() => RunStore.open(home, '../../etc')).code, 'E_RUN_NOT_FOUND');
  assert.is(caught(() => RunStore.open(home, '')).code, 'E_RUN_NOT_FOUND');

  // `last` orders by createdAt, not by the random suffix of ids made in the same second.
  assert.is(RunStore.open(home, 'last').id, c.id);
  writeFileSync(join(c.dir, 'state.json'), '{ torn');
  assert.is(RunStore.open(home, 'last').id, b.id);
  assert.is(caught(() => RunStore.open(tmpDir(), 'last')).code, 'E_RUN_NOT_FOUND');
});

test('list: newest first, skipping runs without a readable state', () => {
  const home = tmpDir();
  assert.equal(RunStore.list(home), []);
  const ids: string[] = [];
  for (let i = 0; i < 4; i++) {
    const s = RunStore.create(home, { name: `run ${i}`, file: '/x.yaml', source: '' });
    s.writeState(makeState(s, 2, `2030-01-0${i + 1}T00:00:00.000Z`));
    ids.push(s.id);
  }
  RunStore.create(home, { name: 'no state yet', file: '/x.yaml', source: '' });
  const broken = RunStore.create(home, { name: 'broken', file: '/x.yaml', source: '' });
  writeFileSync(join(broken.dir, 'state.json'), '[1, 2');
  const wrong = RunStore.create(home, { name: 'wrong', file: '/x.yaml', source: '' });
  writeFileSync(join(wrong.dir, 'state.json'), '{"version": 7}');
  writeFileSync(join(home, 'runs', 'stray-file'), 'x');
  assert.equal(RunStore.list(home).map((s) => s.runId), ids.reverse());
  assert.is(caught(() => RunStore.open(home, broken.id).readState()).code, 'E_RUN_STATE');
});

test('writeState/readState: a JSON round trip, across immutable partial updates', () => {
  const home = tmpDir();
  const store = RunStore.create(home, { name: 'rt', file: '/x.yaml', source: '' });
  let state = makeState(store, 50);
  state.steps['step-3'] = { ...state.steps['step-3']!, skipReason: undefined, error: { code: 'E_X', message: 'line1\nline2 \u2028' } };
  for (let seq = 1; seq <= 30; seq++) {
    state = finishStep(state, `step-${(seq * 7) % 50}`, seq);
    if (seq === 10) state = { ...state, status: 'failed', error: { code: 'E_STEP_FAILED', message: 'boom', hint: 'h' }, endedAt: 'now' };
    store.writeState(state);
    const back = RunStore.open(home, store.id).readState();
    assert.equal(back, JSON.parse(JSON.stringify(state)));
    assert.is(readFileSync(join(store.dir, 'state.json'), 'utf8'), JSON.stringify(state));
  }
  assert.equal(readdirSync(store.dir).sort(), ['state.json', 'workflow.yaml']);
});

test('serializeState: byte-identical to JSON.stringify for a 1000-step state (timing printed, not asserted)', () => {
  const store = RunStore.create(tmpDir(), { name: 'big', file: '/x.yaml', source: '' });
  let state = makeState(store, 1000);
  serializeState(state);
  const started = performance.now();
  for (let seq = 1; seq <= 200; seq++) {
    state = finishStep(state, `step-${(seq * 13) % 1000}`, seq);
    const bytes = serializeState(state);
    if (seq % 50 === 0) assert.equal(JSON.parse(bytes.toString()), JSON.parse(JSON.stringify(state)));
    assert.ok(bytes.equals(Buffer.from(JSON.stringify(state))), `seq ${seq}`);
  }
  const perWrite = performance.now() - started;
  let writes = 0;
  const t0 = performance.now();
  for (let seq = 201; seq <= 300; seq++, writes++) store.writeState((state = finishStep(state, `step-${seq}`, seq)));
  const ms = (performance.now() - t0) / writes;
  console.log(`  (1000 steps, ${statSync(join(store.dir, 'state.json')).size} B: serialize+check ${(perWrite / 200).toFixed(2)} ms, writeState ${ms.toFixed(2)} ms)`);
  assert.equal(store.readState(), JSON.parse(JSON.stringify(state)));
});

test('a leftover temp file is ignored by readState and removed by the next writeState', () => {
  const home = tmpDir();
  const store = RunStore.create(home, { name: 'tmp', file: '/x.yaml', source: '' });
  const state = makeState(store, 3);
  store.writeState(state);
  writeFileSync(join(store.dir, 'state.json.4242.tmp'), '{"version":1, "torn');
  const reopened = RunStore.open(home, store.id);
  assert.equal(reopened.readState(), JSON.parse(JSON.stringify(state)));
  assert.equal(RunStore.list(home).length, 1);
  reopened.writeState({ ...state, seq: 9 });
  assert.not.ok(existsSync(join(store.dir, 'state.json.4242.tmp')));
  assert.is(reopened.readState()!.seq, 9);
});

test('stepDir: created on demand under steps/, path-like ids refused', () => {
  const store = RunStore.create(tmpDir(), { name: 'dirs', file: '/x.yaml', source: '' });
  const dir = store.stepDir('build_1');
  assert.is(dir, join(store.dir, 'steps', 'build_1'));
  assert.ok(statSync(dir).isDirectory());
  assert.is(store.stepDir('build_1'), dir);
  for (const bad of ['..', '../x', 'a/b', '']) assert.is(caught(() => store.stepDir(bad)).code, 'E_INTERNAL');
});

const WRITER = `
const store = S.RunStore.open(process.env.HOME_DIR, process.env.RUN_ID);
const base = store.readState();
for (let seq = 1; seq <= 5; seq++) store.writeState({ ...base, seq });
console.log('survived');
`;

test('CLOUDYA_FAULT=kill-after-write:3: the writer dies by SIGKILL and state.json holds write #3', async () => {
  const home = tmpDir();
  const store = RunStore.create(home, { name: 'crash', file: '/x.yaml', source: '' });
  store.writeState(makeState(store, 20));
  const r = await child(WRITER, { HOME_DIR: home, RUN_ID: store.id, CLOUDYA_FAULT: 'kill-after-write:3' });
  assert.is(r.signal, 'SIGKILL', r.stderr);
  assert.is(r.stdout, '');
  assert.is(JSON.parse(readFileSync(join(store.dir, 'state.json'), 'utf8')).seq, 3);
  assert.is(store.readState()!.seq, 3);
});

test('CLOUDYA_FAULT=kill-before-rename:2: state.json still holds write #1; the temp is ignored, then cleaned', async () => {
  const home = tmpDir();
  const store = RunStore.create(home, { name: 'crash', file: '/x.yaml', source: '' });
  store.writeState(makeState(store, 20));
  const r = await child(WRITER, { HOME_DIR: home, RUN_ID: store.id, CLOUDYA_FAULT: 'kill-before-rename:2' });
  assert.is(r.signal, 'SIGKILL', r.stderr);
  assert.is(JSON.parse(readFileSync(join(store.dir, 'state.json'), 'utf8')).seq, 1);
  const temps = readdirSync(store.dir).filter((f) => f.endsWith('.tmp'));
  assert.is(temps.length, 1);
  assert.is(JSON.parse(readFileSync(join(store.dir, temps[0]!), 'utf8')).seq, 2, 'the temp was complete and fsynced');
  const again = RunStore.open(home, store.id);
  assert.is(again.readState()!.seq, 1);
  again.writeState({ ...again.readState()!, seq: 2 });
  assert.equal(readdirSync(store.dir).filter((f) => f.endsWith('.tmp')), []);
});

// Lines are written behind (engine/write-behind.ts): on the next turn of the event
// loop, or as soon as the next command is sent. From then on a SIGKILL cannot lose them.
test('event log: lines written behind survive a SIGKILL of the writer; a torn last line is tolerated and ended', async () => {
  const home = tmpDir();
  const store = RunStore.create(home, { name: 'events', file: '/x.yaml', source: '' });
  const r = await child(`
const store = S.RunStore.open(process.env.HOME_DIR, process.env.RUN_ID);
const log = store.openEventLog();
for (let i = 1; i <= 50; i++) log.event({ type: 'step.started', stepId: 's' + i, attempt: 1 });
log.event({ type: 'step.failed', stepId: 's1', attempt: 1, durationMs: 5, error: { code: 'E_X', message: 'no' }, continued: false });
log.log('warn', 's2', 'disk is slow', { ms: 12 });
log.log('debug', undefined, 'quiet');
await new Promise((r) => setImmediate(r));
process.kill(process.pid, 'SIGKILL');
`, { HOME_DIR: home, RUN_ID: store.id });
  assert.is(r.signal, 'SIGKILL', r.stderr);
  let events = readEvents(store.dir);
  assert.is(events.length, 53);
  const first = events[0]!;
  assert.equal(Object.keys(first), ['level', 'time', 'type', 'stepId', 'attempt']);
  assert.is(first.level, 'info');
  assert.match(String(first.time), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
  assert.equal({ ...events[50], time: 0 }, { level: 'error', time: 0, type: 'step.failed', stepId: 's1', attempt: 1, durationMs: 5, error: { code: 'E_X', message: 'no' }, continued: false });
  assert.equal({ ...events[51], time: 0 }, { level: 'warn', time: 0, type: 'log', stepId: 's2', ms: 12, msg: 'disk is slow' });
  assert.equal({ ...events[52], time: 0 }, { level: 'debug', time: 0, type: 'log', msg: 'quiet' });

  appendFileSync(join(store.dir, 'events.ndjson'), '{"level":"info","time":"2030-01-0');
  assert.is(readEvents(store.dir).length, 53);
  const log = store.openEventLog();
  log.event({ type: 'run.status', status: 'interrupted' });
  log.close();
  log.close();
  events = readEvents(store.dir);
  assert.is(events.length, 54);
  assert.is(events[53]!.status, 'interrupted');
  assert.equal(readEvents(tmpDir()), []);
});

test('event log: lines still queued when the process exits (process.exit, an uncaught error) are written', async () => {
  const home = tmpDir();
  const store = RunStore.create(home, { name: 'events', file: '/x.yaml', source: '' });
  for (const end of ['process.exit(3)', "throw new Error('boom')"]) {
    const r = await child(`
const store = S.RunStore.open(process.env.HOME_DIR, process.env.RUN_ID);
const log = store.openEventLog();
log.event({ type: 'step.started', stepId: 'last', attempt: 1 });
${end};
`, { HOME_DIR: home, RUN_ID: store.id });
    assert.ok(r.code !== 0 && r.code !== null, r.stderr);
  }
  assert.equal(readEvents(store.dir).map((e) => e.stepId), ['last', 'last']);
});

test('store.js does not load pino until an event log is opened', async () => {
  const home = tmpDir();
  mkdirSync(join(home, 'runs'));
  const r = await child(`
import { createRequire } from 'node:module';
const cache = createRequire(import.meta.url).cache;
const pinoLoaded = () => Object.keys(cache).some((k) => /[\\\\/]node_modules[\\\\/]pino[\\\\/]/.test(k));
S.RunStore.list(process.env.HOME_DIR);
const before = pinoLoaded();
const store = S.RunStore.create(process.env.HOME_DIR, { name: 'x', file: '/x', source: '' });
store.openEventLog().close();
console.log(JSON.stringify({ before, after: pinoLoaded() }));
`, { HOME_DIR: home });
  assert.is(r.code, 0, r.stderr);
  assert.equal(JSON.parse(r.stdout), { before: false, after: true });
});

test.run();
