// How a run's state reaches the disk.
//
// state.json is always a complete RunState, replaced atomically (temp + fsync
// + rename). While it is small (< SMALL_BYTES, i.e. a few dozen steps) it is
// rewritten on every write. A large run would rewrite hundreds of KB per step
// (measured at 1000 steps: ~2.5 ms a write, over the engine's per-step budget),
// so instead the changed step records are appended to state.journal (written
// before any side effect that follows; fdatasync'ed in the background, see
// syncInBackground), and folded into state.json once the journal has grown as
// large as state.json itself, whenever the run ends, and when this process starts
// writing. (A fixed count of appends, 128, was used first: at 1000 steps that is
// 8 snapshots of the whole state, each with fsyncs, on the path of a step. Sized
// by the state, checkpoints cost O(1) a step and a reader replays at most one
// state's worth of journal.)
// Readers take state.json and replay journal lines with a higher seq; a torn
// last line (a crash mid-append) is ignored. Durability is the same: nothing
// the engine reported as persisted is lost.
import { closeSync, fdatasync, fdatasyncSync, ftruncateSync, openSync, readFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { faultAfterWrite, faultBeforeCommit, writeStateFile } from './state-file.js';
import { writeBehind } from './write-behind.js';
import type { RunState, StepRecord } from './state.js';

// Test hook: CLOUDYA_STATE_SMALL_BYTES=0 forces the journal from the first write (crash tests run both ways).
const SMALL_BYTES = Number(process.env.CLOUDYA_STATE_SMALL_BYTES ?? 32 * 1024);
const TERMINAL = new Set(['succeeded', 'failed', 'rolled_back', 'rollback_failed', 'interrupted']);
/** Top-level fields that change during a run; the others are fixed when the run is created. */
const MUTABLE = ['status', 'seq', 'updatedAt', 'startedAt', 'endedAt', 'resumes', 'error', 'failure'] as const;
const FIXED_OBJECTS = ['order', 'params', 'secretParams', 'options', 'steps'] as const;

interface JournalLine {
  seq: number;
  run: Partial<RunState>;
  steps: Record<string, StepRecord>;
}

export class StateWriter {
  private last: RunState | undefined;
  private readonly written = new Map<string, StepRecord>();
  private snapshotBytes = 0;
  private journalBytes = 0;
  private fd: number | undefined;

  constructor(private readonly dir: string, private readonly syncDir: boolean) {}

  /** `changed`: ids of the step records replaced since the last write, when the caller knows them (saves a scan). */
  write(state: RunState, changed?: Iterable<string>): void {
    if (this.needsSnapshot(state)) this.snapshot(state);
    else this.append(state, changed);
    this.last = state;
  }

  close(): void {
    this.syncNow();
    const fd = this.fd;
    this.fd = undefined;
    // A background fdatasync may still hold the descriptor: it closes it when done.
    if (fd !== undefined) {
      if (this.syncing) this.closeAfterSync = fd;
      else closeSync(fd);
    }
  }

  /** Waits (synchronously) until every journal line written so far is on disk. */
  syncNow(): void {
    if (this.fd !== undefined && (this.unsynced || this.syncing)) {
      fdatasyncSync(this.fd);
      this.unsynced = false;
    }
  }

  private closeAfterSync: number | undefined;

  // Journal lines are written (to the kernel) before anything that depends on them
  // starts, so a crash of this process loses none of them. Their fdatasync runs on
  // libuv's thread pool instead of blocking the next step (measured: ~1-1.5 ms a step
  // at 1000 steps); snapshots, checkpoints and the run's end wait for it. Even
  // handing it to the thread pool cost ~0.08 ms, so that is done behind the next
  // command's start (write-behind.ts): the command never waited for the sync anyway.
  private unsynced = false;
  private syncing = false;
  private kickQueued = false;
  private markUnsynced(): void {
    this.unsynced = true;
    if (this.syncing || this.kickQueued) return;
    this.kickQueued = true;
    writeBehind('state journal', () => {
      this.kickQueued = false;
      this.syncInBackground();
    });
  }

  private syncInBackground(): void {
    const fd = this.fd;
    if (fd === undefined || !this.unsynced || this.syncing) return;
    this.syncing = true;
    this.unsynced = false;
    fdatasync(fd, () => {
      this.syncing = false;
      if (this.closeAfterSync === fd) {
        this.closeAfterSync = undefined;
        closeSync(fd);
      } else if (this.unsynced && this.fd === fd) this.syncInBackground();
    });
  }

  private needsSnapshot(state: RunState): boolean {
    const last = this.last;
    if (!last || this.snapshotBytes < SMALL_BYTES || this.journalBytes >= this.snapshotBytes || TERMINAL.has(state.status)) return true;
    return FIXED_OBJECTS.some((k) => state[k] !== last[k]);
  }

  private snapshot(state: RunState): void {
    this.syncNow();
    this.snapshotBytes = writeStateFile(join(this.dir, 'state.json'), state, this.syncDir ? this.dir : undefined);
    this.written.clear();
    for (const [id, rec] of Object.entries(state.steps)) this.written.set(id, rec);
    if (this.fd !== undefined) {
      // Lines already folded in have seq ≤ state.json's and are skipped on read; truncating is tidiness.
      ftruncateSync(this.journalFd(), 0);
    }
    this.journalBytes = 0;
  }

  private append(state: RunState, changed?: Iterable<string>): void {
    const steps: Record<string, StepRecord> = {};
    // Changed records are new objects: an identity check per candidate, no allocation.
    const candidates = changed ?? Object.keys(state.steps);
    for (const id of candidates) {
      const rec = state.steps[id];
      if (rec !== undefined && this.written.get(id) !== rec) {
        steps[id] = rec;
        this.written.set(id, rec);
      }
    }
    const run: Partial<RunState> = {};
    for (const k of MUTABLE) if (state[k] !== undefined) (run as unknown as Record<string, unknown>)[k] = state[k];
    const line: JournalLine = { seq: state.seq, run, steps };
    const data = Buffer.from(JSON.stringify(line) + '\n');
    const fd = this.journalFd();
    faultBeforeCommit(() => writeSync(fd, data.subarray(0, data.length >> 1)));
    for (let off = 0; off < data.length; ) off += writeSync(fd, data, off);
    this.markUnsynced();
    this.journalBytes += data.length;
    faultAfterWrite();
  }

  private journalFd(): number {
    return (this.fd ??= openSync(join(this.dir, 'state.journal'), 'a'));
  }
}

/** state.json with the journal replayed on top; undefined when state.json does not exist. */
export function replayJournal(dir: string, state: RunState): RunState {
  let text: string;
  try {
    text = readFileSync(join(dir, 'state.journal'), 'utf8');
  } catch {
    return state;
  }
  if (!text) return state;
  let out = state;
  for (const raw of text.split('\n')) {
    if (!raw) continue;
    let line: JournalLine;
    try {
      line = JSON.parse(raw) as JournalLine;
    } catch {
      break; // a torn last line: the append never completed, so it was never reported persisted
    }
    if (line.seq <= out.seq) continue;
    const next: RunState = { ...out, steps: { ...out.steps, ...line.steps } };
    for (const k of MUTABLE) {
      if (line.run[k] === undefined) delete (next as Partial<RunState>)[k];
      else (next as unknown as Record<string, unknown>)[k] = line.run[k];
    }
    out = next;
  }
  return out;
}
