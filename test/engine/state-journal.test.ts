import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { appendFileSync, existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { tmpDir } from '../helpers.js';
import type { RunState, StepRecord } from '../../engine/state.js';

// Journal from the first write on (the production threshold is 32 KB of state).
process.env.CLOUDYA_STATE_SMALL_BYTES = '0';
const { StateWriter, replayJournal } = await import('../../engine/state-journal.js');

function initial(n: number): RunState {
  const steps: Record<string, StepRecord> = {};
  for (let i = 0; i < n; i++) steps[`s${i}`] = { status: 'pending', phase: 'main', type: 'sandbox', attempts: 0 };
  return { version: 1, runId: 'r', name: 'n', file: '/f', status: 'running', createdAt: 't', updatedAt: 't', params: {}, secretParams: [], options: { concurrency: 1, rollback: true }, seq: 1, resumes: 0, order: Object.keys(steps), steps };
}

/** One transition the way the machine makes it: a new record object and a new RunState. */
function succeed(s: RunState, id: string): RunState {
  s.steps[id] = { ...s.steps[id]!, status: 'succeeded', attempts: 1, outputs: { exitCode: 0 } };
  return { ...s, seq: s.seq + 1, updatedAt: `t${s.seq + 1}` };
}

const read = (dir: string): RunState => replayJournal(dir, JSON.parse(readFileSync(join(dir, 'state.json'), 'utf8')) as RunState);
const plain = (s: RunState) => JSON.parse(JSON.stringify(s));

test('transitions are appended to the journal and replayed on top of state.json', () => {
  const dir = tmpDir();
  const w = new StateWriter(dir, false);
  let s = initial(5);
  w.write(s);
  for (const id of ['s0', 's1', 's2']) w.write((s = succeed(s, id)));
  assert.ok(statSync(join(dir, 'state.journal')).size > 0);
  assert.is(JSON.parse(readFileSync(join(dir, 'state.json'), 'utf8')).seq, 1, 'state.json is the first snapshot');
  assert.equal(read(dir), plain(s));
  w.close();
});

test('a torn last journal line (crash mid-append) is ignored; earlier lines count', () => {
  const dir = tmpDir();
  const w = new StateWriter(dir, false);
  let s = initial(3);
  w.write(s);
  w.write((s = succeed(s, 's0')));
  const line = JSON.stringify({ seq: s.seq + 1, run: { status: 'succeeded', seq: s.seq + 1 }, steps: {} });
  appendFileSync(join(dir, 'state.journal'), line.slice(0, line.length >> 1));
  assert.equal(read(dir), plain(s));
  w.close();
});

test('once the journal is as large as state.json, and when the run ends, the journal is folded into state.json', () => {
  const dir = tmpDir();
  const w = new StateWriter(dir, false);
  // 1000 steps: more appends (~400) fit below the state's size than the 128 after which a checkpoint once came.
  let s = initial(1000);
  w.write(s);
  const stateBytes = statSync(join(dir, 'state.json')).size;
  const journal = () => (existsSync(join(dir, 'state.journal')) ? statSync(join(dir, 'state.journal')).size : 0);
  const snapSeq = () => (JSON.parse(readFileSync(join(dir, 'state.json'), 'utf8')) as RunState).seq;
  let i = 0;
  // Below the size of state.json: appended only.
  while (journal() + 200 < stateBytes) w.write((s = succeed(s, `s${i++}`)));
  assert.ok(i > 128, `${i} appends`);
  assert.is(snapSeq(), 1, 'no checkpoint while the journal is smaller than the state');
  assert.equal(read(dir), plain(s));
  // Growing past it: one checkpoint folds the journal in and empties it.
  let checkpointAt = 0;
  while (i < 999 && !checkpointAt) {
    w.write((s = succeed(s, `s${i++}`)));
    if (snapSeq() > 1) checkpointAt = journal();
  }
  assert.ok(snapSeq() > 1, 'a checkpoint was written');
  assert.ok(checkpointAt < 400, `the journal was emptied at the checkpoint (${checkpointAt} bytes left)`);
  assert.equal(read(dir), plain(s));
  w.write((s = { ...s, status: 'succeeded', seq: s.seq + 1 }));
  assert.equal(JSON.parse(readFileSync(join(dir, 'state.json'), 'utf8')), plain(s));
  assert.is(statSync(join(dir, 'state.journal')).size, 0);
  w.close();
});

test.run();
