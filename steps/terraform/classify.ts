// Terraform failures → cloudya error codes, so `retry:` repeats only what can
// pass on a second try (network, state lock, throttling) and never a bad
// configuration or refused credentials.
import { CloudyaError, type ErrorCode } from '../../engine/errors.js';

export interface Diagnostic {
  severity: 'error' | 'warning';
  summary: string;
  detail?: string;
  address?: string;
  range?: { filename: string; start: { line: number; column: number } };
}

const CREDENTIALS = [
  /no valid credential sources/i, /InvalidClientTokenId/, /UnrecognizedClientException/, /SignatureDoesNotMatch/, /AuthFailure/,
  /ExpiredToken/, /invalid_grant/, /could not find default credentials/i, /AADSTS\d+/, /authentication failed/i,
  /\b(401|403)\b/, /unauthori[sz]ed/i, /forbidden/i, /access ?denied/i, /failed to get shared config profile/i,
  /invalid (api )?(key|token|credentials)/i, /Permission '[^']+' denied/, /not authorized/i, /subscription .* (not found|could not be found)/i,
];

const TRANSIENT = [
  /acquiring the state lock/i, /state lock/i, /timeout|timed out/i, /connection (reset|refused)/i, /no such host/i,
  /temporary failure in name resolution/i, /TLS handshake/i, /i\/o timeout/i, /RequestLimitExceeded/, /Throttl/i,
  /rate ?exceeded|too many requests|\b429\b/i, /\b50[234]\b/, /unexpected EOF/i, /Failed to query available provider packages/i,
  /could not connect to registry/i, /Failed to install provider/i, /network is unreachable/i, /ServiceUnavailable|InternalError/,
];

/** Which error code a set of terraform error diagnostics (or its raw stderr) maps to. */
export function classifyDiagnostics(text: string): ErrorCode {
  if (CREDENTIALS.some((r) => r.test(text))) return 'E_TERRAFORM_CREDENTIALS';
  if (TRANSIENT.some((r) => r.test(text))) return 'E_TERRAFORM_TRANSIENT';
  return 'E_TERRAFORM_CONFIG';
}

const HINTS: Partial<Record<ErrorCode, string>> = {
  E_TERRAFORM_CONFIG: 'fix the template or its parameters; the deployment folder holds the configuration (`cloudya deploy show ID`)',
  E_TERRAFORM_CREDENTIALS: 'check the provider credentials: `cloudya connect PROVIDER` stores and verifies them',
  E_TERRAFORM_TRANSIENT: 'a network or state-lock problem: try again (give the step a `retry:` policy to do it automatically)',
};

/** One CloudyaError for a failed terraform command: the first error diagnostic, classified. */
export function terraformError(command: string, diagnostics: Diagnostic[], stderr: string, exitCode: number, mask: (s: string) => string): CloudyaError {
  const errors = diagnostics.filter((d) => d.severity === 'error');
  const text = errors.length ? errors.map((d) => `${d.summary}: ${d.detail ?? ''}`).join('\n') : stderr;
  const code = classifyDiagnostics(text);
  const first = errors[0];
  const where = first?.address ? ` (${first.address})` : first?.range ? ` (${first.range.filename}:${first.range.start.line})` : '';
  const detail = first?.detail ? `: ${first.detail.replace(/\s+/g, ' ').trim()}` : '';
  const message = first
    ? `terraform ${command}: ${first.summary}${where}${detail}${errors.length > 1 ? ` (and ${errors.length - 1} more error${errors.length > 2 ? 's' : ''})` : ''}`
    : `terraform ${command} exited ${exitCode}${stderr.trim() ? `: ${stderr.trim().split('\n').slice(-3).join(' | ')}` : ''}`;
  return new CloudyaError(code, mask(message.length > 1200 ? `${message.slice(0, 1200)}…` : message), {
    hint: HINTS[code]!,
    details: { command, exitCode, diagnostics: errors.slice(0, 10).map((d) => ({ summary: mask(d.summary), detail: mask(d.detail ?? ''), ...(d.address ? { address: d.address } : {}) })) },
  });
}
