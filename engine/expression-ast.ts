// Parses a template with handlebars' parser, checks it against what cloudya
// allows, and rewrites it in place for the strict runtime (see expressions.ts):
// data paths become `($ref id)` / `($bref item id)` calls on interned paths,
// and each `{{…}}` prints through `$str` (or captures through `$cap`).
import { createRequire } from 'node:module';
import type HandlebarsModule from 'handlebars';
import { CloudyaError } from './errors.js';
import { BLOCK_HELPER_NAMES, HELPER_SIGNATURES, INLINE_HELPERS } from './expression-helpers.js';

// handlebars (CommonJS, ~50 ms to load) is required on first use: a workflow
// without a single `{{` never loads it.
let handlebars: typeof HandlebarsModule | undefined;
export function loadHandlebars(): typeof HandlebarsModule {
  return (handlebars ??= createRequire(import.meta.url)('handlebars') as typeof HandlebarsModule);
}

/**
 * One data path an expression reads. `{{steps.build.outputs.ip}}` gives
 * `{ root: 'steps', path: ['build', 'outputs', 'ip'], offset: 2 }`: `path` is what
 * follows the root, `offset` the 0-based index of the path's first character.
 */
export interface Reference { root: string; path: string[]; offset: number }

export interface Loc { start: { line: number; column: number } }
// Handlebars' AST, loosely typed: we read and rewrite it in place.
export type Node = { type: string; loc: Loc; [key: string]: any };

// Interned paths: the rewritten template passes a number, the helper finds the parts here.
export const paths: { parts: string[]; label: string[] }[] = [];
const pathIds = new Map<string, number>();
function internPath(parts: string[], label: string[]): number {
  const key = `${label.join('\0')}\u0001${parts.join('\0')}`;
  let id = pathIds.get(key);
  if (id === undefined) {
    id = paths.push({ parts, label }) - 1;
    pathIds.set(key, id);
  }
  return id;
}

/** Parses, checks and rewrites `src`; returns the AST to compile and the references it reads. */
export function prepareTemplate(src: string): { ast: Node; single: boolean; refs: Reference[] } {
  const ast = parse(src);
  const stmts = ast.body as Node[];
  const single = stmts.filter((s) => s.type === 'MustacheStatement').length === 1 &&
    stmts.every((s) => s.type === 'MustacheStatement' || (s.type === 'ContentStatement' && /^\s*$/.test(s.value)));
  const w: Walker = { src, refs: [], scopes: [], single };
  program(w, ast);
  return { ast, single, refs: w.refs };
}

function offsetAt(src: string, line: number, column: number): number {
  let off = 0;
  for (let l = 1; l < line; l++) {
    const nl = src.indexOf('\n', off);
    if (nl < 0) break;
    off = nl + 1;
  }
  return Math.min(off + column, src.length);
}

const TOKENS: Record<string, string> = {
  ID: 'a name', STRING: 'a string', NUMBER: 'a number', DATA: 'an @variable', CLOSE: "'}}'", CLOSE_UNESCAPED: "'}}}'",
  OPEN_SEXPR: "'('", CLOSE_SEXPR: "')'", EQUALS: "'='", EOF: 'the end', SEP: "'.'", OPEN_BLOCK_PARAMS: "'as |'", CLOSE_BLOCK_PARAMS: "'|'",
};

function parse(src: string): Node {
  try {
    return loadHandlebars().parseWithoutProcessing(src) as unknown as Node;
  } catch (err) {
    const e = err as { message: string; lineNumber?: number; column?: number };
    if (typeof e.lineNumber === 'number') {
      // Handlebars' own checks (e.g. "if doesn't match each - 1:5").
      const offset = offsetAt(src, e.lineNumber, e.column ?? 0);
      const msg = e.message.replace(/ - \d+:\d+$/, '').replace(/^(\S+) doesn't match (\S+)$/, "'{{/$2}}' does not close '{{#$1}}'");
      throw new CloudyaError('E_EXPRESSION', `invalid expression at offset ${offset}: ${msg}`, { cause: err, details: { offset } });
    }
    // A jison parse error: the shared lexer still holds where it stopped.
    const lexer = (loadHandlebars() as unknown as { Parser: { lexer: { yylloc?: { first_line: number; first_column: number }; match?: string } } }).Parser.lexer;
    const offset = lexer.yylloc ? offsetAt(src, lexer.yylloc.first_line, lexer.yylloc.first_column) : 0;
    const open = src.lastIndexOf('{{', Math.max(0, offset - 1));
    if (/got 'INVALID'/.test(e.message) && open >= 0 && !src.includes('}}', open)) {
      throw new CloudyaError('E_EXPRESSION', `invalid expression at offset ${open}: '{{' is never closed`, { hint: "end it with '}}'", cause: err, details: { offset: open } });
    }
    const got = /got 'EOF'/.test(e.message) || !lexer.match ? 'end of text' : `'${lexer.match}'`;
    const expected = [...new Set([...(/Expecting (.*), got/.exec(e.message)?.[1] ?? '').matchAll(/'(\w+)'/g)].map((m) => TOKENS[m[1]!]).filter(Boolean))];
    throw new CloudyaError('E_EXPRESSION', `invalid expression at offset ${offset}: unexpected ${got}`, {
      hint: `${expected.length ? `expected ${expected.join(', ')}; ` : ''}expressions look like {{params.name}} or {{helper arg …}}`,
      cause: err,
      details: { offset },
    });
  }
}

interface Walker { src: string; refs: Reference[]; scopes: string[][]; single: boolean }

function fail(w: Walker, node: Node, message: string, hint?: string): never {
  const offset = offsetAt(w.src, node.loc.start.line, node.loc.start.column);
  throw new CloudyaError('E_EXPRESSION', `${message} (at offset ${offset})`, { ...(hint ? { hint } : {}), details: { offset } });
}

const literal = (value: string | number, loc: Loc): Node =>
  typeof value === 'string' ? { type: 'StringLiteral', value, original: value, loc } : { type: 'NumberLiteral', value, original: value, loc };
const pathNode = (name: string, loc: Loc): Node => ({ type: 'PathExpression', data: false, depth: 0, parts: [name], original: name, loc });
const call = (name: string, params: Node[], loc: Loc): Node => ({ type: 'SubExpression', path: pathNode(name, loc), params, loc });

function program(w: Walker, prog: Node | undefined): void {
  if (!prog) return;
  for (const s of prog.body as Node[]) statement(w, s);
}

function statement(w: Walker, s: Node): void {
  switch (s.type) {
    case 'ContentStatement':
    case 'CommentStatement':
      return;
    case 'MustacheStatement': {
      const value = mustacheValue(w, s);
      s.path = pathNode(w.single ? '$cap' : '$str', s.loc);
      s.params = [value];
      s.hash = undefined;
      return;
    }
    case 'BlockStatement': {
      const name = helperName(s.path);
      if (!name || !(BLOCK_HELPER_NAMES as readonly string[]).includes(name)) {
        const known = name && Object.hasOwn(INLINE_HELPERS, name);
        fail(w, s.path, known ? `'${name}' is not a block helper` : `unknown block helper '${s.path.original}'`,
          known ? `use it inside one: {{#if (${name} …)}}…{{/if}}` : `block helpers: ${BLOCK_HELPER_NAMES.join(', ')}`);
      }
      checkCall(w, s, name);
      s.params = (s.params as Node[]).map((p) => expression(w, p));
      const params = (s.program?.blockParams ?? []) as string[];
      if (params.length && name !== 'each' && name !== 'with') fail(w, s, `'${name}' takes no block parameters (as |…|)`);
      w.scopes.push(params);
      program(w, s.program);
      w.scopes.pop();
      program(w, s.inverse);
      return;
    }
    case 'PartialStatement':
    case 'PartialBlockStatement':
      return fail(w, s, 'partials ({{> …}}) are not supported in cloudya expressions');
    default:
      return fail(w, s, `${s.type === 'Decorator' || s.type === 'DecoratorBlock' ? 'decorators ({{* …}})' : s.type} are not supported in cloudya expressions`);
  }
}

/** A single-part, non-data path: the only shape a helper name can have. */
function helperName(path: Node): string | undefined {
  return path.type === 'PathExpression' && !path.data && path.depth === 0 && path.parts.length === 1 && !/^(\.|this\b)/.test(path.original) ? path.parts[0] : undefined;
}

function isBlockParam(w: Walker, name: string): boolean {
  return w.scopes.some((s) => s.includes(name));
}

function mustacheValue(w: Walker, m: Node): Node {
  const hasArgs = m.params.length > 0 || m.hash !== undefined;
  if (m.path.type !== 'PathExpression') {
    if (hasArgs) fail(w, m, `only a helper name can take arguments, not ${JSON.stringify(m.path.original)}`);
    return expression(w, m.path); // `{{(helper …)}}` or a literal
  }
  const name = helperName(m.path);
  const isHelper = name !== undefined && !isBlockParam(w, name) && (Object.hasOwn(INLINE_HELPERS, name) || (BLOCK_HELPER_NAMES as readonly string[]).includes(name));
  if (!hasArgs && !isHelper) return path(w, m.path);
  return expression(w, { type: 'SubExpression', path: m.path, params: m.params, hash: m.hash, loc: m.loc });
}

function checkCall(w: Walker, node: Node, name: string): void {
  const sig = HELPER_SIGNATURES[name]!;
  const n = (node.params as Node[]).length;
  if (n < sig.min || n > sig.max) {
    const want = sig.min === sig.max ? `${sig.min}` : sig.max === Infinity ? `at least ${sig.min}` : `${sig.min} to ${sig.max}`;
    fail(w, node, `'${name}' takes ${want} argument${want === '1' ? '' : 's'}, got ${n}`);
  }
  for (const pair of (node.hash?.pairs ?? []) as Node[]) {
    if (!sig.hash?.includes(pair.key)) fail(w, pair, `'${name}' has no named argument '${pair.key}'`, sig.hash ? `it takes: ${sig.hash.join(', ')}` : undefined);
  }
}

function expression(w: Walker, e: Node): Node {
  switch (e.type) {
    case 'PathExpression':
      return path(w, e);
    case 'SubExpression': {
      const name = helperName(e.path);
      if (!name || !Object.hasOwn(INLINE_HELPERS, name)) {
        const block = name && (BLOCK_HELPER_NAMES as readonly string[]).includes(name);
        fail(w, e.path, block ? `'${name}' is a block helper: use {{#${name} …}}…{{/${name}}}` : `unknown helper '${e.path.original}'`,
          block ? undefined : `helpers: ${Object.keys(INLINE_HELPERS).join(', ')}`);
      }
      checkCall(w, e, name);
      e.params = (e.params as Node[]).map((p) => expression(w, p));
      for (const pair of (e.hash?.pairs ?? []) as Node[]) pair.value = expression(w, pair.value);
      return e;
    }
    default:
      return e; // string, number, boolean, null, undefined literals
  }
}

const DATA_VARS = ['index', 'key', 'first', 'last'];

function path(w: Walker, p: Node): Node {
  const parts = p.parts as string[];
  if (p.depth > 0 || /^(\.|this\b)/.test(p.original)) {
    fail(w, p, `'${p.original}' is not supported: name values from their root`, "write e.g. {{params.region}}, or name each item: {{#each params.list as |item|}}{{item.name}}{{/each}}");
  }
  if (p.data) {
    if (parts[0] === 'root' && parts.length > 1) return rootPath(w, p, parts.slice(1));
    if (parts.length === 1 && DATA_VARS.includes(parts[0]!)) return p;
    fail(w, p, `unknown variable '${p.original}'`, 'inside {{#each}}: @index, @key, @first, @last');
  }
  const head = parts[0]!;
  if (isBlockParam(w, head)) {
    if (parts.length === 1) return p;
    return call('$bref', [pathNode(head, p.loc), literal(internPath(parts.slice(1), [head]), p.loc)], p.loc);
  }
  return rootPath(w, p, parts);
}

function rootPath(w: Walker, p: Node, parts: string[]): Node {
  w.refs.push({ root: parts[0]!, path: parts.slice(1), offset: offsetAt(w.src, p.loc.start.line, p.loc.start.column) });
  return call('$ref', [literal(internPath(parts, []), p.loc)], p.loc);
}

