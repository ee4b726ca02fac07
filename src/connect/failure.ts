// Why a connection check failed, as one E_CONNECT error whose `details.kind`
// says which of the five causes it was, with a hint on what to do about it.
import { CloudyaError } from '../../engine/errors.js';

export const FAILURE_KINDS = ['unreachable', 'timeout', 'credentials', 'tls', 'response', 'config'] as const;
export type FailureKind = (typeof FAILURE_KINDS)[number];

const LABEL: Record<FailureKind, string> = {
  unreachable: 'unreachable',
  timeout: 'timeout',
  credentials: 'bad credentials',
  tls: 'TLS',
  response: 'unexpected response',
  config: 'bad settings',
};

export interface FailureFacts {
  url?: string;
  status?: number;
  /** The system or TLS error code (ECONNREFUSED, DEPTH_ZERO_SELF_SIGNED_CERT…). */
  code?: string;
}

export function connectFailure(kind: FailureKind, message: string, hint: string, facts: FailureFacts = {}, cause?: unknown): CloudyaError {
  return new CloudyaError('E_CONNECT', `${LABEL[kind]}: ${message}`, {
    hint,
    details: { kind, ...facts },
    ...(cause === undefined ? {} : { cause }),
  });
}

export function failureKind(err: CloudyaError): FailureKind | undefined {
  const kind = err.details?.kind;
  return typeof kind === 'string' && (FAILURE_KINDS as readonly string[]).includes(kind) ? (kind as FailureKind) : undefined;
}

/** A short quote of what a server said, on one line. */
export function quote(text: string, max = 300): string {
  const one = text.replace(/\s+/g, ' ').trim();
  return one.length > max ? `${one.slice(0, max)}…` : one;
}

/** 401/403 with the server's own words; other statuses are an unexpected response. */
export function httpFailure(url: string, status: number, serverSays: string, credentialsHint: string): CloudyaError {
  const said = serverSays ? `: ${quote(serverSays)}` : '';
  if (status === 401 || status === 403) {
    return connectFailure('credentials', `${url} answered ${status}${said}`, credentialsHint, { url, status });
  }
  if (status === 404) {
    return connectFailure('response', `${url} answered 404 (no such API there)${said}`, 'check the address: it must point at the API endpoint itself (scheme, host, port and path prefix)', { url, status });
  }
  if (status >= 500) {
    return connectFailure('response', `${url} answered ${status} (server error)${said}`, 'the server is reachable but failing; try again later or check its logs', { url, status });
  }
  return connectFailure('response', `${url} answered ${status}${said}`, 'check that the address points at the right service', { url, status });
}
