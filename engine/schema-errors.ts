// Turning ajv errors into problems a person can act on: one message per real
// mistake, naming the step, pointing at the key or value, with a suggestion.
import type { Diagnostic, ErrorCode } from './errors.js';
import type { AjvError } from './schema-compile.js';
import { locate, scalarSource, type PathSegment } from './locate.js';
import { didYouMean } from './suggest.js';
import { DURATION_PATTERN, ID_PATTERN, ENV_NAME_PATTERN } from './workflow-schema.js';

/** A problem before it has a file position. */
export interface Problem {
  code: ErrorCode;
  message: string;
  hint?: string;
  path: PathSegment[];
  at: 'key' | 'value';
  /** Character offset inside the string value (expressions). */
  offset?: number;
  /** A number or boolean where text is expected: the hint shows the value quoted, as written. */
  quote?: boolean;
}

export interface SchemaScope {
  code: 'E_SCHEMA' | 'E_WITH_INVALID';
  /** Where the validated value sits in the document (`[]` for the document itself). */
  prefix: PathSegment[];
  /** The whole document, to name steps by id. */
  document: unknown;
}

const VALUE_KEYWORDS = new Set(['type', 'enum', 'const', 'pattern', 'format', 'minimum', 'maximum', 'exclusiveMinimum', 'exclusiveMaximum', 'multipleOf', 'minLength', 'maxLength']);

export function pathText(path: readonly PathSegment[]): string {
  let out = '';
  for (const seg of path) {
    if (typeof seg === 'number') out += `[${seg}]`;
    else if (/^[A-Za-z_$][\w$-]*$/.test(seg)) out += out ? `.${seg}` : seg;
    else out += `[${JSON.stringify(seg)}]`;
  }
  return out;
}

function at(doc: unknown, path: readonly PathSegment[]): unknown {
  let cur = doc;
  for (const seg of path) cur = cur !== null && typeof cur === 'object' ? (cur as Record<string | number, unknown>)[seg] : undefined;
  return cur;
}

/** `step 'b'`, `retry of step 'b'`, `with: of step 'b'`, `param 'x'`, `the workflow`… */
export function describe(path: readonly PathSegment[], doc: unknown): string {
  if (path.length === 0) return 'the workflow';
  const [first, second, ...rest] = path;
  if ((first === 'steps' || first === 'finally') && typeof second === 'number') {
    const id = at(doc, [first, second, 'id']);
    const step = `${first === 'finally' ? 'finally step' : 'step'} ${typeof id === 'string' ? `'${id}'` : `#${second + 1}`}`;
    if (rest.length === 0) return step;
    return `${rest[0] === 'with' && rest.length === 1 ? 'with:' : pathText(rest)} of ${step}`;
  }
  if (first === 'params' && typeof second === 'string') return `param '${second}'${rest.length ? ` (${pathText(rest)})` : ''}`;
  return pathText(path);
}

function typeName(t: string): string {
  return t === 'object' ? 'mapping' : t === 'array' ? 'list' : t;
}

function typeList(types: readonly string[]): string {
  const names = [...new Set(types.map(typeName))];
  const first = names[0] ?? 'something else';
  return `${/^[aeiou]/.test(first) ? 'an' : 'a'} ${names.join(' or ')}`;
}

export function kindOf(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'a mapping';
  if (typeof v === 'number') return Number.isInteger(v) ? 'integer' : Number.isFinite(v) ? 'number' : String(v);
  return typeof v;
}

function show(v: unknown): string {
  if (typeof v === 'string') return `'${v}'`;
  const s = JSON.stringify(v);
  return s === undefined ? String(v) : s.length > 60 ? `${s.slice(0, 57)}...` : s;
}

function isRequiredOnly(s: unknown): s is { required: string[] } {
  return s !== null && typeof s === 'object' && Object.keys(s).length === 1 && Array.isArray((s as { required?: unknown }).required);
}

/** oneOf/anyOf report every failing branch; keep only what helps. */
function collapseAlternatives(errors: AjvError[], scope: SchemaScope, out: Problem[]): AjvError[] {
  let list = errors.filter((e) => e.keyword !== 'if');
  const alternatives = list.filter((e) => e.keyword === 'oneOf' || e.keyword === 'anyOf').sort((a, b) => a.schemaPath.length - b.schemaPath.length);
  for (const alt of alternatives) {
    if (!list.includes(alt)) continue;
    const sub = list.filter((e) => e !== alt && e.schemaPath.startsWith(`${alt.schemaPath}/`));
    list = list.filter((e) => e !== alt && !sub.includes(e));
    const inst = [...scope.prefix, ...pointer(alt.instancePath, at(scope.document, scope.prefix))];
    const branches = Array.isArray(alt.schema) ? alt.schema : [];
    const passing = Array.isArray(alt.params.passingSchemas) ? (alt.params.passingSchemas as number[]) : [];
    if (branches.length && branches.every(isRequiredOnly)) {
      const keys = branches.flatMap((b) => b.required);
      const given = passing.flatMap((i) => (branches[i] as { required: string[] }).required);
      const want = `${alt.keyword === 'oneOf' ? 'exactly' : 'at least'} one of ${keys.join(', ')}`;
      out.push({
        code: scope.code,
        message: `${describe(inst, scope.document)} must give ${want} (${given.length ? `it gives ${given.join(' and ')}` : 'it gives none'})`,
        path: given.length ? [...inst, given[given.length - 1]!] : inst,
        at: given.length ? 'key' : 'value',
      });
      continue;
    }
    if (passing.length > 1) {
      out.push({ code: scope.code, message: `${pathText(inst)} matches more than one allowed form`, path: inst, at: 'value' });
      continue;
    }
    const byBranch = new Map<number, AjvError[]>();
    for (const e of sub) {
      const k = Number(e.schemaPath.slice(alt.schemaPath.length + 1).split('/')[0]);
      byBranch.set(k, [...(byBranch.get(k) ?? []), e]);
    }
    const mismatched = (k: number) => (byBranch.get(k) ?? []).some((e) => ['type', 'const', 'enum'].includes(e.keyword) && e.instancePath === alt.instancePath);
    const viable = branches.map((_, k) => k).filter((k) => !mismatched(k));
    if (viable.length === 0) {
      const types = sub.filter((e) => e.keyword === 'type').flatMap((e) => [e.params.type].flat() as string[]);
      const consts = sub.filter((e) => e.keyword === 'const').map((e) => show(e.params.allowedValue));
      const value = at(scope.document, inst);
      const wanted = [...(types.length ? [typeList(types)] : []), ...consts].join(' or ');
      out.push({ code: scope.code, message: `${pathText(inst)} must be ${wanted || 'one of the allowed forms'}, got ${kindOf(value)}`, path: inst, at: 'value' });
      continue;
    }
    const best = viable.reduce((a, b) => ((byBranch.get(b) ?? []).length < (byBranch.get(a) ?? []).length ? b : a));
    list.push(...(byBranch.get(best) ?? []));
  }
  return list;
}

/** Splits a JSON pointer, turning array indexes into numbers. */
export function pointer(ptr: string, root: unknown): PathSegment[] {
  if (!ptr) return [];
  const out: PathSegment[] = [];
  let cur = root;
  for (const raw of ptr.slice(1).split('/')) {
    const seg = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    const key: PathSegment = Array.isArray(cur) && /^\d+$/.test(seg) ? Number(seg) : seg;
    out.push(key);
    cur = cur !== null && typeof cur === 'object' ? (cur as Record<string | number, unknown>)[key] : undefined;
  }
  return out;
}

/** Maps ajv errors (for the value at `scope.prefix`) to problems. */
export function schemaProblems(errors: readonly AjvError[], scope: SchemaScope): Problem[] {
  const out: Problem[] = [];
  const value = at(scope.document, scope.prefix);
  let list = collapseAlternatives([...errors], scope, out);
  // Inside `with:`, a string holding an expression gets its real value at run time.
  if (scope.code === 'E_WITH_INVALID') list = list.filter((e) => !(VALUE_KEYWORDS.has(e.keyword) && typeof e.data === 'string' && e.data.includes('{{')));
  // A bad property name is reported once, by its `propertyNames` error.
  list = list.filter((e) => !(e.propertyName !== undefined && e.keyword !== 'propertyNames'));
  for (const e of list) {
    const p = problem(e, scope, value);
    if (p) out.push(p);
  }
  return out;
}

function problem(e: AjvError, scope: SchemaScope, value: unknown): Problem | undefined {
  const { code, document } = scope;
  const inst = [...scope.prefix, ...pointer(e.instancePath, value)];
  const data = at(document, inst);
  const name = pathText(inst) || 'the workflow';
  switch (e.keyword) {
    case 'additionalProperties':
    case 'unevaluatedProperties': {
      const key = String(e.params.additionalProperty ?? e.params.unevaluatedProperty);
      const allowed = Object.keys((e.parentSchema?.properties as object | undefined) ?? {});
      const close = didYouMean(key, allowed);
      const where = inst.length ? `in ${describe(inst, document)}` : 'at the top level';
      const hint = close ? `did you mean '${close}'?` : allowed.length ? `allowed keys: ${allowed.join(', ')}` : undefined;
      return { code, message: `unknown key '${key}' ${where}`, ...(hint ? { hint } : {}), path: [...inst, key], at: 'key' };
    }
    case 'required': {
      const key = String(e.params.missingProperty);
      // `apiversion:` for `apiVersion:`: the unknown key's did-you-mean says it all.
      const allowed = Object.keys((e.parentSchema?.properties as object | undefined) ?? {});
      if (data !== null && typeof data === 'object' && Object.keys(data).some((k) => !allowed.includes(k) && didYouMean(k, allowed) === key)) return undefined;
      const hint = inst.length === 0 && (key === 'apiVersion' || key === 'kind') ? 'a workflow starts with `apiVersion: cloudya/v1` and `kind: Workflow`' : undefined;
      return { code, message: `${describe(inst, document)} is missing required key '${key}'`, ...(hint ? { hint } : {}), path: [...inst, key], at: 'key' };
    }
    case 'type': {
      const types = [e.params.type].flat().flatMap((t) => String(t).split(','));
      if (inst.length === 0) return { code, message: `the workflow must be a mapping (apiVersion, kind, name, steps…), got ${kindOf(data)}`, path: [], at: 'value' };
      // Only where text is the sole choice: quoting a boolean `timeout` would not make it a duration.
      const quote = types.length === 1 && types[0] === 'string' && (typeof data === 'number' || typeof data === 'boolean');
      return { code, message: `${name} must be ${typeList(types)}, got ${kindOf(data)}`, ...fieldHint(inst), path: inst, at: 'value', ...(quote ? { quote } : {}) };
    }
    case 'enum': {
      const allowed = (e.params.allowedValues as unknown[]) ?? [];
      const close = typeof data === 'string' ? didYouMean(data, allowed.filter((a): a is string => typeof a === 'string')) : undefined;
      return { code, message: `${name} must be one of ${allowed.map(show).join(', ')}, got ${show(data)}`, ...(close ? { hint: `did you mean '${close}'?` } : {}), path: inst, at: 'value' };
    }
    case 'const': {
      if (inst[inst.length - 1] === 'rollback') return { code, message: `${name} must be false or a mapping with a type, got ${show(data)}`, path: inst, at: 'value' };
      return { code, message: `${name} must be ${show(e.params.allowedValue)}, got ${show(data)}`, path: inst, at: 'value' };
    }
    case 'propertyNames': {
      const bad = String(e.params.propertyName);
      const what = inst[inst.length - 1] === 'params' ? 'param name' : inst[inst.length - 1] === 'outputs' ? 'output name' : 'key';
      return { code, message: `${what} '${bad}' is not valid`, hint: 'use letters, digits, _ and -, starting with a letter or _', path: [...inst, bad], at: 'key' };
    }
    case 'pattern':
      return patternProblem(e, code, inst, data, name);
    case 'minItems':
      if (inst.length === 1 && inst[0] === 'steps') return { code, message: 'the workflow has no steps', hint: 'add at least one step under steps:', path: inst, at: 'key' };
      return { code, message: `${name} must have at least ${e.params.limit} item${e.params.limit === 1 ? '' : 's'}`, path: inst, at: 'value' };
    case 'maxItems':
      return { code, message: `${name} must have at most ${e.params.limit} item${e.params.limit === 1 ? '' : 's'}`, path: inst, at: 'value' };
    case 'minLength':
      return { code, message: e.params.limit === 1 ? `${name} must not be empty` : `${name} must be at least ${e.params.limit} characters long`, ...fieldHint(inst), path: inst, at: 'value' };
    case 'minimum':
    case 'maximum':
    case 'exclusiveMinimum':
    case 'exclusiveMaximum':
      return { code, message: `${name} must be ${e.params.comparison} ${e.params.limit}, got ${show(data)}`, ...fieldHint(inst), path: inst, at: 'value' };
    case 'uniqueItems': {
      const j = Math.max(Number(e.params.i), Number(e.params.j));
      return { code, message: `${name} lists ${show((data as unknown[])[j])} twice`, path: [...inst, j], at: 'value' };
    }
    default:
      return { code, message: `${name} ${e.message ?? 'is not valid'}`, path: inst, at: 'value' };
  }
}

/** Hints for top-level fields whose message alone does not say what to write. */
const FIELD_HINTS: Record<string, string> = {
  name: 'name is a short text naming the workflow, e.g. name: deploy-web',
  concurrency: 'concurrency is how many steps may run at once: an integer ≥ 1, e.g. concurrency: 4',
};

function fieldHint(inst: readonly PathSegment[]): { hint?: string } {
  const hint = inst.length === 1 ? FIELD_HINTS[String(inst[0])] : undefined;
  return hint ? { hint } : {};
}

function patternProblem(e: AjvError, code: ErrorCode, inst: PathSegment[], data: unknown, name: string): Problem {
  const pattern = String(e.params.pattern);
  if (pattern === DURATION_PATTERN) return { code, message: `${name} ${show(data)} is not a duration`, hint: 'use a number of milliseconds or a number with a unit: 500ms, 30s, 1.5m, 2h, 1h30m, 1d', path: inst, at: 'value' };
  if (pattern === ID_PATTERN) return { code, message: `step id ${show(data)} is not valid`, hint: 'ids start with a letter or _ and hold only letters, digits, _ and -', path: inst, at: 'value' };
  if (pattern === ENV_NAME_PATTERN) return { code, message: `${show(data)} is not an environment variable name`, hint: 'use letters, digits and _, not starting with a digit', path: inst, at: 'value' };
  return { code, message: `${name} must match the pattern ${pattern}, got ${show(data)}`, path: inst, at: 'value' };
}

/** `quote it: A: "1"`, with the value as it is written in the source. */
function quoteHint(source: string, path: readonly PathSegment[]): string | undefined {
  const raw = scalarSource(source, path);
  if (raw === undefined) return undefined;
  const key = path[path.length - 1];
  return `quote it: ${typeof key === 'string' ? `${key}: ` : ''}"${raw}"`;
}

/** Gives problems their file positions; sorted by position, duplicates dropped. */
export function toDiagnostics(file: string, source: string, problems: readonly Problem[]): Diagnostic[] {
  const seen = new Set<string>();
  const out: Diagnostic[] = [];
  for (const p of problems) {
    const { line, col } = locate(file, source, p.path, p.at, p.offset);
    const hint = (p.quote ? quoteHint(source, p.path) : undefined) ?? p.hint;
    const d: Diagnostic = { code: p.code, message: p.message, ...(hint ? { hint } : {}), file, line, col, path: pathText(p.path) };
    const key = `${d.line}:${d.col}:${d.code}:${d.message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(d);
  }
  return out.sort((a, b) => a.line - b.line || a.col - b.col);
}

