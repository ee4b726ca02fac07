// One request → one structured answer: from the configured model, or from the
// local planner's vetted recipes when no model is configured. Used by the `ai`
// step and by `cloudya ask`.
import { CloudyaError } from '../../engine/errors.js';
import type { Answer } from './answer.js';
import { askStructured } from './client.js';
import { knowledgeText, loadKnowledge, selectTopics } from './knowledge.js';
import { planLocally } from './planner.js';
import { ANSWER_PROMPT, systemMessage } from './prompts.js';
import { CONFIGURE_HINT, keyMasker, resolveAiSettings } from './settings.js';
import { recordUsage, ZERO_USAGE, type LedgerEntry, type Usage } from './usage-ledger.js';

export interface GenerateInput {
  prompt: string;
  system?: string;
  topics?: string[];
  model?: string;
  baseUrl?: string;
}

export interface Generated {
  answer: Answer;
  usage: Usage;
  model: string;
  source: 'model' | 'local-planner';
  /** The knowledge topics sent with the request (or searched by the planner). */
  topics: string[];
  /** The recipe the local planner used. */
  recipe?: string;
  /** 'json_schema' | 'json_prompt' for a model, 'recipe' for the planner. */
  format: string;
  reasked: number;
}

export interface GenerateOptions {
  signal?: AbortSignal;
  mask?: (text: string) => string;
  /** Who is asking, for the usage ledger. */
  ledger: Pick<LedgerEntry, 'source' | 'runId' | 'stepId'>;
}

export async function generateAnswer(input: GenerateInput, opts: GenerateOptions): Promise<Generated> {
  const settings = resolveAiSettings({ ...(input.model ? { model: input.model } : {}), ...(input.baseUrl ? { baseUrl: input.baseUrl } : {}) });
  const kb = await loadKnowledge();
  const topics = selectTopics(kb, input.prompt, input.topics ?? []);
  if (!settings.configured) {
    const planned = planLocally(kb, input.prompt);
    if (!planned) {
      throw new CloudyaError('E_AI_NOT_CONFIGURED', 'no AI model is configured, and no vetted recipe of the local planner matches this request', {
        hint: `${CONFIGURE_HINT}. Without a model, cloudya answers common requests such as "create a secure s3 bucket", "create a vpc with subnets", "create a kubernetes cluster on aws", "terraform s3 backend", "harden my dockerfile", "set up autoscaling for my pods"`,
      });
    }
    const { recipe, title: _title, ...answer } = planned;
    return { answer, usage: ZERO_USAGE, model: 'local-planner', source: 'local-planner', topics: topics.map((t) => t.topic), recipe, format: 'recipe', reasked: 0 };
  }
  const mask = keyMasker(settings, opts.mask);
  const messages = [
    { role: 'system' as const, content: systemMessage(ANSWER_PROMPT, input.system, knowledgeText(topics)) },
    { role: 'user' as const, content: input.prompt },
  ];
  let result;
  try {
    result = await askStructured(messages, { settings, mask, ...(opts.signal ? { signal: opts.signal } : {}) });
  } catch (err) {
    // Tokens spent on answers that failed the schema still count.
    const spent = (err as CloudyaError).details?.usage as Usage | undefined;
    if (spent) recordUsage({ model: settings.model, ...opts.ledger, ...spent });
    throw err;
  }
  recordUsage({ model: settings.model, ...opts.ledger, ...result.usage });
  return { answer: result.answer, usage: result.usage, model: settings.model, source: 'model', topics: topics.map((t) => t.topic), format: result.format, reasked: result.reasked };
}
