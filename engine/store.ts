// The on-disk run store: $CLOUDYA_HOME/runs/<runId>/ holds workflow.yaml (the
// frozen source), state.json (the RunState, replaced atomically after every
// transition), events.ndjson (append-only), lock (while a process drives the
// run) and steps/<stepId>/ (private work dirs).
// state.json is written by ./state-file.ts (atomic, incremental serialisation,
// and the CLOUDYA_FAULT crash-test hook documented there).
import { mkdirSync, readdirSync, readFileSync, unlinkSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { CloudyaError } from './errors.js';
import { openEventLog, type EventLog } from './event-log.js';
import { RunLock, type LockResult } from './lock.js';
import type { RunState } from './state.js';
import { fsyncDir, writeAtomic } from './state-file.js';
import { StateWriter, replayJournal } from './state-journal.js';

export { readEvents, type EventLog, type LogLevel } from './event-log.js';
export type { LockInfo, LockResult } from './lock.js';
export { serializeState } from './state-file.js';

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

export interface RunStoreOptions {
  /**
   * Also fsync runs/<id>/ after each state.json rename (default false). Without
   * it a power cut can lose the last rename (state.json is then the previous,
   * complete state, as if the crash came one transition earlier) but never
   * leaves a torn file. Costs ~0.1-0.3 ms per write here.
   */
  syncDir?: boolean;
}

export class RunStore {
  readonly id: string;
  readonly dir: string;
  private readonly lock: RunLock;
  private readonly syncDir: boolean;
  private tmpCleaned = false;
  private writer: StateWriter | undefined;

  private constructor(home: string, id: string, options: RunStoreOptions = {}) {
    this.id = id;
    this.dir = join(runsRoot(home), id);
    this.lock = new RunLock(join(this.dir, 'lock'), id);
    this.syncDir = options.syncDir ?? false;
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
      writeAtomic(path, `${path}.tmp`, Buffer.from(init.source), store.dir);
      fsyncDir(root);
      return store;
    }
  }

  /** Opens a run by exact id, unique id prefix, or `last` (the most recent run). */
  static open(home: string, idOrPrefix: string, options?: RunStoreOptions): RunStore {
    const notFound = (what: string) =>
      new CloudyaError('E_RUN_NOT_FOUND', what, { hint: 'see the runs with `cloudya runs list`' });
    if (idOrPrefix === 'last') {
      const newest = RunStore.newest(home);
      if (!newest) throw notFound(`there are no runs in ${runsRoot(home)}`);
      return new RunStore(home, newest, options);
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
    return states.sort(newestFirst);
  }

  /**
   * The newest run with a readable state, reading as few states as possible: ids
   * sort by their second-resolution stamp, and state.createdAt orders runs
   * created in the same second.
   */
  private static newest(home: string): string | undefined {
    const ids = runIds(home).reverse();
    for (let i = 0; i < ids.length; ) {
      const stamp = ids[i]!.slice(0, 15);
      let j = i;
      const group: { id: string; state: RunState }[] = [];
      for (; j < ids.length && ids[j]!.slice(0, 15) === stamp; j++) {
        try {
          const state = new RunStore(home, ids[j]!).readState();
          if (state) group.push({ id: ids[j]!, state });
        } catch { /* skip a damaged run */ }
      }
      group.sort((a, b) => newestFirst(a.state, b.state));
      if (group[0]) return group[0].id;
      i = j;
    }
    return undefined;
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
    return replayJournal(this.dir, state);
  }

  /** Atomically replaces state.json (temp file in the same dir, fsync, rename; fsync of the dir with `syncDir`). Sync. */
  writeState(state: RunState, changed?: Iterable<string>): void {
    if (!this.tmpCleaned) this.removeLeftoverTemps();
    (this.writer ??= new StateWriter(this.dir, this.syncDir)).write(state, changed);
  }

  /** Waits until everything written is on disk, and releases the journal. */
  closeState(): void {
    this.writer?.close();
    this.writer = undefined;
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

function newestFirst(a: RunState, b: RunState): number {
  if (a.createdAt !== b.createdAt) return a.createdAt < b.createdAt ? 1 : -1;
  return a.runId < b.runId ? 1 : a.runId > b.runId ? -1 : 0;
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
