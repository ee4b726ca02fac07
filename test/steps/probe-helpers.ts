// Shared by the probe, diagnose and monitor tests: a real service process with
// its own name (node run through a symlink: the kernel names a process after
// the file it executed), and a free port.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, symlinkSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { FIXTURES, tmpDir } from '../helpers.js';

export interface DemoService { name: string; port: number; child: ChildProcess; bin: string; stop(): Promise<void> }

export async function startDemoService(name: string): Promise<DemoService> {
  const bin = join(tmpDir('cloudya-svc-'), 'bin');
  mkdirSync(bin);
  symlinkSync(process.execPath, join(bin, name));
  const child = spawn(join(bin, name), [join(FIXTURES, 'probe', 'web.mjs')], { stdio: ['ignore', 'pipe', 'inherit'] });
  const port = await new Promise<number>((resolve, reject) => {
    child.stdout!.once('data', (d: Buffer) => resolve(Number(d.toString().trim())));
    child.once('exit', (code) => reject(new Error(`demo service exited ${code}`)));
  });
  return {
    name, port, child, bin,
    stop: () => new Promise((resolve) => {
      if (child.exitCode !== null) return resolve();
      child.once('exit', () => resolve());
      child.kill('SIGTERM');
    }),
  };
}

export function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}
