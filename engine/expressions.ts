// Expressions: handlebars with HTML escaping off and strict names.
//
// Handlebars' own `strict` mode only checks the last name of a plain `{{a.b}}`;
// names given to helpers (`{{default params.x 1}}`, `{{#if params.x}}`) and
// missing middles (`steps.nope.outputs`) slip through or crash with a TypeError.
// So every template is parsed, checked, and rewritten before handlebars
// compiles it: each data path becomes a call to a strict lookup helper that
// names the full missing path, each `{{…}}` goes through a helper that prints
// objects as JSON, and a template that is one mustache captures the raw value.
// handlebars itself (~50 ms) loads on the first template that has a `{{`.
import type Handlebars from 'handlebars';
import { CloudyaError } from './errors.js';
import { BLOCK_HELPER_NAMES, BLOCK_OVERRIDES, INLINE_HELPERS, isTruthy, resolvePath, toText } from './expression-helpers.js';
import { loadHandlebars, paths, prepareTemplate, type Node, type Reference } from './expression-ast.js';

export { isTruthy };
export type { Reference };

export interface ExprContext {
  params: Record<string, unknown>;
  steps: Record<string, { outputs: Record<string, unknown>; status: string }>;
  run: { id: string; name: string; status?: string };
  /** Only the variables the workflow declares in `env:`. */
  env: Record<string, string>;
  /** The current step's own result (in `outputs:` maps and rollback blocks). */
  outputs?: Record<string, unknown>;
}

export const HELPER_NAMES: readonly string[] = Object.freeze([...Object.keys(INLINE_HELPERS), ...BLOCK_HELPER_NAMES]);

export function hasExpression(s: string): boolean {
  return s.includes('{{');
}

let captured: unknown;
type HelperOptions = { data: { root: unknown } };
const INTERNAL = {
  $ref: (id: number, o: HelperOptions) => resolvePath(o.data.root, paths[id]!.parts, []),
  $bref: (base: unknown, id: number) => resolvePath(base, paths[id]!.parts, paths[id]!.label),
  $str: (v: unknown) => toText(v),
  $cap: (v: unknown) => {
    captured = v;
    return '';
  },
};

let env: { hb: typeof Handlebars; options: CompileOptions } | undefined;
type CompileOptions = { noEscape: true; strict: true; knownHelpers: Record<string, boolean>; knownHelpersOnly: true };
function handlebarsEnv(): { hb: typeof Handlebars; options: CompileOptions } {
  if (env) return env;
  const hb = loadHandlebars().create();
  hb.unregisterHelper('log');
  for (const [name, fn] of Object.entries({ ...INLINE_HELPERS, ...BLOCK_OVERRIDES, ...INTERNAL })) hb.registerHelper(name, fn as Handlebars.HelperDelegate);
  const knownHelpers = Object.fromEntries(Object.keys(hb.helpers).map((n) => [n, true]));
  return (env = { hb, options: { noEscape: true, strict: true, knownHelpers, knownHelpersOnly: true } });
}

// `plan`: a template made only of text and plain `{{root.path}}` mustaches (most of them) is
// evaluated from this list (text, or an interned path id) with the same lookup and printing
// rules, skipping handlebars' per-call setup (which re-wraps every helper: ~2.5 µs a call).
interface Compiled { fn: Handlebars.TemplateDelegate; single: boolean; refs: Reference[]; plan: (string | number)[] | undefined }
const cache = new Map<string, Compiled>();
const CACHE_MAX = 5000;

/** How many compiled templates are cached (for tests: rendering again must not compile again). */
export function compiledTemplateCount(): number {
  return cache.size;
}

function compiled(template: string): Compiled {
  let c = cache.get(template);
  if (c === undefined) {
    c = compileTemplate(template);
    if (cache.size >= CACHE_MAX) cache.clear();
    cache.set(template, c);
  }
  return c;
}

function compileTemplate(src: string): Compiled {
  const { ast, single, refs } = prepareTemplate(src);
  const { hb, options } = handlebarsEnv();
  return { fn: hb.compile(ast, options), single, refs, plan: planOf(ast.body as Node[]) };
}

function planOf(stmts: Node[]): (string | number)[] | undefined {
  const plan: (string | number)[] = [];
  for (const s of stmts) {
    if (s.type === 'ContentStatement') plan.push(s.value);
    else if (s.type === 'MustacheStatement' && !s.strip?.open && !s.strip?.close && s.params[0].type === 'SubExpression' && s.params[0].path.parts[0] === '$ref') plan.push(s.params[0].params[0].value);
    else return undefined;
  }
  return plan;
}

function runPlan(c: Compiled, ctx: ExprContext): unknown {
  const plan = c.plan!;
  if (c.single) {
    for (const p of plan) if (typeof p === 'number') return resolvePath(ctx, paths[p]!.parts, []);
  }
  let out = '';
  for (const p of plan) out += typeof p === 'string' ? p : toText(resolvePath(ctx, paths[p]!.parts, []));
  return out;
}

/** All data paths a template reads, in order. Throws E_EXPRESSION when it cannot be parsed or uses what cloudya rejects. */
export function extractReferences(template: string): Reference[] {
  if (!hasExpression(template)) return [];
  return compiled(template).refs.map((r) => ({ root: r.root, path: [...r.path], offset: r.offset }));
}

/** Renders one template. Exactly one `{{…}}` (whitespace around allowed) gives the value with its type. */
export function renderString(template: string, ctx: ExprContext): unknown {
  if (!hasExpression(template)) return template;
  const c = compiled(template);
  if (c.plan) return runPlan(c, ctx);
  try {
    if (!c.single) return c.fn(ctx);
    captured = undefined;
    c.fn(ctx);
    return captured;
  } catch (err) {
    if (err instanceof CloudyaError) throw err;
    const msg = err instanceof Error ? err.message : String(err);
    throw new CloudyaError('E_EVAL', `cannot evaluate ${JSON.stringify(template)}: ${msg.replace(/ - \d+:\d+$/, '')}`, { cause: err });
  } finally {
    captured = undefined;
  }
}

/** Renders every string inside `value` (objects and arrays are copied, never mutated). */
export function render<T = unknown>(value: T, ctx: ExprContext): unknown {
  if (typeof value === 'string') return value.includes('{{') ? renderString(value, ctx) : value;
  if (Array.isArray(value)) return value.map((v) => render(v, ctx));
  if (value !== null && typeof value === 'object') {
    const proto = Object.getPrototypeOf(value);
    if (proto !== Object.prototype && proto !== null) return value;
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      if (k === '__proto__') Object.defineProperty(out, k, { value: render(v, ctx), enumerable: true, writable: true, configurable: true });
      else out[k] = render(v, ctx);
    }
    return out;
  }
  return value;
}
