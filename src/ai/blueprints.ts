// `ask -e` and `chat -e` compile into the blueprints workflows/ask.yaml and
// workflows/run-commands.yaml, filled in with the request or the commands.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { GeneratedWorkflow } from '../generated.js';

type Step = { id: string; with?: Record<string, unknown> };

async function blueprint(name: string): Promise<GeneratedWorkflow & { steps: Step[]; params: Record<string, Record<string, unknown>> }> {
  const { load } = await import('js-yaml');
  return load(readFileSync(fileURLToPath(new URL(`../../../workflows/${name}.yaml`, import.meta.url)), 'utf8')) as never;
}

export interface AskWorkflowOptions {
  topics?: string[];
  model?: string;
  /** An absolute policy file for the validate step. */
  policy?: string;
}

/** ai → validate → sandbox, with the request as the default of `params.request` (so the emitted file runs as it is). */
export async function askWorkflow(request: string, opts: AskWorkflowOptions = {}): Promise<GeneratedWorkflow> {
  const doc = await blueprint('ask');
  doc.params.request = { ...doc.params.request, default: request };
  const ai = doc.steps.find((s) => s.id === 'ai')!;
  if (opts.topics?.length) ai.with = { ...ai.with, topics: opts.topics };
  if (opts.model) ai.with = { ...ai.with, model: opts.model };
  if (opts.policy) doc.steps.find((s) => s.id === 'validate')!.with!.policy = opts.policy;
  return doc;
}

/** validate → sandbox for commands already written (chat -e). */
export async function commandsWorkflow(commands: string[], opts: { policy?: string } = {}): Promise<GeneratedWorkflow> {
  const doc = await blueprint('run-commands');
  doc.params.commands = { ...doc.params.commands, default: commands };
  if (opts.policy) doc.steps.find((s) => s.id === 'validate')!.with!.policy = opts.policy;
  return doc;
}
