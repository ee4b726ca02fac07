// The knowledge base: templates/knowledge/<topic>.yaml (and the user's own in
// ~/.cloudya/knowledge/), each with keywords, best practices and vetted
// recipes. A request selects topics by its words; their practices go with the
// request to the model, and their recipes feed the local planner.
import { readFileSync, readdirSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { cloudyaHome } from '../../engine/config.js';
import { CloudyaError } from '../../engine/errors.js';

export interface RecipeParam {
  default: string;
}

export interface Recipe {
  id: string;
  title: string;
  /** Alternatives; each is space-separated groups of `a|b` words that must all appear. */
  match: string[];
  params?: Record<string, RecipeParam>;
  explanation: string;
  steps: { command: string; explanation: string }[];
  risks?: string[];
  prerequisites?: string[];
}

export interface Topic {
  topic: string;
  title: string;
  keywords: string[];
  practices: string[];
  recipes: Recipe[];
  file: string;
}

export const BUILTIN_KNOWLEDGE = fileURLToPath(new URL('../../../templates/knowledge/', import.meta.url));

let cache: Topic[] | undefined;

/** Every topic: the built-in ones, then the user's (a user file with the same topic replaces the built-in one). */
export async function loadKnowledge(): Promise<Topic[]> {
  if (cache) return cache;
  const { load } = await import('js-yaml');
  const byTopic = new Map<string, Topic>();
  for (const dir of [BUILTIN_KNOWLEDGE, join(cloudyaHome(), 'knowledge')]) {
    if (!existsSync(dir)) continue;
    for (const f of readdirSync(dir).filter((n) => /\.ya?ml$/.test(n)).sort()) {
      const file = join(dir, f);
      const data = load(readFileSync(file, 'utf8')) as Partial<Topic> | null;
      if (!data || typeof data.topic !== 'string' || !Array.isArray(data.keywords)) {
        throw new CloudyaError('E_CONFIG', `${file} is not a knowledge file (it needs topic: and keywords:)`, { hint: 'see templates/knowledge/aws.yaml for the format' });
      }
      byTopic.set(data.topic, { title: data.topic, practices: [], recipes: [], ...data, file } as Topic);
    }
  }
  return (cache = [...byTopic.values()]);
}

/** Lower-case words of a request, with a plural `s` also dropped (`buckets` → `bucket`). */
export function requestWords(text: string): Set<string> {
  const out = new Set<string>();
  for (const w of text.toLowerCase().split(/[^a-z0-9]+/)) {
    if (!w) continue;
    out.add(w);
    if (w.length > 3 && w.endsWith('s')) out.add(w.slice(0, -1));
  }
  return out;
}

/** Topics whose keywords appear in the text, plus any named explicitly; most hits first. */
export function selectTopics(all: Topic[], text: string, named: string[] = []): Topic[] {
  const words = requestWords(text);
  const scored = all
    .map((t) => ({ t, hits: named.includes(t.topic) ? 1000 : t.keywords.filter((k) => words.has(k.toLowerCase())).length }))
    .filter((x) => x.hits > 0)
    .sort((a, b) => b.hits - a.hits);
  return scored.map((x) => x.t);
}

/** The best-practice text sent with a request (empty when no topic matches). */
export function knowledgeText(topics: Topic[]): string {
  if (topics.length === 0) return '';
  return topics.map((t) => `${t.title} best practices:\n${t.practices.map((p) => `- ${p}`).join('\n')}`).join('\n\n');
}

/** `cloudya ask --topics`: check names against the known topics. */
export async function checkTopicNames(names: string[]): Promise<void> {
  const known = (await loadKnowledge()).map((t) => t.topic);
  const bad = names.filter((n) => !known.includes(n));
  if (bad.length) {
    const { didYouMean } = await import('../../engine/suggest.js');
    const guess = didYouMean(bad[0]!, known);
    throw new CloudyaError('E_USAGE', `unknown topic '${bad[0]}'`, { hint: `${guess ? `did you mean '${guess}'? ` : ''}known topics: ${known.join(', ')}` });
  }
}
