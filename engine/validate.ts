// Validation of a cloudya/v1 workflow: the schema, each step's `with:` against its
// type's schema, then the semantic checks. Every problem is collected, each with
// file:line:col. Schemas are precompiled at build time (dist/engine/validators.js);
// positions are computed only when there is something to report.
import { STEP_TYPES, stepRegistry } from '../steps/index.js';
import { ValidationError, type Diagnostic } from './errors.js';
import { readWorkflowFile, parseWorkflowSource } from './load.js';
import { locate, type PathSegment } from './locate.js';
import { schemaProblems, toDiagnostics, type Problem } from './schema-errors.js';
import { semanticProblems } from './semantic.js';
import { buildWorkflowSchema, schemaFingerprint } from './workflow-schema.js';
import type { SchemaValidator, Validators } from './schema-compile.js';
import type { LoadedWorkflow, Workflow } from './types.js';

export interface ValidateOptions {
  /** Param values that will be given: required params missing from them are reported. */
  params?: Record<string, unknown>;
}

interface Precompiled {
  fingerprint?: string;
  validateDocument?: SchemaValidator;
  withValidators?: Record<string, SchemaValidator>;
}

/** Precompiled validators when the build made them and they match the sources; compiled here otherwise. */
async function loadValidators(): Promise<Validators & { origin: 'precompiled' | 'runtime' }> {
  let pre: Precompiled = {};
  try {
    const spec = './validators.js'; // written by engine/build-schema.ts; absent before the first build
    pre = (await import(spec)) as Precompiled;
  } catch {
    pre = {};
  }
  const document = pre.fingerprint === schemaFingerprint(buildWorkflowSchema({})) ? pre.validateDocument : undefined;
  const withValidators = { ...pre.withValidators };
  const missing = STEP_TYPES.filter((t) => typeof withValidators[t] !== 'function');
  if (document && missing.length === 0) return { document, with: withValidators, origin: 'precompiled' };
  const { compileValidators } = await import('./schema-compile.js');
  const schemas: Record<string, object> = {};
  for (const t of missing) schemas[t] = (await stepRegistry[t]()).default.schema as object;
  const compiled = await compileValidators(schemas);
  return { document: document ?? compiled.document, with: { ...withValidators, ...compiled.with }, origin: 'runtime' };
}

const validators = await loadValidators();

/** Where the schema validators came from (for tests and `--debug` output). */
export const validatorOrigin: 'precompiled' | 'runtime' = validators.origin;

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => v !== null && typeof v === 'object' && !Array.isArray(v);

function withProblems(data: Obj): Problem[] {
  const out: Problem[] = [];
  const check = (type: unknown, value: unknown, prefix: (string | number)[]) => {
    if (typeof type !== 'string' || !Object.hasOwn(validators.with, type)) return; // unknown types: semantic check
    if (value !== undefined && !isObj(value)) return; // not a mapping: the document schema says so
    const validate = validators.with[type]!;
    if (!validate(value ?? {})) out.push(...schemaProblems(validate.errors ?? [], { code: 'E_WITH_INVALID', prefix, document: data }));
  };
  for (const section of ['steps', 'finally'] as const) {
    const list = data[section];
    if (!Array.isArray(list)) continue;
    list.forEach((step: unknown, i) => {
      if (!isObj(step)) return;
      check(step.type, step.with, [section, i, 'with']);
      if (isObj(step.rollback)) check(step.rollback.type, step.rollback.with, [section, i, 'rollback', 'with']);
    });
  }
  return out;
}

/** Paths of the mappings that hold a YAML merge key (`<<: *common`): the core schema keeps `<<` as a plain key. */
function mergeKeyPaths(data: unknown): PathSegment[][] {
  const out: PathSegment[][] = [];
  const open = new Set<object>(); // aliases may nest a node inside itself
  const visit = (v: unknown, path: PathSegment[]) => {
    if (v === null || typeof v !== 'object' || open.has(v)) return;
    open.add(v);
    if (Array.isArray(v)) v.forEach((x, i) => visit(x, [...path, i]));
    else {
      if (Object.hasOwn(v, '<<')) out.push(path);
      for (const [k, x] of Object.entries(v)) if (k !== '<<') visit(x, [...path, k]);
    }
    open.delete(v);
  };
  visit(data, []);
  return out;
}

const under = (path: readonly PathSegment[], prefix: readonly PathSegment[]) => path.length >= prefix.length && prefix.every((seg, i) => path[i] === seg);

/**
 * One plain problem per merge key, instead of `unknown key '<<'` and the missing keys it
 * was meant to bring: the other problems inside such a mapping are dropped.
 */
function mergeKeyProblems(data: unknown, problems: Problem[]): Problem[] {
  const merges = mergeKeyPaths(data);
  if (merges.length === 0) return problems;
  return [
    ...problems.filter((p) => !merges.some((m) => under(p.path, m))),
    ...merges.map((m): Problem => ({
      code: 'E_SCHEMA',
      message: 'YAML merge keys (<<) are not supported; repeat the keys or use defaults:',
      hint: 'defaults: sets retry, timeout and continueOnError for every step',
      path: [...m, '<<'],
      at: 'key',
    })),
  ];
}

/** Every problem of a parsed workflow, sorted by position (empty when it is valid). */
export function validateWorkflow(file: string, source: string, data: unknown, opts: ValidateOptions = {}): Diagnostic[] {
  let problems: Problem[] = [];
  if (!isObj(data)) {
    const got = data === null || data === undefined ? 'nothing' : Array.isArray(data) ? 'a list' : `a ${typeof data}`;
    problems.push({ code: 'E_SCHEMA', message: `the workflow must be a mapping (apiVersion, kind, name, steps…), got ${got}`, hint: 'a workflow starts with `apiVersion: cloudya/v1` and `kind: Workflow`', path: [], at: 'value' });
  } else if (!('apiVersion' in data) && !('kind' in data) && !('steps' in data)) {
    // Some other YAML file: one message, not one per key.
    problems.push({ code: 'E_SCHEMA', message: 'this is not a cloudya workflow (no apiVersion, kind or steps)', hint: 'a workflow starts with `apiVersion: cloudya/v1` and `kind: Workflow`', path: [], at: 'value' });
  } else {
    if (!validators.document(data)) problems.push(...schemaProblems(validators.document.errors ?? [], { code: 'E_SCHEMA', prefix: [], document: data }));
    problems.push(...withProblems(data));
    problems.push(...semanticProblems(data, { ...(opts.params ? { params: opts.params } : {}), where: (path) => locate(file, source, path) }));
    problems = mergeKeyProblems(data, problems);
  }
  return toDiagnostics(file, source, problems);
}

/** Parses and validates source text: the diagnostics, and the data when it parsed. */
export function checkWorkflowSource(file: string, source: string, opts: ValidateOptions = {}): { data?: unknown; diagnostics: Diagnostic[] } {
  let data: unknown;
  try {
    data = parseWorkflowSource(file, source);
  } catch (err) {
    if (err instanceof ValidationError) return { diagnostics: err.diagnostics };
    throw err;
  }
  return { data, diagnostics: validateWorkflow(file, source, data, opts) };
}

/** Reads, parses and validates a workflow file; throws a ValidationError holding every problem. */
export function loadWorkflow(file: string, opts: ValidateOptions = {}): LoadedWorkflow {
  const { source, data } = readWorkflowFile(file);
  const diagnostics = validateWorkflow(file, source, data, opts);
  if (diagnostics.length) throw new ValidationError(diagnostics);
  return { file, source, workflow: data as Workflow };
}
