// Runs ansible-playbook once: a private 0700 directory holds the inventory, the
// variables (0600, passed as `-e @file`, never on the command line) and the
// event file the callback plugin appends to; it is removed afterwards, whatever
// happened. Events are read while the playbook runs, for live progress.
import { existsSync } from 'node:fs';
import { mkdtemp, open, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, isAbsolute, join } from 'node:path';
import { readConfig } from '../../engine/config.js';
import { CloudyaError } from '../../engine/errors.js';
import type { StepContext } from '../../engine/step-api.js';
import { ROOT } from './apps.js';
import { buildInventory, type TargetSettings } from './inventory.js';
import { ResultCollector, type AnsibleEvent, type HostCounts, type TaskResult } from './results.js';

export const CALLBACK_DIR = join(ROOT, 'steps', 'ansible', 'callback');
const INSTALL_HINT = 'install ansible-core (Debian/Ubuntu: `apt-get install ansible-core`), or set ansible_path in ~/.cloudya/config.json';

export interface PlaybookResult {
  hosts: Record<string, HostCounts>;
  published: Record<string, unknown>;
  tasks: TaskResult[];
  durationMs: number;
}

/** The ansible-playbook to run: `ansible_path` from the config, else the one on PATH. */
export function ansiblePlaybookPath(): string {
  const configured = readConfig().ansible_path;
  if (configured === undefined || configured === '') return 'ansible-playbook';
  if (isAbsolute(configured) && !existsSync(configured)) {
    throw new CloudyaError('E_COMMAND_NOT_FOUND', `ansible-playbook not found at ${configured} (ansible_path in config.json)`, { hint: INSTALL_HINT });
  }
  return configured;
}

/** Reads new complete lines of a file that another process appends to. */
function tailer(file: string, onLine: (line: string) => void) {
  let offset = 0;
  let rest = '';
  const buf = Buffer.alloc(64 * 1024);
  return async function drain(): Promise<void> {
    if (!existsSync(file)) return;
    const fh = await open(file, 'r');
    try {
      for (;;) {
        const { bytesRead } = await fh.read(buf, 0, buf.length, offset);
        if (bytesRead === 0) break;
        offset += bytesRead;
        rest += buf.toString('utf8', 0, bytesRead);
        let nl: number;
        while ((nl = rest.indexOf('\n')) >= 0) {
          onLine(rest.slice(0, nl));
          rest = rest.slice(nl + 1);
        }
      }
    } finally {
      await fh.close();
    }
  };
}

export async function runPlaybook(ctx: StepContext, playbook: string, target: TargetSettings, vars: Record<string, unknown>, check = false): Promise<PlaybookResult> {
  const bin = ansiblePlaybookPath();
  if (!existsSync(playbook)) throw new CloudyaError('E_FILE_NOT_FOUND', `playbook ${playbook} does not exist`, { hint: 'playbook: is relative to the workflow file’s folder' });
  const inventory = buildInventory(target, '{{ ansible_playbook_python }}');
  const dir = await mkdtemp(join(tmpdir(), 'cloudya-ansible-'));
  const collector = new ResultCollector((m) => ctx.progress(m));
  const events = join(dir, 'events.ndjson');
  const drain = tailer(events, (line) => {
    if (!line.trim()) return;
    try {
      collector.onEvent(JSON.parse(line) as AnsibleEvent);
    } catch {
      ctx.log.warn('unreadable ansible event line', { line: ctx.mask(line.slice(0, 200)) });
    }
  });
  let polling: Promise<void> = Promise.resolve();
  const timer = setInterval(() => void (polling = polling.then(drain).catch(() => {})), 150);
  try {
    await writeFile(join(dir, 'inventory.yml'), JSON.stringify(inventory), { mode: 0o600 });
    await writeFile(join(dir, 'vars.json'), JSON.stringify(vars), { mode: 0o600 });
    const args = ['-i', join(dir, 'inventory.yml'), '-e', `@${join(dir, 'vars.json')}`, ...(check ? ['--check'] : []), playbook];
    ctx.log.info('ansible-playbook', { playbook, hosts: target.hosts, check });
    const r = await ctx
      .exec(bin, args, {
        cwd: dirname(playbook),
        reject: false,
        env: {
          ANSIBLE_CALLBACK_PLUGINS: CALLBACK_DIR,
          ANSIBLE_STDOUT_CALLBACK: 'cloudya_json',
          CLOUDYA_ANSIBLE_EVENTS: events,
          ANSIBLE_LOCAL_TEMP: join(dir, 'tmp'),
          ANSIBLE_NOCOLOR: '1',
          ANSIBLE_FORCE_COLOR: '0',
          ANSIBLE_RETRY_FILES_ENABLED: '0',
          PYTHONUNBUFFERED: '1',
        },
      })
      .catch((err: unknown) => {
        if (err instanceof CloudyaError && err.code === 'E_COMMAND_NOT_FOUND') {
          throw new CloudyaError('E_COMMAND_NOT_FOUND', `${bin} not found: ansible is not installed`, { hint: INSTALL_HINT, cause: err });
        }
        throw err;
      });
    clearInterval(timer);
    await polling;
    await drain();
    const failure = collector.failure(r.exitCode, ctx.mask(r.stderr), playbook);
    if (failure) throw new CloudyaError(failure.code, ctx.mask(failure.message), { ...(failure.hint ? { hint: failure.hint } : {}), details: failure.details ?? {} });
    return { hosts: collector.hosts(), published: collector.published(), tasks: collector.tasks, durationMs: r.durationMs };
  } finally {
    clearInterval(timer);
    await polling;
    await rm(dir, { recursive: true, force: true });
  }
}
