// Loading and validating workflows: every problem at once, each at the right line:col.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { FIXTURES, ROOT, tmpDir } from '../helpers.js';
import { checkWorkflowSource, loadWorkflow, validateWorkflow, validatorOrigin } from '../../engine/validate.js';
import { parseWorkflowSource, readWorkflowFile } from '../../engine/load.js';
import { locate } from '../../engine/locate.js';
import { didYouMean, suggestionHint } from '../../engine/suggest.js';
import { simpleReferences } from '../../engine/check-refs.js';
import { extractReferences } from '../../engine/expressions.js';
import { CloudyaError, ValidationError, type Diagnostic } from '../../engine/errors.js';

const fixture = (name: string) => join(FIXTURES, 'validate', `${name}.yaml`);

function check(name: string): Diagnostic[] {
  const file = fixture(name);
  return checkWorkflowSource(file, readFileSync(file, 'utf8')).diagnostics;
}

function only(name: string): Diagnostic {
  const ds = check(name);
  assert.is(ds.length, 1, JSON.stringify(ds, null, 2));
  return ds[0]!;
}

const wf = (steps: string, head = '') => `apiVersion: cloudya/v1\nkind: Workflow\nname: t\n${head}steps:\n${steps}`;
const diagnose = (source: string, opts = {}) => checkWorkflowSource('t.yaml', source, opts).diagnostics;

test('the schema validators are the precompiled ones', () => {
  assert.is(validatorOrigin, 'precompiled');
});

test('a valid workflow has no problems and loads', () => {
  assert.equal(check('valid'), []);
  const loaded = loadWorkflow(fixture('valid'));
  assert.is(loaded.workflow.name, 'valid');
  assert.is(loaded.workflow.steps.length, 2);
});

test('a YAML syntax error: E_YAML at the exact place, with the opening bracket in the hint', () => {
  const d = only('yaml-error');
  assert.is(d.code, 'E_YAML');
  assert.equal([d.line, d.col], [8, 3]);
  assert.match(d.message, /flow map/);
  assert.is(d.hint, 'the { opened at line 7, column 11 is never closed');
});

test('loadWorkflow throws a ValidationError for a YAML error', () => {
  try {
    loadWorkflow(fixture('yaml-error'));
    assert.unreachable();
  } catch (err) {
    assert.instance(err, ValidationError);
    assert.is((err as ValidationError).diagnostics[0]!.code, 'E_YAML');
    assert.is((err as ValidationError).exitCode, 2);
  }
});

test('a missing file is E_FILE_NOT_FOUND', () => {
  try {
    readWorkflowFile(join(tmpDir(), 'nope.yaml'));
    assert.unreachable();
  } catch (err) {
    assert.instance(err, CloudyaError);
    assert.is((err as CloudyaError).code, 'E_FILE_NOT_FOUND');
    assert.is((err as CloudyaError).hint, 'check the path for typos');
  }
  try {
    readWorkflowFile('no/such/wf.yaml');
    assert.unreachable();
  } catch (err) {
    assert.is((err as CloudyaError).hint, `check the path for typos; it is relative to the current folder, ${process.cwd()}`);
  }
});

test('an unknown top-level key points at the key, with a suggestion', () => {
  const d = only('unknown-top-key');
  assert.is(d.code, 'E_SCHEMA');
  assert.equal([d.line, d.col], [4, 1]);
  assert.is(d.message, "unknown key 'stesp' at the top level");
  assert.is(d.hint, "did you mean 'steps'?");
});

test('an unknown key inside with: is E_WITH_INVALID at the key', () => {
  const d = only('unknown-with-key');
  assert.is(d.code, 'E_WITH_INVALID');
  assert.equal([d.line, d.col], [9, 7]);
  assert.is(d.message, "unknown key 'comand' in with: of step 'a'");
  assert.is(d.hint, "did you mean 'command'?");
  assert.is(d.path, 'steps[0].with.comand');
});

test('a wrong type points at the value and says what was expected', () => {
  const d = only('wrong-type');
  assert.is(d.code, 'E_SCHEMA');
  assert.equal([d.line, d.col], [7, 14]);
  assert.is(d.message, 'steps[0].timeout must be a string or number, got boolean');
});

test('a cycle prints the cycle', () => {
  const d = only('cycle');
  assert.is(d.code, 'E_CYCLE');
  assert.equal([d.line, d.col], [7, 13]);
  assert.is(d.message, 'steps depend on each other in a cycle: a → c → b → a');
});

test('an unknown step type lists the known types', () => {
  const d = only('unknown-type');
  assert.is(d.code, 'E_UNKNOWN_STEP_TYPE');
  assert.equal([d.line, d.col], [6, 11]);
  assert.is(d.message, "unknown step type 'sandbx' in step 'a'");
  assert.match(d.hint!, /did you mean 'sandbox'\? known types: .*sandbox/);
});

test('an unknown need suggests the closest step', () => {
  const d = only('unknown-needs');
  assert.is(d.code, 'E_UNKNOWN_NEEDS');
  assert.equal([d.line, d.col], [10, 13]);
  assert.is(d.hint, "did you mean 'build'?");
});

test('reading the outputs of a step that is not an ancestor', () => {
  const d = only('non-ancestor-ref');
  assert.is(d.code, 'E_UNKNOWN_REF');
  assert.equal([d.line, d.col], [15, 24]);
  assert.is(d.message, "step 'c' reads steps.b.outputs but 'b' is not among its needs");
  assert.is(d.hint, "add 'b' to needs of 'c'");
});

test('an unknown param in an expression points inside the string', () => {
  const d = only('unknown-param');
  assert.is(d.code, 'E_UNKNOWN_REF');
  assert.equal([d.line, d.col], [10, 24]);
  assert.is(d.message, "unknown param 'regon' in {{params.regon}}");
  assert.is(d.hint, "did you mean 'region'?");
});

test('all problems are reported at once, sorted by position', () => {
  const ds = diagnose(wf(`  - id: a\n    type: sandbox\n    nedds: [x]\n  - id: a\n    type: nope\n    with: { command: "{{params.p}}" }\n`));
  assert.equal(ds.map((d) => d.code), ['E_WITH_INVALID', 'E_SCHEMA', 'E_DUPLICATE_ID', 'E_UNKNOWN_STEP_TYPE', 'E_UNKNOWN_REF']);
  const lines = ds.map((d) => d.line);
  assert.equal(lines, [...lines].sort((a, b) => a - b));
  assert.match(ds[2]!.message, /step id 'a' is used twice: here and at steps\[0\] \(line 5\)/);
});

test('the sandbox oneOf becomes one readable message', () => {
  const none = diagnose(wf(`  - id: a\n    type: sandbox\n    with: { cwd: /tmp }\n`));
  assert.is(none.length, 1);
  assert.is(none[0]!.message, "with: of step 'a' must give exactly one of command, argv, script (it gives none)");
  assert.equal([none[0]!.line, none[0]!.col], [7, 11]);
  const both = diagnose(wf(`  - id: a\n    type: sandbox\n    with: { command: x, argv: [y] }\n`));
  assert.is(both.length, 1);
  assert.is(both[0]!.message, "with: of step 'a' must give exactly one of command, argv, script (it gives command and argv)");
  assert.equal([both[0]!.line, both[0]!.col], [7, 25]);
  const missing = diagnose(wf(`  - id: a\n    type: sandbox\n`));
  assert.equal([missing[0]!.line, missing[0]!.col, missing[0]!.code], [5, 5, 'E_WITH_INVALID']);
});

test('a missing required key points at the mapping that lacks it', () => {
  const ds = diagnose(wf(`  - id: a\n    with: { command: x }\n`));
  assert.is(ds.length, 1);
  assert.is(ds[0]!.message, "step 'a' is missing required key 'type'");
  assert.equal([ds[0]!.line, ds[0]!.col], [5, 5]);
  const top = diagnose('apiVersion: cloudya/v1\nkind: Workflow\nsteps:\n  - { id: a, type: sandbox, with: { command: x } }\n');
  assert.is(top[0]!.message, "the workflow is missing required key 'name'");
  assert.equal([top[0]!.line, top[0]!.col], [1, 1]);
});

test('enum and duration messages name the allowed values', () => {
  const ds = diagnose(wf(`  - id: a\n    type: sandbox\n    retry: { attempts: 2, backoff: linar, delay: 10 seconds }\n    with: { command: x }\n`));
  assert.is(ds.length, 2);
  assert.match(ds[0]!.message, /steps\[0\]\.retry\.backoff must be one of 'constant', 'linear', 'exponential', got 'linar'/);
  assert.is(ds[0]!.hint, "did you mean 'linear'?");
  assert.match(ds[1]!.message, /'10 seconds' is not a duration/);
});

test('expression-valued with: fields are not type-checked before the run', () => {
  const ds = diagnose(wf(`  - id: a\n    type: sandbox\n    with: { argv: [echo], successCodes: "{{params.codes}}" }\n`, 'params:\n  codes: { type: array, default: [0] }\n'));
  assert.equal(ds, []);
});

test('expression rules: own outputs, rollback self-reference, finally steps, env and run', () => {
  const ok = diagnose(`apiVersion: cloudya/v1
kind: Workflow
name: t
env: [HOME]
steps:
  - id: a
    type: sandbox
    with: { command: "echo {{env.HOME}} {{run.id}}" }
    outputs: { first: "{{outputs.stdout}}" }
    rollback: { type: sandbox, with: { command: "echo {{steps.a.outputs.first}} {{outputs.stdout}}" } }
  - id: b
    type: sandbox
    needs: [a]
    with: { argv: [echo, "{{steps.a.status}}"] }
  - id: c
    type: sandbox
    needs: [b]
    when: "{{eq steps.a.status 'succeeded'}}"
    with: { command: "echo {{steps.a.outputs.first}}" }
finally:
  - id: f1
    type: sandbox
    with: { command: "echo {{steps.c.status}}" }
  - id: f2
    type: sandbox
    needs: [f1]
    with: { command: "echo {{steps.f1.outputs.stdout}}" }
`);
  assert.equal(ds(ok), []);
  const bad = diagnose(wf(`  - id: a\n    type: sandbox\n    with: { command: "{{outputs.x}} {{env.PATH}} {{run.nope}} {{foo}} {{steps.a.outputs.x}}" }\n`));
  assert.equal(bad.map((d) => d.code), ['E_UNKNOWN_REF', 'E_UNKNOWN_REF', 'E_UNKNOWN_REF', 'E_UNKNOWN_REF', 'E_UNKNOWN_REF']);
  assert.equal(bad.map((d) => d.col), [25, 39, 52, 65, 73]);
  const syntax = diagnose(wf(`  - id: a\n    type: sandbox\n    with: { command: "{{#if params.x}}y{{/each}}" }\n`, 'params: { x: {} }\n'));
  assert.is(syntax[0]!.code, 'E_EXPRESSION');
  function ds(list: Diagnostic[]) {
    return list.map((d) => `${d.line}:${d.col} ${d.message}`);
  }
});

test('params: defaults must match their type and enum; required params when values are given', () => {
  const ds = diagnose(wf(`  - { id: a, type: sandbox, with: { command: x } }\n`, 'params:\n  n: { type: integer, default: "x" }\n  e: { type: string, enum: [a, b], default: c }\n  r: { type: string, required: true }\n'), { params: {} });
  assert.equal(ds.map((d) => d.code), ['E_PARAM', 'E_PARAM', 'E_PARAM']);
  assert.is(ds[2]!.message, "missing required param 'r'");
  assert.is(ds[2]!.hint, 'pass --param r=…');
});

test('retry policies: maxDelay must not be shorter than delay; a step cannot need itself', () => {
  const ds = diagnose(wf(`  - id: a\n    type: sandbox\n    needs: [a]\n    retry: { attempts: 2, delay: 10s, maxDelay: 1s }\n    with: { command: x }\n`));
  assert.equal(ds.map((d) => d.code), ['E_CYCLE', 'E_SCHEMA']);
  assert.is(ds[0]!.message, "step 'a' needs itself");
});

test('a file that is not a workflow gets one message', () => {
  const ds = diagnose('on: push\njobs: {}\n');
  assert.is(ds.length, 1);
  assert.match(ds[0]!.message, /not a cloudya workflow/);
  assert.equal(diagnose('- a\n- b\n').map((d) => d.message), ['the workflow must be a mapping (apiVersion, kind, name, steps…), got a list']);
  assert.equal(diagnose('').map((d) => [d.code, d.message]), [['E_YAML', 'the file is empty']]);
});

test('a YAML error after many blank lines is reported at once (no regex backtracking)', () => {
  // A backtracking regex would hang here (the runner's per-file timeout catches it); no time is asserted.
  const ds = diagnose('\n'.repeat(40) + '# header\n\n  \n'.repeat(20) + 'a: [1\n');
  assert.is(ds[0]!.code, 'E_YAML');
  assert.equal(diagnose('\n\n# only a comment\n  \n').map((d) => d.message), ['the file is empty']);
});

test('duplicate keys and several documents are YAML errors', () => {
  assert.equal(diagnose('a: 1\na: 2\n').map((d) => [d.code, d.line, d.col]), [['E_YAML', 2, 1]]);
  assert.equal(diagnose('a: 1\n---\nb: 2\n').map((d) => [d.code, d.message]), [['E_YAML', 'the file holds more than one YAML document']]);
});

test('locate: keys, values, offsets in scalars, and the nearest ancestor of a missing path', () => {
  const src = 'a:\n  b: [x, "y {{z}}"]\n  c: plain {{q}}\n  d: |\n    one\n    two {{w}}\n';
  assert.equal(locate('f', src, ['a', 'b'], 'key'), { line: 2, col: 3 });
  assert.equal(locate('f', src, ['a', 'b', 1]), { line: 2, col: 10 });
  assert.equal(locate('f', src, ['a', 'b', 1], 'value', 2), { line: 2, col: 13 });
  assert.equal(locate('f', src, ['a', 'c'], 'value', 6), { line: 3, col: 12 });
  assert.equal(locate('f', src, ['a', 'd'], 'value', 8), { line: 6, col: 9 });
  assert.equal(locate('f', src, ['a', 'missing', 'deeper'], 'key'), { line: 1, col: 1 });
  assert.equal(locate('f', src, ['a', 'b', 7]), { line: 2, col: 3 });
});

test('didYouMean: close words only, transpositions count once', () => {
  assert.is(didYouMean('nedds', ['needs', 'name']), 'needs');
  assert.is(didYouMean('neesd', ['needs']), 'needs');
  assert.is(didYouMean('Steps', ['steps']), 'steps');
  assert.is(didYouMean('xyz', ['needs', 'steps']), undefined);
  assert.is(didYouMean('a', ['b']), undefined);
});

test('the fast reference scan agrees with the expression parser', () => {
  const samples = [
    'echo {{params.x}}',
    '{{ steps.build-1.outputs.ip }}:22 and {{env.HOME}}',
    'a {{run.id}} b {{outputs.stdout}} c',
    'line1\n  {{steps.a.status}}\n',
  ];
  for (const s of samples) assert.equal(simpleReferences(s), extractReferences(s), s);
  for (const s of ['{{eq params.x 1}}', '{{#if params.x}}y{{/if}}', '{{{params.x}}}', '{{params}}', '\\{{params.x}}']) assert.is(simpleReferences(s), undefined, s);
});

test('the published schema (with per-type with: blocks) accepts the fixtures that are valid and rejects bad with: blocks', async () => {
  const { default: Ajv2020 } = (await import('ajv/dist/2020.js')) as unknown as { default: new (o: object) => { compile(s: object): ((d: unknown) => boolean) & { errors?: unknown[] } } };
  const schema = JSON.parse(readFileSync(join(ROOT, 'schemas', 'workflow.schema.json'), 'utf8')) as Record<string, unknown>;
  assert.is(schema.$schema, 'https://json-schema.org/draft/2020-12/schema');
  const validate = new Ajv2020({ allErrors: true, allowUnionTypes: true }).compile(schema);
  const valid = parseWorkflowSource('v', readFileSync(fixture('valid'), 'utf8'));
  assert.ok(validate(valid), JSON.stringify(validate.errors));
  const badWith = parseWorkflowSource('v', readFileSync(fixture('unknown-with-key'), 'utf8'));
  assert.not.ok(validate(badWith));
});

test('compiling at run time (when dist/engine/validators.js is missing) gives the same verdicts', async () => {
  const { compileValidators } = await import('../../engine/schema-compile.js');
  const { default: sandbox } = await import('../../steps/sandbox.js');
  const v = await compileValidators({ sandbox: sandbox.schema as object });
  for (const name of ['valid', 'unknown-top-key', 'wrong-type']) {
    const data = parseWorkflowSource('v', readFileSync(fixture(name), 'utf8'));
    assert.is(v.document(data), name === 'valid', name);
  }
  assert.is(v.with.sandbox!({ command: 'x' }), true);
  assert.is(v.with.sandbox!({ comand: 'x' }), false);
});

test('a generated 1000-step workflow validates', () => {
  let src = 'apiVersion: cloudya/v1\nkind: Workflow\nname: big\nparams:\n  who: { type: string, default: world }\nsteps:\n';
  for (let i = 0; i < 1000; i++) {
    src += `  - id: step_${i}\n    type: sandbox\n${i ? `    needs: [step_${i - 1}]\n` : ''}    retry: { attempts: 3, delay: 1s }\n`;
    src += `    with:\n      command: "echo {{params.who}} ${i ? `{{steps.step_${i - 1}.outputs.stdout}}` : ''}"\n`;
  }
  const file = join(tmpDir(), 'big.yaml');
  writeFileSync(file, src);
  const loaded = loadWorkflow(file);
  assert.is(loaded.workflow.steps.length, 1000);
  // A far reference is fine through the chain of needs.
  const far = src.replace('{{steps.step_998.outputs.stdout}}', '{{steps.step_3.outputs.stdout}}');
  assert.equal(validateWorkflow(file, far, parseWorkflowSource(file, far)), []);
});

test('timeouts must be between 1ms and 24d; retry delays at most 24d (Node timers hold 2^31-1 ms)', () => {
  const ds = diagnose(`apiVersion: cloudya/v1
kind: Workflow
name: t
timeout: 99999h
defaults: { timeout: 0, retry: { attempts: 2, delay: 0, maxDelay: 25d } }
steps:
  - id: a
    type: sandbox
    timeout: 1e20
    retry: { attempts: 3, delay: 30d }
    rollback: { type: sandbox, timeout: 0s, with: { command: x } }
    with: { command: x }
  - { id: b, type: sandbox, timeout: .inf, with: { command: x } }
finally:
  - { id: f, type: sandbox, timeout: 2147483648, with: { command: x } }
`);
  assert.equal(ds.map((d) => `${d.line}:${d.col} ${d.message}`), [
    "4:10 timeout must be between 1ms and 24d, got '99999h'",
    '5:22 defaults.timeout must be between 1ms and 24d, got 0',
    "5:67 defaults.retry.maxDelay must be at most 24d, got '25d'",
    '9:14 steps[0].timeout must be between 1ms and 24d, got 100000000000000000000',
    "10:34 steps[0].retry.delay must be at most 24d, got '30d'",
    "11:41 steps[0].rollback.timeout must be between 1ms and 24d, got '0s'",
    '13:38 steps[1].timeout must be a string or number, got Infinity',
    '15:38 finally[0].timeout must be between 1ms and 24d, got 2147483648',
  ]);
  assert.ok(ds.every((d) => d.code === 'E_SCHEMA'));
  assert.is(ds.filter((d) => d.line === 13).length, 1);
  assert.match(ds[0]!.hint!, /leave timeout: out for no limit/);
  // The largest values that fit, days as a unit, and a zero retry delay are fine.
  const ok = diagnose(wf(`  - id: a\n    type: sandbox\n    timeout: 24d\n    retry: { attempts: 2, delay: 0, maxDelay: 2147483647 }\n    with: { command: x }\n`, 'timeout: 1d12h\ndefaults: { timeout: 1ms }\n'));
  assert.equal(ok, []);
});

test('a number or boolean where text is expected: the hint quotes it as written', () => {
  const ds = diagnose(`apiVersion: cloudya/v1
kind: Workflow
name: 123
steps:
  - id: a
    type: sandbox
    with: { command: x, env: { A: 1, B: true, C: 1.10 } }
`);
  assert.equal(ds.map((d) => [d.message, d.hint]), [
    ['name must be a string, got integer', 'quote it: name: "123"'],
    ['steps[0].with.env.A must be a string, got integer', 'quote it: A: "1"'],
    ['steps[0].with.env.B must be a string, got boolean', 'quote it: B: "true"'],
    ['steps[0].with.env.C must be a string, got number', 'quote it: C: "1.10"'],
  ]);
  const list = diagnose(wf(`  - { id: a, type: sandbox, with: { argv: [echo, 5] } }\n`));
  assert.equal(list.map((d) => d.hint), ['quote it: "5"']);
  const mapping = diagnose(wf(`  - { id: a, type: sandbox, with: { command: x } }\n`).replace('name: t', 'name: { a: 1 }'));
  assert.equal(mapping.map((d) => [d.message, d.hint]), [['name must be a string, got a mapping', 'name is a short text naming the workflow, e.g. name: deploy-web']]);
});

test('concurrency problems say what concurrency is', () => {
  for (const value of ['0', 'four', '1.5']) {
    const ds = diagnose(wf(`  - { id: a, type: sandbox, with: { command: x } }\n`, `concurrency: ${value}\n`));
    assert.is(ds.length, 1, value);
    assert.is(ds[0]!.hint, 'concurrency is how many steps may run at once: an integer ≥ 1, e.g. concurrency: 4', value);
  }
});

test('reading an unknown step: a close id is suggested, else the ids are listed', () => {
  const ds = diagnose(wf(`  - { id: build, type: sandbox, with: { command: x } }\n  - { id: deploy, type: sandbox, needs: [build], with: { command: "{{steps.biuld.outputs.x}} {{steps.zz.status}}" } }\n`));
  assert.equal(ds.map((d) => [d.message, d.hint]), [
    ["step 'deploy' reads steps.biuld.outputs, but there is no step 'biuld'", "did you mean 'build'?"],
    ["step 'deploy' reads steps.zz.status, but there is no step 'zz'", 'steps: build, deploy'],
  ]);
  const many = Array.from({ length: 14 }, (_, i) => `s${i}`);
  assert.is(suggestionHint('zzzz', many, 'steps'), 'steps: s0, s1, s2, s3, s4, s5, s6, s7, s8, s9 and 4 more');
});

test('YAML merge keys get one plain message, not unknown-key and missing-key noise', () => {
  const ds = diagnose(`apiVersion: cloudya/v1
kind: Workflow
name: m
steps:
  - &base
    id: a
    type: sandbox
    with: { command: x }
  - id: b
    <<: *base
  - id: c
    type: sandbox
    with:
      <<: { command: echo }
`);
  assert.equal(ds.map((d) => `${d.line}:${d.col} ${d.code} ${d.message}`), [
    '10:5 E_SCHEMA YAML merge keys (<<) are not supported; repeat the keys or use defaults:',
    '14:7 E_SCHEMA YAML merge keys (<<) are not supported; repeat the keys or use defaults:',
  ]);
});

test('a misspelt required key gets one message: the did-you-mean of the unknown key', () => {
  const ds = diagnose('apiversion: cloudya/v1\nkind: Workflow\nname: t\nsteps:\n  - { id: a, type: sandbox, with: { command: x } }\n');
  assert.equal(ds.map((d) => [d.message, d.hint]), [["unknown key 'apiversion' at the top level", "did you mean 'apiVersion'?"]]);
  const missing = diagnose('kind: Workflow\nname: t\nsteps:\n  - { id: a, type: sandbox, with: { command: x } }\n');
  assert.equal(missing.map((d) => d.message), ["the workflow is missing required key 'apiVersion'"]);
});

test('an optional param without a default may be read (it is null at run time)', () => {
  const ds = diagnose(wf(`  - { id: a, type: sandbox, with: { command: "echo {{default params.f 3}} {{params.f}}" } }\n`, 'params:\n  f: { type: number }\n'));
  assert.equal(ds, []);
  assert.equal(diagnose(wf(`  - { id: a, type: sandbox, with: { command: "echo {{default params.f 3}}" } }\n`, 'params:\n  f: { type: number }\n'), { params: {} }), []);
});

test.run();
