import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { CloudyaError } from '../../engine/errors.js';
import { compiledTemplateCount, extractReferences, hasExpression, HELPER_NAMES, isTruthy, render, renderString, type ExprContext } from '../../engine/expressions.js';

const ctx: ExprContext = {
  params: { region: 'eu-west-3', n: null, empty: '', count: 3, flag: 'false', list: [{ name: 'a' }, { name: 'b' }], tags: ['x', 'y'] },
  steps: {
    host: { status: 'succeeded', outputs: { public_ip: '10.0.0.7', count: 5, ok: true, obj: { a: 1 }, ips: ['1.1.1.1', '2.2.2.2'] } },
    'my-step': { status: 'skipped', outputs: {} },
  },
  run: { id: 'r-1', name: 'demo', status: 'running' },
  env: { HOME: '/root' },
};

function evalError(fn: () => unknown, code: string): CloudyaError {
  try {
    fn();
  } catch (err) {
    assert.instance(err, CloudyaError);
    assert.is((err as CloudyaError).code, code, (err as Error).message);
    return err as CloudyaError;
  }
  return assert.unreachable('expected a CloudyaError') as never;
}

test('hasExpression and the no-mustache fast path', () => {
  assert.ok(hasExpression('a {{b}}'));
  assert.not.ok(hasExpression('a { b }'));
  assert.is(renderString('plain text', ctx), 'plain text');
  assert.is(renderString('{ not: an expression }', ctx), '{ not: an expression }');
});

test('a single mustache keeps the value type', () => {
  assert.is(renderString('{{steps.host.outputs.count}}', ctx), 5);
  assert.is(renderString('  {{steps.host.outputs.ok}}\n', ctx), true);
  assert.equal(renderString('{{steps.host.outputs.obj}}', ctx), { a: 1 });
  assert.equal(renderString('{{steps.host.outputs.ips}}', ctx), ['1.1.1.1', '2.2.2.2']);
  assert.is(renderString('{{params.n}}', ctx), null);
  assert.is(renderString('{{default params.n 3}}', ctx), 3);
  assert.is(renderString('{{default params.empty params.n "z"}}', ctx), 'z');
  assert.is(renderString('{{len params.list}}', ctx), 2);
  assert.is(renderString('{{eq params.count 3}}', ctx), true);
  assert.is(renderString('{{3}}', ctx), 3);
  assert.equal(renderString('{{concat steps.host.outputs.ips params.tags}}', ctx), ['1.1.1.1', '2.2.2.2', 'x', 'y']);
});

test('mixed strings are strings; objects and arrays print as JSON', () => {
  assert.is(renderString('n={{steps.host.outputs.count}}', ctx), 'n=5');
  assert.is(renderString('http://{{steps.host.outputs.public_ip}}:{{steps.host.outputs.count}}/', ctx), 'http://10.0.0.7:5/');
  assert.is(renderString('o={{steps.host.outputs.obj}} l={{params.tags}}', ctx), 'o={"a":1} l=["x","y"]');
  assert.is(renderString('[{{params.n}}]', ctx), '[]');
  assert.is(renderString('{{params.region}} & <b>', ctx), 'eu-west-3 & <b>', 'no HTML escaping');
  assert.is(renderString('{{upper params.region}}-{{lower "AB"}}', ctx), 'EU-WEST-3-ab');
  assert.is(renderString('a \\{{params.region}} {{params.region}}', ctx), 'a {{params.region}} eu-west-3');
});

test('strict: unknown names are errors naming the full path', () => {
  let e = evalError(() => renderString('{{params.regoin}}', ctx), 'E_EVAL');
  assert.is(e.message, "'params.regoin' is not defined");
  assert.match(e.hint ?? '', "did you mean 'params.region'?");
  e = evalError(() => renderString('x {{steps.nope.outputs.ip}} y', ctx), 'E_EVAL');
  assert.is(e.message, "'steps.nope.outputs.ip' is not defined");
  assert.match(e.hint ?? '', 'steps has: host, my-step');
  e = evalError(() => renderString('{{steps.my-step.outputs.ip}}', ctx), 'E_EVAL');
  assert.is(e.message, "'steps.my-step.outputs.ip' is not defined");
  e = evalError(() => renderString('{{env.PATH}}', ctx), 'E_EVAL');
  assert.is(e.message, "'env.PATH' is not defined");
  e = evalError(() => renderString('{{outputs.stdout}}', ctx), 'E_EVAL');
  assert.is(e.message, "'outputs.stdout' is not defined");
  e = evalError(() => renderString('{{params.n.x}}', ctx), 'E_EVAL');
  assert.match(e.hint ?? '', 'params.n is null');
});

test('strict also covers helper arguments, block params and nested sub-expressions', () => {
  for (const t of [
    '{{default params.regoin 3}}',
    'a {{upper params.regoin}} b',
    '{{#if params.regoin}}y{{/if}}',
    '{{#unless (eq params.regoin 1)}}y{{/unless}}',
    '{{join params.tags sep=params.regoin}}',
    '{{#each params.list as |item|}}{{item.nmae}}{{/each}}',
    '{{lookup steps.host.outputs "nope"}}',
  ]) {
    const e = evalError(() => renderString(t, ctx), 'E_EVAL');
    assert.match(e.message, /^'[\w.()…-]+' is not defined$/, t);
  }
  assert.is(evalError(() => renderString('{{#each params.list as |item|}}{{item.nmae}}{{/each}}', ctx), 'E_EVAL').message, "'item.nmae' is not defined");
});

test('no prototype access', () => {
  evalError(() => renderString('{{params.constructor}}', ctx), 'E_EVAL');
  evalError(() => renderString('{{params.__proto__}}', ctx), 'E_EVAL');
  evalError(() => renderString('{{params.region.toString}}', ctx), 'E_EVAL');
  assert.is(renderString('{{params.region.length}}', ctx), 9);
});

test('helpers', () => {
  const r = (t: string) => renderString(t, ctx);
  assert.is(r('{{ne 1 2}}'), true);
  assert.is(r('{{gt steps.host.outputs.count params.count}}'), true);
  assert.is(r('{{gte 3 "3"}}'), true);
  assert.is(r('{{lt "a" "b"}}'), true);
  assert.is(r('{{lte 4 3}}'), false);
  assert.is(r('{{and true 1 "x"}}'), true);
  assert.is(r('{{and true params.flag}}'), false);
  assert.is(r('{{or 0 "" "off" params.region}}'), true);
  assert.is(r('{{or 0 "no"}}'), false);
  assert.is(r('{{not params.flag}}'), true);
  assert.is(r('{{json params.tags}}'), '["x","y"]');
  assert.is(r('{{json steps.host.outputs.obj 2}}'), '{\n  "a": 1\n}');
  assert.is(r('{{join params.tags}}'), 'x,y');
  assert.is(r('{{join params.tags " | "}}'), 'x | y');
  assert.is(r('{{join params.tags sep="-"}}'), 'x-y');
  assert.is(r('{{concat "a" 1 params.region}}'), 'a1eu-west-3');
  assert.is(r('{{contains params.region "west"}}'), true);
  assert.is(r('{{contains params.tags "z"}}'), false);
  assert.is(r('{{len params.region}}'), 9);
  assert.is(r('{{len steps.host.outputs.obj}}'), 1);
  assert.is(r('{{eq env.HOME "/root"}}'), true);
  assert.is(r('{{#if (gt params.count 2)}}big{{else}}small{{/if}}'), 'big');
  assert.is(r('{{#if params.flag}}on{{else}}off{{/if}}'), 'off', "the string 'false' is false, as in when:");
  assert.is(r('{{#each params.list as |item i|}}{{i}}={{item.name}} {{/each}}'), '0=a 1=b ');
  assert.is(r('{{#each params.tags as |t|}}{{t}}{{#if @last}}.{{else}},{{/if}}{{/each}}'), 'x,y.');
  assert.is(r('{{#with steps.host.outputs as |o|}}{{o.public_ip}}{{/with}}'), '10.0.0.7');
  assert.is(r('{{#each params.tags as |t|}}{{t}}@{{params.region}} {{/each}}'), 'x@eu-west-3 y@eu-west-3 ', 'roots resolve inside blocks too');
  evalError(() => r('{{join params.region}}'), 'E_EVAL');
  evalError(() => r('{{gt params.list 1}}'), 'E_EVAL');
  evalError(() => r('{{upper steps.host.outputs.obj}}'), 'E_EVAL');
  assert.ok(['eq', 'ne', 'gt', 'gte', 'lt', 'lte', 'and', 'or', 'not', 'default', 'json', 'join', 'concat', 'upper', 'lower', 'contains', 'len'].every((h) => HELPER_NAMES.includes(h)));
});

test('isTruthy', () => {
  for (const v of [false, 0, '', 'false', '0', 'no', 'off', 'OFF', null, undefined, [], NaN]) assert.is(isTruthy(v), false, JSON.stringify(v));
  for (const v of [true, 1, -1, 'yes', 'true', 'x', [0], {}, 'null']) assert.is(isTruthy(v), true, JSON.stringify(v));
});

test('render walks objects and arrays without mutating them', () => {
  const input = { a: ['{{params.region}}', 1, true, null], b: { c: '{{steps.host.outputs.count}}', d: 'n={{params.count}}' }, e: 'plain' };
  const before = JSON.stringify(input);
  const out = render(input, ctx);
  assert.equal(out, { a: ['eu-west-3', 1, true, null], b: { c: 5, d: 'n=3' }, e: 'plain' });
  assert.is(JSON.stringify(input), before);
  assert.is.not(out, input);
  assert.is(render(42, ctx), 42);
  assert.is(render(null, ctx), null);
  const weird = JSON.parse('{"__proto__": "{{params.region}}"}') as Record<string, unknown>;
  const r = render(weird, ctx) as Record<string, unknown>;
  assert.is(Object.getPrototypeOf(r), Object.prototype);
  assert.is(Object.getOwnPropertyDescriptor(r, '__proto__')?.value, 'eu-west-3');
});

test('extractReferences: paths everywhere, offsets, no helper names or literals', () => {
  assert.equal(extractReferences('no expressions'), []);
  assert.equal(extractReferences('{{params.region}}'), [{ root: 'params', path: ['region'], offset: 2 }]);
  const t = 'ip={{ steps.host.outputs.ip }} {{default params.n (upper env.USER)}} {{join params.tags sep=run.id}}\n{{#if (eq params.a "x")}}{{#each params.list as |it|}}{{it.name}}{{@index}}{{/each}}{{/if}}';
  const refs = extractReferences(t);
  assert.equal(refs.map((r) => [r.root, r.path.join('.')]), [
    ['steps', 'host.outputs.ip'],
    ['params', 'n'],
    ['env', 'USER'],
    ['params', 'tags'],
    ['run', 'id'],
    ['params', 'a'],
    ['params', 'list'],
  ]);
  for (const r of refs) assert.ok(t.startsWith([r.root, ...r.path].join('.'), r.offset), `offset of ${r.root}`);
  assert.equal(extractReferences('{{@root.params.x}}'), [{ root: 'params', path: ['x'], offset: 2 }]);
  assert.equal(extractReferences('{{steps.[my step].outputs.x}}')[0]!.path, ['my step', 'outputs', 'x']);
});

test('extractReferences rejects this, ../, unknown helpers, partials; syntax errors carry an offset', () => {
  const bad: [string, RegExp, number][] = [
    ['{{this}}', /'this' is not supported/, 2],
    ['a {{this.x}}', /'this.x' is not supported/, 4],
    ['{{#each params.l}}{{../x}}{{/each}}', /'..\/x' is not supported/, 20],
    ['{{foo params.a}}', /unknown helper 'foo'/, 2],
    ['{{default (bar 1)}}', /unknown helper 'bar'/, 11],
    ['{{"a" 1}}', /only a helper name can take arguments/, 0],
    ['{{eq 1}}', /'eq' takes 2 arguments, got 1/, 0],
    ['{{#eq 1 1}}x{{/eq}}', /'eq' is not a block helper/, 3],
    ['{{if params.a}}', /'if' is a block helper/, 2],
    ['{{> partial}}', /partials/, 0],
    ['{{join params.a nope=1}}', /no named argument 'nope'/, 16],
    ['{{@foo}}', /unknown variable '@foo'/, 2],
    ['x {{params.a', /'\{\{' is never closed/, 2],
    ['ab\n  {{ params.a }} {{#if}}', /unexpected end of text/, 27],
    ['{{foo (bar}}', /unexpected '\}\}'/, 10],
    ['{{#if a}}x{{/each}}', /'\{\{\/each\}\}' does not close '\{\{#if\}\}'/, 3],
  ];
  for (const [t, re, offset] of bad) {
    const e = evalError(() => extractReferences(t), 'E_EXPRESSION');
    assert.match(e.message, re, t);
    assert.is(e.details?.offset, offset, `offset for ${t}: ${e.message}`);
    // rendering the same template fails the same way, before touching any value
    assert.is(evalError(() => renderString(t, ctx), 'E_EXPRESSION').message, e.message);
  }
});

test('compiled templates are cached: rendering again compiles nothing (speed is in npm run bench, not asserted)', () => {
  const withBlock = { hosts: ['{{steps.host.outputs.public_ip}}'], vars: { url: 'http://{{steps.host.outputs.public_ip}}/', region: '{{params.region}}', n: '{{default params.n 3}}' }, app: 'wordpress' };
  const first = render(withBlock, ctx);
  const count = compiledTemplateCount();
  for (let i = 0; i < 1000; i++) assert.equal(render(withBlock, ctx), first);
  assert.is(compiledTemplateCount(), count);
});

test.run();
