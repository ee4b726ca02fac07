// Shared test helpers: spawn the built CLI with its own CLOUDYA_HOME, make temp dirs.
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync, mkdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

// examples/hello.yaml needs its secret `token`; every CLI the tests spawn inherits this.
process.env.CLOUDYA_PARAM_TOKEN ??= 'test-token-0000';
// Code run in-process (steps appending to the audit log) must never touch the real ~/.cloudya.
process.env.CLOUDYA_HOME = mkdtempSync(join(tmpdir(), 'cloudya-home-'));

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const CLI = join(ROOT, 'dist', 'src', 'cli.js');
export const FIXTURES = join(ROOT, 'test', 'fixtures');

export interface CliResult { code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }

export function tmpDir(prefix = 'cloudya-test-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/** Writes `files` (relative path → content) into a new temp dir and returns it. */
export function tmpFiles(files: Record<string, string>): string {
  const dir = tmpDir();
  for (const [rel, content] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, rel)), { recursive: true });
    writeFileSync(join(dir, rel), content);
  }
  return dir;
}

export function runCli(args: string[], opts: { home?: string; cwd?: string; env?: Record<string, string>; input?: string; timeoutMs?: number } = {}): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const env: Record<string, string | undefined> = { ...process.env, NO_COLOR: '1', CLOUDYA_DEBUG: '', ...opts.env };
    env.CLOUDYA_HOME = opts.home ?? opts.env?.CLOUDYA_HOME ?? tmpDir('cloudya-home-');
    delete env.FORCE_COLOR;
    const child = spawn(process.execPath, [CLI, ...args], { cwd: opts.cwd ?? ROOT, env, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 60_000);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
    child.stdin.end(opts.input ?? '');
  });
}

/** True if `pid` is a live process. A zombie (killed, not yet reaped — PID 1 in some containers never reaps) is dead. */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}
