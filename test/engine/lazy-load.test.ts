// handlebars (~50 ms to load) is required on the first template with a `{{`:
// validating and rendering a workflow without one never loads it.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT, tmpDir } from '../helpers.js';

const plain = 'apiVersion: cloudya/v1\nkind: Workflow\nname: plain\nsteps:\n  - id: a\n    type: sandbox\n    with: { argv: ["true"], isolation: none }\n';
const templated = 'apiVersion: cloudya/v1\nkind: Workflow\nname: t\nparams:\n  x: { type: string, default: hi }\nsteps:\n  - id: a\n    type: sandbox\n    with: { argv: ["echo", "{{params.x}}"], isolation: none }\n';

test('a workflow without expressions is checked and rendered without loading handlebars; one with them loads it', () => {
  const dir = tmpDir();
  writeFileSync(join(dir, 'plain.yaml'), plain);
  writeFileSync(join(dir, 't.yaml'), templated);
  const script = `
import { createRequire } from 'node:module';
const cache = createRequire(import.meta.url).cache;
const loaded = () => Object.keys(cache).some((k) => /[\\\\/]node_modules[\\\\/]handlebars[\\\\/]/.test(k));
const { loadWorkflow } = await import(${JSON.stringify(join(ROOT, 'dist', 'engine', 'validate.js'))});
const { render } = await import(${JSON.stringify(join(ROOT, 'dist', 'engine', 'expressions.js'))});
const ctx = { params: { x: 'hi' }, steps: {}, run: { id: 'r', name: 'n' }, env: {} };
const p = loadWorkflow(${JSON.stringify(join(dir, 'plain.yaml'))});
render(p.workflow.steps[0].with, ctx);
const afterPlain = loaded();
const t = loadWorkflow(${JSON.stringify(join(dir, 't.yaml'))});
const out = render(t.workflow.steps[0].with, ctx);
console.log(JSON.stringify({ afterPlain, afterTemplated: loaded(), argv: out.argv }));
`;
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' });
  assert.is(r.status, 0, r.stderr);
  assert.equal(JSON.parse(r.stdout), { afterPlain: false, afterTemplated: true, argv: ['echo', 'hi'] });
});

test.run();
