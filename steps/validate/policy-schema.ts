// The JSON Schema of a policy file. schemas/policy.schema.json is this object
// written out (`node dist/steps/validate/policy-schema.js --write`); a test
// checks that the two agree. No `$ref`s: the `validate` step embeds it in its
// `with.policy` schema, where references would not resolve.
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const VERDICT = { type: 'string', enum: ['allow', 'ask', 'deny'] } as const;
const names = (description: string) => ({ type: ['string', 'array'], items: { type: 'string', minLength: 1 }, minLength: 1, minItems: 1, description });

const CONDITIONS = {
  program: names('Program names (basename), globs (`mkfs.*`), `@group`, or `$dynamic` (a name only known at run time)'),
  args: { type: 'array', items: { type: 'string', minLength: 1 }, minItems: 1, description: 'Patterns for the leading positional arguments, in order: globs with `|` alternatives; `**` stands for any number of them' },
  flags: names('Any of these options is present (`-r` also matches `-rf`; `--force` also `--force=x`)'),
  argMatches: { type: 'string', minLength: 1, description: 'A regular expression some argument matches' },
  target: names('Some path argument (or `key=PATH`, `@PATH`) matches these path globs or `@paths` lists'),
  lastTarget: names('The last path argument matches (the destination of cp, mv, ln, install…)'),
  writes: names('A redirection writes to a matching path (`>`, `>>`, `&>`, `<>`)'),
  reads: names('A redirection reads from a matching path (`<`)'),
  redirect: names('Any redirection to or from a matching path'),
  assigns: names('The command sets one of these variables (prefix, `env`, `export`, or a bare assignment)'),
  script: { type: ['string', 'array'], items: { enum: ['parsed', 'inline', 'stdin', 'file', 'dynamic', 'none'] }, pattern: '^(parsed|inline|stdin|file|dynamic|none)$', minItems: 1, description: 'Where an interpreter gets its code: parsed (judged here), inline (another language), stdin, file, dynamic, none' },
  recursive: { type: 'boolean', description: 'The command calls the shell function it is defined in (fork bombs)' },
  dynamic: { type: 'boolean', description: 'Some argument is only known at run time' },
} as const;

const CONDITION_PROPS = CONDITIONS;

export const CONDITION_KEYS = Object.keys(CONDITION_PROPS) as Array<keyof typeof CONDITION_PROPS>;

const RULE = {
  type: 'object',
  properties: {
    id: { type: 'string', pattern: '^[a-z0-9][a-z0-9.-]*$', description: 'Names the rule in verdicts; a later policy replaces (or, with fewer keys, amends) the rule with the same id' },
    verdict: VERDICT,
    reason: { type: 'string', minLength: 1, description: 'Why: shown with every verdict this rule decides' },
    description: { type: 'string' },
    enabled: { type: 'boolean', description: 'false removes an inherited rule' },
    ...CONDITION_PROPS,
    from: {
      type: 'object',
      properties: CONDITION_PROPS,
      additionalProperties: false,
      minProperties: 1,
      description: 'Some command whose output reaches this one (earlier in the pipeline, or inside its $(…) or <(…)) matches these conditions',
    },
    examples: {
      type: 'object',
      properties: {
        match: { type: 'array', items: { type: 'string' }, description: 'Commands this rule must match; checked when the policy loads' },
        notMatch: { type: 'array', items: { type: 'string' }, description: 'Commands this rule must not match' },
      },
      additionalProperties: false,
    },
  },
  required: ['id'],
  additionalProperties: false,
} as const;

const LISTS = { type: 'object', additionalProperties: { type: 'array', items: { type: 'string', minLength: 1 } } } as const;

/** The policy document, without `$schema`/`$id` (see policySchemaDocument). */
export const POLICY_SCHEMA = {
  type: 'object',
  properties: {
    apiVersion: { const: 'cloudya/v1' },
    kind: { const: 'Policy' },
    description: { type: 'string' },
    default: { ...VERDICT, description: 'The verdict for a command no rule matches (default ask)' },
    groups: { ...LISTS, description: 'Named lists of programs, used as `@name` in `program`' },
    paths: { ...LISTS, description: 'Named lists of path globs (`!glob` excepts), used as `@name` in target/writes/reads/redirect' },
    programs: {
      type: 'object',
      additionalProperties: {
        type: 'object',
        properties: { valueFlags: { type: 'array', items: { type: 'string' }, description: 'Options that take the next argument as their value (skipped when matching `args`)' } },
        additionalProperties: false,
      },
    },
    rules: { type: 'array', items: RULE },
  },
  additionalProperties: false,
} as const;

export function policySchemaDocument(): Record<string, unknown> {
  return {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    $id: 'https://cloudya.dev/schemas/policy.schema.json',
    title: 'cloudya policy (validate step)',
    ...POLICY_SCHEMA,
  };
}

export const POLICY_SCHEMA_FILE = fileURLToPath(new URL('../../../schemas/policy.schema.json', import.meta.url));

if (process.argv[1] === fileURLToPath(import.meta.url) && process.argv[2] === '--write') {
  writeFileSync(POLICY_SCHEMA_FILE, JSON.stringify(policySchemaDocument(), null, 2) + '\n');
}
