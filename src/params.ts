// Workflow params: from `--param k=v` flags, a params file and CLOUDYA_PARAM_* variables,
// checked against the workflow's declarations and converted to the declared types.
import { CloudyaError, ValidationError } from '../engine/errors.js';
import { readSourceFile, parseWorkflowSource, isBlank } from '../engine/load.js';
import { didYouMean } from '../engine/suggest.js';
import { kindOf, toDiagnostics, type Problem } from '../engine/schema-errors.js';
import { matchesParamType } from '../engine/semantic.js';
import type { ParamSpec, Workflow } from '../engine/types.js';

/** `--param name=value` flags (repeated) to a map; the value is everything after the first `=`. */
export function parseParamArgs(list: string[] | string | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const arg of list === undefined ? [] : Array.isArray(list) ? list : [list]) {
    const eq = String(arg).indexOf('=');
    const name = eq < 0 ? '' : String(arg).slice(0, eq).trim();
    if (!name) throw new CloudyaError('E_USAGE', `--param expects name=value, got '${arg}'`, { hint: 'e.g. --param region=eu-west-3' });
    out[name] = String(arg).slice(eq + 1);
  }
  return out;
}

/** Where a given value came from when it was read from a params file (to point problems at that file). */
export interface ParamFileOrigin {
  file: string;
  source: string;
  /** The value as the file gave it: a flag that overrides it gives another value. */
  value: unknown;
}

/**
 * The params-file origins of a map of given params, keyed by param name. It is an
 * enumerable symbol property, so `{ ...fromFiles, ...flags }` keeps it; resolveParams
 * uses an origin only while the value is still the one the file gave.
 */
export const PARAM_ORIGINS: unique symbol = Symbol('cloudya.paramOrigins');
type WithOrigins = Record<string, unknown> & { [PARAM_ORIGINS]?: Record<string, ParamFileOrigin> };

/** The params-file origins recorded on `given` (empty when its values came from flags only). */
export function paramOrigins(given: Record<string, unknown>): Record<string, ParamFileOrigin> {
  return (given as WithOrigins)[PARAM_ORIGINS] ?? {};
}

/** A YAML or JSON file holding a mapping of param names to values (an empty file gives none). */
export function readParamsFile(file: string): Record<string, unknown> {
  const source = readSourceFile(file);
  if (isBlank(source)) return {}; // empty, or comments only
  const data = parseWorkflowSource(file, source);
  if (data === null || data === undefined) return {};
  if (typeof data !== 'object' || Array.isArray(data)) {
    throw new CloudyaError('E_PARAM', `${file} must hold a mapping of param names to values, got ${kindOf(data)}`, { location: { file, line: 1, col: 1 }, hint: 'write one `name: value` per line' });
  }
  const values = { ...(data as Record<string, unknown>) } as WithOrigins;
  values[PARAM_ORIGINS] = Object.fromEntries(Object.entries(values).map(([k, value]) => [k, { file, source, value }]));
  return values;
}

/**
 * Every `--params-file` given (sade gives a string, or an array when the flag is repeated),
 * merged in order: a later file wins over an earlier one for the same param.
 */
export function readParamsFiles(files: unknown): Record<string, unknown> {
  const list = files === undefined || files === null || files === false ? [] : Array.isArray(files) ? files : [files];
  const values: WithOrigins = {};
  const origins: Record<string, ParamFileOrigin> = {};
  for (const f of list) {
    if (typeof f !== 'string' || f === '') throw new CloudyaError('E_USAGE', '--params-file expects a file name', { hint: 'e.g. --params-file params.yaml (repeat the flag for several files)' });
    const one = readParamsFile(f);
    Object.assign(values, one);
    Object.assign(origins, paramOrigins(one));
  }
  values[PARAM_ORIGINS] = origins;
  return values;
}

/** The environment variable that can give a param: CLOUDYA_PARAM_<NAME>, upper case, other characters as `_`. */
export function paramEnvName(name: string): string {
  return `CLOUDYA_PARAM_${name.toUpperCase().replace(/[^A-Z0-9]/g, '_')}`;
}

const article = (type: string) => (/^[aeiou]/.test(type) ? 'an' : 'a');

/** Converts `value` to the declared type; text (flags, env) is parsed, other values must already fit. */
export function coerceParam(value: unknown, type: ParamSpec['type']): { ok: true; value: unknown } | { ok: false } {
  if (type === undefined) return { ok: true, value };
  if (typeof value === 'string') {
    const s = value.trim();
    switch (type) {
      case 'string':
        return { ok: true, value };
      case 'number':
      case 'integer': {
        const n = s === '' ? NaN : Number(s);
        return Number.isFinite(n) && (type === 'number' || Number.isInteger(n)) ? { ok: true, value: n } : { ok: false };
      }
      case 'boolean': {
        const b = s.toLowerCase();
        if (['true', 'yes', 'on', '1'].includes(b)) return { ok: true, value: true };
        if (['false', 'no', 'off', '0'].includes(b)) return { ok: true, value: false };
        return { ok: false };
      }
      default:
        try {
          const parsed: unknown = JSON.parse(s);
          return matchesParamType(parsed, type) ? { ok: true, value: parsed } : { ok: false };
        } catch {
          return { ok: false };
        }
    }
  }
  if (type === 'string' && (typeof value === 'number' || typeof value === 'boolean')) return { ok: true, value: String(value) };
  return matchesParamType(value, type) ? { ok: true, value } : { ok: false };
}

export interface ResolvedParams {
  values: Record<string, unknown>;
  /** Names of the params declared `secret: true` (their values must be masked). */
  secrets: string[];
}

/**
 * Every declared param's value: given (flags / params file) > CLOUDYA_PARAM_<NAME> > default.
 * Throws a ValidationError listing every unknown, missing or ill-typed param: at the params
 * file for values that came from one (see readParamsFile), at the workflow's declaration
 * otherwise. The values of `secret: true` params are never shown.
 */
export function resolveParams(workflow: Workflow, file: string, source: string, given: Record<string, unknown>, env: NodeJS.ProcessEnv = process.env): ResolvedParams {
  const declared = workflow.params ?? {};
  const names = Object.keys(declared);
  const origins = paramOrigins(given);
  /** The params file `name`'s given value came from, if it did. */
  const originOf = (name: string): ParamFileOrigin | undefined => {
    const o = Object.hasOwn(origins, name) ? origins[name] : undefined;
    return o && Object.is(o.value, given[name]) ? o : undefined;
  };
  const problems: Problem[] = [];
  const fileProblems = new Map<string, { source: string; problems: Problem[] }>();
  /** Records a problem of a given value: in its params file when it came from one. */
  const report = (name: string, p: Omit<Problem, 'path' | 'at'>, inWorkflow: Pick<Problem, 'path' | 'at'>, inFile: 'key' | 'value') => {
    const o = originOf(name);
    if (!o) {
      problems.push({ ...p, ...inWorkflow });
      return;
    }
    const entry = fileProblems.get(o.file) ?? { source: o.source, problems: [] };
    entry.problems.push({ ...p, path: [name], at: inFile });
    fileProblems.set(o.file, entry);
  };
  for (const name of Object.keys(given)) {
    if (Object.hasOwn(declared, name)) continue;
    const close = didYouMean(name, names);
    report(name, {
      code: 'E_PARAM',
      message: `unknown param '${name}'`,
      hint: close ? `did you mean '${close}'?` : names.length ? `the workflow declares: ${names.join(', ')}` : 'the workflow declares no params',
    }, { path: names.length ? ['params'] : [], at: 'key' }, 'key');
  }
  const values: Record<string, unknown> = {};
  for (const [name, spec] of Object.entries(declared)) {
    const envName = paramEnvName(name);
    const origin = given[name] !== undefined ? originOf(name) : undefined;
    // An empty environment variable (`CLOUDYA_PARAM_X=`) counts as not set.
    const [raw, from] = given[name] !== undefined ? [given[name], origin ? origin.file : `--param ${name}`] : env[envName] !== undefined && env[envName] !== '' ? [env[envName], envName] : [spec.default, 'its default'];
    if (raw === undefined) {
      if (spec.required) problems.push({ code: 'E_PARAM', message: `missing required param '${name}'`, hint: `pass --param ${name}=…${spec.type ? ` (${article(spec.type)} ${spec.type})` : ''} or set ${envName}`, path: ['params', name], at: 'key' });
      continue;
    }
    const secret = spec.secret === true;
    const here = { path: ['params', name], at: 'key' as const };
    const c = coerceParam(raw, spec.type);
    if (!c.ok) {
      const a = `${article(spec.type!)} ${spec.type}`;
      const got = secret ? `a value that is not ${a}` : typeof raw === 'string' ? `'${raw}'` : kindOf(raw);
      report(name, { code: 'E_PARAM', message: `param '${name}' must be ${a}, got ${got} (from ${from})` }, here, 'value');
      continue;
    }
    if (Array.isArray(spec.enum) && !spec.enum.some((v) => JSON.stringify(v) === JSON.stringify(c.value))) {
      const allowed = spec.enum.map((v) => JSON.stringify(v));
      const close = !secret && typeof c.value === 'string' ? didYouMean(c.value, spec.enum.filter((v): v is string => typeof v === 'string')) : undefined;
      const got = secret ? 'a value that is not one of them' : JSON.stringify(c.value);
      report(name, { code: 'E_PARAM', message: `param '${name}' must be one of ${allowed.join(', ')}, got ${got} (from ${from})`, ...(close ? { hint: `did you mean '${close}'?` } : {}) }, here, 'value');
      continue;
    }
    values[name] = c.value;
  }
  const diagnostics = [...toDiagnostics(file, source, problems), ...[...fileProblems].flatMap(([f, e]) => toDiagnostics(f, e.source, e.problems))];
  if (diagnostics.length) throw new ValidationError(diagnostics);
  return { values, secrets: names.filter((n) => declared[n]!.secret === true) };
}
