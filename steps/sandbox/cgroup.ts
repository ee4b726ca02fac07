// One cgroup per sandboxed command: memory, pids and CPU limits set, read back
// (a limit that did not take refuses the run), events read after the command,
// everything left inside killed, the cgroup removed.
import { mkdirSync, readFileSync, readdirSync, rmdirSync, writeFileSync, existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { CloudyaError } from '../../engine/errors.js';
import { CONTROLLERS, detectLayout, type CgroupLayout } from './cgroup-layout.js';
import { formatSize, type Limits } from './options.js';

const CPU_PERIOD_US = 100_000;
const NAME = /^cloudya-(\d+)-\d+$/;

export interface SandboxCgroup {
  /** The `cgroup.procs` files a process writes its pid into to join. */
  procsFiles: string[];
  /** Every directory created (one per v1 controller, one for v2). */
  dirs: string[];
  /** How many times the kernel's OOM killer fired, and how often a fork hit pids.max. */
  events(): { oomKills: number; pidsMax: number };
  /** The pids still inside. */
  pids(): number[];
  /** SIGKILLs everything inside until it is empty. */
  kill(): Promise<void>;
  /** kill(), then removes the directories. */
  remove(): Promise<void>;
}

let counter = 0;
const swept = new Set<string>();

export function cgroupPrefix(): string {
  return `cloudya-${process.pid}-`;
}

function unavailable(reason: string): CloudyaError {
  return new CloudyaError('E_SANDBOX_UNAVAILABLE', `cannot set the sandbox's resource limits: ${reason}`, {
    hint: 'cloudya limits memory, processes and CPU with cgroups: run as root (cgroup v1 or v2), or on cgroup v2 from a delegated cgroup (e.g. `systemd-run --user --scope -p Delegate=yes cloudya run …`); `cloudya doctor` shows what works here',
  });
}

const read = (file: string) => readFileSync(file, 'utf8').trim();

function write(file: string, value: string): void {
  try {
    writeFileSync(file, value);
  } catch (err) {
    throw unavailable(`writing ${value} to ${file} failed (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
  }
}

/** `key value` lines (memory.events, pids.events, memory.oom_control) → the value of `key`. */
function counterIn(file: string, key: string): number {
  try {
    const m = new RegExp(`^${key} (\\d+)$`, 'm').exec(read(file));
    return m ? Number(m[1]) : 0;
  } catch {
    return 0;
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Removes cgroups left by cloudya processes that died (SIGKILL, crash) in `parent`. */
function sweep(parent: string): void {
  if (swept.has(parent)) return;
  swept.add(parent);
  let names: string[] = [];
  try { names = readdirSync(parent); } catch { return; }
  for (const name of names) {
    const m = NAME.exec(name);
    if (!m || alive(Number(m[1]))) continue;
    const dir = join(parent, name);
    for (const pid of pidsIn(dir)) try { process.kill(pid, 'SIGKILL'); } catch { /* gone */ }
    try { rmdirSync(dir); } catch { /* still busy: the next sweep gets it */ }
  }
}

function pidsIn(dir: string): number[] {
  try {
    return read(join(dir, 'cgroup.procs')).split('\n').filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

function makeDir(parent: string, name: string): string {
  sweep(parent);
  const dir = join(parent, name);
  try {
    mkdirSync(dir);
  } catch (err) {
    throw unavailable(`cannot create ${dir} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
  }
  return dir;
}

/** Reads a limit back; a value the kernel did not take refuses the run. */
function verify(file: string, ok: (v: string) => boolean, want: string): void {
  const got = existsSync(file) ? read(file) : '(missing)';
  if (!ok(got)) throw unavailable(`${file} reads ${got} after setting ${want}: the limit did not take`);
}

/** The memory limit as the kernel stores it: rounded down to whole pages. */
const memoryOk = (bytes: number) => (v: string) => Number(v) <= bytes && Number(v) > bytes - 65536;

function setupV1(dirs: Record<(typeof CONTROLLERS)[number], string>, name: string, limits: Limits): string[] {
  const made: string[] = [];
  try {
    const mem = makeDir(dirs.memory, name);
    made.push(mem);
    write(join(mem, 'memory.limit_in_bytes'), String(limits.memoryBytes));
    verify(join(mem, 'memory.limit_in_bytes'), memoryOk(limits.memoryBytes), formatSize(limits.memoryBytes));
    // No swap beyond the limit (the file exists only with swap accounting).
    const memsw = join(mem, 'memory.memsw.limit_in_bytes');
    if (existsSync(memsw)) {
      write(memsw, String(limits.memoryBytes));
      verify(memsw, memoryOk(limits.memoryBytes), formatSize(limits.memoryBytes));
    }
    const pids = makeDir(dirs.pids, name);
    made.push(pids);
    write(join(pids, 'pids.max'), String(limits.pids));
    verify(join(pids, 'pids.max'), (v) => v === String(limits.pids), String(limits.pids));
    const cpu = makeDir(dirs.cpu, name);
    made.push(cpu);
    const quota = String(Math.round(limits.cpus * CPU_PERIOD_US));
    write(join(cpu, 'cpu.cfs_period_us'), String(CPU_PERIOD_US));
    write(join(cpu, 'cpu.cfs_quota_us'), quota);
    verify(join(cpu, 'cpu.cfs_quota_us'), (v) => v === quota, quota);
    return made;
  } catch (err) {
    for (const d of made.reverse()) try { rmdirSync(d); } catch { /* best effort */ }
    throw err;
  }
}

/** v2: a child of our own cgroup's parent (or of the root), whose subtree offers the controllers. */
function setupV2(layout: Extract<CgroupLayout, { version: 2 }>, name: string, limits: Limits): string {
  const parent = layout.own === layout.mount ? layout.mount : dirname(layout.own);
  const control = join(parent, 'cgroup.subtree_control');
  const enabled = existsSync(control) ? read(control).split(/\s+/) : [];
  const missing = CONTROLLERS.filter((c) => !enabled.includes(c));
  if (missing.length) write(control, missing.map((c) => `+${c}`).join(' '));
  const dir = makeDir(parent, name);
  try {
    const offered = read(join(dir, 'cgroup.controllers')).split(/\s+/);
    const absent = CONTROLLERS.filter((c) => !offered.includes(c));
    if (absent.length) throw unavailable(`${dir} has no ${absent.join(', ')} controller`);
    write(join(dir, 'memory.max'), String(limits.memoryBytes));
    verify(join(dir, 'memory.max'), memoryOk(limits.memoryBytes), formatSize(limits.memoryBytes));
    if (existsSync(join(dir, 'memory.swap.max'))) write(join(dir, 'memory.swap.max'), '0');
    // One OOM kill takes the whole sandbox, not a random process in it.
    if (existsSync(join(dir, 'memory.oom.group'))) write(join(dir, 'memory.oom.group'), '1');
    write(join(dir, 'pids.max'), String(limits.pids));
    verify(join(dir, 'pids.max'), (v) => v === String(limits.pids), String(limits.pids));
    const cpu = `${Math.round(limits.cpus * CPU_PERIOD_US)} ${CPU_PERIOD_US}`;
    write(join(dir, 'cpu.max'), cpu);
    verify(join(dir, 'cpu.max'), (v) => v === cpu, cpu);
    return dir;
  } catch (err) {
    try { rmdirSync(dir); } catch { /* best effort */ }
    throw err;
  }
}

/** Creates the cgroup(s) for one command with `limits`; E_SANDBOX_UNAVAILABLE when that cannot be done. */
export function createCgroup(limits: Limits, layout?: CgroupLayout): SandboxCgroup {
  const found = layout ? { ok: true as const, layout } : detectLayout();
  if (!found.ok) throw unavailable(found.reason);
  const lay = found.layout;
  const name = `${cgroupPrefix()}${++counter}`;
  const dirs = lay.version === 1 ? setupV1(lay.dirs, name, limits) : [setupV2(lay, name, limits)];
  const [memDir, pidsDir] = lay.version === 1 ? [dirs[0]!, dirs[1]!] : [dirs[0]!, dirs[0]!];
  const cg: SandboxCgroup = {
    procsFiles: dirs.map((d) => join(d, 'cgroup.procs')),
    dirs,
    events: () => ({
      oomKills: lay.version === 1 ? counterIn(join(memDir, 'memory.oom_control'), 'oom_kill') : counterIn(join(memDir, 'memory.events'), 'oom_kill'),
      pidsMax: counterIn(join(pidsDir, 'pids.events'), 'max'),
    }),
    pids: () => [...new Set(dirs.flatMap(pidsIn))],
    async kill() {
      if (lay.version === 2 && existsSync(join(memDir, 'cgroup.kill'))) try { writeFileSync(join(memDir, 'cgroup.kill'), '1'); } catch { /* fall back to the loop */ }
      for (let round = 0; round < 100; round++) {
        const left = cg.pids();
        if (left.length === 0) return;
        for (const pid of left) try { process.kill(pid, 'SIGKILL'); } catch { /* already gone */ }
        await delay(round < 10 ? 5 : 20);
      }
    },
    async remove() {
      await cg.kill();
      for (const d of [...dirs].reverse()) {
        // A killed process leaves its cgroup a moment after it dies.
        for (let i = 0; ; i++) {
          try {
            rmdirSync(d);
            break;
          } catch (err) {
            const code = (err as NodeJS.ErrnoException).code;
            if (code === 'ENOENT' || i >= 100) break;
            await delay(10);
          }
        }
      }
    },
  };
  return cg;
}
