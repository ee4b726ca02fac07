// --param k=v (repeatable) and --params-file F, merged (flags win).
import { parseParamArgs, readParamsFile } from './params.js';

export function collectParams(opts: Record<string, unknown>): Record<string, unknown> {
  const fromFile = opts['params-file'] ? readParamsFile(String(opts['params-file'])) : {};
  const list = opts.param === undefined ? [] : (Array.isArray(opts.param) ? opts.param : [opts.param]).map(String);
  return { ...fromFile, ...parseParamArgs(list) };
}
