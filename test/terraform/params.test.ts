// The --params parser, manifest checks and terraform error classification, in process.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { parseParamsString, checkParams } from '../../steps/terraform/params.js';
import { classifyDiagnostics, terraformError } from '../../steps/terraform/classify.js';
import { CloudyaError } from '../../engine/errors.js';
import type { TemplateManifest } from '../../steps/terraform/templates.js';

test('parseParamsString: plain, quoted, JSON lists and maps, = inside values', () => {
  assert.equal(parseParamsString('region=eu-west-3,vpc_cidr=10.0.0.0/16'), { region: 'eu-west-3', vpc_cidr: '10.0.0.0/16' });
  assert.equal(parseParamsString('a="x,y=z",b=[1,2],c={"k":"v,w"}'), { a: 'x,y=z', b: '[1,2]', c: '{"k":"v,w"}' });
  assert.equal(parseParamsString('a=b=c'), { a: 'b=c' });
  assert.equal(parseParamsString(' a = 1 , b=2 '), { a: '1', b: '2' });
  assert.equal(parseParamsString('a='), { a: '' });
  assert.equal(parseParamsString(''), {});
});

test('parseParamsString: malformed strings are E_USAGE', () => {
  for (const bad of ['a', 'a=1,,b=2', 'a=1,', ',a=1', 'a="x', 'a=[1,2', 'a=1]', '=1', 'a b=1', 'a=1,a=2']) {
    try {
      parseParamsString(bad);
      assert.unreachable(bad);
    } catch (err) {
      assert.instance(err, CloudyaError, bad);
      assert.is((err as CloudyaError).code, 'E_USAGE', bad);
      assert.is((err as CloudyaError).exitCode, 2);
    }
  }
});

const manifest: TemplateManifest = {
  name: 't',
  provider: 'p',
  description: 'd',
  parameters: [
    { name: 'region', type: 'string', default: 'eu-west-3' },
    { name: 'count', type: 'integer', required: true },
    { name: 'ratio', type: 'number' },
    { name: 'on', type: 'boolean', default: false },
    { name: 'zones', type: 'array' },
    { name: 'tags', type: 'object', default: {} },
    { name: 'size', type: 'string', enum: ['s', 'm'] },
    { name: 'pw', type: 'string', secret: true },
  ],
};

test('checkParams converts text to the declared types and adds defaults', () => {
  const r = checkParams(manifest, 'p/t', { count: '3', ratio: '0.5', on: 'yes', zones: '["a","b"]', size: 'm', pw: 'x' });
  assert.equal(r.values, { count: 3, ratio: 0.5, on: true, zones: ['a', 'b'], size: 'm', pw: 'x', region: 'eu-west-3', tags: {} });
  assert.equal([...r.secrets], ['pw']);
  // Typed values (from a workflow) pass as they are.
  assert.equal(checkParams(manifest, 'p/t', { count: 2, on: true }).values.count, 2);
});

test('checkParams collects every problem; a secret value is never shown', () => {
  try {
    checkParams(manifest, 'p/t', { regin: 'x', ratio: 'abc', size: 'xl', pw: 5 });
    assert.unreachable();
  } catch (err) {
    const e = err as CloudyaError;
    assert.is(e.code, 'E_PARAM');
    assert.is(e.message, `p/t: unknown parameter 'regin'; parameter 'ratio' must be a number, got "abc"; parameter 'size' must be one of "s", "m", got "xl"; parameter 'pw' must be a string; missing required parameter 'count'`);
    assert.is(e.hint, "did you mean 'region'?");
  }
  // partial: only what is given (destroy).
  assert.equal(checkParams(manifest, 'p/t', { pw: 's' }, 'E_TERRAFORM_CONFIG', true).values, { pw: 's' });
});

test('classify: credentials, transient, config', () => {
  assert.is(classifyDiagnostics('No valid credential sources found'), 'E_TERRAFORM_CREDENTIALS');
  assert.is(classifyDiagnostics('error calling sts:GetCallerIdentity: InvalidClientTokenId: The security token included in the request is invalid'), 'E_TERRAFORM_CREDENTIALS');
  assert.is(classifyDiagnostics('AADSTS7000215: Invalid client secret provided'), 'E_TERRAFORM_CREDENTIALS');
  assert.is(classifyDiagnostics('Error acquiring the state lock'), 'E_TERRAFORM_TRANSIENT');
  assert.is(classifyDiagnostics('dial tcp: lookup ec2.eu-west-3.amazonaws.com: no such host'), 'E_TERRAFORM_TRANSIENT');
  assert.is(classifyDiagnostics('RequestLimitExceeded: Request limit exceeded.'), 'E_TERRAFORM_TRANSIENT');
  assert.is(classifyDiagnostics('Unsupported argument: An argument named "bogus" is not expected here.'), 'E_TERRAFORM_CONFIG');
  assert.is(classifyDiagnostics('Invalid value for variable'), 'E_TERRAFORM_CONFIG');
});

test('terraformError: first diagnostic, its address, retryable only when transient, secrets masked', () => {
  const mask = (s: string) => s.replaceAll('hunter2', '***');
  const e = terraformError('apply', [
    { severity: 'warning', summary: 'w' },
    { severity: 'error', summary: 'Error acquiring the state lock', detail: 'lock held by hunter2' },
    { severity: 'error', summary: 'other' },
  ], '', 1, mask);
  assert.is(e.code, 'E_TERRAFORM_TRANSIENT');
  assert.ok(e.retryable);
  assert.is(e.message, 'terraform apply: Error acquiring the state lock: lock held by *** (and 1 more error)');
  const c = terraformError('plan', [{ severity: 'error', summary: 'Unsupported argument', range: { filename: 'main.tf', start: { line: 3, column: 1 } } }], '', 1, mask);
  assert.is(c.code, 'E_TERRAFORM_CONFIG');
  assert.not.ok(c.retryable);
  assert.is(c.message, 'terraform plan: Unsupported argument (main.tf:3)');
  assert.is(terraformError('init', [], 'boom\n', 1, mask).message, 'terraform init exited 1: boom');
});

test.run();
