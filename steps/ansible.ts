// `ansible` — runs a playbook (or an app template's install/uninstall playbook)
// with the real ansible-playbook; outputs per-host counts, published values and
// task results. Its rollback, for `app:` installs, is the app's uninstall playbook.
import { join, resolve } from 'node:path';
import { defineStep, type StepContext } from '../engine/step-api.js';
import { CloudyaError } from '../engine/errors.js';
import { MASK } from '../engine/mask.js';
import type { HostCounts, TaskResult } from './ansible/results.js';

export interface AnsibleInput {
  playbook?: string;
  app?: string;
  action?: 'install' | 'uninstall';
  hosts?: string[];
  connection?: string;
  user?: string;
  port?: number | string;
  privateKey?: string;
  vars?: Record<string, unknown>;
  check?: boolean | string;
  id?: string;
  deployment?: string;
}

export interface AnsibleOutputs {
  hosts: Record<string, HostCounts>;
  published: Record<string, unknown>;
  tasks: TaskResult[];
  durationMs: number;
  app?: string;
  action?: string;
  id?: string;
  [key: string]: unknown;
}

const EXPR_OR = (values: string[]) => ({ anyOf: [{ type: 'string', enum: values }, { type: 'string', pattern: '\\{\\{' }] });
const truthy = (v: unknown) => v === true || (typeof v === 'string' && /^(true|yes|on|1)$/i.test(v));

function target(input: AnsibleInput) {
  return {
    hosts: input.hosts ?? ['localhost'],
    ...(input.connection ? { connection: input.connection } : {}),
    ...(input.user ? { user: input.user } : {}),
    ...(input.port !== undefined && input.port !== '' ? { port: input.port } : {}),
    ...(input.privateKey ? { privateKey: input.privateKey } : {}),
  };
}

/** Manifest defaults under the given vars; secret values that were masked ("***") are left out. */
async function appVars(ctx: StepContext, input: AnsibleInput) {
  const { findApp } = await import('./ansible/apps.js');
  const tmpl = await findApp(input.app!);
  const vars: Record<string, unknown> = {};
  for (const p of tmpl.manifest.parameters) if (p.default !== undefined) vars[p.name] = p.default;
  for (const [k, v] of Object.entries(input.vars ?? {})) if (v !== MASK && v !== undefined && v !== null) vars[k] = v;
  const secret = new Set(tmpl.manifest.parameters.filter((p) => p.secret).map((p) => p.name));
  // What may be written down: secrets by name, and anything the run knows as a secret.
  const visible = Object.fromEntries(Object.entries(vars).map(([k, v]) => [k, secret.has(k) ? MASK : typeof v === 'string' ? ctx.mask(v) : v]));
  return { tmpl, vars, visible };
}

export default defineStep<AnsibleInput, AnsibleOutputs>({
  type: 'ansible',
  description: 'Run an ansible playbook, or install/uninstall an app template, with ansible-playbook',
  schema: {
    type: 'object',
    properties: {
      playbook: { type: 'string', minLength: 1, description: "A playbook file, relative to the workflow file's folder" },
      app: { type: 'string', pattern: '^[A-Za-z0-9][A-Za-z0-9_.-]*$|\\{\\{', description: 'An app template (templates/apps/<name>)' },
      action: { ...EXPR_OR(['install', 'uninstall']), description: 'With app: run playbook.yml (install, the default) or uninstall.yml' },
      hosts: { type: 'array', items: { type: 'string', minLength: 1 }, minItems: 1, description: 'Target hosts (default [localhost])' },
      connection: { ...EXPR_OR(['local', 'ssh']), description: 'local (default for localhost/127.0.0.1) or ssh' },
      user: { type: 'string', description: 'ssh user' },
      port: { type: ['integer', 'string'], description: 'ssh port' },
      privateKey: { type: 'string', description: 'Path of the ssh private key file' },
      vars: { type: 'object', description: 'Variables for the playbook (passed in a private 0600 file, never on the command line)' },
      check: { type: ['boolean', 'string'], description: 'Check mode (--check): report what would change, change nothing' },
      id: { type: 'string', pattern: '^[A-Za-z0-9][A-Za-z0-9_.-]*$|\\{\\{', description: 'With app: the installed-apps registry id (default: derived from the run and step)' },
      deployment: { type: 'string', description: 'With app: the deployment the hosts belong to (recorded in the registry)' },
    },
    additionalProperties: false,
    oneOf: [{ required: ['playbook'] }, { required: ['app'] }],
  },

  async run(ctx, input) {
    const { runPlaybook } = await import('./ansible/playbook.js');
    const check = truthy(input.check);
    const t = target(input);
    if (!input.app) {
      if (input.action || input.id) throw new CloudyaError('E_WITH_INVALID', 'action and id go with app:, not playbook:', { hint: 'remove them, or use app: NAME' });
      const r = await runPlaybook(ctx, resolve(ctx.workflowDir, input.playbook!), t, input.vars ?? {}, check);
      return { ...r };
    }
    const action = input.action ?? 'install';
    if (action !== 'install' && action !== 'uninstall') throw new CloudyaError('E_WITH_INVALID', `action must be install or uninstall, got '${action}'`);
    const { tmpl, vars, visible } = await appVars(ctx, input);
    const registry = await import('./ansible/registry.js');
    const id = input.id || registry.installId(tmpl.name, ctx.runId, ctx.stepId);
    let r: Awaited<ReturnType<typeof runPlaybook>>;
    try {
      r = await runPlaybook(ctx, join(tmpl.dir, action === 'install' ? 'playbook.yml' : 'uninstall.yml'), t, vars, check);
    } catch (err) {
      // A failed install may be half done (files written, a service started), and
      // the engine only undoes steps that succeeded: the uninstall playbook
      // (idempotent) clears what this attempt left. Not when the host could not be
      // reached (nothing ran there) or the run was cancelled.
      const code = (err as CloudyaError).code;
      if (action === 'install' && !check && code !== 'E_ANSIBLE_UNREACHABLE' && !ctx.signal.aborted) {
        ctx.progress(`install failed; removing what it left with ${tmpl.name}'s uninstall playbook`);
        try {
          await runPlaybook(ctx, join(tmpl.dir, 'uninstall.yml'), t, vars);
        } catch (cleanup) {
          ctx.log.warn(`the uninstall after the failed install failed too: ${(cleanup as Error).message}`);
        }
      }
      throw err;
    }
    if (!check) {
      if (action === 'install') {
        const { fillTemplate } = await import('./ansible/apps.js');
        const h = tmpl.manifest.health;
        const fill = { ...visible, host: t.hosts[0] };
        const now = new Date().toISOString();
        const before = registry.readRecord(id);
        registry.writeRecord({
          id,
          app: tmpl.name,
          status: 'installed',
          hosts: t.hosts,
          ...(input.connection ? { connection: input.connection } : {}),
          ...(input.user ? { user: input.user } : {}),
          ...(t.port !== undefined ? { port: Number(t.port) } : {}),
          ...(input.privateKey ? { privateKey: input.privateKey } : {}),
          vars: visible,
          ...(h ? { health: { ...(h.http ? { http: fillTemplate(h.http, fill) } : {}), ...(h.tcp !== undefined ? { tcp: { host: t.hosts[0]!, port: Number(fillTemplate(String(h.tcp), fill)) } } : {}), ...(h.expectStatus ? { expectStatus: h.expectStatus } : {}) } } : {}),
          published: JSON.parse(ctx.mask(JSON.stringify(r.published))) as Record<string, unknown>,
          ...(input.deployment ? { deployment: input.deployment } : {}),
          runId: ctx.runId,
          stepId: ctx.stepId,
          createdAt: before?.createdAt ?? now,
          updatedAt: now,
        });
        ctx.log.info('app installed', { id, app: tmpl.name, hosts: t.hosts });
      } else {
        const marked = registry.markUninstalled(tmpl.name, t.hosts, input.id ? {} : visible, input.id);
        ctx.log.info('app uninstalled', { app: tmpl.name, ids: marked });
      }
    }
    return { ...r, app: tmpl.name, action, id };
  },

  async rollback(ctx, input, outputs) {
    if (!input.app || (input.action ?? 'install') !== 'install' || truthy(input.check)) {
      ctx.log.info('nothing to undo: only app installs have a rollback of their own (give a playbook step a rollback: block)');
      return;
    }
    const { runPlaybook } = await import('./ansible/playbook.js');
    const { tmpl, vars } = await appVars(ctx, input);
    ctx.progress(`uninstalling ${tmpl.name}`);
    await runPlaybook(ctx, join(tmpl.dir, 'uninstall.yml'), target(input), vars);
    const registry = await import('./ansible/registry.js');
    if (outputs?.id) registry.markUninstalled(tmpl.name, [], {}, outputs.id);
  },
});
