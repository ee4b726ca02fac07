// The JSON Schema of a cloudya/v1 workflow: the contract for YAML authors and editors
// (published as schemas/workflow.schema.json) and, without the per-type `with:`
// schemas, what `validate` checks the document against.
import { createHash } from 'node:crypto';
import { BACKOFFS, PARAM_TYPES } from './types.js';

export const SCHEMA_BASE = 'https://cloudya.dev/schemas/';
export const WORKFLOW_SCHEMA_ID = `${SCHEMA_BASE}workflow.schema.json`;
// One or more number+unit parts, as engine/duration.ts reads them ('1h30m', '1.5m').
export const DURATION_PATTERN = '^\\s*(\\d+(\\.\\d+)?\\s*(ms|s|m|h|d)\\s*)+$';
export const ID_PATTERN = '^[a-zA-Z_][a-zA-Z0-9_-]*$';
export const ENV_NAME_PATTERN = '^[A-Za-z_][A-Za-z0-9_]*$';

/** ajv options shared by the build-time compiler and the runtime fallback. */
export const AJV_OPTIONS = { allErrors: true, verbose: true, allowUnionTypes: true, strictTypes: false, strictTuples: false, strictRequired: false } as const;

/** The `$id` of a step type's `with:` schema when compiled on its own. */
export function withSchemaId(type: string): string {
  return `${SCHEMA_BASE}steps/${type}.with.schema.json`;
}

const duration = {
  type: ['string', 'number'],
  pattern: DURATION_PATTERN,
  minimum: 0,
  description: 'A duration: "500ms", "30s", "1.5m", "2h", "1h30m", "1d", or a number of milliseconds (timeouts: 1ms to 24d; retry delays: 0 to 24d)',
};

const retryPolicy = {
  type: ['integer', 'object'],
  description: 'Total attempts (1 = no retry), or a policy',
  minimum: 1,
  properties: {
    attempts: { type: 'integer', minimum: 1, description: 'Total attempts including the first' },
    backoff: { type: 'string', enum: [...BACKOFFS], description: 'How the delay grows between attempts' },
    delay: { $ref: '#/$defs/duration', description: 'Delay before the second attempt' },
    maxDelay: { $ref: '#/$defs/duration', description: 'Upper bound of the delay' },
    jitter: {
      type: ['boolean', 'number'],
      minimum: 0,
      maximum: 1,
      description: 'true = up to 50% of the delay is randomised away; a number 0..1 sets that fraction',
    },
  },
  required: ['attempts'],
  additionalProperties: false,
};

const param = {
  type: 'object',
  properties: {
    type: { type: 'string', enum: [...PARAM_TYPES], description: 'Values given as text are converted to this type' },
    default: { description: 'Used when the param is not given' },
    required: { type: 'boolean', description: 'The run refuses to start without it' },
    enum: { type: 'array', minItems: 1, description: 'The allowed values' },
    secret: { type: 'boolean', description: 'Masked in logs and never written to the run directory' },
    description: { type: 'string' },
  },
  additionalProperties: false,
};

function stepSchema(types: readonly string[]): Record<string, unknown> {
  const typeProp = { type: 'string', minLength: 1, description: 'The step type', ...(types.length ? { examples: [...types] } : {}) };
  return {
    type: 'object',
    properties: {
      id: { type: 'string', pattern: ID_PATTERN, description: 'Unique id; other steps read `{{steps.<id>.outputs.…}}`' },
      type: typeProp,
      name: { type: 'string', description: 'A display name' },
      description: { type: 'string' },
      with: { type: 'object', description: "The step's input; its schema depends on `type`" },
      needs: { type: 'array', items: { type: 'string', minLength: 1 }, uniqueItems: true, description: 'Steps that must succeed before this one runs' },
      when: { type: ['string', 'boolean'], description: 'Run only when this renders truthy' },
      retry: { $ref: '#/$defs/retry' },
      timeout: { $ref: '#/$defs/duration' },
      rollback: {
        type: ['boolean', 'object'],
        description: "false disables compensation; a step block replaces the type's own rollback",
        properties: {
          type: typeProp,
          with: { type: 'object' },
          timeout: { $ref: '#/$defs/duration' },
        },
        required: ['type'],
        additionalProperties: false,
        if: { type: 'boolean' },
        then: { const: false },
      },
      continueOnError: { type: 'boolean', description: 'A failure of this step does not fail the run' },
      outputs: {
        type: 'object',
        propertyNames: { pattern: ID_PATTERN },
        additionalProperties: { type: 'string' },
        description: 'Extra outputs rendered from `{{outputs.…}}` and the usual context',
      },
    },
    required: ['id', 'type'],
    additionalProperties: false,
  };
}

const EXPRESSION = { type: 'string', pattern: '\\{\\{', description: 'An expression, rendered when the step runs' };
const VALUE_KEYWORDS = ['type', 'enum', 'const', 'pattern', 'minimum', 'maximum', 'minLength', 'maxLength', 'minItems', 'maxItems'];

/**
 * For editors: a `with:` value may be an expression (`"{{params.codes}}"`) wherever the
 * schema expects something else, since it gets its real value when the step runs.
 */
export function allowExpressions(schema: unknown, root = true): unknown {
  if (schema === null || typeof schema !== 'object' || Array.isArray(schema)) return schema;
  const s: Record<string, unknown> = { ...(schema as Record<string, unknown>) };
  const map = (v: unknown) => Object.fromEntries(Object.entries(v as object).map(([k, x]) => [k, allowExpressions(x, false)]));
  if (s.properties) s.properties = map(s.properties);
  if (s.patternProperties) s.patternProperties = map(s.patternProperties);
  if (s.additionalProperties && typeof s.additionalProperties === 'object') s.additionalProperties = allowExpressions(s.additionalProperties, false);
  if (s.items && typeof s.items === 'object') s.items = allowExpressions(s.items, false);
  const plainString = s.type === 'string' && !['enum', 'const', 'pattern', 'maxLength'].some((k) => k in s);
  if (root || plainString || !VALUE_KEYWORDS.some((k) => k in s)) return s;
  const { description, ...rest } = s;
  return { ...(description !== undefined ? { description } : {}), anyOf: [rest, EXPRESSION] };
}

/**
 * The whole workflow schema. With `stepSchemas` (type → schema of its `with:` block),
 * each step's `with:` is also described for its type, for editors.
 */
export function buildWorkflowSchema(stepSchemas: Record<string, object> = {}): Record<string, unknown> {
  const types = Object.keys(stepSchemas).sort();
  const step = stepSchema(types);
  const defs: Record<string, unknown> = { duration, retry: retryPolicy, param, step };
  if (types.length) {
    for (const t of types) defs[`with-${t}`] = allowExpressions(stepSchemas[t]);
    step.allOf = types.map((t) => ({
      if: { properties: { type: { const: t } }, required: ['type'] },
      then: { properties: { with: { $ref: `#/$defs/with-${t}` } } },
    }));
  }
  return {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    $id: WORKFLOW_SCHEMA_ID,
    title: 'cloudya workflow (cloudya/v1)',
    type: 'object',
    properties: {
      apiVersion: { const: 'cloudya/v1' },
      kind: { const: 'Workflow' },
      name: { type: 'string', minLength: 1 },
      description: { type: 'string' },
      params: {
        type: 'object',
        propertyNames: { pattern: ID_PATTERN },
        additionalProperties: { $ref: '#/$defs/param' },
        description: 'Inputs given with `--param name=value`, read as `{{params.name}}`',
      },
      env: {
        type: 'array',
        items: { type: 'string', pattern: ENV_NAME_PATTERN },
        uniqueItems: true,
        description: 'Environment variables expressions may read as `{{env.NAME}}`',
      },
      defaults: {
        type: 'object',
        properties: {
          retry: { $ref: '#/$defs/retry' },
          timeout: { $ref: '#/$defs/duration' },
          continueOnError: { type: 'boolean' },
        },
        additionalProperties: false,
      },
      concurrency: { type: 'integer', minimum: 1, description: 'Most steps running at once' },
      timeout: { $ref: '#/$defs/duration', description: 'Timeout of the whole run' },
      steps: { type: 'array', minItems: 1, items: { $ref: '#/$defs/step' } },
      finally: { type: 'array', items: { $ref: '#/$defs/step' }, description: 'Steps run after the others, whatever happened' },
    },
    required: ['apiVersion', 'kind', 'name', 'steps'],
    additionalProperties: false,
    $defs: defs,
  };
}

/** A short hash of a schema, so a stale precompiled validator can be recognised. */
export function schemaFingerprint(schema: unknown): string {
  return createHash('sha1').update(JSON.stringify(schema)).digest('hex').slice(0, 16);
}
