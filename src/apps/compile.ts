// Compiles `app install` / `app uninstall` into cloudya/v1 workflows: an
// `ansible` step (app: NAME) and a health check. `appInstallSteps` is the part
// `stack deploy` reuses after its terraform step.
import type { GeneratedWorkflow } from '../generated.js';
import type { AppManifest, AppHealth } from '../../steps/ansible/apps.js';
import { fillTemplate } from '../../steps/ansible/apps.js';
import type { AppRecord } from '../../steps/ansible/registry.js';
import { DEFAULT_SSH_USER, type AppTarget } from './target.js';

export type StepDoc = Record<string, unknown>;

// A tiny HTTP/TCP check run with the CLI's own runtime (node); until the probe step exists.
const HTTP_CHECK = `const [u,w]=process.argv.slice(1);const m=require(u.startsWith('https:')?'https':'http');m.get(u,{timeout:5000},r=>{r.resume();const ok=w?r.statusCode==w:r.statusCode<400;console.log(u+' answered '+r.statusCode);process.exit(ok?0:1)}).on('timeout',function(){this.destroy(new Error('no answer within 5s'))}).on('error',e=>{console.error(u+': '+e.message);process.exit(1)})`;
const TCP_CHECK = `const [h,p]=process.argv.slice(1);const s=require('net').connect(+p,h,()=>{console.log(h+':'+p+' accepts connections');s.end();process.exit(0)});s.setTimeout(5000,()=>{console.error(h+':'+p+': no answer within 5s');process.exit(1)});s.on('error',e=>{console.error(h+':'+p+': '+e.message);process.exit(1)})`;

/**
 * The health check after an install: HTTP (2xx/3xx, or `expectStatus`) or TCP,
 * retried for about a minute. `values` maps the manifest's template names
 * (`host`, parameters) to workflow expressions or literals.
 */
export function healthStep(id: string, needs: string[], health: AppHealth, values: Record<string, string>): StepDoc | undefined {
  const retry = { attempts: 30, backoff: 'constant', delay: '2s' };
  if (health.http) {
    return { id, type: 'sandbox', needs, retry, timeout: '15s', with: { isolation: 'none', argv: ['node', '-e', HTTP_CHECK, fillTemplate(health.http, values), ...(health.expectStatus ? [String(health.expectStatus)] : [])] } };
  }
  if (health.tcp !== undefined) {
    return { id, type: 'sandbox', needs, retry, timeout: '15s', with: { isolation: 'none', argv: ['node', '-e', TCP_CHECK, values.host ?? '', fillTemplate(String(health.tcp), values)] } };
  }
  return undefined;
}

export interface AppStepsOptions {
  manifest: AppManifest;
  target: AppTarget;
  /** Parameter name → value or expression, given to the playbook as variables. */
  vars: Record<string, unknown>;
  /** Step ids: `<prefix>` for the install and `<prefix>-health` (default: install, health). */
  idPrefix?: string;
  needs?: string[];
}

/** The ansible install step, whose own rollback is the uninstall playbook, and the health check after it. */
export function appInstallSteps(o: AppStepsOptions): StepDoc[] {
  const installId = o.idPrefix ?? 'install';
  const healthId = o.idPrefix ? `${o.idPrefix}-health` : 'health';
  const t = o.target;
  const install: StepDoc = {
    id: installId,
    type: 'ansible',
    ...(o.needs?.length ? { needs: o.needs } : {}),
    timeout: '30m',
    with: {
      app: o.manifest.name,
      hosts: [t.host],
      ...(t.connection ? { connection: t.connection } : {}),
      ...(t.user ? { user: t.user } : {}),
      ...(t.port !== undefined ? { port: t.port } : {}),
      ...(t.privateKey ? { privateKey: t.privateKey } : {}),
      ...(t.deployment ? { deployment: t.deployment } : {}),
      vars: o.vars,
    },
  };
  const values: Record<string, string> = { host: t.host };
  for (const [k, v] of Object.entries(o.vars)) values[k] = String(v);
  const health = o.manifest.health ? healthStep(healthId, [installId], o.manifest.health, values) : undefined;
  return health ? [install, health] : [install];
}

/**
 * `app install`: the manifest's parameters become workflow params (given values
 * and defaults as defaults; secrets never get one), the target's host a param too.
 */
export function compileInstall(m: AppManifest, target: AppTarget | undefined, given: Record<string, unknown>, missing: string[], platform: string | undefined): GeneratedWorkflow {
  const params: Record<string, Record<string, unknown>> = {
    host: { type: 'string', description: 'The host to install on', ...(target ? { default: target.host } : { required: true }) },
  };
  const vars: Record<string, string> = {};
  for (const p of m.parameters) {
    const has = p.name in given;
    if (p.secret) {
      // A secret is declared only when it is needed or given: its value comes at run time.
      if (!has && !missing.includes(p.name) && p.default === undefined) continue;
      params[p.name] = { type: p.type ?? 'string', secret: true, required: true, ...(p.description ? { description: p.description } : {}) };
    } else {
      const value = has ? given[p.name] : p.default;
      params[p.name] = { type: p.type ?? 'string', ...(value !== undefined ? { default: value } : { required: true }), ...(p.description ? { description: p.description } : {}) };
    }
    vars[p.name] = `{{params.${p.name}}}`;
  }
  const user = platform ? DEFAULT_SSH_USER[platform] : undefined;
  const t: AppTarget = { ...(target ?? { connection: 'ssh', ...(user ? { user } : {}) }), host: '{{params.host}}' };
  return {
    apiVersion: 'cloudya/v1',
    kind: 'Workflow',
    name: `app-install-${m.name}`,
    description: `Install ${m.name}${platform ? ` (${platform})` : ''}${target ? ` on ${target.host}` : ''}, then check its health`,
    params,
    steps: appInstallSteps({ manifest: m, target: t, vars }),
  };
}

/** `app uninstall --id`: the uninstall playbook with the recorded target and non-secret variables. */
export function compileUninstall(rec: AppRecord): GeneratedWorkflow {
  const vars = Object.fromEntries(Object.entries(rec.vars).filter(([, v]) => v !== '***'));
  return {
    apiVersion: 'cloudya/v1',
    kind: 'Workflow',
    name: `app-uninstall-${rec.app}`,
    description: `Uninstall ${rec.id} (${rec.app}) from ${rec.hosts.join(', ')}`,
    steps: [
      {
        id: 'uninstall',
        type: 'ansible',
        timeout: '30m',
        with: {
          app: rec.app,
          action: 'uninstall',
          id: rec.id,
          hosts: rec.hosts,
          ...(rec.connection ? { connection: rec.connection } : {}),
          ...(rec.user ? { user: rec.user } : {}),
          ...(rec.port !== undefined ? { port: rec.port } : {}),
          ...(rec.privateKey ? { privateKey: rec.privateKey } : {}),
          vars,
        },
      },
    ],
  };
}
