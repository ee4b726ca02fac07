// One HTTP(S) request with a deadline, for checking a provider's API. Network
// and TLS errors become E_CONNECT failures that name the cause; the response is
// handed back whatever its status, for the provider to judge.
import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { rootCertificates } from 'node:tls';
import { readFileSync } from 'node:fs';
import { connectFailure } from './failure.js';
import type { CloudyaError } from '../../engine/errors.js';

export interface TlsSettings {
  /** A PEM file with the CA (or the server's own certificate) to trust, beside the public roots. */
  caFile?: string | undefined;
  /** Skip certificate checks altogether. */
  insecure?: boolean | undefined;
}

export interface HttpRequest {
  method: 'GET' | 'POST' | 'DELETE';
  url: string;
  headers?: Record<string, string>;
  body?: string;
  timeoutMs: number;
  tls?: TlsSettings;
  /** What to tell the user when the certificate is not trusted (where this provider keeps its CA). */
  caAdvice?: string;
}

export interface HttpResponse {
  status: number;
  statusMessage: string;
  headers: IncomingHttpHeaders;
  body: string;
}

const UNTRUSTED = new Set(['DEPTH_ZERO_SELF_SIGNED_CERT', 'SELF_SIGNED_CERT_IN_CHAIN', 'UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'UNABLE_TO_GET_ISSUER_CERT', 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY', 'CERT_UNTRUSTED', 'CERT_SIGNATURE_FAILURE']);
const DNS = new Set(['ENOTFOUND', 'EAI_AGAIN', 'EAI_FAIL', 'EAI_NONAME', 'EAI_NODATA']);
const NETWORK = new Set(['ECONNREFUSED', 'EHOSTUNREACH', 'ENETUNREACH', 'EHOSTDOWN', 'ECONNRESET', 'EPIPE', 'ECONNABORTED', 'EADDRNOTAVAIL']);

function readCa(file: string): string[] {
  try {
    return [...rootCertificates, readFileSync(file, 'utf8')];
  } catch (err) {
    throw connectFailure('config', `cannot read ca_file ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`, 'give the path of a PEM file with the CA certificate', { code: (err as NodeJS.ErrnoException).code ?? 'EIO' });
  }
}

/** Sends the request; resolves with any HTTP answer, rejects with an E_CONNECT failure otherwise. */
export function send(req: HttpRequest): Promise<HttpResponse> {
  let url: URL;
  try {
    url = new URL(req.url);
  } catch {
    return Promise.reject(connectFailure('config', `not a valid URL: ${req.url}`, 'give a full address such as https://host:port'));
  }
  const secure = url.protocol === 'https:';
  if (!secure && url.protocol !== 'http:') return Promise.reject(connectFailure('config', `${req.url} is not an http(s) URL`, 'use https://…'));
  let ca: string[] | undefined;
  try {
    ca = secure && req.tls?.caFile ? readCa(req.tls.caFile) : undefined;
  } catch (err) {
    return Promise.reject(err);
  }
  const where = `${url.hostname}:${url.port || (secure ? 443 : 80)}`;
  const seconds = `${Math.round(req.timeoutMs / 100) / 10}s`;
  return new Promise<HttpResponse>((resolve, reject) => {
    const body = req.body === undefined ? undefined : Buffer.from(req.body);
    const headers: Record<string, string> = { 'user-agent': 'cloudya-connect', accept: 'application/json', ...req.headers };
    if (body) headers['content-length'] = String(body.length);
    const options = {
      method: req.method,
      headers,
      ...(secure ? { rejectUnauthorized: req.tls?.insecure !== true, ...(ca ? { ca } : {}) } : {}),
    };
    let timedOut = false;
    const r = (secure ? httpsRequest : httpRequest)(url, options, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('error', (err) => fail(err));
      res.on('end', () => {
        clearTimeout(timer);
        resolve({ status: res.statusCode ?? 0, statusMessage: res.statusMessage ?? '', headers: res.headers, body: Buffer.concat(chunks).toString('utf8') });
      });
    });
    const timer = setTimeout(() => {
      timedOut = true;
      r.destroy(new Error('timeout'));
    }, req.timeoutMs);
    const fail = (err: unknown) => {
      clearTimeout(timer);
      reject(timedOut ? connectFailure('timeout', `no answer from ${req.url} within ${seconds}`, 'check that the address is right and reachable from here (VPN, firewall, proxy), or allow more time with --timeout', { url: req.url }) : classify(err as NodeJS.ErrnoException, req, where));
    };
    r.on('error', fail);
    r.end(body);
  });
}

function classify(err: NodeJS.ErrnoException, req: HttpRequest, where: string): CloudyaError {
  const code = err.code ?? '';
  const facts = { url: req.url, code };
  const host = where.replace(/:\d+$/, '');
  if (DNS.has(code)) return connectFailure('unreachable', `cannot resolve ${host} (DNS: ${code})`, 'check the host name, or your DNS and VPN settings', facts, err);
  if (code === 'ECONNREFUSED') return connectFailure('unreachable', `connection refused by ${where}: nothing listens on that port`, 'check the host and port, and that the service is running', facts, err);
  if (NETWORK.has(code)) return connectFailure('unreachable', `cannot reach ${where} (${code})`, 'check the network path to the host (routes, firewall, VPN)', facts, err);
  const advice = req.caAdvice ? ` (${req.caAdvice})` : '';
  const fix = `trust the server's CA with --set ca_file=/path/to/ca.pem${advice}, or skip the check with --set insecure=true (then anyone on the network path can read the credentials)`;
  if (UNTRUSTED.has(code)) {
    const what = code === 'DEPTH_ZERO_SELF_SIGNED_CERT' || code === 'SELF_SIGNED_CERT_IN_CHAIN' ? 'is self-signed' : 'is signed by a CA this machine does not trust';
    return connectFailure('tls', `the certificate of ${where} ${what} (${code})`, fix, facts, err);
  }
  if (code === 'CERT_HAS_EXPIRED') return connectFailure('tls', `the certificate of ${where} has expired (${code})`, "renew the server's certificate; --set insecure=true skips the check meanwhile", facts, err);
  if (code === 'CERT_NOT_YET_VALID') return connectFailure('tls', `the certificate of ${where} is not valid yet (${code})`, "check this machine's clock and the certificate's dates", facts, err);
  if (code === 'ERR_TLS_CERT_ALTNAME_INVALID') {
    return connectFailure('tls', `the certificate of ${where} is not issued for ${host} (${code}: ${err.message})`, `connect with a name the certificate lists, or reissue the certificate with ${host} in its subjectAltName; --set insecure=true skips the check`, facts, err);
  }
  if (code.startsWith('ERR_SSL') || code === 'EPROTO' || /SSL|TLS/.test(code)) {
    return connectFailure('tls', `TLS handshake with ${where} failed (${code}: ${err.message.split('\n')[0]})`, 'check that this port speaks HTTPS (or use http:// if it does not)', facts, err);
  }
  return connectFailure('unreachable', `request to ${req.url} failed: ${code || err.message}`, 'check the address and the network path to it', facts, err);
}

/** JSON body, or undefined when it is not JSON. */
export function jsonBody(res: HttpResponse): unknown {
  try {
    return JSON.parse(res.body) as unknown;
  } catch {
    return undefined;
  }
}

export function basicAuth(user: string, password: string): string {
  return `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
}

export function formBody(fields: Record<string, string>): string {
  return new URLSearchParams(fields).toString();
}
