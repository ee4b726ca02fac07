// cloudya logs RUN [--follow] — the run's event log, pretty or raw.
import { openSync, readSync, closeSync, statSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import type sade from 'sade';
import type { CommandModule } from '../main.js';
import { home } from '../drive.js';
import { CloudyaError } from '../../engine/errors.js';
import { paint } from '../output/color.js';
import { isDriven } from '../liveness.js';

export function formatEvent(e: Record<string, unknown>): string | undefined {
  const time = typeof e.time === 'string' ? e.time.slice(11, 23) : '';
  const step = typeof e.stepId === 'string' ? e.stepId : typeof e.step === 'string' ? e.step : '';
  const err = e.error as { code?: string; message?: string } | undefined;
  const t = e.type as string | undefined;
  let text: string;
  switch (t) {
    case 'run.started': text = `run ${String(e.name)} ${e.resumed ? 'resumed' : 'started'} (${(e.steps as unknown[] | undefined)?.length ?? 0} steps)`; break;
    case 'run.finished': text = `run finished: ${String(e.status)}${err ? ` — ${err.code} ${err.message}` : ''}`; break;
    case 'run.status': text = `run status: ${String(e.status).replace('_', ' ')}`; break;
    case 'step.started': text = `started (attempt ${String(e.attempt)})`; break;
    case 'step.succeeded': text = paint.green(`succeeded in ${String(e.durationMs)}ms`); break;
    case 'step.failed': text = paint.red(`failed: ${err?.code} ${err?.message}${e.continued ? ' (continued)' : ''}`); break;
    case 'step.retrying': text = paint.yellow(`retrying in ${String(e.delayMs)}ms: ${err?.message}`); break;
    case 'step.skipped': text = `skipped: ${String(e.reason)}`; break;
    case 'step.output': text = `${e.stream === 'stderr' ? paint.dim('stderr') : 'stdout'} │ ${String(e.line)}`; break;
    case 'step.progress': text = String(e.message); break;
    case 'compensation.started': text = 'compensating'; break;
    case 'compensation.succeeded': text = paint.yellow('compensated'); break;
    case 'compensation.failed': text = paint.red(`compensation failed: ${err?.message}`); break;
    default: text = `${String(e.level ?? '')} ${String(e.msg ?? t ?? '')}`.trim();
  }
  return `${paint.gray(time)} ${step ? paint.cyan(step.padEnd(12)) + ' ' : ''}${text}`;
}

export default {
  register(prog: sade.Sade) {
    prog.command('logs <run>')
      .describe("Print a run's event log; --follow keeps printing until the run ends.")
      .option('--follow, -f', 'Wait for new lines until the run finishes')
      .option('--step', 'Only lines of this step')
      .option('--output', 'text or ndjson (the raw lines)', 'text')
      .action(async (id: string, opts: Record<string, unknown>) => {
        const raw = String(opts.output ?? 'text');
        if (raw !== 'text' && raw !== 'ndjson') throw new CloudyaError('E_USAGE', `unknown --output '${raw}'`, { hint: 'use text or ndjson' });
        const { RunStore } = await import('../../engine/store.js');
        const store = RunStore.open(home(), id);
        const file = join(store.dir, 'events.ndjson');
        let offset = 0;
        let partial = '';
        const pump = () => {
          if (!existsSync(file)) return;
          const size = statSync(file).size;
          if (size <= offset) return;
          const fd = openSync(file, 'r');
          const buf = Buffer.alloc(size - offset);
          readSync(fd, buf, 0, buf.length, offset);
          closeSync(fd);
          offset = size;
          const text = partial + buf.toString('utf8');
          const lines = text.split('\n');
          partial = lines.pop() ?? '';
          for (const line of lines) {
            if (!line.trim()) continue;
            let e: Record<string, unknown>;
            try { e = JSON.parse(line) as Record<string, unknown>; } catch { continue; }
            if (opts.step && e.stepId !== opts.step && e.step !== opts.step) continue;
            if (raw === 'ndjson') process.stdout.write(line + '\n');
            else { const f = formatEvent(e); if (f) process.stdout.write(f + '\n'); }
          }
        };
        pump();
        if (!opts.follow) return 0;
        // A run is live while a living process holds its lock; a crashed run is not followed forever.
        const live = () => isDriven(store.dir);
        while (live()) {
          await new Promise((r) => setTimeout(r, 200));
          pump();
        }
        pump();
        const st = store.readState()?.status;
        if (st === 'running' || st === 'rolling_back') process.stderr.write(`the process driving run ${store.id} is gone (crashed or killed); continue it with \`cloudya resume ${store.id}\`\n`);
        return 0;
      });
  },
} satisfies CommandModule;
