// Params: flags, params files, CLOUDYA_PARAM_* variables, defaults; types and problems.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { join } from 'node:path';
import { parseParamArgs, readParamsFile, readParamsFiles, resolveParams, paramEnvName } from '../../src/params.js';
import { parseWorkflowSource } from '../../engine/load.js';
import { CloudyaError, ValidationError } from '../../engine/errors.js';
import { tmpFiles } from '../helpers.js';
import type { Workflow } from '../../engine/types.js';

const source = `apiVersion: cloudya/v1
kind: Workflow
name: p
params:
  region: { type: string, default: eu-west-3 }
  count: { type: integer, default: 1 }
  ratio: { type: number }
  debug: { type: boolean, default: false }
  tags: { type: array }
  extra: { type: object }
  size: { type: string, enum: [small, large], default: small }
  password: { type: string, required: true, secret: true }
steps:
  - { id: a, type: sandbox, with: { command: "true" } }
`;
const workflow = parseWorkflowSource('p.yaml', source) as Workflow;
const resolve = (given: Record<string, unknown>, env: NodeJS.ProcessEnv = {}) => resolveParams(workflow, 'p.yaml', source, given, env);

function problems(fn: () => unknown): { code: string; message: string; file: string; line: number; col: number; hint?: string }[] {
  try {
    fn();
  } catch (err) {
    assert.instance(err, ValidationError);
    return (err as ValidationError).diagnostics;
  }
  assert.unreachable('expected a ValidationError');
  return [];
}

test('parseParamArgs: name=value, the value keeps = and commas; bad flags are E_USAGE', () => {
  assert.equal(parseParamArgs(['a=1', 'b=x=y,z', 'c=']), { a: '1', b: 'x=y,z', c: '' });
  assert.equal(parseParamArgs('a=1'), { a: '1' });
  assert.equal(parseParamArgs(undefined), {});
  for (const bad of ['novalue', '=x']) {
    try {
      parseParamArgs([bad]);
      assert.unreachable();
    } catch (err) {
      assert.is((err as CloudyaError).code, 'E_USAGE');
    }
  }
});

test('defaults, env and given values in that order of precedence, converted to their types', () => {
  const r = resolve(
    { password: 's3cret', count: '3', tags: '["a","b"]', debug: 'yes' },
    { CLOUDYA_PARAM_COUNT: '9', CLOUDYA_PARAM_RATIO: '0.5', CLOUDYA_PARAM_EXTRA: '{"k":1}', CLOUDYA_PARAM_REGION: 'us-east-1' },
  );
  assert.equal(r.values, { region: 'us-east-1', count: 3, ratio: 0.5, debug: true, tags: ['a', 'b'], extra: { k: 1 }, size: 'small', password: 's3cret' });
  assert.equal(r.secrets, ['password']);
});

test('an empty CLOUDYA_PARAM_* variable counts as not set: a required param is still missing', () => {
  const ds = problems(() => resolve({}, { CLOUDYA_PARAM_PASSWORD: '' }));
  assert.ok(ds.some((d) => d.code === 'E_PARAM' && /password/.test(d.message)), JSON.stringify(ds));
  assert.is(resolve({}, { CLOUDYA_PARAM_PASSWORD: 'pw', CLOUDYA_PARAM_REGION: '' }).values.region, 'eu-west-3');
});

test('the env variable name is upper case with other characters as _', () => {
  assert.is(paramEnvName('admin-password'), 'CLOUDYA_PARAM_ADMIN_PASSWORD');
});

test('missing required, unknown names, wrong types and enum values are all reported', () => {
  const ds = problems(() => resolve({ regon: 'x', count: 'many', size: 'smal' }));
  assert.equal(ds.map((d) => d.code), ['E_PARAM', 'E_PARAM', 'E_PARAM', 'E_PARAM']);
  const byMsg = (re: RegExp) => ds.find((d) => re.test(d.message))!;
  const unknown = byMsg(/unknown param 'regon'/);
  assert.is(unknown.hint, "did you mean 'region'?");
  assert.equal([unknown.line, unknown.col], [4, 1]);
  const count = byMsg(/param 'count' must be an integer, got 'many' \(from --param count\)/);
  assert.equal([count.line, count.col], [6, 3]);
  assert.is(byMsg(/param 'size' must be one of "small", "large", got "smal"/).hint, "did you mean 'small'?");
  const missing = byMsg(/missing required param 'password'/);
  assert.match(missing.hint!, /--param password=/);
  assert.equal([missing.line, missing.col], [12, 3]);
});

test('values from a params file keep their YAML types', () => {
  const dir = tmpFiles({ 'p.yaml': 'count: 4\nregion: 12\npassword: x\n', 'p.json': '{"debug": true, "password": "y"}', 'bad.yaml': '- 1\n' });
  const r = resolve(readParamsFile(join(dir, 'p.yaml')));
  assert.is(r.values.count, 4);
  assert.is(r.values.region, '12');
  assert.is(resolve(readParamsFile(join(dir, 'p.json'))).values.debug, true);
  try {
    readParamsFile(join(dir, 'bad.yaml'));
    assert.unreachable();
  } catch (err) {
    assert.is((err as CloudyaError).code, 'E_PARAM');
  }
  assert.equal(problems(() => resolve({ count: 1.5, password: 'x' })).map((d) => d.message), ["param 'count' must be an integer, got number (from --param count)"]);
});

test('the value of a secret param is never shown in a problem', () => {
  const src = `apiVersion: cloudya/v1
kind: Workflow
name: s
params:
  pin: { type: integer, secret: true, required: true }
  tier: { type: string, secret: true, enum: [gold, silver], default: gold }
  plain: { type: integer, default: 1 }
steps:
  - { id: a, type: sandbox, with: { command: "true" } }
`;
  const wf = parseWorkflowSource('s.yaml', src) as Workflow;
  const ds = problems(() => resolveParams(wf, 's.yaml', src, { pin: 'MySecretPin99', tier: 'gld', plain: 'x' }, {}));
  assert.equal(ds.map((d) => d.message), [
    "param 'pin' must be an integer, got a value that is not an integer (from --param pin)",
    "param 'tier' must be one of \"gold\", \"silver\", got a value that is not one of them (from --param tier)",
    "param 'plain' must be an integer, got 'x' (from --param plain)",
  ]);
  assert.not.ok(JSON.stringify(ds).includes('MySecretPin99'));
  assert.not.ok(JSON.stringify(ds).includes('gld'));
  const fromEnv = problems(() => resolveParams(wf, 's.yaml', src, {}, { CLOUDYA_PARAM_PIN: '12ab34' }));
  assert.not.ok(JSON.stringify(fromEnv).includes('12ab34'));
  const fromFile = problems(() => resolveParams(wf, 's.yaml', src, { pin: [1, 2] }, {}));
  assert.equal(fromFile.map((d) => d.message), ["param 'pin' must be an integer, got a value that is not an integer (from --param pin)"]);
});

test('problems with values from a params file point at that file', () => {
  const dir = tmpFiles({ 'pf.yaml': 'password: x\nbogus: 1\ncount: abc\nsize: smal\n', 'pf.json': '{\n  "password": "y",\n  "count": "many"\n}\n' });
  const pf = join(dir, 'pf.yaml');
  const ds = problems(() => resolve(readParamsFile(pf)));
  assert.equal(ds.map((d) => `${d.file}:${d.line}:${d.col} ${d.message}`), [
    `${pf}:2:1 unknown param 'bogus'`,
    `${pf}:3:8 param 'count' must be an integer, got 'abc' (from ${pf})`,
    `${pf}:4:7 param 'size' must be one of "small", "large", got "smal" (from ${pf})`,
  ]);
  // A flag that overrides a file value is blamed on the flag (the workflow's declaration).
  const flags = problems(() => resolve({ ...readParamsFile(pf), ...parseParamArgs(['count=zz', 'size=small', 'bogus2=1']) }));
  assert.equal(flags.map((d) => `${d.file}:${d.line}:${d.col} ${d.message}`), [
    "p.yaml:4:1 unknown param 'bogus2'",
    "p.yaml:6:3 param 'count' must be an integer, got 'zz' (from --param count)",
    `${pf}:2:1 unknown param 'bogus'`,
  ]);
  // JSON params files are located too.
  const pj = join(dir, 'pf.json');
  const json = problems(() => resolve(readParamsFile(pj)));
  assert.equal(json.map((d) => `${d.file}:${d.line}:${d.col}`), [`${pj}:3:12`]);
});

test('several params files: later ones win, each problem at its own file; bad --params-file values are E_USAGE', () => {
  const dir = tmpFiles({ 'a.yaml': 'password: x\ncount: 2\nregion: a\n', 'b.json': '{"count": 3, "ratio": "half"}', 'empty.yaml': '# nothing yet\n' });
  const [a, b] = [join(dir, 'a.yaml'), join(dir, 'b.json')];
  const merged = readParamsFiles([a, b]);
  assert.equal({ ...merged }, { password: 'x', count: 3, region: 'a', ratio: 'half' });
  const ds = problems(() => resolve(merged));
  assert.equal(ds.map((d) => `${d.file}:${d.line}:${d.col} ${d.message}`), [`${b}:1:23 param 'ratio' must be a number, got 'half' (from ${b})`]);
  assert.equal({ ...readParamsFiles(a) }, { password: 'x', count: 2, region: 'a' });
  assert.equal({ ...readParamsFiles(undefined) }, {});
  assert.equal({ ...readParamsFiles(join(dir, 'empty.yaml')) }, {});
  for (const bad of [true, '', [a, true]]) {
    try {
      readParamsFiles(bad);
      assert.unreachable();
    } catch (err) {
      assert.is((err as CloudyaError).code, 'E_USAGE', String(bad));
    }
  }
  try {
    readParamsFiles([a, join(dir, 'missing.yaml')]);
    assert.unreachable();
  } catch (err) {
    assert.is((err as CloudyaError).code, 'E_FILE_NOT_FOUND');
    assert.match((err as CloudyaError).message, /missing\.yaml$/);
  }
});

test.run();
