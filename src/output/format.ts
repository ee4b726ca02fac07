// `--output text|json` for commands that print a listing or a report (no run,
// so no ndjson). Kept apart from drive.ts so light commands load nothing else.
import { CloudyaError } from '../../engine/errors.js';

/** `--output` for commands that print a listing or a report: text (the default) or json. */
export function textOrJson(value: unknown, hint = 'use --output text or json'): 'text' | 'json' {
  const v = value === undefined ? 'text' : String(value);
  if (v === 'text' || v === 'json') return v;
  throw new CloudyaError('E_USAGE', `unknown --output '${v}'`, { hint });
}
