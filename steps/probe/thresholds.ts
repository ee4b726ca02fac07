// Default limits, close to what glances and netdata ship. A workflow overrides
// any of them with `thresholds: { <name>: { warning, critical } }`.
import type { Limit } from './types.js';

export const THRESHOLD_NAMES = ['cpu', 'load', 'memory', 'swap', 'disk', 'inodes', 'processCpu', 'processMemory', 'latency', 'certDays', 'age'] as const;
export type ThresholdName = (typeof THRESHOLD_NAMES)[number];
export type Thresholds = Partial<Record<ThresholdName, Limit>>;

export const DEFAULT_THRESHOLDS: Record<ThresholdName, Limit> = {
  /** Busy share of all cores during the sample, %. A busy CPU alone is never critical. */
  cpu: { warning: 90 },
  /** 1-minute load average per core. Like CPU, never critical by default: it means slow, not broken. */
  load: { warning: 2 },
  /** Memory in use (total − available), %. */
  memory: { warning: 90, critical: 97 },
  /** Swap in use, %. */
  swap: { warning: 50, critical: 90 },
  /** Space used per writable filesystem, %. */
  disk: { warning: 85, critical: 95 },
  /** Inodes used per writable filesystem, %. */
  inodes: { warning: 85, critical: 95 },
  /** One service's processes, % of one core. */
  processCpu: { warning: 90 },
  /** One service's processes, % of memory. */
  processMemory: { warning: 50, critical: 80 },
  /** tcp/http/dns answer time, ms. */
  latency: { warning: 1000, critical: 5000 },
  /** Days before a TLS certificate expires (lower is worse). */
  certDays: { warning: 14, critical: 3 },
  /** Age of a file, seconds (only when given). */
  age: {},
};

export function limitsFor(name: ThresholdName, overrides: Thresholds | undefined): Limit {
  return { ...DEFAULT_THRESHOLDS[name], ...(overrides?.[name] ?? {}) };
}
