// `terraform` — applies, plans, destroys or reads a deployment of a Terraform
// template (or a workflow's own configuration) in its own working directory
// under ~/.cloudya/deployments/<id>/. Its rollback is destroy.
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { defineStep, type StepContext } from '../engine/step-api.js';
import { CloudyaError } from '../engine/errors.js';
import { readCredentials, providerEnv } from '../engine/credentials.js';
import { findTemplate, readManifest, type TemplateManifest } from './terraform/templates.js';
import { checkParams } from './terraform/params.js';
import { deploymentDir, newDeploymentId, readDeployment, writeDeployment, type DeploymentRecord } from './terraform/deployments.js';
import { applyDeployment, destroyDeployment, planDeployment, readOutputs } from './terraform/actions.js';
import { findTerraform, type Changes } from './terraform/terraform-cli.js';

export interface TerraformInput {
  action?: 'apply' | 'plan' | 'destroy' | 'output';
  template?: string;
  source?: string;
  deployment?: string;
  vars?: Record<string, unknown>;
}

export interface TerraformOutputs {
  deployment: string;
  changes: Changes;
  [output: string]: unknown;
}

/** Everything an action needs about its deployment, resolved from the input. */
export interface Deployment {
  id: string;
  dir: string;
  template: string;
  provider: string;
  /** The template or source folder to copy in (absent for destroy/output of an existing deployment). */
  sourceDir?: string;
  manifest?: TemplateManifest;
  existing?: DeploymentRecord;
  /** Non-secret variables (for terraform.tfvars.json) and secret ones (TF_VAR_* only). */
  vars: Record<string, unknown>;
  secretVars: Record<string, unknown>;
  /** Variable values as recorded: secrets as "***". */
  params: Record<string, unknown>;
  /** The environment for terraform: stored provider credentials. */
  env: Record<string, string>;
}

async function resolveDeployment(ctx: StepContext, input: TerraformInput): Promise<Deployment> {
  const action = input.action ?? 'apply';
  if (input.template && input.source) throw new CloudyaError('E_TERRAFORM_CONFIG', 'give either template or source, not both');
  let template: string;
  let provider: string;
  let sourceDir: string | undefined;
  let manifest: TemplateManifest | undefined;
  if (input.template) {
    const tpl = await findTemplate(input.template);
    [template, provider, sourceDir, manifest] = [tpl.id, tpl.provider, tpl.dir, tpl.manifest];
  } else if (input.source) {
    sourceDir = resolve(ctx.workflowDir, input.source);
    if (!existsSync(sourceDir)) throw new CloudyaError('E_TERRAFORM_CONFIG', `source folder ${sourceDir} does not exist`, { hint: 'source: is relative to the workflow file' });
    manifest = existsSync(join(sourceDir, 'manifest.yaml')) ? await readManifest(join(sourceDir, 'manifest.yaml')) : undefined;
    template = `source:${sourceDir}`;
    provider = manifest?.provider ?? 'custom';
  } else if (input.deployment) {
    const rec = readDeployment(input.deployment);
    if (!rec) throw new CloudyaError('E_DEPLOYMENT_NOT_FOUND', `no deployment ${input.deployment}`, { hint: 'see the deployments with `cloudya deploy list-deployments`' });
    const file = join(deploymentDir(rec.id), 'manifest.yaml');
    manifest = existsSync(file) ? await readManifest(file) : undefined;
    [template, provider] = [rec.template, rec.provider];
  } else {
    throw new CloudyaError('E_TERRAFORM_CONFIG', 'the terraform step needs a template, a source or a deployment');
  }
  if ((action === 'apply' || action === 'plan') && !sourceDir) throw new CloudyaError('E_TERRAFORM_CONFIG', `action ${action} needs a template or a source`);
  const id = input.deployment ?? newDeploymentId(template, `${ctx.runId}/${ctx.stepId}`);
  const dir = deploymentDir(id);
  const existing = readDeployment(id);

  // Check the variables against the manifest; on destroy/output only what is given.
  const given = input.vars ?? {};
  const checked = manifest ? checkParams(manifest, template, given, 'E_TERRAFORM_CONFIG', action === 'destroy' || action === 'output') : { values: given, secrets: new Set<string>() };
  const vars: Record<string, unknown> = {};
  const secretVars: Record<string, unknown> = {};
  const params: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(checked.values)) {
    const text = typeof v === 'string' ? v : JSON.stringify(v);
    const secret = checked.secrets.has(k) || ctx.mask(text) !== text;
    (secret ? secretVars : vars)[k] = v;
    params[k] = secret ? '***' : v;
  }
  const env = providerEnv(provider, await readCredentials());
  return { id, dir, template, provider, ...(sourceDir ? { sourceDir } : {}), ...(manifest ? { manifest } : {}), ...(existing ? { existing } : {}), vars, secretVars, params, env };
}

export default defineStep<TerraformInput, TerraformOutputs>({
  type: 'terraform',
  description: 'Apply, plan, destroy or read a Terraform deployment of a template (its rollback is destroy)',
  schema: {
    type: 'object',
    properties: {
      action: { type: 'string', enum: ['apply', 'plan', 'destroy', 'output'], description: 'What to do (default apply)' },
      template: { type: 'string', minLength: 1, description: 'A template: <provider>/<name> (built-in, or ~/.cloudya/templates/terraform/)' },
      source: { type: 'string', minLength: 1, description: "A folder of .tf files, relative to the workflow file's folder" },
      deployment: { type: 'string', minLength: 1, description: 'The deployment id (generated from the run and step when absent)' },
      vars: { type: 'object', description: 'Terraform variables (secret ones go to terraform in the environment only)' },
    },
    additionalProperties: false,
    if: { properties: { action: { enum: ['destroy', 'output'] } }, required: ['action'] },
    then: { anyOf: [{ required: ['deployment'] }, { required: ['template'] }, { required: ['source'] }] },
    else: { oneOf: [{ required: ['template'] }, { required: ['source'] }] },
  },
  async run(ctx, input) {
    const action = input.action ?? 'apply';
    findTerraform();
    const d = await resolveDeployment(ctx, input);
    if (action === 'output') {
      if (!d.existing) throw new CloudyaError('E_DEPLOYMENT_NOT_FOUND', `no deployment ${d.id}`, { hint: 'see the deployments with `cloudya deploy list-deployments`' });
      return { ...(await readOutputs(ctx, d)), deployment: d.id, changes: { add: 0, change: 0, destroy: 0 } };
    }
    if (action === 'destroy') {
      if (!d.existing) throw new CloudyaError('E_DEPLOYMENT_NOT_FOUND', `no deployment ${d.id}`, { hint: 'see the deployments with `cloudya deploy list-deployments`' });
      return { deployment: d.id, changes: await destroyDeployment(ctx, d, { confirm: true }) };
    }
    if (action === 'plan') return planDeployment(ctx, d);
    return applyDeployment(ctx, d);
  },
  async rollback(ctx, input, outputs) {
    if ((input.action ?? 'apply') !== 'apply' || typeof outputs.deployment !== 'string') return;
    const rec = readDeployment(outputs.deployment);
    if (!rec || rec.status === 'destroyed') return;
    // Only the step that created the resources destroys them: an update of a
    // deployment that existed before the run is left in place.
    if (rec.createdBy?.runId !== ctx.runId || rec.createdBy.stepId !== ctx.stepId) {
      const msg = `deployment ${rec.id} existed before this run; it is left in place (destroy it with \`cloudya deploy destroy ${rec.id}\`)`;
      ctx.log.warn(msg);
      ctx.progress(msg);
      return;
    }
    const d = await resolveDeployment(ctx, { ...input, action: 'destroy', deployment: rec.id });
    await destroyDeployment(ctx, d, { confirm: false });
  },
});

export type { DeploymentRecord };
