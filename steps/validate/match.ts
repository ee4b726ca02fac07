// A rule's conditions compiled into one test on a command's facts. All the
// conditions a rule gives must hold.
import type { Cmd } from './facts.js';
import { compilePathList, globCandidates, resolvePath, type PathMatcher } from './paths.js';

export type Verdict = 'allow' | 'ask' | 'deny';
export const STRICTNESS: Record<Verdict, number> = { allow: 0, ask: 1, deny: 2 };

export interface Conditions {
  program?: string | string[];
  args?: string[];
  flags?: string | string[];
  argMatches?: string;
  target?: string | string[];
  lastTarget?: string | string[];
  writes?: string | string[];
  reads?: string | string[];
  redirect?: string | string[];
  assigns?: string | string[];
  script?: string | string[];
  recursive?: boolean;
  dynamic?: boolean;
}

/** What rules refer to by name: `@group` program lists, `@paths` lists, options that take values. */
export interface MatchContext {
  groups: Record<string, string[]>;
  paths: Record<string, string[]>;
  valueFlags: Record<string, string[]>;
}

/** A mistake in a rule, with the key it is under. */
export class RuleProblem extends Error {
  constructor(
    message: string,
    readonly key: string,
  ) {
    super(message);
  }
}

const list = (v: string | string[] | undefined): string[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);
const argGlob = (g: string) => new RegExp(`^(?:${g.split('|').map((alt) => alt.replace(/[.+^${}()\\[\]]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.')).join('|')})$`);

function expand(names: string[], table: Record<string, string[]>, key: string, what: string, seen = new Set<string>()): string[] {
  const out: string[] = [];
  for (const n of names) {
    if (!n.startsWith('@')) {
      out.push(n);
      continue;
    }
    const name = n.slice(1);
    const hit = table[name];
    if (!hit) throw new RuleProblem(`unknown ${what} '${n}' (known: ${Object.keys(table).map((k) => '@' + k).join(', ') || 'none'})`, key);
    if (seen.has(name)) throw new RuleProblem(`${what} '${n}' refers to itself`, key);
    out.push(...expand(hit, table, key, what, new Set([...seen, name])));
  }
  return out;
}

function programTest(names: string[]): (name: string | null) => boolean {
  const exact = new Set(names.filter((n) => !/[*?]/.test(n) && n !== '$dynamic'));
  const globs = names.filter((n) => /[*?]/.test(n)).map((g) => new RegExp(`^${g.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.')}$`));
  const dynamic = names.includes('$dynamic');
  return (name) => (name === null ? dynamic : exact.has(name) || globs.some((g) => g.test(name)));
}

/** Arguments that are not options, skipping the values of options that take one. */
export function positionals(cmd: Cmd, valueFlags: readonly string[]): Array<string | null> {
  const out: Array<string | null> = [];
  for (let i = 0; i < cmd.args.length; i++) {
    const v = cmd.args[i]!.value;
    if (v !== null && v.startsWith('-') && v.length > 1) {
      if (valueFlags.includes(v)) i++;
      continue;
    }
    out.push(v);
  }
  return out;
}

function argsTest(patterns: string[]): (pos: Array<string | null>) => boolean {
  const compiled = patterns.map((p) => (p === '**' ? '**' : p === '*' ? '*' : argGlob(p)));
  const at = (pi: number, ai: number, pos: Array<string | null>): boolean => {
    if (pi === compiled.length) return true;
    const p = compiled[pi]!;
    if (p === '**') {
      for (let k = ai; k <= pos.length; k++) if (at(pi + 1, k, pos)) return true;
      return false;
    }
    if (ai >= pos.length) return false;
    const v = pos[ai];
    if (p === '*') return at(pi + 1, ai + 1, pos);
    return v !== null && v !== undefined && p.test(v) && at(pi + 1, ai + 1, pos);
  };
  return (pos) => at(0, 0, pos);
}

function flagTest(flags: string[]): (cmd: Cmd) => boolean {
  return (cmd) => {
    for (const a of cmd.args) {
      const v = a.value;
      if (v === null || !v.startsWith('-') || v.length < 2) continue;
      if (v === '--') return false;
      for (const f of flags) {
        if (f.length === 2 && f[0] === '-' && f[1] !== '-') {
          if (!v.startsWith('--') && (/^-[A-Za-z0-9]*/.exec(v)?.[0] ?? '').includes(f[1]!)) return true;
        } else if (v === f || v.startsWith(`${f}=`)) return true;
      }
    }
    return false;
  };
}

/** Candidate paths in a command's arguments: `PATH`, `--opt=PATH`, `key=PATH`, `@PATH`. */
function pathArgs(cmd: Cmd, lastOnly: boolean): Array<{ path: string; glob: boolean }> {
  const out: Array<{ path: string; glob: boolean }> = [];
  for (const a of cmd.args) {
    const v = a.value;
    if (v === null || v === '') continue;
    const cands: string[] = [];
    if (v.startsWith('-')) {
      if (lastOnly) continue;
      if (v.includes('=')) cands.push(v.slice(v.indexOf('=') + 1));
    } else {
      cands.push(v);
      const kv = /^[A-Za-z_][\w.-]*=(.+)$/.exec(v);
      if (kv) cands.push(kv[1]!);
    }
    const found = cands.map((c) => c.replace(/^[@<]/, '')).filter((c) => c !== '').map((c) => ({ path: resolvePath(cmd.cwd, c), glob: a.glob }));
    if (lastOnly) out.splice(0, out.length, ...found.slice(0, 1));
    else out.push(...found);
  }
  return out;
}

function pathsTest(m: PathMatcher, paths: Array<{ path: string; glob: boolean }>): boolean {
  return paths.some((p) => m.test(p.path) || (p.glob && globCandidates(p.path, m).some((c) => m.test(c))));
}

function redirectPaths(cmd: Cmd, dirs: Array<'in' | 'out' | 'both'>): Array<{ path: string; glob: boolean }> {
  return cmd.redirects.filter((r) => dirs.includes(r.dir) && r.target.value !== null).map((r) => ({ path: resolvePath(cmd.cwd, r.target.value!), glob: r.target.glob }));
}

/** Compiles conditions into a test. Throws RuleProblem for unknown names or a bad regex. */
export function compileConditions(c: Conditions & { from?: Conditions }, ctx: MatchContext): (cmd: Cmd) => boolean {
  const tests: Array<(cmd: Cmd) => boolean> = [];
  const pathList = (key: keyof Conditions) => compilePathList(expand(list(c[key] as string | string[]), ctx.paths, key, 'path list'));
  if (c.program !== undefined) {
    const t = programTest(expand(list(c.program), ctx.groups, 'program', 'group'));
    tests.push((cmd) => cmd.kind === 'command' && t(cmd.name));
  }
  if (c.args) {
    const t = argsTest(c.args);
    tests.push((cmd) => t(positionals(cmd, cmd.name ? (ctx.valueFlags[cmd.name] ?? []) : [])));
  }
  if (c.flags !== undefined) tests.push(flagTest(list(c.flags)));
  if (c.argMatches !== undefined) {
    let re: RegExp;
    try {
      re = new RegExp(c.argMatches);
    } catch (err) {
      throw new RuleProblem(`argMatches is not a valid regular expression: ${(err as Error).message}`, 'argMatches');
    }
    tests.push((cmd) => cmd.args.some((a) => a.value !== null && re.test(a.value)));
  }
  if (c.target !== undefined) {
    const m = pathList('target');
    tests.push((cmd) => pathsTest(m, pathArgs(cmd, false)));
  }
  if (c.lastTarget !== undefined) {
    const m = pathList('lastTarget');
    tests.push((cmd) => pathsTest(m, pathArgs(cmd, true)));
  }
  for (const [key, dirs] of [['writes', ['out', 'both']], ['reads', ['in', 'both']], ['redirect', ['in', 'out', 'both']]] as const) {
    if (c[key] === undefined) continue;
    const m = pathList(key);
    tests.push((cmd) => pathsTest(m, redirectPaths(cmd, [...dirs])));
  }
  if (c.assigns !== undefined) {
    const t = programTest(list(c.assigns));
    tests.push((cmd) => cmd.assigns.some((a) => t(a.name)));
  }
  if (c.script !== undefined) {
    const s = list(c.script);
    tests.push((cmd) => cmd.script !== undefined && s.includes(cmd.script));
  }
  if (c.recursive !== undefined) tests.push((cmd) => (cmd.fn !== undefined && cmd.name === cmd.fn) === c.recursive);
  if (c.dynamic !== undefined) tests.push((cmd) => cmd.args.some((a) => a.value === null) === c.dynamic);
  if (c.from !== undefined) {
    let t: (cmd: Cmd) => boolean;
    try {
      t = compileConditions(c.from, ctx);
    } catch (err) {
      throw err instanceof RuleProblem ? new RuleProblem(err.message, `from.${err.key}`) : err;
    }
    tests.push((cmd) => cmd.feeders.some(t));
  }
  if (tests.length === 0) throw new RuleProblem('a rule needs at least one condition (program, args, target, writes, from…)', 'id');
  return (cmd) => tests.every((t) => t(cmd));
}
