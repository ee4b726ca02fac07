// `ask` output: the explanation, each command (syntax-coloured on a terminal)
// with its explanation and the validator's verdict, then risks and prerequisites.
import type { Generated } from '../../steps/ai/generate.js';
import type { Verdicts } from './verdicts.js';

export async function highlighter(enabled: boolean): Promise<(code: string) => string> {
  if (!enabled) return (c) => c;
  const { highlight } = await import('cli-highlight');
  return (c) => highlight(c, { language: 'bash', ignoreIllegals: true });
}

/** Whether to colour what goes to `stream` (NO_COLOR, FORCE_COLOR, a terminal). */
export function colourFor(stream: NodeJS.WriteStream): boolean {
  if (process.env.NO_COLOR !== undefined && process.env.NO_COLOR !== '') return false;
  if (process.env.FORCE_COLOR !== undefined) return process.env.FORCE_COLOR !== '0';
  return Boolean(stream.isTTY) && process.env.TERM !== 'dumb';
}

const sgr = (on: boolean, open: number, close: number) => (s: string) => (on ? `\x1b[${open}m${s}\x1b[${close}m` : s);

export function answerText(g: Generated, verdicts: Verdicts, hl: (code: string) => string, colour: boolean): string {
  const paint = { bold: sgr(colour, 1, 22), dim: sgr(colour, 2, 22) };
  const verdictPaint = { allow: sgr(colour, 32, 39), ask: sgr(colour, 33, 39), deny: sgr(colour, 31, 39) } as const;
  const out: string[] = [g.answer.explanation.trim(), ''];
  out.push(paint.bold(`Commands (nothing was run):`));
  g.answer.steps.forEach((s, i) => {
    const lines = hl(s.command).split('\n');
    out.push(`  ${String(i + 1).padStart(2)}. ${lines[0]}`, ...lines.slice(1).map((l) => `      ${l}`));
    if (s.explanation) out.push(`      ${paint.dim(s.explanation)}`);
    if (verdicts.available) {
      const j = verdicts.judgements[i];
      if (j) out.push(`      ${verdictPaint[j.verdict](`verdict: ${j.verdict}`)} ${paint.dim(`(${j.rule}) ${j.reason}`)}`);
    }
  });
  if (g.answer.steps.length === 0) out.push('  (none)');
  if (!verdicts.available) out.push('', paint.dim(`verdicts unavailable: ${verdicts.why}`));
  else if (verdicts.verdict) out.push('', `Verdict: ${verdictPaint[verdicts.verdict](verdicts.verdict)}${verdicts.verdict === 'deny' ? ' — `ask -e` would stop before running anything' : verdicts.verdict === 'ask' ? ' — `ask -e` would ask for confirmation (or --yes)' : ''}`);
  if (g.answer.risks.length) out.push('', paint.bold('Risks:'), ...g.answer.risks.map((r) => `  - ${r}`));
  if (g.answer.prerequisites.length) out.push('', paint.bold('Prerequisites:'), ...g.answer.prerequisites.map((r) => `  - ${r}`));
  return out.join('\n') + '\n';
}

/** One line on stderr saying where the answer came from. */
export function sourceLine(g: Generated): string {
  if (g.source === 'local-planner') {
    return `answered by the local planner (vetted recipe ${g.recipe}); configure a model for other requests (see \`cloudya ask --help\`)`;
  }
  return `answered by ${g.model}: ${g.usage.total_tokens} tokens (${g.usage.prompt_tokens} prompt, ${g.usage.completion_tokens} completion)${g.topics.length ? `; knowledge: ${g.topics.join(', ')}` : ''}`;
}
