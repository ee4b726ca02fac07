// What `connect --list` shows beside the credentials themselves: when each
// provider was saved and verified, as whom, and the last failure. Kept in
// ~/.cloudya/connections.json (mode 0600; messages are masked before they get here).
import { readFileSync, writeFileSync, renameSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { cloudyaHome } from '../../engine/config.js';

export interface ConnectionState {
  savedAt?: string;
  /** When the stored credentials last passed a check. */
  verifiedAt?: string;
  /** When the last check (passed or not) ran. */
  checkedAt?: string;
  identity?: string;
  /** `stored`: whether the failing check was of the stored credentials (false: new values, not saved). */
  lastError?: { kind: string; message: string; at: string; stored: boolean };
}

export type ConnectionStates = Record<string, ConnectionState>;

export function stateFile(home = cloudyaHome()): string {
  return join(home, 'connections.json');
}

export function readStates(home = cloudyaHome()): ConnectionStates {
  try {
    const value = JSON.parse(readFileSync(stateFile(home), 'utf8')) as unknown;
    return value && typeof value === 'object' && !Array.isArray(value) ? (value as ConnectionStates) : {};
  } catch {
    // Missing or broken: it is only a record of past checks.
    return {};
  }
}

export function writeStates(states: ConnectionStates, home = cloudyaHome()): void {
  mkdirSync(home, { recursive: true, mode: 0o700 });
  const file = stateFile(home);
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, JSON.stringify(states, null, 2) + '\n', { mode: 0o600 });
  renameSync(tmp, file);
}

export type ConnectionStatus = 'not configured' | 'configured' | 'verified' | 'failing';

export function statusOf(configured: boolean, s: ConnectionState | undefined): ConnectionStatus {
  if (!configured) return 'not configured';
  if (s?.lastError?.stored && (!s.verifiedAt || s.lastError.at > s.verifiedAt)) return 'failing';
  return s?.verifiedAt ? 'verified' : 'configured';
}
