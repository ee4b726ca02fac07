process.env.TZ = 'UTC'; // the plain lines' clock; set before any Date is made
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { execFileSync, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import type { RunEvent } from '../../engine/events.js';
import { createProgressView } from '../../src/output/progress.js';
import { FIXTURES } from '../helpers.js';

const T0 = Date.UTC(2024, 0, 1, 12, 0, 1);

function fakeStream(o: { isTTY: boolean; columns?: number; rows?: number }) {
  const s = { ...o, out: '', write(chunk: string) { s.out += chunk; return true; } };
  return s;
}
const asStream = (s: ReturnType<typeof fakeStream>) => s as unknown as NodeJS.WriteStream;

/** Replays what log-update writes (text, \n, cursor up/down/left, erase line) onto a grid of lines. */
function screenOf(out: string): string[] {
  const lines: string[] = [''];
  let row = 0;
  let col = 0;
  const put = (ch: string) => {
    const chars = [...(lines[row] ?? '')];
    while (chars.length < col) chars.push(' ');
    chars[col] = ch;
    lines[row] = chars.join('');
    col++;
  };
  const re = /\x1b\[([?\d;]*)([A-Za-z])|\n|[^\x1b\n]/gu;
  for (const m of out.matchAll(re)) {
    if (m[0] === '\n') {
      row++;
      col = 0;
      while (lines.length <= row) lines.push('');
    } else if (m[2] !== undefined) {
      const n = Number(m[1] || 1);
      if (m[2] === 'A') row = Math.max(0, row - n);
      else if (m[2] === 'B') row += n;
      else if (m[2] === 'G') col = 0;
      else if (m[2] === 'K') lines[row] = m[1] === '2' ? '' : [...(lines[row] ?? '')].slice(0, col).join('');
      while (lines.length <= row) lines.push('');
    } else put(m[0]);
  }
  while (lines.length && lines[lines.length - 1]!.trim() === '') lines.pop();
  return lines;
}

const err = (code: string, message: string) => ({ code, message });
const EVENTS: RunEvent[] = [
  { type: 'run.started', runId: 'r-1', name: 'demo', resumed: false, mode: 'start', steps: [
    { id: 'build', type: 'shell', phase: 'main', status: 'pending' },
    { id: 'test', type: 'sandbox', phase: 'main', status: 'pending' },
    { id: 'deploy', type: 'terraform', phase: 'main', status: 'pending' },
    { id: 'notify-the-whole-team-by-mail', type: 'http', phase: 'main', status: 'pending' },
    { id: 'cleanup', type: 'shell', phase: 'finally', status: 'pending' },
  ] },
  { type: 'step.started', stepId: 'build', attempt: 1 },
  { type: 'step.output', stepId: 'build', stream: 'stdout', line: 'compiling \x1b[32m42\x1b[39m files' },
  { type: 'step.output', stepId: 'build', stream: 'stderr', line: 'warning: old API' },
  { type: 'step.succeeded', stepId: 'build', attempt: 1, durationMs: 1234 },
  { type: 'step.started', stepId: 'test', attempt: 1 },
  { type: 'step.retrying', stepId: 'test', attempt: 1, delayMs: 2000, error: err('E_COMMAND_FAILED', 'exit code 1') },
  { type: 'step.started', stepId: 'test', attempt: 2 },
  { type: 'step.progress', stepId: 'test', message: '12/40 passed' },
  { type: 'step.succeeded', stepId: 'test', attempt: 2, durationMs: 4200 },
  { type: 'step.started', stepId: 'deploy', attempt: 1 },
  { type: 'step.failed', stepId: 'deploy', attempt: 1, durationMs: 185_000, error: err('E_COMMAND_FAILED', 'exit code 1: terraform apply\nmore detail'), continued: false },
  { type: 'step.skipped', stepId: 'notify-the-whole-team-by-mail', reason: 'a step it needs failed' },
  { type: 'step.started', stepId: 'cleanup', attempt: 1 },
  { type: 'step.succeeded', stepId: 'cleanup', attempt: 1, durationMs: 120 },
  { type: 'run.status', status: 'failed' },
  { type: 'run.status', status: 'rolling_back' },
  { type: 'compensation.started', stepId: 'build' },
  { type: 'compensation.succeeded', stepId: 'build', durationMs: 300 },
  { type: 'run.finished', runId: 'r-1', status: 'rolled_back', durationMs: 191_000, error: err('E_COMMAND_FAILED', 'exit code 1: terraform apply') },
];

test('plain mode: one line per meaningful event, output prefixed by step id, no ANSI', () => {
  const s = fakeStream({ isTTY: false });
  const view = createProgressView({ stream: asStream(s), tty: false, now: () => T0 });
  for (const e of EVENTS) view.onEvent(e);
  view.stop();
  assert.not.match(s.out, '\x1b');
  assert.equal(s.out.split('\n'), [
    '12:00:01 ▸ run demo started: 5 steps (r-1)',
    '12:00:01 ▸ build started',
    `  ${'build'.padEnd(28)} │ compiling 42 files`,
    `  ${'build'.padEnd(28)} │ warning: old API`,
    '12:00:01 ✔ build succeeded in 1.2s',
    '12:00:01 ▸ test started',
    '12:00:01 ↻ test retrying in 2s (attempt 2): exit code 1',
    '12:00:01 ▸ test started (attempt 2)',
    '12:00:01 ▸ test: 12/40 passed',
    '12:00:01 ✔ test succeeded in 4.2s',
    '12:00:01 ▸ deploy started',
    '12:00:01 ✖ deploy failed after 3m 05s: E_COMMAND_FAILED exit code 1: terraform apply',
    '12:00:01 ↷ notify-the-whole-team-by-mail skipped: a step it needs failed',
    '12:00:01 ▸ cleanup started',
    '12:00:01 ✔ cleanup succeeded in 120ms',
    '12:00:01 ⟲ rolling back',
    '12:00:01 ⟲ build compensating',
    '12:00:01 ↺ build compensated in 300ms',
    '12:00:01 ↺ run rolled back in 3m 11s: E_COMMAND_FAILED exit code 1: terraform apply',
    '',
  ]);
});

test('plain mode: a failed run and an interrupted one', () => {
  const s = fakeStream({ isTTY: false });
  const view = createProgressView({ stream: asStream(s), tty: false, now: () => T0 });
  view.onEvent({ type: 'run.started', runId: 'r-2', name: 'x', resumed: true, mode: 'resume', steps: [{ id: 'a', type: 'shell', phase: 'main', status: 'succeeded' }, { id: 'b', type: 'shell', phase: 'main', status: 'pending' }] });
  view.onEvent({ type: 'step.failed', stepId: 'b', attempt: 3, durationMs: 50, error: err('E_TIMEOUT', 'timed out'), continued: true });
  view.onEvent({ type: 'run.finished', runId: 'r-2', status: 'interrupted', durationMs: 2000 });
  view.stop();
  assert.equal(s.out.trimEnd().split('\n'), [
    '12:00:01 ▸ run x resumed: 2 steps, 1 already succeeded (r-2)',
    '12:00:01 ✖ b failed after 50ms: E_TIMEOUT timed out (continuing)',
    '12:00:01 ✖ run interrupted after 2.0s',
  ]);
});

const SYMBOL_OF: Record<string, string> = { build: '↺', test: '✔', deploy: '✖', notify: '↷', cleanup: '✔' };

function assertFinalFrame(screen: string[], columns: number, details = true): void {
  for (const line of screen) assert.ok([...line].length <= columns, `longer than ${columns}: ${JSON.stringify(line)}`);
  for (const [id, sym] of Object.entries(SYMBOL_OF)) {
    assert.ok(screen.some((l) => l.startsWith(`  ${sym} ${id.slice(0, 8)}`)), `no '${sym} ${id}' line in:\n${screen.join('\n')}`);
  }
  assert.ok(screen.some((l) => l.includes('── finally ──')));
  if (details) {
    assert.ok(screen.some((l) => /^ {2}✔ test .*attempt 2$/.test(l)), 'the retried step shows its attempt');
    assert.ok(screen.some((l) => /^ {2}✖ deploy .*3m 05s {2}E_COMMAND_FAILED .*…$/.test(l)), "the failed step shows the error's first line, cut");
  }
  assert.match(screen[screen.length - 1]!, /run rolled back/);
}

test('tty mode through log-update: the final frame has every step with its symbol, cut to the width', async () => {
  const s = fakeStream({ isTTY: true, columns: 72, rows: 30 });
  let t = T0;
  const view = createProgressView({ stream: asStream(s), tty: true, color: true, now: () => (t += 50) });
  await view.ready;
  for (const e of EVENTS) view.onEvent(e);
  view.stop();
  view.stop();
  assert.match(s.out, '\x1b[32m', 'colour was forced on');
  const screen = screenOf(s.out.replace(/\x1b\[[\d;]*m/g, ''));
  assertFinalFrame(screen, 72);
  assert.ok(screen.some((l) => l.endsWith('…')), 'long lines are cut with an ellipsis');
});

test('tty mode stopped before log-update loads still prints the final frame', () => {
  const s = fakeStream({ isTTY: true, columns: 44, rows: 30 });
  const view = createProgressView({ stream: asStream(s), tty: true, color: false, now: () => T0 });
  for (const e of EVENTS) view.onEvent(e);
  view.stop();
  assert.not.match(s.out, '\x1b');
  assertFinalFrame(screenOf(s.out), 44, false);
});

test('tty mode: a frame taller than the screen keeps active steps and counts the rest', async () => {
  const s = fakeStream({ isTTY: true, columns: 80, rows: 8 });
  const view = createProgressView({ stream: asStream(s), tty: true, color: false, now: () => T0 });
  await view.ready;
  const steps = Array.from({ length: 20 }, (_, i) => ({ id: `s${i}`, type: 'shell', phase: 'main' as const, status: 'succeeded' as const }));
  view.onEvent({ type: 'run.started', runId: 'r', name: 'big', resumed: true, mode: 'resume', steps });
  view.onEvent({ type: 'step.started', stepId: 's19', attempt: 1 });
  const live = screenOf(s.out);
  assert.ok(live.length <= 8, live.join('\n'));
  assert.ok(live.some((l) => l.includes('s19')), 'the running step is shown');
  assert.ok(live.some((l) => /… \d+ more steps/.test(l)));
  view.onEvent({ type: 'step.succeeded', stepId: 's19', attempt: 1, durationMs: 5 });
  view.onEvent({ type: 'run.finished', runId: 'r', status: 'succeeded', durationMs: 10 });
  view.stop();
  const final = screenOf(s.out);
  for (let i = 0; i < 20; i++) assert.ok(final.some((l) => l.startsWith(`  ✔ s${i} `)), `s${i} in the final frame`);
});

test('in a real terminal (tmux): the screen ends with every step line and its symbol', () => {
  const probe = spawnSync('tmux', ['-V'], { encoding: 'utf8' });
  if (probe.error || probe.status !== 0) {
    assert.unreachable(`tmux is needed for this test and was not found (${probe.error?.message ?? probe.stderr}); install it: apt-get install tmux`);
  }
  const socket = `cloudya-progress-${process.pid}`;
  const demo = join(FIXTURES, 'progress', 'demo.mjs');
  const q = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;
  const tmux = (...args: string[]) => execFileSync('tmux', ['-L', socket, ...args], { encoding: 'utf8' });
  try {
    tmux('new-session', '-d', '-s', 'demo', '-x', '100', '-y', '20', `${q(process.execPath)} ${q(demo)} 40; echo __DONE__; sleep 60`);
    let screen = '';
    const until = Date.now() + 20_000;
    while (Date.now() < until) {
      screen = tmux('capture-pane', '-p', '-t', 'demo');
      if (screen.includes('__DONE__')) break;
      spawnSync('sleep', ['0.1']);
    }
    assert.match(screen, '__DONE__', `the demo did not finish:\n${screen}`);
    const lines = screen.split('\n');
    for (const l of lines) assert.ok([...l].length <= 100, l);
    for (const [id, sym] of [['fetch', '✔'], ['build', '↺'], ['unit-tests', '✔'], ['deploy', '✖'], ['notify', '↷'], ['cleanup', '✔']]) {
      assert.ok(lines.some((l) => l.startsWith(`  ${sym} ${id} `)), `no '${sym} ${id}' line on the screen:\n${screen}`);
    }
    assert.ok(lines.some((l) => /^ {2}✖ deploy .*E_COMMAND_FAILED exit code 1: terraform apply$/.test(l)), screen);
    assert.ok(lines.some((l) => /run rolled back/.test(l)), screen);
    // one frame, not a scroll of frames: the header appears once
    assert.is(lines.filter((l) => l.startsWith('▸ progress-demo')).length, 1, screen);
  } finally {
    spawnSync('tmux', ['-L', socket, 'kill-server']);
  }
});

test.run();
