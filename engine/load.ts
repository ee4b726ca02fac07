// Reading and parsing workflow files. js-yaml (YAML 1.2 core schema) parses fast;
// only when it fails is the slower `yaml` parser used, for a precise position and message.
import { readFileSync, statSync } from 'node:fs';
import { isAbsolute } from 'node:path';
import { load, CORE_SCHEMA } from 'js-yaml';
import { CloudyaError, ValidationError, type Diagnostic } from './errors.js';
import { parseWithPositions, positionOf } from './locate.js';

export interface WorkflowSource {
  file: string;
  source: string;
  data: unknown;
}

/** The hint of a path that does not exist: relative paths start at the current folder. */
export function missingPathHint(path: string): string {
  return isAbsolute(path) ? 'check the path for typos' : `check the path for typos; it is relative to the current folder, ${process.cwd()}`;
}

/** Reads a file as UTF-8; E_FILE_NOT_FOUND when it is missing or a folder. */
export function readSourceFile(file: string): string {
  let source: string;
  try {
    source = readFileSync(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new CloudyaError('E_FILE_NOT_FOUND', `no such file: ${file}`, { cause: err, hint: missingPathHint(file) });
    if (code === 'EISDIR') throw new CloudyaError('E_FILE_NOT_FOUND', `${file} is a folder, not a workflow file`, { cause: err, hint: 'give the path of a .yaml file in it' });
    throw new CloudyaError('E_FILE_NOT_FOUND', `cannot read ${file}: ${(err as Error).message}`, { cause: err, hint: 'check that the file exists and that you may read it' });
  }
  return source.charCodeAt(0) === 0xfeff ? source.slice(1) : source;
}

/** Reads and parses a workflow file (not validated yet). */
export function readWorkflowFile(file: string): WorkflowSource {
  const source = readSourceFile(file);
  return { file, source, data: parseWorkflowSource(file, source) };
}

/** Parses YAML source; throws a ValidationError holding one E_YAML diagnostic when it is not valid YAML. */
export function parseWorkflowSource(file: string, source: string): unknown {
  try {
    return load(source, { schema: CORE_SCHEMA, filename: file });
  } catch (err) {
    throw new ValidationError([yamlDiagnostic(file, source, err)]);
  }
}

/** Tells whether `path` exists and is a regular file (a missing path throws E_FILE_NOT_FOUND). */
export function isFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') throw new CloudyaError('E_FILE_NOT_FOUND', `no such file or folder: ${path}`, { cause: err, hint: missingPathHint(path) });
    throw new CloudyaError('E_FILE_NOT_FOUND', `cannot read ${path}: ${(err as Error).message}`, { cause: err, hint: 'check that it exists and that you may read it' });
  }
}

/** Whether the source holds nothing but blank lines and comments (checked line by line: a single regex over the whole text backtracks exponentially on blank lines). */
export function isBlank(source: string): boolean {
  return source.split('\n').every((l) => /^\s*(#.*)?$/.test(l));
}

function yamlDiagnostic(file: string, source: string, err: unknown): Diagnostic {
  const base = { code: 'E_YAML' as const, file, path: '' };
  if (isBlank(source)) {
    return { ...base, line: 1, col: 1, message: 'the file is empty', hint: 'a workflow starts with `apiVersion: cloudya/v1` and `kind: Workflow`' };
  }
  // The `yaml` parser names the problem more precisely and knows where it is.
  const { doc } = parseWithPositions(source);
  const first = doc.errors[0];
  if (first) {
    const { line, col } = positionOf(source, first.pos[0]);
    const multi = first.code === 'MULTIPLE_DOCS';
    return {
      ...base,
      line,
      col,
      message: multi ? 'the file holds more than one YAML document' : yamlMessage(first.message),
      ...(multi ? { hint: 'a workflow file holds exactly one document: remove the extra `---`' } : yamlHint(first.code, first.message, source, first.pos[0])),
    };
  }
  // The parsers disagree (js-yaml is stricter in places): use js-yaml's own report.
  const e = err as { reason?: string; message?: string; mark?: { line: number; column: number } };
  const reason = e.reason ?? e.message?.split('\n')[0] ?? String(err);
  return { ...base, line: (e.mark?.line ?? 0) + 1, col: (e.mark?.column ?? 0) + 1, message: reason.replace(/ \(\d+:\d+\)$/, '') };
}

function yamlMessage(message: string): string {
  // `yaml` appends a code excerpt to some messages; the diagnostic shows the position instead.
  const line = message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '');
  return line.charAt(0).toLowerCase() + line.slice(1);
}

/** Where the bracket or quote that is never closed was opened (a rough scan: enough for a hint). */
function unclosed(source: string, end: number, message: string): { hint?: string } {
  const want = /Flow map/.test(message) ? '{' : /Flow sequence/.test(message) ? '[' : /closing "quote/.test(message) ? '"' : /closing 'quote/.test(message) ? "'" : undefined;
  if (!want) return {};
  let at = -1;
  if (want === '"' || want === "'") at = source.lastIndexOf(want, end - 1);
  else {
    const stack: number[] = [];
    const close = want === '{' ? '}' : ']';
    let quote = '';
    for (let i = 0; i < end; i++) {
      const c = source[i];
      if (quote) { if (c === quote) quote = ''; continue; }
      if (c === '"' || c === "'") quote = c;
      else if (c === want) stack.push(i);
      else if (c === close) stack.pop();
    }
    at = stack.length ? stack[stack.length - 1]! : -1;
  }
  if (at < 0) return {};
  const { line, col } = positionOf(source, at);
  return { hint: `the ${want} opened at line ${line}, column ${col} is never closed` };
}

function yamlHint(code: string, message: string, source: string, pos: number): { hint?: string } {
  const opened = unclosed(source, pos, message);
  if (opened.hint) return opened;
  switch (code) {
    case 'TAB_AS_INDENT':
      return { hint: 'indent with spaces, not tabs' };
    case 'DUPLICATE_KEY':
      return { hint: 'each key may appear once in a mapping' };
    case 'BAD_INDENT':
    case 'MISSING_CHAR':
      return { hint: 'check the brackets, quotes and indentation around here' };
    default:
      return {};
  }
}
