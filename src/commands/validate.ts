// cloudya validate PATH… — check workflow files without running anything (for GitOps CI).
import { readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type sade from 'sade';
import type { CommandModule } from '../main.js';
import { CloudyaError, ValidationError, type Diagnostic } from '../../engine/errors.js';
import { didYouMean } from '../../engine/suggest.js';
import { formatDiagnostic, printError } from '../output/errors.js';

const FORMATS = ['text', 'json', 'github'] as const;
type Format = (typeof FORMATS)[number];

/** A problem with a path itself (missing, unreadable): it has no line or column. */
interface PathProblem {
  code: CloudyaError['code'];
  message: string;
  hint?: string;
  file: string;
}

interface FileReport {
  file: string;
  valid: boolean;
  problems: (Diagnostic | PathProblem)[];
  /** Set for a path that could not be read: printed as a plain error. */
  error?: CloudyaError;
}

/** A YAML file in a folder that is not a cloudya workflow, and why it was judged so. */
interface Skipped {
  file: string;
  reason: string;
}

/** YAML files under `dir`, sorted; dot folders and node_modules are skipped. */
function yamlFiles(dir: string): string[] {
  const out: string[] = [];
  let entries;
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch (err) {
    throw new CloudyaError('E_FILE_NOT_FOUND', `cannot read folder ${dir}: ${(err as Error).message}`, { cause: err, hint: 'check that you may read it' });
  }
  for (const e of entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
    if (e.name.startsWith('.') || e.name === 'node_modules') continue;
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...yamlFiles(p));
    else if (e.isFile() && /\.ya?ml$/.test(e.name)) out.push(p);
  }
  return out;
}

type Obj = Record<string, unknown>;
/** Keys only cloudya steps have (other tools' `steps:` lists use name/args/script/task…). */
const CLOUDYA_STEP_KEYS = ['type', 'with', 'needs', 'retry', 'rollback'];
const isCloudyaApi = (v: string) => /^\s*cloudya\b/i.test(v);
/** `apiVersion` however it is spelt: another case, `api_version`, a typo. */
const isApiVersionKey = (k: string) => k === 'apiVersion' || didYouMean(k, ['apiVersion']) === 'apiVersion';

/**
 * In a folder, every YAML file that looks like an attempt at a cloudya workflow is checked
 * (an apiVersion key however spelt, `kind: Workflow`, or cloudya-like `steps`), so a typo
 * cannot hide a workflow from CI. Files that are clearly something else (another tool's
 * apiVersion, a GitHub Actions workflow, a list…) are skipped, with the reason.
 */
function workflowVerdict(source: string, parsed: { data: unknown } | undefined): { check: true } | { check: false; reason: string } {
  if (!parsed) return textVerdict(source);
  const { data } = parsed;
  if (data === null || data === undefined) return { check: false, reason: 'empty' };
  if (typeof data !== 'object' || Array.isArray(data)) return { check: false, reason: `not a mapping (${Array.isArray(data) ? 'a list' : `a ${typeof data}`})` };
  const doc = data as Obj;
  const apiKey = Object.keys(doc).find(isApiVersionKey);
  if (apiKey !== undefined) {
    const v = doc[apiKey];
    if (typeof v === 'string' && v.trim() !== '' && !isCloudyaApi(v)) return { check: false, reason: `${apiKey} is '${v}'` };
    return { check: true };
  }
  if (typeof doc.kind === 'string') {
    if (doc.kind.trim().toLowerCase() === 'workflow') return { check: true };
    return { check: false, reason: `kind is '${doc.kind}' and there is no apiVersion` };
  }
  if ('jobs' in doc) return { check: false, reason: 'it has jobs:, like a GitHub Actions workflow' };
  if ('steps' in doc) {
    const steps = doc.steps;
    const foreign = Array.isArray(steps) && steps.length > 0 && !steps.some((s) => s !== null && typeof s === 'object' && CLOUDYA_STEP_KEYS.some((k) => k in (s as Obj)));
    if (!foreign) return { check: true };
    return { check: false, reason: 'its steps have none of type, with, needs, retry, rollback: another tool’s pipeline' };
  }
  return { check: false, reason: 'no apiVersion, kind: Workflow or steps' };
}

/** For a file that is not valid YAML: judged by its text. */
function textVerdict(source: string): { check: true } | { check: false; reason: string } {
  const api = /^["']?(api[-_ ]?version)["']?[ \t]*:[ \t]*["']?([^\s"'#]*)/im.exec(source);
  if (api) {
    if (api[2] === '' || isCloudyaApi(api[2]!)) return { check: true };
    return { check: false, reason: `not valid YAML, and its apiVersion is '${api[2]}'` };
  }
  if (/^["']?kind["']?[ \t]*:[ \t]*["']?workflow\b/im.test(source)) return { check: true };
  if (/^["']?steps["']?[ \t]*:/m.test(source) && !/^["']?(jobs|on)["']?[ \t]*:/m.test(source) && /(^|[{,])[ \t-]*["']?(type|with|needs|retry|rollback)["']?[ \t]*:/m.test(source)) return { check: true };
  return { check: false, reason: 'not valid YAML, and nothing in it names a cloudya workflow' };
}

const ghEscape = (s: string, prop = false) => {
  const out = s.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
  return prop ? out.replace(/:/g, '%3A').replace(/,/g, '%2C') : out;
};

function githubLine(d: Diagnostic | PathProblem): string {
  const where = 'line' in d ? `,line=${d.line},col=${d.col}` : '';
  const props = `file=${ghEscape(d.file, true)}${where},title=${ghEscape(d.code, true)}`;
  return `::error ${props}::${ghEscape(`${d.message}${d.hint ? ` (${d.hint})` : ''}`)}\n`;
}

function pathReport(file: string, err: CloudyaError): FileReport {
  return { file, valid: false, problems: [{ code: err.code, message: err.message, ...(err.hint ? { hint: err.hint } : {}), file }], error: err };
}

interface Checked {
  reports: FileReport[];
  skipped: Skipped[];
  /** Folders given that held no workflow. */
  emptyFolders: string[];
}

async function checkPaths(paths: readonly string[]): Promise<Checked> {
  const { readSourceFile, isFile, parseWorkflowSource } = await import('../../engine/load.js');
  const { validateWorkflow } = await import('../../engine/validate.js');
  const out: Checked = { reports: [], skipped: [], emptyFolders: [] };
  const seen = new Set<string>();
  for (const path of paths) {
    let explicit: boolean;
    let files: string[];
    try {
      explicit = isFile(path);
      if (!explicit && !statSync(path).isDirectory()) throw new CloudyaError('E_USAGE', `${path} is neither a file nor a folder`, { hint: 'give workflow files or folders holding them' });
      files = explicit ? [path] : yamlFiles(path);
    } catch (err) {
      if (!(err instanceof CloudyaError)) throw err;
      out.reports.push(pathReport(path, err));
      continue;
    }
    const before = out.reports.length;
    for (const file of files) {
      const key = resolve(file);
      if (seen.has(key)) continue;
      seen.add(key);
      let source: string;
      try {
        source = readSourceFile(file);
      } catch (err) {
        if (!(err instanceof CloudyaError)) throw err;
        out.reports.push(pathReport(file, err));
        continue;
      }
      let parsed: { data: unknown } | undefined;
      let diagnostics: Diagnostic[] | undefined;
      try {
        parsed = { data: parseWorkflowSource(file, source) };
      } catch (err) {
        if (!(err instanceof ValidationError)) throw err;
        diagnostics = err.diagnostics;
      }
      if (!explicit) {
        const verdict = workflowVerdict(source, parsed);
        if (!verdict.check) {
          out.skipped.push({ file, reason: verdict.reason });
          continue;
        }
      }
      diagnostics ??= validateWorkflow(file, source, parsed!.data);
      out.reports.push({ file, valid: diagnostics.length === 0, problems: diagnostics });
    }
    if (!explicit && out.reports.length === before) out.emptyFolders.push(path);
  }
  return out;
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

function skippedText(skipped: readonly Skipped[]): string {
  if (skipped.length === 0) return '';
  return `skipped ${plural(skipped.length, 'non-cloudya YAML file')}:\n${skipped.map((s) => `  ${s.file} (${s.reason})\n`).join('')}`;
}

async function validatePaths(paths: readonly string[], format: Format): Promise<number> {
  const { reports, skipped, emptyFolders } = await checkPaths(paths);
  const workflows = reports.filter((r) => !r.error).length;
  const problems = reports.reduce((n, r) => n + r.problems.length, 0);
  const summary = `${plural(workflows, 'workflow')} checked, ${plural(problems, 'problem')}\n`;
  if (format === 'json') {
    const files = reports.map(({ error: _, ...r }) => r);
    process.stdout.write(JSON.stringify({ files, problems, skipped }, null, 2) + '\n');
  } else if (format === 'github') {
    for (const r of reports) for (const d of r.problems) process.stdout.write(githubLine(d));
    process.stderr.write(skippedText(skipped) + summary);
  } else {
    for (const r of reports) {
      if (r.error) printError(r.error);
      else if (r.valid) process.stdout.write(`ok ${r.file}\n`);
      else for (const d of r.problems as Diagnostic[]) process.stderr.write(formatDiagnostic(d) + '\n');
    }
    for (const dir of emptyFolders) process.stderr.write(`no cloudya workflows (apiVersion: cloudya/v1) found under ${dir}\n`);
    process.stderr.write(skippedText(skipped) + summary);
  }
  return reports.every((r) => r.valid) ? 0 : 2;
}

export default {
  register(prog: sade.Sade) {
    prog
      .command('validate <path>')
      .describe('Check workflow files, or every workflow under folders, without running anything. Give one or more paths. Exit 0 when all are valid, 2 otherwise.')
      .option('--format', 'text, json or github (annotations for GitHub Actions)', 'text')
      .example('validate deploy.yaml')
      .example('validate deploy.yaml rollback.yaml')
      .example('validate workflows/ --format github')
      .action(async (path: string, opts: Record<string, unknown>) => {
        const format = String(opts.format ?? 'text');
        if (!(FORMATS as readonly string[]).includes(format)) {
          throw new CloudyaError('E_USAGE', `unknown --format '${format}'`, { hint: `use ${FORMATS.join(', ')}` });
        }
        // sade gives the first path as an argument and any further ones in `opts._`.
        const more = Array.isArray(opts._) ? opts._.map(String) : [];
        return validatePaths([path, ...more], format as Format);
      });
  },
} satisfies CommandModule;
