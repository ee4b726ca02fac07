// What `cloudya stack deploy` compiles into: one workflow that creates the
// infrastructure with terraform, waits until the host answers, installs the
// application with ansible and probes its health. On a failure the engine's
// rollback undoes in reverse order: the app (its uninstall playbook), then the
// infrastructure (terraform destroy).
import type { GeneratedWorkflow } from '../generated.js';
import type { Template } from '../../steps/terraform/templates.js';
import type { AppManifest } from '../../steps/ansible/apps.js';
import { fillTemplate } from '../../steps/ansible/apps.js';
import { DEFAULT_SSH_USER } from '../apps/target.js';
import { appInstallSteps, type StepDoc } from '../apps/compile.js';

/** The preconfigured stacks `stack list` shows; `stack deploy NAME` uses one. */
export const STACKS = [
  { name: 'aws-wordpress', template: 'aws/ec2', app: 'wordpress', description: 'WordPress (Apache, MariaDB, PHP) on an EC2 instance in its own VPC' },
  { name: 'gcp-lamp', template: 'gcp/vm', app: 'lamp', description: 'A LAMP server on a Compute Engine VM' },
  { name: 'azure-nextcloud', template: 'azure/vm', app: 'nextcloud', description: 'Nextcloud (Docker) on an Azure VM' },
  { name: 'local-hello', template: 'local/host', app: 'hello-web', description: 'A static web page on this machine (offline; for trying cloudya)' },
] as const;

type WorkflowParam = { type: string; default?: unknown; required?: boolean; secret?: boolean; description?: string; enum?: unknown[] };

interface ParamSpec {
  name: string;
  type?: string;
  default?: unknown;
  required?: boolean;
  secret?: boolean;
  description?: string;
  enum?: unknown[];
}

/**
 * A manifest parameter as a workflow param named `<prefix>_<name>` (infra and
 * app parameters may share names). Given values become defaults, so the emitted
 * file reproduces the stack; secrets never get one (given at run time).
 */
function param(p: ParamSpec, given: Record<string, unknown>): WorkflowParam | undefined {
  const has = Object.hasOwn(given, p.name);
  const out: WorkflowParam = { type: p.type ?? 'string' };
  if (p.description) out.description = p.description;
  if (p.enum) out.enum = p.enum;
  if (p.secret) {
    // Declared only when given or required: otherwise the template's or app's own default applies.
    if (!has && !p.required) return undefined;
    out.secret = true;
    out.required = true;
  } else if (has) out.default = given[p.name];
  else if (p.default !== undefined) out.default = p.default;
  else out.required = true;
  return out;
}

export interface StackOptions {
  template: Template;
  app: AppManifest;
  deployment: string;
  infraGiven: Record<string, unknown>;
  appGiven: Record<string, unknown>;
  name?: string;
}

export function stackWorkflow(o: StackOptions): GeneratedWorkflow {
  const params: Record<string, WorkflowParam> = {};
  const infraVars: Record<string, string> = {};
  for (const p of o.template.manifest.parameters) {
    const wp = param(p, o.infraGiven);
    if (!wp) continue;
    params[`infra_${p.name}`] = wp;
    infraVars[p.name] = `{{params.infra_${p.name}}}`;
  }
  const appVars: Record<string, string> = {};
  for (const p of o.app.parameters) {
    const wp = param(p, o.appGiven);
    if (!wp) continue;
    params[`app_${p.name}`] = wp;
    appVars[p.name] = `{{params.app_${p.name}}}`;
  }
  const provider = o.template.manifest.provider;
  const local = provider === 'local';
  const out = (name: string) => `{{steps.infra.outputs.${name}}}`;

  const steps: StepDoc[] = [
    { id: 'infra', type: 'terraform', timeout: '60m', with: { template: o.template.id, deployment: o.deployment, ...(Object.keys(infraVars).length ? { vars: infraVars } : {}) } },
  ];
  // A new machine takes a while to boot and start sshd: wait for its ssh port.
  // A local host is this machine: it answers already.
  if (!local) {
    steps.push({ id: 'wait-host', type: 'probe', needs: ['infra'], retry: { attempts: 60, backoff: 'constant', delay: '5s' }, timeout: '15s', with: { check: 'tcp', host: out('host'), port: 22, timeout: '5s' } });
  }
  const [install] = appInstallSteps({
    manifest: o.app,
    target: { host: out('host'), connection: local ? 'local' : 'ssh', user: local ? out('ssh_user') : DEFAULT_SSH_USER[provider] ?? out('ssh_user') },
    vars: appVars,
    idPrefix: 'app',
    needs: [local ? 'infra' : 'wait-host'],
  });
  steps.push(install!);
  const values: Record<string, string> = { host: out('host') };
  for (const name of Object.keys(appVars)) values[name] = appVars[name]!;
  const health = o.app.health;
  if (health?.http) {
    steps.push({ id: 'health', type: 'probe', needs: ['app'], retry: { attempts: 30, backoff: 'constant', delay: '2s' }, timeout: '15s', with: { check: 'http', url: fillTemplate(health.http, values), ...(health.expectStatus ? { expectStatus: health.expectStatus } : {}) } });
  } else if (health?.tcp !== undefined) {
    // The port may be a parameter (an expression): the probe's port must be a number, so check with the app's own step.
    const port = Number(fillTemplate(String(health.tcp), Object.fromEntries(o.app.parameters.map((p) => [p.name, String(o.appGiven[p.name] ?? p.default ?? '')]))));
    if (Number.isInteger(port) && port > 0) steps.push({ id: 'health', type: 'probe', needs: ['app'], retry: { attempts: 30, backoff: 'constant', delay: '2s' }, timeout: '15s', with: { check: 'tcp', host: out('host'), port } });
  }
  return {
    apiVersion: 'cloudya/v1',
    kind: 'Workflow',
    name: `stack-${o.name ?? `${o.template.id.replace('/', '-')}-${o.app.name}`}`,
    description: `Deploy ${o.template.id} as ${o.deployment}, install ${o.app.name} on it, check its health; on failure undo the app, then the infrastructure`,
    ...(Object.keys(params).length ? { params } : {}),
    steps,
  };
}
