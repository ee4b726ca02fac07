// The run's append-only event log (runs/<id>/events.ndjson), one pino line per
// event. Lines are written synchronously, behind the next command's start
// (write-behind.ts), so a SIGKILL loses nothing from before that instant.
// pino (~40 ms to import) is required lazily, on the first open, so commands
// that only read runs (`runs list`) never load it.
import { appendFileSync, closeSync, fstatSync, openSync, readFileSync, readSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import type pinoModule from 'pino';
import type { RunEvent } from './events.js';
import { drainWrites, writeBehind } from './write-behind.js';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

export interface EventLog {
  /** One NDJSON line: `{level, time, type, ...event}`. */
  event(e: RunEvent): void;
  /** One NDJSON line: `{level, time, type: 'log', stepId?, ...data, msg}`. */
  log(level: LogLevel, stepId: string | undefined, msg: string, data?: Record<string, unknown>): void;
  close(): void;
}

const require = createRequire(import.meta.url);
let pinoCache: typeof pinoModule | undefined;
function loadPino(): typeof pinoModule {
  return (pinoCache ??= require('pino') as typeof pinoModule);
}

function levelOf(e: RunEvent): LogLevel {
  switch (e.type) {
    case 'step.failed':
    case 'compensation.failed':
      return 'error';
    case 'step.retrying':
      return 'warn';
    case 'run.finished':
      return e.error ? 'error' : 'info';
    case 'step.output':
      return 'debug';
    default:
      return 'info';
  }
}

/** After a crash the log may end in a torn line: end it, so the next line is not glued onto it. */
function endTornLine(path: string): void {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch {
    return;
  }
  try {
    const size = fstatSync(fd).size;
    const last = Buffer.alloc(1);
    if (size > 0 && readSync(fd, last, 0, 1, size - 1) === 1 && last[0] !== 0x0a) appendFileSync(path, '\n');
  } finally {
    closeSync(fd);
  }
}

export function openEventLog(path: string): EventLog {
  const pino = loadPino();
  endTornLine(path);
  let stamp = new Date().toISOString();
  const dest = pino.destination({ dest: path, sync: true, append: true, mkdir: true });
  const logger = pino(
    {
      level: 'debug',
      base: undefined,
      messageKey: 'msg',
      // The time a line was logged, not written (see write-behind.ts).
      timestamp: () => `,"time":"${stamp}"`,
      formatters: { level: (label) => ({ level: label }) },
    },
    dest,
  );
  let closed = false;
  const write = (at: string, line: () => void) => writeBehind('event log', () => {
    if (closed) return;
    stamp = at;
    line();
  });
  return {
    event(e) {
      if (!closed) write(new Date().toISOString(), () => logger[levelOf(e)](e));
    },
    log(level, stepId, msg, data) {
      if (closed) return;
      write(new Date().toISOString(), () => logger[level]({ ...data, type: 'log', ...(stepId === undefined ? {} : { stepId }) }, msg));
    },
    close() {
      if (closed) return;
      drainWrites();
      closed = true;
      dest.flushSync();
      dest.end();
    },
  };
}

/**
 * Parses an event log. A line that is not JSON (the torn end of a write cut
 * short by a crash, possibly followed by a resumed run's lines) is skipped.
 */
export function readEvents(dir: string): Record<string, unknown>[] {
  let text: string;
  try {
    text = readFileSync(join(dir, 'events.ndjson'), 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
  const out: Record<string, unknown>[] = [];
  for (const line of text.split('\n')) {
    if (line === '') continue;
    try {
      const value: unknown = JSON.parse(line);
      if (value && typeof value === 'object' && !Array.isArray(value)) out.push(value as Record<string, unknown>);
    } catch { /* torn line */ }
  }
  return out;
}
