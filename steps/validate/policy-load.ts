// Loading a policy: the shipped default, then ~/.cloudya/policy.yaml, then the
// workflow's own (a file next to the workflow or an inline object). A later
// layer replaces groups, path lists and program hints by name, and rules by id
// (a rule given with fewer keys amends the earlier one; `enabled: false` drops
// it). Every layer is checked against schemas/policy.schema.json, every rule
// compiled, and every rule's examples judged; a mistake is E_POLICY at file:line:col.
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CloudyaError, ValidationError } from '../../engine/errors.js';
import { parseWorkflowSource } from '../../engine/load.js';
import { cloudyaHome } from '../../engine/config.js';
import { locate, type PathSegment } from '../../engine/locate.js';
import { pathText } from '../../engine/schema-errors.js';
import { didYouMean } from '../../engine/suggest.js';
import { POLICY_SCHEMA, CONDITION_KEYS } from './policy-schema.js';
import { compileConditions, RuleProblem, type Conditions, type MatchContext, type Verdict } from './match.js';
import type { Cmd } from './facts.js';
import { initShellParser } from './shell-parser.js';
import { extractCommands } from './extract.js';

export const DEFAULT_POLICY_FILE = fileURLToPath(new URL('../../../steps/validate/default-policy.yaml', import.meta.url));

export interface RuleSpec extends Conditions {
  id: string;
  verdict?: Verdict;
  reason?: string;
  description?: string;
  enabled?: boolean;
  from?: Conditions;
  examples?: { match?: string[]; notMatch?: string[] };
}

export interface PolicyDoc {
  apiVersion?: string;
  kind?: string;
  description?: string;
  default?: Verdict;
  groups?: Record<string, string[]>;
  paths?: Record<string, string[]>;
  programs?: Record<string, { valueFlags?: string[] }>;
  rules?: RuleSpec[];
}

export interface CompiledRule {
  id: string;
  verdict: Verdict;
  reason: string;
  test(cmd: Cmd): boolean;
}

export interface Policy {
  default: Verdict;
  rules: CompiledRule[];
  /** Where the layers came from, in order (files, or `inline`). */
  sources: string[];
}

export interface LoadPolicyOptions {
  /** The workflow's folder: a `policy` path is relative to it. */
  workflowDir?: string;
  /** The workflow's policy: a file path or an inline policy object. */
  policy?: string | object;
  /** Skip ~/.cloudya/policy.yaml (tests of the shipped default). */
  skipUser?: boolean;
  /**
   * Whose examples to check: `changed` (the default) checks every rule a user or
   * workflow layer gives or affects (any layer that sets groups, paths or programs
   * affects all rules); the shipped rules' own examples are checked by the test
   * suite, which loads with `all`.
   */
  examples?: 'all' | 'changed';
}

interface Layer {
  doc: PolicyDoc;
  /** A file name, or a label for an inline policy. */
  file: string;
  /** The file's text, for positions; absent for inline policies. */
  source?: string;
}

function policyError(layer: Layer, path: PathSegment[], message: string, at: 'key' | 'value' = 'value', hint?: string): CloudyaError {
  const opts = hint ? { hint } : {};
  if (layer.source === undefined) return new CloudyaError('E_POLICY', `${layer.file}${path.length ? ` ${pathText(path)}` : ''}: ${message}`, opts);
  const pos = locate(layer.file, layer.source, path, at);
  return new CloudyaError('E_POLICY', `${path.length ? `${pathText(path)}: ` : ''}${message}`, { ...opts, location: { file: layer.file, line: pos.line, col: pos.col } });
}

let validator: ((data: unknown) => boolean) & { errors?: Array<{ instancePath: string; keyword: string; message?: string; params: Record<string, unknown> }> | null };

async function checkSchema(layer: Layer): Promise<void> {
  if (!validator) {
    const mod = (await import('ajv/dist/2020.js')) as unknown as { default: new (o: object) => { compile(s: object): typeof validator } };
    const Ajv = (mod.default as unknown as { default?: typeof mod.default }).default ?? mod.default;
    validator = new Ajv({ allErrors: true, allowUnionTypes: true, strict: false }).compile(POLICY_SCHEMA);
  }
  if (validator(layer.doc)) return;
  const errors = (validator.errors ?? []).filter((e) => e.keyword !== 'if');
  const e = errors.find((x) => x.keyword === 'additionalProperties') ?? errors[0]!;
  const path: PathSegment[] = e.instancePath.split('/').slice(1).map((s) => (/^\d+$/.test(s) ? Number(s) : s.replace(/~1/g, '/').replace(/~0/g, '~')));
  if (e.keyword === 'additionalProperties') {
    const key = String(e.params.additionalProperty);
    const known = rulesKeys(path);
    const close = known && didYouMean(key, known);
    throw policyError(layer, [...path, key], `unknown key '${key}'`, 'key', close ? `did you mean '${close}'?` : undefined);
  }
  const allowed = e.params.allowedValues as unknown[] | undefined;
  throw policyError(layer, path, `${e.message ?? 'is invalid'}${allowed ? `: ${allowed.map((v) => JSON.stringify(v)).join(', ')}` : e.keyword === 'const' ? `: ${JSON.stringify(e.params.allowedValue)}` : ''}`);
}

function rulesKeys(path: PathSegment[]): string[] | undefined {
  if (path.length === 0) return Object.keys(POLICY_SCHEMA.properties);
  if (path[0] === 'rules' && path.length === 2) return ['id', 'verdict', 'reason', 'description', 'enabled', 'from', 'examples', ...CONDITION_KEYS];
  if (path[0] === 'rules' && path[2] === 'from') return [...CONDITION_KEYS];
  return undefined;
}

function readSource(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new CloudyaError('E_POLICY', `cannot read policy file ${file}: ${code === 'ENOENT' ? 'no such file' : (code ?? (err as Error).message)}`, { cause: err, hint: code === 'ENOENT' ? 'a workflow `policy:` path is relative to the workflow file' : undefined });
  }
}

function parseLayer(file: string, source: string): Layer {
  let value: unknown;
  try {
    value = parseWorkflowSource(file, source);
  } catch (err) {
    const d = err instanceof ValidationError ? err.diagnostics[0] : undefined;
    if (!d) throw err;
    throw new CloudyaError('E_POLICY', `the YAML cannot be parsed: ${d.message}`, { cause: err, location: { file, line: d.line, col: d.col }, ...(d.hint ? { hint: d.hint } : {}) });
  }
  if (value === undefined || value === null) value = {};
  if (typeof value !== 'object' || Array.isArray(value)) throw new CloudyaError('E_POLICY', 'a policy file must be a mapping (apiVersion, kind, rules…)', { location: { file, line: 1, col: 1 } });
  return { doc: value as PolicyDoc, file, source };
}

interface MergedRule {
  spec: RuleSpec;
  layer: Layer;
  index: number;
}

function merge(layers: Layer[]): { rules: MergedRule[]; ctx: MatchContext; default: Verdict; layers: Layer[] } {
  const rules = new Map<string, MergedRule>();
  const ctx: MatchContext = { groups: {}, paths: {}, valueFlags: {} };
  let verdict: Verdict = 'ask';
  for (const layer of layers) {
    const d = layer.doc;
    if (d.default) verdict = d.default;
    Object.assign(ctx.groups, d.groups);
    Object.assign(ctx.paths, d.paths);
    for (const [name, p] of Object.entries(d.programs ?? {})) ctx.valueFlags[name] = p.valueFlags ?? [];
    const seen = new Set<string>();
    (d.rules ?? []).forEach((r, index) => {
      if (seen.has(r.id)) throw policyError(layer, ['rules', index, 'id'], `two rules have the id '${r.id}'`);
      seen.add(r.id);
      const prev = rules.get(r.id);
      if (r.enabled === false) {
        rules.delete(r.id);
        return;
      }
      const spec: RuleSpec = { ...prev?.spec, ...r };
      if (prev && !r.examples && (CONDITION_KEYS.some((k) => k in r) || 'from' in r)) delete spec.examples;
      if (prev) rules.delete(r.id); // re-inserted below: a replaced rule keeps its place in the new layer's order
      rules.set(r.id, { spec, layer, index });
    });
  }
  return { rules: [...rules.values()], ctx, default: verdict, layers };
}

function compile(merged: ReturnType<typeof merge>): CompiledRule[] {
  return merged.rules.map(({ spec, layer, index }) => {
    const at = (key: string) => ['rules', index, ...key.split('.')] as PathSegment[];
    if (!spec.verdict) throw policyError(layer, at('id'), `rule '${spec.id}' has no verdict`, 'value', 'add verdict: allow, ask or deny');
    if (!spec.reason) throw policyError(layer, at('id'), `rule '${spec.id}' has no reason`, 'value', 'every verdict says why: add reason: "…"');
    try {
      return { id: spec.id, verdict: spec.verdict, reason: spec.reason, test: compileConditions(spec, merged.ctx) };
    } catch (err) {
      if (err instanceof RuleProblem) throw policyError(layer, at(err.key), err.message);
      throw err;
    }
  });
}

function checkExamples(merged: ReturnType<typeof merge>, rules: CompiledRule[], all: boolean): void {
  const shared = merged.layers.some((l) => l.file !== DEFAULT_POLICY_FILE && (l.doc.groups || l.doc.paths || l.doc.programs));
  merged.rules.forEach(({ spec, layer, index }, i) => {
    if (!all && !shared && layer.file === DEFAULT_POLICY_FILE) return;
    const rule = rules[i]!;
    for (const kind of ['match', 'notMatch'] as const) {
      (spec.examples?.[kind] ?? []).forEach((example, j) => {
        const matched = extractCommands(example).cmds.some((c) => rule.test(c));
        if (matched !== (kind === 'match')) throw policyError(layer, ['rules', index, 'examples', kind, j], `rule '${spec.id}' ${kind === 'match' ? 'does not match' : 'matches'} its example \`${example}\``);
      });
    }
  });
}

const cache = new Map<string, Policy>();

/** The effective policy: default, then ~/.cloudya/policy.yaml, then the workflow's. */
export async function loadPolicy(opts: LoadPolicyOptions = {}): Promise<Policy> {
  const files = [DEFAULT_POLICY_FILE];
  const user = join(cloudyaHome(), 'policy.yaml');
  if (!opts.skipUser && existsSync(user)) files.push(user);
  if (typeof opts.policy === 'string') files.push(resolve(opts.workflowDir ?? process.cwd(), opts.policy));
  const sources = files.map((f) => [f, readSource(f)] as const);
  const inline = opts.policy !== undefined && typeof opts.policy === 'object' ? (opts.policy as PolicyDoc) : undefined;
  const all = opts.examples === 'all';
  const key = JSON.stringify([sources, inline ?? null, all]);
  const hit = cache.get(key);
  if (hit) return hit;
  const layers = sources.map(([f, text]) => parseLayer(f, text));
  if (inline) layers.push({ doc: inline, file: 'with.policy' });
  // The shipped default is checked against the schema by its tests; skipping it here saves loading ajv.
  for (const l of layers) if (l.file !== DEFAULT_POLICY_FILE) await checkSchema(l);
  await initShellParser();
  const merged = merge(layers);
  const rules = compile(merged);
  checkExamples(merged, rules, all);
  const policy: Policy = { default: merged.default, rules, sources: layers.map((l) => l.file) };
  if (cache.size > 16) cache.clear();
  cache.set(key, policy);
  return policy;
}
