// `app status`: is an installed app healthy? An HTTP GET (2xx/3xx, or the
// expected status) or a TCP connect, each bounded by a timeout.
import type { IncomingMessage } from 'node:http';
import type { AppHealthTarget } from '../../steps/ansible/registry.js';

export interface HealthResult {
  ok: boolean | null;
  detail: string;
}

function httpCheck(url: string, expect: number | undefined, timeoutMs: number): Promise<HealthResult> {
  return new Promise((resolve) => {
    void (url.startsWith('https:') ? import('node:https') : import('node:http')).then((mod) => {
      const req = mod.get(url, { timeout: timeoutMs }, (res: IncomingMessage) => {
        res.resume();
        const code = res.statusCode ?? 0;
        resolve({ ok: expect ? code === expect : code >= 200 && code < 400, detail: `${url} answered ${code}` });
      });
      req.on('timeout', () => req.destroy(new Error(`no answer within ${timeoutMs / 1000}s`)));
      req.on('error', (e: Error) => resolve({ ok: false, detail: `${url}: ${e.message}` }));
    });
  });
}

async function tcpCheck(host: string, port: number, timeoutMs: number): Promise<HealthResult> {
  const { connect } = await import('node:net');
  return new Promise((resolve) => {
    const s = connect(port, host, () => {
      s.end();
      resolve({ ok: true, detail: `${host}:${port} accepts connections` });
    });
    s.setTimeout(timeoutMs, () => {
      s.destroy();
      resolve({ ok: false, detail: `${host}:${port}: no answer within ${timeoutMs / 1000}s` });
    });
    s.on('error', (e) => resolve({ ok: false, detail: `${host}:${port}: ${e.message}` }));
  });
}

export function checkHealth(h: AppHealthTarget | undefined, timeoutMs = 3000): Promise<HealthResult> {
  if (h?.http) return httpCheck(h.http, h.expectStatus, timeoutMs);
  if (h?.tcp) return tcpCheck(h.tcp.host, h.tcp.port, timeoutMs);
  return Promise.resolve({ ok: null, detail: 'the app has no health check' });
}
