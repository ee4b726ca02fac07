// Writes that need not hold up the next command: the event log's lines and the
// audit log's entries. They are queued and written as soon as the engine has
// handed the next command to the process runner (exec.ts calls drainWrites right
// after sending it), or on the next turn of the event loop, or when the process
// exits, whichever comes first. Their order is kept.
//
// Why: in a chain of short steps, everything the engine does between one
// command's end and the next one's start adds to the run's wall time. Measured
// on this VM, those three appends took ~0.35 ms of the ~1.2 ms a step spent
// there; written behind, they overlap the next command's spawn.
//
// What this does not defer: run state. The state journal is written (and the
// step recorded as running) before the command is sent, as before. A process
// killed in the few microseconds between sending a command and draining this
// queue may lose the log lines of that instant; never state.

const queue: { what: string; write: () => void }[] = [];
let scheduled = false;
const failed = new Set<string>();

/** Queues a write; `what` names it in the one warning printed if it fails. */
export function writeBehind(what: string, write: () => void): void {
  queue.push({ what, write });
  if (!scheduled) {
    scheduled = true;
    setImmediate(drainWrites);
  }
}

/** Writes everything queued, in order, now. */
export function drainWrites(): void {
  scheduled = false;
  // A write may queue another (it runs in this same pass).
  for (let i = 0; i < queue.length; i++) {
    const { what, write } = queue[i]!;
    try {
      write();
    } catch (err) {
      if (failed.has(what)) continue;
      failed.add(what);
      process.stderr.write(`warning: could not write the ${what}: ${(err as Error).message}\n`);
    }
  }
  queue.length = 0;
}

process.on('exit', drainWrites);
