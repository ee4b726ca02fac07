// --param k=v (repeatable) and --params-file F, merged (flags win); and the
// `--params k=v,k2=v2` list flags of the shorthand commands.
import { parseParamArgs, readParamsFiles } from './params.js';
import { CloudyaError } from '../engine/errors.js';

export function collectParams(opts: Record<string, unknown>): Record<string, unknown> {
  const fromFile = readParamsFiles(opts['params-file'] as string | string[] | undefined);
  const list = opts.param === undefined ? [] : (Array.isArray(opts.param) ? opts.param : [opts.param]).map(String);
  return { ...fromFile, ...parseParamArgs(list) };
}

/**
 * A `--params k=v,k2=v2` style flag (`deploy --params`, `stack --infra-params`),
 * which may be repeated: every occurrence parsed and merged; a name given twice
 * is an error.
 */
export async function kvListOption(opts: Record<string, unknown>, flag: string): Promise<Record<string, string>> {
  const { parseParamsString } = await import('../steps/terraform/params.js');
  const value = opts[flag];
  const raw = value === undefined ? [] : Array.isArray(value) ? (value as unknown[]) : [value];
  const out: Record<string, string> = {};
  for (const r of raw) {
    if (typeof r === 'boolean') throw new CloudyaError('E_USAGE', `--${flag} expects name=value,name=value`, { hint: `e.g. --${flag} region=eu-west-3,size=small` });
    for (const [k, v] of Object.entries(parseParamsString(String(r)))) {
      if (Object.hasOwn(out, k)) throw new CloudyaError('E_USAGE', `--${flag}: parameter '${k}' is given twice`);
      out[k] = v;
    }
  }
  return out;
}
