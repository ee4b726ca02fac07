// Paths as the judge compares them: normalised lexically, the home directory
// written `~`, relative paths joined to the directory the script moved to.
// Patterns are globs over `/`-separated segments: `*` within a segment, `**`
// across segments (`/etc/**` matches /etc and everything under it).
import { homedir } from 'node:os';
import { posix } from 'node:path';

const HOME = homedir();

/** `~/x` → `<home>/x` (and `~` alone); other paths unchanged. */
function expandHome(p: string): string {
  if (p === '~') return HOME;
  if (p.startsWith('~/')) return HOME + p.slice(1);
  return p;
}

/** `<home>/x` → `~/x`. */
function foldHome(p: string): string {
  if (p === HOME) return '~';
  if (HOME !== '/' && p.startsWith(HOME + '/')) return '~' + p.slice(HOME.length);
  return p;
}

/** Joins a relative path to the script's directory (`cd`), when that is known and not the start. */
export function resolvePath(cwd: string | null, p: string): string {
  const abs = p.startsWith('/') || p.startsWith('~');
  if (abs || cwd === '.') return normalizePath(p);
  if (cwd === null) return normalizePath(p);
  return normalizePath(`${cwd}/${p}`);
}

export function normalizePath(p: string): string {
  if (p === '') return p;
  if (p.startsWith('~') && !p.startsWith('~/') && p !== '~') return p; // ~user
  const expanded = expandHome(p);
  let n = posix.normalize(expanded);
  if (n.length > 1 && n.endsWith('/')) n = n.slice(0, -1);
  if (n.startsWith('./')) n = n.slice(2);
  return expanded.startsWith('/') ? foldHome(n) : n;
}

/** Regex source of a path glob. */
function globSource(glob: string): string {
  let out = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i]!;
    if (c === '*' && glob[i + 1] === '*') {
      const slashBefore = out.endsWith('/');
      i++;
      if (glob[i + 1] === '/') {
        i++;
        out += '(?:.*/)?';
      } else if (slashBefore) {
        out = out.slice(0, -1) + '(?:/.*)?';
      } else out += '.*';
    } else if (c === '*') out += '[^/]*';
    else if (c === '?') out += '[^/]';
    else if (c === '[') {
      const end = glob.indexOf(']', i + 2);
      if (end < 0) out += '\\[';
      else {
        out += '[' + glob.slice(i + 1, end).replace(/^!/, '^').replace(/\\/g, '\\\\') + ']';
        i = end;
      }
    } else out += c.replace(/[.+^${}()|\\\]]/g, '\\$&');
  }
  return out;
}

export function globToRegExp(glob: string): RegExp {
  return new RegExp(`^${globSource(glob)}$`);
}

/** A compiled path list: positive patterns, and `!pattern` exceptions. */
export interface PathMatcher {
  test(path: string): boolean;
  /** The patterns without wildcards, to test glob arguments (`rm -rf /e*`) against. */
  literals: string[];
}

function normalizePattern(p: string): string {
  if (!p.startsWith('/') && !p.startsWith('~')) return p;
  const tree = p.endsWith('/**');
  const base = normalizePath(tree ? p.slice(0, -3) || '/' : p);
  return tree ? (base === '/' ? '/**' : `${base}/**`) : base;
}

export function compilePathList(patterns: readonly string[]): PathMatcher {
  const pos: RegExp[] = [];
  const neg: RegExp[] = [];
  const literals: string[] = [];
  for (const raw of patterns) {
    const negated = raw.startsWith('!');
    const p = negated ? raw.slice(1) : raw;
    const n = normalizePattern(p);
    (negated ? neg : pos).push(globToRegExp(n));
    if (!negated && !/[*?[]/.test(n)) literals.push(n);
  }
  return {
    test: (path) => pos.some((r) => r.test(path)) && !neg.some((r) => r.test(path)),
    literals,
  };
}

/**
 * The paths a glob argument may stand for, among the list's literal paths:
 * `/e*` may be `/etc`; `/et?/passwd` may be `/etc/passwd`.
 */
export function globCandidates(arg: string, m: PathMatcher): string[] {
  const segs = arg.split('/');
  const out: string[] = [];
  // `DIR/*` empties DIR: judge it as DIR itself.
  if (segs.length > 1 && /^[.*?]+$/.test(segs[segs.length - 1]!) && !/[*?[]/.test(segs.slice(0, -1).join('/'))) out.push(normalizePath(segs.slice(0, -1).join('/') || '/'));
  for (const lit of m.literals) {
    const n = lit.split('/').length;
    if (segs.length >= n && globToRegExp(segs.slice(0, n).join('/')).test(lit)) out.push([lit, ...segs.slice(n)].join('/'));
  }
  return out;
}
