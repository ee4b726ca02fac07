// --param k=v (repeatable) and --params-file F, merged (flags win).
import { parseParamArgs, readParamsFiles } from './params.js';

export function collectParams(opts: Record<string, unknown>): Record<string, unknown> {
  const fromFile = readParamsFiles(opts['params-file'] as string | string[] | undefined);
  const list = opts.param === undefined ? [] : (Array.isArray(opts.param) ? opts.param : [opts.param]).map(String);
  return { ...fromFile, ...parseParamArgs(list) };
}
