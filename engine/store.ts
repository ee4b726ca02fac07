// The on-disk run store: $CLOUDYA_HOME/runs/<runId>/ holds workflow.yaml (the
// frozen source), state.json (the RunState, replaced atomically after every
// transition), events.ndjson (append-only), lock (while a process drives the
// run) and steps/<stepId>/ (private work dirs).
//
// Test hook — fault injection for crash tests: CLOUDYA_FAULT=
//   kill-after-write:N   SIGKILL this process right after its Nth writeState rename
//   kill-before-rename:N SIGKILL on the Nth writeState, after the temp file is
//                        written and fsynced but before it is renamed over state.json
// CLOUDYA_STORE_CHECK=1 compares every fragment-assembled state.json with
// JSON.stringify(state) and throws E_INTERNAL on a difference (catches a
// StepRecord mutated in place, which the fragment cache cannot see).
import { closeSync, fsyncSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, unlinkSync, writeSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { CloudyaError } from './errors.js';
import { openEventLog, type EventLog } from './event-log.js';
import { RunLock, type LockResult } from './lock.js';
import type { RunState, StepRecord } from './state.js';

export { readEvents, type EventLog, type LogLevel } from './event-log.js';
export type { LockInfo, LockResult } from './lock.js';

const ID_CHARS = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

export function runsRoot(home: string): string {
  return join(home, 'runs');
}

function slugify(name: string): string {
  const slug = name.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+/, '').slice(0, 24).replace(/-+$/, '');
  return slug || 'run';
}

/** `20250101-120000-my-workflow-1a2b`: UTC, so ids sort by time. */
export function newRunId(name: string, now = new Date()): string {
  const stamp = now.toISOString().slice(0, 19).replace(/-|:/g, '').replace('T', '-');
  return `${stamp}-${slugify(name)}-${randomBytes(2).toString('hex')}`;
}

function isNotFound(err: unknown): boolean {
  return (err as NodeJS.ErrnoException).code === 'ENOENT';
}

/** Writes `path` by temp file + fsync + rename; `beforeRename` is the crash-test hook. */
function writeAtomic(path: string, tmp: string, data: string | Buffer, syncDir: string | undefined, beforeRename?: () => void): void {
  const fd = openSync(tmp, 'w');
  try {
    writeSync(fd, data);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  beforeRename?.();
  renameSync(tmp, path);
  if (syncDir !== undefined) {
    const dfd = openSync(syncDir, 'r');
    try {
      fsyncSync(dfd);
    } finally {
      closeSync(dfd);
    }
  }
}

// --- state.json serialisation: JSON.stringify(state), assembled from cached
// Buffers. The engine replaces a changed StepRecord by a new object and never
// mutates one that was persisted, so a record's cached JSON stays valid.
// Buffers, not strings: joining ~2000 string pieces and flattening them for
// write costs ~1 ms for 1000 steps; Buffer.concat of cached pieces ~0.1 ms.
const recordJson = new WeakMap<StepRecord, Buffer>();
const keyJson = new Map<string, Buffer>();
const COMMA = Buffer.from(',');
const OPEN = Buffer.from('{');
const CLOSE = Buffer.from('}');

/** `,"key":` — the caller drops the comma for the first member. */
function keyPrefix(key: string): Buffer {
  let buf = keyJson.get(key);
  if (buf === undefined) {
    if (keyJson.size > 50_000) keyJson.clear();
    buf = Buffer.from(`,${JSON.stringify(key)}:`);
    keyJson.set(key, buf);
  }
  return buf;
}

function stepsJson(steps: Record<string, StepRecord>, out: Buffer[]): void {
  out.push(OPEN);
  let first = true;
  for (const id of Object.keys(steps)) {
    const record = steps[id];
    if (record === undefined) continue;
    let json = recordJson.get(record);
    if (json === undefined) {
      json = Buffer.from(JSON.stringify(record));
      recordJson.set(record, json);
    }
    const prefix = keyPrefix(id);
    out.push(first ? prefix.subarray(1) : prefix, json);
    first = false;
  }
  out.push(CLOSE);
}

/** Byte-identical to `Buffer.from(JSON.stringify(state))` (same keys, same order). */
export function serializeState(state: RunState): Buffer {
  const out: Buffer[] = [OPEN];
  let first = true;
  let pending = '';
  for (const key of Object.keys(state) as (keyof RunState)[]) {
    if (key === 'steps') {
      if (pending) out.push(Buffer.from(pending));
      pending = '';
      out.push(first ? keyPrefix(key).subarray(1) : keyPrefix(key));
      stepsJson(state.steps, out);
    } else {
      const json = JSON.stringify(state[key]);
      if (json === undefined) continue;
      pending += `${first ? '' : ','}${JSON.stringify(key)}:${json}`;
    }
    first = false;
  }
  if (pending) out.push(Buffer.from(pending));
  out.push(CLOSE);
  return Buffer.concat(out);
}

interface Fault { kind: 'kill-after-write' | 'kill-before-rename'; n: number }
let fault: Fault | null | undefined;
let writesThisProcess = 0;

function currentFault(): Fault | null {
  if (fault !== undefined) return fault;
  const m = /^(kill-after-write|kill-before-rename):(\d+)$/.exec(process.env.CLOUDYA_FAULT ?? '');
  return (fault = m ? { kind: m[1] as Fault['kind'], n: Number(m[2]) } : null);
}

function die(): void {
  process.kill(process.pid, 'SIGKILL');
}

export interface RunStoreOptions {
  /** fsync runs/<id>/ after each rename so the rename itself survives a power cut (default true). */
  syncDir?: boolean;
}

export class RunStore {
  readonly id: string;
  readonly dir: string;
  private readonly lock: RunLock;
  private readonly syncDir: boolean;
  private tmpCleaned = false;

  private constructor(home: string, id: string, options: RunStoreOptions = {}) {
    this.id = id;
    this.dir = join(runsRoot(home), id);
    this.lock = new RunLock(join(this.dir, 'lock'), id);
    this.syncDir = options.syncDir ?? true;
  }

  /** Makes a new run directory with a fresh unique id and the frozen workflow source. */
  static create(home: string, init: { name: string; file: string; source: string }, options?: RunStoreOptions): RunStore {
    const root = runsRoot(home);
    mkdirSync(root, { recursive: true });
    for (let attempt = 0; ; attempt++) {
      const store = new RunStore(home, newRunId(init.name), options);
      try {
        mkdirSync(store.dir);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'EEXIST' && attempt < 20) continue;
        throw err;
      }
      const path = join(store.dir, 'workflow.yaml');
      writeAtomic(path, `${path}.tmp`, init.source, store.syncDir ? store.dir : undefined);
      return store;
    }
  }

  /** Opens a run by exact id, unique id prefix, or `last` (the most recent run). */
  static open(home: string, idOrPrefix: string, options?: RunStoreOptions): RunStore {
    const notFound = (what: string) =>
      new CloudyaError('E_RUN_NOT_FOUND', what, { hint: 'see the runs with `cloudya runs list`' });
    if (idOrPrefix === 'last') {
      const newest = RunStore.list(home)[0];
      if (!newest) throw notFound(`there are no runs in ${runsRoot(home)}`);
      return new RunStore(home, newest.runId, options);
    }
    if (!ID_CHARS.test(idOrPrefix)) throw notFound(`no run ${JSON.stringify(idOrPrefix)}`);
    const ids = runIds(home);
    if (ids.includes(idOrPrefix)) return new RunStore(home, idOrPrefix, options);
    const matches = ids.filter((id) => id.startsWith(idOrPrefix));
    if (matches.length === 1) return new RunStore(home, matches[0]!, options);
    if (matches.length === 0) throw notFound(`no run ${idOrPrefix}`);
    const shown = matches.slice(0, 10).join(', ') + (matches.length > 10 ? `, … (${matches.length} in all)` : '');
    throw new CloudyaError('E_USAGE', `run prefix ${idOrPrefix} is ambiguous: ${shown}`, {
      hint: 'give more characters of the run id',
      details: { candidates: matches },
    });
  }

  /** Every run's state, newest first; runs without a readable state.json are skipped. */
  static list(home: string): RunState[] {
    const states: RunState[] = [];
    for (const id of runIds(home)) {
      try {
        const state = new RunStore(home, id).readState();
        if (state) states.push(state);
      } catch { /* one bad run never hides the others */ }
    }
    return states.sort((a, b) => (a.createdAt === b.createdAt ? (a.runId < b.runId ? 1 : -1) : a.createdAt < b.createdAt ? 1 : -1));
  }

  /** The persisted state, or undefined before the first writeState. Leftover temp files are ignored. */
  readState(): RunState | undefined {
    let text: string;
    try {
      text = readFileSync(join(this.dir, 'state.json'), 'utf8');
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw err;
    }
    let state: RunState;
    try {
      state = JSON.parse(text) as RunState;
    } catch (err) {
      throw new CloudyaError('E_RUN_STATE', `state.json of run ${this.id} is not valid JSON`, { cause: err, hint: `inspect ${join(this.dir, 'state.json')}` });
    }
    if (state?.version !== 1 || typeof state.steps !== 'object') {
      throw new CloudyaError('E_RUN_STATE', `state.json of run ${this.id} is not a cloudya v1 run state`, { hint: `inspect ${join(this.dir, 'state.json')}` });
    }
    return state;
  }

  /** Atomically replaces state.json (temp file in the same dir, fsync, rename, fsync dir). Sync. */
  writeState(state: RunState): void {
    const path = join(this.dir, 'state.json');
    if (!this.tmpCleaned) this.removeLeftoverTemps();
    const data = serializeState(state);
    if (process.env.CLOUDYA_STORE_CHECK === '1' && data.toString() !== JSON.stringify(state)) {
      throw new CloudyaError('E_INTERNAL', 'state.json fragments differ from the state: a persisted StepRecord was mutated in place');
    }
    const f = currentFault();
    const nth = ++writesThisProcess;
    writeAtomic(path, `${path}.${process.pid}.tmp`, data, this.syncDir ? this.dir : undefined,
      f?.kind === 'kill-before-rename' && f.n === nth ? die : undefined);
    if (f?.kind === 'kill-after-write' && f.n === nth) die();
  }

  private removeLeftoverTemps(): void {
    this.tmpCleaned = true;
    for (const name of readdirSync(this.dir)) {
      if (name.startsWith('state.json.') && name.endsWith('.tmp')) {
        try { unlinkSync(join(this.dir, name)); } catch { /* already gone */ }
      }
    }
  }

  readWorkflowSource(): string {
    return readFileSync(join(this.dir, 'workflow.yaml'), 'utf8');
  }

  /** runs/<id>/steps/<stepId>, created on demand. */
  stepDir(stepId: string): string {
    if (!stepId || stepId === '.' || stepId === '..' || /[/\\\0]/.test(stepId)) throw new CloudyaError('E_INTERNAL', `step id ${JSON.stringify(stepId)} cannot name a directory`);
    const dir = join(this.dir, 'steps', stepId);
    mkdirSync(dir, { recursive: true });
    return dir;
  }

  /** Takes the run lock (E_RUN_LOCKED if a live process holds it); released on exit too. */
  acquireLock(): LockResult {
    return this.lock.acquire();
  }

  /** Removes the lock only if this process holds it. */
  releaseLock(): void {
    this.lock.release();
  }

  /** Opens events.ndjson for appending; loads pino on first use (sync, via require). */
  openEventLog(): EventLog {
    return openEventLog(join(this.dir, 'events.ndjson'));
  }
}

function runIds(home: string): string[] {
  try {
    return readdirSync(runsRoot(home), { withFileTypes: true })
      .filter((e) => e.isDirectory() && ID_CHARS.test(e.name))
      .map((e) => e.name)
      .sort();
  } catch (err) {
    if (isNotFound(err)) return [];
    throw err;
  }
}
