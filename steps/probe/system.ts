// `check: system` — CPU, load, memory, swap, disk space and inodes per mount, top processes.
import { setTimeout as sleep } from 'node:timers/promises';
import { cpuPercent, processCpu, readCmdline, readCpu, readLoad, readMemory, readMounts, readProcesses, usedPercent } from './procfs.js';
import { limitsFor, type Thresholds } from './thresholds.js';
import { bytes, grade, pct, type CheckResult, type Finding } from './types.js';

export interface SystemOptions {
  thresholds?: Thresholds;
  /** How long CPU is measured, ms. */
  sampleMs?: number;
  /** How many top processes to report. */
  top?: number;
  signal?: AbortSignal;
}

export async function checkSystem(opts: SystemOptions = {}): Promise<CheckResult> {
  const t = opts.thresholds;
  const sampleMs = opts.sampleMs ?? 1000;
  const cpu0 = readCpu();
  const procs0 = readProcesses();
  const t0 = performance.now();
  await sleep(sampleMs, undefined, opts.signal ? { signal: opts.signal } : undefined);
  const cpu1 = readCpu();
  const procs1 = readProcesses();
  const seconds = (performance.now() - t0) / 1000;
  const findings: Finding[] = [];
  const add = (f: Omit<Finding, 'check'>) => findings.push({ check: 'system', ...f });

  const cpu = cpuPercent(cpu0, cpu1);
  const perProc = processCpu(procs0, procs1, seconds);
  const mem = readMemory();
  const top = procs1
    .map((p) => ({ pid: p.pid, name: p.comm, cpu: Math.round((perProc.get(p.pid) ?? 0) * 10) / 10, memory: p.rss, state: p.state }))
    .sort((a, b) => b.cpu - a.cpu || b.memory - a.memory)
    .slice(0, opts.top ?? 5);
  const topText = top.slice(0, 3).map((p) => `${p.name} (pid ${p.pid}) ${pct(p.cpu)}`).join(', ');

  const cpuSev = grade(cpu, limitsFor('cpu', t));
  if (cpuSev !== 'ok') add({ severity: cpuSev, title: 'CPU is busy', observed: `${pct(cpu)} of ${cpu1.cores} cores busy; top: ${topText}`, why: 'Work queues up and everything on this machine answers slower.', fix: 'top -o %CPU   # see what is using it; renice or stop it' });

  const [l1, l5, l15] = readLoad();
  const perCore = l1 / cpu1.cores;
  const loadSev = grade(perCore, limitsFor('load', t));
  if (loadSev !== 'ok') add({ severity: loadSev, title: 'Load is high', observed: `load ${l1.toFixed(2)} ${l5.toFixed(2)} ${l15.toFixed(2)} on ${cpu1.cores} cores (${perCore.toFixed(2)} per core)`, why: 'More tasks want to run (or wait on disk) than there are cores.', fix: 'top; vmstat 1 5   # CPU-bound or waiting on I/O (wa column)?' });

  const memPct = mem.total ? (100 * mem.used) / mem.total : 0;
  const memSev = grade(memPct, limitsFor('memory', t));
  if (memSev !== 'ok') {
    const hog = [...procs1].sort((a, b) => b.rss - a.rss)[0];
    add({ severity: memSev, title: 'Memory is nearly exhausted', observed: `${pct(memPct)} used, ${bytes(mem.available)} available of ${bytes(mem.total)}${hog ? `; largest: ${hog.comm} (pid ${hog.pid}) ${bytes(hog.rss)}` : ''}`, why: 'When memory runs out the kernel kills processes (OOM killer) or the machine swaps and crawls.', fix: 'ps aux --sort=-rss | head   # then restart or limit the largest process' });
  }
  if (mem.swapTotal > 0) {
    const swapPct = (100 * mem.swapUsed) / mem.swapTotal;
    const swapSev = grade(swapPct, limitsFor('swap', t));
    if (swapSev !== 'ok') add({ severity: swapSev, title: 'Swap is heavily used', observed: `${pct(swapPct)} of ${bytes(mem.swapTotal)} swap used`, why: 'Swapped-out memory is thousands of times slower to reach than RAM.', fix: 'vmstat 1 5   # si/so columns show active swapping' });
  }

  const mounts = readMounts();
  for (const m of mounts) {
    if (m.readOnly) continue;
    const used = usedPercent(m);
    const diskSev = grade(used, limitsFor('disk', t));
    if (diskSev !== 'ok') add({ severity: diskSev, title: `Disk ${m.mount} is filling up`, observed: `${pct(used)} used, ${bytes(m.available)} free of ${bytes(m.size)} (${m.device})`, why: 'A full filesystem makes writes fail: databases stop, logs are lost, services crash.', fix: `du -xh ${m.mount} --max-depth=2 2>/dev/null | sort -h | tail -20   # find what to delete; journalctl --vacuum-size=200M; apt-get clean` });
    if (m.inodes > 0) {
      const ip = (100 * m.inodesUsed) / m.inodes;
      const inSev = grade(ip, limitsFor('inodes', t));
      if (inSev !== 'ok') add({ severity: inSev, title: `Inodes on ${m.mount} are running out`, observed: `${pct(ip)} of ${m.inodes} inodes used`, why: 'With no free inodes no file can be created, even with free space.', fix: `find ${m.mount} -xdev -type f | cut -d/ -f2-3 | sort | uniq -c | sort -n | tail   # where the small files are` });
    }
  }

  const zombies = procs1.filter((p) => p.state === 'Z');
  if (zombies.length >= 20) add({ severity: 'warning', title: 'Many zombie processes', observed: `${zombies.length} zombies, e.g. ${zombies.slice(0, 3).map((z) => `${z.comm} (parent ${z.ppid})`).join(', ')}`, why: 'A parent is not reaping its children; each zombie holds a pid.', fix: `ps -o pid,ppid,stat,cmd -p ${zombies.slice(0, 5).map((z) => z.pid).join(',')}   # restart the parent` });

  if (top[0] && top[0].cpu >= 50) {
    const cmd = readCmdline(top[0].pid).join(' ').slice(0, 120);
    add({ severity: 'info', title: 'Top CPU consumer', observed: `${top[0].name} (pid ${top[0].pid}) ${pct(top[0].cpu)} of one core${cmd ? `: ${cmd}` : ''}`, why: 'The process using the most CPU during the sample.', fix: `ps -o pid,etime,cmd -p ${top[0].pid}` });
  }

  return {
    findings,
    data: {
      cpu: { percent: round(cpu), cores: cpu1.cores },
      load: [l1, l5, l15],
      memory: { total: mem.total, used: mem.used, available: mem.available, percent: round(memPct) },
      swap: { total: mem.swapTotal, used: mem.swapUsed },
      disks: mounts.map((m) => ({ mount: m.mount, device: m.device, fstype: m.fstype, size: m.size, used: m.used, available: m.available, percent: round(usedPercent(m)), inodesPercent: m.inodes ? round((100 * m.inodesUsed) / m.inodes) : 0, readOnly: m.readOnly })),
      processes: procs1.length,
      top,
    },
  };
}

const round = (v: number) => Math.round(v * 10) / 10;
