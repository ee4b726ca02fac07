// The local planner: with no model configured, common requests are answered
// from the knowledge base's vetted recipes. A recipe matches when every word
// group of one of its `match` alternatives appears in the request; the most
// specific match (most groups) wins. Requests that ask to delete, list or
// inspect something never match a recipe that builds something.
import type { Answer } from './answer.js';
import { requestWords, type Recipe, type Topic } from './knowledge.js';

const OTHER_INTENT = ['delete', 'remove', 'destroy', 'drop', 'terminate', 'uninstall', 'purge', 'wipe', 'empty', 'list', 'describe', 'count', 'cost', 'price', 'debug', 'troubleshoot'];

export interface PlannedAnswer extends Answer {
  recipe: string;
  title: string;
}

function score(recipe: Recipe, words: Set<string>): number {
  let best = 0;
  for (const alt of recipe.match) {
    const groups = alt.split(/\s+/).filter(Boolean).map((g) => g.split('|'));
    if (groups.every((g) => g.some((w) => words.has(w)))) best = Math.max(best, groups.length);
  }
  return best;
}

const SAFE_VALUE = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;

/** Values a request may set: a name ("named X", "called X") and a region (AWS or GCP style). Only safe characters. */
function requestParams(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  const name = /\b(?:named|called|name)\s+["'`]?([A-Za-z0-9][A-Za-z0-9.-]*)/i.exec(text)?.[1]?.toLowerCase();
  if (name && SAFE_VALUE.test(name)) out.name = name;
  const region = /\b((?:us|eu|ap|sa|ca|me|af|il)-(?:north|south|east|west|central|northeast|southeast|southwest|northwest)-\d|(?:europe|us|asia|northamerica|southamerica|australia|me|africa)-[a-z]+\d)\b/i.exec(text)?.[1]?.toLowerCase();
  if (region) out.region = region;
  return out;
}

function fill(text: string, values: Record<string, string>): string {
  return text.replace(/\{\{(\w+)\}\}/g, (m, k: string) => values[k] ?? m);
}

/** The recipe answer for a request, or undefined when no recipe fits. */
export function planLocally(topics: Topic[], request: string): PlannedAnswer | undefined {
  const words = requestWords(request);
  let best: { recipe: Recipe; score: number } | undefined;
  for (const t of topics) {
    for (const r of t.recipes) {
      const own = new Set(r.match.join(' ').split(/[\s|]+/));
      if (OTHER_INTENT.some((w) => words.has(w) && !own.has(w))) continue;
      const s = score(r, words);
      if (s > 0 && (!best || s > best.score)) best = { recipe: r, score: s };
    }
  }
  if (!best) return undefined;
  const r = best.recipe;
  const given = requestParams(request);
  const values: Record<string, string> = {};
  for (const [k, p] of Object.entries(r.params ?? {})) values[k] = given[k] ?? p.default;
  return {
    recipe: r.id,
    title: r.title,
    explanation: fill(r.explanation, values).trim(),
    steps: r.steps.map((s) => ({ command: fill(s.command, values).trim(), explanation: fill(s.explanation, values) })),
    risks: (r.risks ?? []).map((x) => fill(x, values)),
    prerequisites: (r.prerequisites ?? []).map((x) => fill(x, values)),
  };
}
