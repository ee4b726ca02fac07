// Static evaluation of shell words: quotes removed, escapes decoded, variables
// the script set earlier substituted, `$IFS` and unquoted expansions split,
// braces expanded. A word whose value depends on run time is `null`.
import type { ShNode } from './shell-parser.js';

/** One argument as the program will see it. `value` null: not known before run time. */
export interface Arg {
  value: string | null;
  /** Contains an unquoted glob character (`*`, `?`, `[`). */
  glob: boolean;
  /** The source text it came from. */
  text: string;
}

/** What the judge knows while walking a script: variables and aliases set so far, the directory. */
export interface Scope {
  vars: Map<string, string | null>;
  aliases: Map<string, string>;
  functions: Set<string>;
  /** The working directory relative to the start (`.`), absolute, `~…`, or null when unknown. */
  cwd: string | null;
}

export function newScope(): Scope {
  return { vars: new Map(), aliases: new Map(), functions: new Set(), cwd: '.' };
}

// Markers inside an evaluated word: a field break, and quoted characters that
// must not act as glob or brace syntax.
const FS = '\u0000';
const PROTECT: Record<string, string> = { '{': '\uE001', '}': '\uE002', ',': '\uE003', '*': '\uE004', '?': '\uE005', '[': '\uE006' };
const UNPROTECT = Object.fromEntries(Object.entries(PROTECT).map(([k, v]) => [v, k]));
const protect = (s: string) => s.replace(/[{},*?[]/g, (c) => PROTECT[c]!);
const unprotect = (s: string) => s.replace(/[\uE001-\uE006]/g, (c) => UNPROTECT[c]!);

const ESC: Record<string, string> = { n: '\n', t: '\t', r: '\r', a: '\x07', b: '\b', e: '\x1b', E: '\x1b', f: '\f', v: '\v', '\\': '\\', "'": "'", '"': '"', '?': '?' };

/** Decodes `\n`, `\xHH`, `\NNN` (octal), `\uHHHH` escapes ($'…', `echo -e`, printf formats). */
export function decodeEscapes(s: string): string {
  return s.replace(/\\(x[0-9a-fA-F]{1,2}|u[0-9a-fA-F]{1,4}|U[0-9a-fA-F]{1,8}|0?[0-7]{1,3}|c.|.)/gs, (all, e: string) => {
    if (e[0] === 'x' || e[0] === 'u' || e[0] === 'U') return String.fromCodePoint(parseInt(e.slice(1), 16));
    if (/^[0-7]/.test(e)) return String.fromCharCode(parseInt(e, 8) & 0xff);
    if (e[0] === 'c' && e.length === 2) return String.fromCharCode(e.charCodeAt(1) & 0x1f);
    return ESC[e] ?? all;
  });
}

function unescapeUnquoted(text: string): string {
  let out = '';
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c === '\\' && i + 1 < text.length) {
      const next = text[++i]!;
      if (next !== '\n') out += protect(next);
    } else out += c;
  }
  return out;
}

function unescapeDouble(text: string): string {
  return text.replace(/\\([$`"\\\n])/g, (_, c: string) => (c === '\n' ? '' : c));
}

function variableName(node: ShNode): string | undefined {
  const parts = node.children.filter((c) => c.type !== '$' && c.type !== '${' && c.type !== '}');
  if (parts.length !== 1) return undefined; // ${x:-y}, ${#x}, ${a[@]}: not resolved
  const only = parts[0]!;
  return only.type === 'variable_name' || only.type === 'special_variable_name' ? only.text : undefined;
}

/** The output of `$(echo …)` / `$(printf …)` with static arguments, else null. */
function staticSubstitution(node: ShNode, scope: Scope): string | null {
  const inner = node.children.filter((c) => c.named);
  if (inner.length !== 1 || inner[0]!.type !== 'command') return null;
  const words = inner[0]!.children.filter((c) => c.field === 'name' || c.field === 'argument');
  if (inner[0]!.children.some((c) => c.field === 'redirect' || c.type === 'variable_assignment')) return null;
  const args = words.flatMap((w) => evaluateWord(w.type === 'command_name' ? w.children[0] ?? w : w, scope));
  if (args.some((a) => a.value === null)) return null;
  return echoOutput(args.map((a) => a.value!))?.replace(/\n+$/, '') ?? null;
}

/** What `echo …` or `printf …` prints, for static argv; undefined for other programs. */
export function echoOutput(argv: string[]): string | undefined {
  const [name, ...args] = argv;
  const base = name?.split('/').pop();
  if (base === 'echo') {
    let escapes = false;
    let newline = true;
    while (args[0] && /^-[neE]+$/.test(args[0])) {
      const flags = args.shift()!;
      if (flags.includes('e')) escapes = true;
      if (flags.includes('E')) escapes = false;
      if (flags.includes('n')) newline = false;
    }
    const text = args.join(' ');
    return (escapes ? decodeEscapes(text) : text) + (newline ? '\n' : '');
  }
  if (base === 'printf') {
    if (args[0] === '--') args.shift();
    const format = args.shift();
    if (format === undefined) return '';
    let i = 0;
    const once = () => decodeEscapes(format).replace(/%(%|[-+ #0-9.]*[sbdiouxXc])/g, (_, spec: string) => (spec === '%' ? '%' : spec.endsWith('b') ? decodeEscapes(args[i++] ?? '') : args[i++] ?? ''));
    let out = once();
    while (i > 0 && i < args.length) out += once();
    return out;
  }
  return undefined;
}

/** The raw value of a node with markers, or null when it depends on run time. */
function rawValue(node: ShNode, scope: Scope, quoted: boolean): string | null {
  switch (node.type) {
    case 'word':
      return quoted ? protect(node.text) : unescapeUnquoted(node.text);
    case 'number':
    case 'variable_name':
      return node.text;
    case 'brace_expression':
      return quoted ? protect(node.text) : node.text;
    case 'raw_string':
      return protect(node.text.slice(1, -1));
    case 'ansi_c_string':
      return protect(decodeEscapes(node.text.slice(2, -1)));
    case 'string':
    case 'translated_string': {
      let out = '';
      for (const c of node.children) {
        if (!c.named) continue;
        const v = c.type === 'string_content' ? protect(unescapeDouble(c.text)) : rawValue(c, scope, true);
        if (v === null) return null;
        out += v;
      }
      return out;
    }
    case 'concatenation': {
      let out = '';
      for (const c of node.children) {
        const v = rawValue(c, scope, quoted);
        if (v === null) return null;
        out += v;
      }
      return out;
    }
    case 'simple_expansion':
    case 'expansion': {
      const name = variableName(node);
      if (name === undefined) return null;
      if (name === 'HOME') return '~';
      if (name === 'PWD') return '.';
      if (name === 'IFS' && !scope.vars.has('IFS')) return quoted ? ' ' : FS;
      const v = scope.vars.get(name);
      if (v === undefined || v === null) return null;
      return quoted ? protect(v) : v.replace(/[ \t\n]+/g, FS);
    }
    case 'command_substitution': {
      const v = staticSubstitution(node, scope);
      if (v === null) return null;
      return quoted ? protect(v) : v.replace(/[ \t\n]+/g, FS);
    }
    default:
      return null;
  }
}

const BRACE_LIMIT = 256;

/** Bash brace expansion (`{a,b}`, `{1..3}`) of a word whose quoted braces are protected. */
export function expandBraces(s: string): string[] {
  for (let i = 0; i < s.length; i++) {
    if (s[i] !== '{') continue;
    let depth = 0;
    const commas: number[] = [];
    let j = i;
    for (; j < s.length; j++) {
      if (s[j] === '{') depth++;
      else if (s[j] === '}' && --depth === 0) break;
      else if (s[j] === ',' && depth === 1) commas.push(j);
    }
    if (j >= s.length) return [s];
    const body = s.slice(i + 1, j);
    let alts: string[];
    if (commas.length) {
      alts = [];
      let from = i + 1;
      for (const c of [...commas, j]) {
        alts.push(s.slice(from, c));
        from = c + 1;
      }
    } else {
      const m = /^(-?\d+|[a-zA-Z])\.\.(-?\d+|[a-zA-Z])$/.exec(body);
      if (!m) continue;
      const num = /\d/.test(m[1]!);
      const a = num ? Number(m[1]) : m[1]!.charCodeAt(0);
      const b = num ? Number(m[2]) : m[2]!.charCodeAt(0);
      if (Math.abs(b - a) > BRACE_LIMIT) return [s];
      alts = [];
      for (let k = a; a <= b ? k <= b : k >= b; k += a <= b ? 1 : -1) alts.push(num ? String(k) : String.fromCharCode(k));
    }
    const out: string[] = [];
    for (const alt of alts) {
      out.push(...expandBraces(s.slice(0, i) + alt + s.slice(j + 1)));
      if (out.length > BRACE_LIMIT) return out.slice(0, BRACE_LIMIT);
    }
    return out;
  }
  return [s];
}

/** The fields a word becomes (usually one); a single `{value: null}` when not static. */
export function evaluateWord(node: ShNode, scope: Scope): Arg[] {
  const raw = rawValue(node, scope, false);
  if (raw === null) return [{ value: null, glob: false, text: node.text }];
  const fields = raw.includes(FS) ? raw.split(FS).filter((f) => f !== '') : [raw];
  return fields.flatMap(expandBraces).map((f) => ({ value: unprotect(f), glob: /[*?[]/.test(f), text: node.text }));
}

/** Shell-quotes a value so that re-parsing gives it back as one word. */
export function quote(value: string): string {
  return /^[A-Za-z0-9_@%+=:,./-]+$/.test(value) ? value : `'${value.replace(/'/g, `'\\''`)}'`;
}
