// Expressions are checked before anything runs: each `{{…}}` must parse, and every
// name it reads must exist where it is read (a declared param, an ancestor step's
// outputs, a listed env variable, the step's own outputs in `outputs:`/rollback).
import { CloudyaError } from './errors.js';
import { extractReferences, type Reference } from './expressions.js';
import { didYouMean, suggestionHint } from './suggest.js';
import type { PathSegment } from './locate.js';
import type { Problem } from './schema-errors.js';

const hasExpression = (s: string) => s.includes('{{');

export const EXPRESSION_ROOTS = ['params', 'steps', 'env', 'run', 'outputs'] as const;
const RUN_FIELDS = ['id', 'name', 'status'];
const STEP_FIELDS = ['outputs', 'status'];

export interface RefScope {
  /** The step whose fields are checked, and the list it is in. */
  stepId: string;
  section: 'steps' | 'finally';
  /** `{{outputs.…}}` is allowed here (the step's `outputs:` map and `rollback.with`). */
  ownOutputs: boolean;
  /** `steps.<own id>` is allowed here (`rollback.with`: the step has run). */
  self: boolean;
}

export interface RefWorld {
  params: string[];
  env: string[];
  mainIds: Set<string>;
  finallyIds: Set<string>;
  /** Whether `ancestor` is reached from `step` through `needs` (main and finally graphs). */
  isAncestor(step: string, ancestor: string): boolean;
}

/** Calls `fn` for every string inside `value` that holds an expression, with its path. */
export function forEachExpression(value: unknown, path: PathSegment[], fn: (text: string, path: PathSegment[]) => void): void {
  if (typeof value === 'string') {
    if (hasExpression(value)) fn(value, [...path]);
  } else if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      path.push(i);
      forEachExpression(value[i], path, fn);
      path.pop();
    }
  } else if (value !== null && typeof value === 'object') {
    for (const k of Object.keys(value)) {
      path.push(k);
      forEachExpression((value as Record<string, unknown>)[k], path, fn);
      path.pop();
    }
  }
}

const SIMPLE = /\{\{\s*((?:params|steps|env|run|outputs)(?:\.[\w-]+)+)\s*\}\}/g;

/**
 * The references of a template made only of plain `{{root.a.b}}` mustaches, found
 * without the handlebars parser (most templates are like this); undefined otherwise.
 */
export function simpleReferences(text: string): Reference[] | undefined {
  if (text.includes('{{{') || text.includes('\\{{')) return undefined;
  const refs: Reference[] = [];
  let mustaches = 0;
  for (const m of text.matchAll(SIMPLE)) {
    const parts = m[1]!.split('.');
    refs.push({ root: parts[0]!, path: parts.slice(1), offset: m.index + m[0].indexOf(m[1]!) });
    mustaches++;
  }
  return mustaches === text.split('{{').length - 1 ? refs : undefined;
}

/** Problems of the expressions in the strings under `value`. */
export function checkExpressions(value: unknown, path: PathSegment[], scope: RefScope, world: RefWorld): Problem[] {
  const out: Problem[] = [];
  forEachExpression(value, [...path], (text, at) => {
    let refs = simpleReferences(text);
    if (!refs) {
      try {
        refs = extractReferences(text);
      } catch (err) {
        if (!(err instanceof CloudyaError)) throw err;
        const offset = typeof err.details?.offset === 'number' ? err.details.offset : undefined;
        const message = err.message.replace(/ \(at offset \d+\)$/, '').replace(/ at offset \d+:/, ':');
        out.push({ code: 'E_EXPRESSION', message, ...(err.hint ? { hint: err.hint } : {}), path: at, at: 'value', ...(offset !== undefined ? { offset } : {}) });
        return;
      }
    }
    for (const ref of refs) {
      const p = checkReference(ref, scope, world);
      if (p) out.push({ code: 'E_UNKNOWN_REF', ...p, path: at, at: 'value', offset: ref.offset });
    }
  });
  return out;
}

type Verdict = { message: string; hint?: string } | undefined;

const hintFrom = (word: string, names: readonly string[], otherwise?: string) => {
  const close = didYouMean(word, names);
  const hint = close ? `did you mean '${close}'?` : otherwise;
  return hint ? { hint } : {};
};

function checkReference(ref: Reference, scope: RefScope, world: RefWorld): Verdict {
  const [first, second] = ref.path;
  const whole = [ref.root, ...ref.path].join('.');
  switch (ref.root) {
    case 'params':
      if (first === undefined || world.params.includes(first)) return undefined;
      return {
        message: `unknown param '${first}' in {{${whole}}}`,
        ...hintFrom(first, world.params, world.params.length ? `declared params: ${world.params.join(', ')}` : `declare it under params: (${first}: { type: string })`),
      };
    case 'env':
      if (first === undefined || world.env.includes(first)) return undefined;
      return { message: `{{${whole}}} reads '${first}', which is not listed in env:`, ...hintFrom(first, world.env, `add ${first} to the top-level env: list`) };
    case 'run':
      if (first === undefined || RUN_FIELDS.includes(first)) return undefined;
      return { message: `run.${first} does not exist`, ...hintFrom(first, RUN_FIELDS, `run has ${RUN_FIELDS.join(', ')}`) };
    case 'outputs':
      if (scope.ownOutputs) return undefined;
      return {
        message: `{{${whole}}} reads the step's own outputs, which exist only in its outputs: map and rollback.with`,
        hint: `read another step's outputs as {{steps.<id>.outputs.${first ?? '<name>'}}}`,
      };
    case 'steps':
      return checkStepRef(ref, first, second, scope, world);
    default: {
      const close = didYouMean(ref.root, EXPRESSION_ROOTS);
      return {
        message: `unknown name '${ref.root}' in {{${whole}}}`,
        hint: close ? `did you mean '${close}'?` : `expressions read ${EXPRESSION_ROOTS.join(', ')} (e.g. {{params.region}})`,
      };
    }
  }
}

function checkStepRef(ref: Reference, target: string | undefined, field: string | undefined, scope: RefScope, world: RefWorld): Verdict {
  const me = scope.stepId;
  if (target === undefined) return { message: '{{steps}} needs a step id', hint: 'write {{steps.<id>.outputs.<name>}} or {{steps.<id>.status}}' };
  const shown = `steps.${target}${field ? `.${field}` : ''}`;
  if (!world.mainIds.has(target) && !world.finallyIds.has(target)) {
    const hint = suggestionHint(target, [...world.mainIds, ...world.finallyIds], 'steps');
    return { message: `step '${me}' reads ${shown}, but there is no step '${target}'`, ...(hint ? { hint } : {}) };
  }
  if (field === undefined || !STEP_FIELDS.includes(field)) {
    return {
      message: `{{${[ref.root, ...ref.path].join('.')}}}: a step has only outputs and status`,
      hint: field ? (didYouMean(field, STEP_FIELDS) ? `did you mean 'steps.${target}.${didYouMean(field, STEP_FIELDS)}'?` : `write steps.${target}.outputs.${field}`) : `write steps.${target}.outputs.<name> or steps.${target}.status`,
    };
  }
  if (target === me) {
    if (scope.self) return undefined;
    return { message: `step '${me}' reads ${shown}, its own result, before it exists`, hint: "a step's own result is {{outputs.<name>}}, in its outputs: map or rollback.with" };
  }
  if (scope.section === 'finally' && world.mainIds.has(target)) return undefined;
  if (world.isAncestor(me, target)) return undefined;
  if (scope.section === 'steps' && world.finallyIds.has(target)) {
    return { message: `step '${me}' reads ${shown}, but '${target}' is a finally step and runs after every main step` };
  }
  return { message: `step '${me}' reads ${shown} but '${target}' is not among its needs`, hint: `add '${target}' to needs of '${me}'` };
}
