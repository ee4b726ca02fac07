// Workflow params: from `--param k=v` flags, a params file and CLOUDYA_PARAM_* variables,
// checked against the workflow's declarations and converted to the declared types.
import { CloudyaError, ValidationError } from '../engine/errors.js';
import { readSourceFile, parseWorkflowSource } from '../engine/load.js';
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

/** A YAML or JSON file holding a mapping of param names to values. */
export function readParamsFile(file: string): Record<string, unknown> {
  const data = parseWorkflowSource(file, readSourceFile(file));
  if (data === null || typeof data !== 'object' || Array.isArray(data)) {
    throw new CloudyaError('E_PARAM', `${file} must hold a mapping of param names to values, got ${kindOf(data)}`, { location: { file, line: 1, col: 1 } });
  }
  return data as Record<string, unknown>;
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
 * Throws a ValidationError listing every unknown, missing or ill-typed param.
 */
export function resolveParams(workflow: Workflow, file: string, source: string, given: Record<string, unknown>, env: NodeJS.ProcessEnv = process.env): ResolvedParams {
  const declared = workflow.params ?? {};
  const names = Object.keys(declared);
  const problems: Problem[] = [];
  for (const name of Object.keys(given)) {
    if (Object.hasOwn(declared, name)) continue;
    const close = didYouMean(name, names);
    problems.push({
      code: 'E_PARAM',
      message: `unknown param '${name}'`,
      hint: close ? `did you mean '${close}'?` : names.length ? `the workflow declares: ${names.join(', ')}` : 'the workflow declares no params',
      path: names.length ? ['params'] : [],
      at: 'key',
    });
  }
  const values: Record<string, unknown> = {};
  for (const [name, spec] of Object.entries(declared)) {
    const envName = paramEnvName(name);
    const [raw, from] = given[name] !== undefined ? [given[name], `--param ${name}`] : env[envName] !== undefined ? [env[envName], envName] : [spec.default, 'its default'];
    if (raw === undefined) {
      if (spec.required) problems.push({ code: 'E_PARAM', message: `missing required param '${name}'`, hint: `pass --param ${name}=…${spec.type ? ` (${article(spec.type)} ${spec.type})` : ''} or set ${envName}`, path: ['params', name], at: 'key' });
      continue;
    }
    const c = coerceParam(raw, spec.type);
    if (!c.ok) {
      problems.push({ code: 'E_PARAM', message: `param '${name}' must be ${article(spec.type!)} ${spec.type}, got ${typeof raw === 'string' ? `'${raw}'` : kindOf(raw)} (from ${from})`, path: ['params', name], at: 'key' });
      continue;
    }
    if (Array.isArray(spec.enum) && !spec.enum.some((v) => JSON.stringify(v) === JSON.stringify(c.value))) {
      const allowed = spec.enum.map((v) => JSON.stringify(v));
      const close = typeof c.value === 'string' ? didYouMean(c.value, spec.enum.filter((v): v is string => typeof v === 'string')) : undefined;
      problems.push({ code: 'E_PARAM', message: `param '${name}' must be one of ${allowed.join(', ')}, got ${JSON.stringify(c.value)} (from ${from})`, ...(close ? { hint: `did you mean '${close}'?` } : {}), path: ['params', name], at: 'key' });
      continue;
    }
    values[name] = c.value;
  }
  if (problems.length) throw new ValidationError(toDiagnostics(file, source, problems));
  return { values, secrets: names.filter((n) => declared[n]!.secret === true) };
}
