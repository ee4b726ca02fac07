// The helpers expressions may call, and the value rules they share with the
// engine (`isTruthy` decides `when:` as well as `{{#if}}`).
import { CloudyaError } from './errors.js';

type HelperFn = (this: unknown, ...args: any[]) => unknown;

/** false for false, 0, NaN, '', 'false', '0', 'no', 'off' (any case), null, undefined, []; true otherwise. */
export function isTruthy(v: unknown): boolean {
  if (v === null || v === undefined || v === false) return false;
  if (typeof v === 'number') return v !== 0 && !Number.isNaN(v);
  if (typeof v === 'string') {
    const s = v.trim().toLowerCase();
    return s !== '' && s !== 'false' && s !== '0' && s !== 'no' && s !== 'off';
  }
  if (Array.isArray(v)) return v.length > 0;
  return true;
}

/** How a value reads inside a mixed string: objects and arrays as JSON, null/undefined as ''. */
export function toText(v: unknown): string {
  if (typeof v === 'string') return v;
  if (v === null || v === undefined) return '';
  if (typeof v === 'object') return JSON.stringify(v);
  return String(v);
}

const MISSING = Symbol('missing');

/** One strict property step: own properties only (no prototype), plus `length` of arrays and strings. */
export function stepInto(cur: unknown, key: string): unknown {
  if (cur !== null && typeof cur === 'object') {
    if (Object.hasOwn(cur, key)) return (cur as Record<string, unknown>)[key];
    if (key === 'length' && Array.isArray(cur)) return cur.length;
  } else if (typeof cur === 'string' && key === 'length') return cur.length;
  return MISSING;
}

/** Resolves `parts` from `base`, throwing E_EVAL that names the full path when a name is missing. */
export function resolvePath(base: unknown, parts: readonly string[], label: readonly string[]): unknown {
  let cur = base;
  for (let i = 0; i < parts.length; i++) {
    const next = stepInto(cur, parts[i]!);
    if (next === MISSING) throw notDefined(cur, [...label, ...parts], label.length + i);
    cur = next;
  }
  return cur;
}

function notDefined(parent: unknown, full: string[], at: number): CloudyaError {
  const path = full.join('.');
  const where = full.slice(0, at).join('.');
  let hint: string | undefined;
  if (at === 0 && parent !== null && typeof parent === 'object') {
    hint = `names start with one of: ${Object.keys(parent).join(', ')}`;
  } else if (parent === null || parent === undefined || typeof parent !== 'object') {
    hint = `${where} is ${parent === null ? 'null' : parent === undefined ? 'undefined' : `a ${typeof parent}`}, it has no '${full[at]}'`;
  } else {
    const keys = Object.keys(parent);
    const near = nearest(full[at]!, keys);
    const list = keys.length ? `${where} has: ${keys.slice(0, 12).join(', ')}${keys.length > 12 ? ', …' : ''}` : `${where} is empty`;
    hint = near ? `did you mean '${[...full.slice(0, at), near].join('.')}'? (${list})` : list;
  }
  return new CloudyaError('E_EVAL', `'${path}' is not defined`, { hint, details: { path, missing: full.slice(0, at + 1).join('.') } });
}

function nearest(word: string, candidates: string[]): string | undefined {
  let best: string | undefined;
  let bestD = Math.max(2, Math.floor(word.length / 3)) + 1;
  for (const c of candidates) {
    const d = editDistance(word.toLowerCase(), c.toLowerCase());
    if (d < bestD) [best, bestD] = [c, d];
  }
  return best;
}

function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) cur[j] = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    prev = cur;
  }
  return prev[b.length]!;
}

const evalError = (helper: string, msg: string) => new CloudyaError('E_EVAL', `${helper}: ${msg}`);
const kind = (v: unknown) => (v === null ? 'null' : Array.isArray(v) ? 'an array' : typeof v === 'object' ? 'an object' : `a ${typeof v}`);

function equal(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  // env values are strings: let `{{eq env.REPLICAS 3}}` hold.
  if (typeof a === 'number' && typeof b === 'string') return String(a) === b;
  if (typeof a === 'string' && typeof b === 'number') return a === String(b);
  return false;
}

function comparable(helper: string, a: unknown, b: unknown): [number, number] | [string, string] {
  const num = (v: unknown) => (typeof v === 'number' ? v : typeof v === 'string' && v.trim() !== '' && Number.isFinite(Number(v)) ? Number(v) : undefined);
  const x = num(a);
  const y = num(b);
  if (x !== undefined && y !== undefined) return [x, y];
  if (typeof a === 'string' && typeof b === 'string') return [a, b];
  throw evalError(helper, `cannot compare ${kind(a)} with ${kind(b)}`);
}

function textOf(helper: string, v: unknown): string {
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  throw evalError(helper, `expects a string, got ${kind(v)}`);
}

// Helpers get their arguments then handlebars' options object last; `args` drops it.
const args = (a: IArguments | unknown[]) => Array.prototype.slice.call(a, 0, -1) as unknown[];
type Opts = { hash: Record<string, unknown>; fn: (ctx: unknown) => string; inverse: (ctx: unknown) => string };

export const INLINE_HELPERS: Record<string, HelperFn> = {
  eq: (a, b) => equal(a, b),
  ne: (a, b) => !equal(a, b),
  gt: (a, b) => { const [x, y] = comparable('gt', a, b); return x > y; },
  gte: (a, b) => { const [x, y] = comparable('gte', a, b); return x >= y; },
  lt: (a, b) => { const [x, y] = comparable('lt', a, b); return x < y; },
  lte: (a, b) => { const [x, y] = comparable('lte', a, b); return x <= y; },
  and: function () { return args(arguments).every(isTruthy); },
  or: function () { return args(arguments).some(isTruthy); },
  not: (a) => !isTruthy(a),
  default: function () {
    const a = args(arguments);
    return a.find((v) => v !== null && v !== undefined && v !== '') ?? a[a.length - 1];
  },
  json: (v, ...rest) => {
    const opts = rest.pop() as Opts;
    const indent = rest[0] ?? opts.hash.indent;
    return JSON.stringify(v === undefined ? null : v, null, typeof indent === 'number' ? indent : undefined);
  },
  join: (list, ...rest) => {
    const opts = rest.pop() as Opts;
    const sep = rest[0] ?? opts.hash.sep ?? ',';
    if (!Array.isArray(list)) throw evalError('join', `expects an array, got ${kind(list)}`);
    return list.map(toText).join(toText(sep));
  },
  // Arrays first: `{{concat a b}}` joins lists; otherwise the text of every argument.
  concat: function () {
    const a = args(arguments);
    if (Array.isArray(a[0])) return a.flatMap((v) => (Array.isArray(v) ? v : [v]));
    return a.map(toText).join('');
  },
  upper: (s) => textOf('upper', s).toUpperCase(),
  lower: (s) => textOf('lower', s).toLowerCase(),
  contains: (hay, needle) => {
    if (typeof hay === 'string') return hay.includes(toText(needle));
    if (Array.isArray(hay)) return hay.some((v) => equal(v, needle));
    if (hay !== null && typeof hay === 'object') return Object.hasOwn(hay, toText(needle));
    throw evalError('contains', `expects a string, an array or an object, got ${kind(hay)}`);
  },
  len: (v) => {
    if (v === null || v === undefined) return 0;
    if (typeof v === 'string' || Array.isArray(v)) return v.length;
    if (typeof v === 'object') return Object.keys(v).length;
    throw evalError('len', `expects a string, an array or an object, got ${kind(v)}`);
  },
  lookup: (obj, key) => resolvePath(obj, [toText(key)], ['lookup(…)']),
};

/** [min, max] positional arguments, and the named ones allowed. */
export const HELPER_SIGNATURES: Record<string, { min: number; max: number; hash?: string[] }> = {
  eq: { min: 2, max: 2 }, ne: { min: 2, max: 2 }, gt: { min: 2, max: 2 }, gte: { min: 2, max: 2 },
  lt: { min: 2, max: 2 }, lte: { min: 2, max: 2 }, contains: { min: 2, max: 2 }, lookup: { min: 2, max: 2 },
  and: { min: 1, max: Infinity }, or: { min: 1, max: Infinity }, default: { min: 1, max: Infinity }, concat: { min: 1, max: Infinity },
  not: { min: 1, max: 1 }, upper: { min: 1, max: 1 }, lower: { min: 1, max: 1 }, len: { min: 1, max: 1 },
  json: { min: 1, max: 2, hash: ['indent'] }, join: { min: 1, max: 2, hash: ['sep'] },
  if: { min: 1, max: 1 }, unless: { min: 1, max: 1 }, each: { min: 1, max: 1 }, with: { min: 1, max: 1 },
};

/** `if`/`unless` follow cloudya's truthiness (the string 'false' is false), not handlebars'. */
export const BLOCK_OVERRIDES: Record<string, HelperFn> = {
  if: function (this: unknown, cond, opts: Opts) { return isTruthy(cond) ? opts.fn(this) : opts.inverse(this); },
  unless: function (this: unknown, cond, opts: Opts) { return isTruthy(cond) ? opts.inverse(this) : opts.fn(this); },
};

export const BLOCK_HELPER_NAMES = ['if', 'unless', 'each', 'with'] as const;
