// cloudya runs [list] / runs show RUN — the run history.
import type sade from 'sade';
import type { CommandModule } from '../main.js';
import { home } from '../drive.js';
import { textOrJson } from '../output/format.js';
import { CloudyaError } from '../../engine/errors.js';
import { runSummary } from '../output/report.js';
import { paint } from '../output/color.js';
import type { RunState } from '../../engine/state.js';
import { isDriven } from '../liveness.js';
import { runsRoot } from '../../engine/store.js';
import { join } from 'node:path';
import { table } from '../output/table.js';

/**
 * A run whose state says it is going but whose lock holder is gone was killed
 * (SIGKILL, crash, reboot): show it as such, so it is not mistaken for a live run.
 */
export function displayStatus(home: string, r: RunState): string {
  if (r.status !== 'running' && r.status !== 'rolling_back' && r.status !== 'pending') return r.status;
  return isDriven(join(runsRoot(home), r.runId)) ? r.status : 'crashed';
}

function duration(s: RunState | { startedAt?: string; endedAt?: string }): string {
  if (!s.startedAt) return '-';
  const ms = (s.endedAt ? Date.parse(s.endedAt) : Date.now()) - Date.parse(s.startedAt);
  return ms < 1000 ? `${ms}ms` : ms < 60_000 ? `${(ms / 1000).toFixed(1)}s` : `${Math.floor(ms / 60_000)}m${String(Math.round((ms % 60_000) / 1000)).padStart(2, '0')}s`;
}

async function list(opts: Record<string, unknown>): Promise<number> {
  const format = textOrJson(opts.output);
  const { RunStore } = await import('../../engine/store.js');
  const limit = opts.limit === undefined ? 20 : Number(opts.limit);
  const runs = RunStore.list(home()).slice(0, limit > 0 ? limit : undefined);
  if (format === 'json') {
    process.stdout.write(JSON.stringify(runs.map((r) => ({ runId: r.runId, name: r.name, status: displayStatus(home(), r), createdAt: r.createdAt, endedAt: r.endedAt, file: r.file, resumes: r.resumes })), null, 2) + '\n');
    return 0;
  }
  if (runs.length === 0) {
    process.stderr.write('no runs yet — start one with `cloudya run FILE`\n');
    return 0;
  }
  const rows = [['RUN', 'NAME', 'STATUS', 'STEPS', 'STARTED', 'DURATION']];
  for (const r of runs) {
    const ok = Object.values(r.steps).filter((s) => s.status === 'succeeded').length;
    const status = displayStatus(home(), r);
    rows.push([r.runId, r.name, status === 'crashed' ? `crashed (was ${r.status}; cloudya resume)` : status, `${ok}/${r.order.length}`, r.createdAt.replace('T', ' ').slice(0, 19), status === 'crashed' ? '-' : duration(r)]);
  }
  process.stdout.write(table(rows));
  return 0;
}

async function show(id: string, opts: Record<string, unknown>): Promise<number> {
  const format = textOrJson(opts.output);
  const { RunStore } = await import('../../engine/store.js');
  const store = RunStore.open(home(), id);
  const state = store.readState();
  if (!state) throw new CloudyaError('E_RUN_STATE', `run ${store.id} has no readable state`, { hint: `look in ${store.dir}` });
  if (format === 'json') {
    process.stdout.write(JSON.stringify({ ...runSummary(state), file: state.file, dir: store.dir, createdAt: state.createdAt, resumes: state.resumes, params: state.params }, null, 2) + '\n');
    return 0;
  }
  const out: string[] = [];
  const status = displayStatus(home(), state);
  out.push(`${paint.bold(state.runId)}  ${state.name}  ${status === 'crashed' ? `crashed while ${state.status} — continue with \`cloudya resume ${state.runId}\`` : status}`);
  out.push(`file: ${state.file}`, `dir:  ${store.dir}`, `started: ${state.startedAt ?? '-'}  duration: ${duration(state)}  resumes: ${state.resumes}`);
  if (state.error) out.push(`error: ${state.error.code} ${state.error.message}`);
  out.push('');
  const rows = [['STEP', 'TYPE', 'STATUS', 'ATTEMPTS', 'DURATION', 'DETAIL']];
  for (const sid of state.order) {
    const s = state.steps[sid]!;
    const detail = s.compensation?.error?.message ?? s.error?.message ?? s.skipReason ?? '';
    rows.push([sid, s.type, s.status, String(s.attempts), s.durationMs === undefined ? '-' : `${s.durationMs}ms`, detail.split('\n')[0]!.slice(0, 80)]);
  }
  process.stdout.write(out.join('\n') + '\n' + table(rows));
  return 0;
}

export default {
  register(prog: sade.Sade) {
    prog.command('runs [action] [run]')
      .describe('List runs (`runs` or `runs list`) or show one (`runs show RUN`).')
      .option('--output', 'text or json', 'text')
      .option('--limit', 'How many runs to list (0 = all)', 20)
      .example('runs').example('runs show last --output json')
      .action(async (action: string | undefined, run: string | undefined, opts: Record<string, unknown>) => {
        if (action === undefined || action === 'list') return list(opts);
        if (action === 'show') {
          if (!run) throw new CloudyaError('E_USAGE', 'runs show needs a run id', { hint: 'cloudya runs show RUN (see `cloudya runs`)' });
          return show(run, opts);
        }
        throw new CloudyaError('E_USAGE', `unknown action 'runs ${action}'`, { hint: 'use `cloudya runs list` or `cloudya runs show RUN`' });
      });
  },
} satisfies CommandModule;
