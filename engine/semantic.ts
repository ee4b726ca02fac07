// Checks the schema cannot express: ids, needs and cycles, step types, expressions,
// params and retry policies. The document may still have schema errors, so every
// field is read defensively and only well-formed parts are judged here.
import { STEP_TYPES } from '../steps/index.js';
import { findCycles } from './dag.js';
import { checkExpressions, type RefWorld } from './check-refs.js';
import { didYouMean, suggestionHint } from './suggest.js';
import type { PathSegment, Position } from './locate.js';
import type { Problem } from './schema-errors.js';
import { kindOf, pathText } from './schema-errors.js';
import { parseDuration, timerRangeProblem, MAX_TIMER_MS } from './duration.js';

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => v !== null && typeof v === 'object' && !Array.isArray(v);
const strings = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : []);

interface StepEntry {
  section: 'steps' | 'finally';
  index: number;
  spec: Obj;
  id: string | undefined;
  path: PathSegment[];
}

export interface SemanticOptions {
  /** Param values that will be given (when known): required params missing from it are reported. */
  params?: Record<string, unknown>;
  /** Position of a path, for messages that mention a second place. */
  where: (path: PathSegment[]) => Position;
}

function entries(doc: Obj, section: 'steps' | 'finally'): StepEntry[] {
  const list = Array.isArray(doc[section]) ? (doc[section] as unknown[]) : [];
  return list.flatMap((spec, index) =>
    isObj(spec) ? [{ section, index, spec, id: typeof spec.id === 'string' ? spec.id : undefined, path: [section, index] }] : [],
  );
}

const named = (e: StepEntry) => `${e.section === 'finally' ? 'finally step' : 'step'} '${e.id}'`;

export function semanticProblems(doc: Obj, opts: SemanticOptions): Problem[] {
  const out: Problem[] = [];
  const main = entries(doc, 'steps');
  const fin = entries(doc, 'finally');
  const all = [...main, ...fin];

  // Ids are unique across steps and finally: expressions name steps by id.
  const firstById = new Map<string, StepEntry>();
  for (const e of all) {
    if (e.id === undefined) continue;
    const first = firstById.get(e.id);
    if (!first) {
      firstById.set(e.id, e);
      continue;
    }
    const p = opts.where([...first.path, 'id']);
    out.push({ code: 'E_DUPLICATE_ID', message: `step id '${e.id}' is used twice: here and at ${first.section}[${first.index}] (line ${p.line})`, hint: 'give each step its own id', path: [...e.path, 'id'], at: 'value' });
  }
  const mainIds = new Set(main.flatMap((e) => (e.id === undefined ? [] : [e.id])));
  const finallyIds = new Set(fin.flatMap((e) => (e.id === undefined ? [] : [e.id])));

  for (const e of all) {
    checkType(e.spec.type, [...e.path, 'type'], e, out);
    if (isObj(e.spec.rollback)) checkType(e.spec.rollback.type, [...e.path, 'rollback', 'type'], e, out);
    checkNeeds(e, mainIds, finallyIds, out);
    checkRetry(e.spec.retry, [...e.path, 'retry'], out);
    checkTimer(e.spec.timeout, [...e.path, 'timeout'], 'timeout', out);
    if (isObj(e.spec.rollback)) checkTimer(e.spec.rollback.timeout, [...e.path, 'rollback', 'timeout'], 'timeout', out);
  }
  if (isObj(doc.defaults)) {
    checkRetry(doc.defaults.retry, ['defaults', 'retry'], out);
    checkTimer(doc.defaults.timeout, ['defaults', 'timeout'], 'timeout', out);
  }
  checkTimer(doc.timeout, ['timeout'], 'timeout', out);

  const graph = (list: StepEntry[]) => list.flatMap((e) => (e.id === undefined ? [] : [{ id: e.id, needs: strings(e.spec.needs) }]));
  for (const list of [main, fin]) {
    for (const cycle of findCycles(graph(list))) {
      const from = list.find((e) => e.id === cycle[0])!;
      const j = strings(from.spec.needs).indexOf(cycle[1]!);
      out.push({
        code: 'E_CYCLE',
        message: `steps depend on each other in a cycle: ${cycle.join(' → ')}`,
        hint: 'each step needs the next one; remove one of these needs',
        path: [...from.path, 'needs', Math.max(j, 0)],
        at: 'value',
      });
    }
  }

  const params = isObj(doc.params) ? doc.params : {};
  const world: RefWorld = {
    params: Object.keys(params),
    env: strings(doc.env),
    mainIds,
    finallyIds,
    isAncestor: ancestorTest([...graph(main), ...graph(fin)]),
  };
  for (const e of all) {
    if (e.id === undefined) continue;
    const scope = { stepId: e.id, section: e.section, ownOutputs: false, self: false };
    if (e.spec.with !== undefined) out.push(...checkExpressions(e.spec.with, [...e.path, 'with'], scope, world));
    if (typeof e.spec.when === 'string') out.push(...checkExpressions(e.spec.when, [...e.path, 'when'], scope, world));
    if (isObj(e.spec.outputs)) out.push(...checkExpressions(e.spec.outputs, [...e.path, 'outputs'], { ...scope, ownOutputs: true }, world));
    if (isObj(e.spec.rollback) && e.spec.rollback.with !== undefined) {
      out.push(...checkExpressions(e.spec.rollback.with, [...e.path, 'rollback', 'with'], { ...scope, ownOutputs: true, self: true }, world));
    }
  }

  for (const [name, spec] of Object.entries(params)) if (isObj(spec)) checkParam(name, spec, opts.params, out);
  return out;
}

/** A reachability test through `needs`: direct needs answer at once, others walk the graph (cached per step). */
function ancestorTest(steps: { id: string; needs: string[] }[]): (step: string, ancestor: string) => boolean {
  const needs = new Map<string, string[]>();
  for (const s of steps) if (!needs.has(s.id)) needs.set(s.id, s.needs);
  const reached = new Map<string, Set<string>>();
  return (step, ancestor) => {
    if (needs.get(step)?.includes(ancestor)) return true;
    let seen = reached.get(step);
    if (!seen) {
      seen = new Set<string>();
      const todo = [...(needs.get(step) ?? [])];
      while (todo.length) {
        const n = todo.pop()!;
        if (seen.has(n)) continue;
        seen.add(n);
        todo.push(...(needs.get(n) ?? []));
      }
      reached.set(step, seen);
    }
    return seen.has(ancestor);
  };
}

function checkType(type: unknown, path: PathSegment[], e: StepEntry, out: Problem[]): void {
  if (typeof type !== 'string' || type === '' || (STEP_TYPES as readonly string[]).includes(type)) return;
  const close = didYouMean(type, STEP_TYPES);
  const known = `known types: ${STEP_TYPES.join(', ')}`;
  const owner = e.id === undefined ? `${e.section}[${e.index}]` : named(e);
  out.push({ code: 'E_UNKNOWN_STEP_TYPE', message: `unknown step type '${type}' in ${owner}`, hint: close ? `did you mean '${close}'? ${known}` : known, path, at: 'value' });
}

function checkNeeds(e: StepEntry, mainIds: Set<string>, finallyIds: Set<string>, out: Problem[]): void {
  if (!Array.isArray(e.spec.needs)) return;
  const own = e.section === 'steps' ? mainIds : finallyIds;
  e.spec.needs.forEach((need, j) => {
    if (typeof need !== 'string' || need === '') return;
    const path = [...e.path, 'needs', j];
    const who = e.id === undefined ? `${e.section}[${e.index}]` : named(e);
    if (need === e.id) out.push({ code: 'E_CYCLE', message: `${who} needs itself`, hint: `remove '${need}' from its needs`, path, at: 'value' });
    else if (own.has(need)) return;
    else if (e.section === 'steps' && finallyIds.has(need)) {
      out.push({ code: 'E_UNKNOWN_NEEDS', message: `${who} needs '${need}', a finally step; finally steps run after every main step`, hint: `remove '${need}' from needs`, path, at: 'value' });
    } else if (e.section === 'finally' && mainIds.has(need)) {
      out.push({ code: 'E_UNKNOWN_NEEDS', message: `${who} needs '${need}', a main step; finally steps always run after all main steps`, hint: `remove '${need}' from needs`, path, at: 'value' });
    } else {
      const candidates = [...own].filter((id) => id !== e.id);
      const hint = suggestionHint(need, candidates, e.section === 'finally' ? 'finally steps' : 'steps');
      out.push({ code: 'E_UNKNOWN_NEEDS', message: `${who} needs '${need}', but there is no such step`, ...(hint ? { hint } : {}), path, at: 'value' });
    }
  });
}

/** Milliseconds of a duration, or undefined when it is not one. */
export function durationMs(v: unknown): number | undefined {
  if (typeof v !== 'number' && typeof v !== 'string') return undefined;
  try {
    return parseDuration(v);
  } catch {
    return undefined;
  }
}

const TIMER_HINTS = {
  timeout: `a timer cannot wait 0 ms or more than ${MAX_TIMER_MS} ms (about 24.8 days); leave timeout: out for no limit`,
  delay: `a timer cannot wait more than ${MAX_TIMER_MS} ms (about 24.8 days)`,
};

/** A duration that is well formed but out of the range a timer can hold (0 ms or more than ~24.8 days). */
function checkTimer(value: unknown, path: PathSegment[], kind: 'timeout' | 'delay', out: Problem[]): void {
  const ms = durationMs(value);
  if (ms === undefined) return; // not a duration (`.inf` included): the schema says so
  const problem = timerRangeProblem(ms, kind);
  if (!problem) return;
  const shown = typeof value === 'string' ? `'${value}'` : String(value);
  out.push({ code: 'E_SCHEMA', message: `${pathText(path)} ${problem}, got ${shown}`, hint: TIMER_HINTS[kind], path, at: 'value' });
}

function checkRetry(retry: unknown, path: PathSegment[], out: Problem[]): void {
  if (!isObj(retry)) return;
  checkTimer(retry.delay, [...path, 'delay'], 'delay', out);
  checkTimer(retry.maxDelay, [...path, 'maxDelay'], 'delay', out);
  const delay = durationMs(retry.delay);
  const max = durationMs(retry.maxDelay);
  if (delay !== undefined && max !== undefined && max < delay) {
    out.push({ code: 'E_SCHEMA', message: `${pathText(path)}.maxDelay (${String(retry.maxDelay)}) is shorter than its delay (${String(retry.delay)})`, hint: 'maxDelay caps the delay: make it at least as long as delay', path: [...path, 'maxDelay'], at: 'value' });
  }
}

/** Whether `v` has the declared param type. */
export function matchesParamType(v: unknown, type: string): boolean {
  switch (type) {
    case 'string': return typeof v === 'string';
    case 'number': return typeof v === 'number' && Number.isFinite(v);
    case 'integer': return typeof v === 'number' && Number.isInteger(v);
    case 'boolean': return typeof v === 'boolean';
    case 'array': return Array.isArray(v);
    case 'object': return isObj(v);
    default: return true;
  }
}

function checkParam(name: string, spec: Obj, given: Record<string, unknown> | undefined, out: Problem[]): void {
  const type = typeof spec.type === 'string' ? spec.type : undefined;
  const path = ['params', name];
  if (type && spec.default !== undefined && !matchesParamType(spec.default, type)) {
    out.push({ code: 'E_PARAM', message: `default of param '${name}' must be ${type === 'integer' || type === 'array' || type === 'object' ? 'an' : 'a'} ${type}, got ${kindOf(spec.default)}`, path: [...path, 'default'], at: 'value' });
  }
  if (Array.isArray(spec.enum)) {
    if (type) spec.enum.forEach((v, i) => {
      if (!matchesParamType(v, type)) out.push({ code: 'E_PARAM', message: `enum value ${JSON.stringify(v)} of param '${name}' is not a ${type}`, path: [...path, 'enum', i], at: 'value' });
    });
    const allowed = spec.enum.map((v) => JSON.stringify(v));
    if (spec.default !== undefined && !allowed.includes(JSON.stringify(spec.default))) {
      out.push({ code: 'E_PARAM', message: `default of param '${name}' (${JSON.stringify(spec.default)}) is not one of its enum values: ${allowed.join(', ')}`, path: [...path, 'default'], at: 'value' });
    }
  }
  if (given && spec.required === true && spec.default === undefined && given[name] === undefined) {
    out.push({ code: 'E_PARAM', message: `missing required param '${name}'`, hint: `pass --param ${name}=…`, path, at: 'key' });
  }
}
