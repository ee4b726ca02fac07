// cloudya deploy list | template NAME | list-deployments | show ID | destroy ID —
// Terraform templates and their deployments. `template` and `destroy` compile
// into a workflow (one terraform step) run by the same engine as `cloudya run`;
// `--emit` prints that workflow instead.
import { join } from 'node:path';
import type sade from 'sade';
import type { CommandModule } from '../main.js';
import { CloudyaError } from '../../engine/errors.js';
import { outputFormat } from '../drive.js';
import { textOrJson } from '../output/format.js';
import type { RunState } from '../../engine/state.js';

async function list(opts: Record<string, unknown>): Promise<number> {
  const format = textOrJson(opts.output);
  const { listTemplates } = await import('../../steps/terraform/templates.js');
  const { templatesText, templateJson } = await import('../deploy/render.js');
  const { templates, problems } = await listTemplates();
  for (const p of problems) process.stderr.write(`warning: ${p.message}; template skipped\n`);
  process.stdout.write(format === 'json' ? JSON.stringify(templates.map(templateJson), null, 2) + '\n' : templatesText(templates));
  return 0;
}

async function template(name: string, opts: Record<string, unknown>): Promise<number> {
  const format = outputFormat(opts.output);
  const { findTemplate } = await import('../../steps/terraform/templates.js');
  const { checkParams } = await import('../../steps/terraform/params.js');
  const { newDeploymentId, readDeployment, deploymentDir } = await import('../../steps/terraform/deployments.js');
  const { templateWorkflow } = await import('../deploy/compile.js');
  const tpl = await findTemplate(name);
  const { kvListOption } = await import('../param-options.js');
  const given = await kvListOption(opts, 'params');
  const { values, secrets } = checkParams(tpl.manifest, tpl.id, given);
  let id: string;
  if ((typeof opts.deployment === 'string' && opts.deployment) || typeof opts.deployment === 'number') {
    id = String(opts.deployment);
    try {
      deploymentDir(id);
    } catch (err) {
      throw new CloudyaError('E_USAGE', (err as Error).message, { hint: (err as CloudyaError).hint ?? '' });
    }
    const rec = readDeployment(id);
    if (rec && rec.template !== tpl.id) throw new CloudyaError('E_USAGE', `deployment ${id} is of template ${rec.template}, not ${tpl.id}`, { hint: 'leave out --deployment to create a new deployment' });
  } else if (opts.deployment !== undefined) {
    throw new CloudyaError('E_USAGE', '--deployment expects an id', { hint: 'e.g. --deployment web-prod' });
  } else {
    do id = newDeploymentId(tpl.id);
    while (readDeployment(id));
  }
  const doc = templateWorkflow(tpl, id, values, given, opts.plan === true ? 'plan' : 'apply');
  const madeBy = `cloudya deploy template ${tpl.id}${opts.plan === true ? ' --plan' : ''}`;
  const { emitWorkflow, runGenerated } = await import('../generated.js');
  if (opts.emit === true) return emitWorkflow(doc, madeBy);
  (await import('../../steps/terraform/terraform-cli.js')).findTerraform();
  const secretValues = Object.fromEntries(Object.entries(values).filter(([k]) => secrets.has(k)));
  return runGenerated(doc, madeBy, {
    params: secretValues,
    format,
    yes: opts.yes === true,
    onDone: (state) => (format === 'text' ? summarize(state, id) : undefined),
  });
}

/** After a text-mode run: what was deployed (stdout) or planned. */
async function summarize(state: RunState, id: string): Promise<void> {
  const step = state.steps.deploy ?? state.steps.destroy;
  if (!step || step.status !== 'succeeded') return;
  const { readDeployment, deploymentDir } = await import('../../steps/terraform/deployments.js');
  const rec = readDeployment(id);
  const o = (step.outputs ?? {}) as { changes?: { add: number; change: number; destroy: number }; planned?: string[] };
  const c = o.changes;
  const lines = [`deployment ${id} ${rec?.status ?? ''}${c ? ` (${c.add} to add, ${c.change} to change, ${c.destroy} to destroy)` : ''}`.replace(/ +\(/, ' (')];
  for (const p of o.planned ?? []) lines.push(`  ${p}`);
  if (rec?.status === 'applied') for (const [k, v] of Object.entries(rec.outputs)) lines.push(`  ${k} = ${typeof v === 'string' ? v : JSON.stringify(v)}`);
  if (rec?.status === 'applied') lines.push(`dir: ${deploymentDir(id)}`);
  process.stdout.write(lines.join('\n') + '\n');
}

async function listDeployments(opts: Record<string, unknown>): Promise<number> {
  const format = textOrJson(opts.output);
  const { listDeployments: all } = await import('../../steps/terraform/deployments.js');
  const list = all();
  if (format === 'json') {
    process.stdout.write(JSON.stringify(list, null, 2) + '\n');
    return 0;
  }
  if (list.length === 0) {
    process.stderr.write('no deployments yet — create one with `cloudya deploy template NAME`\n');
    return 0;
  }
  const { deploymentsText } = await import('../deploy/render.js');
  process.stdout.write(deploymentsText(list));
  return 0;
}

async function show(idOrPrefix: string, opts: Record<string, unknown>): Promise<number> {
  const format = textOrJson(opts.output);
  const { findDeployment, deploymentDir } = await import('../../steps/terraform/deployments.js');
  const { stateResources } = await import('../../steps/terraform/workdir.js');
  const rec = findDeployment(idOrPrefix);
  const dir = deploymentDir(rec.id);
  const resources = stateResources(dir);
  if (format === 'json') {
    process.stdout.write(JSON.stringify({ ...rec, dir, resources }, null, 2) + '\n');
    return 0;
  }
  const { deploymentText } = await import('../deploy/render.js');
  process.stdout.write(deploymentText(rec, dir, resources));
  return 0;
}

async function destroy(idOrPrefix: string, opts: Record<string, unknown>): Promise<number> {
  const format = outputFormat(opts.output);
  const { findDeployment, deploymentDir } = await import('../../steps/terraform/deployments.js');
  const { readManifest } = await import('../../steps/terraform/templates.js');
  const { checkParams } = await import('../../steps/terraform/params.js');
  const { destroyWorkflow } = await import('../deploy/compile.js');
  const { existsSync } = await import('node:fs');
  const { paramEnvName } = await import('../params.js');
  const rec = findDeployment(idOrPrefix);
  const manifestFile = join(deploymentDir(rec.id), 'manifest.yaml');
  const manifest = existsSync(manifestFile) ? await readManifest(manifestFile) : undefined;
  const { kvListOption } = await import('../param-options.js');
  const given = await kvListOption(opts, 'params');
  const doc = destroyWorkflow(rec, manifest);
  const declared = (doc.params ?? {}) as Record<string, { required?: boolean }>;
  const values: Record<string, unknown> = {};
  if (manifest && Object.keys(given).length) Object.assign(values, checkParams(manifest, rec.template, given, 'E_PARAM', true).values);
  for (const k of Object.keys(given)) {
    if (!declared[k]) throw new CloudyaError('E_PARAM', `destroy takes only the secret parameters the deployment was made with; '${k}' is not one`, { hint: Object.keys(declared).length ? `it takes: ${Object.keys(declared).join(', ')}` : 'leave out --params' });
  }
  const missing = Object.entries(declared).filter(([k, p]) => p.required && !Object.hasOwn(values, k) && !process.env[paramEnvName(k)]).map(([k]) => k);
  if (missing.length && opts.emit !== true) {
    throw new CloudyaError('E_PARAM', `deployment ${rec.id} was made with secret parameter${missing.length > 1 ? 's' : ''} ${missing.map((m) => `'${m}'`).join(', ')}; terraform needs ${missing.length > 1 ? 'them' : 'it'} again to destroy`, {
      hint: `give ${missing.length > 1 ? 'them' : 'it'}: --params ${missing.map((m) => `${m}=…`).join(',')} (or ${paramEnvName(missing[0]!)})`,
    });
  }
  const { emitWorkflow, runGenerated } = await import('../generated.js');
  const madeBy = `cloudya deploy destroy ${rec.id}`;
  if (opts.emit === true) return emitWorkflow(doc, madeBy);
  (await import('../../steps/terraform/terraform-cli.js')).findTerraform();
  // Nobody to ask and no --yes: refuse before a run is created.
  if (opts.yes !== true && !(process.stdin.isTTY && process.stderr.isTTY)) {
    throw new CloudyaError('E_USAGE', `destroying ${rec.id} needs confirmation`, { hint: `add --yes: cloudya deploy destroy ${rec.id} --yes` });
  }
  return runGenerated(doc, madeBy, {
    params: values,
    format,
    yes: opts.yes === true,
    onDone: (state) => (format === 'text' ? summarize(state, rec.id) : undefined),
  });
}

export default {
  register(prog: sade.Sade) {
    prog
      .command('deploy')
      .describe('Infrastructure from Terraform templates: deploy list | template | list-deployments | show | destroy')
      .action(() => {
        process.stdout.write(
          'cloudya deploy list                      the templates and their parameters\n' +
            'cloudya deploy template NAME --params …  deploy a template (--plan, --emit, --deployment, --yes)\n' +
            'cloudya deploy list-deployments          the deployments\n' +
            'cloudya deploy show ID                   one deployment\n' +
            'cloudya deploy destroy ID                destroy a deployment\n' +
            'Each takes --help and --output json.\n',
        );
        return 0;
      });
    prog
      .command('deploy list')
      .describe('List the Terraform templates: name, provider, description and parameters')
      .option('--output', 'text or json', 'text')
      .action((opts: Record<string, unknown>) => list(opts));
    prog
      .command('deploy template <name>')
      .describe('Deploy a Terraform template (compiles into a workflow with a terraform step)')
      .option('--params', 'Template parameters: name=value,name=value')
      .option('--plan', 'Only plan: show what would change, change nothing')
      .option('--emit', 'Print the workflow instead of running it (to commit it, or run it with `cloudya run`)')
      .option('--deployment', 'Apply to this deployment id (an update of an existing deployment, or a chosen id)')
      .option('-y, --yes', 'Approve confirmations (an apply that would destroy or replace resources)')
      .option('--output', 'text, json or ndjson', 'text')
      .example('deploy template aws/vpc --params region=eu-west-3,vpc_cidr=10.0.0.0/16')
      .example('deploy template local/host --plan')
      .action((name: string, opts: Record<string, unknown>) => template(name, opts));
    prog
      .command('deploy list-deployments')
      .describe('List deployments, newest first: id, template, status, created, outputs')
      .option('--output', 'text or json', 'text')
      .action((opts: Record<string, unknown>) => listDeployments(opts));
    prog
      .command('deploy show <id>')
      .describe('Show a deployment: status, params, outputs, resources (a unique id prefix is enough)')
      .option('--output', 'text or json', 'text')
      .action((id: string, opts: Record<string, unknown>) => show(id, opts));
    prog
      .command('deploy destroy <id>')
      .describe('Destroy a deployment (compiles into a workflow with a terraform destroy step)')
      .option('--params', 'Secret parameters the deployment was made with: name=value,…')
      .option('--emit', 'Print the workflow instead of running it')
      .option('-y, --yes', 'Approve the destruction without asking')
      .option('--output', 'text, json or ndjson', 'text')
      .action((id: string, opts: Record<string, unknown>) => destroy(id, opts));
  },
} satisfies CommandModule;
