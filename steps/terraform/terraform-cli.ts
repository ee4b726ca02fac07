// Runs one terraform command with `-json` and turns its event stream into
// progress: resources started, complete or errored, and the change summary.
// Only stdout is parsed: terraform warns on stderr about its CLI config file
// on some machines even in -json mode.
import { delimiter, join } from 'node:path';
import { accessSync, constants, mkdirSync, statSync } from 'node:fs';
import { cloudyaHome, readConfig } from '../../engine/config.js';
import { CloudyaError } from '../../engine/errors.js';
import type { StepContext } from '../../engine/step-api.js';
import { terraformError, type Diagnostic } from './classify.js';

export interface Changes {
  add: number;
  change: number;
  destroy: number;
}

export interface TerraformResult {
  changes?: Changes;
  diagnostics: Diagnostic[];
  stdout: string;
}

interface UiEvent {
  type?: string;
  '@level'?: string;
  '@message'?: string;
  hook?: { resource?: { addr?: string }; action?: string };
  changes?: { add: number; change: number; remove: number; operation?: string };
  diagnostic?: Diagnostic;
}

/** The terraform binary: `terraform_path` from ~/.cloudya/config.json, else `terraform` on PATH. */
export function terraformBinary(): string {
  const p = readConfig().terraform_path;
  return typeof p === 'string' && p ? p : 'terraform';
}

export function terraformNotFound(bin: string, cause?: unknown): CloudyaError {
  return new CloudyaError('E_COMMAND_NOT_FOUND', `terraform not found (looked for '${bin}'${bin.includes('/') ? '' : ' on PATH'})`, {
    hint: 'install Terraform (https://developer.hashicorp.com/terraform/install), or set "terraform_path" in ~/.cloudya/config.json to the binary',
    ...(cause ? { cause } : {}),
  });
}

/** Checks that the binary exists and is executable before anything is done (no process is started). */
export function findTerraform(): string {
  const bin = terraformBinary();
  const candidates = bin.includes('/') ? [bin] : (process.env.PATH ?? '').split(delimiter).filter(Boolean).map((d) => join(d, bin));
  for (const c of candidates) {
    try {
      accessSync(c, constants.X_OK);
      if (statSync(c).isFile()) return c;
    } catch {
      // not here
    }
  }
  throw terraformNotFound(bin);
}

/** What every terraform invocation gets: no prompts, no version check, a shared provider cache. */
export function baseEnv(): Record<string, string> {
  const env: Record<string, string> = { TF_IN_AUTOMATION: '1', TF_INPUT: '0', CHECKPOINT_DISABLE: '1' };
  if (!process.env.TF_PLUGIN_CACHE_DIR) {
    const cache = join(cloudyaHome(), 'terraform-plugins');
    mkdirSync(cache, { recursive: true });
    env.TF_PLUGIN_CACHE_DIR = cache;
  }
  return env;
}

export interface RunOptions {
  cwd: string;
  env: Record<string, string>;
  /** For apply: the number of resource changes planned, to show `[3/7]`. */
  total?: number;
  /** Called with each planned change (`aws_vpc.main: Plan to create`). */
  onPlanned?: (message: string) => void;
  /** Stdout is a result, not events (`output -json`): neither parsed nor logged. */
  raw?: boolean;
}

/** Runs `terraform <args>` (args must include -json); throws a classified CloudyaError on failure. */
export async function runTerraform(ctx: StepContext, args: string[], opts: RunOptions): Promise<TerraformResult> {
  const command = args[0]!;
  const diagnostics: Diagnostic[] = [];
  let changes: Changes | undefined;
  let done = 0;
  const counter = () => (opts.total ? ` [${Math.min(done, opts.total)}/${opts.total}]` : '');
  const onEvent = (e: UiEvent) => {
    const msg = e['@message'] ?? '';
    switch (e.type) {
      case 'apply_start':
      case 'provision_start':
        ctx.progress(`${msg}${counter()}`);
        break;
      case 'apply_complete':
        done++;
        ctx.progress(`${msg}${counter()}`);
        break;
      case 'apply_errored':
      case 'provision_errored':
        ctx.progress(msg);
        ctx.log.error(msg);
        return;
      case 'change_summary':
        if (e.changes) changes = { add: e.changes.add, change: e.changes.change, destroy: e.changes.remove };
        ctx.progress(msg);
        break;
      case 'diagnostic':
        if (e.diagnostic) diagnostics.push(e.diagnostic);
        if (e.diagnostic?.severity === 'warning') ctx.log.warn(msg);
        return;
      case 'planned_change':
        opts.onPlanned?.(msg);
        break;
      case 'version':
        return;
    }
    if (msg) ctx.log.info(msg);
  };
  const bin = terraformBinary();
  let r;
  try {
    r = await ctx.exec(bin, args, {
      cwd: opts.cwd,
      env: opts.env,
      reject: false,
      echo: false,
      maxBuffer: 8 * 1024 * 1024,
      onLine(stream, line) {
        if (stream === 'stderr') return void (line.trim() && ctx.log.debug(line));
        if (opts.raw || !line.startsWith('{')) return;
        try {
          onEvent(JSON.parse(line) as UiEvent);
        } catch {
          ctx.log.debug(line);
        }
      },
    });
  } catch (err) {
    if (err instanceof CloudyaError && err.code === 'E_COMMAND_NOT_FOUND') throw terraformNotFound(bin, err);
    throw err;
  }
  if (r.exitCode !== 0) throw terraformError(command, diagnostics, r.stderr, r.exitCode, ctx.mask);
  return { ...(changes ? { changes } : {}), diagnostics, stdout: r.stdout };
}
