// Secret masking: every string that leaves the engine (log, state, output) goes through here.
export const MASK = '***';

export type Masker = (text: string) => string;

/** The masker of a run without secrets: `maskValue` returns values untouched (no copy). */
const identity: Masker = (text) => text;

export function createMasker(secrets: Iterable<unknown>): Masker {
  const values = [...new Set([...secrets].filter((s) => s !== undefined && s !== null && s !== '').map(String))]
    // Longest first, so a secret containing another is masked whole.
    .sort((a, b) => b.length - a.length);
  if (values.length === 0) return identity;
  return (text) => {
    let out = text;
    for (const v of values) if (out.includes(v)) out = out.split(v).join(MASK);
    return out;
  };
}

/** Deep-masks every string in a JSON-like value. */
export function maskValue<T>(value: T, mask: Masker): T {
  if (mask === identity) return value;
  if (typeof value === 'string') return mask(value) as T;
  // A secret can be a number or a boolean too: a value equal to one is masked whole.
  if (typeof value === 'number' || typeof value === 'boolean') return (mask(String(value)) === String(value) ? value : MASK) as T;
  if (Array.isArray(value)) return value.map((v) => maskValue(v, mask)) as T;
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = maskValue(v, mask);
    return out as T;
  }
  return value;
}
