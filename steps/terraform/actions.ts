// The terraform step's actions on one deployment: plan, apply, destroy, output.
// Each keeps deployment.json up to date; plan files (which hold every variable,
// secrets included) are removed as soon as they have been used.
import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { CloudyaError } from '../../engine/errors.js';
import type { StepContext } from '../../engine/step-api.js';
import type { Deployment, TerraformOutputs } from '../terraform.js';
import { writeDeployment, type DeploymentRecord, type DeploymentStatus } from './deployments.js';
import { baseEnv, runTerraform, type Changes } from './terraform-cli.js';
import { cleanAfterDestroy, readTfvars, secretEnv, stateResources, syncTemplate, writeTfvars } from './workdir.js';

const PLAN_FILE = 'cloudya.tfplan';
const NO_CHANGES: Changes = { add: 0, change: 0, destroy: 0 };

function record(ctx: StepContext, d: Deployment, status: DeploymentStatus, extra: Partial<DeploymentRecord> = {}): DeploymentRecord {
  const now = new Date().toISOString();
  const prev = d.existing;
  const rec: DeploymentRecord = {
    id: d.id,
    template: d.template,
    provider: d.provider,
    status,
    createdAt: prev?.createdAt ?? now,
    updatedAt: now,
    runId: ctx.runId,
    params: prev && Object.keys(d.params).length === 0 ? prev.params : d.params,
    outputs: prev?.outputs ?? {},
    ...(prev?.createdBy ? { createdBy: prev.createdBy } : {}),
    ...(prev?.error ? { error: prev.error } : {}),
    ...extra,
  };
  if (status !== 'failed') delete rec.error;
  writeDeployment(rec);
  d.existing = rec;
  return rec;
}

/** Copies the template, writes the variables and returns terraform's environment. */
function prepare(d: Deployment, mergeVars: boolean): Record<string, string> {
  if (d.sourceDir && !mergeVars) syncTemplate(d.sourceDir, d.dir);
  writeTfvars(d.dir, mergeVars ? { ...readTfvars(d.dir), ...d.vars } : d.vars);
  return { ...baseEnv(), ...d.env, ...secretEnv(d.secretVars) };
}

async function init(ctx: StepContext, d: Deployment, env: Record<string, string>): Promise<void> {
  ctx.progress(`terraform init (${d.id})`);
  await runTerraform(ctx, ['init', '-input=false', '-json'], { cwd: d.dir, env });
}

async function plan(ctx: StepContext, d: Deployment, env: Record<string, string>, destroy: boolean): Promise<{ changes: Changes; planned: string[] }> {
  ctx.progress(`terraform plan${destroy ? ' -destroy' : ''} (${d.id})`);
  const planned: string[] = [];
  const r = await runTerraform(ctx, ['plan', '-input=false', '-json', '-lock-timeout=30s', `-out=${PLAN_FILE}`, ...(destroy ? ['-destroy'] : [])], {
    cwd: d.dir,
    env,
    onPlanned: (line) => planned.push(line),
  });
  return { changes: r.changes ?? NO_CHANGES, planned };
}

async function applyPlan(ctx: StepContext, d: Deployment, env: Record<string, string>, changes: Changes): Promise<Changes> {
  try {
    const r = await runTerraform(ctx, ['apply', '-input=false', '-json', '-lock-timeout=30s', PLAN_FILE], { cwd: d.dir, env, total: changes.add + changes.change + changes.destroy });
    return r.changes ?? changes;
  } finally {
    rmSync(join(d.dir, PLAN_FILE), { force: true });
  }
}

/** `output -json`: every output's value; sensitive ones as "***" (they are not passed on or persisted). */
export async function readOutputs(ctx: StepContext, d: Deployment): Promise<Record<string, unknown>> {
  const r = await runTerraform(ctx, ['output', '-json'], { cwd: d.dir, env: { ...baseEnv(), ...d.env }, raw: true });
  const parsed = JSON.parse(r.stdout.trim() || '{}') as Record<string, { sensitive?: boolean; value: unknown }>;
  return Object.fromEntries(Object.entries(parsed).map(([k, o]) => [k, o.sensitive ? '***' : o.value]));
}

export async function planDeployment(ctx: StepContext, d: Deployment): Promise<TerraformOutputs> {
  const env = prepare(d, false);
  if (!d.existing) record(ctx, d, 'planned');
  try {
    await init(ctx, d, env);
    const { changes, planned } = await plan(ctx, d, env, false);
    if (d.existing?.status !== 'applied') record(ctx, d, 'planned');
    return { deployment: d.id, changes, planned };
  } finally {
    rmSync(join(d.dir, PLAN_FILE), { force: true });
  }
}

export async function applyDeployment(ctx: StepContext, d: Deployment): Promise<TerraformOutputs> {
  const env = prepare(d, false);
  const before = stateResources(d.dir);
  // This step owns the resources when it starts from an empty state, or when
  // it already did (a retry or a resume after a crash in the middle of its apply).
  const mine = { runId: ctx.runId, stepId: ctx.stepId };
  const owner = d.existing?.createdBy;
  const already = owner?.runId === mine.runId && owner.stepId === mine.stepId;
  const ours = before.length === 0 || already;
  if (!d.existing || (ours && !already)) record(ctx, d, d.existing?.status ?? 'planned', ours ? { createdBy: mine } : {});
  let changes: Changes;
  let applying = false;
  try {
    await init(ctx, d, env);
    ({ changes } = await plan(ctx, d, env, false));
    if (changes.destroy > 0 && !ours) {
      const ok = await ctx.confirm(`apply to deployment ${d.id} would destroy or replace ${changes.destroy} resource(s); continue?`);
      if (!ok) {
        rmSync(join(d.dir, PLAN_FILE), { force: true });
        throw new CloudyaError('E_NOT_APPROVED', `apply to ${d.id} would destroy ${changes.destroy} resource(s) and was not approved`, { hint: 'run again with --yes, or answer y on a terminal' });
      }
    }
    applying = true;
    changes = await applyPlan(ctx, d, env, changes);
  } catch (err) {
    const e = err instanceof CloudyaError ? err : new CloudyaError('E_STEP_FAILED', String(err), { cause: err });
    // Resources that existed stay as they were when init or plan failed: keep their status.
    if (!applying && before.length > 0) throw e;
    record(ctx, d, 'failed', { error: { code: e.code, message: e.message } });
    // A deployment this step was creating must not be left half-built: undo what the failed apply created.
    if (ours && stateResources(d.dir).length > 0 && !ctx.signal.aborted) {
      ctx.progress(`apply failed: destroying what it created in ${d.id}`);
      try {
        await destroyDeployment(ctx, d, { confirm: false, keepStatus: 'failed' });
      } catch (cleanup) {
        ctx.log.error(`could not destroy the partial deployment ${d.id}: ${(cleanup as Error).message}`);
      }
    }
    throw e;
  }
  const outputs = await readOutputs(ctx, d);
  record(ctx, d, 'applied', { outputs, ...(ours ? { createdBy: mine } : {}) });
  for (const k of ['deployment', 'changes']) if (k in outputs) ctx.log.warn(`the template's output '${k}' is shadowed by the step's own '${k}'`);
  return { ...outputs, deployment: d.id, changes };
}

export async function destroyDeployment(ctx: StepContext, d: Deployment, opts: { confirm: boolean; keepStatus?: DeploymentStatus }): Promise<Changes> {
  if (!existsSync(d.dir)) throw new CloudyaError('E_DEPLOYMENT_NOT_FOUND', `no deployment folder ${d.dir}`);
  const resources = stateResources(d.dir);
  // Nothing in the local state and no remote backend configured: nothing to destroy.
  if (resources.length === 0 && !existsSync(join(d.dir, '.terraform', 'terraform.tfstate'))) {
    record(ctx, d, opts.keepStatus ?? 'destroyed', opts.keepStatus ? {} : { outputs: {} });
    cleanAfterDestroy(d.dir);
    return NO_CHANGES;
  }
  if (opts.confirm && resources.length > 0) {
    const list = resources.slice(0, 5).join(', ') + (resources.length > 5 ? `, … (${resources.length - 5} more)` : '');
    if (!(await ctx.confirm(`destroy deployment ${d.id} (${resources.length} resource(s): ${list})?`))) {
      throw new CloudyaError('E_NOT_APPROVED', `destroying ${d.id} was not approved`, { hint: 'run again with --yes, or answer y on a terminal' });
    }
  }
  const env = prepare(d, true);
  await init(ctx, d, env);
  const { changes } = await plan(ctx, d, env, true);
  const done = await applyPlan(ctx, d, env, changes);
  record(ctx, d, opts.keepStatus ?? 'destroyed', opts.keepStatus ? {} : { outputs: {} });
  cleanAfterDestroy(d.dir);
  return done;
}
