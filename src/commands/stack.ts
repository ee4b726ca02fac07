// cloudya stack list | deploy — infrastructure and an application in one
// workflow: terraform → wait for the host → ansible → health probe, with the
// app and then the infrastructure undone on failure.
import type sade from 'sade';
import type { CommandModule } from '../main.js';
import { CloudyaError } from '../../engine/errors.js';
import { outputFormat } from '../drive.js';
import { textOrJson } from '../output/format.js';

async function list(opts: Record<string, unknown>): Promise<number> {
  const format = textOrJson(opts.output);
  const { STACKS } = await import('../stack/compile.js');
  if (format === 'json') {
    process.stdout.write(JSON.stringify(STACKS, null, 2) + '\n');
    return 0;
  }
  const w = [Math.max(...STACKS.map((s) => s.name.length)), Math.max(...STACKS.map((s) => s.template.length)), Math.max(...STACKS.map((s) => s.app.length))];
  let out = `${'NAME'.padEnd(w[0]!)}  ${'TEMPLATE'.padEnd(w[1]!)}  ${'APP'.padEnd(w[2]!)}  DESCRIPTION\n`;
  for (const s of STACKS) out += `${s.name.padEnd(w[0]!)}  ${s.template.padEnd(w[1]!)}  ${s.app.padEnd(w[2]!)}  ${s.description}\n`;
  process.stdout.write(out + '\nDeploy one with `cloudya stack deploy NAME`, or any pair with `cloudya stack deploy --template T --app A`.\n');
  return 0;
}

async function deploy(name: string | undefined, opts: Record<string, unknown>): Promise<number> {
  const emit = opts.emit === true;
  const format = emit ? 'text' : outputFormat(opts.output);
  const { STACKS, stackWorkflow } = await import('../stack/compile.js');
  const { didYouMean } = await import('../../engine/suggest.js');
  let templateName = typeof opts.template === 'string' ? opts.template : undefined;
  let appName = typeof opts.app === 'string' ? opts.app : undefined;
  if (name !== undefined) {
    const stack = STACKS.find((s) => s.name === name);
    if (!stack) {
      const close = didYouMean(name, STACKS.map((s) => s.name));
      throw new CloudyaError('E_USAGE', `no stack '${name}'`, { hint: close ? `did you mean '${close}'?` : `see \`cloudya stack list\`, or give --template and --app` });
    }
    templateName ??= stack.template;
    appName ??= stack.app;
  }
  if (!templateName || !appName) throw new CloudyaError('E_USAGE', 'stack deploy needs a stack NAME, or --template T and --app A', { hint: 'e.g. cloudya stack deploy --template local/host --app hello-web' });

  const { findTemplate } = await import('../../steps/terraform/templates.js');
  const { checkParams } = await import('../../steps/terraform/params.js');
  const { findApp } = await import('../../steps/ansible/apps.js');
  const { assertManifest } = await import('../apps/manifest-check.js');
  const { checkAppParams, withEnvParams } = await import('../apps/params.js');
  const { newDeploymentId } = await import('../../steps/terraform/deployments.js');
  const template = await findTemplate(templateName);
  const app = await findApp(appName);
  await assertManifest(app);
  const platform = template.manifest.provider;
  if (!app.manifest.platforms.includes(platform)) {
    throw new CloudyaError('E_USAGE', `${app.name} does not support platform '${platform}' (template ${template.id})`, { hint: `${app.name} runs on: ${app.manifest.platforms.join(', ')}` });
  }
  // Checked up front, so bad input creates nothing; secret values stay in memory.
  const { kvListOption } = await import('../param-options.js');
  const infraGiven = await kvListOption(opts, 'infra-params');
  const appGiven = withEnvParams(app.manifest, await kvListOption(opts, 'app-params'));
  const infra = checkParams(template.manifest, template.id, infraGiven, 'E_PARAM', emit);
  const appChecked = checkAppParams(app.manifest, appGiven, emit);
  const deployment = typeof opts.deployment === 'string' ? opts.deployment : newDeploymentId(template.id);
  // Only what the user gave (converted): the manifests' defaults stay defaults, and a secret nobody gave is not declared.
  const infraValues = Object.fromEntries(Object.entries(infra.values).filter(([k]) => Object.hasOwn(infraGiven, k)));
  const doc = stackWorkflow({ template, app: app.manifest, deployment, infraGiven: infraValues, appGiven: appChecked.values, ...(name ? { name } : {}) });
  const madeBy = `cloudya stack deploy ${name ?? `--template ${template.id} --app ${app.name}`}`;
  const { emitWorkflow, runGenerated } = await import('../generated.js');
  if (emit) return emitWorkflow(doc, madeBy);
  const params: Record<string, unknown> = {};
  for (const p of template.manifest.parameters) if (p.secret && Object.hasOwn(infraValues, p.name)) params[`infra_${p.name}`] = infraValues[p.name];
  for (const p of app.manifest.parameters) if (p.secret && Object.hasOwn(appChecked.values, p.name)) params[`app_${p.name}`] = appChecked.values[p.name];
  const code = await runGenerated(doc, madeBy, { params, format, yes: opts.yes === true, ...(opts.rollback === false ? { rollback: false } : {}) });
  if (format === 'text') {
    process.stderr.write(code === 0
      ? `stack ready: deployment ${deployment} with ${app.name}; see \`cloudya deploy show ${deployment}\` and \`cloudya app status\`\n`
      : `stack not deployed; what the run created was undone unless it says otherwise (see \`cloudya runs show last\`)\n`);
  }
  return code;
}

export default {
  register(prog: sade.Sade) {
    prog.command('stack list').describe('List the preconfigured stacks (infrastructure template + app)').option('--output', 'text or json', 'text').action(list);
    prog
      .command('stack deploy [name]')
      .describe('Deploy infrastructure and install an app on it in one workflow (terraform → wait → ansible → health); on failure both are undone')
      .option('--template', 'Terraform template, e.g. local/host or aws/ec2 (see `cloudya deploy list`)')
      .option('--app', 'App template, e.g. hello-web or wordpress (see `cloudya app list`)')
      .option('--infra-params', 'Template parameters: k=v,k2=v2')
      .option('--app-params', 'App parameters: k=v,k2=v2 (secrets also as CLOUDYA_PARAM_<NAME>)')
      .option('--deployment', 'Deployment id (default: generated)')
      .option('--no-rollback', 'On failure, leave what was created in place')
      .option('--emit', 'Print the workflow instead of running it')
      .option('--output', 'text, json or ndjson', 'text')
      .option('-y, --yes', 'Approve every confirmation')
      .example('stack deploy local-hello --app-params http_port=8088')
      .example('stack deploy --template aws/ec2 --app wordpress --infra-params region=eu-west-3 --emit')
      .action(deploy);
  },
} satisfies CommandModule;
