// cloudya plan FILE — the resolved DAG: what would run, in which waves, nothing executed.
import { resolve } from 'node:path';
import type sade from 'sade';
import type { CommandModule } from '../main.js';
import { CloudyaError } from '../../engine/errors.js';
import { collectParams } from '../param-options.js';
import { paint } from '../output/color.js';
import type { StepSpec, Workflow } from '../../engine/types.js';

/** Groups steps into waves: each wave needs only earlier waves. */
export function waves(steps: StepSpec[]): string[][] {
  const level = new Map<string, number>();
  const byId = new Map(steps.map((s) => [s.id, s]));
  const depth = (id: string): number => {
    const known = level.get(id);
    if (known !== undefined) return known;
    const needs = (byId.get(id)?.needs ?? []).filter((n) => byId.has(n));
    const d = needs.length ? Math.max(...needs.map(depth)) + 1 : 0;
    level.set(id, d);
    return d;
  };
  const out: string[][] = [];
  for (const s of steps) (out[depth(s.id)] ??= []).push(s.id);
  return out;
}

export default {
  register(prog: sade.Sade) {
    prog.command('plan <file>')
      .describe('Validate a workflow and show what would run, in order, without running anything.')
      .option('--param', 'Set a parameter: --param name=value (repeatable)')
      .option('--params-file', 'Read parameters from a YAML or JSON file')
      .option('--output', 'text or json', 'text')
      .action(async (file: string, opts: Record<string, unknown>) => {
        const format = String(opts.output ?? 'text');
        if (format !== 'text' && format !== 'json') throw new CloudyaError('E_USAGE', `unknown --output '${format}'`, { hint: 'use text or json' });
        const { loadWorkflow } = await import('../../engine/validate.js');
        const { resolveParams } = await import('../params.js');
        const { renderString, isTruthy, extractReferences } = await import('../../engine/expressions.js');
        const { resolveRetry } = await import('../../engine/retry.js');
        const { createMasker, maskValue } = await import('../../engine/mask.js');
        const loaded = loadWorkflow(resolve(file));
        const wf: Workflow = loaded.workflow;
        const { values, secrets } = resolveParams(wf, loaded.file, loaded.source, collectParams(opts));
        const mask = createMasker(secrets.map((k) => values[k]));
        const { loadStep } = await import('../../steps/index.js');
        const undoable = new Set<string>();
        for (const t of new Set([...wf.steps, ...(wf.finally ?? [])].map((s) => s.type))) if ((await loadStep(t)).rollback) undoable.add(t);

        // A `when` that reads only params can be decided now; others are decided at run time.
        const decideWhen = (s: StepSpec): boolean | 'at run time' => {
          if (s.when === undefined) return true;
          if (typeof s.when === 'boolean') return s.when;
          if (extractReferences(s.when).some((r) => r.root !== 'params')) return 'at run time';
          return isTruthy(renderString(s.when, { params: values, steps: {}, run: { id: '(planned)', name: wf.name }, env: {} }));
        };
        const describe = (s: StepSpec) => {
          const retry = resolveRetry(s.retry, wf.defaults?.retry);
          return {
            id: s.id, type: s.type, needs: s.needs ?? [], runs: decideWhen(s),
            retry: retry.attempts > 1 ? { attempts: retry.attempts, backoff: retry.backoff, delayMs: retry.delayMs } : undefined,
            timeout: s.timeout ?? wf.defaults?.timeout,
            rollback: s.rollback === false ? 'none (rollback: false)' : s.rollback ? `${s.rollback.type} block` : undoable.has(s.type) ? `${s.type}'s own` : 'none (nothing to undo)',
            continueOnError: s.continueOnError ?? wf.defaults?.continueOnError ?? false,
          };
        };
        const plan = {
          name: wf.name,
          file: loaded.file,
          params: maskValue(values, mask),
          concurrency: wf.concurrency ?? 4,
          waves: waves(wf.steps).map((w) => w.map((id) => describe(wf.steps.find((s) => s.id === id)!))),
          finally: waves(wf.finally ?? []).map((w) => w.map((id) => describe(wf.finally!.find((s) => s.id === id)!))),
        };
        if (format === 'json') {
          process.stdout.write(JSON.stringify(plan, null, 2) + '\n');
          return 0;
        }
        const out: string[] = [`${paint.bold(wf.name)}: ${wf.steps.length} steps${wf.finally?.length ? ` + ${wf.finally.length} finally` : ''}, concurrency ${plan.concurrency}`];
        const section = (title: string, list: typeof plan.waves) => list.forEach((w, i) => {
          out.push(`${title} ${i + 1}:`);
          for (const s of w) {
            const bits = [s.type, s.needs.length ? `needs ${s.needs.join(', ')}` : '', s.runs === true ? '' : s.runs === false ? 'SKIPPED (when is false)' : 'when: decided at run time', s.retry ? `retry ×${s.retry.attempts} ${s.retry.backoff}` : '', s.timeout ? `timeout ${s.timeout}` : '', `rollback: ${s.rollback}`].filter(Boolean);
            out.push(`  ${s.runs === false ? '↷' : '▸'} ${s.id}  ${paint.dim(bits.join(' · '))}`);
          }
        });
        section('wave', plan.waves);
        section('finally wave', plan.finally);
        out.push(paint.dim('nothing was run'));
        process.stdout.write(out.join('\n') + '\n');
        return 0;
      });
  },
} satisfies CommandModule;
