// What `cloudya deploy template|destroy` compile into: a cloudya/v1 workflow
// with one terraform step. Given values become the params' defaults, so the
// emitted file reproduces the deployment when committed; secret params have
// no default (their values are given at run time and stay in memory).
import type { GeneratedWorkflow } from '../generated.js';
import type { Template, TemplateParam } from '../../steps/terraform/templates.js';
import type { DeploymentRecord } from '../../steps/terraform/deployments.js';
import type { TemplateManifest } from '../../steps/terraform/templates.js';

type WorkflowParam = { type: string; default?: unknown; required?: boolean; secret?: boolean; description?: string; enum?: unknown[] };

function workflowParam(p: TemplateParam, value: unknown, given: boolean): WorkflowParam {
  const out: WorkflowParam = { type: p.type };
  if (p.description) out.description = p.description;
  if (p.enum) out.enum = p.enum;
  if (p.secret) {
    out.secret = true;
    // A secret given now is required at run time; never written into the file.
    if (given || p.required) out.required = true;
    else if (p.default !== undefined) out.default = p.default;
  } else if (value !== undefined) out.default = value;
  else if (p.required) out.required = true;
  return out;
}

/** `deploy template`: apply (or plan) the template as deployment `id`. */
export function templateWorkflow(t: Template, id: string, values: Record<string, unknown>, given: Record<string, unknown>, action: 'apply' | 'plan'): GeneratedWorkflow {
  const params: Record<string, WorkflowParam> = {};
  const vars: Record<string, string> = {};
  for (const p of t.manifest.parameters) {
    const has = Object.hasOwn(values, p.name) || (p.secret === true && Object.hasOwn(given, p.name));
    if (!has && !p.required) continue;
    params[p.name] = workflowParam(p, values[p.name], Object.hasOwn(given, p.name));
    vars[p.name] = `{{params.${p.name}}}`;
  }
  return {
    apiVersion: 'cloudya/v1',
    kind: 'Workflow',
    name: `deploy-${t.id.replace('/', '-')}`,
    description: `${action === 'plan' ? 'Plan' : 'Deploy'} the terraform template ${t.id} as deployment ${id}: ${t.manifest.description}`,
    ...(Object.keys(params).length ? { params } : {}),
    steps: [{ id: 'deploy', type: 'terraform', with: { action, template: t.id, deployment: id, ...(Object.keys(vars).length ? { vars } : {}) } }],
  };
}

/** `deploy destroy ID`: secret variables of the deployment's template must be given again (terraform needs every variable to destroy). */
export function destroyWorkflow(rec: DeploymentRecord, manifest: TemplateManifest | undefined): GeneratedWorkflow {
  const secrets = (manifest?.parameters ?? []).filter((p) => p.secret && Object.hasOwn(rec.params, p.name));
  const params: Record<string, WorkflowParam> = {};
  const vars: Record<string, string> = {};
  for (const p of secrets) {
    params[p.name] = { type: p.type, secret: true, ...(p.description ? { description: p.description } : {}), ...(p.default !== undefined ? { default: p.default } : { required: true }) };
    vars[p.name] = `{{params.${p.name}}}`;
  }
  return {
    apiVersion: 'cloudya/v1',
    kind: 'Workflow',
    name: `destroy-${rec.id}`.slice(0, 100),
    description: `Destroy the deployment ${rec.id} (${rec.template})`,
    ...(secrets.length ? { params } : {}),
    steps: [{ id: 'destroy', type: 'terraform', with: { action: 'destroy', deployment: rec.id, ...(secrets.length ? { vars } : {}) } }],
  };
}
