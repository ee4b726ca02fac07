// Which model, endpoint and key the `ai` step, `ask` and `chat` use.
// Precedence, highest first: the step's own `with:` (model, baseUrl), the
// environment (CLOUDYA_AI_MODEL, OPENAI_BASE_URL, OPENAI_API_KEY), then
// ~/.cloudya/config.json `ai: {model, base_url, api_key}`. The key never comes
// from a workflow. Neither a key nor a base URL: no model is configured, and
// the local planner answers.
import { readConfig } from '../../engine/config.js';

export const DEFAULT_MODEL = 'gpt-4o-mini';
export const OPENAI_BASE_URL = 'https://api.openai.com/v1';

export interface AiSettings {
  /** False when neither a key nor a base URL is set anywhere. */
  configured: boolean;
  model: string;
  baseUrl: string;
  /** Kept in memory only; masked in every message. */
  apiKey?: string;
  /** Where each value came from, for `ask --output json` and error hints (never the key itself). */
  from: { model: string; baseUrl: string; apiKey: string };
}

const pick = (...pairs: [string | undefined, string][]): [string | undefined, string] => pairs.find(([v]) => v !== undefined && v.trim() !== '') ?? [undefined, 'default'];

export function resolveAiSettings(over: { model?: string; baseUrl?: string } = {}): AiSettings {
  const ai = readConfig().ai ?? {};
  const env = process.env;
  const [model, modelFrom] = pick([over.model, 'with.model'], [env.CLOUDYA_AI_MODEL, 'CLOUDYA_AI_MODEL'], [ai.model, 'config.json ai.model']);
  const [baseUrl, urlFrom] = pick([over.baseUrl, 'with.baseUrl'], [env.OPENAI_BASE_URL, 'OPENAI_BASE_URL'], [ai.base_url, 'config.json ai.base_url']);
  const [apiKey, keyFrom] = pick([env.OPENAI_API_KEY, 'OPENAI_API_KEY'], [ai.api_key, 'config.json ai.api_key']);
  return {
    configured: apiKey !== undefined || baseUrl !== undefined,
    model: model?.trim() ?? DEFAULT_MODEL,
    baseUrl: (baseUrl?.trim() ?? OPENAI_BASE_URL).replace(/\/+$/, ''),
    ...(apiKey !== undefined ? { apiKey: apiKey.trim() } : {}),
    from: { model: modelFrom, baseUrl: urlFrom, apiKey: apiKey === undefined ? 'none' : keyFrom },
  };
}

/** Replaces the key (and any `Bearer …` it travels in) with ***. */
export function keyMasker(settings: Pick<AiSettings, 'apiKey'>, mask: (t: string) => string = (t) => t): (text: string) => string {
  const key = settings.apiKey;
  return (text) => {
    let out = mask(text);
    if (key && key.length >= 4) out = out.split(key).join('***');
    return out.replace(/(Bearer\s+)[A-Za-z0-9._~+/=-]{8,}/g, '$1***');
  };
}

/** What to tell someone who has no model configured. */
export const CONFIGURE_HINT =
  'set OPENAI_API_KEY (OpenAI), or OPENAI_BASE_URL for a self-hosted OpenAI-compatible server such as Ollama (http://localhost:11434/v1) or vLLM, ' +
  'and CLOUDYA_AI_MODEL for the model; or put ai: {model, base_url, api_key} in ~/.cloudya/config.json';
