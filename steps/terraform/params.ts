// Template parameters: the `--params k=v,k=v` string, and values checked
// against a manifest (unknown names with did-you-mean, required, types, enum).
import { CloudyaError, type ErrorCode } from '../../engine/errors.js';
import { didYouMean } from '../../engine/suggest.js';
import type { TemplateManifest, TemplateParam } from './templates.js';

const PARAMS_HINT = 'write --params name=value,name=value (quote a value holding commas: name="a,b"; JSON lists and maps are fine: zones=["a","b"])';

/**
 * Splits `k=v,k=v` at top-level commas. A value may be double-quoted (to hold
 * commas or `=`) or a JSON list/map (its commas do not split).
 */
export function parseParamsString(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  const bad = (why: string) => new CloudyaError('E_USAGE', `malformed --params '${text}': ${why}`, { hint: PARAMS_HINT });
  if (text.trim() === '') return out;
  const items: string[] = [];
  let cur = '';
  let depth = 0;
  let quote = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quote) {
      if (c === '\\' && i + 1 < text.length) cur += c + text[++i];
      else {
        if (c === '"') quote = false;
        cur += c;
      }
      continue;
    }
    if (c === '"') quote = true;
    else if (c === '[' || c === '{') depth++;
    else if (c === ']' || c === '}') {
      if (--depth < 0) throw bad(`unexpected '${c}'`);
    } else if (c === ',' && depth === 0) {
      items.push(cur);
      cur = '';
      continue;
    }
    cur += c;
  }
  if (quote) throw bad('a quote is not closed');
  if (depth > 0) throw bad('a [ or { is not closed');
  items.push(cur);
  for (const item of items) {
    const eq = item.indexOf('=');
    const name = eq < 0 ? '' : item.slice(0, eq).trim();
    if (item.trim() === '') throw bad('an empty item (two commas in a row, or a trailing comma)');
    if (eq < 0) throw bad(`'${item.trim()}' has no '='`);
    if (!/^[A-Za-z_][A-Za-z0-9_-]*$/.test(name)) throw bad(`'${name}' is not a parameter name`);
    if (Object.hasOwn(out, name)) throw bad(`'${name}' is given twice`);
    let value = item.slice(eq + 1).trim();
    if (/^".*"$/s.test(value)) {
      try {
        value = JSON.parse(value) as string;
      } catch {
        throw bad(`the quoted value of '${name}' is not valid`);
      }
    }
    out[name] = value;
  }
  return out;
}

const TRUE = ['true', 'yes', 'on', '1'];
const FALSE = ['false', 'no', 'off', '0'];

/** Converts a text value to the param's type; undefined when it cannot. */
function fromText(p: TemplateParam, text: string): unknown {
  switch (p.type) {
    case 'string':
      return text;
    case 'number':
    case 'integer': {
      const n = text.trim() === '' ? NaN : Number(text);
      return Number.isFinite(n) && (p.type === 'number' || Number.isInteger(n)) ? n : undefined;
    }
    case 'boolean':
      return TRUE.includes(text.toLowerCase()) ? true : FALSE.includes(text.toLowerCase()) ? false : undefined;
    default:
      try {
        const v = JSON.parse(text) as unknown;
        return matchesType(p, v) ? v : undefined;
      } catch {
        return undefined;
      }
  }
}

function matchesType(p: TemplateParam, v: unknown): boolean {
  switch (p.type) {
    case 'string': return typeof v === 'string';
    case 'number': return typeof v === 'number' && Number.isFinite(v);
    case 'integer': return Number.isInteger(v);
    case 'boolean': return typeof v === 'boolean';
    case 'array': return Array.isArray(v);
    case 'object': return v !== null && typeof v === 'object' && !Array.isArray(v);
  }
}

export interface CheckedParams {
  /** Given values converted to their types, plus manifest defaults. */
  values: Record<string, unknown>;
  /** Names of params declared `secret: true`. */
  secrets: Set<string>;
}

/**
 * Checks `given` against the manifest: every problem is collected and reported
 * in one line (`code`, E_PARAM for the CLI, E_TERRAFORM_CONFIG for the step).
 * `partial`: only the given values are checked (no defaults, nothing required).
 */
export function checkParams(manifest: TemplateManifest, template: string, given: Record<string, unknown>, code: ErrorCode = 'E_PARAM', partial = false): CheckedParams {
  const byName = new Map(manifest.parameters.map((p) => [p.name, p]));
  const problems: string[] = [];
  let hint: string | undefined;
  const values: Record<string, unknown> = {};
  for (const [name, raw] of Object.entries(given)) {
    const p = byName.get(name);
    if (!p) {
      const close = didYouMean(name, byName.keys());
      // The first suggestion goes in the hint; later ones stay in the message.
      problems.push(`unknown parameter '${name}'${close && hint !== undefined ? ` (did you mean '${close}'?)` : ''}`);
      hint ??= close ? `did you mean '${close}'?` : `${template} takes: ${[...byName.keys()].join(', ') || 'no parameters'}`;
      continue;
    }
    const value = typeof raw === 'string' && p.type !== 'string' ? fromText(p, raw) : raw;
    if (value === undefined || !matchesType(p, value)) {
      problems.push(`parameter '${name}' must be ${p.type === 'integer' || p.type === 'array' || p.type === 'object' ? 'an' : 'a'} ${p.type}${p.secret ? '' : `, got ${JSON.stringify(raw)}`}`);
      continue;
    }
    if (p.enum && !p.enum.some((e) => JSON.stringify(e) === JSON.stringify(value))) {
      problems.push(`parameter '${name}' must be one of ${p.enum.map((e) => JSON.stringify(e)).join(', ')}${p.secret ? '' : `, got ${JSON.stringify(value)}`}`);
      continue;
    }
    values[name] = value;
  }
  for (const p of partial ? [] : manifest.parameters) {
    if (Object.hasOwn(values, p.name) || Object.hasOwn(given, p.name)) continue;
    if (p.default !== undefined) values[p.name] = p.default;
    else if (p.required) {
      problems.push(`missing required parameter '${p.name}'${p.description ? ` (${p.description})` : ''}`);
      hint ??= `give it: --params ${p.name}=…`;
    }
  }
  if (problems.length) throw new CloudyaError(code, `${template}: ${problems.join('; ')}`, hint ? { hint } : {});
  return { values, secrets: new Set(manifest.parameters.filter((p) => p.secret).map((p) => p.name)) };
}
