// Source positions for a path in a workflow. Only needed when there is a problem,
// so the `yaml` package (slow on big files, but it keeps every node's range) is
// loaded on first use, synchronously, and each source is parsed once.
import { createRequire } from 'node:module';
import type * as Yaml from 'yaml';

export type PathSegment = string | number;
export interface Position {
  line: number;
  col: number;
}

interface Parsed {
  doc: Yaml.Document.Parsed;
  lines: Yaml.LineCounter;
}

let yaml: typeof Yaml | undefined;
const cache = new Map<string, Parsed>();

function load(): typeof Yaml {
  yaml ??= createRequire(import.meta.url)('yaml') as typeof Yaml;
  return yaml;
}

/** The `yaml` document of a source (with ranges), parsed once per source text. */
export function parseWithPositions(source: string): Parsed {
  const hit = cache.get(source);
  if (hit) return hit;
  const Y = load();
  const lines = new Y.LineCounter();
  const doc = Y.parseDocument(source, { lineCounter: lines, keepSourceTokens: false, prettyErrors: false });
  if (cache.size >= 8) cache.delete(cache.keys().next().value!);
  const parsed = { doc, lines };
  cache.set(source, parsed);
  return parsed;
}

/** Line and column (both 1-based) of a character offset. */
export function positionOf(source: string, offset: number): Position {
  const { lines } = parseWithPositions(source);
  return lines.linePos(Math.max(0, Math.min(offset, source.length)));
}

function keyMatches(key: unknown, seg: PathSegment, Y: typeof Yaml): boolean {
  if (Y.isScalar(key)) return String(key.value) === String(seg);
  return key === seg;
}

/**
 * Where `path` is in `source`: its key (`at: 'key'`, for unknown or misplaced keys) or
 * its value. When the path does not exist (a missing required key, say), the nearest
 * ancestor that does is used. `offset` points inside a single-line scalar (the place of
 * an expression in a string); for other scalars the scalar start is used.
 */
export function locate(_file: string, source: string, path: readonly PathSegment[], at: 'key' | 'value' = 'value', offset?: number): Position {
  const Y = load();
  const { node, keyRange, found } = walk(source, path);
  const nodeRange = Y.isNode(node) ? node.range ?? undefined : undefined;
  let start: number;
  if (found && at === 'key' && keyRange) start = keyRange[0];
  else if (!found && keyRange) start = keyRange[0];
  else if (nodeRange) start = nodeRange[0] + (found && offset !== undefined && Y.isScalar(node) ? scalarOffset(source, node, offset) : 0);
  else if (keyRange) start = keyRange[0];
  else start = 0;
  return positionOf(source, start);
}

/**
 * The source text of the scalar at `path` as written (`1.10`, `true`, `'x'`), when the
 * path exists, holds a scalar and fits on one line; undefined otherwise.
 */
export function scalarSource(source: string, path: readonly PathSegment[]): string | undefined {
  const Y = load();
  const { node, found } = walk(source, path);
  if (!found || !Y.isScalar(node) || !node.range) return undefined;
  const raw = source.slice(node.range[0], node.range[1]);
  return raw.includes('\n') ? undefined : raw;
}

/** Follows `path` through the document: the node reached, the key range of the last pair passed, and whether the whole path exists. */
function walk(source: string, path: readonly PathSegment[]): { node: unknown; keyRange: [number, number, number] | undefined; found: boolean } {
  const Y = load();
  const { doc } = parseWithPositions(source);
  let node: unknown = doc.contents;
  // The best position found so far: the key of the pair we came through, or the node itself.
  let keyRange: [number, number, number] | undefined;
  let found = true;
  for (let i = 0; i < path.length; i++) {
    const seg = path[i]!;
    if (Y.isAlias(node)) node = node.resolve(doc);
    if (Y.isMap(node)) {
      const pair = node.items.find((p) => keyMatches(p.key, seg, Y));
      if (!pair) {
        found = false;
        break;
      }
      keyRange = Y.isNode(pair.key) ? pair.key.range ?? undefined : undefined;
      node = pair.value;
      if (node === null || (Y.isScalar(node) && node.value === null && node.source === '')) node = undefined;
    } else if (Y.isSeq(node) && typeof seg === 'number' && seg < node.items.length) {
      keyRange = undefined;
      node = node.items[seg];
    } else {
      found = false;
      break;
    }
    if (node === undefined) {
      // `key:` with nothing after it: the key is the only place to point at.
      found = i === path.length - 1;
      break;
    }
  }
  return { node, keyRange, found };
}

/** How far into the source of `node` the `offset`-th character of its value is, when that can be known. */
function scalarOffset(source: string, node: Yaml.Scalar, offset: number): number {
  const [from, to] = node.range ?? [0, 0];
  const raw = source.slice(from, to);
  const value = typeof node.value === 'string' ? node.value : String(node.value);
  if (raw.includes('\n') || offset > value.length) {
    if (node.type === 'BLOCK_LITERAL') return blockOffset(raw, value, offset);
    return 0;
  }
  if (node.type === 'PLAIN') return raw.startsWith(value) ? offset : 0;
  if (node.type === 'QUOTE_DOUBLE' || node.type === 'QUOTE_SINGLE') {
    // Escapes shift characters; only trust plain runs before the offset.
    const inner = raw.slice(1, -1);
    return inner.slice(0, offset) === value.slice(0, offset) ? offset + 1 : 0;
  }
  return 0;
}

/** For a `|` block: the source offset of the value's `offset`-th character (line-wise). */
function blockOffset(raw: string, value: string, offset: number): number {
  const before = value.slice(0, offset);
  const lineNo = before.split('\n').length - 1;
  const colInLine = offset - (before.lastIndexOf('\n') + 1);
  const rawLines = raw.split('\n');
  // rawLines[0] is the header (`|`, `|-`, …); content starts on the next line.
  const contentLines = rawLines.slice(1);
  const indent = Math.min(...contentLines.filter((l) => l.trim() !== '').map((l) => l.length - l.trimStart().length));
  if (!Number.isFinite(indent) || lineNo >= contentLines.length) return 0;
  let pos = rawLines[0]!.length + 1;
  for (let i = 0; i < lineNo; i++) pos += contentLines[i]!.length + 1;
  return pos + indent + colInLine;
}
