// The validator's verdict for each command, for `ask` (nothing runs). Uses the
// `validate` step's library (steps/validate/judge.ts); in a build without it,
// verdicts are reported as unavailable rather than guessed.
export interface Judgement {
  command: string;
  verdict: 'allow' | 'ask' | 'deny';
  rule: string;
  reason: string;
}

interface JudgeModule {
  loadPolicy(opts: { workflowDir?: string; policy?: string | object }): Promise<unknown>;
  judgeCommands(commands: string[], policy: unknown): Promise<Judgement[]>;
}

export type Verdicts = { available: true; judgements: Judgement[]; verdict: Judgement['verdict'] | null } | { available: false; why: string };

const ORDER = { allow: 0, ask: 1, deny: 2 } as const;

export async function judge(commands: string[], opts: { policy?: string; cwd: string }): Promise<Verdicts> {
  const spec = '../../steps/validate/judge.js';
  let mod: JudgeModule;
  try {
    mod = (await import(spec)) as JudgeModule;
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    if (e.code === 'ERR_MODULE_NOT_FOUND' && String(e.message).includes('judge.js')) return { available: false, why: 'this build has no command validator (steps/validate)' };
    throw err;
  }
  const policy = await mod.loadPolicy({ workflowDir: opts.cwd, ...(opts.policy ? { policy: opts.policy } : {}) });
  const judgements = commands.length ? await mod.judgeCommands(commands, policy) : [];
  const verdict = judgements.reduce<Judgement['verdict'] | null>((worst, j) => (worst === null || ORDER[j.verdict] > ORDER[worst] ? j.verdict : worst), null);
  return { available: true, judgements, verdict };
}
