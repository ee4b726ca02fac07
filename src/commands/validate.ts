// cloudya validate PATH — check workflow files without running anything (for GitOps CI).
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type sade from 'sade';
import type { CommandModule } from '../main.js';
import { CloudyaError, ValidationError, type Diagnostic } from '../../engine/errors.js';
import { formatDiagnostic } from '../output/errors.js';

const FORMATS = ['text', 'json', 'github'] as const;
type Format = (typeof FORMATS)[number];

interface FileReport {
  file: string;
  valid: boolean;
  problems: Diagnostic[];
}

/** YAML files under `dir`, sorted; dot folders and node_modules are skipped. */
function yamlFiles(dir: string): string[] {
  const out: string[] = [];
  for (const e of readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
    if (e.name.startsWith('.') || e.name === 'node_modules') continue;
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...yamlFiles(p));
    else if (e.isFile() && /\.ya?ml$/.test(e.name)) out.push(p);
  }
  return out;
}

/** In a folder, only cloudya workflows are checked: other YAML (CI files, manifests) is skipped. */
function looksLikeWorkflow(source: string, data: unknown): boolean {
  if (data !== undefined) {
    const v = data !== null && typeof data === 'object' && !Array.isArray(data) ? (data as Record<string, unknown>).apiVersion : undefined;
    return typeof v === 'string' && v.startsWith('cloudya/');
  }
  // It did not parse: judge by the text.
  return /^apiVersion:\s*["']?cloudya\//m.test(source);
}

const ghEscape = (s: string, prop = false) => {
  const out = s.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
  return prop ? out.replace(/:/g, '%3A').replace(/,/g, '%2C') : out;
};

function githubLine(d: Diagnostic): string {
  const props = `file=${ghEscape(d.file, true)},line=${d.line},col=${d.col},title=${ghEscape(d.code, true)}`;
  return `::error ${props}::${ghEscape(`${d.message}${d.hint ? ` (${d.hint})` : ''}`)}\n`;
}

async function validatePath(path: string, format: Format): Promise<number> {
  const { readSourceFile, isFile, parseWorkflowSource } = await import('../../engine/load.js');
  const { validateWorkflow } = await import('../../engine/validate.js');
  const explicit = isFile(path);
  if (!explicit && !statSync(path).isDirectory()) throw new CloudyaError('E_USAGE', `${path} is neither a file nor a folder`);
  const reports: FileReport[] = [];
  for (const file of explicit ? [path] : yamlFiles(path)) {
    const source = readSourceFile(file);
    let data: unknown;
    let diagnostics: Diagnostic[] | undefined;
    try {
      data = parseWorkflowSource(file, source);
    } catch (err) {
      if (!(err instanceof ValidationError)) throw err;
      diagnostics = err.diagnostics;
    }
    if (!explicit && !looksLikeWorkflow(source, data)) continue;
    diagnostics ??= validateWorkflow(file, source, data);
    reports.push({ file, valid: diagnostics.length === 0, problems: diagnostics });
  }
  const problems = reports.reduce((n, r) => n + r.problems.length, 0);
  const summary = `${reports.length} workflow${reports.length === 1 ? '' : 's'} checked, ${problems} problem${problems === 1 ? '' : 's'}\n`;
  if (format === 'json') {
    process.stdout.write(JSON.stringify({ files: reports, problems }, null, 2) + '\n');
  } else if (format === 'github') {
    for (const r of reports) for (const d of r.problems) process.stdout.write(githubLine(d));
    process.stderr.write(summary);
  } else {
    for (const r of reports) {
      if (r.valid) process.stdout.write(`ok ${r.file}\n`);
      else for (const d of r.problems) process.stderr.write(formatDiagnostic(d) + '\n');
    }
    if (!explicit && reports.length === 0) process.stderr.write(`no cloudya workflows (apiVersion: cloudya/v1) found under ${path}\n`);
    process.stderr.write(summary);
  }
  return reports.every((r) => r.valid) ? 0 : 2;
}

export default {
  register(prog: sade.Sade) {
    prog
      .command('validate <path>')
      .describe('Check a workflow file, or every workflow under a folder, without running anything. Exit 0 when all are valid, 2 otherwise.')
      .option('--format', 'text, json or github (annotations for GitHub Actions)', 'text')
      .example('validate deploy.yaml')
      .example('validate workflows/ --format github')
      .action(async (path: string, opts: Record<string, unknown>) => {
        const format = String(opts.format ?? 'text');
        if (!(FORMATS as readonly string[]).includes(format)) {
          throw new CloudyaError('E_USAGE', `unknown --format '${format}'`, { hint: `use ${FORMATS.join(', ')}` });
        }
        return validatePath(path, format as Format);
      });
  },
} satisfies CommandModule;
