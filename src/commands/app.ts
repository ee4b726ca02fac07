// cloudya app list | show NAME | install NAME | status | uninstall --id ID —
// applications from templates/apps/, installed with the `ansible` step.
import type sade from 'sade';
import type { CommandModule } from '../main.js';
import { CloudyaError } from '../../engine/errors.js';
import { outputFormat } from '../drive.js';
import { textOrJson } from '../output/format.js';
import { table } from '../output/table.js';

const json = (v: unknown) => process.stdout.write(JSON.stringify(v, null, 2) + '\n');

async function list(opts: Record<string, unknown>): Promise<number> {
  const format = textOrJson(opts.output);
  const { listApps } = await import('../../steps/ansible/apps.js');
  const apps = await listApps();
  if (format === 'json') {
    json(apps.map((a) => ({ name: a.name, type: a.manifest.type, description: a.manifest.description, platforms: a.manifest.platforms, builtin: a.builtin, dir: a.dir })));
    return 0;
  }
  const rows = [['NAME', 'TYPE', 'PLATFORMS', 'DESCRIPTION']];
  for (const a of apps) rows.push([a.name + (a.builtin ? '' : ' (user)'), a.manifest.type ?? '-', a.manifest.platforms.join(','), a.manifest.description]);
  process.stdout.write(table(rows));
  return 0;
}

async function show(name: string, opts: Record<string, unknown>): Promise<number> {
  const format = textOrJson(opts.output);
  const { findApp } = await import('../../steps/ansible/apps.js');
  const { readFileSync, existsSync } = await import('node:fs');
  const { join } = await import('node:path');
  const app = await findApp(name);
  const readmeFile = join(app.dir, 'README.md');
  const readme = existsSync(readmeFile) ? readFileSync(readmeFile, 'utf8') : '';
  const m = app.manifest;
  if (format === 'json') {
    json({ name: app.name, type: m.type, version: m.version, description: m.description, platforms: m.platforms, parameters: m.parameters, health: m.health, dir: app.dir, builtin: app.builtin, readme });
    return 0;
  }
  let out = `${app.name}${m.version ? ` ${m.version}` : ''} — ${m.description}\n\nplatforms: ${m.platforms.join(', ')}\n`;
  if (m.health) out += `health:    ${m.health.http ? `HTTP ${m.health.http}` : `TCP port ${String(m.health.tcp)}`}\n`;
  out += `folder:    ${app.dir}\n\nparameters:\n`;
  const rows = [['  NAME', 'TYPE', 'DEFAULT', 'DESCRIPTION']];
  for (const p of m.parameters) {
    const dflt = p.required ? '(required)' : p.default === undefined || p.default === '' ? '-' : String(p.default);
    rows.push([`  ${p.name}`, `${p.type ?? 'string'}${p.secret ? ', secret' : ''}`, dflt, p.description ?? '']);
  }
  out += m.parameters.length ? table(rows) : '  (none)\n';
  if (readme) out += `\n${readme.trimEnd()}\n`;
  process.stdout.write(out);
  return 0;
}

async function install(name: string, opts: Record<string, unknown>): Promise<number> {
  const emit = opts.emit === true;
  const format = emit ? 'text' : outputFormat(opts.output);
  const { findApp } = await import('../../steps/ansible/apps.js');
  const { assertManifest } = await import('../apps/manifest-check.js');
  const { splitParams, checkAppParams, withEnvParams } = await import('../apps/params.js');
  const { targetFromOptions } = await import('../apps/target.js');
  const { compileInstall } = await import('../apps/compile.js');
  const { didYouMean } = await import('../../engine/suggest.js');
  const app = await findApp(name);
  await assertManifest(app);
  const m = app.manifest;
  let platform = opts.platform === undefined ? undefined : String(opts.platform);
  let target = targetFromOptions(opts, platform);
  platform ??= target?.platform ?? (target && ['localhost', '127.0.0.1', '::1'].includes(target.host) ? 'local' : undefined);
  if (platform !== undefined && !m.platforms.includes(platform)) {
    const close = didYouMean(platform, m.platforms);
    throw new CloudyaError('E_USAGE', `${m.name} does not support platform '${platform}'`, { hint: `${close ? `did you mean '${close}'? ` : ''}supported: ${m.platforms.join(', ')}` });
  }
  if (platform && target && opts.user === undefined && !target.user) target = targetFromOptions(opts, platform);
  const { values, missing } = checkAppParams(m, withEnvParams(m, splitParams(opts.params)), emit);
  if (!target && !emit) {
    throw new CloudyaError('E_USAGE', `say where to install ${m.name}: --host HOST or --deployment ID`, { hint: '--host localhost installs on this machine; --emit prints the workflow without a host' });
  }
  const doc = compileInstall(m, target, values, missing, platform);
  const madeBy = `cloudya app install ${m.name}`;
  const { emitWorkflow, runGenerated } = await import('../generated.js');
  if (emit) return emitWorkflow(doc, madeBy);
  let installedId: string | undefined;
  const code = await runGenerated(doc, madeBy, {
    params: values,
    format,
    yes: opts.yes === true,
    onDone: (state) => {
      installedId = state.steps.install?.outputs?.id as string | undefined;
    },
  });
  if (code === 0 && installedId && format === 'text') process.stderr.write(`installed ${m.name} as ${installedId}; see \`cloudya app status\`, remove with \`cloudya app uninstall --id ${installedId}\`\n`);
  return code;
}

async function status(opts: Record<string, unknown>): Promise<number> {
  const format = textOrJson(opts.output);
  const { listRecords } = await import('../../steps/ansible/registry.js');
  const { checkHealth } = await import('../apps/health.js');
  const records = listRecords().filter((r) => opts.all === true || r.status === 'installed');
  const health = await Promise.all(records.map((r) => (r.status === 'installed' ? checkHealth(r.health) : Promise.resolve({ ok: null, detail: 'uninstalled' }))));
  if (format === 'json') {
    json(records.map((r, i) => ({ ...r, healthy: health[i]!.ok, healthDetail: health[i]!.detail })));
    return 0;
  }
  if (records.length === 0) {
    process.stderr.write('no apps installed — install one with `cloudya app install NAME --host HOST`\n');
    return 0;
  }
  const rows = [['ID', 'APP', 'HOSTS', 'STATUS', 'HEALTH', 'INSTALLED', 'DETAIL']];
  for (const [i, r] of records.entries()) {
    const h = health[i]!;
    rows.push([r.id, r.app, r.hosts.join(','), r.status, h.ok === null ? '-' : h.ok ? 'healthy' : 'unhealthy', r.createdAt.replace('T', ' ').slice(0, 19), h.detail]);
  }
  process.stdout.write(table(rows));
  return 0;
}

async function uninstall(opts: Record<string, unknown>): Promise<number> {
  if (opts.id === undefined || opts.id === true) throw new CloudyaError('E_USAGE', 'app uninstall needs --id ID', { hint: 'see the ids with `cloudya app status`' });
  const id = String(opts.id);
  const emit = opts.emit === true;
  const format = emit ? 'text' : outputFormat(opts.output);
  const { readRecord, listRecords } = await import('../../steps/ansible/registry.js');
  const { suggestionHint } = await import('../../engine/suggest.js');
  const rec = readRecord(id);
  if (!rec) throw new CloudyaError('E_APP_NOT_FOUND', `no installed app ${id}`, { hint: `${suggestionHint(id, listRecords().map((r) => r.id), 'installed') ?? 'nothing is installed'} (see \`cloudya app status\`)` });
  if (rec.status !== 'installed' && opts.force !== true) throw new CloudyaError('E_USAGE', `${id} is already ${rec.status}`, { hint: 'run it again anyway with --force' });
  const { compileUninstall } = await import('../apps/compile.js');
  const { emitWorkflow, runGenerated } = await import('../generated.js');
  const doc = compileUninstall(rec);
  const madeBy = `cloudya app uninstall --id ${id}`;
  if (emit) return emitWorkflow(doc, madeBy);
  const code = await runGenerated(doc, madeBy, { format, yes: opts.yes === true });
  if (code === 0 && format === 'text') process.stderr.write(`uninstalled ${id}\n`);
  return code;
}

const TARGET_OPTIONS: [string, string][] = [
  ['--host', 'Install on this host (localhost: this machine, no ssh)'],
  ['--deployment', 'Install on the host of this deployment (~/.cloudya/deployments/ID)'],
  ['--connection', 'local or ssh (default: local for localhost/127.0.0.1, else ssh)'],
  ['--user', 'ssh user (default: the deployment’s, or the platform’s usual one)'],
  ['--ssh-port', 'ssh port'],
  ['--key', 'ssh private key file'],
];

export default {
  register(prog: sade.Sade) {
    prog.command('app list').describe('List the app templates').option('--output', 'text or json', 'text').action(list);
    prog.command('app show <name>').describe('Show an app: parameters, platforms, README').option('--output', 'text or json', 'text').action(show);
    let cmd = prog
      .command('app install <name>')
      .describe('Install an app with ansible, then check its health (one workflow; --emit prints it)')
      .option('--platform', 'Where the host runs: local, aws, gcp, azure, … (checked against the app’s platforms)')
      .option('--params', 'App parameters: k=v,k2=v2 (repeatable; see `app show NAME`)');
    for (const [flag, text] of TARGET_OPTIONS) cmd = cmd.option(flag, text);
    cmd
      .option('--emit', 'Print the workflow instead of running it')
      .option('--output', 'text, json or ndjson', 'text')
      .option('-y, --yes', 'Approve every confirmation')
      .example('app install hello-web --host localhost --params http_port=8080')
      .example('app install wordpress --platform aws --params domain=site.com,admin_password=…,db_password=… --emit')
      .action(install);
    prog.command('app status').describe('Installed apps, where they are, and whether they answer').option('--all', 'Include uninstalled apps').option('--output', 'text or json', 'text').action(status);
    prog
      .command('app uninstall')
      .describe('Uninstall an installed app (its uninstall playbook)')
      .option('--id', 'The id shown by `app status`')
      .option('--force', 'Run the uninstall playbook even if the app is marked uninstalled')
      .option('--emit', 'Print the workflow instead of running it')
      .option('--output', 'text, json or ndjson', 'text')
      .option('-y, --yes', 'Approve every confirmation')
      .action(uninstall);
  },
} satisfies CommandModule;
