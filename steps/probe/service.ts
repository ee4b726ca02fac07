// `check: service` — systemd's view of a unit where systemd runs, otherwise the
// processes by name; CPU and memory of those processes, the TCP ports they
// listen on (and whether they answer), and recent log lines.
import { existsSync, readFileSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { processCpu, readListeners, readMemory, readProc, readUptime, socketInodes, type Proc } from './procfs.js';
import { findLogFile, findServiceProcesses, howInstalled, SERVICE_NAME } from './service-find.js';
import { tcpConnect } from './net.js';
import { limitsFor, type Thresholds } from './thresholds.js';
import { bytes, grade, pct, type CheckResult, type Finding } from './types.js';

export type Run = (file: string, args: string[]) => Promise<{ exitCode: number; stdout: string }>;

export interface ServiceOptions {
  name: string;
  /** A port the service must listen on. */
  port?: number | undefined;
  timeout: number;
  thresholds?: Thresholds | undefined;
  sampleMs?: number | undefined;
  logLines?: number | undefined;
  signal?: AbortSignal | undefined;
  /** Runs systemctl/journalctl (the step passes ctx.exec). */
  run: Run;
}

export const systemdRunning = () => existsSync('/run/systemd/system');

interface UnitState { load: string; active: string; sub: string; mainPid: number; result: string; restarts: number; cgroup: string }

async function unitState(name: string, run: Run): Promise<UnitState> {
  const r = await run('systemctl', ['show', name, '--no-pager', '-p', 'LoadState,ActiveState,SubState,MainPID,Result,NRestarts,ControlGroup']);
  const kv = Object.fromEntries(r.stdout.split('\n').map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]));
  return { load: kv.LoadState ?? 'not-found', active: kv.ActiveState ?? 'inactive', sub: kv.SubState ?? '', mainPid: Number(kv.MainPID) || 0, result: kv.Result ?? '', restarts: Number(kv.NRestarts) || 0, cgroup: kv.ControlGroup ?? '' };
}

function cgroupPids(cgroup: string): number[] {
  for (const root of ['/sys/fs/cgroup', '/sys/fs/cgroup/systemd', '/sys/fs/cgroup/unified']) {
    try {
      return readFileSync(`${root}${cgroup}/cgroup.procs`, 'utf8').split('\n').filter(Boolean).map(Number);
    } catch {
      // Try the next hierarchy.
    }
  }
  return [];
}

async function tail(file: string, lines: number): Promise<string[]> {
  const fh = await open(file, 'r');
  try {
    const { size } = await fh.stat();
    const len = Math.min(size, 64 * 1024);
    const buf = Buffer.alloc(len);
    await fh.read(buf, 0, len, size - len);
    return buf.toString('utf8').split('\n').filter(Boolean).slice(-lines);
  } finally {
    await fh.close();
  }
}

const ERROR_LINE = /\b(error|fatal|panic|emerg|crit(ical)?|segfault|out of memory|killed)\b/i;

export async function checkService(o: ServiceOptions): Promise<CheckResult> {
  if (!SERVICE_NAME.test(o.name)) throw new Error(`not a service name: ${JSON.stringify(o.name)} (letters, digits, @ . _ : - only)`);
  const name = o.name;
  const findings: Finding[] = [];
  const add = (f: Omit<Finding, 'check'>) => findings.push({ check: 'service', ...f });
  const systemd = systemdRunning();
  const installed = howInstalled(name);
  let state: 'running' | 'stopped' | 'failed' | 'missing';
  let pids: number[];
  let unit: UnitState | undefined;
  let logTail: string[] = [];
  let logSource: string | undefined;
  const lines = o.logLines ?? 20;

  if (systemd) {
    unit = await unitState(name, o.run);
    state = unit.load === 'not-found' ? 'missing' : unit.active === 'active' || unit.active === 'reloading' ? 'running' : unit.active === 'failed' ? 'failed' : 'stopped';
    pids = unit.cgroup ? cgroupPids(unit.cgroup) : [];
    if (!pids.length && unit.mainPid) pids = [unit.mainPid];
    const j = await o.run('journalctl', ['-u', name, '-n', String(lines), '--no-pager', '-o', 'short-iso']).catch(() => ({ exitCode: 1, stdout: '' }));
    if (j.exitCode === 0) {
      logTail = j.stdout.split('\n').filter((l) => l && !l.startsWith('-- '));
      logSource = `journalctl -u ${name}`;
    }
  } else {
    pids = findServiceProcesses(name).map((p) => p.pid);
    state = pids.length ? 'running' : installed.initScript || installed.unitFile || installed.program ? 'stopped' : 'missing';
  }
  if (!logSource) {
    const file = findLogFile(name);
    if (file) {
      logTail = await tail(file, lines).catch(() => []);
      logSource = file;
    }
  }

  const inspect = systemd ? `journalctl -u ${name} -n 50 --no-pager` : logSource ? `tail -n 50 ${logSource}` : `ps aux | grep -i ${name}`;
  const start = systemd ? `systemctl start ${name}` : installed.initScript ? `service ${name} start` : installed.unitFile ? `grep ^ExecStart ${installed.unitFile}   # systemd is not running here: run that command` : installed.program ? `${installed.program}   # start it (see its --help)` : '';
  const lastLog = logTail.slice(-1)[0];

  if (state === 'missing') {
    add({ severity: 'critical', title: `${name} is not installed`, observed: systemd ? `systemd has no unit ${name}` : `no process, init script, systemd unit or program named ${name}`, why: 'Nothing provides this service on this machine, so whatever depends on it fails.', fix: `apt-cache policy ${name}; apt-cache search ${name} | head   # find and install the package that provides it` });
  } else if (state !== 'running') {
    add({ severity: 'critical', title: `${name} is ${state === 'failed' ? 'failed' : 'not running'}`, observed: `${systemd ? `systemd: ${unit!.active} (${unit!.sub}${unit!.result && unit!.result !== 'success' ? `, result ${unit!.result}` : ''})` : 'no process found'}${installed.initScript ? `; init script ${installed.initScript}` : ''}${lastLog ? `; last log line: ${lastLog.slice(0, 200)}` : ''}`, why: 'A stopped service refuses every request; clients and dependent services fail.', fix: `${start}${start ? ' && ' : ''}${inspect}` });
  }
  if (unit && unit.restarts >= 3) add({ severity: 'warning', title: `${name} keeps restarting`, observed: `${unit.restarts} automatic restarts`, why: 'A crash loop: it starts, dies, and systemd starts it again.', fix: `journalctl -u ${name} -b --no-pager | tail -n 100` });

  // CPU and memory of its processes over a short window.
  const sampleMs = o.sampleMs ?? 500;
  const before = pids.map(readProc).filter((p): p is Proc => Boolean(p));
  if (before.length) await sleep(sampleMs, undefined, o.signal ? { signal: o.signal } : undefined);
  const after = pids.map(readProc).filter((p): p is Proc => Boolean(p));
  const cpu = [...processCpu(before, after, sampleMs / 1000).values()].reduce((a, b) => a + b, 0);
  const rss = after.reduce((a, p) => a + p.rss, 0);
  const mem = readMemory();
  const memPct = mem.total ? (100 * rss) / mem.total : 0;
  const uptime = after.length ? Math.round(readUptime() - Math.min(...after.map((p) => p.start))) : 0;
  if (after.length) {
    const cpuSev = grade(cpu, limitsFor('processCpu', o.thresholds));
    if (cpuSev !== 'ok') add({ severity: cpuSev, title: `${name} uses a lot of CPU`, observed: `${pct(cpu)} of one core across ${after.length} processes`, why: 'It may be overloaded or spinning in a loop.', fix: `top -p ${after.slice(0, 20).map((p) => p.pid).join(',')}` });
    const memSev = grade(memPct, limitsFor('processMemory', o.thresholds));
    if (memSev !== 'ok') add({ severity: memSev, title: `${name} uses a lot of memory`, observed: `${bytes(rss)} resident (${pct(memPct)} of memory)`, why: 'A leak or an oversized cache; the OOM killer picks the largest process first.', fix: `ps -o pid,rss,etime,cmd -p ${after.slice(0, 20).map((p) => p.pid).join(',')}` });
  }

  // Ports it listens on, and whether they answer.
  const inodes = new Set<number>();
  for (const p of after) for (const i of socketInodes(p.pid)) inodes.add(i);
  const listeners = readListeners().filter((l) => inodes.has(l.inode));
  const seen = new Set<number>();
  const ports: { address: string; port: number; answers: boolean; latencyMs: number; error?: string }[] = [];
  for (const l of listeners) {
    if (seen.has(l.port)) continue;
    seen.add(l.port);
    const host = l.address === '0.0.0.0' ? '127.0.0.1' : l.address === '::' ? '::1' : l.address;
    const r = await tcpConnect(host, l.port, o.timeout, o.signal);
    ports.push({ address: l.address, port: l.port, answers: r.ok, latencyMs: r.ms, ...(r.error ? { error: r.error } : {}) });
    if (!r.ok) add({ severity: 'critical', title: `${name} does not answer on port ${l.port}`, observed: `it listens on ${l.address}:${l.port} but connect failed: ${r.error}`, why: 'The process is up but hung or overloaded: its accept queue is not served.', fix: `ss -ltnp 'sport = :${l.port}'; ${inspect}` });
  }
  if (o.port !== undefined && state === 'running' && !seen.has(o.port)) {
    const r = await tcpConnect('127.0.0.1', o.port, o.timeout, o.signal);
    ports.push({ address: '127.0.0.1', port: o.port, answers: r.ok, latencyMs: r.ms, ...(r.error ? { error: r.error } : {}) });
    if (!r.ok) add({ severity: 'critical', title: `${name} does not listen on port ${o.port}`, observed: `listening on ${[...seen].join(', ') || 'no TCP port'}; connect 127.0.0.1:${o.port}: ${r.error}`, why: 'Clients expect it on that port.', fix: `ss -ltnp; ${inspect}` });
  }

  if (state === 'running' && logTail.some((l) => ERROR_LINE.test(l))) {
    const errs = logTail.filter((l) => ERROR_LINE.test(l));
    add({ severity: 'warning', title: `${name} logged errors recently`, observed: `${errs.length} of the last ${logTail.length} log lines: ${errs.slice(-2).map((l) => l.slice(0, 160)).join(' | ')}`, why: 'Errors in the log often come before an outage.', fix: inspect });
  }
  if (state === 'running' && !findings.length) add({ severity: 'info', title: `${name} is running`, observed: `${after.length} process${after.length === 1 ? '' : 'es'} (pid ${after.slice(0, 5).map((p) => p.pid).join(', ')}), up ${uptime} s, ${pct(cpu)} CPU, ${bytes(rss)}${ports.length ? `, answers on ${ports.map((p) => p.port).join(', ')}` : ''}`, why: 'Healthy.', fix: inspect });

  return {
    findings,
    data: {
      name, manager: systemd ? 'systemd' : 'process', state,
      pids: after.map((p) => p.pid), processes: after.length,
      cpuPercent: Math.round(cpu * 10) / 10, memoryBytes: rss, memoryPercent: Math.round(memPct * 10) / 10, uptimeSeconds: uptime,
      ports, ...(unit ? { unit } : {}), installed,
      ...(logSource ? { logSource, logTail } : {}),
    },
  };
}
