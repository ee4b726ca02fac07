// cloudya ask "…" — the commands that do what the request says, with an
// explanation of each, the validator's verdict, risks and prerequisites.
// Nothing runs. `-e` compiles the request into the workflow ai → validate →
// sandbox (workflows/ask.yaml) and runs it; `--emit` prints that workflow.
import { resolve } from 'node:path';
import type sade from 'sade';
import type { CommandModule } from '../main.js';
import { CloudyaError } from '../../engine/errors.js';
import { outputFormat } from '../drive.js';

function requestOf(first: string | undefined, opts: Record<string, unknown>): string {
  const rest = Array.isArray(opts._) ? (opts._ as unknown[]).map(String) : [];
  const text = [first ?? '', ...rest].join(' ').trim();
  if (!text) throw new CloudyaError('E_USAGE', 'say what you want to do', { hint: 'cloudya ask "create a secure s3 bucket"' });
  return text;
}

function topicsOf(value: unknown): string[] {
  if (value === undefined || value === true || value === false) return [];
  return String(value).split(',').map((t) => t.trim()).filter(Boolean);
}

export default {
  register(prog: sade.Sade) {
    prog
      .command('ask [request]')
      .describe('Get the commands for a DevOps task, explained and judged by the validator. Nothing runs unless -e is given.')
      .option('-e, --execute', 'Run them: ai → validate → sandbox, as a workflow (deny stops it; ask needs --yes or a confirmation)', false)
      .option('-y, --yes', 'With -e: approve commands the policy marks "ask"', false)
      .option('--emit', 'Print the workflow -e would run, and exit', false)
      .option('--topics', 'Knowledge topics to send besides those the request selects: aws,kubernetes,terraform,docker')
      .option('--model', 'Model name (default: CLOUDYA_AI_MODEL, config.json ai.model, gpt-4o-mini)')
      .option('--policy', 'Policy file for the verdicts and the validate step (default: the built-in policy)')
      .option('--output', 'text or json (with -e also ndjson)', 'text')
      .example('ask "create a secure s3 bucket"')
      .example('ask -e --yes "list the files in the current directory"')
      .example('ask --emit "set up autoscaling for my web deployment" > ask.yaml')
      .action(async (first: string | undefined, opts: Record<string, unknown>) => {
        const request = requestOf(first, opts);
        const format = outputFormat(opts.output);
        const topics = topicsOf(opts.topics);
        if (topics.length) await (await import('../../steps/ai/knowledge.js')).checkTopicNames(topics);
        const model = typeof opts.model === 'string' && opts.model ? opts.model : undefined;
        const policy = typeof opts.policy === 'string' && opts.policy ? resolve(opts.policy) : undefined;
        if (opts.emit || opts.execute) {
          const { askWorkflow } = await import('../ai/blueprints.js');
          const doc = await askWorkflow(request, { topics, ...(model ? { model } : {}), ...(policy ? { policy } : {}) });
          if (opts.emit) return (await import('../generated.js')).emitWorkflow(doc, 'cloudya ask --emit');
          return execute(doc, request, format, opts.yes === true);
        }
        if (format === 'ndjson') throw new CloudyaError('E_USAGE', '--output ndjson needs -e', { hint: 'use --output json' });
        const { generateAnswer } = await import('../../steps/ai/generate.js');
        const g = await generateAnswer({ prompt: request, topics, ...(model ? { model } : {}) }, { ledger: { source: 'ask' } });
        const { judge } = await import('../ai/verdicts.js');
        const verdicts = await judge(g.answer.steps.map((s) => s.command), { cwd: process.cwd(), ...(policy ? { policy } : {}) });
        if (format === 'json') {
          const byIndex = verdicts.available ? verdicts.judgements : [];
          process.stdout.write(JSON.stringify({
            request, source: g.source, model: g.model, ...(g.recipe ? { recipe: g.recipe } : {}), topics: g.topics, usage: g.usage,
            explanation: g.answer.explanation,
            steps: g.answer.steps.map((s, i) => ({ ...s, ...(byIndex[i] ? { verdict: byIndex[i]!.verdict, rule: byIndex[i]!.rule, reason: byIndex[i]!.reason } : {}) })),
            commands: g.answer.steps.map((s) => s.command),
            risks: g.answer.risks, prerequisites: g.answer.prerequisites,
            verdict: verdicts.available ? verdicts.verdict : null,
            ...(verdicts.available ? {} : { verdictsUnavailable: verdicts.why }),
          }, null, 2) + '\n');
          return 0;
        }
        const { answerText, colourFor, highlighter, sourceLine } = await import('../ai/render-answer.js');
        const colour = colourFor(process.stdout);
        process.stdout.write(answerText(g, verdicts, await highlighter(colour), colour));
        process.stderr.write(`${sourceLine(g)}\nnothing was run; to run these in the sandbox: cloudya ask -e ${JSON.stringify(request)}\n`);
        return 0;
      });
  },
} satisfies CommandModule;

async function execute(doc: import('../generated.js').GeneratedWorkflow, request: string, format: 'text' | 'json' | 'ndjson', yes: boolean): Promise<number> {
  const { runGenerated } = await import('../generated.js');
  return runGenerated(doc, 'cloudya ask -e', {
    params: { request },
    format,
    yes,
    rollback: false,
    onDone(state) {
      if (format !== 'text') return;
      const run = state.steps.run;
      const out = run?.outputs as { stdout?: string; stderr?: string; exitCode?: number; backend?: string } | undefined;
      if (run?.status === 'succeeded' && out) {
        process.stdout.write(`\nsandbox output${out.backend ? ` (${out.backend})` : ''}, exit ${out.exitCode}:\n${out.stdout ?? ''}${out.stdout ? '\n' : ''}`);
      } else if (state.steps.validate?.status === 'failed') {
        process.stderr.write('nothing was run: the validator stopped the commands (see the error above)\n');
      }
    },
  });
}
