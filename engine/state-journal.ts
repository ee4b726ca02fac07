// How a run's state reaches the disk.
//
// state.json is always a complete RunState, replaced atomically (temp + fsync
// + rename). While it is small (< SMALL_BYTES, i.e. a few dozen steps) it is
// rewritten on every write. A large run would rewrite hundreds of KB per step
// (measured at 1000 steps: ~2.5 ms a write, over the engine's per-step budget),
// so instead the changed step records are appended to state.journal and
// fdatasync'ed (~0.3 ms), and folded into state.json every CHECKPOINT_EVERY
// appends, whenever the run ends, and when this process starts writing.
// Readers take state.json and replay journal lines with a higher seq; a torn
// last line (a crash mid-append) is ignored. Durability is the same: nothing
// the engine reported as persisted is lost.
import { closeSync, fdatasyncSync, ftruncateSync, openSync, readFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { faultAfterWrite, faultBeforeCommit, writeStateFile } from './state-file.js';
import type { RunState, StepRecord } from './state.js';

// Test hook: CLOUDYA_STATE_SMALL_BYTES=0 forces the journal from the first write (crash tests run both ways).
const SMALL_BYTES = Number(process.env.CLOUDYA_STATE_SMALL_BYTES ?? 32 * 1024);
const CHECKPOINT_EVERY = 128;
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
  private appends = 0;
  private fd: number | undefined;

  constructor(private readonly dir: string, private readonly syncDir: boolean) {}

  write(state: RunState): void {
    if (this.needsSnapshot(state)) this.snapshot(state);
    else this.append(state);
    this.last = state;
  }

  close(): void {
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
  }

  private needsSnapshot(state: RunState): boolean {
    const last = this.last;
    if (!last || this.snapshotBytes < SMALL_BYTES || this.appends >= CHECKPOINT_EVERY || TERMINAL.has(state.status)) return true;
    return FIXED_OBJECTS.some((k) => state[k] !== last[k]);
  }

  private snapshot(state: RunState): void {
    this.snapshotBytes = writeStateFile(join(this.dir, 'state.json'), state, this.syncDir ? this.dir : undefined);
    this.written.clear();
    for (const [id, rec] of Object.entries(state.steps)) this.written.set(id, rec);
    if (this.appends > 0 || this.fd !== undefined) {
      // Lines already folded in have seq ≤ state.json's and are skipped on read; truncating is tidiness.
      ftruncateSync(this.journalFd(), 0);
    }
    this.appends = 0;
  }

  private append(state: RunState): void {
    const steps: Record<string, StepRecord> = {};
    // Changed records are new objects: an identity check per step, no allocation.
    for (const id in state.steps) {
      const rec = state.steps[id]!;
      if (this.written.get(id) !== rec) {
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
    fdatasyncSync(fd);
    this.appends++;
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
