// One sample of the machine from /proc (about a millisecond of CPU): rates come
// from the difference with the previous reading. Top processes and a watched
// service are read only when asked, and cheaply (argv[0] cached per pid).
import { basename } from 'node:path';
import { cpuPercent, processCpu, readCmdline, readCpu, readDiskIo, readListeners, readLoad, readMemory, readMounts, readNet, readProcesses, socketInodes, usedPercent, type CpuTimes, type Mount, type Proc } from '../../steps/probe/procfs.js';
import { programNames } from '../../steps/probe/service-find.js';
import { tcpConnect } from '../../steps/probe/net.js';
import type { Sample } from './store.js';

export interface TopProcess { pid: number; name: string; cpu: number; memory: number }

export interface ServiceView { name: string; state: 'running' | 'stopped'; processes: number; cpu: number; memory: number; ports: { port: number; answers: boolean }[] }

export interface Tick {
  sample: Sample;
  cores: number;
  load: [number, number, number];
  mounts: Mount[];
  top?: TopProcess[];
  /** The watched services, in the order given. */
  services?: ServiceView[];
}

interface Counters { time: number; cpu: CpuTimes; net: { rx: number; tx: number }; disk: { read: number; written: number } }

function counters(): Counters {
  return { time: performance.now(), cpu: readCpu(), net: readNet(), disk: readDiskIo() };
}

export class Sampler {
  private prev = counters();
  private prevProcs: Proc[] | undefined;
  private argv0 = new Map<string, string>();
  /** Per service: the pids seen last and their listening ports, re-read when the pids change or every 10 ticks. */
  private ports = new Map<string, { key: string; age: number; listeners: { port: number; host: string }[] }>();

  /** `services`: names to watch, with their bit in the store (-1: not stored). */
  constructor(private readonly opts: { top?: number; services?: { name: string; bit: number }[] } = {}) {}

  private programOf(p: Proc): string {
    const key = `${p.pid}:${p.start}`;
    let hit = this.argv0.get(key);
    if (hit === undefined) {
      hit = basename(readCmdline(p.pid)[0]?.split(' ')[0] ?? '').replace(/:$/, '');
      this.argv0.set(key, hit);
    }
    return hit;
  }

  async tick(): Promise<Tick> {
    const now = counters();
    const seconds = Math.max(0.001, (now.time - this.prev.time) / 1000);
    const cpu = cpuPercent(this.prev.cpu, now.cpu);
    const rate = (a: number, b: number) => Math.max(0, (b - a) / seconds);
    const rx = rate(this.prev.net.rx, now.net.rx);
    const tx = rate(this.prev.net.tx, now.net.tx);
    const mem = readMemory();
    const load = readLoad();
    const mounts = readMounts();
    const writable = mounts.filter((m) => !m.readOnly);
    const sample: Sample = {
      t: Math.floor(Date.now() / 1000), span: Math.max(1, Math.round(seconds)), n: 1,
      cpu, cpuMax: cpu, load: load[0], diskPeak: Math.max(0, ...writable.map(usedPercent)),
      memTotal: mem.total, memUsed: mem.used, memMax: mem.used, swapTotal: mem.swapTotal, swapUsed: mem.swapUsed,
      diskTotal: writable.reduce((a, m) => a + m.size, 0), diskUsed: writable.reduce((a, m) => a + m.used, 0),
      diskRead: rate(this.prev.disk.read, now.disk.read), diskWrite: rate(this.prev.disk.written, now.disk.written),
      rx, tx, rxMax: rx, txMax: tx, svcKnown: 0, svcUp: 0,
    };
    const tick: Tick = { sample, cores: now.cpu.cores, load, mounts };
    const watched = this.opts.services ?? [];
    if (this.opts.top || watched.length) {
      const procs = readProcesses();
      const perPid = this.prevProcs ? processCpu(this.prevProcs, procs, seconds) : new Map<number, number>();
      this.prevProcs = procs;
      if (this.opts.top) {
        tick.top = procs
          .map((p) => ({ pid: p.pid, name: p.comm, cpu: perPid.get(p.pid) ?? 0, memory: p.rss }))
          .sort((a, b) => b.cpu - a.cpu || b.memory - a.memory)
          .slice(0, this.opts.top);
      }
      if (watched.length) tick.services = [];
      for (const { name, bit } of watched) {
        const view = await this.watch(name, procs, perPid);
        tick.services!.push(view);
        if (bit < 0) continue;
        sample.svcKnown |= 1 << bit;
        if (view.state === 'running' && view.ports.every((p) => p.answers)) sample.svcUp |= 1 << bit;
      }
      if (this.argv0.size > 4096) this.argv0.clear();
    }
    this.prev = now;
    return tick;
  }

  private async watch(name: string, procs: Proc[], perPid: Map<number, number>): Promise<ServiceView> {
    const names = programNames(name);
    const short = names.map((n) => n.slice(0, 15));
    const mine = procs.filter((p) => p.pid !== process.pid && p.ppid !== 2 && p.state !== 'Z' && (short.includes(p.comm) || names.includes(this.programOf(p))));
    const key = mine.map((p) => p.pid).join(',');
    let cached = this.ports.get(name);
    if (!cached || cached.key !== key || ++cached.age >= 10) {
      const inodes = new Set<number>();
      for (const p of mine) for (const i of socketInodes(p.pid)) inodes.add(i);
      const listeners: { port: number; host: string }[] = [];
      for (const l of inodes.size ? readListeners() : []) {
        if (!inodes.has(l.inode) || listeners.some((x) => x.port === l.port)) continue;
        listeners.push({ port: l.port, host: l.address === '0.0.0.0' ? '127.0.0.1' : l.address === '::' ? '::1' : l.address });
      }
      cached = { key, age: 0, listeners };
      this.ports.set(name, cached);
    }
    const ports: ServiceView['ports'] = [];
    for (const l of cached.listeners) ports.push({ port: l.port, answers: (await tcpConnect(l.host, l.port, 1000)).ok });
    return {
      name, state: mine.length ? 'running' : 'stopped', processes: mine.length,
      cpu: mine.reduce((a, p) => a + (perPid.get(p.pid) ?? 0), 0), memory: mine.reduce((a, p) => a + p.rss, 0), ports,
    };
  }
}
