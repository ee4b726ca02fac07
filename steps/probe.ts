// `probe` — looks at the machine, a service, a port, a URL, a name or a file and
// returns findings (severity, what was seen, why it matters, the fixing command).
// Failing a probe throws E_PROBE_FAILED, which is retryable: with `retry:` a
// workflow waits for a port or a host.
import { resolve } from 'node:path';
import { defineStep } from '../engine/step-api.js';
import { CloudyaError } from '../engine/errors.js';
import { parseDuration } from '../engine/duration.js';
import { THRESHOLD_NAMES, type Thresholds } from './probe/thresholds.js';
import { rank, sortFindings, worst, type CheckResult, type Finding, type Severity } from './probe/types.js';

export const CHECKS = ['system', 'service', 'tcp', 'http', 'dns', 'file', 'path'] as const;
export type Check = (typeof CHECKS)[number];

export interface ProbeInput {
  check: Check;
  host?: string;
  port?: number;
  url?: string;
  method?: string;
  headers?: Record<string, string>;
  expectStatus?: number | number[];
  bodyMatch?: string;
  tlsVerify?: boolean;
  name?: string;
  path?: string;
  exists?: boolean;
  kind?: 'file' | 'directory';
  maxAge?: string | number;
  minBytes?: number;
  maxBytes?: number;
  contains?: string;
  server?: string;
  expect?: string;
  timeout?: string | number;
  sample?: string | number;
  top?: number;
  logLines?: number;
  thresholds?: Thresholds;
  failOn?: 'critical' | 'warning' | 'never';
}

export interface ProbeOutputs {
  check: string;
  ok: boolean;
  severity: Severity;
  findings: Finding[];
  data: Record<string, unknown>;
  [key: string]: unknown;
}

const duration = { type: ['string', 'number'], description: 'A duration: milliseconds, or 500ms, 5s, 1m…' };
const limit = { type: 'object', properties: { warning: { type: 'number' }, critical: { type: 'number' } }, additionalProperties: false };
const need = (check: string | string[], required: string[]) => ({ if: { properties: { check: Array.isArray(check) ? { enum: check } : { const: check } }, required: ['check'] }, then: { required } });

export default defineStep<ProbeInput, ProbeOutputs>({
  type: 'probe',
  description: 'Check the system, a service, a TCP port, a URL, a DNS name or a file; report findings with fixes',
  schema: {
    type: 'object',
    properties: {
      check: { type: 'string', enum: [...CHECKS], description: 'What to look at' },
      host: { type: 'string', minLength: 1, description: 'tcp: host to connect to (default 127.0.0.1); dns: the name to resolve' },
      port: { type: 'integer', minimum: 1, maximum: 65535, description: 'tcp: the port; service: a port it must listen on' },
      url: { type: 'string', pattern: '^https?://', description: 'http: the URL' },
      method: { type: 'string', enum: ['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'OPTIONS', 'PATCH'], description: 'http: method (default GET)' },
      headers: { type: 'object', additionalProperties: { type: 'string' }, description: 'http: request headers' },
      expectStatus: { type: ['integer', 'array'], items: { type: 'integer' }, description: 'http: the status(es) that count as healthy (default 2xx and 3xx)' },
      bodyMatch: { type: 'string', description: 'http: a regular expression the body must match' },
      tlsVerify: { type: 'boolean', description: 'http: verify the TLS certificate (default true)' },
      name: { type: 'string', pattern: '^[A-Za-z0-9@._:-]+$', description: 'service: the service (systemd unit or program) name' },
      path: { type: 'string', minLength: 1, description: 'file: the path (relative to the workflow folder)' },
      exists: { type: 'boolean', description: 'file: whether the path must exist (default true)' },
      kind: { type: 'string', enum: ['file', 'directory'], description: 'file: what the path must be' },
      maxAge: { ...duration, description: 'file: critical when last modified longer ago than this' },
      minBytes: { type: 'integer', minimum: 0, description: 'file: smallest healthy size' },
      maxBytes: { type: 'integer', minimum: 0, description: 'file: largest healthy size' },
      contains: { type: 'string', description: 'file: a regular expression its content (last MiB) must match' },
      server: { type: 'string', description: 'dns: ask this DNS server instead of the system resolver' },
      expect: { type: 'string', description: 'dns: an address the name must resolve to' },
      timeout: { ...duration, description: 'How long to wait for an answer (default 5s)' },
      sample: { ...duration, description: 'system/service: how long CPU use is measured (default 1s / 500ms)' },
      top: { type: 'integer', minimum: 0, maximum: 50, description: 'system: how many top processes to report (default 5)' },
      logLines: { type: 'integer', minimum: 0, maximum: 500, description: 'service: recent log lines to read (default 20)' },
      thresholds: { type: 'object', properties: Object.fromEntries(THRESHOLD_NAMES.map((n) => [n, limit])), additionalProperties: false, description: 'Override limits: { memory: { warning: 80, critical: 95 } }' },
      failOn: { type: 'string', enum: ['critical', 'warning', 'never'], description: 'Fail the step (E_PROBE_FAILED, retryable) at this severity (default critical)' },
    },
    required: ['check'],
    additionalProperties: false,
    allOf: [need('service', ['name']), need('tcp', ['port']), need('http', ['url']), need('dns', ['host']), need(['file', 'path'], ['path'])],
  },
  async run(ctx, input) {
    const result = await runCheck(input, {
      signal: ctx.signal,
      workflowDir: ctx.workflowDir,
      run: async (file, args) => {
        try {
          return await ctx.exec(file, args, { reject: false });
        } catch {
          return { exitCode: 127, stdout: '' };
        }
      },
    });
    const findings = sortFindings(result.findings);
    const severity = worst(findings);
    for (const f of findings) (f.severity === 'critical' || f.severity === 'warning' ? ctx.log.warn : ctx.log.info)(`${f.severity}: ${f.title} — ${f.observed}`);
    const outputs: ProbeOutputs = { check: input.check, ok: rank(severity) < rank('warning'), severity, findings, data: result.data };
    const failOn = input.failOn ?? 'critical';
    if (failOn !== 'never' && rank(severity) >= rank(failOn)) {
      const first = findings[0]!;
      throw new CloudyaError('E_PROBE_FAILED', `${first.title}: ${first.observed}`, { hint: first.fix, details: outputs });
    }
    return outputs;
  },
});

export interface CheckEnv {
  signal?: AbortSignal;
  workflowDir?: string;
  run?: (file: string, args: string[]) => Promise<{ exitCode: number; stdout: string }>;
}

const ms = (v: string | number | undefined, fallback: number) => (v === undefined ? fallback : parseDuration(v as never));

/** Runs one check; used by the step, by `diagnose` and by `monitor`. */
export async function runCheck(input: ProbeInput, env: CheckEnv = {}): Promise<CheckResult> {
  const timeout = ms(input.timeout, 5000);
  const t = input.thresholds;
  switch (input.check) {
    case 'system': {
      const { checkSystem } = await import('./probe/system.js');
      return checkSystem({ thresholds: t, sampleMs: ms(input.sample, 1000), ...(input.top !== undefined ? { top: input.top } : {}), ...(env.signal ? { signal: env.signal } : {}) });
    }
    case 'service': {
      const { checkService } = await import('./probe/service.js');
      const { execFile } = await import('node:child_process');
      const run = env.run ?? ((file: string, args: string[]) => new Promise<{ exitCode: number; stdout: string }>((res) => execFile(file, args, { timeout }, (err, stdout) => res({ exitCode: err ? Number((err as { code?: unknown }).code) || 1 : 0, stdout: String(stdout) }))));
      return checkService({ name: input.name!, port: input.port, timeout, thresholds: t, sampleMs: ms(input.sample, 500), logLines: input.logLines, signal: env.signal, run });
    }
    case 'tcp': {
      const { checkTcp } = await import('./probe/net.js');
      return checkTcp({ host: input.host ?? '127.0.0.1', port: Number(input.port), timeout, thresholds: t, signal: env.signal });
    }
    case 'http': {
      const { checkHttp } = await import('./probe/net.js');
      return checkHttp({ url: input.url!, method: input.method, headers: input.headers, expectStatus: input.expectStatus, bodyMatch: input.bodyMatch, tlsVerify: input.tlsVerify, timeout, thresholds: t, signal: env.signal });
    }
    case 'dns': {
      const { checkDns } = await import('./probe/net.js');
      return checkDns({ host: input.host!, server: input.server, expect: input.expect, timeout, thresholds: t });
    }
    case 'file':
    case 'path': {
      const { checkFile } = await import('./probe/file.js');
      return checkFile({ path: resolve(env.workflowDir ?? process.cwd(), input.path!), exists: input.exists !== false, kind: input.kind, maxAgeMs: input.maxAge === undefined ? undefined : ms(input.maxAge, 0), minBytes: input.minBytes, maxBytes: input.maxBytes, contains: input.contains });
    }
  }
}
