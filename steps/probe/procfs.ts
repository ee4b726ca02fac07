// Reads the kernel's own counters from /proc and statfs. A round costs about a
// millisecond, where systeminformation's equivalent costs hundreds (NOTES.md),
// which is what lets `monitor` sample every second.
import { readFileSync, readdirSync, readlinkSync, statfsSync } from 'node:fs';

const read = (file: string): string => {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return '';
  }
};

export interface CpuTimes { total: number; idle: number; cores: number }

export function readCpu(): CpuTimes {
  const text = read('/proc/stat');
  const first = text.slice(0, text.indexOf('\n')).trim().split(/\s+/).slice(1).map(Number);
  const total = first.slice(0, 8).reduce((a, b) => a + b, 0);
  const idle = (first[3] ?? 0) + (first[4] ?? 0);
  const cores = (text.match(/^cpu\d+ /gm) ?? []).length || 1;
  return { total, idle, cores };
}

/** Busy share of all cores between two readings, 0–100. */
export function cpuPercent(a: CpuTimes, b: CpuTimes): number {
  const dt = b.total - a.total;
  return dt > 0 ? Math.max(0, Math.min(100, (100 * (dt - (b.idle - a.idle))) / dt)) : 0;
}

export interface Memory { total: number; available: number; used: number; swapTotal: number; swapUsed: number }

export function readMemory(): Memory {
  const kv: Record<string, number> = {};
  for (const line of read('/proc/meminfo').split('\n')) {
    const m = /^(\w+):\s+(\d+)/.exec(line);
    if (m) kv[m[1]!] = Number(m[2]) * 1024;
  }
  const total = kv.MemTotal ?? 0;
  const available = kv.MemAvailable ?? (kv.MemFree ?? 0) + (kv.Cached ?? 0);
  const swapTotal = kv.SwapTotal ?? 0;
  return { total, available, used: total - available, swapTotal, swapUsed: swapTotal - (kv.SwapFree ?? 0) };
}

export function readLoad(): [number, number, number] {
  const [a = 0, b = 0, c = 0] = read('/proc/loadavg').split(' ').slice(0, 3).map(Number);
  return [a, b, c];
}

export function readUptime(): number {
  return Number(read('/proc/uptime').split(' ')[0]) || 0;
}

export interface NetCounters { rx: number; tx: number; interfaces: Record<string, { rx: number; tx: number }> }

/** Bytes received and sent by every interface but loopback. */
export function readNet(): NetCounters {
  const out: NetCounters = { rx: 0, tx: 0, interfaces: {} };
  for (const line of read('/proc/net/dev').split('\n').slice(2)) {
    const m = /^\s*([^:]+):\s*(.*)$/.exec(line);
    if (!m) continue;
    const f = m[2]!.trim().split(/\s+/).map(Number);
    const name = m[1]!;
    const rx = f[0] ?? 0;
    const tx = f[8] ?? 0;
    out.interfaces[name] = { rx, tx };
    if (name !== 'lo') {
      out.rx += rx;
      out.tx += tx;
    }
  }
  return out;
}

let blockDevices: Set<string> | undefined;

/** Bytes read and written by whole disks (not partitions, loop or ram devices). */
export function readDiskIo(): { read: number; written: number } {
  blockDevices ??= new Set((() => { try { return readdirSync('/sys/block'); } catch { return []; } })().filter((d) => !/^(loop|ram|zram|dm-|sr)/.test(d)));
  let r = 0;
  let w = 0;
  for (const line of read('/proc/diskstats').split('\n')) {
    const f = line.trim().split(/\s+/);
    if (f.length < 10 || !blockDevices.has(f[2]!)) continue;
    r += Number(f[5]) * 512;
    w += Number(f[9]) * 512;
  }
  return { read: r, written: w };
}

export interface Mount { device: string; mount: string; fstype: string; readOnly: boolean; size: number; used: number; available: number; inodes: number; inodesUsed: number }

const PSEUDO_FS = new Set(['proc', 'sysfs', 'devpts', 'cgroup', 'cgroup2', 'securityfs', 'pstore', 'debugfs', 'tracefs', 'bpf', 'mqueue', 'hugetlbfs', 'configfs', 'fusectl', 'autofs', 'binfmt_misc', 'rpc_pipefs', 'nsfs', 'efivarfs', 'overlay_ignored', 'squashfs', 'devtmpfs', 'ramfs']);

/** Mounted filesystems that hold data, each once, with space and inodes. */
export function readMounts(): Mount[] {
  const seen = new Set<string>();
  const out: Mount[] = [];
  for (const line of read('/proc/mounts').split('\n')) {
    const [device, rawMount, fstype, options] = line.split(' ');
    if (!device || !rawMount || !fstype || PSEUDO_FS.has(fstype)) continue;
    const mount = rawMount.replace(/\\(\d{3})/g, (_, o: string) => String.fromCharCode(parseInt(o, 8)));
    if (seen.has(mount) || mount.startsWith('/proc') || mount.startsWith('/sys')) continue;
    seen.add(mount);
    try {
      const s = statfsSync(mount);
      const size = s.blocks * s.bsize;
      if (size === 0) continue;
      // Space held back for root counts as used, as `df` shows it.
      out.push({ device, mount, fstype, readOnly: /(^|,)ro(,|$)/.test(options ?? ''), size, used: (s.blocks - s.bfree) * s.bsize, available: s.bavail * s.bsize, inodes: s.files, inodesUsed: s.files - s.ffree });
    } catch {
      // Unreachable network mounts and the like are skipped.
    }
  }
  return out;
}

/** Used share as `df` computes it: used / (used + available). */
export const usedPercent = (m: Mount) => (m.used + m.available > 0 ? (100 * m.used) / (m.used + m.available) : 0);

export interface Proc { pid: number; ppid: number; comm: string; state: string; ticks: number; rss: number; start: number; threads: number }

let pageSize: number | undefined;
function page(): number {
  if (pageSize) return pageSize;
  const rssPages = Number(read('/proc/self/statm').split(' ')[1]);
  const kb = Number(/VmRSS:\s+(\d+)/.exec(read('/proc/self/status'))?.[1]);
  pageSize = rssPages > 0 && kb > 0 ? Math.round((kb * 1024) / rssPages / 4096) * 4096 || 4096 : 4096;
  return pageSize;
}

/** Clock ticks per second of /proc times; 100 on every Linux build we know of. */
export const CLK_TCK = 100;

export function readProc(pid: number): Proc | undefined {
  const text = read(`/proc/${pid}/stat`);
  if (!text) return undefined;
  const close = text.lastIndexOf(')');
  const f = text.slice(close + 2).split(' ');
  return {
    pid,
    comm: text.slice(text.indexOf('(') + 1, close),
    state: f[0] ?? '?',
    ppid: Number(f[1]),
    ticks: Number(f[11]) + Number(f[12]),
    threads: Number(f[17]),
    start: Number(f[19]) / CLK_TCK,
    rss: Number(f[21]) * page(),
  };
}

export function listPids(): number[] {
  const out: number[] = [];
  for (const name of readdirSync('/proc')) {
    const c = name.charCodeAt(0);
    if (c >= 48 && c <= 57) out.push(Number(name));
  }
  return out;
}

export function readProcesses(): Proc[] {
  const out: Proc[] = [];
  for (const pid of listPids()) {
    const p = readProc(pid);
    if (p) out.push(p);
  }
  return out;
}

export function readCmdline(pid: number): string[] {
  return read(`/proc/${pid}/cmdline`).split('\0').filter(Boolean);
}

/** Per-process CPU share (100 = one core) between two listings taken `seconds` apart. */
export function processCpu(before: readonly Proc[], after: readonly Proc[], seconds: number): Map<number, number> {
  const prev = new Map(before.map((p) => [p.pid, p.ticks]));
  const out = new Map<number, number>();
  for (const p of after) {
    const t0 = prev.get(p.pid);
    if (t0 !== undefined && seconds > 0) out.set(p.pid, ((p.ticks - t0) / CLK_TCK / seconds) * 100);
  }
  return out;
}

export interface Listener { address: string; port: number; inode: number; family: 4 | 6 }

function hexAddress(hex: string, family: 4 | 6): string {
  if (family === 4) return [3, 2, 1, 0].map((i) => parseInt(hex.slice(i * 2, i * 2 + 2), 16)).join('.');
  // tcp6: four little-endian 32-bit words.
  const words: string[] = [];
  for (let w = 0; w < 4; w++) {
    const word = hex.slice(w * 8, w * 8 + 8);
    const b = [6, 4, 2, 0].map((i) => word.slice(i, i + 2)).join('');
    words.push(b.slice(0, 4), b.slice(4, 8));
  }
  const full = words.map((x) => x.replace(/^0+(?=.)/, '')).join(':').toLowerCase();
  if (full === '0:0:0:0:0:0:0:0') return '::';
  if (full === '0:0:0:0:0:0:0:1') return '::1';
  const mapped = /^0:0:0:0:0:ffff:([0-9a-f]+):([0-9a-f]+)$/.exec(full);
  if (mapped) {
    const n = (parseInt(mapped[1]!, 16) << 16) | parseInt(mapped[2]!, 16);
    return [24, 16, 8, 0].map((s) => (n >>> s) & 255).join('.');
  }
  return full;
}

/** TCP sockets in LISTEN state, from /proc/net/tcp and tcp6. */
export function readListeners(): Listener[] {
  const out: Listener[] = [];
  for (const [file, family] of [['/proc/net/tcp', 4], ['/proc/net/tcp6', 6]] as const) {
    for (const line of read(file).split('\n').slice(1)) {
      const f = line.trim().split(/\s+/);
      if (f[3] !== '0A' || !f[1]) continue;
      const [addr, port] = f[1].split(':');
      out.push({ address: hexAddress(addr!, family), port: parseInt(port!, 16), inode: Number(f[9]), family });
    }
  }
  return out;
}

/** Socket inodes a process holds open (needs permission to read its fds). */
export function socketInodes(pid: number): Set<number> {
  const out = new Set<number>();
  let fds: string[];
  try {
    fds = readdirSync(`/proc/${pid}/fd`);
  } catch {
    return out;
  }
  for (const fd of fds) {
    try {
      const m = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`));
      if (m) out.add(Number(m[1]));
    } catch {
      // The fd closed meanwhile.
    }
  }
  return out;
}
