// The step registry: type name → lazy import. A workflow loads only the types it uses.
import type { StepDefinition } from '../engine/step-api.js';

export const STEP_TYPES = ['ai', 'ansible', 'probe', 'sandbox', 'terraform', 'validate'] as const;
export type StepType = (typeof STEP_TYPES)[number];

type Loader = () => Promise<{ default: StepDefinition }>;

export const stepRegistry = {
  ai: () => import('./ai.js'),
  ansible: () => import('./ansible.js'),
  probe: () => import('./probe.js'),
  sandbox: () => import('./sandbox.js'),
  terraform: () => import('./terraform.js'),
  validate: () => import('./validate.js'),
} satisfies Record<StepType, Loader>;

export function isStepType(type: string): type is StepType {
  return Object.hasOwn(stepRegistry, type);
}

const cache = new Map<string, StepDefinition>();

/** Loads a step type's definition; throws (via the caller's validation) for unknown types. */
export async function loadStep(type: string): Promise<StepDefinition> {
  const hit = cache.get(type);
  if (hit) return hit;
  if (!isStepType(type)) throw new Error(`unknown step type '${type}' (known: ${STEP_TYPES.join(', ')})`);
  const def = (await stepRegistry[type]()).default;
  cache.set(type, def);
  return def;
}
