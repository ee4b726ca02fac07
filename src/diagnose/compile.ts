// `diagnose system | service NAME | deployment ID` compile into workflows of
// probe steps. Every probe says `failOn: never`, so the run records all
// findings and the command judges them afterwards.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { join } from 'node:path';
import { CloudyaError } from '../../engine/errors.js';
import { didYouMean } from '../../engine/suggest.js';
import type { GeneratedWorkflow } from '../generated.js';
import type { Finding } from '../../steps/probe/types.js';

export interface Diagnosis {
  workflow: GeneratedWorkflow;
  /** What is known before anything runs (e.g. a deployment recorded as failed). */
  findings: Finding[];
  target: string;
}

type Step = { id: string; type: 'probe'; name?: string; with: Record<string, unknown> };

const probe = (id: string, name: string, withBlock: Record<string, unknown>): Step => ({ id, type: 'probe', name, with: { ...withBlock, failOn: 'never' } });

const wf = (name: string, description: string, steps: Step[]): GeneratedWorkflow => ({ apiVersion: 'cloudya/v1', kind: 'Workflow', name, description, concurrency: 4, steps });

export function compileSystem(): Diagnosis {
  return { target: 'system', findings: [], workflow: wf('diagnose-system', 'CPU, load, memory, swap, disks, inodes and top processes of this machine', [probe('system', 'this machine', { check: 'system' })]) };
}

const SERVICE_NAME = /^[A-Za-z0-9@._:-]+$/;

export function compileService(name: string, port?: number): Diagnosis {
  if (!SERVICE_NAME.test(name)) throw new CloudyaError('E_USAGE', `not a service name: ${JSON.stringify(name)}`, { hint: 'a systemd unit or program name: letters, digits and @ . _ : - only' });
  const safe = name.replace(/[^A-Za-z0-9_-]/g, '-');
  return { target: `service ${name}`, findings: [], workflow: wf(`diagnose-service-${safe}`, `State, processes, ports and logs of the service ${name}`, [probe('service', name, { check: 'service', name, ...(port ? { port } : {}) })]) };
}

interface DeploymentRecord { id: string; template?: string; provider?: string; status?: string; outputs?: Record<string, unknown>; params?: Record<string, unknown>; updatedAt?: string }

const APP_SERVICES: Record<string, string[]> = {
  wordpress: ['apache2', 'mysql'],
  lamp: ['apache2', 'mysql'],
  nextcloud: ['docker'],
  nginx: ['nginx'],
  postgresql: ['postgresql'],
};
const WEB_APPS = new Set(['wordpress', 'lamp', 'nextcloud', 'nginx']);
const isLocal = (h: string) => h === 'localhost' || h === '127.0.0.1' || h === '::1';
const stepId = (s: string) => s.replace(/[^A-Za-z0-9_-]/g, '_').replace(/^([^A-Za-z_])/, '_$1');

function readJson(file: string): unknown {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as unknown;
  } catch {
    return undefined;
  }
}

/** The apps the registry says were installed on this deployment. */
function appsOf(home: string, id: string): Record<string, unknown>[] {
  const dir = join(home, 'apps');
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .map((f) => readJson(join(dir, f)))
    .filter((a): a is Record<string, unknown> => typeof a === 'object' && a !== null)
    .filter((a) => [a.deployment, a.deployment_id, a.deploymentId].includes(id));
}

export function compileDeployment(home: string, id: string): Diagnosis {
  const root = join(home, 'deployments');
  const file = join(root, id, 'deployment.json');
  const rec = readJson(file) as DeploymentRecord | undefined;
  if (!rec) {
    const known = existsSync(root) ? readdirSync(root).filter((d) => existsSync(join(root, d, 'deployment.json'))) : [];
    const guess = didYouMean(id, known);
    throw new CloudyaError('E_DEPLOYMENT_NOT_FOUND', `no deployment ${id}`, { hint: guess ? `did you mean ${guess}?` : known.length ? `known deployments: ${known.slice(0, 8).join(', ')}` : 'no deployment is recorded yet: see `cloudya deploy list-deployments`' });
  }
  const findings: Finding[] = [];
  const steps: Step[] = [];
  const out = rec.outputs ?? {};
  if (rec.status !== 'applied') {
    findings.push({ check: 'deployment', severity: rec.status === 'planned' ? 'warning' : 'critical', title: `deployment ${id} is ${rec.status ?? 'in an unknown state'}`, observed: `deployment.json: status ${rec.status ?? '(none)'}${rec.updatedAt ? `, updated ${rec.updatedAt}` : ''}`, why: rec.status === 'destroyed' ? 'Its infrastructure was destroyed; nothing is expected to answer.' : 'Its infrastructure was not (completely) created.', fix: rec.status === 'destroyed' ? `cloudya deploy list-deployments` : `cloudya runs list   # find the deploy run; cloudya resume RUN or deploy again` });
  }
  const connection = String(out.connection ?? '');
  const host = [out.host, out.public_ip, out.ip, out.hostname, out.public_dns].find((v): v is string => typeof v === 'string' && v.length > 0);
  if (host && !isIP(host) && !isLocal(host)) steps.push(probe('dns', `name ${host}`, { check: 'dns', host }));
  const ports = new Map<number, string>();
  for (const [k, v] of Object.entries(out)) {
    const n = typeof v === 'number' ? v : typeof v === 'string' && /^\d+$/.test(v) ? Number(v) : NaN;
    if (!/port$/i.test(k) || !Number.isInteger(n) || n < 1 || n > 65535) continue;
    // A local deployment is reached without ssh: its ssh_port says nothing.
    if (connection === 'local' && /ssh/i.test(k)) continue;
    ports.set(n, k);
  }
  if (host) for (const [port, key] of ports) steps.push(probe(stepId(`tcp_${port}`), `${key} ${host}:${port}`, { check: 'tcp', host, port }));
  for (const [k, v] of Object.entries(out)) if (typeof v === 'string' && /^https?:\/\//.test(v)) steps.push(probe(stepId(`http_${k}`), `${k} ${v}`, { check: 'http', url: v }));
  if (connection === 'local' || (host && isLocal(host))) steps.push(probe('system', 'the host', { check: 'system' }));

  for (const app of appsOf(home, id)) {
    const name = String(app.app ?? app.name ?? 'app');
    const appId = String(app.id ?? name);
    const hosts = Array.isArray(app.hosts) ? app.hosts.map(String) : host ? [host] : [];
    const services = Array.isArray(app.services) ? app.services.map(String) : APP_SERVICES[name] ?? [];
    const local = hosts.length === 0 || hosts.every(isLocal) || app.connection === 'local';
    if (app.status !== undefined && !['installed', 'succeeded', 'ok'].includes(String(app.status))) {
      findings.push({ check: 'app', severity: 'critical', title: `app ${appId} (${name}) is ${String(app.status)}`, observed: `apps/${appId}.json: status ${String(app.status)}`, why: 'The application was not installed completely.', fix: `cloudya app status; cloudya app install ${name}   # again, or uninstall --id ${appId}` });
    }
    if (local) for (const s of services.filter((x) => SERVICE_NAME.test(x))) steps.push(probe(stepId(`app_${appId}_${s}`), `${name}: service ${s}`, { check: 'service', name: s }));
    const published = (app.published ?? {}) as Record<string, unknown>;
    const urls = [app.url, published.url, published.site_url].filter((u): u is string => typeof u === 'string' && /^https?:\/\//.test(u));
    if (urls.length) urls.forEach((u, i) => steps.push(probe(stepId(`app_${appId}_http${i || ''}`), `${name}: ${u}`, { check: 'http', url: u })));
    else if (WEB_APPS.has(name)) for (const h of hosts.length ? hosts : ['127.0.0.1']) steps.push(probe(stepId(`app_${appId}_http_${h}`), `${name}: http://${h}/`, { check: 'http', url: `http://${h.includes(':') ? `[${h}]` : h}/` }));
  }
  if (!steps.length) steps.push(probe('record', 'the deployment record', { check: 'file', path: file, kind: 'file' }));
  const seen = new Set<string>();
  const unique = steps.filter((s) => (seen.has(s.id) ? false : (seen.add(s.id), true)));
  return { target: `deployment ${id}`, findings, workflow: wf(`diagnose-deployment-${stepId(id).replace(/_/g, '-')}`, `What deployment ${id} (${rec.template ?? rec.provider ?? 'unknown template'}) recorded: its outputs answer, its apps are healthy`, unique) };
}
