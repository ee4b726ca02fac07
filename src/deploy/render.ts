// Text output of the deploy commands: template list, deployment list and details.
import type { Template } from '../../steps/terraform/templates.js';
import type { DeploymentRecord } from '../../steps/terraform/deployments.js';
import { table } from '../output/table.js';

const show = (v: unknown) => (typeof v === 'string' ? v : JSON.stringify(v));

export function templatesText(templates: Template[]): string {
  const out: string[] = [];
  for (const t of templates) {
    out.push(`${t.id}${t.origin === 'user' ? '  (user template)' : ''}  ${t.manifest.description}`);
    const rows = t.manifest.parameters.map((p) => {
      const notes = [p.required ? 'required' : p.default !== undefined ? `default ${p.default === '' ? '""' : show(p.default)}` : 'optional', ...(p.secret ? ['secret'] : []), ...(p.enum ? [`one of ${p.enum.map(show).join('|')}`] : [])];
      return ['  ', p.name, p.type, notes.join(', '), p.description ?? ''];
    });
    if (rows.length) out.push(table(rows).trimEnd());
    out.push('');
  }
  return out.join('\n');
}

export function templateJson(t: Template): Record<string, unknown> {
  return { name: t.id, provider: t.provider, description: t.manifest.description, origin: t.origin, dir: t.dir, platforms: t.manifest.platforms ?? [], parameters: t.manifest.parameters };
}

const outputsLine = (o: Record<string, unknown>) => Object.entries(o).map(([k, v]) => `${k}=${show(v)}`).join(' ');

export function deploymentsText(list: DeploymentRecord[]): string {
  const rows = [['ID', 'TEMPLATE', 'STATUS', 'CREATED', 'OUTPUTS']];
  for (const d of list) {
    const outputs = outputsLine(d.outputs);
    rows.push([d.id, d.template.startsWith('source:') ? 'source' : d.template, d.status, d.createdAt.replace('T', ' ').slice(0, 19), outputs.length > 80 ? `${outputs.slice(0, 79)}…` : outputs]);
  }
  return table(rows);
}

export function deploymentText(d: DeploymentRecord, dir: string, resources: string[]): string {
  const out = [
    `${d.id}  ${d.template}  ${d.status}`,
    `provider: ${d.provider}`,
    `created:  ${d.createdAt}  updated: ${d.updatedAt}`,
    `run:      ${d.runId}`,
    `dir:      ${dir}`,
  ];
  if (d.error) out.push(`error:    ${d.error.code} ${d.error.message}`);
  const block = (title: string, o: Record<string, unknown>) => {
    const keys = Object.keys(o);
    out.push('', `${title}:${keys.length ? '' : ' none'}`);
    if (keys.length) out.push(table(keys.map((k) => ['  ', k, show(o[k])])).trimEnd());
  };
  block('params', d.params);
  block('outputs', d.outputs);
  out.push('', `resources:${resources.length ? '' : ' none'}`, ...resources.map((r) => `  ${r}`));
  return out.join('\n') + '\n';
}
