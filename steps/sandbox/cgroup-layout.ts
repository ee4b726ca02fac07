// Where this process's cgroups live: cgroup v1 (one hierarchy per controller)
// or v2 (one unified tree), read from /proc/self/mountinfo and /proc/self/cgroup.
import { readFileSync } from 'node:fs';
import { join, relative } from 'node:path';

export const CONTROLLERS = ['memory', 'pids', 'cpu'] as const;
export type Controller = (typeof CONTROLLERS)[number];

export type CgroupLayout =
  /** v1: for each controller, the directory of this process's cgroup. */
  | { version: 1; dirs: Record<Controller, string> }
  /** v2: the mount, this process's cgroup inside it, and the controllers the mount offers. */
  | { version: 2; mount: string; own: string; controllers: string[] };

export type LayoutResult = { ok: true; layout: CgroupLayout } | { ok: false; reason: string };

interface Mount { root: string; point: string; fstype: string; superOptions: string[] }

const unescape = (s: string) => s.replace(/\\(\d{3})/g, (_, o: string) => String.fromCharCode(parseInt(o, 8)));

export function parseMountinfo(text: string): Mount[] {
  const out: Mount[] = [];
  for (const line of text.split('\n')) {
    const sep = line.indexOf(' - ');
    if (sep < 0) continue;
    const left = line.slice(0, sep).split(' ');
    const right = line.slice(sep + 3).split(' ');
    if (left.length < 5 || right.length < 3) continue;
    out.push({ root: unescape(left[3]!), point: unescape(left[4]!), fstype: right[0]!, superOptions: right[2]!.split(',') });
  }
  return out;
}

/** /proc/self/cgroup: controller (or '' for v2) → path. */
export function parseProcCgroup(text: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const line of text.split('\n')) {
    const m = /^\d+:([^:]*):(.*)$/.exec(line);
    if (!m) continue;
    if (m[1] === '') out.set('', m[2]!);
    for (const c of m[1]!.split(',')) if (c) out.set(c, m[2]!);
  }
  return out;
}

/** The directory of cgroup `path` in a mount whose root is `mount.root`. */
function dirIn(mount: Mount, path: string): string | undefined {
  const rel = relative(mount.root, path);
  if (rel.startsWith('..')) return undefined;
  return join(mount.point, rel);
}

export function detectLayout(mountinfo?: string, procCgroup?: string): LayoutResult {
  let mounts: Mount[];
  let own: Map<string, string>;
  try {
    mounts = parseMountinfo(mountinfo ?? readFileSync('/proc/self/mountinfo', 'utf8'));
    own = parseProcCgroup(procCgroup ?? readFileSync('/proc/self/cgroup', 'utf8'));
  } catch (err) {
    return { ok: false, reason: `cannot read /proc/self/mountinfo or /proc/self/cgroup (${(err as Error).message})` };
  }
  // v1 wins where it holds the controllers (hybrid systems mount an empty v2 tree beside it).
  const v1: Partial<Record<Controller, string>> = {};
  for (const c of CONTROLLERS) {
    const m = mounts.find((x) => x.fstype === 'cgroup' && x.superOptions.includes(c));
    const path = own.get(c);
    const dir = m && path !== undefined ? dirIn(m, path) : undefined;
    if (dir) v1[c] = dir;
  }
  if (v1.memory && v1.pids) {
    const missing = CONTROLLERS.filter((c) => !v1[c]);
    if (missing.length) return { ok: false, reason: `cgroup v1 is mounted without the ${missing.join(', ')} controller${missing.length > 1 ? 's' : ''}` };
    return { ok: true, layout: { version: 1, dirs: v1 as Record<Controller, string> } };
  }
  const m2 = mounts.find((x) => x.fstype === 'cgroup2');
  const path = own.get('');
  if (!m2 || path === undefined) return { ok: false, reason: 'no cgroup v1 memory and pids hierarchies and no cgroup v2 mount' };
  const ownDir = dirIn(m2, path);
  if (!ownDir) return { ok: false, reason: `this process's cgroup (${path}) is outside the cgroup v2 mount ${m2.point}` };
  let controllers: string[] = [];
  try {
    controllers = readFileSync(join(m2.point, 'cgroup.controllers'), 'utf8').trim().split(/\s+/).filter(Boolean);
  } catch { /* reported below */ }
  const missing = CONTROLLERS.filter((c) => !controllers.includes(c));
  if (missing.length) return { ok: false, reason: `cgroup v2 at ${m2.point} offers no ${missing.join(', ')} controller (controllers: ${controllers.join(' ') || 'none'}); they are bound to cgroup v1 or disabled` };
  return { ok: true, layout: { version: 2, mount: m2.point, own: ownDir, controllers } };
}

/** A short description for `doctor`. */
export function describeLayout(layout: CgroupLayout): string {
  return layout.version === 1 ? `cgroup v1 (memory: ${layout.dirs.memory}, pids: ${layout.dirs.pids}, cpu: ${layout.dirs.cpu})` : `cgroup v2 (${layout.own})`;
}
