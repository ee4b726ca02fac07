// The step graph: `needs` edges, ancestors, cycles and a stable topological order.
// Names in `needs` that are not in the list are ignored here (validation reports them).
import { CloudyaError } from './errors.js';
import type { StepSpec } from './types.js';

type GraphStep = Pick<StepSpec, 'id' | 'needs'>;

function needsOf(step: GraphStep, known: Map<string, GraphStep>): string[] {
  return Array.isArray(step.needs) ? step.needs.filter((n) => typeof n === 'string' && known.has(n) && n !== step.id) : [];
}

function index(steps: readonly GraphStep[]): Map<string, GraphStep> {
  const byId = new Map<string, GraphStep>();
  for (const s of steps) if (!byId.has(s.id)) byId.set(s.id, s);
  return byId;
}

/** For every step, the ids of all steps it depends on, directly or transitively (itself excluded). */
export function ancestorsOf(steps: readonly GraphStep[]): Map<string, Set<string>> {
  const byId = index(steps);
  const done = new Map<string, Set<string>>();
  const visiting = new Set<string>();
  const visit = (id: string): Set<string> => {
    const hit = done.get(id);
    if (hit) return hit;
    const out = new Set<string>();
    if (visiting.has(id)) return out; // a cycle: validation reports it
    visiting.add(id);
    for (const n of needsOf(byId.get(id)!, byId)) {
      out.add(n);
      for (const a of visit(n)) out.add(a);
    }
    visiting.delete(id);
    out.delete(id);
    done.set(id, out);
    return out;
  };
  for (const id of byId.keys()) visit(id);
  return done;
}

/**
 * Every cycle found by a depth-first walk in document order, each as a path
 * that ends where it starts (`['a', 'b', 'c', 'a']`: a needs b, b needs c, c needs a).
 * Cycles over the same set of steps are reported once; a step needing itself is not a cycle here.
 */
export function findCycles(steps: readonly GraphStep[]): string[][] {
  const byId = index(steps);
  const state = new Map<string, 'open' | 'closed'>();
  const stack: string[] = [];
  const cycles: string[][] = [];
  const seen = new Set<string>();
  const walk = (id: string): void => {
    state.set(id, 'open');
    stack.push(id);
    for (const n of needsOf(byId.get(id)!, byId)) {
      const s = state.get(n);
      if (s === 'open') {
        const cycle = [...stack.slice(stack.lastIndexOf(n)), n];
        const key = [...new Set(cycle)].sort().join('\0');
        if (!seen.has(key)) {
          seen.add(key);
          cycles.push(cycle);
        }
      } else if (s === undefined) walk(n);
    }
    stack.pop();
    state.set(id, 'closed');
  };
  for (const id of byId.keys()) if (!state.has(id)) walk(id);
  return cycles;
}

/** The first cycle in document order, or undefined when the graph is acyclic. */
export function findCycle(steps: readonly GraphStep[]): string[] | undefined {
  return findCycles(steps)[0];
}

/**
 * Step ids in an order where every step comes after all it needs. Among steps that
 * are ready at the same time, document order wins, so the order is stable.
 * Throws E_CYCLE when the steps cannot be ordered.
 */
export function topoOrder(steps: readonly GraphStep[]): string[] {
  const byId = index(steps);
  const ids = [...byId.keys()];
  const position = new Map(ids.map((id, i) => [id, i]));
  const waiting = new Map<string, number>();
  const dependents = new Map<string, string[]>();
  for (const id of ids) {
    const needs = [...new Set(needsOf(byId.get(id)!, byId))];
    waiting.set(id, needs.length);
    for (const n of needs) {
      const list = dependents.get(n);
      if (list) list.push(id);
      else dependents.set(n, [id]);
    }
  }
  // `ready` stays sorted by document position; it is small in practice.
  const ready = ids.filter((id) => waiting.get(id) === 0);
  const order: string[] = [];
  while (ready.length) {
    const id = ready.shift()!;
    order.push(id);
    for (const d of dependents.get(id) ?? []) {
      const left = waiting.get(d)! - 1;
      waiting.set(d, left);
      if (left === 0) {
        const p = position.get(d)!;
        let i = ready.length;
        while (i > 0 && position.get(ready[i - 1]!)! > p) i--;
        ready.splice(i, 0, d);
      }
    }
  }
  if (order.length < ids.length) {
    const cycle = findCycle(steps);
    throw new CloudyaError('E_CYCLE', `the steps depend on each other in a cycle: ${cycle ? cycle.join(' → ') : ids.filter((id) => !order.includes(id)).join(', ')}`);
  }
  return order;
}
