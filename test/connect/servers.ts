// Local HTTP(S) servers that answer as the providers' real endpoints do, a
// self-signed certificate made with the openssl CLI, and the check that no
// secret leaked into output or files.
import { createServer as createHttp, type IncomingMessage, type ServerResponse, type Server } from 'node:http';
import { createServer as createHttps } from 'node:https';
import { execFileSync } from 'node:child_process';
import { readFileSync, readdirSync, statSync, existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as assert from 'uvu/assert';
import { tmpDir, type CliResult } from '../helpers.js';

export interface Cert { key: string; cert: string; certFile: string }

/** A self-signed certificate for `names` (DNS names or IPs), made with `openssl req -x509`. */
export function makeCert(names: string[]): Cert {
  const dir = tmpDir('cloudya-cert-');
  const keyFile = join(dir, 'key.pem');
  const certFile = join(dir, 'cert.pem');
  const san = names.map((n) => (/^[\d.]+$/.test(n) ? `IP:${n}` : `DNS:${n}`)).join(',');
  execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', keyFile, '-out', certFile, '-days', '2', '-subj', `/CN=${names[0]}`, '-addext', `subjectAltName=${san}`], { stdio: 'ignore' });
  return { key: readFileSync(keyFile, 'utf8'), cert: readFileSync(certFile, 'utf8'), certFile };
}

/** A self-signed certificate for 127.0.0.1 that expired in 2020 (`openssl ca -selfsign` can set past dates). */
export function makeExpiredCert(): Cert {
  const dir = tmpDir('cloudya-cert-');
  writeFileSync(join(dir, 'index.txt'), '');
  writeFileSync(join(dir, 'serial'), '01\n');
  writeFileSync(join(dir, 'ca.cnf'), '[ca]\ndefault_ca = d\n[d]\ndatabase = index.txt\nnew_certs_dir = .\nserial = serial\ndefault_md = sha256\npolicy = p\ncopy_extensions = copy\nunique_subject = no\n[p]\ncommonName = supplied\n');
  const run = (args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'ignore' });
  run(['req', '-new', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', 'key.pem', '-out', 'req.csr', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1']);
  run(['ca', '-batch', '-config', 'ca.cnf', '-selfsign', '-keyfile', 'key.pem', '-in', 'req.csr', '-out', 'cert.pem', '-startdate', '20200101000000Z', '-enddate', '20200102000000Z']);
  return { key: readFileSync(join(dir, 'key.pem'), 'utf8'), cert: readFileSync(join(dir, 'cert.pem'), 'utf8'), certFile: join(dir, 'cert.pem') };
}

export interface Req { method: string; url: string; headers: IncomingMessage['headers']; body: string }
export type Handler = (req: Req, res: ServerResponse) => void;

export interface TestServer { url: string; port: number; requests: Req[]; close(): Promise<void> }

/** Starts a server on 127.0.0.1; `tls` makes it HTTPS. A handler that never answers makes a hanging endpoint. */
export async function startServer(handler: Handler, tls?: Cert): Promise<TestServer> {
  const requests: Req[] = [];
  const onRequest = (req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const r = { method: req.method ?? '', url: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString('utf8') };
      requests.push(r);
      handler(r, res);
    });
  };
  const server: Server = tls ? createHttps({ key: tls.key, cert: tls.cert }, onRequest) : createHttp(onRequest);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  return {
    url: `${tls ? 'https' : 'http'}://127.0.0.1:${port}`,
    port,
    requests,
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}

export function json(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}, statusMessage?: string): void {
  const text = JSON.stringify(body);
  res.writeHead(status, statusMessage ?? '', { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), ...headers });
  res.end(text);
}

export function basicOf(req: Req): { user: string; password: string } | undefined {
  const m = /^Basic (.+)$/.exec(String(req.headers.authorization ?? ''));
  if (!m) return undefined;
  const text = Buffer.from(m[1]!, 'base64').toString('utf8');
  const i = text.indexOf(':');
  return { user: text.slice(0, i), password: text.slice(i + 1) };
}

function filesUnder(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? filesUnder(p) : [p];
  });
}

/** No secret in stdout, stderr, or any file under the home but credentials.yaml (which must be 0600). */
export function assertNoSecret(r: CliResult, home: string, secrets: string[]): void {
  for (const s of secrets) {
    assert.not.ok(r.stdout.includes(s), `secret in stdout: ${r.stdout}`);
    assert.not.ok(r.stderr.includes(s), `secret in stderr: ${r.stderr}`);
    for (const file of filesUnder(home)) {
      if (file === join(home, 'credentials.yaml')) continue;
      assert.not.ok(readFileSync(file, 'utf8').includes(s), `secret in ${file}`);
    }
  }
  const creds = join(home, 'credentials.yaml');
  if (existsSync(creds)) assert.is(statSync(creds).mode & 0o777, 0o600, 'credentials.yaml is not 0600');
  const state = join(home, 'connections.json');
  if (existsSync(state)) assert.is(statSync(state).mode & 0o777, 0o600, 'connections.json is not 0600');
}

/** Every process's argv on this machine, as the process list shows it. */
export function allArgv(): string[] {
  const out: string[] = [];
  for (const pid of readdirSync('/proc').filter((n) => /^\d+$/.test(n))) {
    try {
      out.push(readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' '));
    } catch {
      // gone meanwhile
    }
  }
  return out;
}
