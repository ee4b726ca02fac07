// `--params k=v,k2=v2` for app templates: split, checked against the manifest
// (did-you-mean for unknown names), converted to the declared types.
import { CloudyaError } from '../../engine/errors.js';
import { didYouMean } from '../../engine/suggest.js';
import type { AppManifest, AppParameter } from '../../steps/ansible/apps.js';

/**
 * `a=1,b=x,y` → {a: '1', b: 'x,y'}: a comma starts a new pair only when a
 * `name=` follows it, so values may hold commas. Repeated flags are merged.
 */
export function splitParams(given: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  const list = given === undefined ? [] : Array.isArray(given) ? given.map(String) : [String(given)];
  for (const text of list) {
    for (const pair of text.split(/,(?=\s*[A-Za-z_][\w-]*=)/)) {
      if (!pair.trim()) continue;
      const eq = pair.indexOf('=');
      if (eq <= 0) throw new CloudyaError('E_USAGE', `--params expects name=value pairs, got '${pair}'`, { hint: 'e.g. --params domain=example.com,http_port=8080' });
      out[pair.slice(0, eq).trim()] = pair.slice(eq + 1);
    }
  }
  return out;
}

function convert(p: AppParameter, raw: string): { value?: unknown; problem?: string } {
  const shown = p.secret ? '***' : raw;
  const type = p.type ?? 'string';
  let value: unknown = raw;
  if (type === 'integer' || type === 'number') {
    const n = Number(raw);
    if (raw.trim() === '' || Number.isNaN(n) || (type === 'integer' && !Number.isInteger(n))) return { problem: `${p.name} must be ${type === 'integer' ? 'a whole number' : 'a number'}, got '${shown}'` };
    value = n;
  } else if (type === 'boolean') {
    if (/^(true|yes|on|1)$/i.test(raw)) value = true;
    else if (/^(false|no|off|0)$/i.test(raw)) value = false;
    else return { problem: `${p.name} must be true or false, got '${shown}'` };
  }
  if (p.enum && !p.enum.some((e) => String(e) === String(value))) return { problem: `${p.name} must be one of ${p.enum.join(', ')}, got '${shown}'` };
  return { value };
}

export interface CheckedParams {
  /** Given values, converted. */
  values: Record<string, unknown>;
  /** Required parameters nobody gave. */
  missing: string[];
}

/** `CLOUDYA_PARAM_<NAME>` (upper case, other characters as `_`), as for workflow params. */
export function paramEnvName(name: string): string {
  return `CLOUDYA_PARAM_${name.toUpperCase().replace(/[^A-Z0-9]/g, '_')}`;
}

/**
 * --params values, then CLOUDYA_PARAM_<NAME> variables for parameters not given
 * there: the way to pass a secret without putting it on a command line.
 */
export function withEnvParams(m: AppManifest, given: Record<string, string>, env: NodeJS.ProcessEnv = process.env): Record<string, string> {
  const out = { ...given };
  for (const p of m.parameters) {
    const v = env[paramEnvName(p.name)];
    if (!(p.name in out) && v !== undefined && v !== '') out[p.name] = v;
  }
  return out;
}

/** Every problem at once, as one E_PARAM. `missing` is an error unless `allowMissing` (for --emit). */
export function checkAppParams(m: AppManifest, given: Record<string, string>, allowMissing = false): CheckedParams {
  const known = new Map(m.parameters.map((p) => [p.name, p]));
  const problems: string[] = [];
  const hints: string[] = [];
  const values: Record<string, unknown> = {};
  for (const [name, raw] of Object.entries(given)) {
    const p = known.get(name);
    if (!p) {
      const close = didYouMean(name, known.keys());
      problems.push(`unknown parameter '${name}'`);
      hints.push(close ? `did you mean '${close}'?` : `${m.name} takes: ${[...known.keys()].join(', ') || 'no parameters'}`);
      continue;
    }
    const r = convert(p, raw);
    if (r.problem) problems.push(r.problem);
    else values[name] = r.value;
  }
  const missing = m.parameters.filter((p) => p.required && !(p.name in values) && p.default === undefined).map((p) => p.name);
  if (missing.length && !allowMissing) {
    problems.push(`missing required parameter${missing.length > 1 ? 's' : ''} ${missing.join(', ')}`);
    hints.push(`give ${missing.map((n) => `${n}=…`).join(',')} in --params (see \`cloudya app show ${m.name}\`)`);
  }
  if (problems.length) throw new CloudyaError('E_PARAM', `${m.name}: ${problems.join('; ')}`, { hint: hints.join('; ') || `see \`cloudya app show ${m.name}\`` });
  return { values, missing };
}
