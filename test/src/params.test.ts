// Params: flags, params files, CLOUDYA_PARAM_* variables, defaults; types and problems.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { join } from 'node:path';
import { parseParamArgs, readParamsFile, resolveParams, paramEnvName } from '../../src/params.js';
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

function problems(fn: () => unknown): { code: string; message: string; line: number; col: number; hint?: string }[] {
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

test.run();
