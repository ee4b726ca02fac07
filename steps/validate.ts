// `validate` — judges shell commands against the policy before anything runs
// them: deny fails the step, ask needs a person's approval (or --yes). Every
// command judged is appended to the audit log.
import { defineStep } from '../engine/step-api.js';
import { CloudyaError } from '../engine/errors.js';
import { appendAudit } from '../engine/audit.js';
import { POLICY_SCHEMA } from './validate/policy-schema.js';
import type { Judgement, Verdict } from './validate/judge.js';

export interface ValidateInput {
  commands?: string[];
  command?: string;
  script?: string;
  /** A policy file (relative to the workflow's folder) or an inline policy. */
  policy?: string | Record<string, unknown>;
  /** false: only report verdicts, never fail. */
  enforce?: boolean;
}

export interface ValidateOutputs {
  verdict: Verdict;
  approved: boolean;
  commands: Judgement[];
  [key: string]: unknown;
}

// `policy` is a path (string) or an inline policy (object): JSON Schema's object
// keywords only apply to objects, so one schema serves both.
const { type: _objectType, ...policyKeywords } = POLICY_SCHEMA;

function describe(js: Judgement[]): string {
  return js.map((j) => `\`${j.command.length > 100 ? `${j.command.slice(0, 97)}...` : j.command}\` — ${j.rule}: ${j.reason}`).join('; ');
}

export default defineStep<ValidateInput, ValidateOutputs>({
  type: 'validate',
  description: 'Judge shell commands against the command policy; deny fails, ask needs approval',
  schema: {
    type: 'object',
    properties: {
      commands: { type: 'array', items: { type: 'string' }, minItems: 1, description: 'Command lines to judge, one verdict each' },
      command: { type: 'string', minLength: 1, description: 'One command line' },
      script: { type: 'string', minLength: 1, description: 'A multi-line script, judged as one' },
      policy: { ...policyKeywords, type: ['string', 'object'], minLength: 1, description: "A policy file (relative to the workflow's folder) or an inline policy; it overrides ~/.cloudya/policy.yaml and the default" },
      enforce: { type: 'boolean', description: 'false: only report verdicts, never fail (default true)' },
    },
    additionalProperties: false,
    oneOf: [{ required: ['commands'] }, { required: ['command'] }, { required: ['script'] }],
  },
  async run(ctx, input) {
    const { loadPolicy, judgeCommands, strictest } = await import('./validate/judge.js');
    const texts = input.commands ?? [input.command ?? input.script!];
    const policy = await loadPolicy({ workflowDir: ctx.workflowDir, ...(input.policy !== undefined ? { policy: input.policy } : {}) });
    const judged = await judgeCommands(texts, policy);
    const verdict = strictest(judged.map((j) => j.verdict));
    const enforce = input.enforce !== false;
    for (const j of judged) ctx.log.info(`${j.verdict} ${j.rule}`, { command: j.command, reason: j.reason });
    let approved = verdict === 'allow';
    if (enforce && verdict === 'ask') {
      const asks = judged.filter((j) => j.verdict === 'ask');
      const list = asks.map((j) => `\n  ${j.command}\n    (${j.rule}: ${j.reason})`).join('');
      approved = await ctx.confirm(`run ${asks.length === 1 ? 'this command' : `these ${asks.length} commands`}?${list}\n`);
    }
    for (const j of judged) {
      appendAudit({ runId: ctx.runId, stepId: ctx.stepId, kind: 'judged', command: j.command, verdict: j.verdict, rule: j.rule, reason: j.reason, approved: j.verdict === 'allow' || (j.verdict === 'ask' && approved) }, ctx.mask);
    }
    const outputs: ValidateOutputs = { verdict, approved, commands: judged };
    if (!enforce) return outputs;
    if (verdict === 'deny') {
      const denied = judged.filter((j) => j.verdict === 'deny');
      throw new CloudyaError('E_POLICY_DENIED', `the policy denies ${denied.length === 1 ? 'a command' : `${denied.length} commands`}: ${describe(denied)}`, {
        hint: 'change the command, or the policy (~/.cloudya/policy.yaml or the step\'s `policy:`) if the rule is wrong for you',
        details: { verdict, commands: judged },
      });
    }
    if (!approved) {
      const asks = judged.filter((j) => j.verdict === 'ask');
      throw new CloudyaError('E_NOT_APPROVED', `${asks.length === 1 ? 'a command needs' : `${asks.length} commands need`} approval: ${describe(asks)}`, {
        hint: 'run again with --yes to approve, or from a terminal to be asked',
        details: { verdict, commands: judged },
      });
    }
    return outputs;
  },
});
