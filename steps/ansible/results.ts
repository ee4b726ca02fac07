// Folds the callback plugin's JSON events (callback/cloudya_json.py) into the
// step's outputs, its progress lines and, when something went wrong, its error.
import { CloudyaError } from '../../engine/errors.js';

export interface HostCounts {
  ok: number;
  changed: number;
  failed: number;
  unreachable: number;
  skipped: number;
}

export interface TaskResult {
  task: string;
  host: string;
  status: 'ok' | 'changed' | 'failed' | 'unreachable' | 'skipped';
  ms?: number;
  msg?: string;
  ignored?: boolean;
}

export interface AnsibleEvent {
  event: 'play' | 'task_start' | 'result' | 'stats' | 'no_hosts';
  name?: string;
  task?: string;
  host?: string;
  status?: 'ok' | 'failed' | 'unreachable' | 'skipped';
  changed?: boolean;
  ms?: number;
  msg?: string;
  ignored?: boolean;
  handler?: boolean;
  publish?: Record<string, unknown>;
  hosts?: Record<string, HostCounts & { rescued?: number; ignored?: number }>;
  custom?: Record<string, Record<string, unknown>>;
}

/** The most task results kept in the outputs (they are persisted). */
const TASKS_KEPT = 500;

export class ResultCollector {
  readonly tasks: TaskResult[] = [];
  private stats: AnsibleEvent['hosts'];
  private custom: AnsibleEvent['custom'] = {};
  private readonly publishedByHost: Record<string, Record<string, unknown>> = {};
  private taskCount = 0;
  private noHosts = false;

  constructor(private readonly progress: (message: string) => void) {}

  onEvent(e: AnsibleEvent): void {
    switch (e.event) {
      case 'task_start':
        this.taskCount++;
        this.progress(`task ${this.taskCount}: ${e.task ?? ''}`);
        break;
      case 'result': {
        const status = e.status === 'ok' && e.changed ? 'changed' : (e.status ?? 'ok');
        const r: TaskResult = { task: e.task ?? '', host: e.host ?? '', status, ...(e.ms !== undefined ? { ms: e.ms } : {}), ...(e.msg ? { msg: e.msg } : {}), ...(e.ignored ? { ignored: true } : {}) };
        if (this.tasks.length < TASKS_KEPT) this.tasks.push(r);
        if (e.publish && e.host) this.publishedByHost[e.host] = { ...this.publishedByHost[e.host], ...e.publish };
        if (status === 'changed' || status === 'failed' || status === 'unreachable') {
          this.progress(`${r.task}: ${status} on ${r.host}${e.ignored ? ' (ignored)' : ''}`);
        }
        break;
      }
      case 'stats':
        this.stats = e.hosts;
        this.custom = e.custom ?? {};
        break;
      case 'no_hosts':
        this.noHosts = true;
        break;
    }
  }

  /** Per host: ok (changed included, as in ansible's recap), changed, failed, unreachable, skipped. */
  hosts(): Record<string, HostCounts> {
    const out: Record<string, HostCounts> = {};
    for (const [h, s] of Object.entries(this.stats ?? {})) out[h] = { ok: s.ok, changed: s.changed, failed: s.failed, unreachable: s.unreachable, skipped: s.skipped };
    return out;
  }

  /** set_stats values (aggregated ones, then per-host), then each host's `cloudya_publish` fact. */
  published(): Record<string, unknown> {
    const { _run: run, ...perHost } = this.custom ?? {};
    const out: Record<string, unknown> = { ...run };
    for (const v of Object.values(perHost)) Object.assign(out, v);
    for (const v of Object.values(this.publishedByHost)) Object.assign(out, v);
    return out;
  }

  /** The error the run ended with, if any; decided on ansible's own recap (a rescued failure is no failure). */
  failure(exitCode: number, stderr: string, playbook: string): CloudyaError | undefined {
    const hosts = this.hosts();
    const bad = (status: 'failed' | 'unreachable') => this.tasks.find((t) => t.status === status && !t.ignored && (hosts[t.host]?.[status] ?? 0) > 0);
    const details = { hosts, tasks: this.tasks.slice(-20) };
    const unreachable = bad('unreachable');
    if (unreachable) {
      return new CloudyaError('E_ANSIBLE_UNREACHABLE', `host ${unreachable.host} is unreachable (task '${unreachable.task}'): ${oneLine(unreachable.msg)}`, {
        hint: 'check that the host is up, the ssh port and user are right, and the key is accepted; the step is retried when it has a retry: policy',
        details,
      });
    }
    const failed = bad('failed');
    if (failed) {
      return new CloudyaError('E_ANSIBLE_FAILED', `task '${failed.task}' failed on host ${failed.host}: ${oneLine(failed.msg)}`, {
        hint: 'see the task output with `cloudya logs RUN`',
        details,
      });
    }
    if (exitCode === 0) return undefined;
    // ansible's own error ("ERROR! couldn't resolve module…") is what says why; else the last lines.
    const lines = stderr.trim().split('\n').filter((l) => l.trim() && !/^\[WARNING\]/.test(l));
    const at = lines.findIndex((l) => l.startsWith('ERROR!'));
    const tail = (at >= 0 ? lines.slice(at, at + 2) : lines.slice(-4)).join(' | ');
    if (this.noHosts) return new CloudyaError('E_ANSIBLE_FAILED', `no host matched the play in ${playbook}`, { hint: 'plays target `hosts: all`; check the hosts given', details });
    return new CloudyaError('E_ANSIBLE_FAILED', `ansible-playbook exited ${exitCode} on ${playbook}${tail ? `: ${tail}` : ''}`, {
      hint: 'check the playbook with `ansible-playbook --syntax-check`',
      details,
    });
  }
}

function oneLine(msg: string | undefined): string {
  const text = (msg ?? '').trim().replace(/\s*\n\s*/g, ' | ');
  return text.length > 600 ? `${text.slice(0, 600)}…` : text || 'no message';
}
