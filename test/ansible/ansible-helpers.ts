// Helpers for the ansible/app suites: free ports, HTTP GETs, and the uninstall
// of whatever a failed test left running.
import { createServer } from 'node:net';
import { request } from 'node:http';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** A TCP port nothing listens on right now (the kernel picks it). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

export interface HttpAnswer { status: number; body: string }

/** GET; resolves with the status and body, or null when nothing answers. */
export function httpGet(url: string, headers: Record<string, string> = {}): Promise<HttpAnswer | null> {
  return new Promise((resolve) => {
    const req = request(url, { headers, timeout: 5000 }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(null));
    req.end();
  });
}

/** Kills a hello-web server left by a failed test (by its pid file; only the one we started). */
export function stopHelloWeb(siteDir: string): void {
  const pidFile = join(siteDir, 'server.pid');
  if (!existsSync(pidFile)) return;
  const pid = Number(readFileSync(pidFile, 'utf8').trim());
  try {
    if (pid > 1) process.kill(pid, 'SIGKILL');
  } catch {
    /* already gone */
  }
}
