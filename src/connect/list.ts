// `connect --list`: every provider, whether it is configured, when it was last
// verified and as whom, or why the last check failed. Secrets show as ***.
import type { Credentials } from '../../engine/credentials.js';
import { PROVIDERS, type Provider } from './providers.js';
import { statusOf, type ConnectionState, type ConnectionStatus } from './state.js';

export interface ProviderRow {
  provider: string;
  title: string;
  state: ConnectionStatus;
  configured: boolean;
  settings: Record<string, string>;
  savedAt: string | null;
  verifiedAt: string | null;
  checkedAt: string | null;
  identity: string | null;
  lastError: ConnectionState['lastError'] | null;
}

export function maskedSettings(provider: Provider, settings: Record<string, string>): Record<string, string> {
  const secret = new Set(provider.fields.filter((f) => f.secret).map((f) => f.key));
  return Object.fromEntries(Object.entries(settings).map(([k, v]) => [k, secret.has(k) ? '***' : v]));
}

export function providerRows(creds: Credentials, states: Record<string, ConnectionState>, only?: Provider): ProviderRow[] {
  return PROVIDERS.filter((p) => !only || p === only).map((p) => {
    const stored = creds[p.name];
    const configured = Boolean(stored && Object.keys(stored).length > 0);
    const s = states[p.name];
    return {
      provider: p.name,
      title: p.title,
      state: statusOf(configured, s),
      configured,
      settings: configured ? maskedSettings(p, stored!) : {},
      savedAt: s?.savedAt ?? null,
      verifiedAt: (configured && s?.verifiedAt) || null,
      checkedAt: s?.checkedAt ?? null,
      identity: (configured && s?.verifiedAt && s.identity) || null,
      lastError: s?.lastError ?? null,
    };
  });
}

const when = (iso: string | null) => (iso ? iso.replace('T', ' ').slice(0, 19) : '-');

function detail(row: ProviderRow, target: string): string {
  const err = row.lastError;
  if (row.state === 'failing' && err) return `${err.message}`;
  const failedAttempt = err && !err.stored && (!row.verifiedAt || err.at > row.verifiedAt) ? `; last attempt failed (not saved): ${err.message}` : '';
  if (row.state === 'verified') return `${row.identity ?? ''}${failedAttempt}`;
  if (row.state === 'configured') return `${target} (not verified)${failedAttempt}`;
  return err ? `last attempt failed (not saved): ${err.message}` : `cloudya connect ${row.provider}`;
}

export function renderTable(rows: ProviderRow[]): string {
  const out = [['PROVIDER', 'STATE', 'VERIFIED', 'DETAIL']];
  for (const row of rows) {
    const p = PROVIDERS.find((x) => x.name === row.provider)!;
    out.push([row.provider, row.state, when(row.verifiedAt), detail(row, row.configured ? p.target(row.settings) : '')]);
  }
  const widths = out[0]!.map((_, i) => Math.max(...out.map((r) => r[i]!.length)));
  return out.map((r) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]!))).join('  ')).join('\n') + '\n';
}
