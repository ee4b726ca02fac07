// The sandbox's start-up cost: `true` run by the sandbox step's backends
// (through the engine's exec and process runner) against a plain spawn.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { BenchContext } from './run.js';
import { execCommand } from '../engine/exec.js';
import { runSandboxed } from '../steps/sandbox/execute.js';
import { bwrapArgs, findBwrap, type Exec } from '../steps/sandbox/bwrap.js';
import { createCgroup } from '../steps/sandbox/cgroup.js';
import { DEFAULT_LIMITS } from '../steps/sandbox/options.js';

async function sample(n: number, fn: () => Promise<unknown>): Promise<number[]> {
  await fn(); // warm-up (process runner start, probes)
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const t = performance.now();
    await fn();
    out.push(performance.now() - t);
  }
  return out;
}

const rawSpawn = (file: string, args: string[]) => new Promise((r) => spawn(file, args, { stdio: 'ignore' }).on('close', r));

export default async function (b: BenchContext): Promise<void> {
  const n = Number(process.env.BENCH_SANDBOX_N ?? 30);
  const dir = mkdtempSync(join(b.work, 'sandbox-'));
  const signal = new AbortController().signal;
  const exec: Exec = (file, args, options) => execCommand({ signal, mask: (t) => t }, file, args, options);
  const deps = { exec, workDir: dir, workflowDir: dir };
  const bwrap = findBwrap().path;
  try {
    const raw = b.median(await sample(n, () => rawSpawn('true', [])));
    const none = b.median(await sample(n, () => runSandboxed(deps, { argv: ['true'] }, 'none')));
    b.report(`true, raw child_process.spawn (median of ${n})`, b.fmt(raw));
    b.report('true, isolation: none (engine exec + process runner)', b.fmt(none));
    if (!bwrap) {
      b.report('true, bwrap backend', 'skipped: bwrap is not installed');
      return;
    }
    const plan = { workDir: dir, cwd: dir, workflowDir: dir, network: false, mounts: [] };
    const bwRaw = b.median(await sample(n, () => rawSpawn(bwrap, [...bwrapArgs(plan), '--', 'true'])));
    const cg = b.median(await sample(n, async () => { await createCgroup(DEFAULT_LIMITS).remove(); }));
    const sandboxed = b.median(await sample(n, () => runSandboxed(deps, { argv: ['true'] }, 'bwrap')));
    b.report('true, bwrap with the same mounts, raw spawn (no cgroup)', b.fmt(bwRaw));
    b.report('cgroup create + set + verify limits + remove', b.fmt(cg));
    b.report('true, bwrap backend (cgroup limits, engine exec)', b.fmt(sandboxed));
    b.report('bwrap backend start-up cost over isolation: none', b.fmt(sandboxed - none));
    b.report('bwrap backend start-up cost over a raw spawn', b.fmt(sandboxed - raw));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
