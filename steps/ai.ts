// `ai` — turns a request into shell commands with an explanation of each,
// risks and prerequisites, from an OpenAI-compatible model (structured output,
// checked against a schema) or, with no model configured, from the local
// planner's vetted recipes. The API key comes only from the environment or
// ~/.cloudya/config.json, never from a workflow, and is never written anywhere.
import { defineStep } from '../engine/step-api.js';
import type { AnswerStep } from './ai/answer.js';
import type { Usage } from './ai/usage-ledger.js';

export interface AiInput {
  prompt: string;
  system?: string;
  topics?: string[];
  model?: string;
  baseUrl?: string;
}

export interface AiOutputs {
  commands: string[];
  steps: AnswerStep[];
  explanation: string;
  risks: string[];
  prerequisites: string[];
  usage: Usage;
  model: string;
  source: 'model' | 'local-planner';
  topics: string[];
  [key: string]: unknown;
}

export default defineStep<AiInput, AiOutputs>({
  type: 'ai',
  description: 'Ask a model (or the local planner) for the shell commands that do what the prompt says, with explanations, risks and prerequisites',
  schema: {
    type: 'object',
    properties: {
      prompt: { type: 'string', minLength: 1, description: 'What to do, in plain words' },
      system: { type: 'string', description: 'Extra instructions added to the system prompt' },
      topics: { type: 'array', items: { type: 'string', minLength: 1 }, description: 'Knowledge topics to send besides those the prompt selects (aws, kubernetes, terraform, docker)' },
      model: { type: 'string', minLength: 1, description: 'Model name (default: CLOUDYA_AI_MODEL, config.json ai.model, gpt-4o-mini)' },
      baseUrl: { type: 'string', pattern: '^https?://', description: 'OpenAI-compatible base URL, e.g. http://localhost:11434/v1 (default: OPENAI_BASE_URL, config.json ai.base_url, OpenAI)' },
    },
    required: ['prompt'],
    additionalProperties: false,
  },
  async run(ctx, input) {
    const { generateAnswer } = await import('./ai/generate.js');
    ctx.progress(input.model ? `asking ${input.model}` : 'asking the model');
    const g = await generateAnswer(input, { signal: ctx.signal, mask: ctx.mask, ledger: { source: 'step', runId: ctx.runId, stepId: ctx.stepId } });
    for (const s of g.answer.steps) ctx.progress(`$ ${s.command.split('\n')[0]}${s.command.includes('\n') ? ' …' : ''}`);
    ctx.log.info('answer', { source: g.source, model: g.model, commands: g.answer.steps.length, usage: g.usage, topics: g.topics, format: g.format, reasked: g.reasked });
    return {
      commands: g.answer.steps.map((s) => s.command),
      steps: g.answer.steps,
      explanation: g.answer.explanation,
      risks: g.answer.risks,
      prerequisites: g.answer.prerequisites,
      usage: g.usage,
      model: g.model,
      source: g.source,
      topics: g.topics,
      ...(g.recipe ? { recipe: g.recipe } : {}),
    };
  },
});
