// `check: tcp | http | dns` — plain sockets, node:http(s) and the resolver.
import { connect } from 'node:net';
import { lookup, Resolver } from 'node:dns/promises';
import { limitsFor, type Thresholds } from './thresholds.js';
import { grade, type CheckResult, type Finding } from './types.js';

export interface ConnectResult { ok: boolean; ms: number; error?: string }

/** Opens a TCP connection and closes it at once. */
export function tcpConnect(host: string, port: number, timeoutMs: number, signal?: AbortSignal): Promise<ConnectResult> {
  const t0 = performance.now();
  return new Promise((resolve) => {
    const sock = connect({ host, port });
    const done = (error?: string) => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      sock.destroy();
      resolve({ ok: !error, ms: Math.round(performance.now() - t0), ...(error ? { error } : {}) });
    };
    const onAbort = () => done('aborted');
    const timer = setTimeout(() => done(`no answer within ${timeoutMs} ms`), timeoutMs);
    signal?.addEventListener('abort', onAbort, { once: true });
    sock.once('connect', () => done());
    sock.once('error', (e: NodeJS.ErrnoException) => done(e.code ?? e.message));
  });
}

export interface TcpOptions { host: string; port: number; timeout: number; thresholds?: Thresholds | undefined; signal?: AbortSignal | undefined }

export async function checkTcp(o: TcpOptions): Promise<CheckResult> {
  const r = await tcpConnect(o.host, o.port, o.timeout, o.signal);
  const findings: Finding[] = [];
  const target = `${o.host}:${o.port}`;
  if (!r.ok) {
    findings.push({ check: 'tcp', severity: 'critical', title: `${target} does not accept connections`, observed: `connect ${target}: ${r.error}`, why: 'Nothing answers on that port: the service is down, listens elsewhere, or a firewall drops the traffic.', fix: `ss -ltnp 'sport = :${o.port}'   # on ${o.host}: is anything listening? then check the firewall (nft list ruleset)` });
  } else {
    const sev = grade(r.ms, limitsFor('latency', o.thresholds));
    if (sev !== 'ok') findings.push({ check: 'tcp', severity: sev, title: `${target} is slow to accept`, observed: `connected in ${r.ms} ms`, why: 'A slow handshake points at an overloaded host or a congested network.', fix: `ping -c 5 ${o.host}; mtr -rwc 20 ${o.host}` });
  }
  return { findings, data: { host: o.host, port: o.port, connected: r.ok, latencyMs: r.ms, ...(r.error ? { error: r.error } : {}) } };
}

export interface HttpOptions {
  url: string;
  method?: string | undefined;
  expectStatus?: number | number[] | undefined;
  bodyMatch?: string | undefined;
  headers?: Record<string, string> | undefined;
  tlsVerify?: boolean | undefined;
  timeout: number;
  thresholds?: Thresholds | undefined;
  signal?: AbortSignal | undefined;
}

interface HttpAnswer { status: number; body: string; ms: number; cert?: { validTo: string; subject: string; issuer: string } | undefined; error?: string }

const BODY_KEEP = 256 * 1024;

async function fetchOnce(o: HttpOptions): Promise<HttpAnswer> {
  const url = new URL(o.url);
  const mod = url.protocol === 'https:' ? await import('node:https') : await import('node:http');
  const t0 = performance.now();
  return new Promise((resolve) => {
    let settled = false;
    const finish = (a: Omit<HttpAnswer, 'ms'>) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve({ ...a, ms: Math.round(performance.now() - t0) });
    };
    const req = mod.request(url, { method: o.method ?? 'GET', headers: { 'user-agent': 'cloudya-probe', ...o.headers }, rejectUnauthorized: o.tlsVerify !== false, agent: false, ...(o.signal ? { signal: o.signal } : {}) }, (res) => {
      let cert: HttpAnswer['cert'];
      const sock = res.socket as import('node:tls').TLSSocket;
      if (typeof sock.getPeerCertificate === 'function') {
        const c = sock.getPeerCertificate();
        if (c && c.valid_to) cert = { validTo: c.valid_to, subject: [c.subject?.CN ?? ''].flat().join(','), issuer: [c.issuer?.CN ?? ''].flat().join(',') };
      }
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (d: Buffer) => {
        if (size < BODY_KEEP) chunks.push(d);
        size += d.length;
      });
      res.on('end', () => finish({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8'), cert }));
      res.on('error', (e) => finish({ status: res.statusCode ?? 0, body: '', cert, error: e.message }));
    });
    const timer = setTimeout(() => {
      req.destroy();
      finish({ status: 0, body: '', error: `no answer within ${o.timeout} ms` });
    }, o.timeout);
    req.on('error', (e: NodeJS.ErrnoException) => finish({ status: 0, body: '', error: e.code ? `${e.code} ${e.message}` : e.message }));
    req.end();
  });
}

function statusOk(status: number, expect: number | number[] | undefined): boolean {
  if (expect === undefined) return status >= 200 && status < 400;
  return [expect].flat().includes(status);
}

export async function checkHttp(o: HttpOptions): Promise<CheckResult> {
  const a = await fetchOnce(o);
  const findings: Finding[] = [];
  const add = (f: Omit<Finding, 'check'>) => findings.push({ check: 'http', ...f });
  const curl = `curl -sS -o /dev/null -w '%{http_code} %{time_total}s\\n' ${o.tlsVerify === false ? '-k ' : ''}'${o.url}'`;
  if (a.error && a.status === 0) {
    const tls = /CERT|SSL|TLS|self.signed|UNABLE_TO/i.test(a.error);
    add({ severity: 'critical', title: tls ? `${o.url}: TLS certificate rejected` : `${o.url} does not answer`, observed: a.error, why: tls ? 'Clients refuse the connection: the certificate is expired, self-signed or for another name.' : 'The site or API is unreachable for its users.', fix: tls ? `openssl s_client -connect ${new URL(o.url).host} -servername ${new URL(o.url).hostname} </dev/null | openssl x509 -noout -dates -subject` : curl });
  } else {
    if (!statusOk(a.status, o.expectStatus)) add({ severity: 'critical', title: `${o.url} answers ${a.status}`, observed: `HTTP ${a.status}, expected ${o.expectStatus === undefined ? '2xx or 3xx' : [o.expectStatus].flat().join(' or ')}`, why: a.status >= 500 ? 'The server fails on this request: look at its error log.' : 'The endpoint does not answer what it should.', fix: `${curl}; then the server's error log` });
    if (o.bodyMatch !== undefined && !new RegExp(o.bodyMatch).test(a.body)) add({ severity: 'critical', title: `${o.url}: body does not match`, observed: `no match for /${o.bodyMatch}/ in ${a.body.length} characters: ${JSON.stringify(a.body.slice(0, 80))}`, why: 'The server answers, but not with the expected content (an error page, a default page, a wrong deployment).', fix: `curl -sS '${o.url}' | head -40` });
    const lat = grade(a.ms, limitsFor('latency', o.thresholds));
    if (lat !== 'ok') add({ severity: lat, title: `${o.url} is slow`, observed: `answered in ${a.ms} ms`, why: 'Slow answers drive users away and hint at an overloaded server or database.', fix: curl });
  }
  let certDays: number | undefined;
  if (a.cert) {
    certDays = Math.floor((Date.parse(a.cert.validTo) - Date.now()) / 86_400_000);
    const sev = grade(certDays, limitsFor('certDays', o.thresholds), true);
    if (sev !== 'ok') add({ severity: certDays < 0 ? 'critical' : sev, title: certDays < 0 ? 'TLS certificate has expired' : 'TLS certificate expires soon', observed: `${a.cert.subject || 'certificate'} valid until ${a.cert.validTo} (${certDays} days)`, why: 'Browsers and clients refuse an expired certificate: the site goes down for everyone at once.', fix: 'certbot renew   # or renew it with your CA, then reload the web server' });
  }
  return { findings, data: { url: o.url, status: a.status, latencyMs: a.ms, bytes: a.body.length, ...(a.cert ? { cert: { ...a.cert, daysLeft: certDays } } : {}), ...(a.error ? { error: a.error } : {}) } };
}

export interface DnsOptions { host: string; server?: string | undefined; expect?: string | undefined; timeout: number; thresholds?: Thresholds | undefined }

export async function checkDns(o: DnsOptions): Promise<CheckResult> {
  const t0 = performance.now();
  const findings: Finding[] = [];
  let addresses: string[] = [];
  let error: string | undefined;
  try {
    const work = o.server
      ? (() => { const r = new Resolver({ timeout: o.timeout, tries: 1 }); r.setServers([o.server]); return Promise.all([r.resolve4(o.host).catch(() => []), r.resolve6(o.host).catch(() => [])]).then(([a, b]) => { if (!a.length && !b.length) throw new Error(`ENOTFOUND ${o.host}`); return [...a, ...b]; }); })()
      : lookup(o.host, { all: true }).then((list) => list.map((x) => x.address));
    let timer: NodeJS.Timeout | undefined;
    addresses = await Promise.race([work, new Promise<never>((_, rej) => { timer = setTimeout(() => rej(new Error(`no answer within ${o.timeout} ms`)), o.timeout); })]).finally(() => clearTimeout(timer));
  } catch (e) {
    error = (e as NodeJS.ErrnoException).code ?? (e as Error).message;
  }
  const ms = Math.round(performance.now() - t0);
  const dig = `getent ahosts ${o.host}; cat /etc/resolv.conf${o.server ? `; dig @${o.server} ${o.host}` : ''}`;
  if (error) findings.push({ check: 'dns', severity: 'critical', title: `${o.host} does not resolve`, observed: `${o.server ? `server ${o.server}: ` : ''}${error}`, why: 'Clients cannot find the host by name; everything that uses the name fails.', fix: dig });
  else if (o.expect !== undefined && !addresses.includes(o.expect)) findings.push({ check: 'dns', severity: 'critical', title: `${o.host} resolves elsewhere`, observed: `${addresses.join(', ')}; expected ${o.expect}`, why: 'The name points at the wrong machine: a stale record, or DNS not yet propagated.', fix: dig });
  else {
    const sev = grade(ms, limitsFor('latency', o.thresholds));
    if (sev !== 'ok') findings.push({ check: 'dns', severity: sev, title: `Resolving ${o.host} is slow`, observed: `${ms} ms`, why: 'Every new connection waits for the resolver first.', fix: dig });
  }
  return { findings, data: { host: o.host, addresses, latencyMs: ms, ...(error ? { error } : {}) } };
}
