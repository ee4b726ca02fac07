// Which backend runs a command: `auto` takes bwrap where it works (binary,
// namespaces, cgroups), else docker or podman when their engine answers, else
// refuses with every reason and what to change.
import { CloudyaError } from '../../engine/errors.js';
import { probeBwrap, type Availability, type Exec } from './bwrap.js';
import { createCgroup } from './cgroup.js';
import { describeLayout, detectLayout } from './cgroup-layout.js';
import { probeEngine } from './container.js';
import { DEFAULT_LIMITS, type Backend, type Isolation } from './options.js';

let cgroupProbe: Availability | undefined;

/** Creates (and removes) a cgroup with the default limits, once per process. */
export async function probeCgroups(): Promise<Availability> {
  if (cgroupProbe) return cgroupProbe;
  try {
    const cg = createCgroup(DEFAULT_LIMITS);
    await cg.remove();
    const found = detectLayout();
    cgroupProbe = { ok: true, detail: found.ok ? describeLayout(found.layout) : 'cgroups' };
  } catch (err) {
    const e = err as CloudyaError;
    cgroupProbe = { ok: false, detail: e.message, ...(e.hint ? { hint: e.hint } : {}) };
  }
  return cgroupProbe;
}

/** bwrap works when the binary runs a trial sandbox and limits can be set. */
export async function probeBwrapBackend(exec: Exec): Promise<Availability> {
  const bw = await probeBwrap(exec);
  if (!bw.ok) return bw;
  const cg = await probeCgroups();
  return cg.ok ? { ok: true, detail: `${bw.detail}; limits: ${cg.detail}` } : cg;
}

export function probeBackend(exec: Exec, backend: Exclude<Backend, 'none'>): Promise<Availability> {
  return backend === 'bwrap' ? probeBwrapBackend(exec) : probeEngine(exec, backend);
}

function unavailable(backend: string, a: Availability): CloudyaError {
  return new CloudyaError('E_SANDBOX_UNAVAILABLE', `the ${backend} sandbox cannot work here: ${a.detail}`, { ...(a.hint ? { hint: a.hint } : {}), details: { backend } });
}

/** The backend for `isolation`; E_SANDBOX_UNAVAILABLE (saying why and what to do) when there is none. */
export async function chooseBackend(exec: Exec, isolation: Isolation): Promise<Backend> {
  if (isolation === 'none') return 'none';
  if (isolation !== 'auto') {
    const a = await probeBackend(exec, isolation);
    if (!a.ok) throw unavailable(isolation, a);
    return isolation;
  }
  const tried: [Backend, Availability][] = [];
  for (const b of ['bwrap', 'docker', 'podman'] as const) {
    const a = await probeBackend(exec, b);
    if (a.ok) return b;
    tried.push([b, a]);
  }
  const bw = tried[0]![1];
  throw new CloudyaError('E_SANDBOX_UNAVAILABLE', `no sandbox backend works here: ${tried.map(([b, a]) => `${b}: ${a.detail}`).join('; ')}`, {
    hint: `${bw.hint ?? 'see `cloudya doctor`'}; or, to run on the host without isolation, write isolation: none in the step`,
    details: { backend: 'auto' },
  });
}
