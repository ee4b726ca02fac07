// The run's progress on stderr. On a terminal: a live frame (one line per step,
// a footer) redrawn by log-update on events and on a 100 ms timer. Elsewhere
// (CI, pipes): plain lines, one per meaningful event, never an escape code.
import type { RunEvent } from '../../engine/events.js';
import { formatDuration } from '../../engine/duration.js';
import { paint } from './color.js';
import { applyEvent, cleanLine, createModel, errorLine, oneLine, SYMBOLS, type RunModel } from './progress-model.js';
import { frameLines, waitText, type Styles } from './progress-frame.js';

export interface ProgressView {
  onEvent(e: RunEvent): void;
  /** A line of its own (e.g. "stopping…") that must not break the live frame. */
  note(text: string): void;
  /** Draws the final frame and leaves it on screen; stops the timer. Safe to call twice. */
  stop(): void;
  /** Settles once the terminal renderer is loaded (log-update is imported lazily). */
  ready?: Promise<void>;
  /** Clears the live frame and stops redrawing until `fn` settles (for a prompt). */
  hold<T>(fn: () => Promise<T>): Promise<T>;
}

export interface ProgressOptions {
  /** Default: process.stderr (stdout is for results). */
  stream?: NodeJS.WriteStream;
  /** Live frame when true; plain lines when false. Default: stream.isTTY. */
  tty?: boolean;
  /** Force colours on or off. Default: on a terminal, `paint.enabled` (honours NO_COLOR/FORCE_COLOR); plain lines: off. */
  color?: boolean;
  /** Clock for tests (ms). */
  now?: () => number;
}

const SGR: Record<keyof Styles, [number, number]> = { bold: [1, 22], dim: [2, 22], red: [31, 39], green: [32, 39], yellow: [33, 39], blue: [34, 39], cyan: [36, 39], gray: [90, 39] };

function stylesFor(color: boolean): Styles {
  if (color === paint.enabled) return paint;
  const out = {} as Styles;
  for (const [k, [open, close]] of Object.entries(SGR)) out[k as keyof Styles] = color ? (s) => `\x1b[${open}m${s}\x1b[${close}m` : (s) => s;
  return out;
}

export function createProgressView(opts: ProgressOptions = {}): ProgressView {
  const stream = opts.stream ?? process.stderr;
  const now = opts.now ?? Date.now;
  const tty = opts.tty ?? Boolean(stream.isTTY);
  return tty ? createLiveView(stream, now, stylesFor(opts.color ?? paint.enabled)) : createPlainView(stream, now, stylesFor(opts.color ?? false));
}

type LogUpdate = ((...text: string[]) => void) & { clear(): void; done(): void };

function createLiveView(stream: NodeJS.WriteStream, now: () => number, styles: Styles): ProgressView {
  const model = createModel();
  let log: LogUpdate | undefined;
  let stopped = false;
  let held = false;
  const frame = (full: boolean) =>
    frameLines(model, { now: now(), width: Math.max(20, (stream.columns || 80) - 1), styles, ...(full ? {} : { height: Math.max(4, stream.rows || 24) }) }).join('\n');
  const draw = () => {
    if (log && !stopped && !held && model.runId) log(frame(false));
  };
  // Importing log-update costs ~80 ms: only a terminal pays it, and the first frame waits for it.
  const ready = import('log-update').then(
    (m) => {
      if (stopped) return;
      log = m.createLogUpdate(stream) as LogUpdate;
      draw();
    },
    () => {}, // no live frame then; stop() still prints the final one
  );
  const timer = setInterval(draw, 100);
  timer.unref();
  return {
    ready,
    async hold(fn) {
      held = true;
      log?.clear();
      try {
        return await fn();
      } finally {
        held = false;
        draw();
      }
    },
    note(text) {
      // Above the live frame: log-update clears it, the line is written, the frame is redrawn.
      if (log && !stopped) {
        log.clear();
        stream.write(`${text}\n`);
        draw();
      } else stream.write(`${text}\n`);
    },
    onEvent(e) {
      applyEvent(model, e, now());
      // Output and progress lines can come in floods: the timer picks them up.
      if (e.type !== 'step.output' && e.type !== 'step.progress') draw();
    },
    stop() {
      if (stopped) return;
      stopped = true;
      clearInterval(timer);
      const text = frame(true);
      if (!log) {
        stream.write(`${text}\n`);
        return;
      }
      if (text.split('\n').length < (stream.rows || 24)) log(text);
      else {
        // Taller than the screen: log-update would clip it, so print it whole.
        log.clear();
        stream.write(`${text}\n`);
      }
      log.done();
    },
  };
}

function clock(ms: number): string {
  const d = new Date(ms);
  return [d.getHours(), d.getMinutes(), d.getSeconds()].map((n) => String(n).padStart(2, '0')).join(':');
}

const RUN_END: Record<string, string> = { succeeded: '✔', rolled_back: '↺' };

function plainLine(m: RunModel, e: RunEvent, s: Styles): string | undefined {
  const id = 'stepId' in e ? s.bold(e.stepId) : '';
  switch (e.type) {
    case 'run.started': {
      const done = e.steps.filter((x) => x.status === 'succeeded').length;
      return `▸ run ${s.bold(e.name)} ${e.mode === 'rollback' ? 'rollback started' : e.resumed ? 'resumed' : 'started'}: ${e.steps.length} step${e.steps.length === 1 ? '' : 's'}${e.resumed ? `, ${done} already succeeded` : ''} (${e.runId})`;
    }
    case 'step.started':
      return `▸ ${id} started${e.attempt > 1 ? ` (attempt ${e.attempt})` : ''}`;
    case 'step.retrying':
      return s.yellow(`${SYMBOLS.retrying} `) + `${id} retrying in ${waitText(e.delayMs)} (attempt ${e.attempt + 1}): ${oneLine(e.error.message)}`;
    case 'step.succeeded':
      return s.green(`${SYMBOLS.succeeded} `) + `${id} succeeded in ${formatDuration(e.durationMs)}`;
    case 'step.failed':
      return s.red(`${SYMBOLS.failed} `) + `${id} failed after ${formatDuration(e.durationMs)}: ${errorLine(e.error)}${e.continued ? ' (continuing)' : ''}`;
    case 'step.skipped':
      return s.gray(`${SYMBOLS.skipped} `) + `${id} skipped: ${oneLine(e.reason)}`;
    case 'step.progress':
      return `▸ ${id}: ${oneLine(e.message)}`;
    case 'step.cancelled':
      return s.yellow('⊘ ') + `${id} cancelled (runs again on resume)`;
    case 'compensation.started':
      return s.yellow(`${SYMBOLS.compensating} `) + `${id} compensating`;
    case 'compensation.succeeded':
      return s.blue(`${SYMBOLS.compensated} `) + `${id} compensated in ${formatDuration(e.durationMs)}`;
    case 'compensation.failed':
      return s.red(`${SYMBOLS.compensation_failed} `) + `${id} compensation failed: ${errorLine(e.error)}`;
    case 'run.status':
      return e.status === 'rolling_back' && m.status !== 'rolling_back' ? s.yellow(`${SYMBOLS.compensating} `) + 'rolling back' : undefined;
    case 'run.finished': {
      const sym = RUN_END[e.status] ?? SYMBOLS.failed;
      const paintSym = e.status === 'succeeded' ? s.green : e.status === 'rolled_back' ? s.blue : s.red;
      const verb = e.status === 'interrupted' ? 'after' : 'in';
      return paintSym(`${sym} `) + `run ${e.status.replace('_', ' ')} ${verb} ${formatDuration(e.durationMs)}${e.error ? `: ${errorLine(e.error)}` : ''}`;
    }
    case 'step.output':
      return undefined; // written by the view itself, without a timestamp
  }
}

function createPlainView(stream: NodeJS.WriteStream, now: () => number, s: Styles): ProgressView {
  const model = createModel();
  let idW = 0;
  let stopped = false;
  return {
    hold: (fn) => fn(),
    note(text) {
      stream.write(`${text}\n`);
    },
    onEvent(e) {
      if (stopped) return;
      if (e.type === 'run.started') idW = Math.min(28, Math.max(idW, ...e.steps.map((x) => x.id.length)));
      if (e.type === 'step.output') {
        stream.write(`  ${e.stepId.padEnd(idW)} ${s.dim('│')} ${cleanLine(e.line).trimEnd()}\n`);
        return;
      }
      const line = plainLine(model, e, s);
      applyEvent(model, e, now());
      if (line !== undefined) stream.write(`${s.dim(clock(now()))} ${line}\n`);
    },
    stop() {
      stopped = true;
    },
  };
}
